"""Fits Surprise's SVD on one train/test fold written by bench/train.bench.ts and prints one JSON line.

usage: surprise_svd.py TRAIN_CSV TEST_CSV MIN_RATING MAX_RATING PARAMS_JSON [REPEATS]
Each CSV line is `user,item,rating`. Only the fit is timed, as in the TypeScript side; with REPEATS > 1 the fit is repeated (same
random_state, so the same model) and the median time reported, as the machine is noisy.
"""
import csv
import json
import statistics
import sys
import time

from surprise import SVD, Dataset, Reader, accuracy


def main() -> None:
    train_path, test_path, low, high, params_json = sys.argv[1:6]
    reader = Reader(line_format="user item rating", sep=",", rating_scale=(float(low), float(high)))
    trainset = Dataset.load_from_file(train_path, reader).build_full_trainset()
    with open(test_path, newline="") as f:
        testset = [(u, i, float(r)) for u, i, r in csv.reader(f)]
    repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    times = []
    for _ in range(repeats):
        algo = SVD(**json.loads(params_json))
        start = time.perf_counter()
        algo.fit(trainset)
        times.append(time.perf_counter() - start)
    fit_seconds = statistics.median(times)
    predictions = algo.test(testset)
    print(
        json.dumps(
            {
                "rmse": accuracy.rmse(predictions, verbose=False),
                "mae": accuracy.mae(predictions, verbose=False),
                "fitSeconds": fit_seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
