"""The tabular NB201 benchmark: a search-side evaluation call and a separate reporting call.

:meth:`TabularBenchmark.evaluate` is all a search strategy gets: the validation accuracy of a cell
at the chosen fidelity and its simulated cost. It reads from a table that holds validation and cost
columns only, so it *cannot* return test accuracy. :meth:`TabularBenchmark.report` returns every
stored field, test accuracy included, for trajectories and reports.

Units: accuracies in %, times in seconds, parameters and FLOPs in millions, latency in ms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from nasbench_suite.bench.datasets import DATASETS, NB201_DATASETS, SEEDS, dataset_name
from nasbench_suite.bench.store import Store, open_store
from nasbench_suite.benchmarks.base import Benchmark, BenchmarkInfo, Observation, Provenance
from nasbench_suite.errors import NasBenchError, unknown

#: Training epochs the NB201 tables answer at (the one definition; spec and strategies read
#: ``TabularBenchmark.info.fidelities``).
FIDELITIES = (12, 200)
NOISE = ("mean", "seed")
CITATION = (
    "Dong & Yang, NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture "
    "Search, ICLR 2020; Dong, Liu, Musial & Gabrys, NATS-Bench, TPAMI 2021"
)
INFO = BenchmarkInfo(
    space="nb201",
    datasets=NB201_DATASETS,
    search_datasets=tuple(d for d in NB201_DATASETS if DATASETS[d].valid is not None),
    fidelities=FIDELITIES,
    default_fidelity=200,
    objectives=("accuracy", "latency", "params", "flops"),
    cost="recorded",
    report_datasets=tuple(d for d in NB201_DATASETS if DATASETS[d].test is not None),
    notes=(
        "NAS-Bench-201 / NATS-Bench TSS tables (15,625 cells): search on cifar10-valid, cifar100 "
        "or ImageNet16-120 and report cifar10 test accuracy; 12-epoch signals are seed means, "
        "latencies come from HW-NAS-Bench / HELP."
    ),
)

__all__ = ["FIDELITIES", "INFO", "NOISE", "CellReport", "Observation", "TabularBenchmark",
           "report_cell"]


@dataclass(frozen=True)
class CellReport:
    """Every stored field of one cell on one dataset (for reports, never for search)."""

    index: int
    arch: str
    dataset: str
    test_acc: float
    valid_acc: float
    valid_acc_seeds: list[float]
    valid_acc_12ep: float
    test_acc_12ep: float
    train_time_s: float
    epoch_time_s: float
    params_m: float
    flops_m: float
    zen: float
    iso_class: int
    func_class: int
    latency_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        """JSON-safe dict (NaN becomes None)."""
        return _nan_to_none(asdict(self))


def _nan_to_none(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return value


@dataclass(frozen=True)
class _SearchTable:
    """The only columns the search side can read: validation accuracy and cost."""

    valid: dict[int, np.ndarray]  # fidelity -> (n,) seed mean
    valid_seeds: np.ndarray  # (n, 3), 200 epochs
    epoch_time: np.ndarray  # (n,)
    latency: np.ndarray | None


class TabularBenchmark(Benchmark):
    """NB201 lookups with a simulated clock (registered as benchmark ``nb201``).

    Args:
        dataset: NB201 dataset to search on (``cifar10-valid``, ``cifar100``, ``ImageNet16-120``).
        fidelity: default training epochs of the signal, 12 or 200.
        noise: ``"mean"`` returns the seed mean; ``"seed"`` returns one recorded training seed
            drawn from the caller's generator (200 epochs only: the 12-epoch tables are means).
        latency_device: if set, observations also carry the latency on this stored device.
        store: a loaded :class:`Store` (default: :func:`open_store`).
    """

    name = "nb201"
    info = INFO

    def __init__(
        self,
        dataset: str = "cifar10-valid",
        fidelity: int = 200,
        noise: str = "mean",
        latency_device: str | None = None,
        store: Store | None = None,
    ) -> None:
        self.store = store if store is not None else open_store()
        self.dataset = dataset_name(dataset)
        if DATASETS[self.dataset].valid is None:
            raise NasBenchError(
                f"{self.dataset} has no validation split (NB201 trains it on train+valid); "
                "search on cifar10-valid and report cifar10 test accuracy"
            )
        self.fidelity = _check_fidelity(fidelity)
        if noise not in NOISE:
            raise unknown("noise mode", noise, NOISE)
        self.noise = noise
        latency = self.store.latency(latency_device) if latency_device else None
        self.latency_device = latency_device
        col = lambda f: self.store.column(f, self.dataset)
        self._search = _SearchTable(
            valid={12: col("valid_acc_12ep"), 200: col("valid_acc")},
            valid_seeds=col("valid_acc_seeds"),
            epoch_time=col("epoch_time_s"),
            latency=latency,
        )
        self._space = None

    @classmethod
    def check_spec(cls, options, where: str = "benchmark") -> dict:
        """Fidelity (12 / 200), noise (``seed`` needs 200) and latency device, defaults filled."""
        return check_nb201_options(options, where)

    @classmethod
    def from_spec(cls, dataset: str, options, store=None) -> TabularBenchmark:
        """Built from a spec's options (``fidelity``, ``noise``, ``latency_device``); the store
        (``store`` folder, else the default one) is loaded once per process."""
        return cls(dataset, store=shared_store(store), **options)

    @property
    def space(self):
        """The ``nb201`` search space of this store (index <-> cell, no results)."""
        if self._space is None:
            from nasbench_suite.spaces.nb201 import NB201Space

            self._space = NB201Space(self.store.index_map)
        return self._space

    def provenance(self) -> Provenance:
        """The raw files the store's columns were read from (with SHA-256) and the citation."""
        sources = {
            col["source"]: col["sha256"]
            for col in self.store.manifest.get("columns", {}).values()
            if col.get("sha256")
        }
        return Provenance(CITATION, dict(sorted(sources.items())), self.store.checksum)

    # --- search side --------------------------------------------------------------------------
    def cost(self, index: int | np.ndarray, fidelity: int | None = None) -> float | np.ndarray:
        """Simulated seconds to train ``index`` for ``fidelity`` epochs (recorded time per epoch).

        The 12-epoch schedule was not timed in the public tables; NB201's per-epoch time of the
        200-epoch run stands in (the usual convention), so 12 epochs cost 12/200 of 200.
        """
        fid = self.fidelity if fidelity is None else _check_fidelity(fidelity)
        out = self._search.epoch_time[index] * fid
        return float(out) if np.ndim(out) == 0 else out

    def evaluate(
        self, arch, rng: np.random.Generator | None = None, fidelity: int | None = None
    ) -> Observation:
        """Validation signal and cost of one cell (arch string, op tuple or NB201 index).

        ``rng`` is required when ``noise="seed"``; it draws which recorded seed is returned.
        """
        index = self.store.index_map.index(arch)
        fid = self.fidelity if fidelity is None else _check_fidelity(fidelity)
        table, seed = self._search, None
        if self.noise == "seed":
            value, seed = self._draw_seed(index, fid, rng)
        else:
            value = float(table.valid[fid][index])
        latency = None if table.latency is None else float(table.latency[index])
        return Observation(index, value, float(table.epoch_time[index]) * fid, fid, seed, latency)

    def evaluate_many(
        self, indices: Sequence[int] | np.ndarray, fidelity: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised seed-mean lookup: (valid_acc, cost_s) arrays for an int array of indices."""
        idx = np.asarray(indices, dtype=np.int64)
        fid = self.fidelity if fidelity is None else _check_fidelity(fidelity)
        return self._search.valid[fid][idx], self._search.epoch_time[idx] * fid

    def _draw_seed(self, index: int, fid: int, rng: np.random.Generator | None) -> tuple[float, int]:
        if rng is None:
            raise NasBenchError("noise='seed' needs the caller's numpy Generator (rng=...)")
        if fid != 200:
            raise NasBenchError("per-seed results exist only for 200 epochs; use noise='mean' at 12")
        row = self._search.valid_seeds[index]
        available = np.flatnonzero(~np.isnan(row))
        if available.size == 0:
            return math.nan, None  # type: ignore[return-value]
        pick = int(available[rng.integers(available.size)])
        return float(row[pick]), SEEDS[pick]

    # --- reporting side -----------------------------------------------------------------------
    def report(self, arch, dataset: str | None = None) -> CellReport:
        """Every stored field of ``arch`` on ``dataset`` (default: the search dataset)."""
        return report_cell(self.store, arch, dataset or self.dataset)

    def test_accuracy(self, indices, dataset: str) -> np.ndarray:
        """Seed-mean 200-epoch test accuracy (%) of NB201 indices on ``dataset`` (reports only)."""
        return self.store.column("test_acc", dataset)[np.asarray(indices, dtype=np.int64)]


_STORES: dict = {}


def check_nb201_options(options, where: str = "benchmark") -> dict:
    """The NB201 spec options ``fidelity`` (default 200), ``noise`` (default ``mean``) and
    ``latency_device`` (default None; checked against the default store when there is one)."""
    out = dict(options)
    fidelity = out.get("fidelity", 200)
    if isinstance(fidelity, bool) or fidelity not in FIDELITIES:
        raise NasBenchError(f"{where}.fidelity must be 12 or 200 (epochs), got {fidelity!r}")
    noise = out.get("noise", "mean")
    if noise not in NOISE:
        raise NasBenchError(f"{where}.noise must be one of {', '.join(NOISE)}, got {noise!r}")
    if noise == "seed" and fidelity != 200:
        raise NasBenchError(
            f"{where}.noise: seed needs fidelity 200 (the 12-epoch tables are seed means)"
        )
    device = out.get("latency_device")
    if device is not None:
        try:
            devices = open_store().devices
        except NasBenchError:  # no store yet: the benchmark checks the device when it is built
            devices = None
        if devices is not None and device not in devices:
            raise NasBenchError(
                f"unknown {where}.latency_device {device!r}; known: {', '.join(devices)}"
            )
        device = str(device)
    out.update(fidelity=int(fidelity), noise=noise, latency_device=device)
    return out


def shared_store(path=None) -> Store:
    """The store at ``path`` (default location if None), loaded once per process and folder.

    The default location is resolved on each call (``$NASBENCH_SUITE_STORE`` may change), so a
    store cached for one location is never served for another.
    """
    from pathlib import Path

    from nasbench_suite.paths import default_store_dir

    key = ("default", str(default_store_dir())) if path is None else ("path", str(path))
    if key not in _STORES:
        _STORES[key] = open_store() if path is None else Store.load(Path(path))
    return _STORES[key]


_SCALAR_FIELDS = ("test_acc", "valid_acc", "valid_acc_12ep", "test_acc_12ep", "train_time_s",
                  "epoch_time_s", "params_m", "flops_m", "zen")


def report_cell(store: Store, arch, dataset: str) -> CellReport:
    """Every stored field of one cell on one dataset."""
    index = store.index_map.index(arch)
    ds = dataset_name(dataset)
    scalars = store.row_table(ds, _SCALAR_FIELDS)[index].tolist()
    return CellReport(
        index,
        store.index_map.arch_str(index),
        ds,
        *scalars[:2],
        store.column("valid_acc_seeds", ds)[index].tolist(),
        *scalars[2:],
        int(store.columns["iso_class"][index]),
        int(store.columns["func_class"][index]),
        dict(zip(store.devices, store.latency_table()[index].tolist())),
    )


def _check_fidelity(fidelity: int) -> int:
    if fidelity not in FIDELITIES:
        raise unknown("fidelity (epochs)", fidelity, [str(f) for f in FIDELITIES])
    return int(fidelity)
