"""Store performance: build, load, memory, query throughput, and the nas-bench-201 API beside it.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/store_bench.py [--api-cells N]``.

The ``nas_201_api`` comparison feeds ``NASBench201API`` a dict in its own format (``meta_archs``,
``arch2infos`` with ``full``/``less`` ``ArchResults`` state dicts of ``ResultsCount`` entries per
dataset and seed) built from our store, then times ``get_more_info`` against our ``evaluate`` and
``report`` on the same cells.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from nasbench_suite.bench.build import build_from_raw
from nasbench_suite.bench.datasets import SEEDS
from nasbench_suite.bench.store import Store, open_store
from nasbench_suite.bench.tabular import TabularBenchmark, report_cell
from nasbench_suite.paths import default_raw_dir

REPO = Path(__file__).resolve().parents[1]
_SETS = {"cifar10-valid": ("x-valid", "ori-test"), "cifar10": (None, "ori-test"),
         "cifar100": ("x-valid", "x-test"), "ImageNet16-120": ("x-valid", "x-test")}


def best_of(fn, repeat: int = 7) -> float:
    """Best wall time of ``repeat`` calls (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_build(raw: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        build_from_raw(raw, Path(tmp) / "store")
        return time.perf_counter() - start


def bench_load(path: Path) -> dict:
    load_s = best_of(lambda: Store.load(path), 20)
    tracemalloc.start()
    Store.load(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    code = ("import resource, time; t=time.perf_counter(); from nasbench_suite.bench.store import Store; "
            f"Store.load({str(path)!r}); print(time.perf_counter()-t, "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cold_s, rss_kb = cold.stdout.split()
    return {"load_ms": load_s * 1e3, "load_peak_mb": peak / 2**20,
            "cold_import_and_load_ms": float(cold_s) * 1e3, "process_max_rss_mb": int(rss_kb) / 1024}


def bench_queries(store: Store) -> dict:
    bench = TabularBenchmark("cifar10-valid", store=store)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 15625, 2000).tolist()
    single = best_of(lambda: [bench.evaluate(i) for i in idx], 3) / len(idx)
    report = best_of(lambda: [report_cell(store, i, "cifar100") for i in idx[:500]], 3) / 500
    big = rng.integers(0, 15625, 10_000_000)
    vec = best_of(lambda: bench.evaluate_many(big), 3)
    return {"evaluate_us": single * 1e6, "evaluate_per_s": 1 / single,
            "report_us": report * 1e6, "vectorised_lookups_per_s": len(big) / vec}


def _result(ds: str, seed: int, epochs: int, valid: float, test: float, t_epoch: float) -> dict:
    last = epochs - 1
    vset, tset = _SETS[ds]
    accs = {f"{tset}@{last}": test}
    if vset:
        accs[f"{vset}@{last}"] = valid
    return {"name": ds, "seed": seed, "epochs": epochs, "params": 0.0, "flop": 0.0, "latency": None,
            "arch_config": {}, "net_state_dict": None, "train_acc1es": {last: math.nan},
            "train_acc5es": None, "train_losses": {last: math.nan},
            "train_times": {e: t_epoch for e in range(epochs)},
            "eval_names": [s for s in (vset, tset) if s], "eval_acc1es": accs,
            "eval_losses": {k: math.nan for k in accs}, "eval_times": {}}


def nb201_dict(store: Store, cells: int) -> dict:
    """The store as an NB201 API dict (200-epoch 'full' and 12-epoch 'less' results)."""
    col = {(f, ds): store.column(f, ds) for f in ("valid_acc_seeds", "test_acc", "valid_acc_12ep",
                                                  "test_acc_12ep", "epoch_time_s") for ds in store.datasets}
    infos = {}
    for i in range(cells):
        arch = store.index_map.arch_str(i)
        full = {"arch_index": i, "arch_str": arch, "clear_net_done": True, "all_results": {}, "dataset_seed": {}}
        less = {"arch_index": i, "arch_str": arch, "clear_net_done": True, "all_results": {}, "dataset_seed": {}}
        for ds in store.datasets:
            t = float(col["epoch_time_s", ds][i]) if not math.isnan(col["epoch_time_s", ds][i]) else 0.0
            seeds = [s for s, v in zip(SEEDS, col["valid_acc_seeds", ds][i]) if not math.isnan(v)] or [777]
            full["dataset_seed"][ds] = seeds
            for k, s in enumerate(seeds):
                full["all_results"][(ds, s)] = _result(ds, s, 200, col["valid_acc_seeds", ds][i][SEEDS.index(s)],
                                                       float(col["test_acc", ds][i]), t)
            less["dataset_seed"][ds] = [777]
            less["all_results"][(ds, 777)] = _result(ds, 777, 12, float(col["valid_acc_12ep", ds][i]),
                                                     float(col["test_acc_12ep", ds][i]), t)
        infos[i] = {"full": full, "less": less}
    return {"meta_archs": [store.index_map.arch_str(i) for i in range(store.columns["code"].size)],
            "arch2infos": infos, "evaluated_indexes": list(range(cells)), "total_archs": 15625}


def bench_nb201_api(store: Store, cells: int) -> dict:
    from nas_201_api import NASBench201API

    start = time.perf_counter()
    api = NASBench201API(nb201_dict(store, cells), verbose=False)
    api_init = time.perf_counter() - start
    random.seed(0)
    idx = np.random.default_rng(1).integers(0, cells, 300).tolist()
    ours = TabularBenchmark("cifar10-valid", store=store)
    t_api = best_of(lambda: [api.get_more_info(i, "cifar10-valid", hp="200", is_random=False) for i in idx], 3)
    t_ours = best_of(lambda: [ours.evaluate(i) for i in idx], 3)
    t_report = best_of(lambda: [report_cell(store, i, "cifar10-valid") for i in idx], 3)
    same = all(abs(api.get_more_info(i, "cifar10-valid", hp="200", is_random=False)["valid-accuracy"]
                   - ours.evaluate(i).valid_acc) < 1e-9 for i in idx[:50])
    return {"api_cells": cells, "api_init_s": api_init,
            "api_get_more_info_us": t_api / len(idx) * 1e6,
            "ours_evaluate_us": t_ours / len(idx) * 1e6, "ours_report_us": t_report / len(idx) * 1e6,
            "speedup_evaluate_vs_get_more_info": t_api / t_ours,
            "speedup_report_vs_get_more_info": t_api / t_report, "same_values": same}


def bench_cli() -> dict:
    exe = REPO / ".venv/bin/nasbench-suite"
    cmd = [str(exe) if exe.exists() else "nasbench-suite", "query", "1", "--dataset", "cifar10", "--json"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return {"query_cli_s": min(times), "query_cli_median_s": float(np.median(times))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-cells", type=int, default=15625, help="cells fed to NASBench201API")
    args = parser.parse_args()
    raw = default_raw_dir()
    store = open_store()
    out = {"build_s": bench_build(raw), **bench_load(store.path), **bench_queries(store),
           **bench_nb201_api(store, args.api_cells), **bench_cli(),
           "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    out["targets"] = {"load_lt_100ms": out["load_ms"] < 100,
                      "vectorised_ge_1e6_per_s": out["vectorised_lookups_per_s"] >= 1e6,
                      "single_ge_50x_get_more_info": out["speedup_evaluate_vs_get_more_info"] >= 50,
                      "query_cli_lt_1s": out["query_cli_s"] < 1.0}
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
