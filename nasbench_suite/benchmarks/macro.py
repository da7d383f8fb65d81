"""NAS-Bench-Macro as a benchmark: 6,561 chain networks on CIFAR-10, three trainings each.

**This benchmark has no held-out validation set.** Each network was trained three times
(50 epochs, seeds 0, 1, 2) on the CIFAR-10 training set, and the only accuracy recorded is on the
CIFAR-10 *test* set; the authors' script even records the best test accuracy over the 50 epochs,
not the last. No training time is recorded either. The protocol used here, and what it does not
fix:

* **Search signal** (:meth:`MacroBenchmark.evaluate`): the test accuracy of *one* of the three
  recorded trainings, drawn uniformly with the caller's ``rng`` (a seeded numpy Generator); the
  draw is returned as ``Observation.seed``. Without an ``rng`` the rule is deterministic: seed
  index 0. ``Observation.valid_acc`` therefore carries a test-set number: there is nothing else.
* **Report** (:meth:`MacroBenchmark.report`, :meth:`MacroBenchmark.test_accuracy`): the mean of
  the three trainings. The searched seed is one of the three, so the reported number is not
  independent of the search signal; comparisons between strategies stay fair (every strategy
  sees the same kind of signal) but absolute figures are optimistic, as on any benchmark that
  searches on its test set.
* **Cost**: 1.0 per evaluation (``cost="evaluations"``); budgets are numbers of evaluations.
* **Aliases**: strings that differ only in where a stage's identity layers sit name one network;
  the JSON already copies the trained representative's record to every alias (checked when the
  store is built), and ``report`` names the representative (``canonical``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmarks._macro_store import RAW_FILE, open_store
from nasbench_suite.benchmarks.base import (
    Benchmark,
    BenchmarkInfo,
    Observation,
    Provenance,
    register_benchmark,
)
from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.spaces.base import create_space
from nasbench_suite.spaces.macro import SIZE

EPOCHS = 50
N_SEEDS = 3
CITATION = ("Su, Wang, You, Wang, Qian, Zhang, Xu. Prioritized Architecture Sampling with "
            "Monte-Carlo Tree Search. CVPR 2021 (NAS-Bench-Macro, github.com/xiusu/NAS-Bench-Macro)")
NOTES = (
    "No held-out validation set: the only metric is CIFAR-10 test accuracy (best epoch of 50) of "
    "three trainings. Search signal = one of the three, drawn with the caller's seeded rng "
    "(seed index 0 without rng); reports = their mean. No training time: each evaluation costs 1, "
    "budgets are in evaluations. Aliases (identity layers moved inside a stage) share the "
    "record of the string the authors trained (3,969 distinct networks)."
)

REPORT_NOTE = ("NAS-Bench-Macro has no held-out validation set: search saw one training's CIFAR-10 "
               "test accuracy; test_acc is the mean of the three trainings on the same test set.")


@dataclass(frozen=True)
class MacroReport:
    """Every recorded metric of one architecture (reports only; holds test accuracy)."""

    benchmark: str
    dataset: str
    index: int
    arch: str
    canonical: str
    test_acc: float
    test_acc_seeds: tuple[float, ...]
    test_acc_std: float
    params_m: float
    flops_m: float
    epochs: int = EPOCHS
    has_validation: bool = False
    note: str = REPORT_NOTE

    def to_json(self) -> dict:
        """JSON-safe dict."""
        out = asdict(self)
        out["test_acc_seeds"] = list(self.test_acc_seeds)
        return out


@register_benchmark("nb-macro")
class MacroBenchmark(Benchmark):
    """NAS-Bench-Macro on CIFAR-10 (see the module docstring for the protocol).

    Args:
        dataset: ``cifar10`` (the only one).
        store: store folder (default ``$NASBENCH_SUITE_MACRO_STORE`` or ``data/nb-macro-store``).
        raw: raw folder to build from (default ``$NASBENCH_SUITE_MACRO_RAW`` or
            ``../shared/nb-macro``).
        fidelity: must be 50 (the recipe's epochs) or None.
    """

    info = BenchmarkInfo(
        space="nb-macro",
        datasets=("cifar10",),
        search_datasets=("cifar10",),
        fidelities=(EPOCHS,),
        default_fidelity=EPOCHS,
        objectives=("accuracy", "params", "flops"),
        cost="evaluations",
        has_validation=False,
        test_metric="CIFAR-10 test accuracy (%), best of 50 epochs, mean of 3 trainings",
        notes=NOTES,
    )

    def __init__(self, dataset: str = "cifar10", store: str | Path | None = None,
                 raw: str | Path | None = None, fidelity: int | None = None) -> None:
        self.dataset = self._check_dataset(dataset)
        self.fidelity = self._check_fidelity(fidelity)
        self.space = create_space("nb-macro")
        self.columns, self.manifest = open_store(store, raw)
        self._seed_rows = self.columns["test_acc_seeds"].tolist()  # python floats: fast scalars
        self._flat_seeds = self.columns["test_acc_seeds"].ravel()
        self._observations: list[Observation | None] = [None] * (N_SEEDS * SIZE)

    # --- search side ---------------------------------------------------------------------------
    def evaluate(self, arch: Any, rng: np.random.Generator | None = None,
                 fidelity: int | None = None) -> Observation:
        """One recorded training's CIFAR-10 test accuracy (the benchmark has no validation set).

        The training is drawn uniformly from the three with ``rng`` (one raw 64-bit draw of its
        bit generator, modulo 3); seed index 0 without one. Costs 1.0 (one evaluation).
        """
        i = arch if type(arch) is int and 0 <= arch < SIZE else self.space.index(arch)
        if fidelity is not None and fidelity != EPOCHS:
            self._check_fidelity(fidelity)
        key = 3 * i + (0 if rng is None else rng.bit_generator.random_raw() % N_SEEDS)
        obs = self._observations[key]
        if obs is None:  # Observations are immutable: build each (id, seed) once
            seed = key - 3 * i
            obs = self._observations[key] = Observation(i, self._seed_rows[i][seed], 1.0, EPOCHS,
                                                        seed)
        return obs

    def evaluate_many(self, ids, rng: np.random.Generator | None = None,
                      fidelity: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`evaluate`: (accuracy of the drawn training, cost) arrays."""
        if fidelity is not None:
            self._check_fidelity(fidelity)
        idx = np.atleast_1d(self._ids(ids))
        if rng is None:
            return self.columns["test_acc_seeds"][idx, 0], np.ones(len(idx))
        seeds = (rng.bit_generator.random_raw(len(idx)) % N_SEEDS).astype(np.int64)
        return self._flat_seeds[idx * N_SEEDS + seeds], np.ones(len(idx))

    # --- reporting side ------------------------------------------------------------------------
    def report(self, arch: Any, dataset: str | None = None) -> MacroReport:
        """Every metric of ``arch`` (mean and per-training test accuracy, params, FLOPs)."""
        ds = self._check_dataset(dataset or self.dataset)
        i = self.space.index(arch)
        c = self.columns
        return MacroReport(
            benchmark=self.name, dataset=ds, index=i, arch=self.space.to_str(i),
            canonical=self.space.to_str(int(c["canonical"][i])), test_acc=float(c["test_acc"][i]),
            test_acc_seeds=tuple(float(v) for v in c["test_acc_seeds"][i]),
            test_acc_std=float(c["test_acc_std"][i]), params_m=int(c["params"][i]) / 1e6,
            flops_m=int(c["flops"][i]) / 1e6,
        )

    def test_accuracy(self, ids, dataset: str = "cifar10") -> np.ndarray:
        """Mean test accuracy (%) of the three trainings of many ids (reports only)."""
        self._check_dataset(dataset)
        return self.columns["test_acc"][self._ids(ids)]

    def lookup(self, ids, column: str) -> np.ndarray:
        """Any stored column (``params``, ``flops``, ``canonical``, ...) of many ids."""
        if column not in self.columns:
            raise unknown("nb-macro column", column, sorted(self.columns))
        return self.columns[column][self._ids(ids)]

    def provenance(self) -> Provenance:
        return Provenance(CITATION, {RAW_FILE: self.manifest["source_sha256"]},
                          self.manifest["arrays_sha256"])

    # --- helpers -------------------------------------------------------------------------------
    def _ids(self, ids) -> np.ndarray:
        idx = np.asarray(ids)
        if idx.dtype.kind not in "iu":
            return self.space._checked(ids)  # raises the standard error
        if idx.size and (idx.min() < 0 or idx.max() >= SIZE):
            return self.space._checked(ids)
        return idx

    @staticmethod
    def _check_dataset(dataset: str) -> str:
        if dataset not in MacroBenchmark.info.datasets:
            raise unknown("nb-macro dataset", dataset, MacroBenchmark.info.datasets)
        return dataset

    @staticmethod
    def _check_fidelity(fidelity) -> int:
        if fidelity is None:
            return EPOCHS
        if isinstance(fidelity, bool) or not isinstance(fidelity, (int, np.integer)) \
                or int(fidelity) != EPOCHS:
            raise NasBenchError(f"nb-macro answers only at fidelity {EPOCHS} (its recipe's epochs), "
                                f"got {fidelity!r}")
        return EPOCHS


def published_best() -> dict[str, float]:
    """The repository's figure caption: best network 93.13% mean, 2.0 M params, 85.2 M FLOPs."""
    return {"test_acc": 93.13, "params_m": 2.0, "flops_m": 85.2}

