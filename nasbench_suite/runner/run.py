"""One run: the ask -> evaluate -> tell loop, its trajectory and its run folder.

Loop (simulated clock, seconds)::

    candidate = searcher.ask()
    obs = benchmark.evaluate(candidate.arch_index, rng=noise_rng, fidelity=candidate.fidelity)
    clock += obs.cost_s + eval_overhead_s      # recorded training time + "one validation pass"
    searcher.tell(candidate, obs)              # validation signal and cost only, never test

Rules:

* **Budget.** The run stops at the evaluation whose completion crosses ``time_budget_s`` or when
  ``eval_budget`` evaluations are recorded, whichever comes first. What happens to the crossing
  evaluation is the run's ``budget_rule`` (:mod:`.budget`): ``drop`` (default) does not count it
  (not recorded, not told, cannot become the incumbent; the clock of the last row is always <=
  the budget), as NB201's reference random search and REA do (``exps/NAS-Bench-201-algos/
  RANDOM.py`` breaks, ``R_EA.py`` returns, before adding it); ``keep_crossing`` records it (its
  row's clock exceeds the budget) and then stops, as NATS-Bench's scripts do (``while
  total_time < budget``); ``interpolate`` records it likewise and reads the run's final test
  accuracy at the budget by NATS-Bench's ``draw-table.py`` interpolation
  (:func:`.budget.value_at_budget`; metadata ``test_acc_at_budget``). A strategy whose ``ask``
  raises ``StopIteration`` ends the run early (status complete, ``stop_reason: exhausted``).
* **Incumbent.** ``incumbent: max_fidelity`` (default): the best *objective* (validation
  accuracy by default; the spec's objective when it has one) among the observations at the
  highest fidelity that has a non-NaN observation so far. Single-fidelity strategies thus get
  the best validation accuracy seen; for multi-fidelity strategies (Hyperband, BOHB) a 12-epoch
  result stops being the incumbent as soon as a cell has been evaluated at 200 epochs, so a
  cheap low-fidelity signal cannot masquerade as a full-training one. ``incumbent:
  any_fidelity``: the best objective over all observations whatever their fidelity (NATS-Bench's
  BOHB script). Ties keep the earlier cell. NaN observations are recorded as ``null`` and never
  become the incumbent.
* **One-shot strategies** (DARTS, GDAS, ...) train a supernet inside ``ask``: the searcher's
  :meth:`~nasbench_suite.strategies.base.Searcher.compute_cost_s` (0 for black-box methods) is
  added to the clock after each ask, and one with ``evaluations_are_free = True`` is not charged
  the benchmark's training time (nor
  ``eval_overhead_s``) for the cell it proposes, which is a read-out, not a trained candidate.
  Their ``time_s`` thus holds measured seconds and is not byte-reproducible; every other column
  is. ``searcher.artifacts()`` (name -> JSON object) are written into the run folder.
* **Test accuracy** of the incumbent (on NB201: seed-mean, 200 epochs; each report dataset) is
  looked up by the runner via :meth:`Benchmark.test_accuracy` for the trajectory only.
* **Benchmarks** come from the registry: ``Benchmark.from_spec(dataset, options, store)`` with
  the options of the run's ``benchmark`` entry, built once per process (:func:`context`); the
  strategy searches ``bench.space``.

Run folder ``<out>/<label>/<task>/run-<k>/`` (task: the dataset, or ``<benchmark>-<dataset>``
for benchmarks other than NB201 and training; see :mod:`nasbench_suite.runfolder`): ``spec.json`` (the :class:`RunSpec`),
``trajectory.jsonl`` (one row per recorded evaluation, keys sorted, compact JSON) and
``metadata.json`` (status, versions, git revision, store checksum, benchmark name and
provenance, seeds, wall time). Everything
is written to ``.run-<k>.tmp`` beside it, then moved into place with :func:`os.replace`; a folder
whose ``metadata.json`` says ``"status": "complete"`` is never touched again, and files the suite
did not write in a folder that is redone are kept (:mod:`nasbench_suite.runner.folders`).
``metadata.json`` also records the SHA-256 of the trajectory and the spec / experiment hashes that
readers use to find damaged or mixed run folders (:mod:`nasbench_suite.runfolder_check`). ``spec.json`` and
``trajectory.jsonl`` are byte-identical for the same spec and seed; wall-clock data lives in
``metadata.json`` only.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nasbench_suite.runfolder import (  # noqa: F401  (re-exported: the folder format)
    COMPLETE,
    FAILED,
    METADATA_FILE,
    SPEC_FILE,
    TRAJECTORY_FILE,
    is_complete,
    read_metadata,
)
from nasbench_suite.runfolder_check import integrity_fields
from nasbench_suite.runner.folders import replace_run_folder
from nasbench_suite.runner.grid import NOISE_STREAM, SEARCHER_STREAM, RunSpec


@dataclass(frozen=True)
class RunResult:
    """What a worker reports back about one run."""

    relpath: str
    status: str  # complete | failed | skipped
    n_evals: int = 0
    wall_s: float = 0.0
    searcher_s: float = 0.0
    error: str | None = None


# --- per-process context (store, space, benchmarks): loaded once per worker ----------------
class _Context:
    """Benchmarks built from the registry, once per (benchmark, dataset, options) and process."""

    def __init__(self, store_path: str | None) -> None:
        self.store_path = store_path
        self._benchmarks: dict[str, Any] = {}

    def benchmark(self, run: RunSpec):
        from nasbench_suite.benchmarks.base import get_benchmark

        options = {k: v for k, v in run.benchmark.items() if k not in ("type", "eval_overhead_s")}
        key = json.dumps([run.benchmark_name, run.dataset, options], sort_keys=True)
        if key not in self._benchmarks:
            cls = get_benchmark(run.benchmark_name)
            self._benchmarks[key] = cls.from_spec(run.dataset, options, store=self.store_path)
        return self._benchmarks[key]


_CONTEXTS: dict[str | None, _Context] = {}


def context(store_path: str | None = None) -> _Context:
    """The cached benchmarks of this process."""
    if store_path not in _CONTEXTS:
        _CONTEXTS[store_path] = _Context(store_path)
    return _CONTEXTS[store_path]


# --- the loop -------------------------------------------------------------------------------
def _num(x) -> str:
    """A float as JSON writes it (``float.__repr__``), NaN / None as ``null``."""
    return "null" if x is None or math.isnan(x) else float.__repr__(float(x))


_ROW = (
    '{"arch_index":%d,"fidelity":%d,"incumbent_index":%s,"incumbent_test_acc":%s,'
    '"incumbent_valid_acc":%s,%s"n_evals":%d,"time_s":%s,"valid_acc":%s}\n'
)


@dataclass
class _Outcome:
    lines: list[str]
    n_evals: int
    clock: float
    stop_reason: str
    discarded: int
    searcher_s: float
    incumbent: dict[str, Any]
    error: str | None = None
    traceback: str | None = None
    compute_s: float = 0.0
    artifacts: dict[str, Any] | None = None
    at_budget: dict[str, float | None] | None = None  # budget_rule interpolate only


def _strategy_kwargs(run: RunSpec, bench) -> dict[str, Any]:
    """The spec's kwargs; a strategy that trains on images searches on the run's dataset, and
    a multi-fidelity one gets the benchmark's fidelities.

    Strategies with ``searches_on_data`` (the one-shot methods) default to synthetic noise when
    built directly (fast contract tests); through the runner, a spec that names no ``data``
    means the search dataset, so a NAS run never silently searches on noise.
    """
    from nasbench_suite.strategies.base import get_strategy

    cls = get_strategy(run.strategy)
    kwargs = dict(run.kwargs)
    if cls.searches_on_data and "data" not in kwargs:
        kwargs["data"] = run.dataset
    if cls.multi_fidelity:
        kwargs["fidelities"] = tuple(bench.fidelities)
    return kwargs


def search(run: RunSpec, bench, space) -> _Outcome:
    """Run the loop of ``run`` on ``bench``; never raises for strategy errors (see ``error``)."""
    from nasbench_suite.strategies.base import create_strategy, validation_objective

    perf = time.perf_counter
    kwargs = _strategy_kwargs(run, bench)
    objective = validation_objective
    if run.objective is not None:
        from nasbench_suite.strategies.objectives import make_objective

        objective = make_objective(run.objective)
        kwargs["objective"] = objective
    rng = run.noise_rng()
    time_budget = math.inf if run.time_budget_s is None else run.time_budget_s
    eval_budget = sys.maxsize if run.eval_budget is None else run.eval_budget
    overhead = float(run.benchmark.get("eval_overhead_s", 0.0))
    with_latency = run.benchmark.get("latency_device") is not None
    keep_crossing = run.budget_rule != "drop"
    any_fidelity = run.incumbent == "any_fidelity"
    reports = run.report_datasets
    none_test = "{" + ",".join(f'"{d}":null' for d in sorted(reports)) + "}"

    lines: list[str] = []
    clock, n, discarded, searcher_s = 0.0, 0, 0, 0.0
    best: dict[int, tuple[float, int, float]] = {}  # fidelity -> (score, index, valid_acc)
    inc_fid, inc_index, inc_valid, inc_test = -1, None, math.nan, none_test
    inc_score = -math.inf
    row_clock: list[float] = []  # per recorded row: clock and incumbent test accuracies
    row_test: list[dict[str, float | None]] = []
    inc_test_map: dict[str, float | None] = {d: None for d in reports}
    stop, error, tb = "eval_budget", None, None
    compute_s, searcher = 0.0, None
    try:
        t0 = perf()
        searcher = create_strategy(run.strategy, space, seed=run.searcher_seed(), **kwargs)
        searcher_s += perf() - t0
        free = searcher.evaluations_are_free

        def cost_of(cand, obs) -> float:
            nonlocal compute_s
            cost = 0.0 if free else obs.cost_s + overhead
            if cand.resume_from is not None and bench.supports_resume and not free:
                # a continued training: only the epochs from resume_from to the fidelity
                cost = float(bench.cost(cand.arch_index, obs.fidelity, cand.resume_from))
                cost += overhead
            compute = float(searcher.compute_cost_s())  # one-shot / proxy seconds (else 0)
            if compute:
                compute_s += compute
                cost += compute
            if not math.isfinite(cost) or cost < 0:
                raise ValueError(f"benchmark returned a non-finite or negative cost {cost!r}")
            return cost

        def record(obs) -> None:
            nonlocal n, inc_fid, inc_index, inc_valid, inc_score, inc_test_map, inc_test
            n += 1
            fid = obs.fidelity
            score = objective(obs)
            if score is not None and not math.isnan(score) and score > best.get(fid, (-math.inf,))[0]:
                best[fid] = (score, obs.arch_index, obs.valid_acc)
                if (score > inc_score) if any_fidelity else (fid >= inc_fid):
                    inc_fid, inc_index, inc_valid = fid, obs.arch_index, obs.valid_acc
                    inc_score = score
                    inc_test_map = {
                        d: _finite(bench.test_accuracy([inc_index], d)[0]) for d in reports
                    }
                    inc_test = json.dumps(inc_test_map, sort_keys=True, separators=(",", ":"))
            lat = f'"latency_ms":{_num(obs.latency_ms)},' if with_latency else ""
            lines.append(
                _ROW
                % (
                    obs.arch_index,
                    fid,
                    "null" if inc_index is None else f"{inc_index:d}",
                    inc_test,
                    _num(inc_valid),
                    lat,
                    n,
                    _num(clock),
                    _num(obs.valid_acc),
                )
            )
            row_clock.append(clock)
            row_test.append(inc_test_map)

        if run.simulated_workers > 1:  # W workers on the simulated clock (budget rule: drop)
            from nasbench_suite.runner.cluster import ClusterState, simulate

            def timed_ask():
                nonlocal searcher_s
                t0 = perf()
                try:
                    return searcher.ask()
                finally:
                    searcher_s += perf() - t0

            def evaluate(cand):
                obs = bench.evaluate(cand.arch_index, rng=rng, fidelity=cand.fidelity)
                return obs, cost_of(cand, obs)

            state = ClusterState()
            limit = None if run.eval_budget is None else eval_budget
            for done in simulate(timed_ask, evaluate, run.simulated_workers, time_budget,
                                 limit, state):
                clock = done.time_s
                record(done.observation)
                t0 = perf()
                searcher.tell(done.candidate, done.observation)
                searcher_s += perf() - t0
            stop, discarded = state.stop, state.discarded
        while run.simulated_workers == 1 and n < eval_budget:
            t0 = perf()
            try:
                cand = searcher.ask()
            except StopIteration:
                stop = "exhausted"
                break
            searcher_s += perf() - t0
            if cand is None:  # waits for results none of which is pending: nothing left to do
                stop = "exhausted"
                break
            obs = bench.evaluate(cand.arch_index, rng=rng, fidelity=cand.fidelity)
            cost = cost_of(cand, obs)
            crossing = clock + cost > time_budget
            if crossing and not keep_crossing:
                discarded, stop = 1, "time_budget"
                break
            clock += cost
            record(obs)
            if crossing:  # keep_crossing / interpolate: recorded, not told; the run ends
                stop = "time_budget"
                break
            t0 = perf()
            searcher.tell(cand, obs)
            searcher_s += perf() - t0
    except Exception as exc:  # noqa: BLE001 - a broken strategy fails its run only; grid goes on
        stop, error, tb = "error", f"{type(exc).__name__}: {exc}", traceback.format_exc()
    artifacts = None
    if searcher is not None:
        try:
            artifacts = dict(searcher.artifacts())
        except Exception as exc:  # noqa: BLE001  (an artifact never fails the run)
            artifacts = {"artifacts_error.json": {"error": f"{type(exc).__name__}: {exc}"}}
    incumbent = {
        "index": inc_index,
        "fidelity": None if inc_index is None else inc_fid,
        "valid_acc": None if inc_index is None else _finite(inc_valid),
        "test_acc": inc_test_map,
    }
    at_budget = None
    if run.budget_rule == "interpolate" and math.isfinite(time_budget):
        from nasbench_suite.runner.budget import value_at_budget

        at_budget = {
            d: _finite(
                value_at_budget(
                    row_clock, [math.nan if m[d] is None else m[d] for m in row_test], time_budget
                )
            )
            for d in reports
        }
    return _Outcome(
        lines,
        n,
        clock,
        stop,
        discarded,
        searcher_s,
        incumbent,
        error,
        tb,
        compute_s,
        artifacts,
        at_budget,
    )


def _store_read(bench) -> dict:
    """Checksums of the store bytes and manifest a store-backed benchmark read (else none)."""
    store = getattr(bench, "store", None)
    if store is None or not hasattr(store, "read_sha256"):
        return {}
    return {"read_sha256": store.read_sha256, "manifest_sha256": store.manifest_sha256}


def _jsonable(value):
    """``json.dumps`` fallback for artifacts: numpy scalars / arrays, anything else as str."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _finite(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


