"""The ``benchmark:`` / ``benchmarks:`` part of an experiment spec, checked against the registry.

Two forms::

    benchmark:                    # one benchmark (the form every spec before the seam uses)
      type: tabular               # = name: nb201 (``tabular`` is NB201's name in run folders)
      search_dataset: [cifar10-valid, cifar100]
      fidelity: 12
      ...

    benchmarks:                   # several: the grid is strategy x (benchmark, dataset) x run
      - {name: nb201, datasets: [cifar10-valid, cifar100], fidelity: 12}
      - {name: macro, datasets: [cifar10]}

Each entry accepts ``name`` (or ``type``), ``search_dataset`` / ``search_datasets`` /
``datasets``, ``eval_overhead_s``, ``report_datasets`` and the options of that benchmark
(:meth:`~nasbench_suite.benchmarks.base.Benchmark.spec_options`), which its class checks
(:meth:`~nasbench_suite.benchmarks.base.Benchmark.check_spec`) from its static ``info``, without
loading data. Datasets are checked against the benchmark's ``info``: searching needs one of its
``search_datasets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nasbench_suite.errors import NasBenchError, SpecError
from nasbench_suite.runfolder import LEGACY_TYPES, benchmark_name

_TYPE_OF = {v: k for k, v in LEGACY_TYPES.items()}
COMMON_KEYS = (
    "name",
    "type",
    "search_dataset",
    "search_datasets",
    "datasets",
    "eval_overhead_s",
    "report_datasets",
)


@dataclass(frozen=True)
class BenchmarkSpec:
    """One benchmark of the grid.

    Attributes:
        name: registry name (``nb201``, ``training``, ``macro``, ...).
        type: its name in run folders (``tabular`` for nb201, else the registry name).
        search_datasets: datasets to search on (one grid axis).
        fidelity / noise / latency_device: NB201 options (None where the benchmark has none).
        eval_overhead_s: search dataset -> seconds added per evaluation.
        options: every option given to the benchmark (``Benchmark.from_spec``), defaults filled
            in by its ``check_spec``.
        report_datasets: datasets whose test accuracy trajectories carry (None: the spec's).
    """

    type: str = "tabular"
    search_datasets: tuple[str, ...] = ("cifar10-valid",)
    fidelity: int | None = 200
    noise: str | None = "mean"
    eval_overhead_s: dict[str, float] = field(default_factory=dict)
    latency_device: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    name: str = "nb201"
    report_datasets: tuple[str, ...] | None = None

    def overhead_s(self, dataset: str) -> float:
        """Seconds added to the clock per evaluation on ``dataset``."""
        return float(self.eval_overhead_s.get(dataset, 0.0))

    def benchmark_class(self):
        """The registered :class:`~nasbench_suite.benchmarks.base.Benchmark` subclass."""
        from nasbench_suite.benchmarks.base import get_benchmark

        return get_benchmark(self.name)


def lookup_dataset(value: Any, known: tuple[str, ...], aliases: bool = True
                   ) -> tuple[str | None, str | None]:
    """(``value`` spelled as one of ``known``: exact, case-insensitive or by NB201 alias such as
    ``imagenet``; else None) and (its NB201 alias, when ``aliases`` and it has one; else None)."""
    if not isinstance(value, str):
        return None, None
    if value in known:
        return value, None
    lower = {d.lower(): d for d in known}
    if value.lower() in lower:
        return lower[value.lower()], None
    if not aliases:
        return None, None
    from nasbench_suite.bench.datasets import dataset_name

    try:
        alias = dataset_name(value)
    except NasBenchError:
        return None, None
    return (alias if alias in known else None), alias


def resolve_dataset(cls, value: Any, where: str) -> str:
    """The benchmark's own spelling of dataset ``value`` (exact, case-insensitive or an NB201
    alias such as ``imagenet``); raises :class:`SpecError` naming the known ones."""
    known = tuple(cls.info.datasets)
    name, alias = lookup_dataset(value, known, aliases=cls.info.space == "nb201")
    if name is not None:
        return name
    if alias is not None:
        raise SpecError(
            f"{alias} is not in the NB201 tables; use benchmark.type: training to train on it"
        )
    raise SpecError(
        f"unknown dataset {value!r} in {where} for benchmark {cls.name}; known: "
        f"{', '.join(known)}"
    )


def parse_benchmarks(data: dict, check_keys, as_list, per_dataset) -> tuple[BenchmarkSpec, ...]:
    """The benchmark entries of a spec mapping (``benchmark`` or ``benchmarks``)."""
    if "benchmark" in data and "benchmarks" in data:
        raise SpecError("give benchmark (one) or benchmarks (a list), not both")
    if "benchmarks" in data:
        entries = data["benchmarks"]
        if not isinstance(entries, list) or not entries:
            raise SpecError("benchmarks must be a non-empty list of mappings with a name")
        specs = tuple(
            _entry(e, f"benchmarks[{i}]", check_keys, as_list, per_dataset)
            for i, e in enumerate(entries)
        )
    else:
        specs = (_entry(data.get("benchmark") or {}, "benchmark", check_keys, as_list,
                        per_dataset),)
    seen = set()
    for b in specs:
        for ds in b.search_datasets:
            if (b.name, ds) in seen:
                raise SpecError(f"benchmark {b.name} lists search dataset {ds} twice")
            seen.add((b.name, ds))
    return specs


def _entry(value: Any, where: str, check_keys, as_list, per_dataset) -> BenchmarkSpec:
    from nasbench_suite.benchmarks.base import get_benchmark, list_benchmarks

    if not isinstance(value, dict):
        raise SpecError(
            f"{where} must be a mapping with keys {', '.join(COMMON_KEYS)} and the benchmark's "
            f"options; got {type(value).__name__}"
        )
    if "name" in value and "type" in value and benchmark_name(value["type"]) != value["name"]:
        raise SpecError(f"{where}: name {value['name']!r} and type {value['type']!r} disagree")
    raw_name = value.get("name", value.get("type", "tabular"))
    name = benchmark_name(raw_name) if isinstance(raw_name, str) else raw_name
    known = list_benchmarks()
    if name not in known:
        types = sorted({*known, *LEGACY_TYPES})
        raise SpecError(f"unknown benchmark type {raw_name!r}; known: {', '.join(types)}")
    cls = get_benchmark(name)
    options_keys = tuple(cls.spec_options())
    check_keys(value, COMMON_KEYS + options_keys, where)
    given = [k for k in ("search_dataset", "search_datasets", "datasets") if k in value]
    if len(given) > 1:
        raise SpecError(f"give {where}.search_dataset or {where}.search_datasets, not both")
    raw = value[given[0]] if given else cls.info.search_datasets[0]
    datasets: list[str] = []
    for item in as_list(raw, f"{where}.search_dataset"):
        ds = resolve_dataset(cls, item, f"{where}.search_dataset")
        if ds not in cls.info.search_datasets:
            raise SpecError(
                f"{ds} has no validation split and cannot be searched on in {name}; search on "
                f"{' / '.join(cls.info.search_datasets)}"
                + (" and report cifar10" if name == "nb201" else "")
            )
        if ds not in datasets:
            datasets.append(ds)
    if not datasets:
        raise SpecError(f"{where}.search_dataset is empty")
    options = {k: value[k] for k in options_keys if k in value}
    try:
        options = dict(cls.check_spec(options, where))
    except NasBenchError as exc:
        raise SpecError(str(exc)) from None
    overhead = per_dataset(value.get("eval_overhead_s", 0), tuple(datasets),
                           f"{where}.eval_overhead_s", True)
    report = None
    if value.get("report_datasets") is not None:
        report = report_datasets(cls, value["report_datasets"], f"{where}.report_datasets",
                                 as_list)
    return BenchmarkSpec(
        type=_TYPE_OF.get(name, name),
        search_datasets=tuple(datasets),
        fidelity=options.get("fidelity"),
        noise=options.get("noise"),
        eval_overhead_s=overhead,
        latency_device=options.get("latency_device"),
        options=options,
        name=name,
        report_datasets=report,
    )


def report_datasets(cls, value: Any, where: str, as_list) -> tuple[str, ...]:
    """Validated report datasets of benchmark class ``cls``."""
    reportable = tuple(cls.info.report_datasets or cls.info.datasets)
    out = []
    for item in as_list(value, where):
        ds = resolve_dataset(cls, item, where)
        if ds not in reportable:
            raise SpecError(
                f"report dataset {ds} has no test split in {cls.name} (NB201 records none); "
                f"report on {', '.join(reportable)}"
            )
        out.append(ds)
    if not out:
        raise SpecError(f"{where} is empty; give at least one of {', '.join(reportable)}")
    return tuple(out)


def default_report(b: BenchmarkSpec) -> tuple[str, ...]:
    """Report datasets of ``b`` when the spec names none: the benchmark's ``info``
    ``report_datasets`` (NB201: cifar10, cifar100, ImageNet16-120), else its search datasets."""
    info = b.benchmark_class().info
    return tuple(info.report_datasets) or b.search_datasets
