/**
 * The course check's printout: what was served against the course's contract and Marquee's
 * guardrails, and how the lists rank the held-out future beside popularity from the same played data.
 */
import type { CoursePlay } from '../src/data/course-play.ts';
import { defaultAgePolicy, effectiveAge } from '../src/guardrails/age-policy.ts';
import type { CourseStandIn } from '../src/data/course-stand-in.ts';
import type { Dataset } from '../src/data/dataset.ts';
import type { ModelVersionRow } from '../src/store/postgres/model-versions.ts';
import {
  decayedPopularityRanking,
  globalPopularity,
  heldOutFavourites,
  pairedRatioInterval,
  relevantSets,
  scoreLists,
  seenSets,
  summariseServed,
  topUnseen,
  userScores,
  type RankingScore,
  type UserScore,
} from '../test/support/course-scores.ts';
import type { PublishedCatalogue } from '../test/support/course-stack.ts';
import type { RecommendAnswer } from '../test/support/recommend-calls.ts';

/** Everything the report reads. */
export interface CourseReportInput {
  readonly dataset: Dataset;
  readonly play: CoursePlay;
  readonly standIn: CourseStandIn;
  readonly answers: readonly RecommendAnswer[];
  readonly model: ModelVersionRow;
  /** The published model's movies, those it carries metadata for, and the adult ones. */
  readonly catalogue: PublishedCatalogue;
  /** Rows in Postgres `users` and `movies` when the lists were asked for. */
  readonly enriched: { readonly users: number; readonly movies: number };
}

const K = 20;
const RELEVANT_AT = 4;
/** Half-lives of the decayed-popularity baselines; the targets compare with the best of them. */
const HALF_LIVES_DAYS = [30, 90, 365];

