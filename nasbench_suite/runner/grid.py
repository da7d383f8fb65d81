"""Grid expansion: one :class:`RunSpec` per (strategy label, benchmark, search dataset, run).

Run folders and seeds are keyed by the run's *task*: the search dataset for the benchmarks that
existed before benchmarks were plug-ins (``nb201``, whose runs say ``type: tabular``, and
``training``), so their folders and seeds are unchanged, and ``<benchmark>-<dataset>`` for every
other benchmark (``macro-cifar10``), so two benchmarks on one dataset never share a folder.

Seeds: every run's seeds derive from the master seed with
``numpy.random.SeedSequence(master, spawn_key=(stable(label), stable(task), run, stream))``,
where ``stable`` is the first 4 bytes of SHA-256 of the name (never Python's salted ``hash()``)
and ``stream`` is 0 for the searcher and 1 for the benchmark noise. A run's seeds depend only on
its own (label, dataset, run), so adding runs, strategies or datasets never changes the seeds of
existing runs, and the order of execution does not matter.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.runfolder import LEGACY_FOLDER_TYPES, benchmark_name, task_name  # noqa: F401
from nasbench_suite.runner.spec import ExperimentSpec

SEARCHER_STREAM, NOISE_STREAM = 0, 1


def stable_int(name: str) -> int:
    """A 32-bit integer of ``name`` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; written verbatim (as JSON) to the run's ``spec.json``.

    Attributes:
        experiment: the spec's name.
        strategy / label / kwargs: registry name, folder label, constructor arguments.
        dataset: search dataset.
        run: run number (0-based).
        master_seed / spawn_key: ``SeedSequence(master_seed, spawn_key=spawn_key + (stream,))``.
        benchmark: ``type`` (the benchmark's registry name; ``tabular`` for nb201), its options
            (nb201: fidelity, noise, latency_device) and eval_overhead_s (for this dataset).
        report_datasets: datasets whose test accuracy the trajectory reports.
        time_budget_s / eval_budget: limits for this dataset (None: no limit of that kind).
        objective: objective spec given to the strategy (None: validation accuracy).
        protocol: the shipped protocol the experiment follows (``nb201``, ``nats_tss``), if any.
        simulated_workers: W workers on the simulated clock (:mod:`.cluster`); 1 = sequential.
        budget_rule / incumbent: the run's budget cut-off and incumbent rules
            (:mod:`nasbench_suite.runner.budget`); left out of ``spec.json`` at their defaults.
        plugin: the strategy's plug-in (module, path, sha256, version) when it is not built in.
    """

    experiment: str
    strategy: str
    label: str
    dataset: str
    run: int
    master_seed: int
    spawn_key: tuple[int, ...]
    benchmark: dict[str, Any]
    report_datasets: tuple[str, ...]
    time_budget_s: float | None
    eval_budget: int | None
    kwargs: dict[str, Any] = field(default_factory=dict)
    objective: dict[str, Any] | None = None
    protocol: str | None = None
    budget_rule: str = "drop"
    incumbent: str = "max_fidelity"
    simulated_workers: int = 1
    plugin: dict[str, Any] | None = None  # the strategy's plug-in module (plugins.Plugin)

    def seed_sequence(self, stream: int) -> np.random.SeedSequence:
        """The run's child seed sequence for ``stream`` (0 searcher, 1 benchmark noise)."""
        return np.random.SeedSequence(self.master_seed, spawn_key=(*self.spawn_key, stream))

    def searcher_seed(self) -> int:
        """The integer seed given to the strategy (32 bits: accepted by every RNG API)."""
        return int(self.seed_sequence(SEARCHER_STREAM).generate_state(1, np.uint32)[0])

    def noise_rng(self) -> np.random.Generator:
        """The generator the benchmark draws its noise (recorded training seed) from."""
        return np.random.default_rng(self.seed_sequence(NOISE_STREAM))

    @property
    def benchmark_name(self) -> str:
        """Registry name of the run's benchmark (``tabular`` in old folders is ``nb201``)."""
        return benchmark_name(self.benchmark.get("type", "tabular"))

    @property
    def task(self) -> str:
        """Folder / seed key: the dataset (nb201, training) or ``<benchmark>-<dataset>``."""
        return task_name(self.benchmark.get("type", "tabular"), self.dataset)

    def relpath(self) -> Path:
        """``<label>/<task>/run-<k>`` (k zero-padded to 4 digits so folders sort)."""
        return Path(self.label) / self.task / f"run-{self.run:04d}"

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict (tuples become lists); deterministic given the spec."""
        out = asdict(self)
        out["spawn_key"] = list(self.spawn_key)
        out["report_datasets"] = list(self.report_datasets)
        for key in ("protocol", "plugin"):  # folders written before the key existed resume
            if out[key] is None:
                del out[key]
        for key, default in (("budget_rule", "drop"), ("incumbent", "max_fidelity"),
                             ("simulated_workers", 1)):
            if out[key] == default:  # specs written before the keys existed keep their bytes
                del out[key]
        return out


def expand(spec: ExperimentSpec) -> list[RunSpec]:
    """Every run of ``spec``, run-major (run 0 of everything first), then benchmark, dataset,
    strategy.

    Run-major order makes a partly finished grid useful: every strategy has its first runs.
    """
    runs = []
    for k in range(spec.runs):
        for b, dataset in [(e, d) for e in spec.benchmarks for d in e.search_datasets]:
            time_s, evals = spec.budget.for_dataset(dataset)
            bench = {"type": b.type, **b.options, "eval_overhead_s": b.overhead_s(dataset)}
            task = task_name(b.type, dataset)
            for strat in spec.strategies:
                if strat.benchmarks is not None and b.name not in strat.benchmarks:
                    continue
                runs.append(
                    RunSpec(
                        experiment=spec.name,
                        strategy=strat.name,
                        label=strat.label,
                        dataset=dataset,
                        run=k,
                        master_seed=spec.seed,
                        spawn_key=(stable_int(strat.label), stable_int(task), k),
                        benchmark=dict(bench),
                        report_datasets=b.report_datasets or spec.report_datasets,
                        time_budget_s=None if time_s is None else float(time_s),
                        eval_budget=evals,
                        kwargs=dict(strat.kwargs),
                        objective=None if spec.objective is None else dict(spec.objective),
                        protocol=spec.protocol,
                        budget_rule=strat.budget_rule or spec.budget_rule,
                        incumbent=strat.incumbent or spec.incumbent,
                        simulated_workers=strat.simulated_workers,
                        plugin=strat.plugin,
                    )
                )
    return runs
