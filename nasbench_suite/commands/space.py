"""``nasbench-suite space info [--json]``: size, isomorphism classes and best cells."""

from __future__ import annotations

import argparse

import numpy as np

from nasbench_suite.commands.common import add_store_option, fmt, print_json


def register(sub) -> None:
    space = sub.add_parser("space", help="facts about the NB201 cell space")
    ssub = space.add_subparsers(dest="space_command", required=True, metavar="ACTION")
    info = ssub.add_parser("info", help="space size, isomorphism classes, best cell per dataset")
    info.add_argument("--json", action="store_true", help="print JSON")
    add_store_option(info)
    info.set_defaults(func=_info)


def space_info(store) -> dict:
    """Size, class counts and, per dataset, the best cell by validation and by test accuracy."""
    best = {}
    for ds in store.datasets:
        entry = {}
        for split in ("valid", "test"):
            col = store.column(f"{split}_acc", ds)
            if np.isnan(col).all():
                entry[split] = None
                continue
            index = int(np.nanargmax(col))
            entry[split] = {"index": index, "arch": store.index_map.arch_str(index), "acc": float(col[index])}
        best[ds] = entry
    return {
        "cells": int(store.columns["code"].size),
        "operations": 5,
        "edges": 6,
        "isomorphism_classes": int(np.unique(store.columns["iso_class"]).size),
        "functional_classes": int(np.unique(store.columns["func_class"]).size),
        "best": best,
    }


def _info(args: argparse.Namespace) -> int:
    from nasbench_suite.commands.common import load_store

    info = space_info(load_store(args))
    if args.json:
        print_json(info)
        return 0
    print(f"cells: {info['cells']} (5 ops on 6 edges)")
    print(f"isomorphism classes: {info['isomorphism_classes']} (NB201 UniqueString), "
          f"{info['functional_classes']} by computed function")
    for ds, entry in info["best"].items():
        for split, best in entry.items():
            if best is None:
                print(f"{ds:<15} best by {split:<5}: n/a ({ds} has no {split} split in the store)")
            else:
                print(f"{ds:<15} best by {split:<5}: {fmt(best['acc'])}%  #{best['index']}  {best['arch']}")
    return 0
