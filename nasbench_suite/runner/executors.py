"""Executors: run a grid of :class:`RunSpec` sequentially, on local processes or on Ray.

Every run is self-contained (its seeds come from its spec, its folder is its own), so the order
and placement of runs cannot change any trajectory: sequential, process-parallel and Ray give
byte-identical ``trajectory.jsonl`` files. Workers open the store themselves (once per process).

Runs are sent to workers in chunks (a few per worker) to keep scheduling overhead small; a
progress bar over runs goes to stderr when it is a TTY and ``quiet`` is not set.

Resume: a run whose folder is complete is skipped, provided its ``spec.json`` equals the run spec
being asked for; a different one (say, another budget into the same ``--out``) is an error rather
than a silent mix of results.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nasbench_suite.errors import NasBenchError
from nasbench_suite.runner.grid import RunSpec
from nasbench_suite.runner.run import SPEC_FILE, RunResult, context, execute_many, is_complete

EXECUTORS = ("local", "ray")
START_METHODS = ("fork", "spawn", "forkserver")


@dataclass
class GridResult:
    """What happened to a grid: counts per status and the failed runs' errors."""

    out: Path
    results: list[RunResult] = field(default_factory=list)
    network: dict = field(default_factory=dict)  # a local Ray instance: what it listened on

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    @property
    def done(self) -> int:
        return self.counts["complete"]

    @property
    def skipped(self) -> int:
        return self.counts["skipped"]

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if r.status == "failed"]


def run_grid(
    runs: list[RunSpec],
    out: str | Path,
    executor: str = "local",
    workers: int | None = None,
    address: str | None = None,
    quiet: bool = False,
    store_path: str | Path | None = None,
    start_method: str | None = None,
) -> GridResult:
    """Execute every unfinished run of ``runs`` under ``out``.

    Args:
        executor: ``local`` (processes; ``workers=1`` runs in this process) or ``ray``.
        workers: local processes (default ``os.cpu_count()``); for Ray, CPUs of a new local
            instance (ignored with ``address``).
        address: Ray cluster address ``HOST:PORT`` (default: a new local instance on loopback).
            Finished run folders are shipped back to this process and written under ``out``;
            nodes need not share its disk.
        quiet: no progress bar.
        store_path: store folder (default: the default store, opened by each worker).
        start_method: how local worker processes start: ``fork``, ``spawn`` or ``forkserver``
            (default: the platform's). Plug-in strategies work with each.
    """
    if executor not in EXECUTORS:
        from nasbench_suite.errors import unknown

        raise unknown("executor", executor, EXECUTORS)
    if start_method is not None and start_method not in START_METHODS:
        from nasbench_suite.errors import unknown

        raise unknown("start method", start_method, START_METHODS)
    if workers is not None and workers < 1:
        raise NasBenchError(f"--workers must be a positive integer, got {workers}")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    store = None if store_path is None else str(Path(store_path).resolve())
    result = GridResult(out)
    pending = []
    for r in runs:
        if is_complete(out / r.relpath()):
            _check_same_spec(r, out)
            result.results.append(RunResult(r.relpath().as_posix(), "skipped"))
        else:
            pending.append(r)
    if not pending:
        return result
    if executor == "ray":
        stream = _ray(pending, out, store, workers, address, result.network)
    else:
        workers = workers or os.cpu_count() or 1
        stream = (
            _sequential(pending, out, store)
            if workers == 1
            else _processes(pending, out, store, workers, start_method)
        )
    bar = _progress(len(pending), quiet)
    try:
        for chunk in stream:
            result.results.extend(chunk)
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    return result


def _check_same_spec(run: RunSpec, out: Path) -> None:
    """A finished run is only reused for the very same run spec (else results would mix)."""
    folder = out / run.relpath()
    try:
        stored = json.loads((folder / SPEC_FILE).read_text())
    except (OSError, ValueError):
        stored = None
    wanted = json.loads(json.dumps(run.to_json()))
    if stored != wanted:
        diff = sorted(
            k for k in wanted if not isinstance(stored, dict) or stored.get(k) != wanted[k]
        )
        raise NasBenchError(
            f"{folder} was run with a different spec ({', '.join(diff) or 'unreadable spec.json'} "
            "differ); write to another --out folder or delete the old runs"
        )


def _progress(total: int, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked after this
    return tqdm(total=total, unit="run", file=sys.stderr, dynamic_ncols=True)


def _chunks(runs: list[RunSpec], workers: int) -> list[list[RunSpec]]:
    """About 8 chunks per worker (load balance) of at most 64 runs (progress granularity)."""
    size = max(1, min(64, len(runs) // (8 * workers)))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def _sequential(runs: list[RunSpec], out: Path, store: str | None) -> Iterator[list[RunResult]]:
    for r in runs:
        yield execute_many([r], out, store)


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_per_worker() -> None:
    """Give each worker process one math thread: N workers x M threads on N cores oversubscribe.

    Tiny GP / MLP / CNN workloads run several times slower when BLAS or torch threads compete
    for the cores the other workers use. Explicit settings in the environment are kept.
    """
    import os
    import sys

    for var in _THREAD_VARS:
        os.environ.setdefault(var, "1")
    if "torch" in sys.modules:  # imported before the fork: its pool size is already fixed
        sys.modules["torch"].set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _processes(
    runs: list[RunSpec], out: Path, store: str | None, workers: int, start_method: str | None
) -> Iterator[list[RunResult]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    mp = multiprocessing.get_context(start_method)
    if mp.get_start_method() == "fork":
        context(store)  # load the store once here; forked workers inherit it instead of reloading
    with ProcessPoolExecutor(
        max_workers=workers, initializer=one_thread_per_worker, mp_context=mp
    ) as pool:
        futures = [pool.submit(execute_many, c, out, store) for c in _chunks(runs, workers)]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _ray(
    runs: list[RunSpec],
    out: Path,
    store: str | None,
    workers: int | None,
    address: str | None,
    report: dict,
) -> Iterator[list[RunResult]]:
    """Ray: this process's instance, the cluster at ``address``, or a new loopback instance.

    Run folders come back to this process whichever node ran them (:mod:`.ray_exec`), so
    workers need not share this disk; a new local instance listens on 127.0.0.1 only
    (:mod:`.loopback`).
    """
    try:
        import ray
    except ImportError:
        raise NasBenchError("--executor ray needs Ray: pip install 'ray[default]'") from None
    from nasbench_suite.runner import loopback, ray_exec

    if ray.is_initialized():
        yield from ray_exec.run_on_ray(runs, out, store)
    elif address:
        ray_exec.connect(address)
        try:
            yield from ray_exec.run_on_ray(runs, out, store)
        finally:
            ray.shutdown()
    else:
        yield from loopback.run_local(runs, out, store, workers or os.cpu_count() or 1, report)
