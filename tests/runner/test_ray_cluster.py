"""A real two-node Ray cluster on loopback, with Ray 2.60 token authentication.

Head and worker node are two ``ray start`` processes (one CPU each) in a private network
namespace with only ``lo``; a token generated here goes to both nodes and to the driver (the
``nasbench-suite run --executor ray --address 127.0.0.1:PORT`` CLI). The grid runs on both nodes,
the worker node is killed mid-grid, ``run`` resumes, and the trajectories must be the bytes of a
local run. Every listening socket of every Ray process the test started must be on loopback, and
every process it started is stopped by process group.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nasbench_suite.runner.loopback import interfaces, is_loopback, listeners, session_pids
from tests.runner.ray_nodes import Loopback, cluster_unavailable, kill_group

pytestmark = pytest.mark.slow

SPEC = """\
name: ray-cluster
seed: 11
runs: 6
strategies: [rea, {name: cluster_mine, module: ./mine.py}]   # a plug-in from a user's file
benchmark: {search_dataset: cifar10-valid, fidelity: 12}
report_datasets: [cifar10, cifar100]
budget: {evals: 8000}   # about a second per run: the worker node joins mid-grid
"""


MINE = """
from nasbench_suite.strategies import Candidate, Searcher, register_strategy


@register_strategy("cluster_mine")
class Mine(Searcher):
    \"\"\"Random cells (a user's plug-in).\"\"\"

    def ask(self):
        return Candidate(int(self.rng.integers(15625)))

    def tell(self, candidate, observation):
        pass
"""


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for name in ("trajectory.jsonl", "spec.json")
        for p in sorted(root.rglob(name))
    }


def metadata(root: Path) -> list[dict]:
    out = []
    for p in sorted(root.rglob("metadata.json")):
        try:
            out.append(json.loads(p.read_text()))
        except ValueError:
            pass
    return out


def test_two_node_cluster_with_token_kill_and_resume(tmp_path):
    reason = cluster_unavailable()
    if reason:
        pytest.skip(f"no private network namespace: {reason}")
    pytest.importorskip("ray")
    spec_file = tmp_path / "cluster.yaml"
    spec_file.write_text(SPEC)
    (tmp_path / "mine.py").write_text(MINE)
    runs = 12
    cli = str(Path(sys.executable).with_name("nasbench-suite"))
    local = tmp_path / "local"  # the reference: one local process (a CLI, like the user's)
    ref = subprocess.run([cli, "run", str(spec_file), "--out", str(local), "--workers", "1"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert ref.returncode == 0 and f"{runs} runs in" in ref.stdout, ref.stdout + ref.stderr

    cluster = Loopback(tmp_path / "cluster").start()
    started: list[subprocess.Popen] = []
    try:
        head = cluster.start_node("head", num_cpus=1)
        worker = cluster.start_node("worker", num_cpus=1, head_address=head.address)
        started = [head.proc, worker.proc]
        nodes = {n["name"]: n["id"] for n in cluster.wait_for_nodes(head.address, 2)}
        assert set(nodes) == {"head", "worker"}

        out = tmp_path / "ray-out"
        cmd = [cli, "run", str(spec_file), "--out", str(out), "--executor", "ray",
               "--address", head.address, "--quiet"]  # fmt: skip
        refused = cluster.run(cmd, timeout=300, token="0" * 64)  # a wrong token: one line
        assert refused.returncode == 2, refused.stderr[-2000:]
        assert "cannot connect to the Ray cluster" in refused.stderr
        assert "RAY_AUTH_TOKEN" in refused.stderr and "Traceback" not in refused.stderr
        assert not out.exists() or not list(out.rglob("metadata.json"))

        driver = cluster.popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(driver)

        # wait until the worker node has finished a run (shipped back to the driver's disk)
        deadline = time.time() + 300
        while not any(m.get("executor", {}).get("node_id") == nodes["worker"]
                      for m in metadata(out)):  # fmt: skip
            assert driver.poll() is None, driver.communicate()
            assert time.time() < deadline, "no run finished on the worker node\n" + cluster.logs()
            time.sleep(0.05)

        # everything Ray started listens on loopback only, in a namespace that only has lo
        pids = {p for proc in started for p in session_pids(proc.pid)}
        sockets = [(pid, a, port) for pid in pids for a, port in listeners(pid)]
        assert len(sockets) >= 6, sockets  # GCS, raylets, agents, workers, driver
        assert all(is_loopback(a) for _, a, _ in sockets), sockets
        assert {tuple(interfaces(pid)) for pid in pids if Path(f"/proc/{pid}").exists()} <= {
            ("lo",)
        }

        finished_before_kill = sum(m["status"] == "complete" for m in metadata(out))
        kill_group(worker.proc)  # the worker node dies mid-grid (raylet, agents, workers)
        assert not session_pids(worker.proc.pid)
        _, stderr = driver.communicate(timeout=600)
        assert driver.returncode in (0, 1), stderr  # lost tasks are retried or reported
        assert finished_before_kill < runs, "the grid ended before the kill"

        resumed = cluster.run(cmd, timeout=600)  # the head alone finishes what is left
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert f"{runs} runs in" in resumed.stdout

        assert files(out) == files(local)
        metas = metadata(out)
        assert len(metas) == runs and all(m["status"] == "complete" for m in metas)
        assert {m["executor"]["node_id"] for m in metas} == set(nodes.values())
        plugged = [m["plugin"] for m in metas if "plugin" in m]
        assert len(plugged) == runs // 2 and {p["module"] for p in plugged} == {"./mine.py"}
        assert not list(out.rglob(".run-*"))
    finally:
        cluster.stop()
    for proc in [*started, cluster.keeper]:
        assert proc.poll() is not None and not session_pids(proc.pid)
