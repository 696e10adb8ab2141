/**
 * The fairness audit's arithmetic, pure: served lists in, guardrail violations and per-group
 * metrics out (docs/fairness.md). The job (audit-job.ts) reads Postgres and feeds it list by list,
 * so a long window is never held in memory; only the per-group sums are.
 */
import type { Certification } from '../../data/dataset.ts';
import { ageClass, classAges, mayWatch, type AgePolicy } from '../../guardrails/age-policy.ts';
import { cohortOf } from '../../store/popular-lists.ts';

/** What the audit knows of a title (Postgres `movies`, plus its rating count in the log). */
export interface AuditMovie {
  readonly genres: readonly string[];
  readonly certification: Certification | null;
  readonly adult: boolean;
  /** Ratings of the title in the log: its popularity. */
  readonly popularity: number;
  /** Whether the title is in the popular head (the top `headShare` of the catalogue by popularity). */
  readonly head: boolean;
}

/** What the audit knows of a user (Postgres `users`); unknown fields are null. */
export interface AuditUser {
  readonly age: number | null;
  readonly gender: string | null;
}

/** One served list as the audit reads it. */
export interface AuditList {
  readonly userId: string;
  readonly items: readonly string[];
  /** Epoch ms. */
  readonly servedAt: number;
}

/** The thresholds beyond which a gap between groups is a finding (docs/fairness.md). */
export interface DisparityThresholds {
  /** Groups with fewer lists are reported but not compared. */
  readonly minLists: number;
  /** Largest gap in mean distinct genres per list. */
  readonly genresGap: number;
  /** Largest ratio of mean recommended popularity, highest group over lowest. */
  readonly popularityRatio: number;
  /** Largest gap in the share of recommended slots on the popular head. */
  readonly headShareGap: number;
  /** Largest gap in genre miscalibration (KL divergence, nats) against the group's history. */
  readonly calibrationGap: number;
  /** Smallest ratio of hit rates, lowest group over highest (the four-fifths rule). */
  readonly hitRateRatio: number;
}

/** Options of an audit: the policy the guard serves with, and the thresholds. */
export interface AuditOptions {
  readonly agePolicy: AgePolicy;
  /** Distinct genres a full list must reach (scaled for shorter lists as the serving does). */
  readonly minGenres: number;
  readonly listSize: number;
  /** A later watch or rating of a listed title within this long counts as a hit, ms. */
  readonly hitHorizonMs: number;
  readonly thresholds: DisparityThresholds;
}

/** Defaults: the serving's 10 genres in 20, hits within 7 days, the thresholds of docs/fairness.md. */
export const defaultDisparityThresholds: DisparityThresholds = {
  minLists: 20,
  genresGap: 1,
  popularityRatio: 1.5,
  headShareGap: 0.1,
  calibrationGap: 0.15,
  hitRateRatio: 0.8,
};

/** Steck's smoothing of the list's genre mix towards the history (so the KL stays finite). */
export const CALIBRATION_ALPHA = 0.01;

/** The protected attributes the audit groups by. */
export type Attribute = 'age' | 'gender';

/** A group's age band (the cold-start cohorts' bands, which follow the age policy) or 'unknown'. */
export function ageBand(age: number | null): string {
  if (age === null) return 'unknown';
  return cohortOf(age, 'x').split(':')[0] as string;
}

/** A group's gender label. */
export function genderGroup(gender: string | null): string {
  return gender === 'M' || gender === 'F' ? gender : 'unknown';
}

/** A genre distribution: genre → weight (multi-genre titles split evenly, Steck 2018). */
export type GenreMix = Map<string, number>;

/** Adds a title's genres to a mix, each 1/|genres|. */
export function addGenres(mix: GenreMix, genres: readonly string[], weight = 1): void {
  if (genres.length === 0) return;
  for (const g of genres) mix.set(g, (mix.get(g) ?? 0) + weight / genres.length);
}

/**
 * Miscalibration C_KL(p‖q̃) = Σ_g p(g)·log(p(g)/q̃(g)), q̃ = (1 − α)·q + α·p (Steck 2018), of a list's
 * genre mix `q` against a history's `p` (both unnormalised). 0 when either is empty.
 */
