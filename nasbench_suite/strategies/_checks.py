"""Checks of strategy hyperparameters shared by several strategies (one line on bad values)."""

from __future__ import annotations

import math

import numpy as np

from nasbench_suite.errors import NasBenchError


def check_int(name: str, value, low: int, allow_none: bool = False) -> int | None:
    """``value`` as an int ``>= low`` (None passes when ``allow_none``); raises otherwise."""
    if allow_none and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise NasBenchError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_number(
    owner: str, name: str, value, low: float, high: float, low_open=True, high_open=False
):
    """``value`` unchanged when it is a finite number in the interval from ``low`` to ``high``
    (open or closed at each end); raises one line naming ``owner`` and the interval otherwise."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
    if not ok:
        lb, hb = "(" if low_open else "[", ")" if high_open else "]"
        raise NasBenchError(
            f"{owner}: {name} must be a number in {lb}{low}, {high}{hb}, got {value!r}"
        )
    return value
