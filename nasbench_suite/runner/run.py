"""One run: the ask -> evaluate -> tell loop, its trajectory and its run folder.

Loop (simulated clock, seconds)::

    candidate = searcher.ask()
    obs = benchmark.evaluate(candidate.arch_index, rng=noise_rng, fidelity=candidate.fidelity)
    clock += obs.cost_s + eval_overhead_s      # recorded training time + "one validation pass"
    searcher.tell(candidate, obs)              # validation signal and cost only, never test

Rules:

* **Budget.** The run stops when the next evaluation would end after ``time_budget_s`` (that
  evaluation is not counted: not recorded, not told, cannot become the incumbent; the clock of
  the last row is always <= the budget) or when ``eval_budget`` evaluations are recorded,
  whichever comes first. This is the rule of the NB201 / NATS-Bench reference REA
  (``if total_time_cost + time_cost > time_budget: return``); their random-search loop instead
  tests the clock *before* each evaluation and so keeps the crossing one. We apply the REA rule
  to every strategy so that all are compared on the same budget. A strategy whose ``ask``
  raises ``StopIteration`` ends the run early (status complete, ``stop_reason: exhausted``).
* **Incumbent.** The best *objective* (validation accuracy by default; the spec's objective when
  it has one) among the observations at the highest fidelity that has a non-NaN observation so
  far. Single-fidelity strategies thus get the best validation accuracy seen; for
  multi-fidelity strategies (Hyperband, BOHB) a 12-epoch result stops being the incumbent as soon
  as a cell has been evaluated at 200 epochs, so a cheap low-fidelity signal cannot masquerade as
  a full-training one. Ties keep the earlier cell. NaN observations are recorded as ``null`` and
  never become the incumbent.
* **One-shot strategies** (DARTS, GDAS, ...) train a supernet inside ``ask``: a searcher with a
  ``compute_cost_s`` attribute has that many real seconds added to the clock after each ask, and
  one with ``evaluations_are_free = True`` is not charged the benchmark's training time (nor
  ``eval_overhead_s``) for the cell it proposes, which is a read-out, not a trained candidate.
  Their ``time_s`` thus holds measured seconds and is not byte-reproducible; every other column
  is. ``searcher.artifacts()`` (name -> JSON object) are written into the run folder.
* **Test accuracy** of the incumbent (seed-mean, 200 epochs, each report dataset) is looked up
  by the runner via :meth:`TabularBenchmark.test_accuracy` for the trajectory only.

Run folder ``<out>/<label>/<dataset>/run-<k>/``: ``spec.json`` (the :class:`RunSpec`),
``trajectory.jsonl`` (one row per recorded evaluation, keys sorted, compact JSON) and
``metadata.json`` (status, versions, git revision, store checksum, seeds, wall time). Everything
is written to ``.run-<k>.tmp`` beside it, then moved into place with :func:`os.replace`; a folder
whose ``metadata.json`` says ``"status": "complete"`` is never touched again. ``spec.json`` and
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

from nasbench_suite.runner.grid import NOISE_STREAM, SEARCHER_STREAM, RunSpec

SPEC_FILE, TRAJECTORY_FILE, METADATA_FILE = "spec.json", "trajectory.jsonl", "metadata.json"
COMPLETE, FAILED = "complete", "failed"


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
    def __init__(self, store_path: str | None) -> None:
        from nasbench_suite.bench.store import Store, open_store
        from nasbench_suite.space.searchspace import SearchSpace

        self.store = open_store() if store_path is None else Store.load(Path(store_path))
        self.space = SearchSpace(self.store.index_map)
        self._benchmarks: dict[tuple, Any] = {}

    def benchmark(self, run: RunSpec):
        b = run.benchmark
        if b["type"] == "training":
            key = ("training", run.dataset, json.dumps(b, sort_keys=True))
            if key not in self._benchmarks:
                from nasbench_suite.train.benchmark import from_spec

                self._benchmarks[key] = from_spec(b, run.dataset, self.store.index_map)
            return self._benchmarks[key]
        key = (run.dataset, b["fidelity"], b["noise"], b["latency_device"])
        if key not in self._benchmarks:
            from nasbench_suite.bench.tabular import TabularBenchmark

            self._benchmarks[key] = TabularBenchmark(
                run.dataset,
                fidelity=b["fidelity"],
                noise=b["noise"],
                latency_device=b["latency_device"],
                store=self.store,
            )
        return self._benchmarks[key]


_CONTEXTS: dict[str | None, _Context] = {}


def context(store_path: str | None = None) -> _Context:
    """The cached store / space / benchmarks of this process."""
    if store_path not in _CONTEXTS:
        _CONTEXTS[store_path] = _Context(store_path)
    return _CONTEXTS[store_path]


# --- folder state -------------------------------------------------------------------------
def read_metadata(folder: Path) -> dict | None:
    """The run folder's metadata, or None when absent or unreadable."""
    try:
        return json.loads((folder / METADATA_FILE).read_text())
    except (OSError, ValueError):
        return None


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished run (never rewritten)."""
    meta = read_metadata(folder)
    return bool(meta) and meta.get("status") == COMPLETE


# --- the loop -------------------------------------------------------------------------------
def _num(x) -> str:
    """A float as JSON writes it (``float.__repr__``), NaN / None as ``null``."""
    return "null" if x is None or x != x else float.__repr__(float(x))


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


def _strategy_kwargs(run: RunSpec) -> dict[str, Any]:
    """The spec's kwargs; a strategy that trains on images searches on the run's dataset.

    Strategies with ``searches_on_data`` (the one-shot methods) default to synthetic noise when
    built directly (fast contract tests); through the runner, a spec that names no ``data``
    means the search dataset, so a NAS run never silently searches on noise.
    """
    from nasbench_suite.strategies.base import get_strategy

    kwargs = dict(run.kwargs)
    if getattr(get_strategy(run.strategy), "searches_on_data", False) and "data" not in kwargs:
        kwargs["data"] = run.dataset
    return kwargs


def search(run: RunSpec, bench, space) -> _Outcome:
    """Run the loop of ``run`` on ``bench``; never raises for strategy errors (see ``error``)."""
    from nasbench_suite.strategies.base import create_strategy, validation_objective

    perf = time.perf_counter
    kwargs = _strategy_kwargs(run)
    objective = validation_objective
    if run.objective is not None:
        from nasbench_suite.strategies.objectives import make_objective

        objective = make_objective(run.objective)
        kwargs["objective"] = objective
    rng = run.noise_rng()
    time_budget = math.inf if run.time_budget_s is None else run.time_budget_s
    eval_budget = sys.maxsize if run.eval_budget is None else run.eval_budget
    overhead = float(run.benchmark["eval_overhead_s"])
    with_latency = run.benchmark["latency_device"] is not None
    reports = run.report_datasets
    none_test = "{" + ",".join(f'"{d}":null' for d in sorted(reports)) + "}"

    lines: list[str] = []
    clock, n, discarded, searcher_s = 0.0, 0, 0, 0.0
    best: dict[int, tuple[float, int, float]] = {}  # fidelity -> (score, index, valid_acc)
    inc_fid, inc_index, inc_valid, inc_test = -1, None, math.nan, none_test
    inc_test_map: dict[str, float | None] = {d: None for d in reports}
    stop, error, tb = "eval_budget", None, None
    compute_s, searcher = 0.0, None
    try:
        t0 = perf()
        searcher = create_strategy(run.strategy, space, seed=run.searcher_seed(), **kwargs)
        searcher_s += perf() - t0
        free = bool(getattr(searcher, "evaluations_are_free", False))
        charges_compute = hasattr(searcher, "compute_cost_s")
        while n < eval_budget:
            t0 = perf()
            try:
                cand = searcher.ask()
            except StopIteration:
                stop = "exhausted"
                break
            searcher_s += perf() - t0
            obs = bench.evaluate(cand.arch_index, rng=rng, fidelity=cand.fidelity)
            cost = 0.0 if free else obs.cost_s + overhead
            if charges_compute:  # one-shot methods: real seconds of the supernet epoch
                compute = float(searcher.compute_cost_s)
                compute_s += compute
                cost += compute
            if not math.isfinite(cost) or cost < 0:
                raise ValueError(f"benchmark returned a non-finite or negative cost {cost!r}")
            if clock + cost > time_budget:
                discarded, stop = 1, "time_budget"
                break
            clock += cost
            n += 1
            fid = obs.fidelity
            score = objective(obs)
            if score is not None and score == score and score > best.get(fid, (-math.inf,))[0]:
                best[fid] = (score, obs.arch_index, obs.valid_acc)
                if fid >= inc_fid:
                    inc_fid, inc_index, inc_valid = fid, obs.arch_index, obs.valid_acc
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
                    "null" if inc_index is None else "%d" % inc_index,
                    inc_test,
                    _num(inc_valid),
                    lat,
                    n,
                    _num(clock),
                    _num(obs.valid_acc),
                )
            )
            t0 = perf()
            searcher.tell(cand, obs)
            searcher_s += perf() - t0
    except Exception as exc:  # a broken strategy fails its run only; the grid goes on
        stop, error, tb = "error", f"{type(exc).__name__}: {exc}", traceback.format_exc()
    artifacts = None
    if searcher is not None and hasattr(searcher, "artifacts"):
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
    return _Outcome(
        lines, n, clock, stop, discarded, searcher_s, incumbent, error, tb, compute_s, artifacts
    )


def _jsonable(value):
    """``json.dumps`` fallback for artifacts: numpy scalars / arrays, anything else as str."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _finite(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


