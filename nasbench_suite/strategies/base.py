"""The ask/tell searcher interface and the strategy registry.

A :class:`Searcher` proposes :class:`Candidate` ids of its
:class:`~nasbench_suite.spaces.base.SearchSpace` with :meth:`~Searcher.ask` and learns from
:class:`~nasbench_suite.benchmarks.base.Observation` objects with :meth:`~Searcher.tell`. It holds no
benchmark, clock or file: the runner owns the loop. A strategy uses the space's interface only
(dimensions, sampling, mutation, neighbours, encodings, extras it checks for), never the constants
of one particular space.

Hooks the runner relies on are declared here with their defaults (as Optuna's ``BaseSampler``
declares ``before_trial`` / ``after_trial``): :attr:`Searcher.spaces`,
:attr:`~Searcher.evaluations_are_free`, :attr:`~Searcher.searches_on_data`,
:attr:`~Searcher.multi_fidelity`, :meth:`~Searcher.compute_cost_s` and
:meth:`~Searcher.artifacts`. Observations carry validation accuracy and
cost only, never test accuracy. Constructors store and validate hyperparameters and do no work;
every random draw comes from the generator seeded by ``seed``.

Registry (timm style)::

    @register_strategy("rea")
    class RegularizedEvolution(Searcher): ...

    searcher = create_strategy("rea", space, seed=0, population_size=10)
    list_strategies()
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.registry import Registry
from nasbench_suite.spaces.base import SearchSpace


@dataclass(frozen=True)
class Candidate:
    """A proposal: an architecture id and, for multi-fidelity strategies, the epochs to train.

    ``resume_from``: the fidelity this architecture was already trained to by an earlier
    evaluation of the same run, which this one continues (a promotion in ASHA or the median
    stopping rule). On benchmarks that can continue a training (``supports_resume``) the runner
    then charges only the difference, as Syne Tune's simulator charges resumed trials; elsewhere
    (NB201's 12- and 200-epoch schedules are separate trainings) the full cost.
    """

    arch_index: int
    fidelity: int | None = None  # None: the benchmark's default fidelity
    resume_from: int | None = None


Objective = Callable[[Observation], float]


def validation_objective(obs: Observation) -> float:
    """The default objective: validation accuracy, NaN mapped to -inf (never the incumbent)."""
    return -math.inf if math.isnan(obs.valid_acc) else float(obs.valid_acc)


class Searcher(abc.ABC):
    """Base class of every search strategy.

    Args:
        space: the search space (index <-> cell, encodings; no results).
        seed: int or :class:`numpy.random.SeedSequence`; the only source of randomness.
        objective: maps an observation to the value to maximise (default: validation accuracy).
    """

    name: ClassVar[str] = "?"
    paper: ClassVar[str] = ""
    #: Names of the spaces this strategy works on; None: any space (black-box strategies).
    spaces: ClassVar[tuple[str, ...] | None] = None
    #: True: the proposed cell is a read-out of the strategy's own training (one-shot methods),
    #: so the runner charges no benchmark training time for it (only :meth:`compute_cost_s`).
    evaluations_are_free: ClassVar[bool] = False
    #: True: the strategy trains on images (argument ``data``); the runner passes the run's
    #: search dataset unless the spec names one.
    searches_on_data: ClassVar[bool] = False
    #: True: the strategy asks for several fidelities and takes the benchmark's fidelities as
    #: the argument ``fidelities`` (the runner passes ``Benchmark.fidelities``).
    multi_fidelity: ClassVar[bool] = False

    def __init__(
        self,
        space: SearchSpace,
        seed: int | np.random.SeedSequence = 0,
        objective: Objective | None = None,
    ) -> None:
        self.space = space
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.objective: Objective = objective or validation_objective

    @abc.abstractmethod
    def ask(self) -> Candidate:
        """Propose the next cell to evaluate."""

    @abc.abstractmethod
    def tell(self, candidate: Candidate, observation: Observation) -> None:
        """Learn from the evaluation of ``candidate``. NaN accuracies must be tolerated."""

    def compute_cost_s(self) -> float:
        """Real seconds of the strategy's own compute in the latest :meth:`ask` (one-shot
        training, proxy scoring), added to the clock by the runner; 0 for black-box methods."""
        return 0.0

    def artifacts(self) -> dict[str, object]:
        """Files (name -> JSON object) the runner writes into the run folder; none by default."""
        return {}

    @classmethod
    def supports(cls, space_name: str) -> bool:
        """True when this strategy can search the space named ``space_name``."""
        return cls.spaces is None or space_name in cls.spaces

    def score(self, observation: Observation) -> float:
        """The objective of an observation (NaN -> -inf)."""
        value = self.objective(observation)
        return -math.inf if value is None or math.isnan(value) else float(value)


_STRATEGIES: Registry[type[Searcher]] = Registry(
    "strategy", "nasbench_suite.strategies", plugin_kind="strategy"
)  # plug-ins: entry points nasbench_suite.strategies
_REGISTRY = _STRATEGIES.classes
register_strategy = _STRATEGIES.register  # class decorator: @register_strategy("rea")
_load_builtin = _STRATEGIES.load
list_strategies = _STRATEGIES.names
get_strategy = _STRATEGIES.get


def create_strategy(name: str, space: SearchSpace, seed=0, **kwargs) -> Searcher:
    """Instantiate strategy ``name`` on ``space``; unknown keyword arguments fail with the
    accepted ones, a space the strategy does not support with the ones it does."""
    cls = get_strategy(name)
    if not cls.supports(space.name):
        raise NasBenchError(
            f"strategy {name!r} works on the {', '.join(cls.spaces or ())} space only, not on "
            f"{space.name!r}"
        )
    try:
        return cls(space, seed=seed, **kwargs)
    except TypeError as exc:
        import inspect

        accepted = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "space", "seed")]
        raise NasBenchError(f"bad arguments for strategy {name!r} ({exc}); accepted: {', '.join(accepted)}") from None
