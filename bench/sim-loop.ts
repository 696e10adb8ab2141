/**
 * `npm run sim:loop`: the closed-loop simulator (test/support/closed-loop.ts) on ml-latest-small —
 * hidden true tastes fitted to all its ratings, 20 rounds of serve (Marquee's rankUser) → choose →
 * rate → retrain, once with the mitigations off (static head cap, served take-ups weigh as organic)
 * and once on (the live head cap and SERVED_POPULARITY_WEIGHT), per seed; prints the per-round
 * table (medians over the seeds when there are several), each seed's drift and the issue's targets
 * as median [range], and writes a PNG chart and the JSON. Options: --rounds N (20), --users N per
 * round (all), --seeds 1-5 or 1,2,7 (1), --served-weight W (the default of SERVED_POPULARITY_WEIGHT),
 * --threshold, --floor (the live cap's), --rank-noise S (RANK_NOISE's default; 0: the exact ranking), --out DIR (test-artifacts/sim-loop), --dataset PATH|ml-latest-small.
 */
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/load-dataset.ts';
import { defaultLiveHeadCap } from '../src/guardrails/debias.ts';
import { median } from '../src/model/eval/evaluate.ts';
import { SERVED_POPULARITY_WEIGHT_DEFAULT } from '../src/model/ranking/popularity.ts';
import {
  drift,
  LOOP_DEFAULTS,
  runClosedLoop,
  trueTastes,
  type LoopWorld,
  type RoundMetrics,
} from '../test/support/closed-loop.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    users: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    'served-weight': { type: 'string', default: String(SERVED_POPULARITY_WEIGHT_DEFAULT) },
    out: { type: 'string', default: 'test-artifacts/sim-loop' },
    dataset: { type: 'string', default: 'ml-latest-small' },
    threshold: { type: 'string' },
    'rank-noise': { type: 'string' },
    floor: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seeds = values.seeds.split(',').flatMap((part) => {
  const [a, b] = part.split('-').map(Number) as [number, number | undefined];
  return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, k) => a + k);
});
if (seeds.some((x) => !Number.isInteger(x)) || seeds.length === 0)
  throw new Error(`--seeds takes integers, ranges and commas (1-5, 1,2,7); got '${values.seeds}'`);
const servedWeight = Number(values['served-weight']);
if (!(servedWeight >= 0 && servedWeight <= 1))
  throw new Error(`--served-weight must be in [0, 1]; got '${values['served-weight']}'`);
const usersPerRound = values.users === undefined ? Infinity : Number(values.users);
const liveCap = {
  ...defaultLiveHeadCap,
  ...(values.threshold !== undefined && { threshold: Number(values.threshold) }),
  ...(values.floor !== undefined && { floor: Number(values.floor) }),
};