# --- the run folder -------------------------------------------------------------------------
def execute(run: RunSpec, out: str | Path, store_path: str | None = None) -> RunResult:
    """Run ``run`` and write its folder under ``out``; a complete folder is skipped untouched."""
    out = Path(out)
    folder = out / run.relpath()
    rel = run.relpath().as_posix()
    if is_complete(folder):
        return RunResult(rel, "skipped")
    started = datetime.now(timezone.utc)
    wall0 = time.perf_counter()
    ctx = context(store_path)
    bench = None
    try:
        from nasbench_suite.plugins import ensure

        ensure(run.plugin)  # spawn / Ray workers import the strategy's plug-in (same bytes)
        bench = ctx.benchmark(run)
        outcome = search(run, bench, bench.space)
    except Exception as exc:  # noqa: BLE001 - benchmark construction / objective import failed
        outcome = _Outcome(
            [], 0, 0.0, "error", 0, 0.0, {}, f"{type(exc).__name__}: {exc}", traceback.format_exc()
        )
    wall_s = time.perf_counter() - wall0
    status = FAILED if outcome.error else COMPLETE
    meta = _metadata(run, outcome, bench, store_path, status, started, wall_s)
    meta.update(integrity_fields(run.to_json(), "".join(outcome.lines)))

    tmp = folder.parent / f".{folder.name}.tmp"
    try:
        os.mkdir(tmp)
    except FileExistsError:  # left by a killed worker
        shutil.rmtree(tmp)
        os.mkdir(tmp)
    except FileNotFoundError:  # first run of this strategy / dataset
        tmp.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(tmp)
    (tmp / SPEC_FILE).write_text(json.dumps(run.to_json(), sort_keys=True, indent=1) + "\n")
    with open(tmp / TRAJECTORY_FILE, "w") as f:
        f.writelines(outcome.lines)
    for name, content in (outcome.artifacts or {}).items():
        target = tmp / Path(name).name  # plain file names only; never over the runner's files
        if target.name not in (SPEC_FILE, TRAJECTORY_FILE, METADATA_FILE):
            target.write_text(json.dumps(content, sort_keys=True, default=_jsonable) + "\n")
    (tmp / METADATA_FILE).write_text(json.dumps(meta, sort_keys=True, indent=1) + "\n")
    kept = replace_run_folder(tmp, folder)  # keeps what the suite did not write
    if kept:
        print(f"note: {rel} was redone; kept {', '.join(kept)} (not written by the suite) in it",
              file=sys.stderr)
    return RunResult(rel, status, outcome.n_evals, wall_s, outcome.searcher_s, outcome.error)


