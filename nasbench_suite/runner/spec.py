"""Experiment specs: the YAML a user writes, parsed into frozen dataclasses and validated.

A spec names strategies, the benchmark, the budget and how many runs; :mod:`.grid` expands it into
one :class:`~nasbench_suite.runner.grid.RunSpec` per (strategy, search dataset, run). Example::

    name: quick
    seed: 0                       # master seed; every run's seeds derive from it
    runs: 3
    strategies:                   # `all`: every registered strategy not listed explicitly
      - random                    # shorthand for {name: random}
      - {name: rea, label: rea-p10, kwargs: {population_size: 10}}
    benchmark:                    # or benchmarks: [{name: nb201, ...}, {name: macro, ...}]
      type: tabular               # = name: nb201; or any registered benchmark (training, ...)
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
    budget_rule: drop             # drop | keep_crossing | interpolate (runner/budget.py)
    incumbent: max_fidelity       # max_fidelity | any_fidelity (runner/budget.py)

A strategy entry may carry its own ``budget_rule`` / ``incumbent``, which win over the spec's.

Benchmarks come from the registry (:mod:`nasbench_suite.benchmarks`); :mod:`.benchspec` parses
the ``benchmark`` / ``benchmarks`` entries against each benchmark's static ``info`` and options.
Parsing builds every strategy once on the space of every benchmark, so a bad value fails here
(exit 2, no run folder), never in a run.

Budgets and per-evaluation overheads may be one number or a mapping ``search dataset -> number``
(the NATS-Bench protocol gives every dataset its own time budget).

Clock and budget rules (see :mod:`.run`): each evaluation advances the simulated clock by the
recorded training time of what was evaluated plus ``eval_overhead_s``, "one validation pass": the
public NB201 tables carry no validation time, so the default is 0 s and a spec that wants to
charge it must choose a value. An evaluation whose completion would exceed ``time_s`` is **not
counted** by default (``budget_rule: drop``): it is neither recorded nor told to the searcher,
and the run ends with the clock at or below the budget (the rule of NB201's reference random
search and REA). ``keep_crossing`` records it (NATS-Bench's scripts); ``interpolate`` also
reads the final value at the budget as NATS-Bench's table script does (:mod:`.budget`).
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

from nasbench_suite.errors import NasBenchError, SpecError
from nasbench_suite.runner.benchspec import (
    BenchmarkSpec,
    default_report,
    lookup_dataset,
    parse_benchmarks,
    report_datasets,
)
from nasbench_suite.runner.budget import BUDGET_RULES, INCUMBENT_RULES

DEFAULT_REPORT = ("cifar10", "cifar100", "ImageNet16-120")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")

TOP_KEYS = (
    "name",
    "description",
    "seed",
    "runs",
    "strategies",
    "benchmark",
    "benchmarks",
    "report_datasets",
    "budget",
    "objective",
    "protocol",
    "budget_rule",
    "incumbent",
)
from nasbench_suite.runfolder import PROTOCOLS

STRATEGY_KEYS = ("name", "label", "kwargs", "budget_rule", "incumbent", "module",
                 "simulated_workers")
BUDGET_KEYS = ("time_s", "evals")


@dataclass(frozen=True)
class StrategySpec:
    """One strategy of the grid: registry ``name``, folder ``label`` (default: name), kwargs,
    and the benchmarks it runs on (None: every benchmark of the spec; ``all`` leaves out the
    benchmarks a strategy cannot search, e.g. NB201-only proxies on another space).
    ``budget_rule`` / ``incumbent``: this strategy's rules (None: the spec's)."""

    name: str
    label: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    benchmarks: tuple[str, ...] | None = None
    budget_rule: str | None = None
    incumbent: str | None = None
    plugin: dict[str, Any] | None = None  # module / path / sha256 / version (plugins.Plugin)
    simulated_workers: int = 1  # W workers on the simulated clock (runner/cluster.py)


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
    benchmark: BenchmarkSpec  # the first of ``benchmarks`` (every spec has at least one)
    budget: Budget
    runs: int = 1
    seed: int = 0
    report_datasets: tuple[str, ...] = DEFAULT_REPORT
    objective: dict[str, Any] | None = None
    description: str = ""
    protocol: str | None = None
    budget_rule: str = "drop"
    incumbent: str = "max_fidelity"
    benchmarks: tuple[BenchmarkSpec, ...] = ()

    def __post_init__(self) -> None:
        if not self.benchmarks:
            object.__setattr__(self, "benchmarks", (self.benchmark,))

    def with_runs(self, runs: int) -> ExperimentSpec:
        """A copy with another number of runs (the ``--runs`` override)."""
        return _check_grid_size(dataclasses.replace(self, runs=_positive_int(runs, "runs")))


# --- loading ----------------------------------------------------------------------------------
def load_spec(path: str | Path, runs: int | None = None) -> ExperimentSpec:
    """Read and validate a YAML spec; ``runs`` overrides the spec's number of runs.

    Raises:
        SpecError: one sentence naming the file, the bad value and what is accepted.
    """
    from nasbench_suite.yamlsafe import MAX_BYTES, YamlError, load_yaml_bytes

    path = Path(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"cannot read spec {path}: {exc.strerror or exc}") from None
    try:  # UTF-8, bounded size / depth / aliases, no duplicate keys (nasbench_suite.yamlsafe)
        data = load_yaml_bytes(raw, f"spec {path}")
    except YamlError as exc:
        raise SpecError(str(exc)) from None
    try:
        spec = parse_spec(data, default_name=path.stem, base_dir=path.parent)
        return spec if runs is None else spec.with_runs(runs)
    except SpecError as exc:
        raise SpecError(f"spec {path}: {exc}") from None


def parse_spec(
    data: Any, default_name: str = "experiment", base_dir: str | Path | None = None
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
    benchmarks = parse_benchmarks(data, _check_keys, _list, _per_dataset)
    all_datasets = tuple(dict.fromkeys(d for b in benchmarks for d in b.search_datasets))
    if "budget" not in data:
        raise SpecError("budget is missing; give budget: {time_s: SECONDS} and/or {evals: N}")
    budget = _budget(data["budget"], all_datasets)
    benchmarks = _with_reports(benchmarks, data.get("report_datasets"))
    report = benchmarks[0].report_datasets
    objective = data.get("objective")
    if objective is not None:
        objective = _objective(objective, benchmarks)
    strategies = _strategies(data.get("strategies"), benchmarks, base_dir)
    return _check_grid_size(ExperimentSpec(
        name=name,
        strategies=strategies,
        benchmark=benchmarks[0],
        benchmarks=benchmarks,
        budget=budget,
        runs=_positive_int(data.get("runs", 1), "runs"),
        seed=_seed(data.get("seed", 0)),
        report_datasets=report,
        objective=objective,
        description=description,
        protocol=_protocol(data.get("protocol"), name),
        budget_rule=_choice(data.get("budget_rule", "drop"), BUDGET_RULES, "budget_rule"),
        incumbent=_choice(data.get("incumbent", "max_fidelity"), INCUMBENT_RULES, "incumbent"),
    ))


MAX_GRID_RUNS = 1_000_000  # run folders one spec may ask for (NATS protocol: 6,000)


def _check_grid_size(spec: ExperimentSpec) -> ExperimentSpec:
    """Refuse a grid too large to run or even list (``runs: 1000000000``)."""
    tasks = sum(len(b.search_datasets) for b in spec.benchmarks)
    total = spec.runs * len(spec.strategies) * tasks
    if total > MAX_GRID_RUNS:
        raise SpecError(
            f"runs: {spec.runs} gives {total:,} runs ({len(spec.strategies)} strategies x "
            f"{tasks} tasks); at most {MAX_GRID_RUNS:,} fit")
    return spec


def _choice(value: Any, known: tuple[str, ...], where: str) -> str:
    if value not in known:
        raise SpecError(f"unknown {where} {value!r}; known: {', '.join(known)}")
    return value


def _with_reports(benchmarks, value) -> tuple[BenchmarkSpec, ...]:
    """Every benchmark with its report datasets: its own, else the spec's ``report_datasets``
    (which must suit it), else its default (:func:`default_report`)."""
    out = []
    for i, b in enumerate(benchmarks):
        if b.report_datasets is None:
            if value is not None:
                where = "report_datasets" if len(benchmarks) == 1 else (
                    f"report_datasets (for benchmarks[{i}] {b.name}; give it its own "
                    "report_datasets otherwise)"
                )
                reports = report_datasets(b.benchmark_class(), value, where, _list)
            else:
                reports = default_report(b)
            b = dataclasses.replace(b, report_datasets=reports)
        out.append(b)
    return tuple(out)


def _protocol(value: Any, name: str) -> str | None:
    """The shipped protocol the spec says it follows (None: none, or its name says it)."""
    if value is None or value == name:
        return None
    if value not in PROTOCOLS:
        raise SpecError(f"unknown protocol {value!r}; known: {', '.join(PROTOCOLS)}")
    return value


def _strategies(
    value: Any, benchmarks: tuple[BenchmarkSpec, ...], base_dir: str | Path | None = None
) -> tuple[StrategySpec, ...]:
    from nasbench_suite.strategies.base import get_strategy, list_strategies

    if value is None:
        raise SpecError("strategies is missing; give a list such as [random, rea]")
    known = list_strategies()
    entries = _expand_all(_list(value, "strategies"), known)
    out: list[StrategySpec] = []
    for i, (entry, from_all) in enumerate(entries):
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
        rules = {
            key: _choice(entry[key], known_values, f"{where}.{key}")
            for key, known_values in (("budget_rule", BUDGET_RULES), ("incumbent", INCUMBENT_RULES))
            if key in entry
        }
        runs_on = _build_strategy(name, kwargs, benchmarks, f"{where} ({name})", from_all)
        if not runs_on:
            continue  # from ``all``: fits none of the spec's benchmarks
        every = len(runs_on) == len(benchmarks)
        workers = _positive_int(entry.get("simulated_workers", 1), f"{where}.simulated_workers")
        if workers > 1 and rules.get("budget_rule", "drop") != "drop":
            raise SpecError(f"{where}: simulated_workers > 1 needs budget_rule drop")
        out.append(StrategySpec(name, label, dict(kwargs), None if every else tuple(runs_on),
                                plugin=plugin, simulated_workers=workers, **rules))
    if not out:
        raise SpecError(f"strategies is empty; known: {', '.join(known)}")
    labels = [s.label for s in out]
    duplicates = sorted({x for x in labels if labels.count(x) > 1})
    if duplicates:
        raise SpecError(
            f"strategy labels must be unique; repeated: {', '.join(duplicates)} (set label: ...)"
        )
    return tuple(out)


def _build_strategy(name, kwargs, benchmarks, where, from_all) -> list[str]:
    """Build strategy ``name`` once on the space of every benchmark (so a bad value fails now,
    not in a run); the names of the benchmarks it runs on. A strategy named explicitly must fit
    every benchmark; one from ``all`` is left out where it does not fit."""
    from nasbench_suite.spaces.base import create_space
    from nasbench_suite.strategies.base import create_strategy, get_strategy

    cls = get_strategy(name)
    runs_on: list[str] = []
    for b in benchmarks:
        info = b.benchmark_class().info
        problem = None
        if not cls.supports(info.space):
            problem = f"works on the {', '.join(cls.spaces or ())} space only, not on {b.name}"
        elif cls.multi_fidelity and len(info.fidelities) < 2:
            problem = f"needs several fidelities; {b.name} has only {info.fidelities[0]}"
        if problem is not None:
            if from_all:
                continue
            raise SpecError(f"{where} {problem} (benchmark {b.name})")
        extra = {"fidelities": tuple(info.fidelities)} if cls.multi_fidelity else {}
        try:
            create_strategy(name, create_space(info.space), seed=0, **kwargs, **extra)
        except NasBenchError as exc:
            raise SpecError(f"{where}: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise SpecError(f"{where}: bad argument ({exc})") from None
        runs_on.append(b.name)
    return runs_on


def _expand_all(entries: list, known: list[str]) -> list[tuple[Any, bool]]:
    """Replace ``all`` by every registered black-box strategy not named elsewhere in the list;
    each entry comes with True when it came from ``all``.

    ``[all, {name: rea, kwargs: {population_size: 20}}]`` runs every strategy with its defaults
    except rea, which gets the kwargs given; strategies registered later join automatically.
    One-shot strategies (``evaluations_are_free``: they train a supernet on their own data and
    need a ``data`` argument to mean anything) are not part of ``all``; name them explicitly.
    Strategies from ``all`` run on the benchmarks they fit (space, fidelities) only.
    """
    if "all" not in entries:
        return [(e, False) for e in entries]
    from nasbench_suite.strategies import get_strategy

    known = [n for n in known if not get_strategy(n).evaluations_are_free]
    named = {
        e if isinstance(e, str) else e.get("name") for e in entries if isinstance(e, (str, dict))
    }
    out: list[tuple[Any, bool]] = []
    for entry in entries:
        if entry == "all":
            done = {e for e, _ in out if isinstance(e, str)}
            out.extend((n, True) for n in known if n not in named and n not in done)
        else:
            out.append((entry, False))
    return out


def _check_kwargs(cls: type, kwargs: dict, where: str) -> None:
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    given_by_runner = ("self", "space", "seed", "objective")
    if cls.multi_fidelity:  # the runner passes the benchmark's fidelities
        given_by_runner += ("fidelities",)
    accepted = [p for p in params if p not in given_by_runner]
    bad = sorted(k for k in kwargs if k not in accepted)
    if bad:
        raise SpecError(
            f"unknown argument(s) {', '.join(bad)} for {where}; "
            f"accepted: {', '.join(accepted) or 'none'}"
        )


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
            resolved[_dataset(name, where, datasets)] = _number(
                v, f"{where}[{name}]", allow_zero
            )
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


def _objective(value: Any, benchmarks: tuple[BenchmarkSpec, ...]) -> dict | None:
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
    for b in benchmarks:
        if "latency" not in b.benchmark_class().info.objectives:
            raise SpecError(
                f"objective {value['name']!r} needs latencies, which benchmark {b.name} "
                "does not have"
            )
        if b.latency_device is None:
            raise SpecError(
                f"objective {value['name']!r} needs benchmark.latency_device (a stored "
                "latency device)"
            )
    return dict(value)


def _dataset(value: Any, where: str, known: tuple[str, ...] = ()) -> str:
    """A dataset name among ``known`` (the spec's search datasets), case-insensitive, NB201
    aliases (``imagenet``) accepted."""
    name, alias = lookup_dataset(value, known)
    if name is not None:
        return name
    if alias is not None:  # an NB201 name the spec does not search on (ignored)
        return alias
    raise SpecError(f"unknown dataset {value!r} in {where}; known: {', '.join(known)}")


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
