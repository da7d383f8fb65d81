"""Shared timing helpers for the scripts in ``benchmarks/``: interleaved, repeated, side by side.

Every performance claim of the README is a ratio against a reference measured in the same run:
:func:`interleave` alternates the cases (ABAB..., reversed order on odd repeats so neither side
always runs first), and :func:`ratios` reports reference / ours per repeat as min / median / max.
:func:`run_process` measures a whole child process (start to exit) with its CPU time and peak RSS.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
#: Three NB201 cells the training and network scripts time: all 3x3 convs, ResNet-like, light.
CELLS = {
    "all_3x3": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
               "nor_conv_3x3~2|",
    "resnet_like": "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|",
    "light": "|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|"
             "avg_pool_3x3~2|",
}


def summary(values: Sequence[float], scale: float = 1.0, digits: int = 4) -> dict:
    """min / median / max (and n) of ``values`` times ``scale``."""
    v = sorted(float(x) * scale for x in values)
    mid = len(v) // 2
    median = v[mid] if len(v) % 2 else 0.5 * (v[mid - 1] + v[mid])
    return {"min": round(v[0], digits), "median": round(median, digits),
            "max": round(v[-1], digits), "n": len(v)}


def best_of(fn: Callable[[], Any], repeat: int = 7) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` (seconds; a busy machine only slows a call)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def interleave(cases: dict[str, Callable[[], Any]], repeats: int, inner: int = 1) -> dict:
    """Time each case ``repeats`` times, alternating cases; seconds per call (``inner`` calls)."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            fn = cases[name]
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - start) / inner)
    return times


def ratios(reference: Sequence[float], ours: Sequence[float]) -> dict:
    """reference / ours per interleaved repeat (above 1: ours is faster), min / median / max."""
    return summary([r / o for r, o in zip(reference, ours)], digits=2)


def run_process(cmd: Sequence[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run ``cmd`` to completion: wall and CPU seconds, and the peak RSS of its process tree.

    CPU seconds (user + system) come from ``wait4`` and include every descendant the child
    waited for. ``peak_tree_rss_mib`` is the largest sum of the RSS of the child and all its
    descendants, sampled every 20 ms (psutil); ``peak_rss_mib`` the kernel's ``ru_maxrss``
    (the largest single process of the tree).
    """
    import threading

    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=cwd)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        continue
            except psutil.Error:
                break
            peak[0] = max(peak[0], total / 2**20)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": usage.ru_maxrss / 1024, "peak_tree_rss_mib": peak[0],
            "returncode": proc.returncode, "stderr_tail": err[-400:]}


def git_commit() -> str | None:
    """The checked-out commit (with ``-dirty`` when the tree has changes), or None."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               text=True, capture_output=True, check=False).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def machine() -> dict:
    """Facts about this machine and run: CPUs, load average, Python, commit, UTC time."""
    return {"cpus": os.cpu_count(), "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "python": sys.version.split()[0], "platform": platform.platform(),
            "commit": git_commit(), "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def emit(result: dict) -> None:
    """Print ``result`` (plus machine facts) as one JSON object on stdout."""
    result = {**result, "machine": machine()}
    print(json.dumps(result, indent=1, sort_keys=False, default=str))