export function miscalibration(history: GenreMix, list: GenreMix, alpha = CALIBRATION_ALPHA): number {
  const sum = (m: GenreMix) => [...m.values()].reduce((s, w) => s + w, 0);
  const [ph, ql] = [sum(history), sum(list)];
  if (ph <= 0 || ql <= 0) return 0;
  let kl = 0;
  for (const [g, w] of history) {
    const p = w / ph;
    if (p <= 0) continue;
    const q = (1 - alpha) * ((list.get(g) ?? 0) / ql) + alpha * p;
    kl += p * Math.log(p / q);
  }
  return kl;
}

/** One list that broke a guardrail, for the report (the first ones only). */
export interface ViolationExample {
  readonly userId: string;
  readonly age: number | null;
  readonly servedAt: number;
  readonly kind: 'age' | 'genres';
  readonly detail: string;
}

/** Guardrail violations over the window: "N violations in M recommendations". */
export interface ViolationCounts {
  /** Served lists read. */
  readonly lists: number;
  /** Titles in them. */
  readonly items: number;
  /** Titles shown to a user younger than their certification or adult flag allows. */
  readonly ageViolations: number;
  /** Lists holding at least one such title. */
  readonly listsWithAgeViolations: number;
  /** Lists short of the genre target although the titles their user may see had enough genres. */
  readonly genreViolations: number;
  /** age + genre violations. */
  readonly total: number;
  /** Titles the audit could not check (no metadata in `movies`). */
  readonly uncheckedItems: number;
  /** Lists to users whose age is unknown (checked as the youngest, as the guard serves them). */
  readonly unknownAgeLists: number;
  readonly examples: readonly ViolationExample[];
}

/** One group's metrics. */
export interface GroupMetrics {
  readonly attribute: Attribute;
  readonly group: string;
  readonly lists: number;
  readonly users: number;
  /** Mean distinct genres per list. */
  readonly genresPerList: number;
  /** Mean popularity (ratings in the log) of recommended titles. */
  readonly avgPopularity: number;
  /** Share of recommended slots on the popular head. */
  readonly headShare: number;
  /** KL(group's history genre mix ‖ its recommendations' mix), nats; null without history. */
  readonly calibration: number | null;
  /** Share of lists with a later watch or rating of one of their titles within the horizon. */
  readonly hitRate: number;
  /** Lists with such a hit. */
  readonly hits: number;
  readonly violations: number;
}

/** A comparison of one metric across the groups of one attribute. */
export interface Disparity {
  readonly attribute: Attribute;
  readonly metric: 'genresPerList' | 'avgPopularity' | 'headShare' | 'calibration' | 'hitRate';
  /** 'gap' (max − min) or 'ratio' (max/min for popularity, min/max for hit rate). */
  readonly measure: 'gap' | 'ratio';
  readonly value: number;
  readonly threshold: number;
  readonly passed: boolean;
  readonly lowest: string;
  readonly highest: string;
  /**
   * For hit rates (one outcome per list): the two-sided p-value of a two-proportion z-test between
   * the lowest and the highest group — how often chance alone would give a gap this large.
   */
  readonly pValue?: number;
}

/** The audit's result. */
export interface AuditResult {
  readonly violations: ViolationCounts;
  readonly groups: readonly GroupMetrics[];
  readonly disparities: readonly Disparity[];
}

interface GroupSums {
  lists: number;
  users: Set<string>;
  genres: number;
  items: number;
  popularity: number;
  head: number;
  hits: number;
  violations: number;
  recommended: GenreMix;
  history: GenreMix;
}

const newSums = (): GroupSums => ({
  lists: 0,
  users: new Set(),
  genres: 0,
  items: 0,
  popularity: 0,
  head: 0,
  hits: 0,
  violations: 0,
  recommended: new Map(),
  history: new Map(),
});

/** Where the audit looks things up; all in memory, loaded by the job. */
export interface AuditLookups {
  movie(movieId: string): AuditMovie | undefined;
  user(userId: string): AuditUser | undefined;
  /** The user's genre mix from their history (ratings and watches); undefined without any. */
  history(userId: string): GenreMix | undefined;
  /** When the user first watched or rated the title after `after` (epoch ms), if they did. */
  laterInteraction(userId: string, movieId: string, after: number): number | undefined;
  /** Distinct genres among the titles a user of this age may see (the allowed catalogue). */
  allowedGenres(age: number | null): number;
}

/** At most this many violating lists are kept as examples. */
const EXAMPLES = 20;

