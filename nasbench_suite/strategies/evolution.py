"""Regularized evolution, 'REA' (Real, Aggarwal, Huang & Le, AAAI 2019; NB201's R-EA setting)."""

from __future__ import annotations

from collections import deque

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy


def _positive_int(owner: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise NasBenchError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


@register_strategy("rea")
class RegularizedEvolution(Searcher):
    """Aging (regularized) evolution with tournament selection.

    Real, Aggarwal, Huang & Le, "Regularized Evolution for Image Classifier Architecture
    Search", AAAI 2019, with the NAS-Bench-201 / NATS-Bench settings (Dong & Yang, ICLR 2020):
    ``population_size=10``, ``sample_size=3``; the mutation changes the op of one uniformly drawn
    edge to a different op (:meth:`SearchSpace.mutate`).

    * The first ``population_size`` asks are uniform random cells (the initial population).
    * Every later ask draws ``sample_size`` members of the population uniformly without
      replacement (as NB201's ``R_EA.py``), takes the one with the best :meth:`score` (the first
      drawn on ties) and proposes one random single-edge mutation of it.
    * Every tell appends the evaluated cell to the population and, once the population holds
      more than ``population_size`` members, removes the oldest (aging: age = order of tells).

    The loop is meant to alternate strictly ask, tell, ask, tell. The searcher still works when
    it does not: a tell for a candidate from an earlier ask is appended like any other (its age
    is its tell time), an ask whose tell never comes is forgotten, and an ask that finds the
    population empty (initial asks not answered yet) proposes a random cell. A NaN accuracy
    scores ``-inf``: the cell joins the population, never wins a tournament against a finite
    member, and ages out.
    """

    paper = (
        "Real, Aggarwal, Huang & Le, Regularized Evolution for Image Classifier Architecture "
        "Search, AAAI 2019"
    )

    def __init__(
        self, space, seed=0, objective=None, population_size: int = 10, sample_size: int = 3
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.population_size = _positive_int("rea", "population_size", population_size)
        self.sample_size = _positive_int("rea", "sample_size", sample_size)
        if self.sample_size > self.population_size:
            raise NasBenchError(
                f"rea: sample_size ({sample_size}) cannot exceed "
                f"population_size ({population_size})"
            )
        self._population: deque[tuple[int, float]] = deque()  # (index, score), oldest first
        self._asked = 0
        self.last_parent: int | None = None  # parent of the last child proposed (None: random)

    @property
    def population(self) -> list[tuple[int, float]]:
        """The current population as (NB201 index, score), oldest first."""
        return list(self._population)

    def ask(self) -> Candidate:
        self._asked += 1
        if self._asked <= self.population_size or not self._population:
            self.last_parent = None
            return Candidate(self.space.sample(self.rng))
        k = min(self.sample_size, len(self._population))
        picks = self.rng.choice(len(self._population), size=k, replace=False)
        best = max(picks, key=lambda i: self._population[i][1])  # first drawn wins ties
        parent = self._population[int(best)][0]
        self.last_parent = parent
        return Candidate(self.space.mutate(parent, self.rng))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        self._population.append((int(candidate.arch_index), self.score(observation)))
        while len(self._population) > self.population_size:
            self._population.popleft()
