"""Starts Surprise's SVDpp and NMF from the factors bench/surprise-same-init.bench.ts wrote, and
prints the largest difference between their test predictions and Marquee's.

usage: surprise_same_init.py DIR
DIR holds fold-1/{train,test}.csv (from challengers.bench.ts --export), *-init-*.f64 and
same-init-predictions.csv. Surprise's inner ids follow first appearance in train.csv, so the dense
rows are permuted to them through to_raw_uid / to_raw_iid.
"""
import csv
import os
import sys

import numpy as np
from surprise import NMF, Dataset, Reader, SVDpp


class FixedDraws(np.random.RandomState):
    """A RandomState whose normal()/uniform() calls return prepared arrays, in order."""

    def __init__(self, arrays):
        super().__init__(0)
        self.arrays = list(arrays)

    def normal(self, *args, **kwargs):
        return self.arrays.pop(0)

    def uniform(self, *args, **kwargs):
        return self.arrays.pop(0)


def main() -> None:
    out = sys.argv[1]
    reader = Reader(line_format="user item rating", sep=",", rating_scale=(0.5, 5))
    trainset = Dataset.load_from_file(os.path.join(out, "fold-1", "train.csv"), reader).build_full_trainset()
    with open(os.path.join(out, "same-init-predictions.csv"), newline="") as f:
        rows = list(csv.reader(f))
    n_users, n_items, k_svdpp, k_nmf = (int(x) for x in rows[0])

    def load(name, n_rows, k, inner_count, to_raw):
        dense = np.fromfile(os.path.join(out, name), dtype=np.float64).reshape(n_rows, k)
        return np.ascontiguousarray(dense[[int(to_raw(x)) for x in range(inner_count)]])

    users = (n_users, trainset.n_users, trainset.to_raw_uid)
    items = (n_items, trainset.n_items, trainset.to_raw_iid)
    svdpp_init = [
        load("svdpp-init-0.f64", users[0], k_svdpp, users[1], users[2]),
        load("svdpp-init-1.f64", items[0], k_svdpp, items[1], items[2]),
        load("svdpp-init-2.f64", items[0], k_svdpp, items[1], items[2]),
    ]
    nmf_init = [
        load("nmf-init-0.f64", users[0], k_nmf, users[1], users[2]),
        load("nmf-init-1.f64", items[0], k_nmf, items[1], items[2]),
    ]
    svdpp = SVDpp(random_state=FixedDraws(svdpp_init), cache_ratings=True)
    svdpp.fit(trainset)
    nmf = NMF(random_state=FixedDraws(nmf_init))
    nmf.fit(trainset)
    worst_svdpp = worst_nmf = 0.0
    for u, i, ours_svdpp, ours_nmf in rows[1:]:
        worst_svdpp = max(worst_svdpp, abs(svdpp.predict(u, i).est - float(ours_svdpp)))
        worst_nmf = max(worst_nmf, abs(nmf.predict(u, i).est - float(ours_nmf)))
    print(f"{len(rows) - 1} test predictions; max |Marquee - Surprise|: svd++ {worst_svdpp:.2e}, nmf {worst_nmf:.2e}")


if __name__ == "__main__":
    main()
