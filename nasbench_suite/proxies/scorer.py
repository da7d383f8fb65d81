"""Score many NB201 cells with many proxies: fixed seed, one fixed mini-batch, resumable CSV.

Every cell's network is initialised from the same ``seed`` (so a cell's scores do not depend on
which cells came before it, and a resumed run equals an uninterrupted one); each proxy works on
its own copy of that network. Rows are appended to the CSV as they finish (``index``, one column
per proxy, ``time_s`` = seconds for all of the cell's proxies); a restart skips the indices
already present. The settings and the data source go to a sidecar ``FILE.meta.json``.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import numbers
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch

from nasbench_suite.bench.datasets import DATASETS, dataset_name
from nasbench_suite.errors import NasBenchError
from nasbench_suite.models.network import build_network
from nasbench_suite.proxies.data import load_batch
from nasbench_suite.proxies.registry import ProxyBatch, create_proxy
from nasbench_suite.proxies.results import read_scores

RESOLUTION = {"ImageNet16-120": 16}


def make_batch(
    dataset: str, batch: int, seed: int, device: str | torch.device
) -> tuple[ProxyBatch, dict]:
    """The proxies' mini-batch for ``dataset`` on ``device`` and its source description."""
    info = DATASETS[dataset_name(dataset)]
    images = load_batch(batch, seed, resolution=RESOLUTION.get(info.name, 32))
    inputs = torch.from_numpy(images.images).to(device)
    targets = torch.from_numpy(images.labels).to(device)
    return ProxyBatch(inputs, targets, info.num_classes), images.source


def resolve_device(device: str | torch.device) -> torch.device:
    """``cpu`` / ``cuda`` / ``cuda:N`` as a torch device; a clear error when CUDA is missing."""
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise NasBenchError(f"device {device!r} was requested but CUDA is not available; use cpu")
    return dev


def score_network(
    net: torch.nn.Module, proxies: list[str], batch: ProxyBatch, seed: int
) -> dict[str, float]:
    """Every proxy of ``proxies`` on its own copy of ``net`` (scores as floats, NaN on failure
    of a numerical kind)."""
    out = {}
    for name in proxies:
        proxy = create_proxy(name)
        batch.generator = torch.Generator(device=batch.inputs.device).manual_seed(seed)
        try:
            out[name] = proxy(copy.deepcopy(net), batch)
        except (FloatingPointError, np.linalg.LinAlgError, ValueError):
            out[name] = math.nan
    return out


def build_seeded(ops, num_classes: int, seed: int, device, **net_kw) -> torch.nn.Module:
    """The network of ``ops`` with weights drawn from ``seed`` (global RNG state untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = build_network(ops, num_classes=num_classes, **net_kw)
    return net.to(device)


def _repair_tail(path: Path) -> None:
    """Drop a partial last line left by a killed run."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)


def _check_meta(meta_path: Path, meta: dict) -> None:
    if not meta_path.is_file():
        tmp = meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, indent=1) + "\n")
        os.replace(tmp, meta_path)
        return
    old = json.loads(meta_path.read_text())
    for keyname in ("proxies", "dataset", "seed", "batch", "channels", "cells_per_stage"):
        if old.get(keyname) != meta.get(keyname):
            raise NasBenchError(
                f"{meta_path} was written with {keyname}={old.get(keyname)!r}, this run has "
                f"{meta.get(keyname)!r}; use another --out file to score with other settings"
            )


def score_cells(
    indices: Iterable[int],
    proxies: list[str],
    dataset: str = "cifar10",
    seed: int = 0,
    device: str | torch.device = "cpu",
    batch: int = 32,
    out: str | Path | None = None,
    store=None,
    channels: int = 16,
    cells_per_stage: int = 5,
    progress: Callable[[int, int, dict], None] | None = None,
) -> dict[int, dict[str, float]]:
    """Score NB201 cells (by index) with ``proxies``.

    Args:
        indices: NB201 indices to score (duplicates are scored once).
        proxies: registered proxy names (see :func:`~nasbench_suite.proxies.list_proxies`).
        dataset: NB201 dataset (sets the class count and the resolution).
        seed: seeds the weights of every network, the mini-batch and random inputs.
        device: ``cpu`` or ``cuda``.
        batch: mini-batch size. 32 by default: NASLib's published NB201 scores were computed on
            32 images (their jacob_cov values top out at -32.2, and jacob_cov <= -batch).
        out: CSV to append rows to; indices already in it are skipped (and returned).
        store: the NB201 store (index -> cell); opened by default.
        progress: called as ``progress(done, total, row)`` after every cell.

    Returns:
        {index: {proxy: score, ..., "time_s": seconds}} for every requested index.
    """
    from nasbench_suite.bench.store import open_store

    for name, value in (("batch", batch), ("channels", channels),
                        ("cells_per_stage", cells_per_stage)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise NasBenchError(f"{name} must be a positive integer, got {value!r}")
    if out is not None and Path(out).exists() and not Path(out).is_file():
        raise NasBenchError(f"--out {out} is a folder, not a CSV file; name a file to write")
    proxies = [create_proxy(p).name for p in proxies]
    dataset = dataset_name(dataset)
    dev = resolve_device(device)
    store = store or open_store()
    wanted = list(dict.fromkeys(int(i) for i in indices))
    pbatch, source = make_batch(dataset, batch, seed, dev)
    results: dict[int, dict[str, float]] = {}
    writer = handle = None
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "proxies": proxies,
            "dataset": dataset,
            "seed": seed,
            "batch": batch,
            "channels": channels,
            "cells_per_stage": cells_per_stage,
            "device": str(dev),
            "data_source": source,
            "torch": torch.__version__,
        }
        _check_meta(Path(str(out) + ".meta.json"), meta)
        if out.is_file():
            _repair_tail(out)
        columns, done = read_scores(out)
        if done and columns != proxies:
            raise NasBenchError(f"{out} has proxy columns {columns}, this run asks for {proxies}")
        results.update({i: done[i] for i in wanted if i in done})
        fresh = not out.is_file() or out.stat().st_size == 0
        handle = open(out, "a", newline="")  # noqa: SIM115 - closed in the finally below
        writer = csv.writer(handle)
        if fresh:
            writer.writerow(["index", *proxies, "time_s"])
    num_classes = DATASETS[dataset].num_classes
    try:
        for i in wanted:
            if i in results:
                continue
            start = time.perf_counter()
            net = build_seeded(
                store.index_map.ops(i),
                num_classes,
                seed,
                dev,
                channels=channels,
                cells_per_stage=cells_per_stage,
            )
            row = score_network(net, proxies, pbatch, seed)
            row["time_s"] = time.perf_counter() - start
            results[i] = row
            if writer is not None:
                writer.writerow(
                    [i, *(repr(float(row[p])) for p in proxies), f"{row['time_s']:.4f}"]
                )
                handle.flush()
            if progress is not None:
                progress(len(results), len(wanted), row)
    finally:
        if handle is not None:
            handle.close()
    return {i: results[i] for i in wanted}
