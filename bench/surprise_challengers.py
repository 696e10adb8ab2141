"""Fits Surprise's versions of the challengers on a split written by bench/challengers.bench.ts --export.

usage: surprise_challengers.py FOLD_DIR MIN_RATING MAX_RATING [NAME ...]
FOLD_DIR holds train.csv and test.csv (`user,item,rating`). Prints one line per algorithm with the
same columns as the TypeScript bench; only the fit is timed. Defaults are Surprise's, except that
KNNBaseline uses item-based pearson_baseline similarity, as Marquee's knn-baseline does.
"""
import csv
import os
import sys
import time

from surprise import NMF, SVD, BaselineOnly, Dataset, KNNBaseline, Reader, SVDpp, accuracy
from surprise import AlgoBase


class GlobalMean(AlgoBase):
    """Predicts the training mean for everyone."""

    def estimate(self, u, i):
        return self.trainset.global_mean


ALGORITHMS = {
    "global-mean": lambda: GlobalMean(),
    "baseline": lambda: BaselineOnly(verbose=False),
    "knn-baseline": lambda: KNNBaseline(sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False),
    "nmf": lambda: NMF(random_state=1),
    "svd++": lambda: SVDpp(random_state=1),
    "svd": lambda: SVD(random_state=1),
}


def main() -> None:
    fold_dir, low, high = sys.argv[1:4]
    names = sys.argv[4:] or list(ALGORITHMS)
    reader = Reader(line_format="user item rating", sep=",", rating_scale=(float(low), float(high)))
    trainset = Dataset.load_from_file(os.path.join(fold_dir, "train.csv"), reader).build_full_trainset()
    with open(os.path.join(fold_dir, "test.csv"), newline="") as f:
        testset = [(u, i, float(r)) for u, i, r in csv.reader(f)]
    for name in names:
        algo = ALGORITHMS[name]()
        start = time.perf_counter()
        algo.fit(trainset)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        predictions = algo.test(testset)
        test_seconds = time.perf_counter() - start
        rmse = accuracy.rmse(predictions, verbose=False)
        mae = accuracy.mae(predictions, verbose=False)
        print(f"{name:<13} RMSE {rmse:.4f}  MAE {mae:.4f}  fit {fit_seconds:.2f} s  test {test_seconds:.2f} s  (Surprise)", flush=True)


if __name__ == "__main__":
    main()