const rankNoise = {
  ...LOOP_DEFAULTS.rankNoise,
  ...(values['rank-noise'] !== undefined && { scale: Number(values['rank-noise']) }),
};
const dataset = await loadDataset(values.dataset);
const userIndex = new Map<string, number>();
const itemIndex = new Map<string, number>();
const index = (m: Map<string, number>, id: string) => m.get(id) ?? (m.set(id, m.size), m.size - 1);
const users = Int32Array.from(dataset.ratings, (r) => index(userIndex, r.userId));
const items = Int32Array.from(dataset.ratings, (r) => index(itemIndex, r.movieId));
const world: LoopWorld = {
  userIds: [...userIndex.keys()],
  itemIds: [...itemIndex.keys()],
  movies: dataset.movies
    .filter((m) => itemIndex.has(m.movieId))
    .map((m) => ({
      movieId: m.movieId,
      title: m.title,
      genres: m.genres,
      certification: m.certification,
      adult: m.adult,
    })),
  users,
  items,
  ratings: Float32Array.from(dataset.ratings, (r) => r.rating),
  timestamps: Float64Array.from(dataset.ratings, (r) => r.timestamp),
};
console.log(
  `${dataset.name}: ${world.userIds.length} users, ${world.itemIds.length} titles, ${world.ratings.length.toLocaleString('en-US')} organic ratings; seeds ${seeds.join(', ')}`,
);
console.log(
  `off: static head cap (half a list), served take-ups weigh 1; on: live head cap (threshold ${liveCap.threshold}, floor ${liveCap.floor}), served take-ups weigh ${servedWeight}; both: rank noise σ ${rankNoise.scale} from the best ${rankNoise.depth}× the list`,
);
const base = { ...LOOP_DEFAULTS, rounds, usersPerRound, rankNoise };
const runs: { seed: number; off: RoundMetrics[]; on: RoundMetrics[] }[] = [];
for (const seed of seeds) {
  const t = performance.now();
  const truth = trueTastes(world, { ...base, seed });
  const off = await runClosedLoop(world, truth, { ...base, seed });
  const on = await runClosedLoop(world, truth, {
    ...base,
    seed,
    mitigation: liveCap,
    servedPopularityWeight: servedWeight,
  });
  console.log(`seed ${seed}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  runs.push({ seed, off, on });
}

/** Per round, the median over the seeds of every metric. */
const medianRounds = (pick: (r: (typeof runs)[number]) => readonly RoundMetrics[]): RoundMetrics[] =>
  Array.from({ length: rounds }, (_, k) => {
    const at = runs.map((r) => pick(r)[k] as RoundMetrics);
    const m = (key: keyof RoundMetrics) => median(at.map((r) => r[key]));
    return {
      round: k + 1,
      coverage: m('coverage'),
      gini: m('gini'),
      avgPopularity: m('avgPopularity'),
      avgOrganicPopularity: m('avgOrganicPopularity'),
      relPopularity: m('relPopularity'),
      headShare: m('headShare'),
      cap: m('cap'),
      skewGap: m('skewGap'),
      skewDistance: m('skewDistance'),
      satisfaction: m('satisfaction'),
      accepted: m('accepted'),
    };
  });
const [off, on] = [medianRounds((r) => r.off), medianRounds((r) => r.on)];
const pair = (a: number, b: number, digits: number, width: number) =>
  `${a.toFixed(digits)} / ${b.toFixed(digits)}`.padStart(width);
console.log(
  `\nper round${seeds.length > 1 ? `, median over ${seeds.length} seeds` : ''} (off / on; ARP rel: mean training count of a recommended slot over the catalogue's mean count):`,
);
console.log(
  'round     coverage %          Gini        ARP rel    ARP (counts)    head share %  cap on     skew gap    satisfaction',
);
off.forEach((a, k) => {
  const b = on[k] as RoundMetrics;
  console.log(
    `${String(a.round).padStart(5)}  ${pair(a.coverage * 100, b.coverage * 100, 1, 13)}  ${pair(a.gini, b.gini, 3, 13)}  ${pair(a.relPopularity, b.relPopularity, 3, 13)}  ${pair(a.avgPopularity, b.avgPopularity, 1, 14)}  ${pair(a.headShare * 100, b.headShare * 100, 1, 14)}  ${b.cap.toFixed(2).padStart(6)}  ${pair(a.skewGap, b.skewGap, 3, 13)}  ${pair(a.satisfaction, b.satisfaction, 3, 14)}`,
  );
});

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const perSeed = runs.map(({ seed, off, on }) => {
  const [dOff, dOn] = [drift(off), drift(on)];
  const loss = 1 - dOn.satisfaction / dOff.satisfaction;
  console.log(
    `seed ${String(seed).padStart(2)}: relative ARP lift off ${pct(dOff.relativePopularityLift).padStart(7)}, on ${pct(dOn.relativePopularityLift).padStart(7)}; coverage change on ${pct(-dOn.coverageDrop)}, Gini rise on ${dOn.giniRise.toFixed(3)}; satisfaction on ${dOn.satisfaction.toFixed(3)} vs off ${dOff.satisfaction.toFixed(3)} (loss ${pct(loss)})`,
  );
  return { seed, off: dOff, on: dOn, loss };
});
const summary = (label: string, xs: number[], format: (x: number) => string, ok: (x: number) => boolean) => {
  const met = xs.filter(ok).length;
  console.log(
    `  ${label}: median ${format(median(xs))} [${format(Math.min(...xs))}, ${format(Math.max(...xs))}] — ${ok(median(xs)) ? 'met' : 'NOT met'} (met in ${met} of ${xs.length} seeds)`,
  );
};
console.log(
  `\ntargets after ${rounds} rounds, mitigation on (first round → last), over ${seeds.length} seed(s):`,
);
summary(
  'coverage drop ≤ 10 %',
  perSeed.map((d) => d.on.coverageDrop),
  pct,
  (x) => x <= 0.1,
);
summary(
  'exposure Gini rise ≤ 0.05',
  perSeed.map((d) => d.on.giniRise),
  (x) => x.toFixed(3),
  (x) => x <= 0.05,
);
summary(
  "average recommended popularity lift ≤ 10 % (relative to the catalogue's mean count)",
  perSeed.map((d) => d.on.relativePopularityLift),
  pct,
  (x) => x <= 0.1,
);
summary(
  'satisfaction loss against off ≤ 5 %',
  perSeed.map((d) => d.loss),
  pct,
  (x) => x <= 0.05,
);
summary(
  '(off, for comparison) relative ARP lift',
  perSeed.map((d) => d.off.relativePopularityLift),
  pct,
  (x) => x <= 0.1,
);

mkdirSync(values.out, { recursive: true });
const png = new Resvg(chart(off, on), { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
  .render()
  .asPng();
writeFileSync(join(values.out, 'sim-loop.png'), png);
writeFileSync(
  join(values.out, 'sim-loop.json'),
  JSON.stringify(
    { options: { ...base, usersPerRound: values.users ?? 'all', seeds, servedWeight, liveCap }, runs },
    null,
    2,
  ),
);
console.log(`\nchart: ${join(values.out, 'sim-loop.png')}`);

/** Four panels (coverage, Gini, ARP, satisfaction), a line per run. */
function chart(a: readonly RoundMetrics[], b: readonly RoundMetrics[]): string {
  const panels: [keyof RoundMetrics, string][] = [
    ['coverage', 'Catalogue coverage'],
    ['gini', 'Exposure Gini'],
    ['relPopularity', 'Average recommended popularity ÷ catalogue mean'],
    ['satisfaction', 'Satisfaction (true rating, stars)'],
  ];
  const [w, h, pw, ph] = [960, 640, 460, 280];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="${w / 2}" y="24" font-size="17" text-anchor="middle">Closed loop: mitigation off (grey) and on (blue), per round (median over seeds)</text>`,
  ];
  panels.forEach(([key, title], k) => {
    const x0 = 20 + (k % 2) * (pw + 20);
    const y0 = 40 + Math.floor(k / 2) * (ph + 20);
    const all = [...a, ...b].map((r) => Number(r[key]));
    let [lo, hi] = [Math.min(...all), Math.max(...all)];
    if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
    const pad = (hi - lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
    const px = (i: number) => x0 + 50 + (i / Math.max(1, a.length - 1)) * (pw - 70);
    const py = (v: number) => y0 + ph - 30 - ((v - lo) / (hi - lo)) * (ph - 60);
    const line = (rs: readonly RoundMetrics[], color: string) =>
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${rs.map((r, i) => `${px(i).toFixed(1)},${py(Number(r[key])).toFixed(1)}`).join(' ')}"/>`;
    parts.push(
      `<rect x="${x0}" y="${y0}" width="${pw}" height="${ph}" fill="#f7f7f7" stroke="#ccc"/>`,
      `<text x="${x0 + 10}" y="${y0 + 18}" font-size="13">${title}</text>`,
      `<text x="${x0 + 45}" y="${py(hi - pad) + 4}" font-size="10" text-anchor="end">${(hi - pad).toPrecision(3)}</text>`,
      `<text x="${x0 + 45}" y="${py(lo + pad) + 4}" font-size="10" text-anchor="end">${(lo + pad).toPrecision(3)}</text>`,
      `<text x="${px(0)}" y="${y0 + ph - 10}" font-size="10" text-anchor="middle">1</text>`,
      `<text x="${px(a.length - 1)}" y="${y0 + ph - 10}" font-size="10" text-anchor="middle">${a.length}</text>`,
      line(a, '#888'),
      line(b, '#3b6ea5'),
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