def execute_many(
    runs: list[RunSpec], out: str | Path, store_path: str | None = None
) -> list[RunResult]:
    """Execute ``runs`` in order in this process (the unit of work sent to a worker)."""
    return [execute(r, out, store_path) for r in runs]


def _metadata(
    run: RunSpec, o: _Outcome, bench, store_path, status: str, started, wall_s: float
) -> dict:
    prov = None
    if bench is not None:
        try:
            prov = bench.provenance()
        except Exception:  # noqa: BLE001  (provenance never fails the run)
            prov = None
    return {
        "status": status,
        "error": o.error,
        "traceback": o.traceback,
        "stop_reason": o.stop_reason,
        "n_evals": o.n_evals,
        "clock_s": o.clock,
        "discarded_evals": o.discarded,
        "final_incumbent": o.incumbent,
        **({} if o.at_budget is None else {"test_acc_at_budget": o.at_budget}),
        "wall_s": wall_s,
        "searcher_s": o.searcher_s,
        "compute_s": o.compute_s,
        "artifacts": sorted(Path(n).name for n in (o.artifacts or {})),
        "started_utc": started.isoformat(timespec="seconds"),
        "seeds": {
            "master_seed": run.master_seed,
            "spawn_key": list(run.spawn_key),
            "searcher_spawn_key": [*run.spawn_key, SEARCHER_STREAM],
            "searcher_seed": run.searcher_seed(),
            "noise_spawn_key": [*run.spawn_key, NOISE_STREAM],
        },
        "store": {
            "path": None if store_path is None else str(store_path),
            "checksum": None if prov is None else prov.store_checksum,
            **_store_read(bench),  # sha256 of the bytes and manifest this run actually read
        },
        "benchmark": {
            "name": run.benchmark_name,
            "citation": None if prov is None else prov.citation,
            "sources": {} if prov is None else dict(prov.sources),
        },
        **({"plugin": run.plugin} if run.plugin else {}),
        **environment(),
    }


_ENV: dict | None = None


def environment() -> dict:
    """Versions, platform and git revision (computed once per process)."""
    global _ENV
    if _ENV is None:
        from importlib import metadata

        versions = {"python": platform.python_version()}
        for pkg in ("nasbench-suite", "numpy", "scipy", "optuna", "PyYAML", "ray", "torch"):
            try:
                versions[pkg] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                versions[pkg] = None
        _ENV = {
            "versions": versions,
            "platform": platform.platform(),
            "hostname": platform.node(),
            "pid": os.getpid(),
            "git_revision": git_revision(),
        }
    return {**_ENV, "pid": os.getpid()}


def git_revision() -> str | None:
    """The repository's HEAD commit (read from ``.git``, no subprocess), or None."""
    from nasbench_suite.paths import REPO_DIR

    git = REPO_DIR / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: PATH"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(None, 1)[1]
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text().strip()
        common = git / "commondir"
        base = (git / common.read_text().strip()).resolve() if common.is_file() else git
        if (base / ref).is_file():
            return (base / ref).read_text().strip()
        for line in (base / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except (OSError, IndexError):
        return None
    return None
