"""Run every performance script once and write one JSON (``make bench``; ``FULL=1`` for the README).

    .venv/bin/python benchmarks/run_all.py [--full] [--out reports/bench.json] [--only store,...]

Each script runs as its own process (its JSON is parsed and stored under its name) with the load
average sampled every 5 s while it runs, so a figure measured on a busy machine says so. The
README's performance tables are regenerated from this file by ``benchmarks/readme_tables.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, machine

#: name -> (script, quick arguments, full arguments)
SCRIPTS = {
    "store": ("store_bench.py", [], ["--full"]),
    "protocol": ("protocol_bench.py", ["--workers", "2"], ["--full", "--workers", "2"]),
    "bo_overhead": ("bo_overhead.py", ["--runs", "10", "--evals", "100"], []),
    "network": ("network_bench.py", [], ["--full"]),
    "proxies": ("zc_speed.py", [], ["--full"]),
}


def _run(script: str, args: list[str]) -> dict:
    loads: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            loads.append(os.getloadavg()[0])
            done.wait(5.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cmd = [sys.executable, str(REPO / "benchmarks" / script), *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
    done.set()
    sampler.join()
    entry = {"command": " ".join([".venv/bin/python", f"benchmarks/{script}", *args]),
             "seconds": round(time.perf_counter() - start, 1),
             "load_avg_1min_during": {"min": round(min(loads), 2), "max": round(max(loads), 2)}}
    if proc.returncode != 0:
        entry["error"] = proc.stderr.strip().splitlines()[-1:] or ["failed"]
        return entry
    entry["result"] = json.loads(proc.stdout)
    return entry


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench.json")
    parser.add_argument("--only", default=",".join(SCRIPTS))
    args = parser.parse_args()
    chosen = [s for s in args.only.split(",") if s]
    unknown = sorted(set(chosen) - set(SCRIPTS))
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(SCRIPTS)}",
              file=sys.stderr)
        return 2
    out = {"mode": "full" if args.full else "quick", "machine_at_start": machine(),
           "command": "make bench" + (" FULL=1" if args.full else ""), "results": {}}
    for name in chosen:
        script, quick, full = SCRIPTS[name]
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        out["results"][name] = _run(script, full if args.full else quick)
    out["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    tmp.replace(args.out)
    print(f"wrote {args.out.resolve()}", file=sys.stderr)
    failed = [n for n, e in out["results"].items() if "error" in e]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
