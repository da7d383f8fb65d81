"""ASHA and asynchronous Hyperband: successive halving without waiting for rungs.

Li, Jamieson, Rostamizadeh, Gonina, Ben-Tzur, Hardt, Recht & Talwalkar, "A System for Massively
Parallel Hyperparameter Tuning", MLSys 2020 (Algorithm 2). Rungs ``r_k`` are the geometric ladder
of :func:`~nasbench_suite.strategies.fidelity.rung_ladder` (``eta=3``, the paper's default).
Whenever a worker asks, ASHA looks from the top rung down for a configuration that is in the top
``1/eta`` of its rung and not yet promoted, and promotes it to the next rung; if there is none it
starts a new random configuration at the bottom rung. It never waits for a rung to fill, so with
W simulated workers no worker idles. A promotion continues the same training
(``Candidate.resume_from`` = the rung it was trained to), so on a benchmark that can resume
training only the extra epochs are charged.

Asynchronous Hyperband (the paper's Section 3.3 / Syne Tune's ``hyperband`` with several
brackets) runs ASHA in brackets ``s = 0..s_max`` whose bottom rung is the ``s``-th rung of the
ladder, and assigns each new configuration to the next bracket in turn.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy
from nasbench_suite.strategies.fidelity import rung_ladder


class _Rungs:
    """One ASHA bracket: per rung, the sorted results and a heap of the unpromoted ones.

    Results are keyed ``(-score, order)`` (best first, earlier wins ties). A rung's best
    unpromoted result can be promoted when its rank among *all* the rung's results is below
    ``floor(n / eta)``; both lookups are O(log n), so a long run stays fast.
    """

    def __init__(self, rungs: tuple[int, ...], eta: float) -> None:
        self.rungs = rungs
        self.eta = eta
        self.keys: list[list[tuple[float, int]]] = [[] for _ in rungs]
        self.unpromoted: list[list[tuple[float, int, int]]] = [[] for _ in rungs]

    def add(self, k: int, score: float, arch: int, order: int) -> None:
        bisect.insort(self.keys[k], (-score, order))
        heapq.heappush(self.unpromoted[k], (-score, order, arch))

    def promote(self) -> tuple[int, int] | None:
        """Take (arch, rung k) of a configuration to promote from rung k to k+1, or None."""
        for k in range(len(self.rungs) - 2, -1, -1):
            heap = self.unpromoted[k]
            if not heap:
                continue
            n_top = int(len(self.keys[k]) / self.eta)
            key = heap[0][:2]
            if bisect.bisect_left(self.keys[k], key) < n_top:
                return heapq.heappop(heap)[2], k
        return None


@register_strategy("asha")
class ASHA(Searcher):
    """Asynchronous successive halving (Li et al., MLSys 2020).

    Args:
        fidelities: the benchmark's fidelities (the runner passes them).
        eta: reduction factor (default 3). ``min_budget`` / ``max_budget``: the rung range
            (default: the benchmark's smallest and largest fidelity).
    """

    paper = ("Li et al., A System for Massively Parallel Hyperparameter Tuning (ASHA), "
             "MLSys 2020")
    multi_fidelity = True

    def __init__(self, space, seed=0, objective=None, fidelities: Sequence[int] | None = None,
                 eta: float = 3, min_budget: int | None = None,
                 max_budget: int | None = None) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.eta = float(eta)
        self.ladder = rung_ladder(fidelities, eta, min_budget, max_budget, owner=self.name)
        self.budgets = list(self.ladder)
        self._brackets = self._make_brackets()
        self._bracket_of: dict[int, int] = {}  # arch -> bracket number
        self._order = 0
        self._n_new = 0

    def _make_brackets(self) -> list[_Rungs]:
        return [_Rungs(self.ladder, self.eta)]

    def _new_bracket(self) -> int:
        return 0

    def ask(self) -> Candidate:
        for b, bracket in enumerate(self._brackets):
            job = bracket.promote()
            if job is not None:
                arch, k = job
                return Candidate(arch, bracket.rungs[k + 1], resume_from=bracket.rungs[k])
        b = self._new_bracket()
        self._n_new += 1
        arch = self._new_config()
        self._bracket_of[arch] = b
        return Candidate(arch, self._brackets[b].rungs[0])

    def _new_config(self) -> int:
        """A new configuration (ASHA: uniform at random; avoids re-using a started one)."""
        for _ in range(100):
            arch = int(self.space.sample(self.rng))
            if arch not in self._bracket_of:
                return arch
        return int(self.space.sample(self.rng))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        b = self._bracket_of.get(int(candidate.arch_index))
        if b is None:
            return  # not one of ours: nothing to learn
        bracket = self._brackets[b]
        fid = candidate.fidelity if candidate.fidelity is not None else observation.fidelity
        if fid not in bracket.rungs:
            raise NasBenchError(f"{self.name}: told a fidelity {fid} that is not a rung "
                                f"{bracket.rungs}")
        k = bracket.rungs.index(fid)
        bracket.add(k, self.score(observation), int(candidate.arch_index), self._order)
        self._order += 1


@register_strategy("async_hyperband")
class AsyncHyperband(ASHA):
    """Asynchronous Hyperband: ASHA brackets with different early-stopping rates.

    Li et al., MLSys 2020, Section 3.3: bracket ``s`` starts configurations at the ``s``-th rung
    of the ladder (``s = 0`` is ASHA itself); new configurations go to the brackets in turn.
    """

    paper = ("Li et al., A System for Massively Parallel Hyperparameter Tuning (asynchronous "
             "Hyperband), MLSys 2020")

    def _make_brackets(self) -> list[_Rungs]:
        return [_Rungs(self.ladder[s:], self.eta) for s in range(len(self.ladder))]

    def _new_bracket(self) -> int:
        return self._n_new % len(self._brackets)
