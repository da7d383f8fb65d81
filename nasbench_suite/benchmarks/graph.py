"""NAS-Bench-Graph behind the benchmark seam: nine graph datasets, search on validation.

Qin et al., NeurIPS 2022 Datasets and Benchmarks; data: the light tables of the PyPI package
``nas-bench-graph`` 1.4.0 (see :mod:`nasbench_suite.benchmarks._graph_store`). Per architecture
and dataset the tables hold validation and test performance, latency and parameter count of the
authors' final trained model; no training time and no learning curves, so:

* **budgets are in evaluations**: every :meth:`NBGraphBenchmark.evaluate` costs ``cost_s = 1.0``
  (``info.cost == "evaluations"``), whatever the architecture;
* **single fidelity**: :data:`FINAL` (0) stands for "the final epoch of the authors' per-dataset
  training schedule", whose length the light tables do not record; no other fidelity exists.

The space depends on the dataset: ``proteins`` (ogbn-proteins) was run with 5 ops only, so its
benchmark's ``space`` is ``nb-graph-proteins`` (2,021 architectures), the others ``nb-graph``
(26,206). Reports on another dataset map architectures through the package's hash; an
architecture using an op the proteins table lacks has no proteins result (NaN in
:meth:`~NBGraphBenchmark.test_accuracy`, an error from :meth:`~NBGraphBenchmark.report`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmarks import _graph_store as gs
from nasbench_suite.benchmarks.base import (
    Benchmark,
    BenchmarkInfo,
    Observation,
    Provenance,
    register_benchmark,
)
from nasbench_suite.errors import ArchError, NasBenchError
from nasbench_suite.spaces.base import create_space

#: The single fidelity: the final result of the authors' per-dataset schedule (length unknown).
FINAL = 0
CITATION = (
    "Yijian Qin, Ziwei Zhang, Xin Wang, Zeyang Zhang and Wenwu Zhu. NAS-Bench-Graph: "
    "Benchmarking Graph Neural Architecture Search. In Advances in Neural Information Processing "
    "Systems 35 (NeurIPS 2022) Datasets and Benchmarks Track. Data: PyPI nas-bench-graph 1.4.0 "
    "(Apache-2.0)."
)


def space_name(dataset: str) -> str:
    """Registered search space of a dataset's table."""
    gs.check_dataset(dataset)
    return "nb-graph-proteins" if dataset == "proteins" else "nb-graph"


@dataclass(frozen=True)
class GraphReport:
    """Every recorded metric of one architecture on one dataset (reports only: holds test)."""

    benchmark: str
    dataset: str
    arch: str
    arch_index: int
    hash: int
    valid_acc: float
    test_acc: float
    latency: float
    params_m: float

    def to_json(self) -> dict:
        """JSON-safe dict."""
        return asdict(self)


