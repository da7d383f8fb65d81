"""ASHA stops real training early: Fashion-MNIST on the CPU, a tiny network, six cells.

The driver below follows the runner's contract for multi-fidelity strategies: a candidate
``(arch, fidelity e2, resume_from e1)`` is charged ``obs.cost_s - bench.cost_to(arch, e1)``
because the training benchmark ``supports_resume``. The strategy is the coordinator's ASHA when
it is registered, else the same rule written out (Li et al., MLSys 2020, Algorithm 2).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pytest

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.train import trainer
from nasbench_suite.train.benchmark import TrainingBenchmark
from nasbench_suite.train.data import DEBIAN_FASHION_MNIST, load_dataset
from nasbench_suite.train.trainer import TrainConfig
from tests.torch_threads import one_torch_thread  # noqa: F401  (the runner's training: one thread)

TINY = TrainConfig(batch_size=64, channels=4, cells_per_stage=1, num_threads=1, eval_every_epoch=False)
RUNGS = (1, 3)  # rung_ladder(1..3, eta=3)
EVALS = 8


@dataclass(frozen=True)
class Job:
    arch_index: int
    fidelity: int
    resume_from: int | None = None


class InlineASHA:
    """ASHA's rule with one worker: promote the best unpromoted result of the highest rung that
    is in its rung's top ``1/eta``, else start a new cell at the bottom rung."""

    def __init__(self, n_cells: int, seed: int = 0, eta: int = 3) -> None:
        self.rng, self.eta, self.n_cells = np.random.default_rng(seed), eta, n_cells
        self.results = {r: [] for r in RUNGS}  # rung -> [(score, order, arch)]
        self.promoted: set[tuple[int, int]] = set()

    def ask(self) -> Job:
        for k in range(len(RUNGS) - 2, -1, -1):
            ranked = sorted(self.results[RUNGS[k]], key=lambda t: (-t[0], t[1]))
            for score, order, arch in ranked[: int(len(ranked) / self.eta)]:
                if (arch, k) not in self.promoted:
                    self.promoted.add((arch, k))
                    return Job(arch, RUNGS[k + 1], resume_from=RUNGS[k])
        return Job(int(self.rng.integers(self.n_cells)), RUNGS[0])

    def tell(self, job: Job, obs) -> None:
        rung = self.results[job.fidelity]
        rung.append((obs.valid_acc, len(rung), job.arch_index))


def _strategy(space, fidelities, n_cells):
    from nasbench_suite.strategies.base import create_strategy

    try:
        return create_strategy("asha", space, seed=0, fidelities=fidelities, eta=3)
    except UnknownNameError:  # the multi-fidelity strategies are not on this branch
        return InlineASHA(n_cells)


