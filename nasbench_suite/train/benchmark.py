"""Real training as a benchmark, with the evaluation interface of the tabular one.

:meth:`TrainingBenchmark.evaluate` trains the cell (or reads the cached result), and returns an
:class:`~nasbench_suite.bench.tabular.Observation` with the final *validation* accuracy and the
real seconds the training took as ``cost_s`` (training, evaluation passes and model build). Test
accuracy is measured on the test split after training and is only reachable through
:meth:`report` / :meth:`test_accuracy`, which the runner uses for trajectories.

Results are cached per (cell, dataset, epochs, seed, subset, recipe) in ``cache_dir``
(:mod:`.cache`), so re-running an experiment costs nothing; a cached result charges the recorded
seconds again, so a re-run gives the same trajectory.

Fidelity: ``evaluate(..., fidelity=F)`` trains ``fidelity_epochs.get(F, F)`` epochs (default: the
benchmark's ``epochs``); the observation reports ``F``, so multi-fidelity strategies asking for 12
or 200 can be served by shorter schedules on small machines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from nasbench_suite.benchmarks.base import Benchmark, BenchmarkInfo, Observation, Provenance
from nasbench_suite.errors import NasBenchError
from nasbench_suite.train.cache import CacheKey, TrainingCache, make_record, recipe_tag
from nasbench_suite.train.data import TRAIN_DATASETS, train_dataset_name


def default_cache_dir() -> Path:
    """``$NASBENCH_SUITE_TRAIN_CACHE``, else ``data/train-cache`` of the checkout (or ~/.cache)."""
    import os

    from nasbench_suite.paths import REPO_DIR, in_checkout

    env = os.environ.get("NASBENCH_SUITE_TRAIN_CACHE")
    if env:
        return Path(env)
    return REPO_DIR / "data" / "train-cache" if in_checkout() else Path.home() / ".cache" / "nasbench-suite" / "train-cache"


@dataclass(frozen=True)
class TrainedReport:
    """Everything recorded about one trained cell (for reports, never for search)."""

    index: int
    arch: str
    dataset: str
    epochs: int
    seed: int
    subset: int | None
    valid_acc: float
    test_acc: float
    train_acc: float
    cost_s: float
    epoch_time_s: float
    params: int
    device: str

    def to_json(self) -> dict:
        """JSON-safe dict (NaN becomes None)."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(self).items()}


INFO = BenchmarkInfo(
    space="nb201",
    datasets=tuple(TRAIN_DATASETS),
    search_datasets=tuple(n for n in TRAIN_DATASETS if n != "cifar10"),
    fidelities=(12, 200),
    default_fidelity=12,
    objectives=("accuracy", "params"),
    cost="real",
    notes=(
        "Trains NB201 cells for real (CPU or GPU) with NB201's recipe, caching every result; "
        "cost is wall seconds of training; fidelity_epochs maps 12 / 200 to shorter schedules."
    ),
)


