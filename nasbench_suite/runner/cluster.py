"""A simulated cluster: W workers on the simulated clock (Syne Tune's simulator backend).

Each worker is busy for the cost of the evaluation it was given; the searcher is asked for the
next candidate whenever a worker is free, and told each result when its evaluation *finishes*,
in finishing order. A searcher that must wait for results (a synchronous rung) returns ``None``
from ``ask``; the free worker then idles until the next evaluation finishes. With ``workers=1``
this is exactly the sequential loop (ask, evaluate, advance the clock, tell), so W = 1 gives the
same trajectories byte for byte.

Budget rule ("drop"): an evaluation that would finish after the time budget is not recorded,
not told, and cannot become the incumbent; when the earliest-finishing evaluation crosses the
budget, every running one does too, and the run stops. At most ``eval_budget`` evaluations are
started, so none is wasted past it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from nasbench_suite.errors import NasBenchError


@dataclass(frozen=True)
class Finished:
    """One evaluation that finished within the budget."""

    time_s: float  # simulated clock when it finished
    candidate: Any
    observation: Any
    worker: int


@dataclass
class ClusterState:
    """Why and how the simulation ended (read after the iterator is exhausted)."""

    stop: str = "eval_budget"
    discarded: int = 0
    started: int = 0
    idle_s: float = 0.0


def simulate(
    ask: Callable[[], Any],
    evaluate: Callable[[Any], tuple[Any, float]],
    workers: int,
    time_budget_s: float = math.inf,
    eval_budget: int | None = None,
    state: ClusterState | None = None,
) -> Iterator[Finished]:
    """Yield evaluations in the order they finish on ``workers`` simulated workers.

    Args:
        ask: the searcher's ``ask``; ``None`` means "wait for results", ``StopIteration`` ends
            the search (stop reason ``exhausted``).
        evaluate: candidate -> (observation, cost in simulated seconds).
        workers: W >= 1.
        time_budget_s / eval_budget: the run's budgets.
        state: filled with the stop reason, discarded evaluations and idle worker-seconds.

    The caller tells the searcher each yielded result before asking the iterator for the next
    one, so the searcher always knows every result finished so far when it is asked again.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise NasBenchError(f"simulated workers must be a positive integer, got {workers!r}")
    st = state if state is not None else ClusterState()
    cap = eval_budget if eval_budget is not None else math.inf
    running: list[tuple[float, int, int, Any, Any]] = []  # (finish, seq, worker, cand, obs)
    free = list(range(workers))[::-1]
    now, seq, done, exhausted = 0.0, 0, 0, False
    while True:
        while free and not exhausted and st.started < cap:
            try:
                cand = ask()
            except StopIteration:
                exhausted = True
                break
            if cand is None:
                break
            obs, cost = evaluate(cand)
            worker = free.pop()
            heapq.heappush(running, (now + cost, seq, worker, cand, obs))
            seq += 1
            st.started += 1
        if not running:
            st.stop = "exhausted" if (exhausted or st.started < cap) else "eval_budget"
            return
        finish, _, worker, cand, obs = heapq.heappop(running)
        if finish > time_budget_s:
            st.stop, st.discarded = "time_budget", 1 + len(running)
            return
        st.idle_s += len(free) * (finish - now)
        now = finish
        free.append(worker)
        done += 1
        yield Finished(now, cand, obs, worker)
        if done >= cap:
            st.stop = "eval_budget"
            return