@pytest.mark.slow
def test_asha_stops_real_training_early_and_resumes_promotions(store, space, tmp_path, monkeypatch):
    data = load_dataset("fashion-mnist", DEBIAN_FASHION_MNIST)
    make = lambda cache: TrainingBenchmark("fashion-mnist", epochs=3, subset=256, cache_dir=tmp_path / cache,
                                           config=TINY, data=data, index_map=store.index_map)
    bench = make("asha")
    assert bench.fidelities == (1, 2, 3)
    epochs_trained = []
    real_epoch = trainer._Loop.train_epoch
    monkeypatch.setattr(trainer._Loop, "train_epoch",
                        lambda self, *a, **k: epochs_trained.append(1) or real_epoch(self, *a, **k))
    strategy = _strategy(space, bench.fidelities, 15625)  # NB201 cells
    charged = defaultdict(float)
    reached: dict[int, int] = {}
    first_obs, promotions = {}, []
    for _ in range(EVALS):
        job = strategy.ask()
        arch, e2, e1 = int(job.arch_index), int(job.fidelity), job.resume_from
        obs = bench.evaluate(arch, fidelity=e2)
        assert obs.fidelity == e2 and 0 <= obs.valid_acc <= 100
        cost = obs.cost_s - (bench.cost_to(arch, e1) if e1 else 0.0)
        assert cost > 0
        charged[arch] += cost
        if e1:
            assert reached[arch] == e1  # continues where the cell stopped
            promotions.append((arch, obs))
        else:
            first_obs[arch] = obs
        reached[arch] = max(reached.get(arch, 0), e2)
        strategy.tell(job, obs)

    # (a) stopped early: most cells trained fewer epochs than the schedule's 3
    stopped = [a for a, e in reached.items() if e < 3]
    assert len(reached) >= 5 and len(stopped) >= 3 and promotions
    # (b) promotions continued the training: each epoch trained once, each charged once
    assert len(epochs_trained) == sum(reached.values())
    for arch, obs in promotions:
        assert charged[arch] == pytest.approx(bench.cost_to(arch, 3), rel=1e-12)
        assert charged[arch] < first_obs[arch].cost_s + obs.cost_s  # not charged twice
    assert math.fsum(charged.values()) == pytest.approx(
        math.fsum(bench.cost_to(a, e) for a, e in reached.items()), rel=1e-12)
    # (c) the promoted cell's epoch-3 result is training it 0 -> 3 in one go
    arch, obs = promotions[0]
    direct = make("direct").evaluate(arch, fidelity=3)
    assert direct.valid_acc == obs.valid_acc
    assert bench.report(arch).test_acc == make("direct").report(arch).test_acc


@pytest.mark.slow
def test_hyperband_through_the_runner_continues_promoted_cells(store, tmp_path, monkeypatch):
    """Hyperband's 12 / 200 rungs served as epochs 1 / 3 of one 3-epoch schedule: the promoted
    cell continues its training (each epoch trained once) and ends where a one-go run ends."""
    import json

    from nasbench_suite.runner.executors import run_grid
    from nasbench_suite.runner.grid import expand
    from nasbench_suite.runner.spec import parse_spec

    epochs_trained = []
    real_epoch = trainer._Loop.train_epoch
    monkeypatch.setattr(trainer._Loop, "train_epoch",
                        lambda self, *a, **k: epochs_trained.append(1) or real_epoch(self, *a, **k))
    spec = parse_spec({
        "name": "hb-train", "seed": 0, "runs": 1, "strategies": ["hyperband"],
        "benchmark": {"type": "training", "search_dataset": "fashion-mnist", "epochs": 3,
                      "fidelity_epochs": {12: 1, 200: 3}, "subset": 256, "channels": 4,
                      "cells_per_stage": 1, "batch_size": 64, "cache_dir": str(tmp_path / "cache")},
        "budget": {"evals": 4},  # bracket s=1: three cells at 12, the best continued to 200
    })
    result = run_grid(expand(spec), tmp_path / "runs", workers=1, quiet=True)
    assert {r.status for r in result.results} == {"complete"}, [r.error for r in result.results]
    path = tmp_path / "runs" / "hyperband" / "fashion-mnist" / "run-0000" / "trajectory.jsonl"
    rows = [json.loads(line) for line in path.open()]
    assert [r["fidelity"] for r in rows] == [12, 12, 12, 200]
    promoted = rows[-1]["arch_index"]
    assert promoted in {r["arch_index"] for r in rows[:3]}
    assert len(epochs_trained) == 3 + 2  # three first epochs, then epochs 2-3 of the best only
    data = load_dataset("fashion-mnist", DEBIAN_FASHION_MNIST)
    direct = TrainingBenchmark("fashion-mnist", epochs=3, subset=256, cache_dir=tmp_path / "direct",
                               config=TINY, data=data, index_map=store.index_map).evaluate(promoted)
    assert direct.valid_acc == rows[-1]["valid_acc"]
    assert rows[-1]["incumbent_test_acc"]["fashion-mnist"] is not None
