"""Tree-structured Parzen Estimator via Optuna's :class:`~optuna.samplers.TPESampler` (ask/tell).

Optuna is imported on the first :meth:`~TPE.ask`, so importing the strategy registry stays cheap.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import ArchError, NasBenchError
from nasbench_suite.strategies._spacetools import MAX_REDRAWS, normalise
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy


def param_names(space) -> tuple[str, ...]:
    """One Optuna parameter per dimension, named after it with spaces as ``_`` (NB201:
    ``edge_0->1``, ... in arch-string order)."""
    return tuple(d.name.replace(" ", "_") for d in space.dims)


def _int_seed(seed) -> int:
    """A 32-bit int for Optuna from an int or a :class:`numpy.random.SeedSequence`."""
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return int(seq.generate_state(1, dtype=np.uint32)[0])


@register_strategy("tpe")
class TPE(Searcher):
    """TPE with one categorical parameter per dimension (NB201: the six edge operations),
    driven by Optuna's ask/tell interface.

    On spaces with conditional dimensions every dimension is suggested and the inactive ones
    are then set to choice 0 (the configuration evaluated); Optuna still sees the values it
    suggested, as a flat (non-conditional) search space.

    Papers: Bergstra, Bardenet, Bengio & Kegl, *Algorithms for Hyper-Parameter Optimization*,
    NeurIPS 2011 (TPE); Falkner, Klein & Hutter, *BOHB*, ICML 2018 (multivariate KDE, Optuna's
    ``multivariate=True``); Akiba et al., *Optuna*, KDD 2019. Defaults are Optuna's published
    :class:`TPESampler` defaults (``n_startup_trials=10``, ``n_ei_candidates=24``, and
    multivariate TPE, which Optuna 5.0 selects by default for single-objective studies).

    TPE may propose a cell that was already evaluated (the method does not forbid repeats); a
    NaN or infinite objective is told to Optuna as a failed trial.

    Args:
        n_startup_trials: random trials before TPE takes over.
        multivariate: joint (True) or independent per-edge (False) Parzen estimators.
        n_ei_candidates: samples from l(x) ranked by l(x)/g(x) per suggestion.
    """

    paper = (
        "Bergstra, Bardenet, Bengio & Kegl, Algorithms for Hyper-Parameter Optimization, "
        "NeurIPS 2011; Akiba et al., Optuna, KDD 2019"
    )

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        n_startup_trials: int = 10,
        multivariate: bool = True,
        n_ei_candidates: int = 24,
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        checks = (("n_startup_trials", n_startup_trials), ("n_ei_candidates", n_ei_candidates))
        for name, value in checks:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise NasBenchError(f"{name} must be an integer >= 1, got {value!r}")
        if not isinstance(multivariate, (bool, np.bool_)):
            raise NasBenchError(f"multivariate must be True or False, got {multivariate!r}")
        self.n_startup_trials = int(n_startup_trials)
        self.multivariate = bool(multivariate)
        self.n_ei_candidates = int(n_ei_candidates)
        self._study = None
        self._pending: dict[int, deque] = {}

    def _make_study(self):
        import warnings

        import optuna
        from optuna.distributions import CategoricalDistribution

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning for multivariate in old Optuna
            sampler = optuna.samplers.TPESampler(
                seed=_int_seed(self.seed),
                n_startup_trials=self.n_startup_trials,
                n_ei_candidates=self.n_ei_candidates,
                multivariate=self.multivariate,
            )
        self._optuna = optuna
        self._names = param_names(self.space)
        self._dists = [CategoricalDistribution(list(d.choices)) for d in self.space.dims]
        self._study = optuna.create_study(direction="maximize", sampler=sampler)

    def ask(self) -> Candidate:
        if self._study is None:
            self._make_study()
        for _ in range(MAX_REDRAWS):
            trial = self._study.ask()
            config = [
                dim.choices.index(trial.suggest_categorical(name, list(dim.choices)))
                for name, dim in zip(self._names, self.space.dims)
            ]
            config = normalise(self.space, np.asarray([config]))[0]
            try:
                index = self.space.id_of(tuple(int(c) for c in config))
            except ArchError:  # not in the space (NAS-Bench-Graph's all-skip cell): ask again
                self._study.tell(trial, state=self._optuna.trial.TrialState.FAIL)
                continue
            self._pending.setdefault(index, deque()).append(trial)
            return Candidate(index)
        # told later as an observation it did not ask for (added as a finished trial)
        return Candidate(int(self.space.sample(self.rng)))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        if self._study is None:
            self._make_study()
        index = int(candidate.arch_index)
        value = self.score(observation)
        queue = self._pending.get(index)
        state = self._optuna.trial.TrialState
        if queue:
            trial = queue.popleft()
            if math.isfinite(value):
                self._study.tell(trial, value)
            else:
                self._study.tell(trial, state=state.FAIL)
            return
        # an observation this searcher did not ask for: add it as a finished trial
        config = self.space.config(index)
        params = {
            name: dim.choices[c] for name, dim, c in zip(self._names, self.space.dims, config)
        }
        finite = math.isfinite(value)
        self._study.add_trial(
            self._optuna.trial.create_trial(
                params=params,
                distributions=dict(zip(self._names, self._dists)),
                value=value if finite else None,
                state=state.COMPLETE if finite else state.FAIL,
            )
        )
