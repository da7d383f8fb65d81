"""Speed of the NAS-Bench-301 surrogate benchmark on one thread (targets from issue 12).

Prints one JSON object::

    {"model_load_s", "verify_s", "single_uncached_us": {"median", "p90"},
     "single_cached_us": {"median", "p90"}, "single_uncached_cpu_us": {"median", "p90"},
     "batched_cells_per_s", "batched_cells_per_cpu_s", "batch",
     "onnx_single_run_us", "targets": {...}, "met": {...}, "threads", "cpu_count", "load_avg"}

* ``single_uncached_us``: ``evaluate(id, fidelity=98)`` of ``--n`` fresh random cells (the model
  runs once per call, one intra-op thread).
* ``single_cached_us``: the same calls again (answered from the ``(id, epoch)`` cache).
* ``batched_cells_per_s``: ``evaluate_many`` of ``--batch`` fresh cells at epoch 98, best of
  ``--repeats`` (each repeat on new cells, so nothing is cached).
* ``*_cpu_*``: the same with process CPU time instead of wall time (less sensitive to other
  processes sharing the cores; ``single_uncached_cpu_us`` has the kernel's CPU-clock granularity).
* ``onnx_single_run_us``: median of the bare ``InferenceSession.run`` on one row (the floor
  under the uncached single evaluation).

Run: ``.venv/bin/python benchmarks/nb301_bench.py [--n 2000 --batch 20000 --repeats 3]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import time

import numpy as np

from nasbench_suite.benchmarks import _nb301_model as model
from nasbench_suite.benchmarks.nb301 import NB301Benchmark

TARGET_SINGLE_US = 300.0
TARGET_BATCH = 20_000.0


def _stats(times: list[float]) -> dict:
    us = np.asarray(times) * 1e6
    return {"median": round(float(np.median(us)), 1), "p90": round(float(np.percentile(us, 90)), 1)}


def main(argv: list[str] | None = None) -> dict:
    """Measure and print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="single evaluations timed")
    parser.add_argument("--batch", type=int, default=20000, help="cells per batched call")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    t0 = time.perf_counter()
    model.verify(model.default_dir())
    verify_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bench = NB301Benchmark()
    _ = bench.surrogate.session
    load_s = time.perf_counter() - t0

    warm = bench.space.sample(rng, 50)
    for i in warm:
        bench.evaluate(int(i))
    ids = [int(i) for i in bench.space.sample(rng, args.n)]
    uncached, cached, uncached_cpu = [], [], []
    for i in ids:
        c = time.process_time()
        t = time.perf_counter()
        bench.evaluate(i)
        uncached.append(time.perf_counter() - t)
        uncached_cpu.append(time.process_time() - c)
    for i in ids:
        t = time.perf_counter()
        bench.evaluate(i)
        cached.append(time.perf_counter() - t)

    surrogate = bench.surrogate
    rows = surrogate.x_cat(bench.space.configs(ids[:500]))
    onnx = []
    for r in range(len(rows)):
        t = time.perf_counter()
        surrogate.predict(rows[r:r + 1], [98])
        onnx.append(time.perf_counter() - t)

    rates, cpu_rates = [], []
    for _ in range(args.repeats):
        cells = bench.space.sample(rng, args.batch)
        c = time.process_time()
        t = time.perf_counter()
        bench.evaluate_many(cells, 98)
        rates.append(args.batch / (time.perf_counter() - t))
        cpu_rates.append(args.batch / (time.process_time() - c))

    out = {
        "verify_s": round(verify_s, 4),
        "model_load_s": round(load_s, 4),
        "single_uncached_us": _stats(uncached),
        "single_cached_us": _stats(cached),
        "onnx_single_run_us": _stats(onnx)["median"],
        "single_uncached_cpu_us": _stats(uncached_cpu),
        "batched_cells_per_s": round(max(rates)),
        "batched_cells_per_cpu_s": round(max(cpu_rates)),
        "batch": args.batch,
        "targets": {"single_us": TARGET_SINGLE_US, "batched_cells_per_s": TARGET_BATCH},
        "met": {
            "single_uncached": _stats(uncached)["median"] <= TARGET_SINGLE_US,
            "single_cached": _stats(cached)["median"] <= TARGET_SINGLE_US,
            "batched": max(rates) >= TARGET_BATCH,
        },
        "threads": bench.surrogate.threads,
        "cpu_count": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
