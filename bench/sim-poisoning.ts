/**
 * `npm run sim:poisoning` (docs/threat-model.md, "Poisoning"): 5 % attacker accounts with valid tokens
 * post random, average and bandwagon shilling profiles (test/support/shilling.ts) through Marquee's
 * own HTTP app in one UTC day (and the average attack low and slow: 2 accounts a day), pushing 10 cold,
 * poorly rated titles; the accepted ratings join the
 * log, the retrain's training-set step applies the daily per-movie cap, biased MF is refitted and
 * serving's ranking (blend with decayed popularity, guard, diversification) makes every genuine
 * user's list. Popularity is what the stream's movie actors put on the boards (their transition and
 * board additions, test/support/attack-world/stream-pass.ts `streamPopularity`): ratings over the
 * daily cap add none, and they flag titles pushed below the cap (src/guardrails/push-ratings.ts),
 * counted here.
 * Reports the targets' prediction shift and hit rate@20 against the unattacked victim with the
 * defences off (no cap, no quota), on as deployed with the default cap (RATING_DAILY_CAP 1,000 per movie
 * per day) and with the cap sized to the traffic (the organic per-movie-day p99.9). Options:
 * --attackers SHARE (0.05), --targets N (10), --seed N, --dataset PATH|ml-latest-small.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadDataset, ML_LATEST_SMALL_DIR } from '../src/data/load-dataset.ts';
import { loadConfig } from '../config/load-config.ts';
import { createRandom } from '../src/lib/random.ts';
import { hitRate } from '../test/support/attack-world/list-metrics.ts';
import { appendRatings, splitWorld, type LoggedRating } from '../test/support/attack-world/split-world.ts';
import { buildVictim, type Victim, type VictimOptions } from '../test/support/attack-world/victim.ts';
import { itemStats, pickTargets, shillingProfile, type AttackModel } from '../test/support/shilling.ts';
import { postRating, simApp } from '../test/support/sim-app.ts';

const { values } = parseArgs({
  options: {
    attackers: { type: 'string', default: '0.05' },
    targets: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    dataset: { type: 'string', default: 'ml-latest-small' },
  },
});
const seed = Number(values.seed);

if (values.dataset === 'ml-latest-small' && !existsSync(ML_LATEST_SMALL_DIR)) {
  const message = `sim:poisoning needs ml-latest-small at ${ML_LATEST_SMALL_DIR}`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.log(`${message}; skipped.`);
  process.exit(0);
}

const started = performance.now();
const dataset = await loadDataset(values.dataset);
const nGenuine = new Set(dataset.ratings.map((r) => r.userId)).size;
const nAttackers = Math.max(1, Math.round(Number(values.attackers) * nGenuine));
const attackerIds = Array.from({ length: nAttackers }, (_, k) => String(800_000_000 + k));
const world = splitWorld(dataset, 5, attackerIds);
const { train } = world;
const stats = itemStats(train);
const targets = pickTargets(stats, Number(values.targets), createRandom(seed));
const DAY_MS = 86_400_000;
// The attack day: the UTC day after the last organic rating, so no organic rating shares its cap.
const attackDay = (Math.floor(world.end / DAY_MS) + 1) * DAY_MS;

/** The organic ratings per movie per UTC day at the p99.9: what a cap proportionate to traffic allows. */
function organicCap(): number {
  const perMovieDay = new Map<number, number>();
  for (let k = 0; k < train.items.length; k++) {
    const key = (train.items[k] as number) * 100_000 + Math.floor((train.times[k] as number) / DAY_MS);
    perMovieDay.set(key, (perMovieDay.get(key) ?? 0) + 1);
  }
  const counts = [...perMovieDay.values()].sort((a, b) => b - a);
  return Math.max(1, counts[Math.floor(counts.length * 0.001)] ?? 1);
}
const proportionate = organicCap();

/** The defence settings compared: off, and the deployed code under its default and a traffic-sized cap. */
const deployed = loadConfig({});
const sized = loadConfig({ RATING_DAILY_CAP: String(proportionate) });
const quota = deployed.auth.ratingQuota;
const settings: { label: string; victim: VictimOptions; quota: number }[] = [
  { label: 'off (no cap, no quota)', victim: { dailyCap: Infinity }, quota: 0 },
  {
    label: `on as deployed (RATING_DAILY_CAP ${deployed.dailyCap}, the default; quota ${quota}/day)`,
    victim: { dailyCap: deployed.dailyCap },
    quota,
  },
  {
    label: `on as deployed with RATING_DAILY_CAP=${sized.dailyCap} (the organic p99.9; quota ${quota}/day)`,
    victim: { dailyCap: sized.dailyCap },
    quota,
  },
];

