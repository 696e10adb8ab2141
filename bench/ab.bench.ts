/**
 * `npm run bench:ab`: the experiment statistics on simulated online RMSE, no services. Three parts:
 * - A/A with 50 looks: how often each test ever rejects a true null — the fixed-horizon Welch test on
 *   per-user MSE read at every look, the seed's per-rating test, and the always-valid sequential test
 *   (target ≤ 5 %);
 * - A/B with a known effect (B's residuals `--effect` smaller): power (share of runs the sequential
 *   test decides for B within the 50 looks, wrong-way decisions) and time to decision (users);
 * - an injected 45/55 split: how often the SRM check flags it, at 500 to 5,000 users (and a fair split).
 * Options: --runs N (1000), --looks N (50), --users-per-look N (20), --effect F (0.08), --seed N.
 * A benchmark prints figures; it asserts nothing.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { simulate, SIMULATION_DEFAULTS, type SimulatedRun } from '../src/experiments/stats/simulate.ts';
import { srmCheck } from '../src/experiments/stats/srm.ts';
import { createRandom } from '../src/lib/random.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    looks: { type: 'string', default: '50' },
    'users-per-look': { type: 'string', default: '20' },
    effect: { type: 'string', default: '0.08' },
    seed: { type: 'string', default: '1' },
  },
});
const settings = {
  ...SIMULATION_DEFAULTS,
  runs: Number(values.runs),
  looks: Number(values.looks),
  usersPerLook: Number(values['users-per-look']),
  seed: Number(values.seed),
};
const effect = Number(values.effect);
const users = settings.looks * settings.usersPerLook;

const pct = (runs: readonly SimulatedRun[], hit: (r: SimulatedRun) => boolean) =>
  `${((100 * runs.filter(hit).length) / runs.length).toFixed(1)} %`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
};

console.log(
  `bench:ab — ${settings.runs} simulated experiments each, ${settings.looks} looks of ${settings.usersPerLook} users (${users} users), median ${settings.medianRatings} ratings per user, α = ${settings.alpha}; load ${loadavg()[0]?.toFixed(2)}`,
);

const [aa, aaSeconds] = timed(() => simulate(settings));
console.log(
  `\nA/A (no effect), ${aaSeconds.toFixed(1)} s — share of runs that ever rejected (false positives):`,
);
console.log(`  Welch on per-user MSE, read at every look   ${pct(aa, (r) => r.naiveUserLook > 0)}`);
console.log(`  Welch on per-user MSE, read once at the end ${pct(aa, (r) => r.fixedUserRejects)}`);
console.log(`  per-rating t test (the seed's), every look  ${pct(aa, (r) => r.naivePerRatingLook > 0)}`);
console.log(`  per-rating t test (the seed's), once        ${pct(aa, (r) => r.fixedPerRatingRejects)}`);
console.log(
  `  sequential (always valid), every look       ${pct(aa, (r) => r.sequentialLook > 0)}   target ≤ 5 %`,
);

const [ab, abSeconds] = timed(() => simulate({ ...settings, effect, seed: settings.seed + 1_000_003 }));
const decided = ab.filter((r) => r.sequentialLook > 0);
const lookUsers = decided.map((r) => r.sequentialLook * settings.usersPerLook);
console.log(`\nA/B (B's residuals ${(effect * 100).toFixed(0)} % smaller), ${abSeconds.toFixed(1)} s:`);
console.log(
  `  sequential: decided for B in ${pct(ab, (r) => r.sequentialLook > 0 && r.sequentialSign < 0)}, for A (wrong way) in ${pct(ab, (r) => r.sequentialSign > 0)}`,
);
console.log(
  `  time to decision: median ${median(lookUsers)} users (quartiles ${median(lookUsers.filter((u) => u <= median(lookUsers)))}–${median(lookUsers.filter((u) => u >= median(lookUsers)))}) of ${users}`,
);
console.log(
  `  fixed-horizon Welch at ${users} users (power of the test read once) ${pct(ab, (r) => r.fixedUserRejects)}`,
);

// The SRM check sees only the users per arm: draw the split alone, for several experiment sizes.
const random = createRandom(settings.seed + 2_000_003);
const flaggedShare = (n: number, shareB: number) => {
  let flagged = 0;
  for (let r = 0; r < settings.runs; r++) {
    let b = 0;
    for (let u = 0; u < n; u++) if (random.next() < shareB) b++;
    if (srmCheck([n - b, b], [1, 1]).flagged) flagged++;
  }
  return `${((100 * flagged) / settings.runs).toFixed(1)} %`;
};
console.log(
  `\nSRM check (χ², flagged at p < 0.001), ${settings.runs} draws per size — injected 45/55 split vs a true 50/50:`,
);
for (const n of [500, 1000, 2000, 5000])
  console.log(
    `  ${String(n).padStart(5)} users: 45/55 flagged in ${flaggedShare(n, 0.55)}; 50/50 flagged in ${flaggedShare(n, 0.5)}`,
  );
