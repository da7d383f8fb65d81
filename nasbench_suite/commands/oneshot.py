"""``nasbench-suite oneshot METHOD``: run a one-shot search and look the cell up in the benchmark.

    nasbench-suite oneshot darts-v1 --dataset cifar10 [--epochs 50] [--subset N] [--seed 0] \
        [--device cpu|cuda] [--latency-device DEV --latency-weight L] [--train-epochs E] [--json]

Methods: darts-v1, darts-v2, gdas, rsps, enas, darts-hw. ``--dataset`` is a training setting
(``cifar10``, ``cifar10-valid``, ``cifar100``, ``ImageNet16-120``: the NB201 benchmark datasets;
``fashion-mnist``; ``synthetic``: random 8 x 8 images for smoke tests; ``auto``: CIFAR-10 when
its files are on disk, else Fashion-MNIST). When the store holds test accuracies for the search
data (the NB201 datasets; ``fashion-mnist`` in a store exported from the training cache) the
derived cell's stored test accuracy on it is ``test_acc``; on any other data ``test_acc`` is null
and ``reference`` holds the cell's stored CIFAR-10 test accuracy, labelled as a reference
only (the cell was not searched on CIFAR-10). ``--train-epochs E`` also trains the derived cell
for real on the search data's setting (NB201 recipe, E epochs) and reports its test accuracy.
"""

from __future__ import annotations

import argparse
import sys

from nasbench_suite.commands.argtypes import (
    BATCH,
    CELLS,
    CHANNELS,
    COUNT,
    EPOCHS,
    SEED,
    THREADS,
    finite_float,
    int_range,
)
from nasbench_suite.commands.common import add_store_option, fmt, print_json
from nasbench_suite.errors import NasBenchError


def register(sub) -> None:
    p = sub.add_parser(
        "oneshot", help="one-shot NAS (DARTS, GDAS, RSPS, ENAS, latency-aware DARTS)"
    )
    p.add_argument("method", help="darts-v1, darts-v2, gdas, rsps, enas or darts-hw")
    p.add_argument(
        "--dataset",
        default="auto",
        help="cifar10, cifar10-valid, cifar100, ImageNet16-120, fashion-mnist, synthetic, "
        "or auto (CIFAR-10 if on disk, else Fashion-MNIST; default)",
    )
    p.add_argument(
        "--epochs", type=EPOCHS, default=None, help="search epochs (default: NB201's for the method)"
    )
    p.add_argument("--subset", type=COUNT, default=None, help="use the first N images of each split")
    p.add_argument("--seed", type=SEED, default=0, help="weights, data order, sampling")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument(
        "--latency-device", default=None, help="store device for the latency loss (darts-hw)"
    )
    p.add_argument(
        "--latency-weight", type=finite_float, default=None, help="loss units per ms (darts-hw: 0.1)"
    )
    p.add_argument(
        "--channels", type=CHANNELS, default=None, help="C (default 16; 4 on synthetic data)"
    )
    p.add_argument(
        "--cells-per-stage", type=CELLS, default=None, help="N (default 5; 1 on synthetic data)"
    )
    p.add_argument("--batch-size", type=BATCH, default=None, help="default: NB201's for the method")
    p.add_argument("--threads", type=THREADS, default=None, help="torch CPU threads")
    p.add_argument(
        "--train-epochs", type=int_range(0, 100_000), default=0, help="also train the derived cell for real"
    )
    p.add_argument("--data-root", default=None, help="folder with the dataset files")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_store_option(p)
    p.set_defaults(func=_run)


def resolve_dataset(name: str, root=None) -> str:
    """``auto`` -> ``cifar10`` when its files are found, else ``fashion-mnist``."""
    if name.lower() != "auto":
        return name
    from nasbench_suite.errors import DataError
    from nasbench_suite.train.data import locate

    try:
        locate("cifar10", root)
        return "cifar10"
    except DataError:
        return "fashion-mnist"


def _run(args: argparse.Namespace) -> int:
    from nasbench_suite.commands.common import load_store
    from nasbench_suite.oneshot import METHODS, create_search, search_data

    if args.method not in METHODS:
        raise NasBenchError(
            f"unknown one-shot method {args.method!r}; known: {', '.join(METHODS)}"
        )
    dataset = resolve_dataset(args.dataset, args.data_root)
    synthetic = dataset.lower() == "synthetic"
    store = load_store(args)
    data = search_data(dataset, args.subset, root=args.data_root, seed=args.seed)
    search = create_search(
        args.method,
        data,
        store=store,
        epochs=args.epochs,
        seed=args.seed,
        device=args.device,
        latency_device=args.latency_device,
        latency_weight=args.latency_weight,
        channels=args.channels or (4 if synthetic else None),
        cells_per_stage=args.cells_per_stage or (1 if synthetic else None),
        batch_size=args.batch_size,
        num_threads=args.threads,
        **(
            {"select_num": 10, "controller_train_steps": 2, "controller_num_aggregate": 5}
            if synthetic
            else {}
        ),
    )
    log = None if args.json else (lambda line: print(line, file=sys.stderr))
    for _ in range(search.config.epochs - search.epoch):
        rec = search.run_epoch()
        if log:
            log(
                f"epoch {rec['epoch']}/{search.config.epochs}: loss {rec['train_loss']:.4f} "
                f"({rec['seconds']:.1f} s) -> {rec['arch']}"
            )
    result = search.run(0)
    out = summarize(result, store, dataset, data)
    if args.train_epochs:
        out["trained"] = _train(result.arch, dataset, args)
    if args.json:
        print_json(out)
    else:
        _print(out)
    return 0


