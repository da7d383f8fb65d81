"""The ``nasbench-suite`` command: parse, call, print. Each sub-command lives in ``commands/``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from nasbench_suite import __version__
from nasbench_suite.commands.argtypes import OneLineParser
from nasbench_suite.errors import NasBenchError


def command_modules() -> list[str]:
    """Modules under ``nasbench_suite.commands`` that define ``register(subparsers)``."""
    import nasbench_suite.commands as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "common")
    return [n for n in names if hasattr(importlib.import_module(f"{package.__name__}.{n}"), "register")]


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (sub-command modules are imported lazily, all light)."""
    parser = OneLineParser(
        prog="nasbench-suite",
        description="Compare NAS strategies on NAS-Bench-201: store, search, train, report.",
    )
    parser.add_argument("--version", action="version", version=f"nasbench-suite {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(f"nasbench_suite.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; user errors print one line on stderr and exit with status 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NasBenchError as exc:
        print(f"nasbench-suite: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, permission denied, a folder where a file goes, ...
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"nasbench-suite: error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nasbench-suite: interrupted; finished work is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nasbench-suite query 1 | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
