"""Time the whole NATS-Bench TSS protocol (experiments/nats_tss.yaml) per strategy.

Runs ``runs`` x 3 search datasets for each of random, rea, reinforce, bohb (those registered) on
``workers`` local processes into a temporary folder, and prints JSON::

    {strategy: {runs, failed, wall_s, cpu_s, evals, searcher_us_per_eval, cpu_us_per_eval,
                overhead_us_per_eval},
     "total": {...}}

``overhead_us_per_eval`` = (workers x wall_s - time inside the strategy's ask/tell) / evals: every
microsecond per evaluation not spent in the strategy (lookups, incumbent bookkeeping, JSON rows,
file writes, process start-up, scheduling and idle workers), an upper bound on the runner's cost.
``cpu_s`` (user + system, this process and its workers; ``cpu_us_per_eval`` per evaluation,
strategy included) is the contention-free cost: on a busy shared machine ``wall_s`` exceeds
``cpu_s / workers`` by the time other programs took.

    python benchmarks/protocol_bench.py [--full] [--runs N] [--workers 2] [--strategies ...]

``cli`` (the headline): the whole protocol as a user runs it, ``nasbench-suite run
experiments/nats_tss.yaml --runs N --workers W --out TMP``, measured as a process from start to
exit (interpreter start-up, spec validation, store load, workers, file writes): wall and CPU
seconds and the peak RSS of the process tree (sampled). Quick: 50 runs per strategy and dataset;
``--full``: the protocol's 500. No reference implementation runs here (the authors' scripts need
the ``nats_bench`` API files), so the figures are absolute, against the 60 s goal.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from _harness import emit, run_process

from nasbench_suite.runner import expand, load_spec, run_grid
from nasbench_suite.runner.run import read_metadata
from nasbench_suite.strategies import list_strategies

DEFAULT = ("random", "rea", "reinforce", "bohb")


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished worker processes."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="README settings (500 runs)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strategies", nargs="*", default=list(DEFAULT))
    parser.add_argument("--spec", type=Path, default=REPO / "experiments" / "nats_tss.yaml")
    args = parser.parse_args()
    args.runs = args.runs or (500 if args.full else 50)

    spec = load_spec(args.spec, runs=args.runs)
    known = set(list_strategies())
    chosen = [s for s in spec.strategies if s.name in args.strategies and s.name in known]
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="protocol-bench-") as tmp:
        for strat in chosen:
            sub = dataclasses.replace(spec, strategies=(strat,))
            runs = expand(sub)
            out = Path(tmp) / strat.label
            t0, c0 = time.perf_counter(), _cpu()
            result = run_grid(runs, out, workers=args.workers, quiet=True)
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            metas = [read_metadata(out / r.relpath()) or {} for r in runs]
            evals = sum(m.get("n_evals", 0) for m in metas)
            searcher_s = sum(m.get("searcher_s", 0.0) for m in metas)
            report[strat.label] = {
                "runs": len(runs),
                "failed": len(result.failed),
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "evals": evals,
                "searcher_us_per_eval": round(1e6 * searcher_s / max(evals, 1), 2),
                "cpu_us_per_eval": round(1e6 * cpu / max(evals, 1), 2),
                "overhead_us_per_eval": round(
                    1e6 * (args.workers * wall - searcher_s) / max(evals, 1), 2
                ),
            }
    total_wall = sum(r["wall_s"] for r in report.values())
    total_cpu = sum(r["cpu_s"] for r in report.values())
    total_evals = sum(r["evals"] for r in report.values())
    report["total"] = {
        "runs": sum(r["runs"] for r in report.values()),
        "wall_s": round(total_wall, 2),
        "evals": total_evals,
        "workers": args.workers,
        "cpu_s": round(total_cpu, 2),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory(prefix="protocol-cli-") as tmp:
        cmd = [str(REPO / ".venv" / "bin" / "nasbench-suite"), "run", str(args.spec), "--runs",
               str(args.runs), "--workers", str(args.workers), "--out", str(Path(tmp) / "runs")]
        cli = run_process(cmd)
        if cli["returncode"] != 0:
            raise SystemExit(f"CLI run failed: {cli['stderr_tail']}")
    emit({"mode": "full" if args.full else "quick", "runs_per_strategy_and_dataset": args.runs,
          "cli": {"command": " ".join(["nasbench-suite", *cmd[1:-2]]),
                  "wall_s": round(cli["wall_s"], 2), "cpu_s": round(cli["cpu_s"], 2),
                  "peak_tree_rss_mib": round(cli["peak_tree_rss_mib"], 1),
                  "target_wall_s": 60},
          "in_process": report})


if __name__ == "__main__":
    main()
