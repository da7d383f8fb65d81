"""Helpers shared by sub-commands: JSON printing and the --store option."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store DIR``: use a store other than the default one."""
    parser.add_argument("--store", type=Path, default=None, help="store folder (default: built-in location)")


def load_store(args: argparse.Namespace):
    """Open the store named by ``--store`` (or the default one, building it if needed)."""
    from nasbench_suite.bench.store import Store, open_store

    return open_store() if args.store is None else Store.load(args.store)


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def print_json(value) -> None:
    """Print ``value`` as indented JSON with NaN written as null."""
    print(json.dumps(_clean(value), indent=2, sort_keys=False))


def fmt(value, digits: int = 2) -> str:
    """A float for humans ('n/a' for NaN / None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
