"""Store vs nas_201_api, side by side in one run: queries, cold start, memory. Prints JSON.

    .venv/bin/python benchmarks/store_bench.py            # quick: 300 cells in the API file
    .venv/bin/python benchmarks/store_bench.py --full     # 1,000 cells, more repeats

The API file holds the first N cells only: the official layout costs the API about 1.3 GB of
memory and 45 CPU-seconds per 1,000 cells to load (measured here), so all 15,625 cells would need
about 20 GB; our store always holds every cell. Both figures are reported with N.

The reference is the official ``nas_201_api`` (PyPI ``nas-bench-201``) reading a ``.pth`` file in
the official NB201 layout (``meta_archs``, ``arch2infos`` with ``full`` / ``less`` ``ArchResults``
of ``ResultsCount`` records per dataset and seed, ``evaluated_indexes``) that this script writes
from our store with every value a plain Python number (numpy scalars converted, so the API's
``torch.load`` accepts it under torch >= 2.6). Accuracies and losses are written for the last
epoch only, training and evaluation times for every epoch (the API sums them; no evaluation time
is recorded in the public tables, so they are 0.0); the official files hold all 200 epochs of
every metric (2.1 GB and more), so the reference's load is *faster* here than from an official
file, which makes our ratio conservative.

* queries: interleaved and repeated, the same cells on both sides, values checked equal:
  search lookup (``TabularBenchmark.evaluate``) and full report (``report_cell``, every field)
  vs ``get_more_info(..., hp="200", is_random=False)``, by NB201 index and by arch string;
* cold start: a whole process from start to exit (interpreter start-up included): the CLI
  ``nasbench-suite query ARCH --json`` vs ``python -c "from nas_201_api import ...;
  NASBench201API(FILE).get_more_info(ARCH, ...)"``, wall, CPU and peak RSS of each;
* absolute figures where no reference exists: store build, in-process load, vectorised lookups.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, emit, interleave, ratios, run_process, summary

from nasbench_suite.bench.build import build_from_raw
from nasbench_suite.bench.datasets import SEEDS
from nasbench_suite.bench.store import Store, open_store
from nasbench_suite.bench.tabular import TabularBenchmark, report_cell
from nasbench_suite.paths import default_raw_dir

DATASET = "cifar10-valid"
_SETS = {"cifar10-valid": ("x-valid", "ori-test"), "cifar10": (None, "ori-test"),
         "cifar100": ("x-valid", "x-test"), "ImageNet16-120": ("x-valid", "x-test")}


def _num(x) -> float:
    x = float(x)
    return 0.0 if math.isnan(x) else x


def _record(ds: str, seed: int, epochs: int, valid: float, test: float, t_epoch: float) -> dict:
    """One ``ResultsCount`` state dict in the official layout (last epoch's values only)."""
    last = epochs - 1
    vset, tset = _SETS[ds]
    accs = {f"{tset}@{last}": _num(test)}
    if vset:
        accs[f"{vset}@{last}"] = _num(valid)
    return {"name": ds, "seed": int(seed), "epochs": int(epochs), "params": 0.0, "flop": 0.0,
            "latency": None, "arch_config": {}, "net_state_dict": None,
            "train_acc1es": {last: 0.0}, "train_acc5es": None, "train_losses": {last: 0.0},
            "train_times": {e: _num(t_epoch) for e in range(epochs)}, "eval_names": [s for s in (vset, tset) if s],
            "eval_acc1es": accs, "eval_losses": {k: 0.0 for k in accs},
            "eval_times": {f"{n}@{e}": 0.0 for n in (vset, tset) if n for e in range(epochs)}}


def official_dict(store: Store, cells: int) -> dict:
    """The first ``cells`` cells of the store in the official NB201 ``.pth`` layout."""
    col = {(f, ds): store.column(f, ds) for f in ("valid_acc_seeds", "test_acc", "valid_acc_12ep",
                                                  "test_acc_12ep", "epoch_time_s")
           for ds in store.datasets}
    infos = {}
    for i in range(cells):
        arch = store.index_map.arch_str(i)
        full = {"arch_index": i, "arch_str": arch, "clear_net_done": True, "all_results": {},
                "dataset_seed": {}}
        less = {"arch_index": i, "arch_str": arch, "clear_net_done": True, "all_results": {},
                "dataset_seed": {}}
        for ds in store.datasets:
            t = col["epoch_time_s", ds][i]
            seeds = [s for s, v in zip(SEEDS, col["valid_acc_seeds", ds][i]) if not math.isnan(v)]
            full["dataset_seed"][ds] = seeds or [777]
            for s in seeds or [777]:
                valid = col["valid_acc_seeds", ds][i][SEEDS.index(s)]
                full["all_results"][(ds, s)] = _record(ds, s, 200, valid, col["test_acc", ds][i], t)
            less["dataset_seed"][ds] = [777]
            less["all_results"][(ds, 777)] = _record(
                ds, 777, 12, col["valid_acc_12ep", ds][i], col["test_acc_12ep", ds][i], t)
        infos[i] = {"full": full, "less": less}
    return {"meta_archs": [store.index_map.arch_str(i) for i in range(store.columns["code"].size)],
            "arch2infos": infos, "evaluated_indexes": list(range(cells)), "total_archs": 15625}


def bench_build(raw: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        build_from_raw(raw, Path(tmp) / "store")
        return time.perf_counter() - start


def bench_load(path: Path, repeats: int) -> dict:
    times = interleave({"load": lambda: Store.load(path)}, repeats)["load"]
    tracemalloc.start()
    Store.load(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"load_ms": summary(times, 1e3), "load_peak_alloc_mib": round(peak / 2**20, 2)}


def bench_queries(store: Store, api, cells: int, repeats: int) -> dict:
    """Interleaved per-query timings, ours vs the API, by index and by arch string."""
    ours = TabularBenchmark(DATASET, store=store)
    idx = np.random.default_rng(1).integers(0, cells, 300).tolist()
    archs = [store.index_map.arch_str(i) for i in idx]
    for i, a in zip(idx[:100], archs[:100]):  # the same values on both sides
        ref = api.get_more_info(a, DATASET, hp="200", is_random=False)["valid-accuracy"]
        assert abs(ref - ours.evaluate(i).valid_acc) < 1e-9, (i, ref)

    def api_call(keys):
        return lambda: [api.get_more_info(k, DATASET, hp="200", is_random=False) for k in keys]

    cases = {
        "api_by_index": api_call(idx), "api_by_arch": api_call(archs),
        "evaluate_by_index": lambda: [ours.evaluate(i) for i in idx],
        "evaluate_by_arch": lambda: [ours.evaluate(a) for a in archs],
        "report_by_index": lambda: [report_cell(store, i, DATASET) for i in idx],
        "report_by_arch": lambda: [report_cell(store, a, DATASET) for a in archs],
    }
    t = interleave(cases, repeats)
    per = {k: summary(v, 1e6 / len(idx), 2) for k, v in t.items()}
    return {
        "queries_per_repeat": len(idx), "us_per_query": per,
        "ratio_search_by_index": ratios(t["api_by_index"], t["evaluate_by_index"]),
        "ratio_search_by_arch": ratios(t["api_by_arch"], t["evaluate_by_arch"]),
        "ratio_report_by_index": ratios(t["api_by_index"], t["report_by_index"]),
        "ratio_report_by_arch": ratios(t["api_by_arch"], t["report_by_arch"]),
    }


def bench_vectorised(store: Store, repeats: int) -> dict:
    bench = TabularBenchmark(DATASET, store=store)
    big = np.random.default_rng(0).integers(0, 15625, 10_000_000)
    t = interleave({"vec": lambda: bench.evaluate_many(big)}, repeats)["vec"]
    return {"vectorised_lookups_per_s": summary([len(big) / x for x in t], 1e-6, 1),
            "vectorised_unit": "millions of lookups per second"}


def bench_cold(pth: Path, arch: str, repeats: int) -> dict:
    """Whole processes, start to exit, interleaved: our CLI vs nas_201_api from the .pth."""
    exe = REPO / ".venv" / "bin" / "nasbench-suite"
    ours = [str(exe), "query", arch, "--dataset", DATASET, "--json"]
    code = ("import sys; from nas_201_api import NASBench201API as API; "
            "api = API(sys.argv[1], verbose=False); "
            "print(api.get_more_info(sys.argv[2], 'cifar10-valid', hp='200', is_random=False))")
    ref = [sys.executable, "-c", code, str(pth), arch]
    runs: dict[str, list[dict]] = {"ours_cli": [], "nas_201_api": []}
    for r in range(repeats):
        order = [("ours_cli", ours), ("nas_201_api", ref)]
        for name, cmd in order if r % 2 == 0 else order[::-1]:
            res = run_process(cmd)
            if res["returncode"] != 0:
                raise SystemExit(f"{name} failed: {res['stderr_tail']}")
            runs[name].append(res)
    out = {name: {"wall_s": summary([x["wall_s"] for x in v], digits=3),
                  "cpu_s": summary([x["cpu_s"] for x in v], digits=3),
                  "peak_rss_mib": summary([x["peak_tree_rss_mib"] for x in v], digits=1)}
           for name, v in runs.items()}
    out["ratio_wall"] = ratios([x["wall_s"] for x in runs["nas_201_api"]],
                               [x["wall_s"] for x in runs["ours_cli"]])
    out["ratio_peak_rss"] = ratios([x["peak_tree_rss_mib"] for x in runs["nas_201_api"]],
                                   [x["peak_tree_rss_mib"] for x in runs["ours_cli"]])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="README settings (1,000 API cells)")
    parser.add_argument("--api-cells", type=int, default=None)
    args = parser.parse_args()
    cells = args.api_cells or (1000 if args.full else 300)
    reps, cold_reps = (21, 3) if args.full else (5, 2)
    import torch
    from nas_201_api import NASBench201API

    store = open_store()
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        pth = Path(tmp) / "NAS-Bench-201-layout.pth"
        start = time.perf_counter()
        torch.save(official_dict(store, cells), pth)
        write_s = time.perf_counter() - start
        api = NASBench201API(str(pth), verbose=False)
        out = {
            "mode": "full" if args.full else "quick", "api_cells": cells,
            "api_file_mib": round(pth.stat().st_size / 2**20, 1),
            "api_file_write_s": round(write_s, 2),
            "build_s": round(bench_build(default_raw_dir()), 3),
            **bench_load(store.path, reps),
            **bench_queries(store, api, cells, reps),
            **bench_vectorised(store, 3),
            "cold_start": bench_cold(pth, store.index_map.arch_str(cells // 2), cold_reps),
        }
    out["threads"] = os.environ.get("OMP_NUM_THREADS")
    emit(out)


if __name__ == "__main__":
    main()
