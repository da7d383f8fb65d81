"""Regularized evolution, 'REA' (Real, Aggarwal, Huang & Le, AAAI 2019; NB201's R-EA setting)."""

from __future__ import annotations

from collections import deque

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy

TOURNAMENTS = ("without_replacement", "with_replacement")
MUTATIONS = ("uniform_edge", "node_then_edge")


def _positive_int(owner: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise NasBenchError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


@register_strategy("rea")
class RegularizedEvolution(Searcher):
    """Aging (regularized) evolution with tournament selection.

    Real, Aggarwal, Huang & Le, "Regularized Evolution for Image Classifier Architecture
    Search", AAAI 2019, with the NAS-Bench-201 / NATS-Bench settings (Dong & Yang, ICLR 2020;
    Dong et al., TPAMI 2021): ``population_size=10``, ``sample_size=3``.

    * The first ``population_size`` asks are uniform random cells (the initial population).
    * Every later ask draws ``sample_size`` members of the population uniformly, takes the one
      with the best :meth:`score` (the first drawn on ties) and proposes one random single-edge
      mutation of it (:meth:`SearchSpace.mutate`: the edge gets a different op).
    * Every tell appends the evaluated cell to the population and, once the population holds
      more than ``population_size`` members, removes the oldest (aging: age = order of tells).

    Two details are options, because the authors' code and this suite's first version differ:

    * ``tournament``: ``with_replacement`` draws the ``sample_size`` members independently, so
      one member can be drawn more than once. This is what the authors' scripts do (AutoDL-
      Projects ``exps/NAS-Bench-201-algos/R_EA.py`` and ``exps/NATS-algos/regularized_ea.py``:
      ``random.choice(list(population))`` in a loop) and how AmoebaNet's Algorithm 1 reads
      ("sample <- random element from population", S times). ``without_replacement`` (default,
      this suite's original behaviour) draws ``sample_size`` distinct members.
    * ``mutation``: ``node_then_edge`` picks one of the 3 non-input nodes uniformly, then one of
      its incoming edges (the authors' ``mutate_topology_func``: edge 1<-0 gets probability 1/3,
      each edge into node 3 gets 1/9); ``uniform_edge`` (default) picks one of the 6 edges
      uniformly. The scheme is the search space's (``space.mutate(index, rng, scheme=...)``); the
      default calls ``space.mutate(index, rng)`` so any space works.

    The shipped NB201 and NATS-Bench protocol specs set ``tournament: with_replacement`` and
    ``mutation: node_then_edge`` (``experiments/nb201.yaml``, ``experiments/nats_tss.yaml``).

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
        self,
        space,
        seed=0,
        objective=None,
        population_size: int = 10,
        sample_size: int = 3,
        tournament: str = "without_replacement",
        mutation: str = "uniform_edge",
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.population_size = _positive_int("rea", "population_size", population_size)
        self.sample_size = _positive_int("rea", "sample_size", sample_size)
        if self.sample_size > self.population_size:
            raise NasBenchError(
                f"rea: sample_size ({sample_size}) cannot exceed "
                f"population_size ({population_size})"
            )
        if tournament not in TOURNAMENTS:
            raise unknown("rea tournament", tournament, TOURNAMENTS)
        if mutation not in MUTATIONS:
            raise unknown("rea mutation", mutation, MUTATIONS)
        self.tournament, self.mutation = tournament, mutation
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
        if self.tournament == "with_replacement":
            picks = self.rng.integers(len(self._population), size=self.sample_size)
        else:
            k = min(self.sample_size, len(self._population))
            picks = self.rng.choice(len(self._population), size=k, replace=False)
        best = max(picks, key=lambda i: self._population[i][1])  # first drawn wins ties
        parent = self._population[int(best)][0]
        self.last_parent = parent
        if self.mutation == "uniform_edge":
            return Candidate(self.space.mutate(parent, self.rng))
        return Candidate(self.space.mutate(parent, self.rng, scheme=self.mutation))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        self._population.append((int(candidate.arch_index), self.score(observation)))
        while len(self._population) > self.population_size:
            self._population.popleft()
