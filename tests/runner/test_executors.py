"""Executors and resume: sequential, processes and Ray agree byte for byte; resume is safe."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nasbench_suite.runner import expand, parse_spec, run_grid
from tests.runner.conftest import tiny_spec

SPEC = {
    "strategies": ["random", "rea", "reinforce"],
    "runs": 2,
    "benchmark": {"search_dataset": ["cifar10-valid", "cifar100"], "fidelity": 12},
    "budget": {"time_s": {"cifar10-valid": 2000, "cifar100": 3000}},
}


def grid(**over):
    from nasbench_suite.strategies import list_strategies

    spec = {**SPEC, **over}
    spec["strategies"] = [s for s in spec["strategies"] if s in list_strategies()]
    return expand(parse_spec(tiny_spec(**spec)))


def files(root: Path, names=("trajectory.jsonl", "spec.json")) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for n in names
        for p in sorted(root.rglob(n))
    }


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    out = tmp_path_factory.mktemp("seq")
    result = run_grid(grid(), out, workers=1, quiet=True)
    assert not result.failed and result.done == len(grid())
    return files(out)


def test_parallel_matches_sequential(tmp_path, sequential):
    result = run_grid(grid(), tmp_path, workers=2, quiet=True)
    assert result.done == len(grid())
    assert files(tmp_path) == sequential


def test_ray_matches_sequential_and_listens_on_loopback_only(tmp_path, sequential):
    """A new local Ray instance (no --address): same bytes, every socket on 127.0.0.1."""
    pytest.importorskip("ray")
    from nasbench_suite.runner.loopback import is_loopback, netns_unavailable

    result = run_grid(grid(), tmp_path, executor="ray", workers=2, quiet=True)
    assert result.done == len(grid()) and not result.failed
    assert files(tmp_path) == sequential
    metas = [json.loads(p.read_text()) for p in tmp_path.rglob("metadata.json")]
    assert all(m["executor"]["name"] == "ray" for m in metas)
    net = result.network
    if netns_unavailable() is None:
        assert net["netns"] and net["interfaces"] == ["lo"], net
        assert net["listeners"] and all(is_loopback(a) for a in net["listeners"]), net
    else:
        assert net == {"netns": False, "reason": netns_unavailable()}


def test_ray_without_a_namespace_runs_in_process_on_loopback(tmp_path, sequential, monkeypatch):
    """macOS / Windows / no user namespaces: Ray in this process, node address 127.0.0.1."""
    pytest.importorskip("ray")
    import secrets

    from nasbench_suite.runner import loopback

    monkeypatch.setitem(loopback._PROBED, "reason", "no namespaces in this test")
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)  # Ray turns token mode on, as for users
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))  # not ~/.ray/auth_token
    result = run_grid(grid(), tmp_path, executor="ray", workers=2, quiet=True)
    assert result.network == {"netns": False, "reason": "no namespaces in this test"}
    assert result.done == len(grid()) and files(tmp_path) == sequential
    import ray

    assert not ray.is_initialized()


def test_resume_skips_finished_and_completes_the_rest(tmp_path, sequential):
    first = grid(runs=1)
    assert run_grid(first, tmp_path, workers=1, quiet=True).done == len(first)
    finished = {
        p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()
    }
    # simulate a killed grid: a leftover temp folder and a run folder without complete metadata
    killed = tmp_path / "random" / "cifar10-valid" / "run-0001"
    killed.mkdir()
    (killed / "trajectory.jsonl").write_text('{"partial": tr')
    tmp = tmp_path / "random" / "cifar100" / ".run-0001.tmp"
    tmp.mkdir()
    (tmp / "spec.json").write_text("{")

    result = run_grid(grid(), tmp_path, workers=2, quiet=True)
    assert result.skipped == len(first) and result.done == len(grid()) - len(first)
    for p, (mtime, data) in finished.items():
        assert p.stat().st_mtime_ns == mtime and p.read_bytes() == data
    assert not tmp.exists() and not list(tmp_path.rglob(".run-*"))
    assert files(tmp_path) == sequential
    again = run_grid(grid(), tmp_path, workers=2, quiet=True)
    assert again.skipped == len(grid()) and again.done == 0


def test_unknown_executor_and_bad_workers(tmp_path):
    from nasbench_suite.errors import NasBenchError

    with pytest.raises(NasBenchError, match="unknown executor 'dask'"):
        run_grid(grid(), tmp_path, executor="dask")
    with pytest.raises(NasBenchError, match="workers"):
        run_grid(grid(), tmp_path, workers=0)
    shutil.rmtree(tmp_path)


def test_resume_refuses_a_changed_spec(tmp_path):
    from nasbench_suite.errors import NasBenchError

    run_grid(grid(runs=1), tmp_path, workers=1, quiet=True)
    changed = grid(runs=1, budget={"time_s": 999})
    with pytest.raises(NasBenchError, match="was run with a different spec .*time_budget_s"):
        run_grid(changed, tmp_path, workers=1, quiet=True)
