"""Fidelity ladders shared by the multi-fidelity strategies (successive halving and relatives).

A benchmark offers a sorted tuple of fidelities (training epochs): two recorded schedules on
NB201 (12, 200), every epoch 1..98 on NAS-Bench-301, any epoch on the training benchmark.
Successive halving wants the geometric ladder ``max * eta**-k`` (Li et al. 2018; HpBandSter):
:func:`rung_ladder` builds it inside ``[min_budget, max_budget]`` and snaps every rung to the
nearest fidelity the benchmark offers (dropping duplicates), so the same strategy gives
``(1, 4, 11, 33, 98)`` on NAS-Bench-301 and ``(12, 200)`` on NB201.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nasbench_suite.errors import NasBenchError


def check_fidelities(owner: str, fidelities: Sequence[int] | None) -> tuple[int, ...]:
    """The benchmark's fidelities as a sorted tuple of positive ints (error naming ``owner``)."""
    if fidelities is None:
        raise NasBenchError(f"{owner} needs the benchmark's fidelities (a multi-fidelity "
                            "benchmark; the runner passes them)")
    out = sorted({int(f) for f in fidelities})
    if any(isinstance(f, bool) for f in fidelities) or (out and out[0] < 0):
        raise NasBenchError(f"{owner}: fidelities must be non-negative integers, "
                            f"got {fidelities!r}")
    if len(out) < 2:
        raise NasBenchError(f"{owner} needs a benchmark with at least two fidelities; this one "
                            f"has {', '.join(map(str, out)) or 'none'}")
    return tuple(out)


def rung_ladder(
    fidelities: Sequence[int],
    eta: float = 3.0,
    min_budget: int | None = None,
    max_budget: int | None = None,
    owner: str = "strategy",
) -> tuple[int, ...]:
    """Successive-halving rungs: ``max_budget * eta**-k`` snapped to offered fidelities.

    Args:
        fidelities: what the benchmark offers (any order).
        eta: the halving rate (> 1); 3 is the published default of Hyperband, BOHB and ASHA.
        min_budget / max_budget: the range (default: the smallest / largest offered); each must
            be an offered fidelity.

    Returns the rungs, ascending, unique; the last is ``max_budget``.
    """
    fids = check_fidelities(owner, fidelities)
    lo = fids[0] if min_budget is None else int(min_budget)
    hi = fids[-1] if max_budget is None else int(max_budget)
    for name, value in (("min_budget", lo), ("max_budget", hi)):
        if value not in fids:
            raise NasBenchError(f"{owner}: {name} {value} is not a fidelity of this benchmark "
                                f"({_show(fids)})")
    if lo < 1:
        raise NasBenchError(f"{owner}: min_budget must be at least 1, got {lo}")
    if lo > hi:
        raise NasBenchError(f"{owner}: min_budget {lo} exceeds max_budget {hi}")
    if not (isinstance(eta, (int, float)) and math.isfinite(eta) and eta > 1):
        raise NasBenchError(f"{owner}: eta must be a number > 1, got {eta!r}")
    inside = [f for f in fids if lo <= f <= hi]
    s_max = math.floor(math.log(hi / lo, eta) + 1e-9) if hi > lo else 0
    rungs = set()
    for k in range(s_max, -1, -1):
        target = hi * eta ** (-k)
        rungs.add(min(inside, key=lambda f: (abs(f - target), f)))
    rungs.add(lo if s_max else hi)
    return tuple(sorted(rungs))


def _show(fids: tuple[int, ...]) -> str:
    if len(fids) > 6 and fids == tuple(range(fids[0], fids[-1] + 1)):
        return f"{fids[0]}..{fids[-1]}"
    return ", ".join(map(str, fids))
