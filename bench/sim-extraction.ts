/**
 * `npm run sim:extraction` (docs/threat-model.md, "Extraction"): an attacker with Sybil accounts and
 * several addresses goes through Marquee's own HTTP app (JWT, per-IP throttle, id grammar): each
 * account posts a short rating history to `POST /v1/ratings`, is folded in as the stream folds in a
 * new user, and reads its list from the course route `/recommend/<id>`. From histories and lists the
 * attacker fits a surrogate (least squares on the item side: test/support/list-surrogate.ts) and is
 * scored by Agr@20 against the lists the real ranking serves held-out genuine users; so are one
 * anonymous list and `--voters` anonymous lists merged by vote. Defences off, then on as deployed
 * (throttle 100/s per address on /v1, the daily rating quota, score noise on the JSON route, rank
 * noise on both routes at the configured RANK_NOISE), then with other RANK_NOISE values; the same run
 * measures what the defences cost genuine users (hit rate on held-out ratings, Agr@20 of served
 * against noise-free lists). Options: --sybils N (300), --history N (20), --addresses N (10),
 * --eval N (150), --voters N (30), --rank-noise σ,… (0,50: a row per value over the deployed
 * defences), --rank-depth N (4), --seed N, --dataset PATH|ml-latest-small.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STREAM_MODEL_DEFAULTS } from '../actors/model-options.ts';
import { loadDataset, ML_LATEST_SMALL_DIR } from '../src/data/load-dataset.ts';
import { loadConfig } from '../config/load-config.ts';
import { createRandom } from '../src/lib/random.ts';
import { sleep } from '../src/lib/time.ts';
import { foldInUser } from '../src/model/algorithms/fold-in.ts';
import { defaultGuardrailSettings } from '../src/serving/guardrail-settings.ts';
import { RANK_NOISE_OFF } from '../src/guardrails/rank-noise.ts';
import { agreement, hitRate } from '../test/support/attack-world/list-metrics.ts';
import { splitWorld } from '../test/support/attack-world/split-world.ts';
import { buildVictim } from '../test/support/attack-world/victim.ts';
import { fitListSurrogate, type Observation } from '../test/support/list-surrogate.ts';
import { postRating, simApp } from '../test/support/sim-app.ts';

const { values } = parseArgs({
  options: {
    sybils: { type: 'string', default: '300' },
    history: { type: 'string', default: '20' },
    addresses: { type: 'string', default: '10' },
    eval: { type: 'string', default: '150' },
    voters: { type: 'string', default: '30' },
    'rank-noise': { type: 'string', default: '0,50' },
    'rank-depth': { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    dataset: { type: 'string', default: 'ml-latest-small' },
  },
});
const [nSybils, historySize, nAddresses, nEval, seed] = [
  values.sybils,
  values.history,
  values.addresses,
  values.eval,
  values.seed,
].map(Number) as [number, number, number, number, number];

const nVoters = Number(values.voters);
const rankNoises = values['rank-noise'] === '' ? [] : values['rank-noise'].split(',').map(Number);
const rankDepth = Number(values['rank-depth']);

if (values.dataset === 'ml-latest-small' && !existsSync(ML_LATEST_SMALL_DIR)) {
  const message = `sim:extraction needs ml-latest-small at ${ML_LATEST_SMALL_DIR}`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.log(`${message}; skipped.`);
  process.exit(0);
}

const started = performance.now();
const dataset = await loadDataset(values.dataset);
const sybilIds = Array.from({ length: nSybils }, (_, k) => String(900_000_000 + k));
const world = splitWorld(dataset, 5, sybilIds);
const { train } = world;
const nGenuine = train.userIds.length - nSybils;
const victim = buildVictim(train, { dailyCap: Infinity });
const random = createRandom(seed);
const order = Array.from({ length: nGenuine }, (_, u) => u);
for (let k = order.length - 1; k > 0; k--) {
  const j = random.int(k + 1);
  [order[k], order[j]] = [order[j] as number, order[k] as number];
}
const evalUsers = order.slice(0, nEval);
/** The attacker's auxiliary data: public ratings of the other genuine users, to shape Sybil histories. */
const auxiliary = order.slice(nEval);
const histories = Array.from({ length: train.userIds.length }, () => ({
  items: [] as number[],
  ratings: [] as number[],
}));
for (let k = 0; k < train.users.length; k++) {
  const h = histories[train.users[k] as number]!;
  h.items.push(train.items[k] as number);
  h.ratings.push(train.ratings[k] as number);
}
const itemIndex = new Map(train.itemIds.map((id, i) => [id, i]));
const userIndex = new Map(train.userIds.map((id, u) => [id, u]));
console.log(
  `${dataset.name}: ${nGenuine} users, ${train.itemIds.length.toLocaleString('en-US')} titles, ${train.users.length.toLocaleString('en-US')} training ratings (each user's last 5 held out); victim trained in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

/** What one run measured. */
interface Row {
  readonly label: string;
  readonly requests: number;
  readonly throttled: number;
  readonly attackSeconds: number;
  readonly surrogate: number;
  readonly coldList: number;
  /** Agr@20 of the anonymous lists of `--voters` fresh accounts merged by Borda count. */
  readonly votedList: number;
  readonly genuineHitRate: number;
  readonly genuineAgreement: number;
}

const deployed = loadConfig({});

/** One attack through the app, with the deployed defences `on` or all off; `rankNoise` ≥ 0 overrides RANK_NOISE. */
async function attack(on: boolean, rankNoise = -1): Promise<Row> {
  const folded = new Map<string, { bias: number; vector: Float32Array | null; seen: number[] }>();
  const sim = simApp({
    throttle: on,
    quota: on ? deployed.auth.ratingQuota : 0,
    noise: on ? defaultGuardrailSettings.noise : { scale: 0, decimals: 6 },
    rankNoise:
      rankNoise >= 0 ? { scale: rankNoise, depth: rankDepth } : on ? deployed.rankNoise : RANK_NOISE_OFF,
    sourceOf: (userId) =>
      folded.has(userId) || (userIndex.get(userId) ?? nGenuine) < nGenuine ? 'personal' : 'cold',
    recommend: (userId, limit) => {
      const sybil = folded.get(userId);
      const u = userIndex.get(userId);
      const items =
        sybil !== undefined
          ? victim.listFor(sybil, sybil.seen, limit)
          : u !== undefined && u < nGenuine
            ? victim.list(u, limit)
            : victim.listFor({ bias: 0, vector: null }, [], limit);
      return items.map((i) => train.itemIds[i] as string);
    },
  });
  const { app, published } = sim;
  const attacker = createRandom(seed + 1);
  let requests = 0;
  let throttled = 0;
  const t0 = performance.now();
  /** Sends requests from one address; within the throttle (one window's points, then wait) when on. */
  const send = async (_address: number, make: () => Response | Promise<Response>): Promise<Response> => {
    for (;;) {
      requests++;
      const res = await make();
      if (res.status !== 429) return res;
      throttled++;
      await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
    }
  };
  const observations: Observation[] = [];
  // Each address drives its share of the accounts concurrently, as separate machines would.
  await Promise.all(
    Array.from({ length: nAddresses }, async (_, address) => {
      for (let a = address; a < nSybils; a += nAddresses) {
        const id = sybilIds[a] as string;
        const source = histories[auxiliary[attacker.int(auxiliary.length)] as number]!;
        const picks = Array.from({ length: source.items.length }, (_, k) => k);
        for (let k = picks.length - 1; k > 0; k--) {
          const j = attacker.int(k + 1);
          [picks[k], picks[j]] = [picks[j] as number, picks[k] as number];
        }
        const items = picks.slice(0, historySize).map((k) => source.items[k] as number);
        const ratings = picks
          .slice(0, historySize)
          .map((k) => Math.max(1, Math.round(source.ratings[k] as number)));
        const headers = { 'x-sim-address': String(address) };
        for (let j = 0; j < items.length; j++) {
          const movieId = train.itemIds[items[j] as number] as string;
          const res = await send(address, () =>
            postRating(sim, String(address), id, movieId, ratings[j] as number, `sim-${id}-${j}`),
          );
          if (res.status !== 202) throw new Error(`rating refused: ${res.status} ${await res.text()}`);
        }
        // The stream folds the account in from what reached Kafka (the user actor's ridge fold-in).
        const mine = published.filter((e) => e.userId === id);
        const seen = mine.map((e) => itemIndex.get(e.movieId) as number);
        const user = foldInUser(
          victim.model,
          seen,
          mine.map((e) => e.rating),
          { lambda: STREAM_MODEL_DEFAULTS.foldInLambda },
        );
        folded.set(id, { bias: user.bias, vector: user.vector, seen });
        const res = await send(address, () => app.request(`/recommend/${id}`, { headers }));
        const list = (await res.text()).split(',').map((m) => itemIndex.get(m) as number);
        observations.push({ items, ratings, list });
      }
    }),
  );
  const attackSeconds = (performance.now() - t0) / 1000;
  const surrogate = fitListSurrogate(observations, train.itemIds.length);
  // One request by a fresh account (no ratings yet) for its 100 best: the list of a user nobody knows,
  // which the attacker then cuts to what the evaluated user has not seen.
  const fresh = '899999999';
  const body = (await (
    await send(0, () =>
      app.request(`/v1/users/${fresh}/recommendations?limit=100`, {
        headers: { authorization: `Bearer ${sim.token(fresh)}`, 'x-sim-address': '0' },
      }),
    )
  ).json()) as { items: { movieId: string }[] };
  const cold = body.items.map((item) => itemIndex.get(item.movieId) as number);
  // The same from many fresh accounts, merged by Borda count: what averaging over accounts recovers of
  // the list nobody is known to (accounts cost nothing here: a token, no ratings).
  const votes = new Float64Array(train.itemIds.length);
  for (let v = 0; v < nVoters; v++) {
    const voter = String(899_000_000 + v);
    const res = await send(v % nAddresses, () =>
      app.request(`/v1/users/${voter}/recommendations?limit=100`, {
        headers: { authorization: `Bearer ${sim.token(voter)}`, 'x-sim-address': String(v % nAddresses) },
      }),
    );
    const { items } = (await res.json()) as { items: { movieId: string }[] };
    items.forEach((item, k) => (votes[itemIndex.get(item.movieId) as number]! += items.length - k));
  }
  const voted = Array.from(votes.keys())
    .filter((i) => votes[i]! > 0)
    .sort((a, b) => votes[b]! - votes[a]! || a - b);
  let surrogateAgr = 0;
  let coldAgr = 0;
  let votedAgr = 0;
  let servedAgr = 0;
  const served = new Map<number, number[]>();
  // What genuine users are served (all of them: the hit rate of 150 would move by ±0.035 by chance).
  for (let u = 0; u < nGenuine; u++) {
    const res = await app.request(`/recommend/${train.userIds[u]}`);
    const list = (await res.text()).split(',').map((m) => itemIndex.get(m) as number);
    served.set(u, list);
    servedAgr += agreement(victim.list(u), list) / nGenuine;
  }
  for (const u of evalUsers) {
    const h = histories[u]!;
    const truth = victim.list(u);
    surrogateAgr += agreement(truth, surrogate.list(h.items, h.ratings, 20));
    const seenSet = new Set(h.items);
    coldAgr += agreement(
      truth,
      cold.filter((i) => !seenSet.has(i)),
    );
    votedAgr += agreement(
      truth,
      voted.filter((i) => !seenSet.has(i)),
    );
  }
  const n = evalUsers.length;
  return {
    label:
      rankNoise >= 0
        ? `as deployed with RANK_NOISE=${rankNoise} (σ in positions, from the best ${rankDepth * 20})`
        : on
          ? `on as deployed (throttle, quota, score noise, RANK_NOISE=${deployed.rankNoise.scale} from the best ${deployed.rankNoise.depth * 20})`
          : 'off',
    requests,
    throttled,
    attackSeconds,
    surrogate: surrogateAgr / n,
    coldList: coldAgr / n,
    votedList: votedAgr / n,
    genuineHitRate: hitRate(served, world.test),
    genuineAgreement: servedAgr,
  };
}

const rows = [await attack(false), await attack(true)];
for (const sigma of rankNoises) rows.push(await attack(true, sigma));
const baseline = rows[0] as Row;
console.log(
  `\nattacker: ${nSybils} accounts × ${historySize} ratings from ${nAddresses} addresses, lists from /recommend; evaluated on ${nEval} held-out genuine users\n`,
);
console.log(
  `| defences | requests | throttled (429) | attack time | surrogate Agr@20 | one anonymous list Agr@20 | ${nVoters} anonymous lists voted, Agr@20 | genuine HR@20 | genuine Agr@20 served vs noise-free |`,
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.label} | ${r.requests.toLocaleString('en-US')} | ${r.throttled} | ${r.attackSeconds.toFixed(1)} s | ${r.surrogate.toFixed(3)} | ${r.coldList.toFixed(3)} | ${r.votedList.toFixed(3)} | ${r.genuineHitRate.toFixed(3)} | ${r.genuineAgreement.toFixed(3)} |`,
  );
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log(
  '\ntargets: attacker Agr@20 ≤ 0.5 (the best of surrogate, one and voted anonymous lists), genuine hit-rate cost ≤ 5 %',
);
for (const r of rows.slice(1)) {
  const cost = 1 - r.genuineHitRate / baseline.genuineHitRate;
  const best = Math.max(r.surrogate, r.coldList, r.votedList);
  console.log(
    `  ${r.label}: attacker ${verdict(best <= 0.5)} (${best.toFixed(3)}), cost ${verdict(cost <= 0.05)} (${(cost * 100).toFixed(1)} %)`,
  );
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s in all`);
