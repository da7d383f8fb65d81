"""Ray nodes on loopback for the cluster tests: a private network namespace, pinned ports, tokens.

Ray 2.60's C++ gRPC servers (GCS, raylet, core workers) bind the wildcard address whatever
``--node-ip-address`` says (``grpc_server.cc``: ``0.0.0.0`` unless a server is local-only), so
"listen on loopback only" cannot be had from Ray's flags alone. The tests therefore start every
Ray process inside a private network namespace (``unshare --net --map-root-user``) whose only
interface is ``lo``: a wildcard socket there is reachable over loopback and nothing else. Node
addresses are pinned to 127.0.0.1 and every port to a free one picked here, and
:func:`listeners` reads each process's own ``/proc/<pid>/net/tcp*`` so the tests can check what
listens where.

Every process is started in its own session (``start_new_session=True``) and stopped by killing
that process group (:meth:`Loopback.stop`), never with ``ray stop`` or a name pattern.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nasbench_suite.runner.loopback import LOOPBACK, netns_unavailable, session_pids

_LO_UP = (
    "import fcntl,socket,struct,sys\n"
    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
    "r=struct.pack('16sH14s',b'lo',0,b'')\n"
    "f=struct.unpack('16sH14s',fcntl.ioctl(s,0x8913,r))[1]\n"  # SIOCGIFFLAGS
    "fcntl.ioctl(s,0x8914,struct.pack('16sH14s',b'lo',f|1,b''))\n"  # SIOCSIFFLAGS, IFF_UP
    "print('up',flush=True)\n"
    "sys.stdin.read()\n"  # hold the namespace until the test closes our stdin
)


def cluster_unavailable() -> str | None:
    """Why the namespace these tests need cannot be made here (None: it can)."""
    if shutil.which("nsenter") is None:
        return "util-linux `nsenter` not found"
    return netns_unavailable()


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports free on 127.0.0.1 (a namespace of our own: all are free there)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Node:
    """One ``ray start --block`` process (the leader of its own process group)."""

    name: str
    proc: subprocess.Popen
    log: Path
    address: str | None = None  # HOST:PORT of a head node

    @property
    def pids(self) -> list[int]:
        """Every live process of this node's session (raylet, GCS, agents, workers)."""
        return session_pids(self.proc.pid)


