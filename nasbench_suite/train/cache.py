"""The training cache (one JSON file per trained cell) and its export to a tabular store.

Layout: ``CACHE/<dataset>/<recipe>/e<epochs>-s<seed>-n<subset|all>/<code>.json`` where ``code``
is the cell's base-5 op code (:func:`nasbench_suite.space.codec.ops_to_code`, independent of any
store) and ``recipe`` is ``nb201`` for NB201's hyperparameters (batch 256, lr 0.1, C=16, N=5, ...)
or ``r-<hash>`` of the changed ones. Every file is written to a temporary name and renamed, so a
record is complete or absent and concurrent runs never see half a file.

A schedule trained part of the way (multi-fidelity, :mod:`.resume`) keeps, beside where its
record will be, ``<code>.progress.json`` (the per-epoch history) and ``<code>.ckpt.pt`` (the
latest state: tensors and plain containers, read back through the audited loader (:func:`nasbench_suite.safeload.load_torch`)
only). Both are removed when the schedule reaches its last epoch and its record is written.

:func:`export_store` turns a cache into a store with the layout of the NB201 store: columns
indexed by NB201 index, NaN for cells never trained, provenance "trained by nasbench-suite". It
loads with :meth:`Store.load` and serves :class:`~nasbench_suite.bench.tabular.TabularBenchmark`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench_suite.errors import DataError

FORMAT = 1
PROGRESS_SUFFIX = ".progress.json"
CHECKPOINT_SUFFIX = ".ckpt.pt"
NB201_RECIPE = {"batch_size": 256, "lr": 0.1, "momentum": 0.9, "nesterov": True,
                "weight_decay": 5e-4, "channels": 16, "cells_per_stage": 5}
PROVENANCE = "trained by nasbench-suite"


def recipe_tag(recipe: dict) -> str:
    """``nb201`` for NB201's recipe, else ``r-`` + 10 hex digits of the recipe's JSON."""
    if recipe == NB201_RECIPE:
        return "nb201"
    blob = json.dumps(recipe, sort_keys=True).encode()
    return "r-" + hashlib.sha256(blob).hexdigest()[:10]


@dataclass(frozen=True)
class CacheKey:
    """What identifies a training result: cell code, dataset, epochs, seed, subset, recipe."""

    code: int
    dataset: str
    epochs: int
    seed: int
    subset: int | None
    recipe: str

    def relpath(self) -> Path:
        run = f"e{self.epochs}-s{self.seed}-n{'all' if self.subset is None else self.subset}"
        return Path(self.dataset) / self.recipe / run / f"{self.code:05d}.json"

    def progress_relpath(self) -> Path:
        """The per-epoch history of a partly trained schedule."""
        return self.relpath().with_suffix(PROGRESS_SUFFIX)

    def checkpoint_relpath(self) -> Path:
        """The latest state of a partly trained schedule."""
        return self.relpath().with_suffix(CHECKPOINT_SUFFIX)


class TrainingCache:
    """Read and write training records under ``root`` (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def get(self, key: CacheKey) -> dict | None:
        """The record of ``key``, or None when absent; a corrupt file raises :class:`DataError`."""
        path = self.root / key.relpath()
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        return _parse(path, text)

    def put(self, key: CacheKey, record: dict) -> Path:
        """Write ``record`` for ``key`` atomically; returns its path."""
        return _write_json(self.root / key.relpath(), record)

    # --- partly trained schedules ---------------------------------------------------------
    def get_progress(self, key: CacheKey):
        """The :class:`~nasbench_suite.train.resume.Progress` of ``key``, or None when absent."""
        from nasbench_suite.train.resume import Progress

        path = self.root / key.progress_relpath()
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        record = _parse(path, text)
        try:
            return Progress.from_json(record["progress"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"training cache file {path} is corrupt ({exc}); delete it to retrain") from None

    def put_progress(self, key: CacheKey, progress, state: dict | None) -> None:
        """Write the history of ``key`` (and its checkpoint, when given) atomically."""
        if state is not None:
            self.save_checkpoint(key, state)
        _write_json(self.root / key.progress_relpath(), {"format": FORMAT, "progress": progress.to_json()})

    def save_checkpoint(self, key: CacheKey, state: dict) -> Path:
        """Write ``state`` (tensors and plain containers) atomically with ``torch.save``."""
        import torch

        path = self.root / key.checkpoint_relpath()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pt", dir=path.parent)
        os.close(fd)
        try:
            torch.save(state, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def load_checkpoint(self, key: CacheKey) -> dict | None:
        """The checkpoint of ``key`` (read by :func:`~nasbench_suite.safeload.load_torch`:
        tensors and plain containers only, never arbitrary objects), or None when absent."""
        from nasbench_suite.safeload import load_torch

        path = self.root / key.checkpoint_relpath()
        if not path.is_file():
            return None
        try:
            state = load_torch(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the same error for the user
            raise DataError(f"training checkpoint {path} is unreadable ({type(exc).__name__}); "
                            "delete it to retrain") from None
        if not isinstance(state, dict):
            raise DataError(f"training checkpoint {path} is not a checkpoint; delete it to retrain")
        return state

    def drop_progress(self, key: CacheKey) -> None:
        """Remove the history and checkpoint of ``key`` (its schedule is complete)."""
        for rel in (key.progress_relpath(), key.checkpoint_relpath()):
            (self.root / rel).unlink(missing_ok=True)

    def records(self) -> list[dict]:
        """Every record in the cache (sorted by path, so the order is stable)."""
        if not self.root.is_dir():
            raise DataError(f"training cache {self.root} does not exist")
        return [_parse(p, p.read_text()) for p in sorted(self.root.rglob("*.json"))
                if not p.name.startswith(".") and not p.name.endswith(PROGRESS_SUFFIX)]


def _write_json(path: Path, obj: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(obj, sort_keys=True, allow_nan=False) + "\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _parse(path: Path, text: str) -> dict:
    try:
        record = json.loads(text)
        if record.get("format") != FORMAT:
            raise ValueError(f"format {record.get('format')!r}, expected {FORMAT}")
        return record
    except (ValueError, AttributeError) as exc:
        raise DataError(f"training cache file {path} is corrupt ({exc}); delete it to retrain") from None


def make_record(key: CacheKey, result, subset: int | None) -> dict:
    """The JSON record of a :class:`~nasbench_suite.train.trainer.TrainResult` under ``key``."""
    import platform

    import torch

    def num(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else x

    return {
        "format": FORMAT,
        "arch": result.arch, "code": key.code, "dataset": key.dataset, "epochs": key.epochs,
        "seed": key.seed, "subset": subset, "recipe_tag": key.recipe,
        "valid_acc": num(result.final_valid_acc), "test_acc": num(result.test_acc),
        "train_acc": result.train_acc[-1], "train_loss": result.train_loss[-1],
        "cost_s": result.total_time_s,
        "epoch_time_s": float(np.mean(result.epoch_times_s)),
        "params": result.params, "n_train": result.n_train, "device": result.device,
        "torch": torch.__version__, "host": platform.node(),
        "result": result.to_json(),
    }


# --- export ---------------------------------------------------------------------------------
def _pick(values: set, given, what: str, flag: str):
    """The one value of ``what`` to export: ``given``, or the only one present."""
    if given != "auto":
        return given
    if len(values) == 1:
        return next(iter(values))
    shown = ", ".join(sorted("all" if v is None else str(v) for v in values))
    raise DataError(f"the cache holds several {what} ({shown}); choose one with {flag}")


def export_store(
    cache_dir: str | Path,
    out: str | Path,
    reference=None,
    full_epochs: int = 200,
    short_epochs: int = 12,
    subset="auto",
    recipe="auto",
) -> Path:
    """Write the cache at ``cache_dir`` as a store at ``out``; returns ``out``.

    Args:
        reference: a loaded NB201 :class:`Store` giving the index order (default: the default store).
        full_epochs: records with this many epochs fill the 200-epoch columns (``valid_acc``,
            ``valid_acc_seeds``, ``test_acc``, ``train_time_s``).
        short_epochs: records with this many epochs fill ``valid_acc_12ep`` / ``test_acc_12ep``.
        subset / recipe: which training-set size and recipe to export ("auto": the only one present).

    Columns per dataset: up to three training seeds (sorted) fill ``valid_acc_seeds``;
    ``valid_acc`` is their mean; ``train_time_s`` is the measured seconds per epoch x 200 (NB201's
    convention, so ``epoch_time_s`` = seconds per epoch); params / FLOPs and isomorphism classes
    are computed. Datasets unknown to ``bench/datasets.py`` are skipped and listed in the manifest
    under ``skipped_datasets``.
    """
    from nasbench_suite.bench.build import _fill_missing, add_derived
    from nasbench_suite.bench.datasets import DATASET_NAMES
    from nasbench_suite.bench.store import Provenance, key, open_store, write_store
    from nasbench_suite.space.codec import N_CELLS

    records = TrainingCache(cache_dir).records()
    if not records:
        raise DataError(f"training cache {cache_dir} holds no records")
    recipe = _pick({r["recipe_tag"] for r in records}, recipe, "recipes", "--recipe")
    records = [r for r in records if r["recipe_tag"] == recipe]
    subset = _pick({r["subset"] for r in records}, subset, "training subsets", "--subset")
    records = [r for r in records if r["subset"] == subset and r["epochs"] in (full_epochs, short_epochs)]
    skipped = sorted({r["dataset"] for r in records} - set(DATASET_NAMES))
    records = [r for r in records if r["dataset"] in DATASET_NAMES]
    if not records:
        raise DataError(f"training cache {cache_dir} has no records with {full_epochs} or {short_epochs} "
                        f"epochs, recipe {recipe}, subset {subset} on a dataset of the tabular benchmark")
    ref = reference if reference is not None else open_store()
    index_of_code = np.empty(N_CELLS, dtype=np.int64)
    index_of_code[np.asarray(ref.columns["code"])] = np.arange(N_CELLS)
    columns = {"code": np.asarray(ref.columns["code"], dtype=np.int32)}
    trained = Provenance(PROVENANCE, note=f"cache {Path(cache_dir).resolve()}, recipe {recipe}, subset {subset}")
    prov = {"code": Provenance(ref.manifest.get("built_from", "reference store"), note="NB201 index order")}
    by_ds: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_ds[r["dataset"]].append(r)
    seeds_of = {}
    for ds, recs in sorted(by_ds.items()):
        cols, seeds_of[ds] = _dataset_columns(ds, recs, index_of_code, full_epochs, short_epochs)
        for name, values in cols.items():
            columns[key(name, ds)] = values
            prov[key(name, ds)] = trained
    datasets = tuple(sorted(by_ds, key=DATASET_NAMES.index))
    add_derived(columns, prov, datasets)
    _fill_missing(columns, prov, datasets)
    meta = {"built_from": "training cache", "provenance": PROVENANCE, "datasets": list(datasets),
            "cache_dir": str(Path(cache_dir).resolve()), "recipe": recipe, "subset": subset,
            "epochs": {"full": full_epochs, "short": short_epochs}, "train_seeds": seeds_of,
            "trained_cells": {ds: len({r["code"] for r in recs}) for ds, recs in by_ds.items()},
            "skipped_datasets": skipped}
    return write_store(columns, prov, Path(out), meta)


def _dataset_columns(ds, recs, index_of_code, full_epochs, short_epochs):
    """Columns of one dataset from its records; returns (columns, seeds in the seed slots)."""
    from nasbench_suite.space.codec import N_CELLS

    full = [r for r in recs if r["epochs"] == full_epochs]
    short = [r for r in recs if r["epochs"] == short_epochs and short_epochs != full_epochs]
    seeds = sorted({r["seed"] for r in full})
    if len(seeds) > 3:
        raise DataError(f"{ds}: the store holds at most 3 training seeds per cell, the cache has "
                        f"{len(seeds)} ({', '.join(map(str, seeds))}) at {full_epochs} epochs")
    nan = lambda *shape: np.full((N_CELLS, *shape), np.nan)
    out = {"valid_acc_seeds": nan(3), "test_acc": nan(), "train_time_s": nan(), "train_acc": nan(),
           "valid_acc_12ep": nan(), "test_acc_12ep": nan(), "zen": nan()}
    acc = defaultdict(lambda: defaultdict(list))
    full_codes = {r["code"] for r in full}
    for r in full:
        i = index_of_code[r["code"]]
        out["valid_acc_seeds"][i, seeds.index(r["seed"])] = _f(r["valid_acc"])
        for field in ("test_acc", "epoch_time_s", "train_acc"):
            acc[field][i].append(_f(r[field]))
    for r in short:
        i = index_of_code[r["code"]]
        acc["valid_acc_12ep"][i].append(_f(r["valid_acc"]))
        acc["test_acc_12ep"][i].append(_f(r["test_acc"]))
        if r["code"] not in full_codes:  # time per epoch from the full run when there is one
            acc["epoch_time_s"][i].append(_f(r["epoch_time_s"]))
    for field, per_cell in acc.items():
        target = "train_time_s" if field == "epoch_time_s" else field
        scale = 200.0 if field == "epoch_time_s" else 1.0
        for i, values in per_cell.items():
            out[target][i] = scale * float(np.mean(values))
    return out, seeds


def _f(x) -> float:
    return math.nan if x is None else float(x)
