"""The median stopping rule around any black-box strategy (learning-curve early stopping).

Golovin, Solnik, Moitra, Kochanski, Karro & Sculley, "Google Vizier: A Service for Black-Box
Optimization", KDD 2017, Section 3.2.2: a pending trial is stopped at step ``s`` when its best
objective up to ``s`` is strictly worse than the median of the running averages, up to ``s``,
of the objectives of the trials that completed. Here a trial is the base strategy's proposal
trained along the benchmark's fidelities at ``steps`` (default: the successive-halving ladder
with ``eta=3``); each step continues the same training (``Candidate.resume_from``), so on a
benchmark that can resume, a stopped trial costs only the epochs it ran. The rule starts once
``min_trials`` trials have completed (default 3, Vizier's practice of a small warm-up).

The base strategy is told one observation per trial: the one at ``max`` fidelity when the trial
completes, the last one it reached when it is stopped (its ``fidelity`` says which), so any
single-fidelity strategy (random, rea, bananas, ...) can be wrapped:
``{name: median_stopping, kwargs: {base: rea, base_kwargs: {population_size: 10}}}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import (
    Candidate,
    Searcher,
    create_strategy,
    register_strategy,
)
from nasbench_suite.strategies.fidelity import rung_ladder


@dataclass
class _Trial:
    arch: int
    base_candidate: Candidate
    step: int = 0  # index into steps of the next evaluation
    scores: list[float] = field(default_factory=list)
    running: bool = False


@register_strategy("median_stopping")
class MedianStopping(Searcher):
    """Median stopping rule (Golovin et al., KDD 2017) around a base strategy.

    Args:
        base: name of the wrapped strategy (default ``random``); ``base_kwargs`` its arguments.
        fidelities: the benchmark's fidelities (the runner passes them).
        steps: fidelities at which a trial is measured (default: the ``eta=3`` ladder).
        min_trials: completed trials needed before any trial is stopped (default 3).
    """

    paper = ("Golovin et al., Google Vizier: A Service for Black-Box Optimization, KDD 2017 "
             "(median stopping rule)")
    multi_fidelity = True

    def __init__(self, space, seed=0, objective=None, fidelities: Sequence[int] | None = None,
                 base: str = "random", base_kwargs: dict | None = None,
                 steps: Sequence[int] | None = None, min_trials: int = 3) -> None:
        super().__init__(space, seed=seed, objective=objective)
        if base == self.name:
            raise NasBenchError("median_stopping cannot wrap itself")
        ladder = rung_ladder(fidelities, 3, owner=self.name)
        if steps is not None:
            offered = {int(f) for f in fidelities or ()}
            bad = [s for s in steps if s not in offered]
            if bad or not steps:
                raise NasBenchError(f"median_stopping: steps {list(steps)!r} must be fidelities "
                                    "of this benchmark")
            ladder = tuple(sorted({int(s) for s in steps}))
        if isinstance(min_trials, bool) or not isinstance(min_trials, int) or min_trials < 1:
            raise NasBenchError(f"median_stopping: min_trials must be a positive integer, "
                                f"got {min_trials!r}")
        self.steps, self.min_trials = ladder, min_trials
        self.budgets = list(ladder)
        child_seed = np.random.SeedSequence(list(np.atleast_1d(self.rng.integers(2**32, size=2))))
        self.base = create_strategy(base, space, seed=child_seed, objective=objective,
                                    **dict(base_kwargs or {}))
        self.base_name = base
        self._trials: dict[int, _Trial] = {}  # running or resumable trials by arch
        self._ready: list[_Trial] = []  # trials whose next step can be asked
        self._completed: list[list[float]] = []  # score curves of completed trials
        self.stopped = 0

    def ask(self) -> Candidate | None:
        if self._ready:
            trial = self._ready.pop(0)
        else:
            cand = self.base.ask()
            if cand is None:
                return None
            trial = _Trial(int(cand.arch_index), cand)
            if trial.arch in self._trials:  # already being trained: let the base see it again
                self.base.tell(cand, _nan_observation(trial.arch, self.steps[0]))
                return self.ask()
            self._trials[trial.arch] = trial
        trial.running = True
        resume = self.steps[trial.step - 1] if trial.step else None
        return Candidate(trial.arch, self.steps[trial.step], resume_from=resume)

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        trial = self._trials.get(int(candidate.arch_index))
        if trial is None or not trial.running:
            return
        trial.running = False
        trial.scores.append(self.score(observation))
        trial.step += 1
        if trial.step >= len(self.steps):
            self._completed.append(trial.scores)
            self._finish(trial, observation)
        elif self._should_stop(trial):
            self.stopped += 1
            self._finish(trial, observation)
        else:
            self._ready.append(trial)

    def _should_stop(self, trial: _Trial) -> bool:
        if len(self._completed) < self.min_trials:
            return False
        s = len(trial.scores)
        averages = [float(np.mean(curve[:s])) for curve in self._completed]
        return max(trial.scores) < float(np.median(averages))

    def _finish(self, trial: _Trial, observation: Observation) -> None:
        del self._trials[trial.arch]
        self.base.tell(trial.base_candidate, observation)


def _nan_observation(arch: int, fidelity: int) -> Observation:
    return Observation(arch, float("nan"), 0.0, fidelity)
