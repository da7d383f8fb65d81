"""The Ray executor: runs execute on any node, their files come back to the driver.

Workers need not share the driver's disk. Each Ray task runs its chunk of runs into a private
temporary folder on whatever node it lands on, reads the finished run folders back as bytes and
returns them; the driver writes each run folder under ``out`` (temporary name, then
:func:`os.replace`, as local runs do), adding ``"executor": {"name": "ray", "node_id": ...}`` to
its ``metadata.json``. ``spec.json`` and ``trajectory.jsonl`` are the bytes the worker wrote, so
Ray and local runs stay byte-identical. The NB201 store travels too: the driver puts its store
(about 10 MB) in Ray's object store once, and a node whose own copy at the same path is missing
or has another checksum materialises the shipped one under its temporary folder. A node thus
needs the package installed, nothing else.

Plug-in strategies (:mod:`nasbench_suite.plugins`) travel the same way: the file bytes of every
plug-in module of the grid go into the object store once; a worker imports its copy of the
driver's file when it has the same bytes, else the shipped bytes (checked against the SHA-256
recorded in the run spec), so nodes need not have the user's code.

Connecting: ``ray.init(address=...)``; Ray 2.60 clusters use token authentication by default, and
the driver's token comes from ``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``
(Ray's own lookup). A refused connection is one line naming these.

A task lost with its node is retried by Ray on another node (``max_retries``); a chunk that still
fails becomes failed runs (error ``Ray task lost: ...``), which the next ``run`` redoes.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nasbench_suite.errors import NasBenchError
from nasbench_suite.runner.grid import RunSpec
from nasbench_suite.runner.run import METADATA_FILE, RunResult, execute_many, is_complete

LOOPBACK = "127.0.0.1"
MAX_RETRIES = 2
_STORE_FILES = ("manifest.json", "arrays.bin")


def connect(address: str) -> None:
    """``ray.init`` to the cluster at ``address``; one clear line when it is refused."""
    import ray

    host = address.rsplit(":", 1)[0].strip("[]")
    extra = {}
    try:
        if ipaddress.ip_address(host).is_loopback:  # a driver on a loopback cluster stays there
            extra["_node_ip_address"] = LOOPBACK
    except ValueError:
        pass
    try:
        ray.init(address=address, log_to_driver=False, logging_level="WARNING", **extra)
    except Exception as exc:  # noqa: BLE001  (Ray raises many types; the user needs one line)
        first = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        chain, seen = [], exc
        while seen is not None and len(chain) < 10:
            chain.append(f"{type(seen).__name__}: {seen}".lower())
            seen = seen.__cause__ or seen.__context__
        auth = any("auth" in t or "token" in t for t in chain)
        hint = (
            "the cluster refused this driver's authentication token"
            if auth
            else "is the address right, and is the cluster up?"
        )
        raise NasBenchError(
            f"cannot connect to the Ray cluster at {address}: {first} ({hint}; a cluster with "
            "token authentication needs its token in RAY_AUTH_TOKEN or RAY_AUTH_TOKEN_PATH, "
            "see `ray get-auth-token`)"
        ) from None


def run_on_ray(
    runs: list[RunSpec], out: Path, store_path: str | None
) -> Iterator[list[RunResult]]:
    """Run ``runs`` on the Ray instance this process is connected to; yield finished chunks."""
    import ray

    from nasbench_suite.bench.store import open_store
    from nasbench_suite.runner.executors import _chunks

    store = open_store(Path(store_path) if store_path else None)  # its checksum and bytes ship
    store_dir = Path(store.path).resolve()
    box = [ray.put({n: (store_dir / n).read_bytes() for n in _STORE_FILES})]
    from nasbench_suite import plugins

    for plugin in {json.dumps(r.plugin, sort_keys=True) for r in runs if r.plugin}:
        plugins.ensure(json.loads(plugin))  # a fresh driver process imports them first
    code = plugins.sources([r.plugin for r in runs])
    box.append(ray.put(code) if code else None)  # plug-in files travel with the tasks
    task = ray.remote(max_retries=MAX_RETRIES)(_run_chunk)
    n = max(1, int(ray.cluster_resources().get("CPU", 1)))
    pending = {
        task.remote(c, str(store_dir), store.checksum, box): c for c in _chunks(runs, n)
    }
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            chunk = pending.pop(ref)
            try:
                node, shipped = ray.get(ref)
            except Exception as exc:  # noqa: BLE001  (node lost after the retries)
                error = f"Ray task lost: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                yield [RunResult(r.relpath().as_posix(), "failed", error=error) for r in chunk]
                continue
            yield [write_back(out, res, files, node) for res, files in shipped]
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)


def _run_chunk(
    chunk: list[RunSpec], store_path: str, checksum: str, box: list
) -> tuple[str, list[tuple[RunResult, dict[str, bytes]]]]:
    """Ray task: execute ``chunk`` in a private folder, return each run folder's files."""
    import ray

    from nasbench_suite import plugins

    node = ray.get_runtime_context().get_node_id()
    store = local_store(store_path, checksum, lambda: ray.get(box[0]))
    for plugin in {json.dumps(r.plugin, sort_keys=True) for r in chunk if r.plugin}:
        try:
            plugins.ensure(json.loads(plugin), ray.get(box[1]) if box[1] is not None else None)
        except NasBenchError:
            pass  # execute() fails these runs with the same one-line error
    tmp = Path(tempfile.mkdtemp(prefix="nasbench-suite-run-"))
    try:
        results = execute_many(chunk, tmp, store)
        shipped = []
        for run, res in zip(chunk, results):
            folder = tmp / run.relpath()
            files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
            shipped.append((res, files))
        return node, shipped
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _checksum_at(folder: Path) -> str | None:
    try:
        return json.loads((folder / "manifest.json").read_text()).get("arrays_sha256")
    except (OSError, ValueError, AttributeError):
        return None


def local_store(path: str, checksum: str, fetch) -> str:
    """The driver's store path when this node has the same store there, else a copy of the
    shipped one (``fetch()``: file name -> bytes) under this node's temporary folder."""
    if _checksum_at(Path(path)) == checksum and (Path(path) / "arrays.bin").is_file():
        return path
    target = Path(tempfile.gettempdir()) / "nasbench-suite-ray" / f"store-{checksum[:16]}"
    if _checksum_at(target) != checksum:
        files = fetch()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".store-"))
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        try:
            os.replace(tmp, target)
        except OSError:  # another worker of this node got there first
            shutil.rmtree(tmp, ignore_errors=True)
    return str(target)


def write_back(out: Path, res: RunResult, files: dict[str, bytes], node: str) -> RunResult:
    """Write a run folder shipped from a worker under ``out`` (atomically; never over a
    complete one), recording the Ray node that ran it in ``metadata.json``."""
    folder = out / res.relpath
    if not files or is_complete(folder):
        return res
    meta = json.loads(files[METADATA_FILE])
    meta["executor"] = {"name": "ray", "node_id": node}
    files = {**files, METADATA_FILE: (json.dumps(meta, sort_keys=True, indent=1) + "\n").encode()}
    tmp = folder.parent / f".{folder.name}.tmp"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name in sorted(files, key=lambda n: n == METADATA_FILE):  # metadata last
        (tmp / Path(name).name).write_bytes(files[name])
    if folder.exists():  # a failed or unfinished earlier attempt
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return res