# --- the run folder -------------------------------------------------------------------------
def execute(run: RunSpec, out: "str | Path", store_path: str | None = None) -> RunResult:
    """Run ``run`` and write its folder under ``out``; a complete folder is skipped untouched."""
    out = Path(out)
    folder = out / run.relpath()
    rel = run.relpath().as_posix()
    if is_complete(folder):
        return RunResult(rel, "skipped")
    started = datetime.now(timezone.utc)
    wall0 = time.perf_counter()
    ctx = context(store_path)
    try:
        from nasbench_suite.plugins import ensure

        ensure(run.plugin)  # spawn / Ray workers import the strategy's plug-in (same bytes)
        bench = ctx.benchmark(run)
        outcome = search(run, bench, ctx.space)
    except Exception as exc:  # benchmark construction / objective import failed
        outcome = _Outcome(
            [], 0, 0.0, "error", 0, 0.0, {}, f"{type(exc).__name__}: {exc}", traceback.format_exc()
        )
    wall_s = time.perf_counter() - wall0
    status = FAILED if outcome.error else COMPLETE
    meta = _metadata(run, outcome, ctx, status, started, wall_s)

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
    try:
        os.replace(tmp, folder)
    except OSError:  # an unfinished or failed earlier attempt is in the way
        shutil.rmtree(folder)
        os.replace(tmp, folder)
    return RunResult(rel, status, outcome.n_evals, wall_s, outcome.searcher_s, outcome.error)


def execute_many(
    runs: list[RunSpec], out: "str | Path", store_path: str | None = None
) -> list[RunResult]:
    """Execute ``runs`` in order in this process (the unit of work sent to a worker)."""
    return [execute(r, out, store_path) for r in runs]


def _metadata(
    run: RunSpec, o: _Outcome, ctx: _Context, status: str, started, wall_s: float
) -> dict:
    return {
        "status": status,
        "error": o.error,
        "traceback": o.traceback,
        "stop_reason": o.stop_reason,
        "n_evals": o.n_evals,
        "clock_s": o.clock,
        "discarded_evals": o.discarded,
        "final_incumbent": o.incumbent,
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
        "store": {"path": str(ctx.store.path), "checksum": ctx.store.checksum},
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
