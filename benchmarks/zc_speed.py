"""Zero-cost proxy throughput: proxies per second for each proxy (JSON on stdout).

For each proxy, scores ``--cells`` seeded random NB201 cells (full C=16, N=5 network, one fixed
mini-batch) and reports cells per second, i.e. proxy evaluations per second, including building
the network. CPU by default; ``--device cuda`` on a GPU machine.

    .venv/bin/python benchmarks/zc_speed.py --cells 10 --batch 32 --threads 1
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proxies", default="all")
    parser.add_argument("--cells", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    from nasbench_suite.bench.store import open_store
    from nasbench_suite.proxies import parse_proxy_list
    from nasbench_suite.proxies.scorer import score_cells

    torch.set_num_threads(args.threads)
    store = open_store()
    cells = [
        int(i) for i in np.random.default_rng(args.seed).choice(15625, args.cells, replace=False)
    ]
    score_cells(
        cells[:1],
        ["params"],
        dataset=args.dataset,
        device=args.device,
        batch=args.batch,
        store=store,
    )  # warm-up: imports, data, allocator
    result = {}
    for proxy in parse_proxy_list(args.proxies):
        start = time.perf_counter()
        rows = score_cells(
            cells,
            [proxy],
            dataset=args.dataset,
            seed=args.seed,
            device=args.device,
            batch=args.batch,
            store=store,
        )
        elapsed = time.perf_counter() - start
        times = [r["time_s"] for r in rows.values()]
        result[proxy] = {
            "proxies_per_s": round(len(cells) / elapsed, 3),
            "median_s": round(float(np.median(times)), 4),
        }
        print(proxy, result[proxy], file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "device": args.device,
                "threads": args.threads,
                "batch": args.batch,
                "cells": args.cells,
                "dataset": args.dataset,
                "torch": torch.__version__,
                "machine": platform.processor() or platform.machine(),
                "proxies": result,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
