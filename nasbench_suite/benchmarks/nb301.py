"""NAS-Bench-301 (DARTS space, CIFAR-10), answered by the YAHPO Gym v2 surrogate model.

Protocol. NAS-Bench-301 (Siems et al.; Zela et al., ICLR 2022) predicts the *validation*
accuracy of a DARTS cell trained for 1..98 epochs; it has **no test accuracy**. Strategies search
on the validation accuracy at their fidelity (epoch), and reports use the validation accuracy at
epoch 98 as the report metric (``info.test_metric``; the ``test_acc`` field of
:class:`NB301Report` *is* that validation accuracy).

Cost. ``evaluate(arch, fidelity=e)`` charges the runtime the surrogate predicts for training
``e`` epochs from scratch. :meth:`NB301Benchmark.cost` gives the cost of continuing a cell from
epoch ``e1`` to ``e2``: ``max(0, runtime(e2) - runtime(e1))``, as Syne Tune's simulator charges a
resumed trial. The predicted runtime is *not* strictly monotone in the epoch (a surrogate: about
2% of consecutive-epoch steps of random cells decrease, by up to ~50 s), hence the clamp.

Determinism. Outputs are deterministic (same id and epoch, same numbers); ``noise_std`` > 0 adds
Gaussian noise (percentage points) to the validation accuracy, drawn from the run's generator.
Computed values are cached by ``(id, epoch)``; :meth:`NB301Benchmark.evaluate_many` runs the
model once per batch of uncached cells.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from nasbench_suite.benchmarks import _nb301_model as model
from nasbench_suite.benchmarks.base import (
    Benchmark,
    BenchmarkInfo,
    Observation,
    Provenance,
    register_benchmark,
)
from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.spaces.darts import DartsSpace

EPOCHS = tuple(range(1, 99))
LAST = 98
TEST_METRIC = "validation accuracy at epoch 98 (%) — NAS-Bench-301 has no test set"
CITATION = (
    "Zela, Siems, Zimmer, Lukasik, Keuper, Hutter: Surrogate NAS Benchmarks: Going Beyond the "
    "Limited Search Spaces of Tabular NAS Benchmarks, ICLR 2022 (NAS-Bench-301; data "
    "doi:10.6084/m9.figshare.13286105, Apache-2.0); surrogate: Pfisterer et al., YAHPO Gym, "
    "AutoML-Conf 2022 (model_v2.onnx, slds-lmu/yahpo_data @ 0e28806)"
)
#: Largest number of (id, epoch) results kept (~280 bytes each, so ~75 MB); the cache is emptied
#: when it is reached.
CACHE_LIMIT = 262_144
#: Rows per ONNX call in batched evaluation (larger batches run slower per cell on one thread).
CHUNK = 1024


class Batch(NamedTuple):
    """Batched surrogate outputs, one entry per id."""

    valid_acc: np.ndarray  # %
    valid_ce: np.ndarray
    runtime_s: np.ndarray


@dataclass(frozen=True)
class NB301Report:
    """Every metric of one cell (reports only).

    ``test_acc`` is the report metric: the validation accuracy at epoch 98 (%), because
    NAS-Bench-301 has no test set; ``valid_acc_98`` repeats it under its true name.
    """

    benchmark: str
    dataset: str
    arch_index: int
    arch: str
    test_acc: float
    valid_acc_98: float
    valid_ce_98: float
    runtime_98: float
    test_metric: str = TEST_METRIC

    def to_json(self) -> dict:
        """JSON-safe dict."""
        return asdict(self)


@register_benchmark("nb301")
class NB301Benchmark(Benchmark):
    """NAS-Bench-301 through YAHPO Gym's ONNX surrogate (see the module docstring).

    Args:
        dataset: ``cifar10`` (the only one).
        fidelity: default epoch (1..98, default 98).
        data_dir: folder of the surrogate files (default ``$NASBENCH_SUITE_NB301`` or
            ``../shared/yahpo-nb301``).
        threads: onnxruntime intra-op threads (default 1).
        noise_std: std of Gaussian noise added to the validation accuracy (percentage points;
            default 0 = deterministic); needs the run's generator in :meth:`evaluate`.
    """

    supports_resume = True  # cost(arch, e2, e1) = runtime(e2) - runtime(e1)
    info = BenchmarkInfo(
        space="darts",
        datasets=("cifar10",),
        search_datasets=("cifar10",),
        fidelities=EPOCHS,
        default_fidelity=LAST,
        objectives=("accuracy",),
        cost="recorded",
        has_validation=True,
        test_metric=TEST_METRIC,
        notes=(
            "Surrogate (YAHPO Gym v2 ONNX model of NAS-Bench-301): predicted CIFAR-10 "
            "validation accuracy and training runtime of DARTS cells at 1..98 epochs. No test "
            "set: reports use the validation accuracy at epoch 98. Cost = predicted runtime "
            "for the epochs trained (continuation charges the difference, clamped at 0). "
            "Numbers are model predictions, not trained networks."
        ),
    )

    def __init__(self, dataset: str = "cifar10", fidelity: int | None = None,
                 data_dir: str | Path | None = None, threads: int = 1,
                 noise_std: float = 0.0) -> None:
        if dataset not in self.info.datasets:
            raise unknown("nb301 dataset", dataset, self.info.datasets)
        self.dataset = dataset
        self.fidelity = self._epoch(LAST if fidelity is None else fidelity)
        self.space = DartsSpace()
        self.noise_std = float(noise_std)
        if not np.isfinite(self.noise_std) or self.noise_std < 0:
            raise NasBenchError(f"noise_std must be a finite number >= 0, not {noise_std}")
        folder = Path(data_dir) if data_dir is not None else model.default_dir()
        self.surrogate = model.Surrogate(folder, threads=threads)
        self._cache: dict[tuple[int, int], tuple[float, float, float]] = {}

    @staticmethod
    def _epoch(epoch: Any) -> int:
        if isinstance(epoch, (bool, np.bool_)) or not isinstance(epoch, (int, np.integer)) \
                or not 1 <= int(epoch) <= LAST:
            raise NasBenchError(f"nb301 fidelity must be an epoch 1..{LAST}, not {epoch!r}")
        return int(epoch)

    # --- raw values ------------------------------------------------------------------------------
    def _store(self, key: tuple[int, int], row) -> tuple[float, float, float]:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        value = (100.0 * float(row[model.ACC]), float(row[model.CE]), float(row[model.RUNTIME]))
        self._cache[key] = value
        return value

    def _one(self, arch_id: int, epoch: int) -> tuple[float, float, float]:
        key = (arch_id, epoch)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        row = self.surrogate.x_cat_row(self.space.config(arch_id))
        out = self.surrogate.predict(np.array([row], dtype=np.int32), [epoch])[0]
        return self._store(key, out)

    def evaluate_many(self, ids, epoch: int | None = None) -> Batch:
        """Validation accuracy (%), cross-entropy and runtime (s) of many ids at one epoch,
        running the model once per :data:`CHUNK` uncached ids."""
        ep = self.fidelity if epoch is None else self._epoch(epoch)
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        out = np.empty((len(ids), 3), dtype=np.float64)
        cache = self._cache
        missing = []
        for r, i in enumerate(ids.tolist()):
            hit = cache.get((i, ep))
            if hit is None:
                missing.append(r)
            else:
                out[r] = hit
        if missing:
            todo = ids[missing]
            uniq, inverse = np.unique(todo, return_inverse=True)
            x_cat = self.surrogate.x_cat(self.space.configs(uniq))
            raw = np.concatenate([
                self.surrogate.predict(x_cat[s:s + CHUNK], np.full(len(x_cat[s:s + CHUNK]), ep))
                for s in range(0, len(uniq), CHUNK)])
            values = np.empty((len(uniq), 3), dtype=np.float64)
            values[:, 0] = 100.0 * raw[:, model.ACC].astype(np.float64)
            values[:, 1] = raw[:, model.CE]
            values[:, 2] = raw[:, model.RUNTIME]
            if len(cache) + len(uniq) > CACHE_LIMIT:
                cache.clear()
            cache.update(zip(((i, ep) for i in uniq.tolist()), map(tuple, values.tolist())))
            out[missing] = values[inverse.reshape(-1)]
        return Batch(out[:, 0], out[:, 1], out[:, 2])

    # --- the seam --------------------------------------------------------------------------------
    def evaluate(self, arch: Any, rng: np.random.Generator | None = None,
                 fidelity: int | None = None) -> Observation:
        """Validation accuracy (%) at ``fidelity`` epochs and the predicted runtime of training
        that many epochs from scratch (``cost_s``)."""
        arch_id = self.space.index(arch)
        ep = self.fidelity if fidelity is None else self._epoch(fidelity)
        acc, _, runtime = self._one(arch_id, ep)
        if self.noise_std > 0:
            if rng is None:
                raise NasBenchError("nb301 with noise_std > 0 needs the run's generator (rng)")
            acc = acc + float(rng.normal(0.0, self.noise_std))
        return Observation(arch_index=arch_id, valid_acc=acc, cost_s=max(runtime, 0.0),
                           fidelity=ep)

    def cost(self, arch: Any, epoch: int, from_epoch: int = 0) -> float:
        """Seconds to train ``arch`` from ``from_epoch`` (0 = scratch) to ``epoch`` epochs:
        ``max(0, runtime(epoch) - runtime(from_epoch))``."""
        arch_id = self.space.index(arch)
        e2 = self._epoch(epoch)
        if from_epoch == 0:
            return max(self._one(arch_id, e2)[2], 0.0)
        e1 = self._epoch(from_epoch)
        if e1 > e2:
            raise NasBenchError(f"cannot continue nb301 training from epoch {e1} back to {e2}")
        return max(self._one(arch_id, e2)[2] - self._one(arch_id, e1)[2], 0.0)

    def report(self, arch: Any, dataset: str | None = None) -> NB301Report:
        """Every metric at epoch 98; ``test_acc`` = validation accuracy at epoch 98."""
        ds = self._dataset(dataset)
        arch_id = self.space.index(arch)
        acc, ce, runtime = self._one(arch_id, LAST)
        return NB301Report(benchmark="nb301", dataset=ds, arch_index=arch_id,
                           arch=self.space.to_str(arch_id), test_acc=acc, valid_acc_98=acc,
                           valid_ce_98=ce, runtime_98=runtime)

    def test_accuracy(self, ids, dataset: str) -> np.ndarray:
        """The report metric of many ids: validation accuracy (%) at epoch 98 (batched)."""
        self._dataset(dataset)
        return self.evaluate_many(ids, LAST).valid_acc

    def provenance(self) -> Provenance:
        """The verified surrogate files with their SHA-256 and the citation."""
        return Provenance(citation=CITATION, sources=dict(self.surrogate.sums))

    def _dataset(self, dataset: str | None) -> str:
        ds = self.dataset if dataset is None else dataset
        if ds not in self.info.datasets:
            raise unknown("nb301 dataset", ds, self.info.datasets)
        return ds
