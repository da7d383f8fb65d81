"""Real training as a benchmark, with the evaluation interface of the tabular one.

:meth:`TrainingBenchmark.evaluate` trains the cell (or reads the cached result), and returns an
:class:`~nasbench_suite.bench.tabular.Observation` with the *validation* accuracy and the real
seconds the training took as ``cost_s`` (model build, training and validation passes). Test
accuracy is measured on the test split and is only reachable through :meth:`report` /
:meth:`test_accuracy`, which the runner uses for trajectories.

Fidelity = epochs of one schedule. Every cell has one training schedule of ``max_epochs`` epochs
(the cosine learning rate anneals over all of them, as in epoch-level early stopping with ASHA /
Syne Tune); fidelity ``e`` (``fidelities`` = 1..max_epochs) is its first ``e`` epochs, and the
observation holds the validation accuracy measured after epoch ``e``. ``fidelity_epochs`` maps
requested fidelities to epochs (``{12: 1, 200: 3}`` serves NB201's 12 / 200 on small machines;
the observation reports the requested value).

Resume. A schedule stopped at ``e1`` keeps its state (weights, optimiser, schedule step, random
generators) and per-epoch history in the cache (:mod:`.resume`, :mod:`.cache`); asking for
``e2 > e1`` continues it, asking for ``e <= e1`` reads the history (training again only when that
epoch's validation was not measured). On the CPU a continued training is identical to one run in
one go. ``cost_s`` is always the seconds from scratch to ``e`` (``cost_to(arch, e)``), so a
runner charging a resumed candidate ``cost_s - cost_to(arch, e1)`` charges the continuation only
(``supports_resume = True``), as Syne Tune's simulator charges resumed trials.

Results are cached per (cell, dataset, max_epochs, seed, subset, recipe) in ``cache_dir``, so
re-running an experiment costs nothing; a cached result charges the recorded seconds again, so a
re-run gives the same trajectory. Records of complete schedules written before the per-epoch
history existed still serve their last epoch.
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
from nasbench_suite.train.resume import Progress, history_of_record


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
    fidelities=(12, 200),  # an instance offers 1..max_epochs (see TrainingBenchmark)
    default_fidelity=12,
    objectives=("accuracy", "params"),
    cost="real",
    notes=(
        "Trains NB201 cells (or NAS-Bench-Macro networks) for real (CPU or GPU) with NB201's recipe, caching every result; "
        "cost is wall seconds of training; fidelity_epochs maps 12 / 200 to shorter schedules."
    ),
)


class TrainingBenchmark(Benchmark):
    """Train NB201 cells (or NAS-Bench-Macro networks) for real, with a cache (registered as benchmark ``training``).

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
        max_epochs: length of the one schedule every fidelity is a prefix of (default: the
            largest of ``epochs`` and the ``fidelity_epochs`` values).
        data_root / download: where the dataset files are (see :mod:`.data`).
        data: an already loaded :class:`~nasbench_suite.train.data.DataBundle` (tests, synthetic).
        index_map: NB201 index <-> cell (default: the default store's).
        space: ``nb201`` (NB201 cells, NB201 indices) or ``nb-macro`` (NAS-Bench-Macro networks,
            ids of :class:`~nasbench_suite.spaces.macro.MacroSpace`; aliases share one training,
            cached under the id of the string the benchmark's authors trained).

    The constructor validates and stores; data is read on the first evaluation.

    Attributes:
        fidelities: the fidelities a strategy may ask (``1..max_epochs``, or the keys of
            ``fidelity_epochs``).
        supports_resume: True: continuing a cell from fidelity ``e1`` to ``e2`` costs
            ``cost_to(e2) - cost_to(e1)`` (the runner charges resumed candidates that).
    """

    name = "training"
    info = INFO
    supports_resume = True

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
        space: str = "nb201",
        max_epochs: int | None = None,
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
        self.config = replace(config or TrainConfig(eval_every_epoch=False), seed=self.seed,
                              device=self.device, space=space)
        self._space = None if space == "nb201" else _macro_space(space)
        self.recipe = recipe_tag(self.config.recipe())
        self.fidelity_epochs = {int(k): int(v) for k, v in (fidelity_epochs or {}).items()}
        longest = max([self.epochs, *self.fidelity_epochs.values()])
        self.max_epochs = longest if max_epochs is None else max_epochs
        if isinstance(self.max_epochs, bool) or not isinstance(self.max_epochs, int) or self.max_epochs < longest:
            raise NasBenchError(f"max_epochs must be an integer >= {longest} (epochs and every "
                                f"fidelity_epochs value), got {max_epochs!r}")
        self._fidelities = (tuple(sorted(self.fidelity_epochs)) if self.fidelity_epochs
                           else tuple(range(1, self.max_epochs + 1)))
        self.data_root, self.download = data_root, download
        self._given = data
        self._data = None
        self._index_map = index_map
        self._records: dict[CacheKey, dict] = {}
        self._partial: dict[CacheKey, Progress | None] = {}
        self._nb201_space = None

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
        """The search space: ``nb201`` on this benchmark's index map, or the macro space."""
        if self._space is not None:
            return self._space
        if self._nb201_space is None:
            from nasbench_suite.spaces.nb201 import NB201Space

            self._nb201_space = NB201Space(self.index_map)
        return self._nb201_space

    @property
    def fidelities(self) -> tuple[int, ...]:
        """Epochs a strategy may ask: ``1..max_epochs`` (or the ``fidelity_epochs`` keys)."""
        return self._fidelities

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

    def _index(self, arch) -> int:
        return self.index_map.index(arch) if self._space is None else self._space.index(arch)

    def _arch(self, index: int):
        """What :func:`train` builds: NB201 op tuple, or the nb-macro string the authors trained."""
        if self._space is None:
            return self.index_map.ops(index)
        return self._space.to_str(int(self._space.canonical(index)[0]))

    def _key(self, index: int, dataset: str | None = None) -> CacheKey:
        """Where the schedule of ``index`` (``max_epochs`` long) is cached."""
        from nasbench_suite.space.codec import ops_to_code

        if self._space is None:
            code = ops_to_code(self.index_map.ops(index))
        else:
            code = int(self._space.canonical(index)[0])
        return CacheKey(code, dataset or self.dataset, self.max_epochs, self.seed, self.subset, self.recipe)

    def _lookup(self, key: CacheKey) -> dict | None:
        if key not in self._records:
            record = self.cache.get(key)
            if record is None:
                return None
            self._records[key] = record
        return self._records[key]

    def _progress(self, key: CacheKey) -> Progress | None:
        if key not in self._partial:
            self._partial[key] = self.cache.get_progress(key)
        return self._partial[key]

    def _epochs(self, fidelity: int | None) -> tuple[int, int]:
        """(fidelity reported, epochs of the schedule trained) for a requested fidelity."""
        if fidelity is None:
            return self.epochs, self.epochs
        if isinstance(fidelity, bool) or not isinstance(fidelity, (int, np.integer)):
            raise NasBenchError(f"fidelity must be an integer number of epochs, got {fidelity!r}")
        fid = int(fidelity)
        epochs = int(self.fidelity_epochs.get(fid, fid))
        if not 1 <= epochs <= self.max_epochs:
            raise NasBenchError(f"fidelity {fidelity!r} maps to {epochs} epochs; this benchmark "
                                f"trains 1..{self.max_epochs} (max_epochs)")
        return fid, epochs

    def _histories(self, index: int, dataset: str | None = None) -> list[Progress]:
        """What is recorded of ``index``'s schedule: the complete record, then the partial one."""
        key = self._key(index, dataset)
        out = []
        rec = self._lookup(key)
        if rec is not None:
            out.append(history_of_record(rec))
        prog = self._progress(key)
        if prog is not None:
            out.append(prog)
        return out

    def _find(self, index: int, epochs: int, dataset: str | None = None,
              test: bool = False) -> Progress | None:
        """A history holding the validation (and test) accuracy after ``epochs`` epochs."""
        for h in self._histories(index, dataset):
            if (h.trained >= epochs and h.valid_acc[epochs - 1] is not None
                    and (not test or h.test_acc[epochs - 1] is not None)):
                return h
        return None

    def _ensure(self, index: int, epochs: int, test: bool = False) -> Progress:
        """The history of ``index`` at ``epochs`` epochs, training (or continuing) it if needed."""
        found = self._find(index, epochs, test=test)
        if found is None:
            self._advance(index, epochs)
            found = self._find(index, epochs, test=test)
        if found is None:
            raise NasBenchError(f"training {self._arch(index)} to epoch {epochs} measured no "
                                f"validation accuracy (is the validation split empty?)")
        return found

    def _advance(self, index: int, epochs: int) -> None:
        """Train the schedule of ``index`` to the end of epoch ``epochs``, continuing the latest
        checkpoint when one is behind ``epochs`` (else from scratch), and record it."""
        import time

        from nasbench_suite.train.resume import run_segment, to_train_result

        key = self._key(index)
        stored = self._progress(key)
        prog = state = None
        overhead = 0.0
        if stored is not None and stored.trained < epochs:
            t0 = time.perf_counter()
            state = self.cache.load_checkpoint(key)
            overhead = time.perf_counter() - t0
            prog = stored if state is not None else None
        config = replace(self.config, epochs=self.max_epochs)
        new, new_state = run_segment(self._arch(index), self.data(), config, epochs, prog, state, overhead)
        if stored is not None and stored.trained >= new.trained:
            stored.fill(new)  # a re-run from scratch for a measurement the history lacked
            self.cache.put_progress(key, stored, None)
            return
        if stored is not None:
            new.fill(stored)
        if new.trained == self.max_epochs and self._lookup(key) is None:
            record = make_record(key, to_train_result(new, self.dataset, config), self.subset)
            self.cache.put(key, record)
            self._records[key] = record
            self.cache.drop_progress(key)
            self._partial[key] = None
            return
        done = new.trained == self.max_epochs
        self.cache.put_progress(key, new, None if done else new_state)
        if done:
            (self.cache.root / key.checkpoint_relpath()).unlink(missing_ok=True)
        self._partial[key] = new

    def record(self, index: int, epochs: int | None = None) -> dict:
        """The cached record of ``index``'s complete schedule (``max_epochs``; trains it first)."""
        if epochs is not None and int(epochs) != self.max_epochs:
            raise NasBenchError(f"records are kept for the complete {self.max_epochs}-epoch "
                                f"schedule, not {epochs} epochs")
        key = self._key(index)
        if self._lookup(key) is None:
            self._advance(index, self.max_epochs)
        found = self._lookup(key)
        if found is None:  # completed by a partial history beside an absent record: cannot be
            raise NasBenchError(f"no record for {self._arch(index)}")
        return found

    # --- search side ----------------------------------------------------------------------
    def evaluate(self, arch, rng: np.random.Generator | None = None, fidelity: int | None = None) -> Observation:
        """Train (or read) ``arch`` (arch string, op tuple or NB201 index; nb-macro string / id)
        to ``fidelity`` epochs of its ``max_epochs`` schedule (default: ``epochs``).

        Returns the validation accuracy (%) after that epoch and, as ``cost_s``, the real seconds
        of training the schedule from scratch to that epoch (:meth:`cost_to`), also when the
        training continued an earlier one. ``rng`` is accepted for interface compatibility; the
        training seed is fixed.
        """
        index = self._index(arch)
        fid, epochs = self._epochs(fidelity)
        h = self._ensure(index, epochs)
        return Observation(index, float(h.valid_acc[epochs - 1]), float(h.cum_s[epochs - 1]), fid,
                           self.seed, None)

    def cost_to(self, arch, fidelity: int | None) -> float:
        """Recorded seconds of training ``arch`` from scratch to ``fidelity`` epochs (0 for
        fidelity 0); continuing it from there to ``e2`` costs ``cost_to(e2) - cost_to(e1)``.
        Raises when ``arch`` was not trained that far (never trains)."""
        if fidelity is not None and int(fidelity) == 0:
            return 0.0
        index = self._index(arch)
        value = self.cost(index, fidelity)
        if math.isnan(value):
            raise NasBenchError(f"{self._arch(index)} was not trained to fidelity {fidelity} yet")
        return value

    def cost(self, index, fidelity: int | None = None, from_fidelity: int = 0):
        """Recorded seconds of training ``index`` to ``fidelity``, from scratch or continuing
        from ``from_fidelity`` (NaN when not trained that far; never trains)."""
        _, epochs = self._epochs(fidelity)
        start = 0 if not from_fidelity else self._epochs(from_fidelity)[1]
        if start > epochs:
            raise NasBenchError(f"cannot continue a training from epoch {start} back to {epochs}")

        def one(i: int) -> float:
            for h in self._histories(i):
                if h.trained >= epochs:
                    return float(h.cum_s[epochs - 1]) - (float(h.cum_s[start - 1]) if start else 0.0)
            return math.nan

        out = np.array([one(int(i)) for i in np.atleast_1d(index)], dtype=float)
        return float(out[0]) if np.ndim(index) == 0 else out

    # --- reporting side -------------------------------------------------------------------
    def report(self, arch, dataset: str | None = None) -> TrainedReport:
        """Everything recorded for ``arch`` after ``epochs`` epochs; on another dataset it must
        already be in the cache."""
        index = self._index(arch)
        ds = train_dataset_name(dataset or self.dataset)
        e = self.epochs
        if ds == self.dataset:
            h = self._ensure(index, e, test=True)
        else:
            h = self._find(index, e, ds, test=True)
            if h is None:
                name = self.index_map.arch_str(index) if self._space is None else self._space.to_str(index)
                raise NasBenchError(f"{name} was not trained on {ds} "
                                    f"({e} of {self.max_epochs} epochs, seed {self.seed}); train it first")
        f = lambda x: math.nan if x is None else float(x)
        return TrainedReport(index, h.arch, ds, e, self.seed, self.subset, f(h.valid_acc[e - 1]),
                             f(h.test_acc[e - 1]), f(h.train_acc[e - 1]), float(h.cum_s[e - 1]),
                             float(np.mean(h.epoch_s[:e])), int(h.params), h.device)

    def test_accuracy(self, indices, dataset: str) -> np.ndarray:
        """Test accuracy (%) after ``epochs`` epochs, from the cache; NaN for cells not trained on
        ``dataset`` that far.

        Never trains: on this benchmark's dataset every evaluated cell is cached; another dataset
        (e.g. ``cifar10`` beside ``cifar10-valid``) has values only when trained separately with
        the same epochs, seed, subset and recipe.
        """
        ds = train_dataset_name(dataset)
        out = []
        for i in np.atleast_1d(np.asarray(indices, dtype=np.int64)):
            h = self._find(int(i), self.epochs, ds, test=True)
            out.append(np.nan if h is None else float(h.test_acc[self.epochs - 1]))
        return np.asarray(out, dtype=float)


def _macro_space(name: str):
    """The search space of a non-NB201 training benchmark (only ``nb-macro`` so far)."""
    from nasbench_suite.errors import unknown
    from nasbench_suite.spaces.base import create_space
    from nasbench_suite.train.trainer import TRAIN_SPACES

    if name not in TRAIN_SPACES:
        raise unknown("training space", name, TRAIN_SPACES)
    return create_space(name)


BENCHMARK_OPTIONS = ("epochs", "subset", "train_seed", "device", "cache_dir", "data_root",
                     "channels", "cells_per_stage", "batch_size", "compile", "fidelity_epochs",
                     "max_epochs")


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
        max_epochs=options.get("max_epochs"),
    )


def known_train_datasets() -> tuple[str, ...]:
    """Training settings the benchmark accepts (every one with a validation split)."""
    return tuple(n for n in TRAIN_DATASETS if n != "cifar10")
