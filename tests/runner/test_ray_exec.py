"""Ray executor pieces that need no cluster: store shipping and writing shipped runs back."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.runner import expand, parse_spec
from nasbench_suite.runner.ray_exec import local_store, write_back
from nasbench_suite.runner.run import execute, is_complete
from tests.runner.conftest import tiny_spec


def test_a_node_without_the_store_gets_the_shipped_copy(store, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    files = {n: (store.path / n).read_bytes() for n in ("manifest.json", "arrays.bin")}
    fetched = []

    def fetch():
        fetched.append(1)
        return files

    assert local_store(str(store.path), store.checksum, fetch) == str(store.path)
    assert not fetched  # same store at the driver's path: nothing moves
    copy = local_store(str(tmp_path / "missing"), store.checksum, fetch)
    assert fetched == [1] and copy.startswith(str(tmp_path))
    from nasbench_suite.bench.store import Store

    assert Store.load(copy).checksum == store.checksum
    assert local_store(str(tmp_path / "missing"), store.checksum, fetch) == copy
    assert fetched == [1]  # materialised once per node


def test_write_back_records_the_node_and_never_overwrites(store, tmp_path):
    (run,) = expand(parse_spec(tiny_spec(runs=1)))
    worker = tmp_path / "worker"
    res = execute(run, worker, str(store.path))
    folder = worker / run.relpath()
    shipped = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "driver"
    (out / run.relpath()).mkdir(parents=True)  # an unfinished earlier attempt is replaced
    (out / run.relpath() / "trajectory.jsonl").write_text("{partial")
    assert write_back(out, res, shipped, "node-a") == res
    target = out / run.relpath()
    assert is_complete(target)
    for name in ("spec.json", "trajectory.jsonl"):
        assert (target / name).read_bytes() == shipped[name]
    meta = json.loads((target / "metadata.json").read_text())
    assert meta["executor"] == {"name": "ray", "node_id": "node-a"}
    before = (target / "metadata.json").read_bytes()
    write_back(out, res, shipped, "node-b")  # a retried task finishing late: kept as it was
    assert (target / "metadata.json").read_bytes() == before
    assert not list(out.rglob(".run-*"))


def test_refused_connection_is_one_line(monkeypatch):
    pytest.importorskip("ray")
    import ray

    from nasbench_suite.errors import NasBenchError
    from nasbench_suite.runner.ray_exec import connect

    def refuse(*a, **k):
        try:
            raise RuntimeError("AuthenticationError: InvalidAuthToken")
        except RuntimeError as exc:
            raise ConnectionError("Failed to connect to Ray cluster at 10.0.0.1:6379") from exc

    monkeypatch.setattr(ray, "init", refuse)
    with pytest.raises(NasBenchError) as info:
        connect("10.0.0.1:6379")
    text = str(info.value)
    assert len(text.splitlines()) == 1
    assert "cannot connect to the Ray cluster at 10.0.0.1:6379" in text
    assert "refused this driver's authentication token" in text and "RAY_AUTH_TOKEN" in text