/** Accumulates served lists into an {@link AuditResult}. */
export class AuditAccumulator {
  private readonly groups = new Map<string, GroupSums>();
  private readonly examples: ViolationExample[] = [];
  private counts = {
    lists: 0,
    items: 0,
    ageViolations: 0,
    listsWithAgeViolations: 0,
    genreViolations: 0,
    uncheckedItems: 0,
    unknownAgeLists: 0,
  };

  constructor(
    private readonly lookups: AuditLookups,
    private readonly options: AuditOptions,
  ) {}

  /** Adds one served list. */
  add(list: AuditList): void {
    const { lookups, options } = this;
    const user = lookups.user(list.userId);
    const age = user?.age ?? null;
    const genres = new Set<string>();
    const mix: GenreMix = new Map();
    let above = 0;
    let popularity = 0;
    let head = 0;
    let known = 0;
    let hit = false;
    const aboveTitles: string[] = [];
    for (const id of list.items) {
      const movie = lookups.movie(id);
      const later = lookups.laterInteraction(list.userId, id, list.servedAt);
      if (later !== undefined && later <= list.servedAt + options.hitHorizonMs) hit = true;
      if (movie === undefined) {
        this.counts.uncheckedItems++;
        continue;
      }
      known++;
      for (const g of movie.genres) genres.add(g);
      addGenres(mix, movie.genres);
      popularity += movie.popularity;
      if (movie.head) head++;
      if (!mayWatch(options.agePolicy, age, movie)) {
        above++;
        if (aboveTitles.length < 3)
          aboveTitles.push(`${id} (${movie.adult ? 'adult' : movie.certification})`);
      }
    }
    const n = list.items.length;
    const required = Math.min(
      options.minGenres,
      Math.ceil((options.minGenres * n) / options.listSize),
      lookups.allowedGenres(age),
    );
    // A list the audit cannot fully see (titles without metadata) is not judged on its genres.
    const genreShort = known === n && genres.size < required;
    this.counts.lists++;
    this.counts.items += n;
    if (age === null) this.counts.unknownAgeLists++;
    if (above > 0) {
      this.counts.ageViolations += above;
      this.counts.listsWithAgeViolations++;
      this.example({ kind: 'age', detail: aboveTitles.join(', '), list, age });
    }
    if (genreShort) {
      this.counts.genreViolations++;
      this.example({ kind: 'genres', detail: `${genres.size} genres, ${required} required`, list, age });
    }
    const history = lookups.history(list.userId);
    for (const key of [`age:${ageBand(age)}`, `gender:${genderGroup(user?.gender ?? null)}`]) {
      let sums = this.groups.get(key);
      if (sums === undefined) this.groups.set(key, (sums = newSums()));
      sums.lists++;
      if (!sums.users.has(list.userId)) {
        sums.users.add(list.userId);
        // The group's history counts each user once, however many lists they were served.
        if (history !== undefined)
          for (const [g, w] of history) sums.history.set(g, (sums.history.get(g) ?? 0) + w);
      }
      sums.genres += genres.size;
      sums.items += known;
      sums.popularity += popularity;
      sums.head += head;
      if (hit) sums.hits++;
      sums.violations += above + (genreShort ? 1 : 0);
      for (const [g, w] of mix) sums.recommended.set(g, (sums.recommended.get(g) ?? 0) + w);
    }
  }

  private example(e: { kind: 'age' | 'genres'; detail: string; list: AuditList; age: number | null }): void {
    if (this.examples.length >= EXAMPLES) return;
    this.examples.push({
      userId: e.list.userId,
      age: e.age,
      servedAt: e.list.servedAt,
      kind: e.kind,
      detail: e.detail,
    });
  }

  /** The result over every list added so far. */
  result(): AuditResult {
    const groups: GroupMetrics[] = [...this.groups]
      .map(([key, s]) => {
        const [attribute, group] = key.split(/:(.*)/s) as [Attribute, string];
        return {
          attribute,
          group,
          lists: s.lists,
          users: s.users.size,
          genresPerList: s.lists === 0 ? 0 : s.genres / s.lists,
          avgPopularity: s.items === 0 ? 0 : s.popularity / s.items,
          headShare: s.items === 0 ? 0 : s.head / s.items,
          calibration: s.history.size === 0 ? null : miscalibration(s.history, s.recommended),
          hitRate: s.lists === 0 ? 0 : s.hits / s.lists,
          hits: s.hits,
          violations: s.violations,
        };
      })
      .sort((a, b) => a.attribute.localeCompare(b.attribute) || a.group.localeCompare(b.group));
    const c = this.counts;
    return {
      violations: { ...c, total: c.ageViolations + c.genreViolations, examples: [...this.examples] },
      groups,
      disparities: disparities(groups, this.options.thresholds),
    };
  }
}