const n = (x: number) => x.toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`);
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '–');
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–');
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Prints the report to stdout. */
export function printCourseReport(input: CourseReportInput): void {
  const { play, standIn, answers, model } = input;
  const seen = seenSets(play.delivered.ratings, play.delivered.watches);
  const history = new Set(seen.keys());
  const ages = new Map([...standIn.users].map(([id, u]) => [id, u.age]));
  const adult = new Set([...standIn.movies.values()].filter((m) => m.adult === 'True').map((m) => m.id));
  const genres = new Map([...standIn.movies].map(([id, m]) => [id, m.genres.map((g) => g.name)]));
  const served = summariseServed(answers, {
    seen,
    ageOf: (id) => ages.get(id) ?? null,
    isAdult: (id) => adult.has(id),
    genresOf: (id) => genres.get(id) ?? [],
  });
  const calledMinors = answers.filter((a) => (ages.get(a.userId) ?? 99) < 18).length;
  const moviesSeen = new Set(play.events.map((e) => e.record.movieId));

  console.log('');
  console.log(`== course check: ${input.dataset.name} ==`);
  console.log(
    `stand-in services: ${n(standIn.users.size)} users (${n([...ages.values()].filter((a) => a < 18).length)} under 18), ` +
      `${n(standIn.movies.size)} movies (${n(adult.size)} adult); lookups answered: ${n(standIn.stats().users)} users, ${n(standIn.stats().movies)} movies, ${n(standIn.stats().notFound)} not found`,
  );
  console.log(
    `metadata in Postgres at call time: ${n(input.enriched.users)} users, ${n(input.enriched.movies)} movies (the played lines name ${n(history.size)} users, ${n(moviesSeen.size)} movies)`,
  );
  console.log(
    `model ${model.version}: ${model.algorithm}, trigger ${model.trigger}, ${n(model.ratingsUsed ?? 0)} ratings used of ${n(model.logRatings ?? 0)} in the log; ` +
      `${n(input.catalogue.described.size)} of its ${n(input.catalogue.items)} movies published with metadata (${n(input.catalogue.adult.size)} adult; ` +
      `the stand-in flags ${n([...adult].filter((id) => moviesSeen.has(id)).length)} of the played movies adult)`,
  );
  console.log('');
  console.log(`/recommend for ${n(served.calls)} users (600 ms deadline, 4 at a time):`);
  console.log(
    `  valid answers in time      ${n(served.valid)} / ${n(served.calls)} (${pct(served.valid, served.calls)}); status 200: ${n(served.status200)}, no answer in time: ${n(served.timedOut)}, empty lists: ${n(served.empty)}`,
  );
  console.log(
    `  latency                    p50 ${ms(served.p50Ms)}, p99 ${ms(served.p99Ms)}, max ${ms(served.maxMs)}`,
  );
  const personalOf = (users: (id: string) => boolean) => {
    const group = answers.filter((a) => users(a.userId));
    return `${n(group.filter((a) => a.userVectorVersion !== null).length)} / ${n(group.length)}`;
  };
  console.log(
    `  personalized               ${n(served.personalized)} / ${n(served.calls)} (${pct(served.personalized, served.calls)}); users with history ${personalOf((id) => history.has(id))}, new users ${personalOf((id) => !history.has(id))}`,
  );
  console.log(
    `  already seen               ${n(served.seenSlots)} of ${n(served.slots)} slots (${pct(served.seenSlots, served.slots)}), in the lists of ${n(served.seenUsers)} users`,
  );
  const counts = eventCounts(play);
  const describe = (a: RecommendAnswer) =>
    `user ${a.userId} (${counts.ratings.get(a.userId) ?? 0} ratings, ${counts.watches.get(a.userId) ?? 0} watches played; ` +
    `${a.userVectorVersion === null ? 'not personal' : 'personal'})`;
  for (const a of answers.filter((x) => x.ids.some((id) => seen.get(x.userId)?.has(id) === true)).slice(0, 5))
    console.log(
      `    e.g. ${describe(a)}: ${a.ids.filter((id) => seen.get(a.userId)?.has(id) === true).join(', ')}`,
    );
  const impersonal = answers.filter((a) => history.has(a.userId) && a.userVectorVersion === null);
  if (impersonal.length > 0)
    console.log(
      `    users with history served an impersonal list: ${impersonal.slice(0, 5).map(describe).join('; ')}`,
    );
  const undescribed = answers
    .filter((a) => (ages.get(a.userId) ?? 99) < 18)
    .flatMap((a) => a.ids.filter((id) => adult.has(id) && !input.catalogue.described.has(id))).length;
  console.log(
    `  adult titles to minors     ${n(served.adultToMinorSlots)} slots, to ${n(served.adultToMinorUsers)} of ${n(calledMinors)} minors called` +
      (served.adultToMinorSlots === 0
        ? ''
        : `; ${n(undescribed)} of those slots hold titles the published model has no metadata for`),
  );
  console.log(
    `  lists with ≥ 10 genres     ${n(served.tenGenreLists)} / ${n(served.lists)} non-empty lists (${pct(served.tenGenreLists, served.lists)})`,
  );

  const relevant = relevantSets(play.heldOut, RELEVANT_AT);
  const byUser = new Map(answers.map((a) => [a.userId, a.ids]));
  // The baselines face the guard the served lists face, with the same published metadata: a user
  // under 18 or of unknown age is shown no adult title and no title the model has no metadata for.
  const policy = defaultAgePolicy;
  const guarded = (userId: string): ReadonlySet<string> | undefined => {
    const minor = effectiveAge(ages.get(userId) ?? null) < policy.adultMinAge;
    return minor ? input.catalogue.described : undefined;
  };
  const popular = (ranking: readonly string[]) => (id: string) => {
    const allowed = guarded(id);
    const kept =
      allowed === undefined
        ? ranking
        : ranking.filter((m) => allowed.has(m) && !input.catalogue.adult.has(m));
    return topUnseen(kept, seen.get(id), K);
  };
  const baselines: [string, (id: string) => readonly string[]][] = [
    ['global popularity', popular(globalPopularity(play.delivered.ratings))],
    ...HALF_LIVES_DAYS.map(
      (h) =>
        [`decayed ${h}d`, popular(decayedPopularityRanking(play.delivered.ratings, play.cutoff, h))] as [
          string,
          (id: string) => readonly string[],
        ],
    ),
  ];
  const ceiling = popular(heldOutFavourites(play.heldOut, RELEVANT_AT));
  const servedList = (id: string) => byUser.get(id) ?? [];
  const called = answers.map((a) => a.userId);
  const groups = [
    ['with history', called.filter((id) => history.has(id))],
    ['new', called.filter((id) => !history.has(id))],
    ['all', called],
  ] as const;
  console.log('');
  console.log(
    `ranking @${K} on the held-out 20 % (${n(play.heldOut.length)} ratings; relevant: rated ≥ ${RELEVANT_AT}; users with at least one;` +
      ` popularity lists guarded as served: no adult or undescribed title to users under ${policy.adultMinAge} or of unknown age):`,
  );
  console.log(
    `  ${'users'.padEnd(34)}${'n'.padStart(6)}${'HR@20'.padStart(9)}${'P@20'.padStart(9)}${'R@20'.padStart(9)}`,
  );
  const row = (label: string, s: RankingScore) =>
    console.log(
      `  ${label.padEnd(34)}${n(s.users).padStart(6)}${f3(s.hitRate).padStart(9)}${f3(s.precision).padStart(9)}${f3(s.recall).padStart(9)}`,
    );
  let verdict: Verdict | undefined;
  for (const [name, users] of groups) {
    const served = scoreLists(users, servedList, relevant, K);
    row(`${name}: served`, served);
    const base = baselines.map(([label, list]) => ({
      label,
      list,
      score: scoreLists(users, list, relevant, K),
    }));
    for (const b of base) row(`${name}: ${b.label}`, b.score);
    const top = scoreLists(users, ceiling, relevant, K);
    row(`${name}: one-list ceiling*`, top);
    const [global, ...decayed] = base as [(typeof base)[number], ...typeof base];
    const best = decayed.reduce((x, y) => (y.score.precision > x.score.precision ? y : x));
    // Paired over the same users: how far each ratio could move with another draw of as many users.
    const interval = (list: (id: string) => readonly string[], pick: (u: UserScore) => number) => {
      const mine = userScores(users, servedList, relevant, K);
      const theirs = userScores(users, list, relevant, K);
      const ci = pairedRatioInterval(mine.map(pick), theirs.map(pick));
      return `[${ci.low.toFixed(2)}, ${ci.high.toFixed(2)}]`;
    };
    console.log(
      `  ${''.padEnd(34)}served ÷ global: P ${ratio(served.precision, global.score.precision)} ${interval(global.list, (u) => u.precision)}, ` +
        `R ${ratio(served.recall, global.score.recall)} ${interval(global.list, (u) => u.recall)}, HR ${ratio(served.hitRate, global.score.hitRate)}`,
    );
    console.log(
      `  ${''.padEnd(34)}served ÷ best decayed (${best.label}): P ${ratio(served.precision, best.score.precision)} ${interval(best.list, (u) => u.precision)}, ` +
        `R ${ratio(served.recall, best.score.recall)} ${interval(best.list, (u) => u.recall)}, HR ${ratio(served.hitRate, best.score.hitRate)} ${interval(best.list, (u) => u.hit)}`,
    );
    console.log(
      `  ${''.padEnd(34)}one-list ceiling ÷ global: P ${ratio(top.precision, global.score.precision)}, R ${ratio(top.recall, global.score.recall)}, HR ${ratio(top.hitRate, global.score.hitRate)}`,
    );
    if (name === 'all') verdict = { served, global: global.score, best: best.score, bestLabel: best.label };
  }
  console.log('  (brackets: 95 % paired bootstrap intervals over the judged users, 2,000 resamples, seed 1)');
  console.log(
    "  (* one-list ceiling: the held-out period's own most-liked titles, guarded as served — it peeks at the",
  );
  console.log(
    '     future, so no list that is the same for every user does much better; new users can only get such lists)',
  );

  console.log('');
  console.log('targets (issue 12):');
  console.log(`  ≥ 99 % valid within 600 ms: ${mark(served.valid >= 0.99 * served.calls)}`);
  console.log(`  0 already-seen titles: ${mark(served.seenSlots === 0)}`);
  console.log(`  0 adult titles to minors: ${mark(served.adultToMinorSlots === 0)}`);
  console.log(
    `  ≥ 10 genres per list (where the allowed catalogue has them): ${pct(served.tenGenreLists, served.lists)} of lists`,
  );
  if (verdict !== undefined) {
    const { served: s, global: g, best: d, bestLabel } = verdict;
    console.log(
      `  P@20 and R@20 ≥ 1.5× global popularity's: ${mark(s.precision >= 1.5 * g.precision && s.recall >= 1.5 * g.recall)} (P ${ratio(s.precision, g.precision)}, R ${ratio(s.recall, g.recall)})`,
    );
    console.log(
      `  P@20 and R@20 not below the best decayed popularity's (${bestLabel}): ${mark(s.precision >= d.precision && s.recall >= d.recall)}; HR@20 not below: ${mark(s.hitRate >= d.hitRate)}`,
    );
  }
}

/** The all-users comparison the targets read. */
interface Verdict {
  readonly served: RankingScore;
  readonly global: RankingScore;
  readonly best: RankingScore;
  readonly bestLabel: string;
}

/** Ratings and watches that reached the stream, per user. */
function eventCounts(play: CoursePlay): { ratings: Map<string, number>; watches: Map<string, number> } {
  const tally = (records: readonly { userId: string }[]) => {
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.userId, (counts.get(r.userId) ?? 0) + 1);
    return counts;
  };
  return { ratings: tally(play.delivered.ratings), watches: tally(play.delivered.watches) };
}