def stored_datasets(store) -> list[str]:
    """The datasets whose test accuracy the store holds (NB201's four, plus any exported)."""
    from nasbench_suite.bench.datasets import DATASET_NAMES
    from nasbench_suite.bench.store import key

    return [ds for ds in DATASET_NAMES if key("test_acc", ds) in store.columns]


def benchmark_dataset(dataset: str, store) -> str | None:
    """The store dataset matching the search data ``dataset``, or None (not a benchmark)."""
    from nasbench_suite.bench.datasets import dataset_name

    try:
        name = dataset_name(dataset)
    except NasBenchError:
        return None
    return name if name in stored_datasets(store) else None


def summarize(result, store, dataset: str, data) -> dict:
    """The JSON of a finished search (see the module docstring)."""
    index = store.index_map.index(result.ops)
    bench_ds = benchmark_dataset(dataset, store)

    def col(ds: str) -> float:
        return float(store.column("test_acc", ds)[index])

    out = {
        "method": result.method,
        "dataset": dataset,
        "n_train": len(data.train),
        "n_valid": len(data.valid),
        "arch": result.arch,
        "arch_index": index,
        "epochs": result.epochs,
        "search_time_s": result.search_time_s,
        "seconds_per_epoch": result.search_time_s / max(result.epochs, 1),
        "benchmark_dataset": bench_ds,
        "test_acc": col(bench_ds) if bench_ds else None,
        "test_acc_all": {ds: col(ds) for ds in stored_datasets(store)},
    }
    if bench_ds is None:
        out["reference"] = {
            "dataset": "cifar10",
            "test_acc": col("cifar10"),
            "note": (
                f"searched on {dataset}, not a NB201 dataset: this is the stored CIFAR-10 "
                "test accuracy of the derived cell, a reference only"
            ),
        }
    if "latency_table" in result.extra:
        table = result.extra["latency_table"]
        dev = table["device"]
        out["latency"] = {
            "device": dev,
            "cell_latency_ms": float(store.latency(dev)[index]),
            "expected_latency_ms": result.history[-1].get("expected_latency_ms")
            if result.history
            else None,
            "weight_per_ms": result.config["latency_weight"],
            "fit": table,
        }
    out["alphas"] = [{"epoch": r["epoch"], "weights": r["weights"]} for r in result.history]
    out["history"] = [{k: v for k, v in r.items() if k != "weights"} for r in result.history]
    out["config"] = result.config
    return out


def _train(arch: str, dataset: str, args) -> dict:
    from nasbench_suite.train import TrainConfig, load_dataset, train

    if dataset.lower() == "synthetic":
        from nasbench_suite.oneshot import search_data

        bundle = search_data("synthetic", seed=args.seed)
    else:
        bundle = load_dataset(dataset, root=args.data_root).subset(args.subset)
    cfg = TrainConfig(
        epochs=args.train_epochs,
        seed=args.seed,
        device=args.device,
        channels=args.channels or 16,
        cells_per_stage=args.cells_per_stage or 5,
        num_threads=args.threads,
    )
    res = train(arch, bundle, cfg)
    return {
        "epochs": res.epochs,
        "dataset": res.dataset,
        "test_acc": res.test_acc,
        "final_valid_acc": res.final_valid_acc,
        "total_time_s": res.total_time_s,
    }


def _print(out: dict) -> None:
    row = lambda label, text: print(f"{label:<18}{text}")
    row("method", f"{out['method']}  (data: {out['dataset']}, {out['n_train']} train images)")
    row("derived cell", out["arch"])
    row("NB201 index", out["arch_index"])
    row(
        "search time",
        f"{fmt(out['search_time_s'], 1)} s ({out['epochs']} epochs, "
        f"{fmt(out['seconds_per_epoch'], 2)} s/epoch)",
    )
    if out["benchmark_dataset"]:
        row("test_acc", f"{fmt(out['test_acc'])} % on {out['benchmark_dataset']} (NB201 store)")
    else:
        ref = out["reference"]
        row(
            "reference only",
            f"{fmt(ref['test_acc'])} % stored CIFAR-10 test accuracy ({ref['note']})",
        )
    if "latency" in out:
        lat = out["latency"]
        row(
            "latency",
            f"{fmt(lat['cell_latency_ms'], 3)} ms on {lat['device']} (stored); "
            f"expected {fmt(lat['expected_latency_ms'], 3)} ms "
            f"(fitted table, R^2 {lat['fit']['r2']:.3f})",
        )
    if "trained" in out:
        t = out["trained"]
        row("trained", f"{fmt(t['test_acc'])} % test on {t['dataset']} after {t['epochs']} epochs")