/**
 * Compares each metric across the groups of each attribute that have at least `minLists` lists
 * (the 'unknown' group is reported but never compared: it is no protected group).
 */
export function disparities(groups: readonly GroupMetrics[], t: DisparityThresholds): Disparity[] {
  const out: Disparity[] = [];
  for (const attribute of ['age', 'gender'] as const) {
    const compared = groups.filter(
      (g) => g.attribute === attribute && g.group !== 'unknown' && g.lists >= t.minLists,
    );
    if (compared.length < 2) continue;
    const spread = (metric: Disparity['metric'], value: (g: GroupMetrics) => number | null) => {
      const known = compared.flatMap((g) => {
        const v = value(g);
        return v === null ? [] : [{ g, v }];
      });
      if (known.length < 2) return null;
      known.sort((a, b) => a.v - b.v);
      const low = known[0] as { g: GroupMetrics; v: number };
      const high = known[known.length - 1] as { g: GroupMetrics; v: number };
      return { metric, low, high };
    };
    const gap = (
      metric: Disparity['metric'],
      value: (g: GroupMetrics) => number | null,
      threshold: number,
    ) => {
      const s = spread(metric, value);
      if (s === null) return;
      const v = s.high.v - s.low.v;
      out.push({
        attribute,
        metric,
        measure: 'gap',
        value: v,
        threshold,
        passed: v <= threshold,
        lowest: s.low.g.group,
        highest: s.high.g.group,
      });
    };
    gap('genresPerList', (g) => g.genresPerList, t.genresGap);
    const pop = spread('avgPopularity', (g) => g.avgPopularity);
    if (pop !== null) {
      const v = pop.low.v > 0 ? pop.high.v / pop.low.v : pop.high.v > 0 ? Infinity : 1;
      out.push({
        attribute,
        metric: 'avgPopularity',
        measure: 'ratio',
        value: v,
        threshold: t.popularityRatio,
        passed: v <= t.popularityRatio,
        lowest: pop.low.g.group,
        highest: pop.high.g.group,
      });
    }
    gap('headShare', (g) => g.headShare, t.headShareGap);
    gap('calibration', (g) => g.calibration, t.calibrationGap);
    const hits = spread('hitRate', (g) => g.hitRate);
    // Without a hit in any group there is nothing to compare: no comparison, rather than a pass by zeros.
    if (hits !== null && hits.high.v > 0) {
      const v = hits.low.v / hits.high.v;
      out.push({
        attribute,
        metric: 'hitRate',
        measure: 'ratio',
        value: v,
        threshold: t.hitRateRatio,
        passed: v >= t.hitRateRatio,
        lowest: hits.low.g.group,
        highest: hits.high.g.group,
        pValue: twoProportionPValue(hits.low.g.hits, hits.low.g.lists, hits.high.g.hits, hits.high.g.lists),
      });
    }
  }
  return out;
}

/**
 * Two-sided p-value of the two-proportion z-test (pooled variance) of x1 successes in n1 against x2
 * in n2; 1 when there is no variance to test.
 */
export function twoProportionPValue(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return 1;
  return erfc(Math.abs(x2 / n2 - x1 / n1) / se / Math.SQRT2);
}

/** The complementary error function (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

/**
 * Distinct genres among the titles each age class may see, for {@link AuditLookups.allowedGenres}:
 * a list is held to the genre target only as far as its user's allowed catalogue reaches.
 */
export function allowedGenresByAge(
  policy: AgePolicy,
  movies: Iterable<{
    readonly genres: readonly string[];
    readonly certification: Certification | null;
    readonly adult: boolean;
  }>,
): (age: number | null) => number {
  const ages = classAges(policy);
  const sets = ages.map(() => new Set<string>());
  for (const m of movies)
    ages.forEach((a, k) => {
      if (mayWatch(policy, a, m)) for (const g of m.genres) (sets[k] as Set<string>).add(g);
    });
  return (age) => (sets[ageClass(policy, age)] as Set<string>).size;
}
