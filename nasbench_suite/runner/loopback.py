"""A local Ray instance that listens on loopback only.

Ray 2.60's gRPC servers (GCS, raylet, every core worker) bind the wildcard address whatever
``_node_ip_address`` says, and its agents bind the machine's interface address: a plain
``ray.init()`` listens on every network the machine is on. ``--executor ray`` without
``--address`` therefore runs its Ray instance and driver in a child process inside a private
network namespace (``unshare --net --map-root-user``, Linux) whose only interface is ``lo``:
every socket Ray opens there is on 127.0.0.1, and no traffic can leave the machine. Run folders
are written to the same disk as usual; the child reports results as JSON lines on stdout.

Where no such namespace can be made (macOS, Windows, kernels without unprivileged user
namespaces, or ``NASBENCH_SUITE_RAY_NETNS=0``), Ray starts in this process with its node address
pinned to 127.0.0.1 and the dashboard off, and a warning says that Ray's own servers still
listen on every interface (protected by Ray's token authentication).

The helpers :func:`session_pids`, :func:`listeners` and :func:`interfaces` read ``/proc`` so
tests (and the child's report) can show what listens where.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

from nasbench_suite.errors import NasBenchError
from nasbench_suite.runner.grid import RunSpec
from nasbench_suite.runner.run import RunResult

LOOPBACK = "127.0.0.1"
_NETNS = ["unshare", "--net", "--map-root-user"]
_PROBED: dict[str, str | None] = {}


def netns_unavailable() -> str | None:
    """Why a private network namespace cannot be made here (None: it can)."""
    if "reason" not in _PROBED:
        _PROBED["reason"] = _probe()
    return _PROBED["reason"]


def _probe() -> str | None:
    if os.environ.get("NASBENCH_SUITE_RAY_NETNS", "1") == "0":
        return "NASBENCH_SUITE_RAY_NETNS=0"
    if not sys.platform.startswith("linux"):
        return "private network namespaces need Linux"
    if shutil.which("unshare") is None:
        return "util-linux `unshare` not found"
    try:
        probe = subprocess.run(
            [*_NETNS, "true"], check=False, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare failed: {exc}"
    if probe.returncode != 0:
        return f"`unshare --net --map-root-user` failed: {probe.stderr.strip()[:200]}"
    return None


def lo_up() -> None:
    """Bring ``lo`` up in this (fresh) network namespace (SIOCGIFFLAGS / SIOCSIFFLAGS)."""
    import fcntl
    import struct

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        req = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, req))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))  # IFF_UP
    finally:
        s.close()


# --- the driver side --------------------------------------------------------------------------
def run_local(
    runs: list[RunSpec], out: Path, store: str | None, workers: int, report: dict
) -> Iterator[list[RunResult]]:
    """Run ``runs`` on a new local Ray instance listening on loopback only.

    ``report`` receives what the instance listened on (interfaces and listening sockets of
    the Ray processes), or the reason no private namespace was used.
    """
    reason = netns_unavailable()
    if reason is not None:
        yield from _in_process(runs, out, store, workers, report, reason)
        return
    job = {
        "runs": [r.to_json() for r in runs],
        "out": str(out),
        "store": store,
        "workers": workers,
    }
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    if not env.get("RAY_AUTH_TOKEN") and not env.get("RAY_AUTH_TOKEN_PATH"):
        env["RAY_AUTH_TOKEN"] = secrets.token_hex(32)  # this instance's own token
    env.setdefault("RAY_AUTH_MODE", "token")
    env.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    env.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # no "cannot reach 8.8.8.8" warnings
    proc = subprocess.Popen(
        [*_NETNS, sys.executable, "-m", "nasbench_suite.runner.loopback"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        proc.stdin.write(json.dumps(job))
        proc.stdin.close()
        for line in proc.stdout:
            kind, _, payload = line.partition(" ")
            if kind == "RESULT":
                yield [RunResult(**r) for r in json.loads(payload)]
            elif kind == "NETWORK":
                report.update(json.loads(payload))
            elif kind == "ERROR":
                raise NasBenchError(json.loads(payload))
        if proc.wait() != 0:
            raise NasBenchError(
                f"the local Ray instance exited with status {proc.returncode} (see above)"
            )
    finally:
        if proc.poll() is None:
            _kill_session(proc)


def _kill_session(proc: subprocess.Popen) -> None:
    import signal

    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in [proc.pid, *session_pids(proc.pid)]:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _in_process(runs, out, store, workers, report, reason) -> Iterator[list[RunResult]]:
    import ray

    from nasbench_suite.runner.ray_exec import run_on_ray

    print(
        f"nasbench-suite: warning: no private network namespace for Ray ({reason}); Ray's "
        "servers also listen on this machine's network addresses (token authentication on)",
        file=sys.stderr,
    )
    report.update(netns=False, reason=reason)
    ray.init(address="local", **_init_kwargs(workers))
    try:
        yield from run_on_ray(runs, out, store)
    finally:
        ray.shutdown()


def _init_kwargs(workers: int) -> dict:
    return {
        "num_cpus": workers,
        "include_dashboard": False,
        "dashboard_host": LOOPBACK,
        "log_to_driver": False,
        "logging_level": "WARNING",
        "_node_ip_address": LOOPBACK,
    }


# --- the child, inside the namespace ----------------------------------------------------------
def _runspec(data: dict) -> RunSpec:
    known = {f.name for f in fields(RunSpec)}
    data = {k: v for k, v in data.items() if k in known}
    data["spawn_key"] = tuple(data["spawn_key"])
    data["report_datasets"] = tuple(data["report_datasets"])
    return RunSpec(**data)


def _child() -> int:
    job = json.loads(sys.stdin.read())
    out = sys.stdout
    sys.stdout = sys.stderr  # Ray and strategies print; only this protocol goes to stdout
    try:
        lo_up()
        import ray

        from nasbench_suite.runner.ray_exec import run_on_ray

        ray.init(address="local", **_init_kwargs(int(job["workers"])))
        try:
            runs = [_runspec(r) for r in job["runs"]]
            for chunk in run_on_ray(runs, Path(job["out"]), job["store"]):
                rows = [{f.name: getattr(r, f.name) for f in fields(RunResult)} for r in chunk]
                out.write("RESULT " + json.dumps(rows) + "\n")
                out.flush()
            pids = session_pids(os.getpid())
            network = {
                "netns": True,
                "interfaces": interfaces(os.getpid()),
                "listeners": sorted({a for p in pids for a, _ in listeners(p)}),
                "processes": len(pids),
            }
            out.write("NETWORK " + json.dumps(network) + "\n")
        finally:
            ray.shutdown()
    except NasBenchError as exc:
        out.write("ERROR " + json.dumps(str(exc)) + "\n")
    out.flush()
    return 0


# --- /proc readers ----------------------------------------------------------------------------
def session_pids(sid: int) -> list[int]:
    """Live processes in session ``sid`` (a leader started with ``start_new_session``)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                state, _ppid, _pgrp, session = f.read().rsplit(")", 1)[1].split()[:4]
        except (OSError, ValueError):
            continue
        if int(session) == sid and state != "Z":
            found.append(int(entry))
    return found


def interfaces(pid: int) -> list[str]:
    """Network interfaces of the namespace process ``pid`` lives in."""
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return sorted(line.split(":", 1)[0].strip() for line in lines)


def listeners(pid: int) -> list[tuple[str, int]]:
    """``(address, port)`` of every listening TCP socket process ``pid`` holds."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return []
    found = []
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                hexaddr, hexport = cols[1].split(":")
                raw = bytes.fromhex(hexaddr)
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.append((socket.inet_ntop(family, raw), int(hexport, 16)))
    return found


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 or an IPv4-mapped loopback address."""
    import ipaddress

    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


if __name__ == "__main__":
    sys.exit(_child())