/** The profiles of `model`, posted through the app; answers what it accepted as log rows. */
async function postAttack(
  model: AttackModel,
  quota: number,
  perDay = attackerIds.length,
): Promise<{ accepted: LoggedRating[]; refused: number }> {
  const random = createRandom(seed + 7);
  // `perDay` accounts a day: all in one day by default; 2 a day is the low-and-slow push under a cap of 2.
  const profiles = attackerIds.flatMap((_, a) =>
    shillingProfile(
      model,
      nGenuine + a,
      targets,
      stats,
      attackDay + Math.floor(a / perDay) * DAY_MS + (a % perDay) * 10_000,
      random,
    ),
  );
  // The throttle delays an attacker within it, it drops nothing: left off to keep the run short.
  const sim = simApp({ throttle: false, quota, noise: { scale: 0, decimals: 6 }, recommend: () => [] });
  let refused = 0;
  const accepted: LoggedRating[] = [];
  for (const [k, r] of profiles.entries()) {
    const userId = train.userIds[r.user] as string;
    const res = await postRating(
      sim,
      `a${r.user % 10}`,
      userId,
      train.itemIds[r.item] as string,
      Math.max(1, Math.round(r.rating)),
      `p-${model}-${k}`,
    );
    if (res.status === 202) accepted.push({ ...r, rating: Math.max(1, Math.round(r.rating)) });
    else refused++;
  }
  // What reached Kafka is what the log holds (the API's ratings are whole stars).
  if (sim.published.length !== accepted.length) throw new Error('published and accepted ratings differ');
  return { accepted, refused };
}

/** Mean prediction shift and hit rate@20 of the targets over genuine users who had not rated them. */
function measure(v: Victim, clean: Victim): { shift: number; hitRate: number } {
  let shift = 0;
  let pairs = 0;
  let hits = 0;
  for (let u = 0; u < nGenuine; u++) {
    const list = new Set(v.list(u));
    const seen = new Set(v.seen(u));
    for (const t of targets) {
      if (seen.has(t)) continue;
      shift += v.model.predict(u, t) - clean.model.predict(u, t);
      pairs++;
      if (list.has(t)) hits++;
    }
  }
  return { shift: shift / pairs, hitRate: hits / pairs };
}

console.log(
  `${dataset.name}: ${nGenuine} users, ${train.itemIds.length.toLocaleString('en-US')} titles; ${nAttackers} attacker accounts (${(Number(values.attackers) * 100).toFixed(0)} %), ${targets.length} targets (5–50 ratings, mean ≤ 3: ${targets
    .slice(0, 3)
    .map((t) => train.itemIds[t])
    .join(', ')}, …); organic ratings per movie per day: p99.9 ${proportionate}\n`,
);
/** The attacks: each model in one day, and the average attack low and slow (2 accounts a day, 16 days). */
const attacks: { name: string; model: AttackModel; perDay?: number }[] = [
  { name: 'random', model: 'random' },
  { name: 'average', model: 'average' },
  { name: 'bandwagon', model: 'bandwagon' },
  { name: 'average, 2 accounts a day', model: 'average', perDay: 2 },
];
const posted = new Map<string, LoggedRating[]>();
// Posted under the deployed quota; only when it refused some is the attack posted again without it.
for (const { name, model, perDay } of attacks) {
  const { accepted, refused } = await postAttack(model, quota, perDay);
  posted.set(`${name}/${quota}`, accepted);
  if (refused === 0) posted.set(`${name}/0`, accepted);
  else posted.set(`${name}/0`, (await postAttack(model, 0, perDay)).accepted);
  console.log(
    `${name}: ${accepted.length.toLocaleString('en-US')} ratings accepted (202) under the quota, ${refused} refused (429)`,
  );
}
console.log(
  '\n| defences | attack | genuine ratings capped | attack ratings capped | target prediction shift (stars) | target HR@20 | unattacked HR@20 | shift ≤ 0.25 | HR ≤ 2× | title-days flagged as pushed |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const genuine: string[] = [];
for (const { label, victim, quota: q } of settings) {
  const clean = buildVictim(train, victim);
  const unattacked = measure(clean, clean).hitRate;
  const lists = new Map(Array.from({ length: nGenuine }, (_, u) => [u, clean.list(u)] as const));
  genuine.push(
    `| ${label} | ${clean.capped} | ${hitRate(lists, world.test).toFixed(3)} | ${clean.pushedTitleDays} |`,
  );
  for (const { name } of attacks) {
    const attacked = buildVictim(appendRatings(train, posted.get(`${name}/${q}`) ?? []), victim);
    const { shift, hitRate } = measure(attacked, clean);
    const ok = (b: boolean) => (b ? 'met' : 'NOT met');
    console.log(
      `| ${label} | ${name} | ${clean.capped} | ${attacked.capped - clean.capped} | ${shift.toFixed(3)} | ${hitRate.toFixed(4)} | ${unattacked.toFixed(4)} | ${ok(shift <= 0.25)} | ${ok(hitRate <= 2 * unattacked)} | ${attacked.pushedTitleDays - clean.pushedTitleDays} |`,
    );
  }
}
console.log('\nwhat each setting costs genuine users, unattacked (hit rate on their 5 held-out ratings):\n');
console.log('| defences | genuine ratings capped | genuine HR@20 | organic title-days flagged as pushed |');
console.log('|---|---|---|---|');
for (const line of genuine) console.log(line);
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s in all`);
