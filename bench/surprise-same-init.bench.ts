/**
 * Exact cross-check against Surprise: trains SVD++ and NMF on fold 1 of the seeded split with their
 * default seeds, and writes the initial factors they start from and their test predictions to DIR:
 *   npx tsx bench/challengers.bench.ts --export DIR --only global-mean
 *   npx tsx bench/surprise-same-init.bench.ts DIR
 *   python bench/surprise_same_init.py DIR     # needs scikit-surprise
 * The Python side starts Surprise from the same factors; the predictions must agree to rounding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMovieLens } from '../src/data/movielens.ts';
import { buildRatingSet } from '../src/model/ratings/build-rating-set.ts';
import { fitNmf, NMF_DEFAULTS } from '../src/model/algorithms/nmf.ts';
import { createRandom, fillNormal, fillUniform } from '../src/lib/random.ts';
import { kFoldSplits } from '../src/model/eval/splits.ts';
import { fitSvdpp, SVDPP_DEFAULTS } from '../src/model/algorithms/svdpp.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: surprise-same-init.bench.ts DIR (the directory given to --export)');
const data = process.argv[3] ?? new URL('../../shared/data/ml-latest-small', import.meta.url).pathname;
const set = buildRatingSet((await loadMovieLens(data)).ratings);
const fold = kFoldSplits(set, 5, 1)[0];
if (!fold) throw new Error('no fold');
const { train, test } = fold;

// The same draws, in the same order, as fitSvdpp and fitNmf make (p_u, q_i, then y_j).
const svdppInit = [train.nUsers, train.nItems, train.nItems].map(
  (n) => new Float64Array(n * SVDPP_DEFAULTS.factors),
);
const svdppRandom = createRandom(SVDPP_DEFAULTS.seed);
for (const a of svdppInit) fillNormal(a, svdppRandom, SVDPP_DEFAULTS.initMean, SVDPP_DEFAULTS.initStd);
const nmfInit = [train.nUsers, train.nItems].map((n) => new Float64Array(n * NMF_DEFAULTS.factors));
const nmfRandom = createRandom(NMF_DEFAULTS.seed);
for (const a of nmfInit) fillUniform(a, nmfRandom, NMF_DEFAULTS.initLow, NMF_DEFAULTS.initHigh);
svdppInit.forEach((a, k) => writeFileSync(join(out, `svdpp-init-${k}.f64`), a));
nmfInit.forEach((a, k) => writeFileSync(join(out, `nmf-init-${k}.f64`), a));

const svdppModel = fitSvdpp(train, SVDPP_DEFAULTS);
const nmfModel = fitNmf(train, NMF_DEFAULTS);
const lines = [`${train.nUsers},${train.nItems},${SVDPP_DEFAULTS.factors},${NMF_DEFAULTS.factors}`];
for (let k = 0; k < test.ratings.length; k++) {
  const u = test.users[k] as number;
  const i = test.items[k] as number;
  lines.push(`${u},${i},${svdppModel.predict(u, i)},${nmfModel.predict(u, i)}`);
}
writeFileSync(join(out, 'same-init-predictions.csv'), `${lines.join('\n')}\n`);
console.log(`wrote initial factors and ${test.ratings.length} predictions to ${out}`);
