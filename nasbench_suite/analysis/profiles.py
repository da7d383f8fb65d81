"""Performance profiles (Dolan & Moré 2002) and empirical CDFs of final regret across tasks.

Final regret of a run on a task = the task's optimum (best test value of any cell in the store)
minus the final incumbent's test value (>= 0). Per task and strategy the *mean* final regret is
the performance measure ``r[t, s]``; the performance ratio is ``r[t, s] / min_s r[t, s]`` with both
floored at ``floor`` (default 0.01 percentage points, so a zero regret is not a division by zero).
The profile of a strategy is ``rho_s(tau)`` = fraction of tasks with ratio <= tau: its value at
tau = 1 is the share of tasks it wins, its limit the share it solves at all. The ECDF pools every
run's final regret over all tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FLOOR = 0.01


@dataclass(frozen=True)
class Profiles:
    """Profiles of ``labels`` over ``tasks``.

    Attributes:
        regret: (tasks, strategies) mean final regret (NaN: no result).
        tau: ratio grid, shape (T,), from 1 upwards (log-spaced).
        rho: (strategies, T) fraction of tasks with ratio <= tau.
        runs: label -> sorted final regrets of every run over all tasks (for the ECDF).
    """

    labels: tuple[str, ...]
    tasks: tuple[str, ...]
    regret: np.ndarray = field(repr=False)
    tau: np.ndarray = field(repr=False)
    rho: np.ndarray = field(repr=False)
    runs: dict = field(repr=False)
    floor: float = FLOOR
    ratio: np.ndarray = field(default=None, repr=False)  # (tasks, strategies); inf: no result

    def rho_at(self, label: str, tau: float) -> float:
        """Exact profile value of ``label`` at ``tau`` (fraction of tasks with ratio <= tau)."""
        j = self.labels.index(label)
        return float((self.ratio[:, j] <= tau).sum() / max(len(self.tasks), 1))


def performance_profiles(
    per_task: dict[str, dict[str, np.ndarray]], labels, floor: float = FLOOR, points: int = 200
) -> Profiles:
    """Profiles from task name -> label -> final regrets of the runs (NaN dropped)."""
    labels = tuple(labels)
    tasks = tuple(per_task)
    regret = np.full((len(tasks), len(labels)), np.nan)
    runs: dict[str, list[float]] = {lab: [] for lab in labels}
    for i, t in enumerate(tasks):
        for j, lab in enumerate(labels):
            v = np.asarray(per_task[t].get(lab, ()), dtype=float)
            v = v[~np.isnan(v)]
            if v.size:
                regret[i, j] = v.mean()
                runs[lab].extend(float(x) for x in v)
    r = np.maximum(regret, floor)
    with np.errstate(all="ignore"):
        best = np.nanmin(r, axis=1, keepdims=True) if r.size else r
        ratio = r / best
    top = float(np.nanmax(ratio)) if np.isfinite(ratio).any() else 1.0
    tau = np.geomspace(1.0, max(top, 1.0 + 1e-9) * 1.05, points)
    n = max(len(tasks), 1)
    ratio = np.nan_to_num(ratio, nan=np.inf)
    rho = np.array(
        [[(ratio[:, j] <= t).sum() / n for t in tau] for j in range(len(labels))], dtype=float
    ).reshape(len(labels), tau.size)
    sorted_runs = {k: np.sort(np.array(v)) for k, v in runs.items()}
    return Profiles(labels, tasks, regret, tau, rho, sorted_runs, floor, ratio)


def ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, F(x)) of the empirical CDF of ``values`` (sorted, step points)."""
    v = np.sort(np.asarray(values, dtype=float))
    v = v[~np.isnan(v)]
    return v, np.arange(1, v.size + 1) / max(v.size, 1)