@dataclass
class Loopback:
    """A network namespace holding only ``lo``, and the Ray nodes / commands started in it."""

    root: Path
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    keeper: subprocess.Popen | None = None
    nodes: list[Node] = field(default_factory=list)
    others: list[subprocess.Popen] = field(default_factory=list)
    temp_dirs: list[Path] = field(default_factory=list)

    def start(self) -> Loopback:
        self.root.mkdir(parents=True, exist_ok=True)
        self.keeper = subprocess.Popen(
            ["unshare", "--net", "--map-root-user", sys.executable, "-c", _LO_UP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.keeper.stdout.readline().strip() == "up", "could not bring lo up"
        return self

    @property
    def prefix(self) -> list[str]:
        """Command prefix entering the namespace (user + network) of the keeper."""
        pid = str(self.keeper.pid)
        return ["nsenter", "-t", pid, "-U", "-n", "--preserve-credentials", "--"]

    def env(self, **extra: str) -> dict[str, str]:
        """Environment with the cluster's token (Ray 2.60 token authentication) and no proxies."""
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(
            RAY_AUTH_MODE="token",
            RAY_AUTH_TOKEN=self.token,
            RAY_USAGE_STATS_ENABLED="0",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        env.pop("RAY_AUTH_TOKEN_PATH", None)
        env.pop("RAY_ADDRESS", None)
        return env

    def start_node(self, name: str, num_cpus: int, head_address: str | None = None) -> Node:
        """``ray start`` a head (``head_address`` None) or a worker node, every port pinned."""
        ports = free_ports(9 + 16)  # the last 16: ports for this node's worker processes
        # Ray's socket paths live under --temp-dir and must stay < 108 bytes: a short folder
        temp = Path(tempfile.mkdtemp(prefix=f"nbs-{name[:6]}-", dir="/tmp"))
        self.temp_dirs.append(temp)
        ray = str(Path(sys.executable).with_name("ray"))
        cmd = [
            ray, "start", "--block", f"--num-cpus={num_cpus}", "--disable-usage-stats",
            f"--node-ip-address={LOOPBACK}", f"--node-name={name}",
            f"--temp-dir={temp}", f"--node-manager-port={ports[0]}",
            f"--object-manager-port={ports[1]}", f"--runtime-env-agent-port={ports[2]}",
            f"--dashboard-agent-grpc-port={ports[3]}", f"--dashboard-agent-listen-port={ports[4]}",
            f"--metrics-export-port={ports[5]}",
            f"--worker-port-list={','.join(map(str, ports[9:]))}",
            "--object-store-memory=80000000",
        ]  # fmt: skip
        if head_address is None:
            cmd += [
                "--head", f"--port={ports[7]}", "--include-dashboard=false",
                f"--dashboard-host={LOOPBACK}", f"--ray-client-server-port={ports[8]}",
            ]  # fmt: skip
        else:
            cmd += [f"--address={head_address}"]
        log = self.root / f"{name}.log"
        with open(log, "w") as f:
            proc = subprocess.Popen(
                self.prefix + cmd,
                stdout=f,
                stderr=subprocess.STDOUT,
                env=self.env(),
                start_new_session=True,
            )
        node = Node(name, proc, log)
        self.nodes.append(node)
        if head_address is None:
            node.address = f"{LOOPBACK}:{ports[7]}"
        deadline = time.time() + 180
        while "Ray runtime started" not in log.read_text(errors="replace"):
            assert proc.poll() is None, f"ray start {name} failed\n{self.logs()}"
            assert time.time() < deadline, f"ray start {name} timed out\n{self.logs()}"
            time.sleep(0.2)
        return node

    def wait_for_nodes(self, address: str, n: int, timeout: float = 120) -> list[dict]:
        """Block until ``n`` nodes are alive in the cluster (a small driver in the namespace)."""
        code = (
            "import json,ray,time\n"
            f"ray.init(address={address!r},log_to_driver=False,_node_ip_address={LOOPBACK!r})\n"
            f"end=time.time()+{timeout}\n"
            "while True:\n"
            "    alive=[x for x in ray.nodes() if x['Alive']]\n"
            f"    if len(alive)>={n} or time.time()>end: break\n"
            "    time.sleep(0.5)\n"
            "print(json.dumps([{'id':x['NodeID'],'name':x.get('NodeName')} for x in alive]))\n"
        )
        out = self.run([sys.executable, "-c", code], timeout=timeout + 60)
        assert out.returncode == 0, self.logs() + out.stdout + out.stderr
        import json

        nodes = json.loads(out.stdout.strip().splitlines()[-1])
        assert len(nodes) >= n, f"only {len(nodes)} of {n} Ray nodes came up\n{self.logs()}"
        return nodes

    def popen(self, cmd: list[str], token: str | None = None, **kw) -> subprocess.Popen:
        """Start ``cmd`` in the namespace, in its own session (stopped by :meth:`stop`).

        ``token``: another authentication token than the cluster's (to test refusals).
        """
        env = self.env() if token is None else self.env(RAY_AUTH_TOKEN=token)
        proc = subprocess.Popen(
            self.prefix + cmd, env=env, start_new_session=True, text=True, **kw
        )
        self.others.append(proc)
        return proc

    def run(
        self, cmd: list[str], timeout: float = 600, token: str | None = None
    ) -> subprocess.CompletedProcess:
        proc = self.popen(cmd, token, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            out, err = proc.communicate()
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)

    def logs(self) -> str:
        return "".join(
            f"--- {n.name}\n{n.log.read_text(errors='replace')[-3000:]}" for n in self.nodes
        )

    def stop(self) -> None:
        """Kill every process group this object started (commands, nodes, the namespace)."""
        for proc in [*self.others, *(n.proc for n in self.nodes)]:
            kill_group(proc)
        if self.keeper is not None:
            kill_group(self.keeper)
        for temp in self.temp_dirs:
            shutil.rmtree(temp, ignore_errors=True)


def kill_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM then SIGKILL the process group led by ``proc`` (started with a new session)."""
    pids = session_pids(proc.pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        for pid in pids:  # daemonised children of the session may have left the group
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        end = time.time() + grace
        while time.time() < end and (proc.poll() is None or session_pids(proc.pid)):
            time.sleep(0.1)
    proc.poll()


