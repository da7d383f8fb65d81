"""Zero-cost proxy cost: seconds per cell for each proxy on the same cells and batch. JSON.

    .venv/bin/python benchmarks/zc_speed.py [--full] [--device cpu|cuda] [--cells N]

Every proxy scores the same seeded random NB201 cells (full C=16, N=5 network, one fixed
mini-batch of ``--batch`` images, network construction included), on one thread on CPU. Reports
per proxy the seconds per cell (min / median / max over cells), the sum over all 13 proxies, and
the extrapolated time to score all 15,625 cells with every proxy.

No runnable reference: NASLib (the usual reference for these proxies) is not installable from
PyPI, and its scores were cross-checked for agreement, not speed (``benchmarks/zc_crosscheck.py``).
So the figures are absolute, reported with the machine's load average.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import emit, summary

N_CELLS = 15625


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="README settings (5 cells)")
    parser.add_argument("--proxies", default="all")
    parser.add_argument("--cells", type=int, default=None)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_cells = args.cells or (5 if args.full else 2)

    import torch

    from nasbench_suite.bench.store import open_store
    from nasbench_suite.proxies import parse_proxy_list
    from nasbench_suite.proxies.scorer import score_cells

    torch.set_num_threads(args.threads)
    store = open_store()
    rng = np.random.default_rng(args.seed)
    cells = [int(i) for i in rng.choice(N_CELLS, n_cells, replace=False)]
    common = {"dataset": args.dataset, "device": args.device, "batch": args.batch, "store": store}
    score_cells(cells[:1], ["params"], **common)  # warm-up: imports, data, allocator
    per_proxy, per_cell_total = {}, np.zeros(n_cells)
    for proxy in parse_proxy_list(args.proxies):
        rows = score_cells(cells, [proxy], seed=args.seed, **common)
        times = np.array([rows[c]["time_s"] for c in cells], dtype=float)
        per_cell_total += times
        per_proxy[proxy] = summary(times, digits=4)
        print(proxy, per_proxy[proxy], file=sys.stderr, flush=True)
    median_all = float(np.median(per_cell_total))
    emit({
        "mode": "full" if args.full else "quick", "device": args.device,
        "threads": args.threads, "batch": args.batch, "cells": n_cells,
        "dataset": args.dataset, "torch": torch.__version__,
        "s_per_cell": per_proxy,
        "all_proxies_s_per_cell": summary(per_cell_total, digits=3),
        "extrapolated_all_cells_all_proxies_h": round(median_all * N_CELLS / 3600, 1),
        "reference": "none runnable here (NASLib is not on PyPI); absolute figures",
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
