"""NAS-Bench-Macro performance: store build and load, single evaluate, vectorised lookups.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/macro_bench.py [--store DIR]``.
Targets (issue 11, part 5): load < 100 ms, one ``evaluate`` < 5 us, vectorised lookups
>= 10 M/s. Timings are the best of several repeats (a shared machine only ever slows a run);
``loadavg_1min`` says how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import timeit
from pathlib import Path

import numpy as np

from nasbench_suite.benchmarks import _macro_store as S
from nasbench_suite.benchmarks.base import create_benchmark

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import best_of


def per_call_us(fn, number: int = 20000, repeat: int = 5) -> float:
    """Best mean microseconds per call over ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="store folder (default: a temp one)")
    parser.add_argument("--n", type=int, default=1_000_000, help="ids per vectorised lookup")
    args = parser.parse_args()
    raw = S.default_raw_dir()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "store"
        t0 = time.perf_counter()
        S.open_store(store, raw)  # builds when absent
        first = time.perf_counter() - t0
        load_s = best_of(lambda: S.open_store(store, raw))
        bench_s = best_of(lambda: create_benchmark("nb-macro", store=store, raw=raw))
        bench = create_benchmark("nb-macro", store=store, raw=raw)
        rng = np.random.default_rng(0)
        ids = [int(i) for i in rng.integers(6561, size=20000)]
        it = iter(ids * 20)
        for i in ids:  # every (id, seed) seen once, as in a long search
            for _ in range(6):
                bench.evaluate(i, rng)
        eval_rng = per_call_us(lambda: bench.evaluate(next(it), rng))
        eval_plain = per_call_us(lambda: bench.evaluate(next(it)))
        eval_str = per_call_us(lambda: bench.evaluate("22212220", rng))
        many = rng.integers(6561, size=args.n)
        test_s = best_of(lambda: bench.test_accuracy(many))
        search_s = best_of(lambda: bench.evaluate_many(many, rng))
        params_s = best_of(lambda: bench.lookup(many, "params"))
        canon_s = best_of(lambda: bench.space.canonical(many))
    out = {
        "benchmark": "nb-macro",
        "store_first_open_s": round(first, 4),
        "store_load_ms": round(load_s * 1e3, 3),
        "create_benchmark_ms": round(bench_s * 1e3, 3),
        "evaluate_us": {"int_id_with_rng": round(eval_rng, 3), "int_id_no_rng": round(eval_plain, 3),
                        "string_with_rng": round(eval_str, 3)},
        "vectorised_per_s": {"test_accuracy": round(args.n / test_s), "evaluate_many": round(args.n / search_s),
                             "lookup_params": round(args.n / params_s), "canonical": round(args.n / canon_s)},
        "n_vectorised": args.n,
        "loadavg_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "targets": {"load_ms": 100, "evaluate_us": 5, "vectorised_per_s": 10_000_000},
    }
    out["meets_targets"] = bool(
        out["store_load_ms"] < 100 and out["create_benchmark_ms"] < 100 and eval_rng < 5
        and min(out["vectorised_per_s"].values()) >= 10_000_000)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