class TrainingBenchmark(Benchmark):
    """Train NB201 cells for real, with a cache (registered as benchmark ``training``).

    Args:
        dataset: setting with a validation split (``cifar10-valid``, ``cifar100``,
            ``ImageNet16-120``, ``fashion-mnist``).
        epochs: default training epochs (NB201: 200; the short schedule: 12).
        subset: train on the first ``subset`` images of a fixed permutation (valid / test cut
            the same way), None for the full splits.
        seed: training seed (weights, shuffling, augmentation).
        device: ``cpu`` or ``cuda``.
        cache_dir: results folder (default :func:`default_cache_dir`).
        config: a :class:`~nasbench_suite.train.trainer.TrainConfig` for the recipe and speed
            options (its epochs / seed / device are replaced by the arguments above; default:
            NB201's recipe, validated after the last epoch only).
        fidelity_epochs: requested fidelity -> epochs actually trained (e.g. ``{12: 1, 200: 3}``).
        data_root / download: where the dataset files are (see :mod:`.data`).
        data: an already loaded :class:`~nasbench_suite.train.data.DataBundle` (tests, synthetic).
        index_map: NB201 index <-> cell (default: the default store's).

    The constructor validates and stores; data is read on the first evaluation.
    """

    name = "training"
    info = INFO

    def __init__(
        self,
        dataset: str = "cifar10-valid",
        epochs: int = 12,
        subset: int | None = None,
        seed: int = 0,
        device: str = "cpu",
        cache_dir: str | Path | None = None,
        *,
        config=None,
        fidelity_epochs: Mapping[int, int] | None = None,
        data_root: str | Path | None = None,
        download: bool = False,
        data=None,
        index_map=None,
    ) -> None:
        from nasbench_suite.train.trainer import TrainConfig

        self.dataset = train_dataset_name(dataset)
        if self.dataset == "cifar10":
            raise NasBenchError("cifar10 has no validation split (NB201 trains it on train+valid); "
                                "search on cifar10-valid and report cifar10 test accuracy")
        for name, value, low in (("epochs", epochs, 1), ("seed", seed, 0), ("subset", 1 if subset is None else subset, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise NasBenchError(f"{name} must be an integer >= {low}, got {value!r}")
        self.epochs, self.subset, self.seed, self.device = int(epochs), subset, int(seed), str(device)
        self.cache = TrainingCache(cache_dir if cache_dir is not None else default_cache_dir())
        # default: validate after the last epoch only (the observation needs no more)
        self.config = replace(config or TrainConfig(eval_every_epoch=False), seed=self.seed, device=self.device)
        self.recipe = recipe_tag(self.config.recipe())
        self.fidelity_epochs = dict(fidelity_epochs or {})
        self.data_root, self.download = data_root, download
        self._given = data
        self._data = None
        self._index_map = index_map
        self._records: dict[CacheKey, dict] = {}
        self._space = None

    # --- plumbing -------------------------------------------------------------------------
    @property
    def index_map(self):
        """NB201 index <-> cell map (the default store's unless one was given)."""
        if self._index_map is None:
            from nasbench_suite.bench.store import open_store

            self._index_map = open_store().index_map
        return self._index_map

    @property
    def fidelity(self) -> int:
        """The default fidelity (epochs reported when none is asked for)."""
        return self.epochs

    @property
    def space(self):
        """The ``nb201`` search space of this benchmark's index map."""
        if self._space is None:
            from nasbench_suite.spaces.nb201 import NB201Space

            self._space = NB201Space(self.index_map)
        return self._space

    @classmethod
    def spec_options(cls) -> tuple[str, ...]:
        """Spec keys of a training benchmark: the fidelity and :data:`BENCHMARK_OPTIONS`."""
        return ("fidelity", "noise", "latency_device", *BENCHMARK_OPTIONS)

    @classmethod
    def check_spec(cls, options: Mapping, where: str = "benchmark") -> dict:
        """The NB201 options (fidelity, noise, latency device) and the training options."""
        from nasbench_suite.bench.tabular import check_nb201_options

        return check_nb201_options(options, where)

    @classmethod
    def from_spec(cls, dataset: str, options: Mapping, store=None) -> TrainingBenchmark:
        """Built from a spec's ``benchmark`` entry (keys of :data:`BENCHMARK_OPTIONS`)."""
        index_map = None
        if store is not None:
            from nasbench_suite.bench.store import Store

            index_map = Store.load(Path(store)).index_map
        return from_spec(options, dataset, index_map)

    def provenance(self) -> Provenance:
        """Results are measured here: no source files; the recipe tag and the cache folder."""
        return Provenance(
            f"trained by nasbench-suite (NB201 recipe {self.recipe}; cache {self.cache.root})"
        )

    def data(self):
        """The dataset, subset and resident on the training device (loaded once)."""
        if self._data is None:
            from nasbench_suite.train.data import load_dataset
            from nasbench_suite.train.trainer import resolve_device

            bundle = self._given or load_dataset(self.dataset, self.data_root, self.download)
            self._data = bundle.subset(self.subset).to(resolve_device(self.device))
        return self._data

    def _key(self, index: int, epochs: int, dataset: str | None = None) -> CacheKey:
        from nasbench_suite.space.codec import ops_to_code

        code = ops_to_code(self.index_map.ops(index))
        return CacheKey(code, dataset or self.dataset, int(epochs), self.seed, self.subset, self.recipe)

    def _lookup(self, key: CacheKey) -> dict | None:
        if key not in self._records:
            record = self.cache.get(key)
            if record is None:
                return None
            self._records[key] = record
        return self._records[key]

    def _epochs(self, fidelity: int | None) -> tuple[int, int]:
        """(fidelity reported, epochs trained) for a requested fidelity."""
        if fidelity is None:
            return self.epochs, self.epochs
        fid = int(fidelity)
        epochs = int(self.fidelity_epochs.get(fid, fid))
        if epochs < 1:
            raise NasBenchError(f"fidelity {fidelity!r} maps to {epochs} epochs; give a positive number")
        return fid, epochs

    def record(self, index: int, epochs: int) -> dict:
        """The cached record of ``index`` trained ``epochs`` epochs on this dataset (trains it first)."""
        from nasbench_suite.train.trainer import train

        key = self._key(index, epochs)
        found = self._lookup(key)
        if found is not None:
            return found
        result = train(self.index_map.ops(index), self.data(), replace(self.config, epochs=int(epochs)))
        record = make_record(key, result, self.subset)
        self.cache.put(key, record)
        self._records[key] = record
        return record

    # --- search side ----------------------------------------------------------------------
    def evaluate(self, arch, rng: np.random.Generator | None = None, fidelity: int | None = None) -> Observation:
        """Train (or read) ``arch`` (arch string, op tuple or NB201 index).

        Returns the final validation accuracy (%) and the real seconds of the training run as
        ``cost_s``. ``rng`` is accepted for interface compatibility; the training seed is fixed.
        """
        index = self.index_map.index(arch)
        fid, epochs = self._epochs(fidelity)
        rec = self.record(index, epochs)
        valid = math.nan if rec["valid_acc"] is None else float(rec["valid_acc"])
        return Observation(index, valid, float(rec["cost_s"]), fid, self.seed, None)

    def cost(self, index, fidelity: int | None = None):
        """Recorded seconds of training ``index`` (NaN when not trained yet; never trains)."""
        _, epochs = self._epochs(fidelity)
        out = np.array([np.nan if (r := self._lookup(self._key(int(i), epochs))) is None else r["cost_s"]
                        for i in np.atleast_1d(index)], dtype=float)
        return float(out[0]) if np.ndim(index) == 0 else out

    # --- reporting side -------------------------------------------------------------------
    def report(self, arch, dataset: str | None = None) -> TrainedReport:
        """Everything recorded for ``arch``; on another dataset it must already be in the cache."""
        index = self.index_map.index(arch)
        ds = train_dataset_name(dataset or self.dataset)
        if ds == self.dataset:
            rec = self.record(index, self.epochs)
        else:
            rec = self._lookup(self._key(index, self.epochs, ds))
            if rec is None:
                raise NasBenchError(f"{self.index_map.arch_str(index)} was not trained on {ds} "
                                    f"({self.epochs} epochs, seed {self.seed}); train it first")
        f = lambda x: math.nan if x is None else float(x)
        return TrainedReport(index, rec["arch"], ds, rec["epochs"], rec["seed"], rec["subset"],
                             f(rec["valid_acc"]), f(rec["test_acc"]), f(rec["train_acc"]),
                             float(rec["cost_s"]), float(rec["epoch_time_s"]), int(rec["params"]),
                             rec["device"])

    def test_accuracy(self, indices, dataset: str) -> np.ndarray:
        """Test accuracy (%) after training, from the cache; NaN for cells not trained on ``dataset``.

        Never trains: on this benchmark's dataset every evaluated cell is cached; another dataset
        (e.g. ``cifar10`` beside ``cifar10-valid``) has values only when trained separately with
        the same epochs, seed, subset and recipe.
        """
        ds = train_dataset_name(dataset)
        out = []
        for i in np.atleast_1d(np.asarray(indices, dtype=np.int64)):
            rec = self._lookup(self._key(int(i), self.epochs, ds))
            out.append(np.nan if rec is None or rec["test_acc"] is None else float(rec["test_acc"]))
        return np.asarray(out, dtype=float)


BENCHMARK_OPTIONS = ("epochs", "subset", "train_seed", "device", "cache_dir", "data_root",
                     "channels", "cells_per_stage", "batch_size", "compile", "fidelity_epochs")


def from_spec(options: Mapping, dataset: str, index_map=None) -> TrainingBenchmark:
    """A :class:`TrainingBenchmark` from a runner's benchmark mapping (``type: training``).

    Reads the keys of :data:`BENCHMARK_OPTIONS` (all optional); ``fidelity`` (12 / 200), when
    present and ``epochs`` is not, gives the epochs. Unknown keys are ignored (the spec parser
    validates them).
    """
    from nasbench_suite.train.trainer import TrainConfig

    fields = {k: options[k] for k in ("channels", "cells_per_stage", "batch_size", "compile") if options.get(k) is not None}
    epochs = options.get("epochs") or options.get("fidelity") or 12
    return TrainingBenchmark(
        dataset, epochs=int(epochs), subset=options.get("subset"), seed=int(options.get("train_seed", 0) or 0),
        device=options.get("device") or "cpu", cache_dir=options.get("cache_dir"),
        config=TrainConfig(eval_every_epoch=False, **fields), fidelity_epochs=options.get("fidelity_epochs"),
        data_root=options.get("data_root"), index_map=index_map,
    )


def known_train_datasets() -> tuple[str, ...]:
    """Training settings the benchmark accepts (every one with a validation split)."""
    return tuple(n for n in TRAIN_DATASETS if n != "cifar10")
