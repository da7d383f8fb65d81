"""Experiment specs: the YAML a user writes, parsed into frozen dataclasses and validated.

A spec names strategies, the benchmark, the budget and how many runs; :mod:`.grid` expands it into
one :class:`~nasbench_suite.runner.grid.RunSpec` per (strategy, search dataset, run). Example::

    name: quick
    seed: 0                       # master seed; every run's seeds derive from it
    runs: 3
    strategies:                   # `all`: every registered strategy not listed explicitly
      - random                    # shorthand for {name: random}
      - {name: rea, label: rea-p10, kwargs: {population_size: 10}}
    benchmark:
      type: tabular               # or "training": real training, real seconds (train/)
      search_dataset: [cifar10-valid, cifar100]   # one name or a list
      fidelity: 12                # epochs of the search signal: 12 or 200
      noise: mean                 # mean | seed (seed needs fidelity 200)
      eval_overhead_s: 0          # seconds added to the clock per evaluation (see below)
      latency_device: null        # needed by latency-aware objectives
    report_datasets: [cifar10, cifar100, ImageNet16-120]
    budget: {time_s: 12000, evals: 100}   # either or both; the run stops at the first reached
    objective: valid_acc          # or {name: latency, target_ms: 5, w: -0.07} (MnasNet reward)
    protocol: nats_tss            # optional: published results reports compare with (a spec
                                  # named nb201 / nats_tss follows that protocol already)

Budgets and per-evaluation overheads may be one number or a mapping ``search dataset -> number``
(the NATS-Bench protocol gives every dataset its own time budget).

Clock and budget rules (see :mod:`.run`): each evaluation advances the simulated clock by the
recorded training time of what was evaluated plus ``eval_overhead_s``, "one validation pass": the
public NB201 tables carry no validation time, so the default is 0 s and a spec that wants to
charge it must choose a value. An evaluation whose completion would exceed ``time_s`` is **not
counted**: it is neither recorded nor told to the searcher, and the run ends with the clock at or
below the budget (the rule of the NB201 / NATS-Bench reference REA, applied to every strategy).
``evals`` counts recorded evaluations.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nasbench_suite.bench.datasets import DATASET_NAMES, DATASETS, NB201_DATASETS
from nasbench_suite.errors import NasBenchError, SpecError

BENCHMARK_TYPES = ("tabular", "training")  # NB201 lookups, or real training (train/benchmark.py)
FIDELITIES = (12, 200)
NOISE = ("mean", "seed")
DEFAULT_REPORT = ("cifar10", "cifar100", "ImageNet16-120")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")

TOP_KEYS = (
    "name",
    "description",
    "seed",
    "runs",
    "strategies",
    "benchmark",
    "report_datasets",
    "budget",
    "objective",
    "protocol",
)
# Shipped protocols whose published results reports set beside runs (analysis/published.yaml).
PROTOCOLS = ("nb201", "nats_tss")
STRATEGY_KEYS = ("name", "label", "kwargs", "module")
BENCHMARK_KEYS = (
    "type",
    "search_dataset",
    "search_datasets",
    "fidelity",
    "noise",
    "eval_overhead_s",
    "latency_device",
)
# Options of ``type: training`` (the training benchmark's own list; importing it loads no torch).
from nasbench_suite.train.benchmark import BENCHMARK_OPTIONS as TRAINING_KEYS  # noqa: E402
BUDGET_KEYS = ("time_s", "evals")


@dataclass(frozen=True)
class StrategySpec:
    """One strategy of the grid: registry ``name``, folder ``label`` (default: name), kwargs."""

    name: str
    label: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    plugin: dict[str, Any] | None = None  # module / path / sha256 / version (plugins.Plugin)


@dataclass(frozen=True)
class BenchmarkSpec:
    """The benchmark every run searches on.

    Attributes:
        type: ``tabular`` (NB201 lookups with a simulated clock) or ``training`` (real
            training; its cost is real seconds).
        search_datasets: datasets with a validation split to search on (one grid axis).
        fidelity: epochs of the search signal, 12 or 200.
        noise: ``mean`` (seed mean) or ``seed`` (one recorded training seed per query).
        eval_overhead_s: search dataset -> seconds added per evaluation ("one validation pass").
        latency_device: stored latency device, needed by latency-aware objectives.
    """

    type: str = "tabular"
    search_datasets: tuple[str, ...] = ("cifar10-valid",)
    fidelity: int = 200
    noise: str = "mean"
    eval_overhead_s: dict[str, float] = field(default_factory=dict)
    latency_device: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # type: training only

    def overhead_s(self, dataset: str) -> float:
        """Seconds added to the clock per evaluation on ``dataset``."""
        return float(self.eval_overhead_s.get(dataset, 0.0))


@dataclass(frozen=True)
class Budget:
    """Per search dataset: a time budget (simulated s) and/or an evaluation budget."""

    time_s: dict[str, float] | None = None
    evals: dict[str, int] | None = None

    def for_dataset(self, dataset: str) -> tuple[float | None, int | None]:
        """``(time_s, evals)`` of ``dataset`` (None: no such limit)."""
        time_s = None if self.time_s is None else self.time_s[dataset]
        evals = None if self.evals is None else self.evals[dataset]
        return time_s, evals


@dataclass(frozen=True)
class ExperimentSpec:
    """A parsed, validated experiment spec (see the module docstring for the YAML)."""

    name: str
    strategies: tuple[StrategySpec, ...]
    benchmark: BenchmarkSpec
    budget: Budget
    runs: int = 1
    seed: int = 0
    report_datasets: tuple[str, ...] = DEFAULT_REPORT
    objective: dict[str, Any] | None = None
    description: str = ""
    protocol: str | None = None

    def with_runs(self, runs: int) -> "ExperimentSpec":
        """A copy with another number of runs (the ``--runs`` override)."""
        return dataclasses.replace(self, runs=_positive_int(runs, "runs"))


# --- loading ----------------------------------------------------------------------------------
def load_spec(path: "str | Path", runs: int | None = None) -> ExperimentSpec:
    """Read and validate a YAML spec; ``runs`` overrides the spec's number of runs.

    Raises:
        SpecError: one sentence naming the file, the bad value and what is accepted.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise SpecError(f"cannot read spec {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"spec {path} is not valid YAML{where}: {problem}") from None
    try:
        spec = parse_spec(data, default_name=path.stem, base_dir=path.parent)
        return spec if runs is None else spec.with_runs(runs)
    except SpecError as exc:
        raise SpecError(f"spec {path}: {exc}") from None


def parse_spec(
    data: Any, default_name: str = "experiment", base_dir: "str | Path | None" = None
) -> ExperimentSpec:
    """Validate an already-parsed YAML document (a mapping) into an :class:`ExperimentSpec`.

    ``base_dir``: folder that plug-in files (``module: ./mine.py``) are relative to.
    """
    if not isinstance(data, dict):
        raise SpecError(
            f"the spec must be a mapping with keys {', '.join(TOP_KEYS)}; got {_kind(data)}"
        )
    _check_keys(data, TOP_KEYS, "spec")
    name = _name(data.get("name", default_name), "name")
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise SpecError(f"description must be a string, got {_kind(description)}")
    benchmark = _benchmark(data.get("benchmark") or {})
    if "budget" not in data:
        raise SpecError("budget is missing; give budget: {time_s: SECONDS} and/or {evals: N}")
    budget = _budget(data["budget"], benchmark.search_datasets)
    strategies = _strategies(data.get("strategies"), base_dir)
    training = benchmark.type == "training"
    default = benchmark.search_datasets if training else DEFAULT_REPORT
    report = data.get("report_datasets", list(default))
    report = tuple(_dataset(d, "report_datasets") for d in _list(report, "report_datasets"))
    testable = [d for d in DATASET_NAMES if DATASETS[d].test is not None]
    if not report:
        raise SpecError("report_datasets is empty; give at least one of " + ", ".join(testable))
    for ds in report:
        # real training measures test accuracy on every dataset's own test set
        if DATASETS[ds].test is None and not training:
            raise SpecError(
                f"report dataset {ds} has no test split (NB201 records none); "
                f"report on {', '.join(testable)}"
            )
    objective = data.get("objective")
    if objective is not None:
        objective = _objective(objective, benchmark)
    return ExperimentSpec(
        name=name,
        strategies=strategies,
        benchmark=benchmark,
        budget=budget,
        runs=_positive_int(data.get("runs", 1), "runs"),
        seed=_seed(data.get("seed", 0)),
        report_datasets=report,
        objective=objective,
        description=description,
        protocol=_protocol(data.get("protocol"), name),
    )


def _protocol(value: Any, name: str) -> str | None:
    """The shipped protocol the spec says it follows (None: none, or its name says it)."""
    if value is None or value == name:
        return None
    if value not in PROTOCOLS:
        raise SpecError(f"unknown protocol {value!r}; known: {', '.join(PROTOCOLS)}")
    return value


def _strategies(value: Any, base_dir: "str | Path | None" = None) -> tuple[StrategySpec, ...]:
    from nasbench_suite.strategies.base import get_strategy, list_strategies

    if value is None:
        raise SpecError("strategies is missing; give a list such as [random, rea]")
    known = list_strategies()
    value = _expand_all(_list(value, "strategies"), known)
    out: list[StrategySpec] = []
    for i, entry in enumerate(_list(value, "strategies")):
        where = f"strategies[{i}]"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise SpecError(
                f"{where} must be a strategy name or a mapping with keys "
                f"{', '.join(STRATEGY_KEYS)}; got {_kind(entry)}"
            )
        _check_keys(entry, STRATEGY_KEYS, where)
        plugin = None
        if "module" in entry:
            from nasbench_suite.plugins import load_strategy_plugin

            try:
                plugin = load_strategy_plugin(entry.get("name"), entry["module"], base_dir)
            except NasBenchError as exc:
                raise SpecError(f"{where}: {exc}") from None
            known = list_strategies()
        name = entry.get("name")
        if not isinstance(name, str):
            raise SpecError(f"{where}.name must be a strategy name; known: {', '.join(known)}")
        if name not in known:
            raise SpecError(f"unknown strategy {name!r} in {where}; known: {', '.join(known)}")
        kwargs = entry.get("kwargs") or {}
        if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise SpecError(
                f"{where}.kwargs must be a mapping of argument names to values; "
                f"got {_kind(kwargs)}"
            )
        _check_kwargs(get_strategy(name), kwargs, f"{where} ({name})")
        label = _name(entry.get("label", name), f"{where}.label")
        out.append(StrategySpec(name, label, dict(kwargs), plugin))
    if not out:
        raise SpecError(f"strategies is empty; known: {', '.join(known)}")
    labels = [s.label for s in out]
    duplicates = sorted({x for x in labels if labels.count(x) > 1})
    if duplicates:
        raise SpecError(
            f"strategy labels must be unique; repeated: {', '.join(duplicates)} (set label: ...)"
        )
    return tuple(out)


def _expand_all(entries: list, known: list[str]) -> list:
    """Replace ``all`` by every registered black-box strategy not named elsewhere in the list.

    ``[all, {name: rea, kwargs: {population_size: 20}}]`` runs every strategy with its defaults
    except rea, which gets the kwargs given; strategies registered later join automatically.
    One-shot strategies (``evaluations_are_free``: they train a supernet on their own data and
    need a ``data`` argument to mean anything) are not part of ``all``; name them explicitly.
    """
    if "all" not in entries:
        return entries
    from nasbench_suite.strategies import get_strategy

    known = [n for n in known if not getattr(get_strategy(n), "evaluations_are_free", False)]
    named = {
        e if isinstance(e, str) else e.get("name") for e in entries if isinstance(e, (str, dict))
    }
    out = []
    for entry in entries:
        if entry == "all":
            out.extend(n for n in known if n not in named and n not in out)
        else:
            out.append(entry)
    return out


def _check_kwargs(cls: type, kwargs: dict, where: str) -> None:
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    accepted = [p for p in params if p not in ("self", "space", "seed", "objective")]
    bad = sorted(k for k in kwargs if k not in accepted)
    if bad:
        raise SpecError(
            f"unknown argument(s) {', '.join(bad)} for {where}; "
            f"accepted: {', '.join(accepted) or 'none'}"
        )


def _benchmark(value: Any) -> BenchmarkSpec:
    if not isinstance(value, dict):
        raise SpecError(
            f"benchmark must be a mapping with keys {', '.join(BENCHMARK_KEYS)}; "
            f"got {_kind(value)}"
        )
    kind = value.get("type", "tabular")
    if kind not in BENCHMARK_TYPES:
        raise SpecError(f"unknown benchmark type {kind!r}; known: {', '.join(BENCHMARK_TYPES)}")
    _check_keys(value, BENCHMARK_KEYS + (TRAINING_KEYS if kind == "training" else ()), "benchmark")
    if "search_dataset" in value and "search_datasets" in value:
        raise SpecError("give benchmark.search_dataset or benchmark.search_datasets, not both")
    raw = value.get("search_dataset", value.get("search_datasets", "cifar10-valid"))
    datasets: list[str] = []
    for item in _list(raw, "benchmark.search_dataset"):
        ds = _dataset(item, "benchmark.search_dataset")
        if kind == "tabular" and ds not in NB201_DATASETS:
            raise SpecError(
                f"{ds} is not in the NB201 tables; use benchmark.type: training to train on it"
            )
        if DATASETS[ds].valid is None:
            raise SpecError(
                f"{ds} has no validation split and cannot be searched on; search on "
                "cifar10-valid and report cifar10 (or search on cifar100 / ImageNet16-120)"
            )
        if ds not in datasets:
            datasets.append(ds)
    if not datasets:
        raise SpecError("benchmark.search_dataset is empty")
    fidelity = value.get("fidelity", 200)
    if isinstance(fidelity, bool) or fidelity not in FIDELITIES:
        raise SpecError(f"benchmark.fidelity must be 12 or 200 (epochs), got {fidelity!r}")
    noise = value.get("noise", "mean")
    if noise not in NOISE:
        raise SpecError(f"benchmark.noise must be one of {', '.join(NOISE)}, got {noise!r}")
    if noise == "seed" and fidelity != 200:
        raise SpecError(
            "benchmark.noise: seed needs fidelity 200 (the 12-epoch tables are seed means)"
        )
    overhead = _per_dataset(
        value.get("eval_overhead_s", 0), datasets, "benchmark.eval_overhead_s", allow_zero=True
    )
    device = value.get("latency_device")
    if device is not None:
        device = _latency_device(device)
    options = {k: value[k] for k in TRAINING_KEYS if k in value}
    return BenchmarkSpec(kind, tuple(datasets), int(fidelity), noise, overhead, device, options)


def _latency_device(device: Any) -> str:
    from nasbench_suite.bench.store import open_store

    try:
        devices = open_store().devices
    except NasBenchError:  # no store yet: the benchmark checks the device when it is built
        return str(device)
    if device not in devices:
        raise SpecError(
            f"unknown benchmark.latency_device {device!r}; known: {', '.join(devices)}"
        )
    return str(device)


def _budget(value: Any, datasets: tuple[str, ...]) -> Budget:
    hint = "give budget: {time_s: SECONDS} and/or {evals: N}"
    if not isinstance(value, dict):
        raise SpecError(f"budget must be a mapping; {hint}; got {_kind(value)}")
    _check_keys(value, BUDGET_KEYS, "budget")
    if not any(value.get(k) is not None for k in BUDGET_KEYS):
        raise SpecError(f"budget is empty; {hint}")
    time_s = evals = None
    if value.get("time_s") is not None:
        time_s = _per_dataset(value["time_s"], datasets, "budget.time_s")
    if value.get("evals") is not None:
        raw = _per_dataset(value["evals"], datasets, "budget.evals")
        for ds, n in raw.items():
            if n != int(n):
                raise SpecError(f"budget.evals must be a whole number, got {n!r} for {ds}")
        evals = {ds: int(n) for ds, n in raw.items()}
    return Budget(time_s, evals)


def _per_dataset(
    value: Any, datasets: tuple[str, ...], where: str, allow_zero: bool = False
) -> dict:
    """A number, or a mapping search dataset -> number, resolved for every search dataset."""
    if isinstance(value, dict):
        resolved = {}
        for name, v in value.items():
            resolved[_dataset(name, where)] = _number(v, f"{where}[{name}]", allow_zero)
        missing = [d for d in datasets if d not in resolved]
        if missing:
            raise SpecError(f"{where} has no value for search dataset(s) {', '.join(missing)}")
        return {d: resolved[d] for d in datasets}
    number = _number(value, where, allow_zero)
    return {d: number for d in datasets}


def _number(value: Any, where: str, allow_zero: bool) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        want = "a number >= 0" if allow_zero else "a positive number"
        raise SpecError(f"{where} must be {want} (or a mapping dataset -> number), got {value!r}")
    return float(value) if isinstance(value, float) else int(value)


def _objective(value: Any, benchmark: BenchmarkSpec) -> dict | None:
    """Validate with the strategies' :func:`make_objective`; ``valid_acc`` normalises to None."""
    from nasbench_suite.strategies.objectives import make_objective

    if isinstance(value, str):
        value = {"name": value}
    try:
        make_objective(value)
    except NasBenchError as exc:
        raise SpecError(f"objective: {exc}") from None
    if value["name"] == "valid_acc":
        return None
    if benchmark.latency_device is None:
        raise SpecError(
            f"objective {value['name']!r} needs benchmark.latency_device (a stored latency device)"
        )
    return dict(value)


def _dataset(value: Any, where: str) -> str:
    from nasbench_suite.bench.datasets import dataset_name

    try:
        return dataset_name(value)
    except NasBenchError:
        raise SpecError(
            f"unknown dataset {value!r} in {where}; known: {', '.join(DATASET_NAMES)}"
        ) from None


def _check_keys(mapping: dict, accepted: tuple[str, ...], where: str) -> None:
    bad = [str(k) for k in mapping if k not in accepted]
    if bad:
        raise SpecError(
            f"unknown key(s) {', '.join(map(repr, bad))} in {where}; "
            f"accepted: {', '.join(accepted)}"
        )


def _list(value: Any, where: str) -> list:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, list):
        raise SpecError(f"{where} must be a name or a list, got {_kind(value)}")
    return value


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _SAFE_NAME.match(value):
        raise SpecError(
            f"{where} must be a folder-safe name (letters, digits, . _ + -), got {value!r}"
        )
    return value


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{where} must be a positive integer, got {value!r}")
    return value


def _seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(f"seed must be a non-negative integer, got {value!r}")
    return value


def _kind(value: Any) -> str:
    return (
        f"{type(value).__name__} {value!r}"
        if not isinstance(value, (dict, list))
        else type(value).__name__
    )


def spec_to_json(spec: ExperimentSpec) -> dict:
    """The spec as a JSON-safe dict (tuples become lists)."""
    return dataclasses.asdict(spec)
