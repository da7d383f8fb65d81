"""Validated command-line values: every number is checked where it enters, with one-line errors.

``OneLineParser`` is the parser class of every sub-command: a bad argument prints one line
(``nasbench-suite: error: ...``, naming the option and what is accepted) and exits with status 2,
as every other user error does, instead of argparse's usage block.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(str(message).split())
        sys.stderr.write(f"nasbench-suite: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in ``[low, high]``."""

    def parse(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f">= {low}" if high is None else f"between {low} and {high:,}"
            raise argparse.ArgumentTypeError(f"must be an integer {span}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def finite_float(text: str) -> float:
    """An argparse type: a finite number (no NaN / inf)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


finite_float.__name__ = "number"

SEED = int_range(0, 2**32 - 1)
EPOCHS = int_range(1, 100_000)
COUNT = int_range(1)  # images, runs: anything positive (capped later where it matters)
BATCH = int_range(1, 65_536)
CHANNELS = int_range(1, 1024)
CELLS = int_range(1, 64)
THREADS = int_range(1, 1024)
WORKERS = int_range(1)
