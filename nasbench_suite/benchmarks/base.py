"""The benchmark seam: what the runner calls, and the benchmark registry.

A :class:`Benchmark` answers two kinds of question about an architecture of its
:class:`~nasbench_suite.spaces.base.SearchSpace`:

* :meth:`Benchmark.evaluate` — the *search* call: validation signal and cost only, as an
  :class:`Observation`. It must be impossible for it to return test metrics.
* :meth:`Benchmark.report` / :meth:`Benchmark.test_accuracy` — the *reporting* calls: every metric,
  test included, for trajectories and reports only.

Static facts (datasets, fidelities, objectives, whether a validation split and a recorded cost
exist) live on the class as :class:`BenchmarkInfo`, so ``list_benchmarks`` and spec validation
need not load any data. Adding a benchmark means adding one module that defines a subclass
decorated with :func:`register_benchmark` (and its tests), the way a strategy is added.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.registry import Registry


@dataclass(frozen=True)
class Observation:
    """What a search strategy learns from one evaluation. Never holds test accuracy.

    Attributes:
        arch_index: id of the architecture evaluated (NB201 index on NB201).
        valid_acc: validation accuracy (%), NaN if the benchmark has none for that cell.
        cost_s: simulated seconds charged for this evaluation (1.0 per evaluation on benchmarks
            that record no training time).
        fidelity: training epochs of the signal.
        seed: training seed whose record was returned, None for the seed mean.
        latency_ms: latency on the benchmark's device, when it was configured with one.
    """

    arch_index: int
    valid_acc: float
    cost_s: float
    fidelity: int
    seed: int | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class BenchmarkInfo:
    """Static facts about a benchmark, readable without loading its data.

    Attributes:
        space: name of its search space (see ``nasbench_suite.spaces``).
        datasets: every dataset it reports on.
        search_datasets: datasets a strategy may search on (those with a validation signal, or
            the benchmark's documented stand-in).
        fidelities: training epochs it can answer at (sorted); one entry = single fidelity.
        default_fidelity: the fidelity used when none is asked for.
        objectives: what it can return (``accuracy``, ``latency``, ``params``, ``flops``, ...).
        cost: ``"recorded"`` (simulated seconds from recorded / predicted training time),
            ``"real"`` (wall seconds of real training) or ``"evaluations"`` (no time recorded:
            each evaluation costs 1 and budgets are in evaluations).
        has_validation: False when the benchmark has no held-out validation set.
        test_metric: what reports call test accuracy on this benchmark (e.g. NB301 has none and
            reports validation accuracy at the last epoch).
        notes: one paragraph for ``benchmarks`` output and reports (protocol, limits).
        report_datasets: datasets with a test metric that reports may name (default: none
            beyond the search datasets; NB201 reports cifar10, which it cannot search on).
    """

    space: str
    datasets: tuple[str, ...]
    search_datasets: tuple[str, ...]
    fidelities: tuple[int, ...]
    default_fidelity: int
    objectives: tuple[str, ...] = ("accuracy",)
    cost: str = "recorded"
    has_validation: bool = True
    test_metric: str = "test accuracy (%)"
    notes: str = ""
    report_datasets: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """JSON-safe dict."""
        out = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


@dataclass(frozen=True)
class Provenance:
    """Where a benchmark's numbers come from: source files with SHA-256, and a citation."""

    citation: str
    sources: Mapping[str, str] = field(default_factory=dict)  # file name -> sha256
    store_checksum: str | None = None


class Benchmark(abc.ABC):
    """Base class of every benchmark (see the module docstring).

    Instances are bound to one search dataset and a default fidelity. Subclasses set the class
    attribute ``info`` and implement :meth:`evaluate`, :meth:`report`, :meth:`test_accuracy` and
    :meth:`provenance`, and expose the search space as ``self.space``.
    """

    name: ClassVar[str] = "?"
    info: ClassVar[BenchmarkInfo]
    #: True when a training can be continued: ``cost(arch, e2, e1)`` is then the cost of going
    #: from fidelity e1 to e2, which the runner charges for a ``Candidate.resume_from`` (Syne
    #: Tune's simulator rule); elsewhere a resumed candidate is charged in full.
    supports_resume: ClassVar[bool] = False
    space: Any  # a SearchSpace
    dataset: str
    fidelity: int

    @abc.abstractmethod
    def evaluate(
        self, arch: Any, rng: np.random.Generator | None = None, fidelity: int | None = None
    ) -> Observation:
        """Validation signal and cost of one architecture (id, string or configuration)."""

    @abc.abstractmethod
    def report(self, arch: Any, dataset: str | None = None) -> Any:
        """Every metric of ``arch`` on ``dataset`` (test included); has ``to_json()``."""

    @abc.abstractmethod
    def test_accuracy(self, ids, dataset: str) -> np.ndarray:
        """The report metric (``info.test_metric``) of many ids on ``dataset`` (reports only)."""

    @abc.abstractmethod
    def provenance(self) -> Provenance:
        """Source files, checksums and citation of the numbers this benchmark returns."""

    @classmethod
    def spec_options(cls) -> tuple[str, ...]:
        """Keys a spec's ``benchmark`` entry may set for this benchmark (besides ``name``,
        ``search_dataset`` and ``eval_overhead_s``, which the runner reads).

        Default: the keyword arguments of the constructor other than ``dataset`` and ``store``.
        """
        import inspect

        params = inspect.signature(cls.__init__).parameters
        return tuple(
            p for p, v in params.items()
            if p not in ("self", "dataset", "store") and v.kind in (v.POSITIONAL_OR_KEYWORD,
                                                                    v.KEYWORD_ONLY)
        )

    @classmethod
    def check_spec(cls, options: Mapping[str, Any], where: str = "benchmark") -> Mapping[str, Any]:
        """Check a spec's options from static facts only (no data loaded) and return them with
        defaults filled in; raise :class:`NasBenchError` with one sentence naming the bad value.

        Default: a ``fidelity`` option must be one of ``info.fidelities``.
        """
        fid = options.get("fidelity")
        if fid is not None and (isinstance(fid, bool) or fid not in cls.info.fidelities):
            raise NasBenchError(
                f"{where}.fidelity must be one of {', '.join(map(str, cls.info.fidelities))}, "
                f"got {fid!r}"
            )
        return dict(options)

    @classmethod
    def from_spec(
        cls, dataset: str, options: Mapping[str, Any], store: Any = None
    ) -> Benchmark:
        """Build from a spec's options (see :meth:`spec_options`) on ``dataset``.

        ``store`` is the data folder a user named on the command line (``--store``), None for
        the benchmark's default location. Default: ``cls(dataset=dataset, **options)``.
        """
        return cls(dataset=dataset, **options)

    @property
    def fidelities(self) -> tuple[int, ...]:
        """Fidelities this benchmark answers at."""
        return self.info.fidelities

    @property
    def datasets(self) -> tuple[str, ...]:
        """Datasets it reports on."""
        return self.info.datasets

    @property
    def objectives(self) -> tuple[str, ...]:
        """Objectives it can return."""
        return self.info.objectives


_BENCHMARKS: Registry[type[Benchmark]] = Registry(
    "benchmark", "nasbench_suite.benchmarks", plugin_kind="benchmark"
)  # plug-ins: entry points nasbench_suite.benchmarks
_REGISTRY = _BENCHMARKS.classes
register_benchmark = _BENCHMARKS.register  # class decorator: @register_benchmark("nb201")
_load_builtin = _BENCHMARKS.load
list_benchmarks = _BENCHMARKS.names
get_benchmark = _BENCHMARKS.get


def create_benchmark(name: str, dataset: str | None = None, **kwargs: Any) -> Benchmark:
    """Instantiate benchmark ``name`` on ``dataset`` (default: its first search dataset)."""
    cls = get_benchmark(name)
    ds = dataset if dataset is not None else cls.info.search_datasets[0]
    return cls(dataset=ds, **kwargs)
