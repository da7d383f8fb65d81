"""NAS-Bench-Graph speed: store build and load, single evaluate, vectorised test lookups.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/graph_bench.py``.

Targets (issue 11, part 5): loading the store < 100 ms; one ``evaluate`` < 5 us (median over
batches of single calls; the first evaluation of an id builds its Observation, later ones return
the same immutable object, so both are reported and the target is checked on the first); vectorised lookups >= 10 M/s (``test_accuracy`` on 10 M random ids). The store is
built once into a temporary folder from the installed ``nas-bench-graph`` package.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nasbench_suite.benchmarks import _graph_store as gs
from nasbench_suite.benchmarks.graph import NBGraphBenchmark
from nasbench_suite.spaces.base import create_space

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import best_of


def median_single_call_us(fn, args, batches: int = 50) -> float:
    """Median over ``batches`` of the mean per-call time of ``fn(a)`` over ``args`` (us)."""
    per_call = []
    for _ in range(batches):
        start = time.perf_counter()
        for a in args:
            fn(a)
        per_call.append((time.perf_counter() - start) / len(args))
    return statistics.median(per_call) * 1e6


def main() -> None:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        start = time.perf_counter()
        gs.build_store(out=path)
        out["build_s"] = time.perf_counter() - start
        out["store_mb"] = sum(f.stat().st_size for f in path.iterdir()) / 2**20
        out["load_ms"] = best_of(lambda: gs.load_store(path), 20) * 1e3
        code = ("import time; t=time.perf_counter(); "
                "from nasbench_suite.benchmarks._graph_store import load_store; "
                f"load_store({str(path)!r}); print(time.perf_counter()-t)")
        cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        out["cold_import_and_load_ms"] = float(cold.stdout) * 1e3
        store = gs.load_store(path)
        start = time.perf_counter()
        create_space("nb-graph")
        out["space_create_ms"] = (time.perf_counter() - start) * 1e3
        rng = np.random.default_rng(0)
        for dataset in ("cora", "proteins"):
            bench = NBGraphBenchmark(dataset, store=store)
            ids = bench.space.sample(rng, 1000).tolist()
            # first evaluation of each id (fresh benchmark per batch of distinct ids) and repeats
            first = []
            for _ in range(30):
                fresh = NBGraphBenchmark(dataset, store=store)
                distinct = rng.permutation(fresh.space.size)[:1000].tolist()
                first.append(median_single_call_us(fresh.evaluate, distinct, 1))
            ev_first = statistics.median(first)
            ev = median_single_call_us(bench.evaluate, ids)
            big = bench.space.sample(rng, 10_000_000)
            vec = best_of(lambda b=bench, x=big, d=dataset: b.test_accuracy(x, d), 3)
            cross = best_of(lambda b=bench, x=big: b.test_accuracy(x, "arxiv"), 3)
            out[dataset] = {
                "evaluate_first_call_median_us": ev_first,
                "evaluate_repeat_median_us": ev,
                "vectorised_lookups_per_s": len(big) / vec,
                "vectorised_cross_dataset_lookups_per_s": len(big) / cross,
                "parse_us": median_single_call_us(
                    bench.space.parse, [bench.space.to_str(i) for i in ids[:200]], 10),
            }
    out["targets"] = {
        "load_ms<100": out["load_ms"] < 100,
        "evaluate_us<5": all(
            out[d]["evaluate_first_call_median_us"] < 5 for d in ("cora", "proteins")),
        "lookups_per_s>=1e7": all(
            out[d]["vectorised_lookups_per_s"] >= 1e7 for d in ("cora", "proteins")),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
