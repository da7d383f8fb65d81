"""``nasbench-suite run SPEC.yaml``: run every unfinished run of an experiment spec."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasbench_suite.commands.argtypes import COUNT, WORKERS


def register(sub) -> None:
    run = sub.add_parser(
        "run",
        help="run an experiment spec (YAML); finished runs are skipped",
        description="Run every unfinished run of an experiment spec. Finished run folders are "
        "kept and skipped; exit status 1 when some runs failed (each failed run's metadata.json "
        "holds the error), 2 for a bad spec.",
    )
    run.add_argument("spec", type=Path, help="experiment spec, e.g. experiments/quick.yaml")
    run.add_argument(
        "--out", type=Path, default=None, help="output folder (default: reports/runs/<spec name>)"
    )
    run.add_argument("--runs", type=COUNT, default=None, help="override the spec's number of runs")
    run.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local processes (default) or Ray",
    )
    run.add_argument(
        "--address",
        default=None,
        help="Ray cluster HOST:PORT (default: a new Ray instance on loopback only)",
    )
    run.add_argument(
        "--workers",
        type=WORKERS,
        default=None,
        help="worker processes (default: CPU count; 1: in-process)",
    )
    run.add_argument(
        "--start-method",
        choices=("fork", "spawn", "forkserver"),
        default=None,
        help="how local worker processes start (default: the platform's)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--store", type=Path, default=None, help="store folder (default: built-in location)"
    )
    run.set_defaults(func=_run)


def default_out(name: str) -> Path:
    """``reports/runs/<name>`` in a checkout, else under the current directory."""
    from nasbench_suite.paths import REPO_DIR, in_checkout

    return (REPO_DIR if in_checkout() else Path.cwd()) / "reports" / "runs" / name


def _workers(workers: int | None, n_runs: int, executor: str) -> int | None:
    """``--workers`` checked and capped at the number of runs and (locally) of CPU cores."""
    import os

    from nasbench_suite.errors import NasBenchError

    if workers is None:
        return None if executor == "ray" else max(1, min(n_runs, os.cpu_count() or 1))
    if workers < 1:
        raise NasBenchError(f"--workers must be a positive integer, got {workers}")
    cap = n_runs if executor == "ray" else min(n_runs, os.cpu_count() or 1)
    return max(1, min(workers, cap))


def _check_store(spec, store_path) -> None:
    """Refuse a broken NB201 store before any run starts (one line, exit 2), when a benchmark
    of the spec reads it (nb201 lookups, the training benchmark's index map)."""
    if not any(b.name in ("nb201", "training") for b in spec.benchmarks):
        return
    from pathlib import Path

    from nasbench_suite.bench.store import open_store

    open_store(Path(store_path) if store_path else None)


def _run(args: argparse.Namespace) -> int:
    from nasbench_suite.runner import expand, load_spec, run_grid
    from nasbench_suite.runner.lock import output_lock

    spec = load_spec(args.spec, runs=args.runs)
    out = args.out or default_out(spec.name)
    if args.address and args.executor != "ray":
        from nasbench_suite.errors import NasBenchError

        raise NasBenchError("--address needs --executor ray")
    runs = expand(spec)
    _check_store(spec, args.store)
    workers = _workers(args.workers, len(runs), args.executor)
    with output_lock(out):  # one `run` per output folder at a time
        result = run_grid(
            runs,
            out,
            executor=args.executor,
            workers=workers,
            address=args.address,
            quiet=args.quiet,
            store_path=args.store,
            start_method=args.start_method,
        )
    failed = result.failed
    print(
        f"{len(runs)} runs in {result.out}: {result.done} done, {result.skipped} skipped, "
        f"{len(failed)} failed"
    )
    for r in failed[:10]:
        print(f"  failed {r.relpath}: {r.error}")
    if len(failed) > 10:
        print(f"  ... and {len(failed) - 10} more (see metadata.json of each run)")
    print(f"summary: nasbench-suite runs summary {result.out}")
    return 1 if failed else 0
