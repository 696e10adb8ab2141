/**
 * `npm run sim:loop`: the closed-loop simulator (test/support/closed-loop.ts) on ml-latest-small —
 * hidden true tastes fitted to all its ratings, 20 rounds of serve → choose → rate → retrain, once
 * with the live head cap off and once on; prints the per-round table and the issue's targets, and
 * writes a PNG chart. Options: --rounds N (20), --users N per round (all), --seed N, --out DIR
 * (test-artifacts/sim-loop), --dataset PATH|ml-latest-small.
 */
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/load-dataset.ts';
import { defaultLiveHeadCap } from '../src/guardrails/debias.ts';
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
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'test-artifacts/sim-loop' },
    dataset: { type: 'string', default: 'ml-latest-small' },
    threshold: { type: 'string' },
    floor: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seed = Number(values.seed);
const usersPerRound = values.users === undefined ? Infinity : Number(values.users);
const mitigation = {
  ...defaultLiveHeadCap,
  ...(values.threshold !== undefined && { threshold: Number(values.threshold) }),
  ...(values.floor !== undefined && { floor: Number(values.floor) }),
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
};
const started = performance.now();
const truth = trueTastes(world, { ...LOOP_DEFAULTS, seed });
console.log(
  `${dataset.name}: ${world.userIds.length} users, ${world.itemIds.length} titles, ${world.ratings.length.toLocaleString('en-US')} organic ratings; true tastes fitted in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
const options = { ...LOOP_DEFAULTS, rounds, seed, usersPerRound };
const run = (label: string, mitigation: typeof defaultLiveHeadCap | null) => {
  const t = performance.now();
  const result = runClosedLoop(world, truth, { ...options, mitigation });
  console.log(`\n${label} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  console.log(
    'round  coverage   gini    ARP  ARP org  head share  cap   skew gap  skew W1  satisfaction  accepted',
  );
  for (const r of result)
    console.log(
      `${String(r.round).padStart(5)}  ${(r.coverage * 100).toFixed(1).padStart(6)} %  ${r.gini.toFixed(3)}  ${r.avgPopularity.toFixed(1).padStart(5)}  ${r.avgOrganicPopularity.toFixed(1).padStart(7)}  ${(r.headShare * 100).toFixed(1).padStart(8)} %  ${r.cap.toFixed(2)}  ${r.skewGap.toFixed(3).padStart(8)}  ${r.skewDistance.toFixed(3).padStart(7)}  ${r.satisfaction.toFixed(3).padStart(12)}  ${String(r.accepted).padStart(8)}`,
    );
  return result;
};
const off = run('mitigation off (static cap: half a list)', null);
const on = run(
  `mitigation on (live head cap: threshold ${mitigation.threshold}, floor ${mitigation.floor})`,
  mitigation,
);
const [dOff, dOn] = [drift(off), drift(on)];
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const loss = 1 - dOn.satisfaction / dOff.satisfaction;
console.log(`\nafter ${rounds} rounds (first round → last):`);
for (const [label, d] of [
  ['off', dOff],
  ['on ', dOn],
] as const)
  console.log(
    `  ${label}: coverage change ${pct(-d.coverageDrop)}, Gini rise ${d.giniRise.toFixed(3)}, ARP lift ${pct(d.popularityLift)} (relative to the catalogue's mean count ${pct(d.relativePopularityLift)}; with organic counts ${pct(d.organicPopularityLift)})`,
  );
console.log('targets (mitigation on):');
console.log(`  coverage drop ≤ 10 %: ${verdict(dOn.coverageDrop <= 0.1)} (change ${pct(-dOn.coverageDrop)})`);
console.log(`  exposure Gini rise ≤ 0.05: ${verdict(dOn.giniRise <= 0.05)} (${dOn.giniRise.toFixed(3)})`);
console.log(
  `  average recommended popularity lift ≤ 10 %, relative to the catalogue's mean count: ${verdict(dOn.relativePopularityLift <= 0.1)} (${pct(dOn.relativePopularityLift)}; in counts ${pct(dOn.popularityLift)}, which grow with every round's ratings; with organic counts ${pct(dOn.organicPopularityLift)})`,
);
console.log(
  `  satisfaction loss against off ≤ 5 %: ${verdict(loss <= 0.05)} (${pct(loss)}: ${dOn.satisfaction.toFixed(3)} vs ${dOff.satisfaction.toFixed(3)} stars)`,
);

mkdirSync(values.out, { recursive: true });
const png = new Resvg(chart(off, on), { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
  .render()
  .asPng();
writeFileSync(join(values.out, 'sim-loop.png'), png);
writeFileSync(
  join(values.out, 'sim-loop.json'),
  JSON.stringify({ options: { ...options, usersPerRound: values.users ?? 'all' }, off, on }, null, 2),
);
console.log(`\nchart: ${join(values.out, 'sim-loop.png')}`);

/** Four panels (coverage, Gini, ARP, satisfaction), a line per run. */
function chart(a: readonly RoundMetrics[], b: readonly RoundMetrics[]): string {
  const panels: [keyof RoundMetrics, string][] = [
    ['coverage', 'Catalogue coverage'],
    ['gini', 'Exposure Gini'],
    ['avgPopularity', 'Average recommended popularity'],
    ['satisfaction', 'Satisfaction (true rating, stars)'],
  ];
  const [w, h, pw, ph] = [960, 640, 460, 280];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="${w / 2}" y="24" font-size="17" text-anchor="middle">Closed loop: mitigation off (grey) and on (blue), per round</text>`,
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
