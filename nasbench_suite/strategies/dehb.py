"""DEHB: differential evolution inside Hyperband's brackets.

Awad, Mallik & Hutter, "DEHB: Evolutionary Hyperband for Scalable, Robust and Efficient
Hyperparameter Optimization", IJCAI 2021 (Algorithm 1), with its published defaults: ``eta=3``,
DE ``rand/1/bin`` with mutation factor ``F=0.5`` and crossover rate ``CR=0.5``.

Why not the ``dehb`` package: its optimiser drives its own loop around a ConfigSpace and an
objective function (or a Dask cluster), while every strategy here is asked and told by the
runner on a simulated clock over a categorical :class:`~nasbench_suite.spaces.base.SearchSpace`;
so the published algorithm is implemented on the space's dimensions instead.

Representation: DE works in the unit cube, one coordinate per dimension of the space; a vector
decodes to choice ``floor(x * n_choices)`` per dimension (the ``dehb`` package's rule for
categorical parameters). A vector the space rejects (a configuration it does not contain)
falls back to its target.

Algorithm. One sub-population per budget level of the Hyperband ladder, sized as that level's
rung in the first (most exploratory) bracket. Brackets cycle as in Hyperband. The first bracket
fills the sub-populations with random configurations, successive halving promoting the best to
the next level (as in Hyperband). Afterwards, every rung of a bracket evolves: for the ``j``-th
member of the level's sub-population (the target), a mutant ``x_r1 + F (x_r2 - x_r3)`` is drawn
from a parent pool (the level's own sub-population for a bracket's first rung; the
configurations promoted from the rung below otherwise, padded with the level's sub-population
when fewer than three), crossed over with the target (binomial, at least one coordinate from the
mutant), evaluated at that level's budget, and replaces the target when it is at least as good.
Rungs are synchronous (each waits for its results, like Hyperband); the next rung promotes the
top ``1/eta`` of the trials of this one. A promoted configuration is a new training at the
higher budget (DEHB does not continue trainings).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import ArchError, NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy
from nasbench_suite.strategies.fidelity import rung_ladder


@register_strategy("dehb")
class DEHB(Searcher):
    """Differential evolution + Hyperband (Awad et al., IJCAI 2021); see the module docstring."""

    paper = ("Awad, Mallik & Hutter, DEHB: Evolutionary Hyperband for Scalable, Robust and "
             "Efficient Hyperparameter Optimization, IJCAI 2021")
    multi_fidelity = True

    def __init__(self, space, seed=0, objective=None, fidelities: Sequence[int] | None = None,
                 eta: float = 3, min_budget: int | None = None, max_budget: int | None = None,
                 mutation_factor: float = 0.5, crossover_rate: float = 0.5) -> None:
        super().__init__(space, seed=seed, objective=objective)
        for name, value in (("mutation_factor", mutation_factor),
                            ("crossover_rate", crossover_rate)):
            if not (isinstance(value, (int, float)) and 0 <= value <= 1 + (name[0] == "m")):
                raise NasBenchError(f"dehb: {name} must be in [0, {2 if name[0] == 'm' else 1}],"
                                    f" got {value!r}")
        self.eta, self.F, self.CR = float(eta), float(mutation_factor), float(crossover_rate)
        self.ladder = rung_ladder(fidelities, eta, min_budget, max_budget, owner=self.name)
        self.budgets = list(self.ladder)
        self.s_max = len(self.ladder) - 1
        self._sizes = {s: self._bracket_sizes(s) for s in range(self.s_max + 1)}
        self.pop_size = self._sizes[self.s_max]  # level i: its rung's size in bracket s_max
        self.pop: list[list[tuple[np.ndarray, float]]] = [[] for _ in self.ladder]
        self._n_brackets = 0
        self._queue: list[tuple[np.ndarray, int]] = []  # (vector, target j or -1) to hand out
        self._waiting: dict[int, tuple[np.ndarray, int]] = {}  # arch -> (vector, target j)
        self._results: list[tuple[float, np.ndarray, int]] = []  # rung results (score, x, arch)
        self._stage: tuple[int, int] | None = None  # (bracket s, stage i) being run

    def _bracket_sizes(self, s: int) -> list[int]:
        n0 = math.ceil((self.s_max + 1) / (s + 1) * self.eta**s)
        return [max(int(n0 * self.eta ** (-i)), 1) for i in range(s + 1)]

    # --- vectors <-> architectures ---------------------------------------------------------------
    def _decode(self, x: np.ndarray) -> int:
        sizes = np.array([d.size for d in self.space.dims])
        cfg = np.minimum((np.clip(x, 0, 1) * sizes).astype(np.int64), sizes - 1)
        return int(self.space.id_of(tuple(int(c) for c in cfg)))

    def _encode(self, arch: int) -> np.ndarray:
        sizes = np.array([d.size for d in self.space.dims], dtype=float)
        return (np.asarray(self.space.config(arch), dtype=float) + 0.5) / sizes

    # --- schedule --------------------------------------------------------------------------------
    def _level(self, s: int, stage: int) -> int:
        return self.s_max - s + stage

    def _start_stage(self, s: int, stage: int, promoted: list[np.ndarray]) -> None:
        n = self._sizes[s][stage]
        level = self._level(s, stage)
        pop = self.pop[level]
        self._stage, self._results = (s, stage), []
        if len(pop) < self.pop_size[level]:  # level not initialised yet: Hyperband's stage
            src = promoted if stage > 0 else [self._encode(int(self.space.sample(self.rng)))
                                              for _ in range(n)]
            self._queue = [(x, -1) for x in src[:n]]
            return
        pool = promoted if stage > 0 else [x for x, _ in pop]
        if len(pool) < 3:
            pool = pool + [x for x, _ in pop]
        self._queue = [(self._trial(j % len(pop), pool, level), j % len(pop)) for j in range(n)]

    def _trial(self, j: int, pool: list[np.ndarray], level: int) -> np.ndarray:
        pop = self.pop[level]
        target = pop[j][0] if pop else self._encode(int(self.space.sample(self.rng)))
        if len(pool) < 3:
            return self._encode(int(self.space.sample(self.rng)))
        r1, r2, r3 = (pool[int(i)] for i in self.rng.choice(len(pool), 3, replace=False))
        mutant = np.clip(r1 + self.F * (r2 - r3), 0.0, 1.0)
        cross = self.rng.random(target.size) < self.CR
        cross[self.rng.integers(target.size)] = True
        return np.where(cross, mutant, target)

    def _next_bracket(self) -> None:
        s = self.s_max - self._n_brackets % (self.s_max + 1)
        self._n_brackets += 1
        self._start_stage(s, 0, [])

    # --- ask / tell ------------------------------------------------------------------------------
    def ask(self) -> Candidate | None:
        if self._stage is None or (not self._queue and not self._waiting):
            self._advance()
        if not self._queue:
            return None  # the rung waits for its results (synchronous, like Hyperband)
        x, j = self._queue.pop(0)
        try:
            arch = self._decode(x)
        except ArchError:
            arch = int(self.space.sample(self.rng))
            x = self._encode(arch)
        s, stage = self._stage
        while arch in self._waiting:  # the same configuration twice in one rung
            arch = int(self.space.sample(self.rng))
            x = self._encode(arch)
        self._waiting[arch] = (x, j)
        return Candidate(arch, self.ladder[self._level(s, stage)])

    def _advance(self) -> None:
        if self._stage is None:
            self._next_bracket()
            return
        s, stage = self._stage
        if stage + 1 >= len(self._sizes[s]):
            self._next_bracket()
            return
        keep = self._sizes[s][stage + 1]
        ranked = sorted(self._results, key=lambda r: -r[0])
        self._start_stage(s, stage + 1, [x for _, x, _ in ranked[:keep]])

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        entry = self._waiting.pop(int(candidate.arch_index), None)
        if entry is None or self._stage is None:
            return
        x, j = entry
        score = self.score(observation)
        s, stage = self._stage
        level = self._level(s, stage)
        self._results.append((score, x, int(candidate.arch_index)))
        pop = self.pop[level]
        if j < 0 or j >= len(pop):
            if len(pop) < self.pop_size[level]:
                pop.append((x, score))
        elif score >= pop[j][1]:  # DE selection: the trial replaces its target
            pop[j] = (x, score)
