"""Objectives a searcher maximises: validation accuracy, or MnasNet's latency-aware reward.

Every :class:`~nasbench_suite.strategies.base.Searcher` takes ``objective=`` and ranks
observations with ``self.score(obs)``; :func:`make_objective` builds one from a YAML spec::

    objective: valid_acc                                 # the default
    objective: {name: latency, target_ms: 10, w: -0.07}  # MnasNet soft constraint
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.strategies.base import Objective, validation_objective

OBJECTIVES = ("valid_acc", "latency")


@dataclass(frozen=True)
class LatencyObjective:
    """MnasNet's soft latency constraint: ``valid_acc * (latency_ms / target_ms) ** w``.

    Tan, Chen, Pang, Vasudevan, Sandler, Howard & Le, "MnasNet: Platform-Aware Neural
    Architecture Search for Mobile", CVPR 2019, Eq. 2 with ``alpha = beta = w = -0.07`` (their
    default: a cell twice as slow must be about 5% more accurate to score the same). Needs the
    latency on the benchmark's device: build the benchmark with ``latency_device=...``.
    """

    target_ms: float
    w: float = -0.07

    def __post_init__(self) -> None:
        for name, value in (("target_ms", self.target_ms), ("w", self.w)):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise NasBenchError(
                    f"latency objective: {name} must be a finite number, got {value!r}"
                )
        if self.target_ms <= 0:
            raise NasBenchError(
                f"latency objective: target_ms must be positive, got {self.target_ms!r}"
            )

    def __call__(self, obs: Observation) -> float:
        if obs.latency_ms is None:
            raise NasBenchError(
                "the latency objective needs observations with latency_ms: build the benchmark "
                "with latency_device=... (e.g. TabularBenchmark(..., latency_device='pixel3'))"
            )
        latency = float(obs.latency_ms)
        if math.isnan(obs.valid_acc) or not latency > 0:
            return math.nan  # Searcher.score maps NaN to -inf
        return float(obs.valid_acc) * (latency / self.target_ms) ** self.w


def latency_objective(target_ms: float, w: float = -0.07) -> LatencyObjective:
    """MnasNet latency-aware objective ``Observation -> float`` (:class:`LatencyObjective`)."""
    return LatencyObjective(target_ms, w)


def make_objective(spec: dict | str | None = None) -> Objective:
    """Objective from a config value: None / ``"valid_acc"`` / ``{"name": ..., ...}``.

    ``{"name": "latency", "target_ms": T, "w": W}`` gives :func:`latency_objective` (``w``
    optional, default -0.07); ``{"name": "valid_acc"}`` the default validation accuracy.
    """
    if spec is None:
        return validation_objective
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise NasBenchError(
            f"an objective spec must be a name or a mapping with 'name', got {spec!r}"
        )
    args = dict(spec)
    name = args.pop("name", None)
    if name == "valid_acc":
        if args:
            raise NasBenchError(f"objective 'valid_acc' takes no options, got {sorted(args)}")
        return validation_objective
    if name == "latency":
        allowed = {"target_ms", "w"}
        if set(args) - allowed or "target_ms" not in args:
            raise NasBenchError(
                f"objective 'latency' needs target_ms and optionally w; got {sorted(args)}"
            )
        return latency_objective(**args)
    raise unknown("objective", name, OBJECTIVES)
