"""``nasbench-suite zc compute|correlate``: zero-cost proxy scores and their rank agreement.

    nasbench-suite zc compute --proxies synflow,nwot --dataset cifar10 --sample 100 --seed 0 \
        [--device cpu|cuda] [--batch 32] --out scores.csv
    nasbench-suite zc correlate scores.csv --dataset cifar10 [--json]

``compute`` is resumable: re-running it with the same ``--out`` skips the cells already scored.
"""

from __future__ import annotations

import argparse
import sys

from nasbench_suite.commands.argtypes import BATCH, SEED, THREADS
from nasbench_suite.commands.common import add_store_option, fmt, print_json
from nasbench_suite.errors import NasBenchError


def register(sub) -> None:
    zc = sub.add_parser("zc", help="zero-cost proxies: compute scores, correlate them")
    zsub = zc.add_subparsers(dest="zc_command", required=True, metavar="ZC_COMMAND")

    comp = zsub.add_parser("compute", help="score cells with zero-cost proxies (resumable CSV)")
    comp.add_argument("--proxies", required=True, help="comma-separated proxy names, or 'all'")
    comp.add_argument(
        "--dataset", default="cifar10", help="cifar10, cifar10-valid, cifar100, ImageNet16-120"
    )
    comp.add_argument("--sample", default="all", help="N random cells (seeded), or 'all'")
    comp.add_argument("--seed", type=SEED, default=0, help="seeds the sample, weights and batch")
    comp.add_argument("--device", default="cpu", help="cpu or cuda")
    comp.add_argument("--batch", type=BATCH, default=32, help="mini-batch size (default 32)")
    comp.add_argument("--out", required=True, help="CSV to append scores to")
    comp.add_argument(
        "--threads", type=THREADS, default=None, help="torch CPU threads (default: torch's)"
    )
    comp.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    add_store_option(comp)
    comp.set_defaults(func=_compute)

    corr = zsub.add_parser("correlate", help="Spearman / Kendall / top-10%% overlap with accuracy")
    corr.add_argument("file", help="scores CSV written by `zc compute`")
    corr.add_argument("--dataset", default="cifar10", help="whose accuracies to compare with")
    corr.add_argument("--json", action="store_true", help="print JSON")
    add_store_option(corr)
    corr.set_defaults(func=_correlate)


def sample_indices(sample: str, seed: int) -> list[int]:
    """``'all'`` -> every index; ``'N'`` -> N distinct indices drawn with ``seed``."""
    import numpy as np

    from nasbench_suite.space.codec import N_CELLS

    if str(sample).lower() == "all":
        return list(range(N_CELLS))
    try:
        n = int(sample)
    except ValueError:
        raise NasBenchError(
            f"--sample must be a number of cells or 'all', got {sample!r}"
        ) from None
    if not 1 <= n <= N_CELLS:
        raise NasBenchError(f"--sample must be between 1 and {N_CELLS}, got {n}")
    return [int(i) for i in np.random.default_rng(seed).choice(N_CELLS, size=n, replace=False)]


def _compute(args: argparse.Namespace) -> int:
    from nasbench_suite.commands.common import load_store
    from nasbench_suite.proxies import parse_proxy_list
    from nasbench_suite.proxies.scorer import score_cells

    proxies = parse_proxy_list(args.proxies)
    if args.threads is not None:
        import torch

        torch.set_num_threads(max(1, args.threads))
    indices = sample_indices(args.sample, args.seed)

    def progress(done: int, total: int, row: dict) -> None:
        if not args.quiet:
            print(f"\r{done}/{total} cells ({row['time_s']:.2f} s last)", end="", file=sys.stderr)

    score_cells(
        indices,
        proxies,
        dataset=args.dataset,
        seed=args.seed,
        device=args.device,
        batch=args.batch,
        out=args.out,
        store=load_store(args),
        progress=progress,
    )
    if not args.quiet:
        print(file=sys.stderr)
    print(f"{len(indices)} cells scored with {', '.join(proxies)} -> {args.out}")
    return 0


def correlate_file(path: str, dataset: str, store) -> dict:
    """{proxy: {spearman, kendall, top10_overlap, n, [valid: {...}]}} for a scores CSV."""
    import numpy as np

    from nasbench_suite.bench.datasets import dataset_name
    from nasbench_suite.proxies.correlation import rank_agreement
    from nasbench_suite.proxies.results import read_scores

    dataset = dataset_name(dataset)
    columns, rows = read_scores(path)
    if not rows:
        raise NasBenchError(f"{path} holds no scores (write it with `nasbench-suite zc compute`)")
    idx = np.array(sorted(rows), dtype=np.int64)
    targets = {}
    for field, label in (("test_acc", "test"), ("valid_acc", "valid")):
        try:
            col = np.asarray(store.column(field, dataset), dtype=np.float64)[idx]
        except NasBenchError:
            continue
        if np.isfinite(col).any():
            targets[label] = col
    if not targets:
        raise NasBenchError(f"the store has no 200-epoch accuracy for {dataset}")
    out = {}
    for proxy in columns:
        scores = np.array([rows[i][proxy] for i in idx])
        main, *rest = list(targets)
        res = {"target": f"{main}_acc", **rank_agreement(scores, targets[main])}
        for label in rest:
            res[label] = rank_agreement(scores, targets[label])
        out[proxy] = res
    return out


def _correlate(args: argparse.Namespace) -> int:
    from nasbench_suite.commands.common import load_store

    result = correlate_file(args.file, args.dataset, load_store(args))
    if args.json:
        print_json(result)
        return 0
    print(f"{'proxy':<10} {'target':<10} {'spearman':>9} {'kendall':>8} {'top10%':>7} {'n':>6}")
    for proxy, res in result.items():
        print(
            f"{proxy:<10} {res['target']:<10} {fmt(res['spearman'], 3):>9} "
            f"{fmt(res['kendall'], 3):>8} {fmt(res['top10_overlap'], 3):>7} {res['n']:>6}"
        )
        if "valid" in res:
            v = res["valid"]
            print(
                f"{'':<10} {'valid_acc':<10} {fmt(v['spearman'], 3):>9} {fmt(v['kendall'], 3):>8} "
                f"{fmt(v['top10_overlap'], 3):>7} {v['n']:>6}"
            )
    return 0
