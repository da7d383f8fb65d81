"""Search overhead of the model-based strategies on the tabular benchmark.

Runs ``--runs`` seeded runs of ``--evals`` evaluations per strategy (ask -> evaluate -> tell on
cifar10-valid, 200-epoch seed-mean validation accuracy) in a pool of ``--workers`` processes with
one BLAS thread each, and prints one JSON object::

    {strategy: {"runs", "evals", "wall_s", "overhead_ms_per_eval", "cpu_ms_per_eval",
                "median_best_valid"}}

``wall_s``: wall time of all runs of that strategy across the pool. ``overhead_ms_per_eval``:
time inside ``ask`` + ``tell`` (strategy overhead; benchmark lookups excluded) per evaluation,
averaged over runs. ``cpu_ms_per_eval``: process CPU time per evaluation (less sensitive to other
load on the machine).

Run: ``.venv/bin/python benchmarks/bo_overhead.py [--runs 100 --evals 200 --workers 2]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported: one BLAS thread per worker

import argparse
import json
import multiprocessing as mp
import time

import numpy as np

from nasbench_suite.bench.store import open_store
from nasbench_suite.bench.tabular import TabularBenchmark
from nasbench_suite.paths import default_raw_dir
from nasbench_suite.space.searchspace import SearchSpace
from nasbench_suite.strategies import create_strategy

_STATE: dict = {}


def _init() -> None:
    store = open_store(raw=default_raw_dir())
    _STATE["bench"] = TabularBenchmark("cifar10-valid", store=store)
    _STATE["space"] = SearchSpace(store.index_map)


def _one_run(job: tuple[str, int, int]) -> tuple[float, float, float]:
    name, seed, evals = job
    bench, space = _STATE["bench"], _STATE["space"]
    searcher = create_strategy(name, space, seed=seed)
    inside, best = 0.0, -np.inf
    cpu0 = time.process_time()
    for _ in range(evals):
        t0 = time.perf_counter()
        cand = searcher.ask()
        inside += time.perf_counter() - t0
        obs = bench.evaluate(cand.arch_index)
        t0 = time.perf_counter()
        searcher.tell(cand, obs)
        inside += time.perf_counter() - t0
        if obs.valid_acc == obs.valid_acc:
            best = max(best, obs.valid_acc)
    return inside, time.process_time() - cpu0, best


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--evals", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strategies", default="gp_bo,bananas,tpe")
    args = parser.parse_args(argv)
    out = {}
    with mp.get_context("fork").Pool(args.workers, initializer=_init) as pool:
        pool.map(time.sleep, [0.0] * args.workers)  # workers loaded before timing
        for name in args.strategies.split(","):
            jobs = [(name, seed, args.evals) for seed in range(args.runs)]
            start = time.perf_counter()
            results = pool.map(_one_run, jobs, chunksize=1)
            wall = time.perf_counter() - start
            inside, cpu, best = (np.array(col) for col in zip(*results))
            out[name] = {
                "runs": args.runs,
                "evals": args.evals,
                "wall_s": round(wall, 2),
                "overhead_ms_per_eval": round(1000 * inside.sum() / (args.runs * args.evals), 3),
                "cpu_ms_per_eval": round(1000 * cpu.sum() / (args.runs * args.evals), 3),
                "median_best_valid": round(float(np.median(best)), 3),
            }
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
