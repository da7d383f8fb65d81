"""``nasbench-suite bench export CACHE --out STORE``: a training cache as a tabular store."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasbench_suite.commands.argtypes import EPOCHS
from nasbench_suite.commands.common import add_store_option


def register(sub) -> None:
    bench = sub.add_parser("bench", help="tools for the training benchmark's results")
    bsub = bench.add_subparsers(dest="bench_command", required=True, metavar="ACTION")
    exp = bsub.add_parser("export", help="turn a training cache into a tabular store")
    exp.add_argument("cache", type=Path, help="training cache folder")
    exp.add_argument("--out", type=Path, required=True, help="store folder to write")
    exp.add_argument("--full-epochs", type=EPOCHS, default=200, help="epochs of the 200-epoch columns")
    exp.add_argument("--short-epochs", type=EPOCHS, default=12, help="epochs of the 12-epoch columns")
    exp.add_argument("--subset", default="auto", help="training-set size to export (a number or 'all')")
    exp.add_argument("--recipe", default="auto", help="recipe tag to export (nb201 or r-...)")
    add_store_option(exp)  # the reference store giving the NB201 index order
    exp.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    from nasbench_suite.commands.common import load_store
    from nasbench_suite.errors import NasBenchError
    from nasbench_suite.train.cache import export_store

    subset = args.subset
    if subset not in ("auto", "all"):
        try:
            subset = int(subset)
        except ValueError:
            raise NasBenchError(f"--subset must be a number, 'all' or 'auto', got {subset!r}") from None
    out = export_store(args.cache, args.out, reference=load_store(args), full_epochs=args.full_epochs,
                       short_epochs=args.short_epochs, subset=None if subset == "all" else subset,
                       recipe=args.recipe)
    print(f"exported {args.cache} to store {out}")
    return 0
