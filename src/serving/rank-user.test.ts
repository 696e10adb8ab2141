import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { spans } from '../../otel/names.ts';
import { startTracing } from '../../otel/tracing.ts';
import { CERTIFICATIONS } from '../data/dataset.ts';
import { mayWatch } from '../guardrails/age-policy.ts';
import { BLEND_DEFAULTS, preparePopularity } from '../model/ranking/blend.ts';
import { svdToArtifact } from '../model/svd-artifact.ts';
import { randomSvdModel } from '../../test/support/random-svd-model.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { rankUser, type RankStream } from './rank-user.ts';
import { buildServingModel } from './serving-model.ts';

const exporter = new InMemorySpanExporter();
const stopTracing = startTracing({ role: 'test', exporter });
afterAll(() => stopTracing());

const GENRES = Array.from({ length: 14 }, (_, g) => `genre${g}`);
const movieArb = fc.record({
  genres: fc.uniqueArray(fc.constantFrom(...GENRES), { minLength: 0, maxLength: 3 }),
  certification: fc.constantFrom(null, ...CERTIFICATIONS),
  adult: fc.boolean(),
});

function servingFor(
  movies: { genres: string[]; certification: (typeof CERTIFICATIONS)[number] | null; adult: boolean }[],
  k: number,
  seed: number,
) {
  const model = randomSvdModel({
    items: movies.length,
    factors: k,
    seed,
    factorStd: 0.5,
    itemBiasStd: 0,
    itemCount: (i) => 1 + ((i * 7919) % 101),
  });
  const { userFactors } = model.data;
  const records = movies.map((m, i) => ({ ...m, movieId: `m${i}`, title: `Movie ${i}` }));
  return { serving: buildServingModel('v1', svdToArtifact(model), records, settings), records, userFactors };
}

const modelAlone: RankStream = { weights: BLEND_DEFAULTS.weights, popularity: null, cohort: null };

describe('rankUser over random users and catalogues', () => {
  it('never lists a title the age forbids or one already watched, and reaches 10 genres in 20 when the catalogue allows', () => {
    fc.assert(
      fc.property(
        fc.array(movieArb, { minLength: 1, maxLength: 300 }),
        fc.option(fc.integer({ min: 3, max: 90 }), { nil: null }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer(),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.constantFrom('model alone', 'blend', 'cold blend', 'cold alone'),
        (movies, age, k, seed, seenShare, path) => {
          const { serving, records, userFactors } = servingFor(movies, k, seed);
          const seen = records
            .filter((_, i) => ((i * 2654435761) % 1000) / 1000 < seenShare)
            .map((m) => m.movieId);
          const cold = path.startsWith('cold');
          const popularity = path.endsWith('blend')
            ? preparePopularity(records.map((_, i) => (i * 7919) % 97))
            : null;
          const list = rankUser(
            serving,
            settings,
            { vector: cold ? null : userFactors, offset: 0, bias: 0, age, seen },
            20,
            {
              weights: cold ? BLEND_DEFAULTS.coldWeights : BLEND_DEFAULTS.weights,
              popularity,
              cohort: popularity,
            },
          );
          const ids = list.items.map((i) => records[i]?.movieId);
          expect(new Set(ids).size).toBe(ids.length);
          for (const i of list.items) {
            const movie = records[i] as (typeof records)[number];
            expect(mayWatch(settings.agePolicy, age, movie)).toBe(true);
            expect(seen).not.toContain(movie.movieId);
          }
          const allowed = records.filter(
            (m) => mayWatch(settings.agePolicy, age, m) && !seen.includes(m.movieId),
          );
          expect(list.items.length).toBe(Math.min(20, allowed.length));
          const catalogueGenres = new Set(allowed.flatMap((m) => m.genres));
          const listGenres = new Set(list.items.flatMap((i) => records[i]?.genres ?? []));
          if (allowed.length >= 20)
            expect(listGenres.size).toBeGreaterThanOrEqual(Math.min(10, catalogueGenres.size));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('traces scoring, guarding and diversifying as spans named in otel/', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    exporter.reset();
    const { serving, userFactors } = servingFor(
      Array.from({ length: 50 }, (_, i) => ({
        genres: [GENRES[i % 14] as string],
        certification: 'G' as const,
        adult: false,
      })),
      8,
      3,
    );
    rankUser(
      serving,
      settings,
      { vector: userFactors, offset: 0, bias: 0, age: 30, seen: [] },
      20,
      modelAlone,
    );
    await vi.waitFor(() => expect(exporter.getFinishedSpans().length).toBeGreaterThanOrEqual(3));
    expect(
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .slice(-3),
    ).toEqual([spans.apiScore, spans.apiGuard, spans.apiDiversify]);
  });
});