@register_benchmark("nb-graph")
class NBGraphBenchmark(Benchmark):
    """NAS-Bench-Graph on one dataset (see the module docstring)."""

    info = BenchmarkInfo(
        space="nb-graph",
        datasets=gs.DATASETS,
        search_datasets=gs.DATASETS,
        fidelities=(FINAL,),
        default_fidelity=FINAL,
        objectives=("accuracy", "latency", "params"),
        cost="evaluations",
        has_validation=True,
        test_metric="test performance (%): accuracy; ROC-AUC x 100 on proteins",
        notes=(
            "NAS-Bench-Graph (Qin et al., NeurIPS 2022): 26,206 GNN macro-DAG architectures "
            "(4 nodes, 9 link patterns, 9 ops) on cora, citeseer, pubmed, cs, physics, photo, "
            "computers, arxiv; proteins uses 5 ops (2,021 architectures, space "
            "nb-graph-proteins). Search on validation performance, report test. No training "
            "time is recorded: each evaluation costs 1 and budgets are in evaluations. Single "
            "fidelity 0 = the final epoch of the authors' schedule (light tables only)."
        ),
    )

    def __init__(
        self, dataset: str = "cora", store: Any = None, fidelity: int | None = None,
        with_latency: bool = False,
    ) -> None:
        """Bind to ``dataset``.

        Args:
            dataset: one of :data:`~nasbench_suite.benchmarks._graph_store.DATASETS`.
            store: a loaded ``GraphStore``, a store folder, or None for the default store
                (built from the installed package on first use).
            fidelity: None or :data:`FINAL`.
            with_latency: also return the recorded latency (``Observation.latency_ms``, the
                package's value x 1000, i.e. read as seconds; the package does not name a unit).
        """
        gs.check_dataset(dataset)
        self._check_fidelity(fidelity)
        self.dataset = dataset
        self.fidelity = FINAL
        self.with_latency = bool(with_latency)
        if store is None or isinstance(store, (str, Path)):
            store = gs.open_store(None if store is None else Path(store))
        self.store = store
        self.space = create_space(space_name(dataset))
        self._hashes = store.column("hash", dataset)
        if not np.array_equal(self._hashes, self.space.hashes):
            raise NasBenchError(f"store {store.path} does not match the {self.space.name} space")
        valid = store.column("valid_acc", dataset)
        self._valid = valid.tolist()  # list indexing is the fastest scalar path
        self._latency = store.column("latency", dataset).tolist()
        self._n = len(self._valid)
        self._obs: list[Observation | None] = [None] * self._n
        self._maps: dict[str, np.ndarray | None] = {}

    @staticmethod
    def _check_fidelity(fidelity: int | None) -> None:
        if fidelity is not None and fidelity != FINAL:
            raise NasBenchError(
                f"NAS-Bench-Graph has one fidelity ({FINAL}: the final recorded result); "
                f"got {fidelity!r}"
            )

    # --- search ----------------------------------------------------------------------------------
    def evaluate(
        self, arch: Any, rng: np.random.Generator | None = None, fidelity: int | None = None
    ) -> Observation:
        """Validation performance (%) of ``arch`` (id, notation string or configuration).

        Costs 1.0 (one evaluation). ``rng`` is unused: the light tables hold one value per
        architecture. Never returns test performance.
        """
        if fidelity is not None and fidelity != FINAL:
            self._check_fidelity(fidelity)
        if type(arch) is int and 0 <= arch < self._n:
            i = arch
        else:
            i = self.space.index(arch)
        obs = self._obs[i]
        if obs is None:  # observations are immutable: build each once, then share it
            obs = self._obs[i] = Observation(
                i, self._valid[i], 1.0, FINAL, None,
                self._latency[i] * 1000.0 if self.with_latency else None,
            )
        return obs

    # --- reports ---------------------------------------------------------------------------------
    def _target(self, dataset: str) -> np.ndarray | None:
        """Row in ``dataset``'s table of each id of this space (-1: absent); None = identity."""
        if dataset not in self._maps:
            gs.check_dataset(dataset)
            other = self.store.column("hash", dataset)
            if len(other) == len(self._hashes) and np.array_equal(other, self._hashes):
                self._maps[dataset] = None
            else:
                pos = np.searchsorted(other, self._hashes).clip(0, len(other) - 1)
                self._maps[dataset] = np.where(other[pos] == self._hashes, pos, -1)
        return self._maps[dataset]

    def _ids(self, ids) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise ArchError(f"{self.space.name} ids must be integers, got dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self._hashes)):
            raise ArchError(f"{self.space.name} ids must lie in 0..{len(self._hashes) - 1}")
        return ids

    def test_accuracy(self, ids, dataset: str | None = None) -> np.ndarray:
        """Test performance (%) of many ids of this benchmark's space on ``dataset``.

        NaN where ``dataset``'s table lacks the architecture (an op proteins was not run with).
        """
        dataset = self.dataset if dataset is None else dataset
        ids = self._ids(ids)
        target = self._target(dataset)
        col = self.store.column("test_acc", dataset)
        if target is None:
            return col[ids]
        rows = target[ids]
        return np.where(rows >= 0, col[rows.clip(0)], np.nan)

    def report(self, arch: Any, dataset: str | None = None) -> GraphReport:
        """Every metric of ``arch`` on ``dataset`` (default: this benchmark's)."""
        dataset = self.dataset if dataset is None else dataset
        i = self.space.index(arch)
        target = self._target(dataset)
        row = i if target is None else int(target[i])
        if row < 0:
            raise ArchError(f"{self.space.to_str(i)} uses an op the {dataset} table was not run "
                            f"with ({', '.join(gs.ops_of(dataset))})")
        col = lambda f: float(self.store.column(f, dataset)[row])
        return GraphReport(
            self.name, dataset, self.space.to_str(i), i, int(self._hashes[i]),
            col("valid_acc"), col("test_acc"), col("latency"), col("params_m"),
        )

    def provenance(self) -> Provenance:
        """Source tables with SHA-256, the store checksum and the citation."""
        return Provenance(
            citation=CITATION,
            sources=dict(self.store.manifest.get("sources_sha256", {})),
            store_checksum=self.store.manifest.get("arrays_sha256"),
        )
