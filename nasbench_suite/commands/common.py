"""Helpers shared by sub-commands: JSON printing, the --store option and listing commands."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store DIR``: use a store other than the default one."""
    parser.add_argument("--store", type=Path, default=None, help="store folder (default: built-in location)")


def load_store(args: argparse.Namespace):
    """Open the store named by ``--store`` (or the default one, building it if needed)."""
    from nasbench_suite.bench.store import Store, open_store

    return open_store() if args.store is None else Store.load(args.store)


def add_listing(
    sub,
    name: str,
    table: Callable[[], list[dict]],
    show: Callable[[list[dict]], None],
    *,
    help: str,
    description: str,
    aliases: Sequence[str] = (),
) -> None:
    """Add ``NAME [--json]``: print the rows of ``table()`` as JSON, or for people with
    ``show(rows)``; exit status 0."""
    parser = sub.add_parser(name, aliases=list(aliases), help=help, description=description)
    parser.add_argument("--json", action="store_true", help="print JSON")

    def run(args: argparse.Namespace) -> int:
        rows = table()
        if args.json:
            print_json(rows)
        else:
            show(rows)
        return 0

    parser.set_defaults(func=run)


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
