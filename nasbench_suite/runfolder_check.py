"""Checks of run folders before their numbers are used: damaged, malformed or mixed runs.

The runner records in each run's ``metadata.json`` the SHA-256 of its ``trajectory.jsonl``
(``trajectory_sha256``) and two hashes of its ``spec.json``: ``spec_sha256`` (everything but the
run number and its seeds: equal for every run of one strategy and search dataset of one spec) and
``experiment_sha256`` (what every run of one experiment shares: name, master seed, benchmark
settings, objective, protocol). Readers (``runs summary``, ``report``) then

* treat a complete run whose trajectory does not match its metadata (truncated, edited, not
  UTF-8, not JSON) as **damaged**: reported, never averaged;
* treat a run folder whose ``metadata.json`` is unreadable or malformed as unfinished;
* refuse a folder whose runs come from different specs (two ``run`` commands with other budgets
  or seeds into one ``--out``), naming them, since pooling them would be meaningless.

Folders written before these fields existed are checked against ``n_evals`` / ``clock_s`` /
``final_incumbent`` of their metadata instead.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError

DAMAGED = "damaged"
_PER_RUN = ("run", "spawn_key")
# what may differ between the (strategy, task) groups of one experiment: a multi-benchmark
# grid gives each benchmark its own entry, budgets and report datasets
_PER_GROUP = ("strategy", "label", "dataset", "kwargs", "time_budget_s", "eval_budget",
              "report_datasets", "benchmark", "budget_rule", "incumbent", "plugin",
              "simulated_workers")


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def spec_hash(spec: dict) -> str:
    """Hash of a run's spec without its run number and seeds (same for a whole group)."""
    return _digest({k: v for k, v in spec.items() if k not in _PER_RUN})


def experiment_hash(spec: dict) -> str:
    """Hash of what every run of one experiment shares."""
    shared = {k: v for k, v in spec.items() if k not in _PER_RUN + _PER_GROUP}
    return _digest(shared)


def integrity_fields(spec: dict, trajectory: str) -> dict[str, str]:
    """The metadata fields the runner records for later checks."""
    return {
        "trajectory_sha256": hashlib.sha256(trajectory.encode()).hexdigest(),
        "spec_sha256": spec_hash(spec),
        "experiment_sha256": experiment_hash(spec),
    }


def read_json_dict(path: Path) -> dict | None:
    """A JSON object from ``path``; None when missing, not UTF-8, not JSON or not an object."""
    try:
        value = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def metadata_problem(meta: dict) -> str | None:
    """Why a metadata document is malformed (wrong types), or None."""
    if meta.get("status") not in ("complete", "failed"):
        return f"status {meta.get('status')!r} is not complete / failed"
    n = meta.get("n_evals", 0)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        return f"n_evals {n!r} is not a count"
    final = meta.get("final_incumbent", {})
    if final is not None and not isinstance(final, dict):
        return "final_incumbent is not an object"
    tests = (final or {}).get("test_acc") or {}
    if not isinstance(tests, dict) or not all(
        v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in tests.values()
    ):
        return "final_incumbent.test_acc is not a map dataset -> number"
    return None


def trajectory_problem(folder: Path, meta: dict) -> str | None:
    """Why a complete run's trajectory does not end the way its metadata says, or None."""
    path = Path(folder) / "trajectory.jsonl"
    try:
        data = path.read_bytes()
    except OSError:
        return "trajectory.jsonl is missing"
    recorded = meta.get("trajectory_sha256")
    if isinstance(recorded, str):
        if hashlib.sha256(data).hexdigest() != recorded:
            return "trajectory.jsonl differs from the checksum in metadata.json"
        return None
    try:
        rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    except ValueError:
        return "trajectory.jsonl is not UTF-8 JSON lines"
    n = meta.get("n_evals", 0)
    if len(rows) != n:
        return f"trajectory.jsonl has {len(rows)} rows, metadata.json says {n}"
    if not rows:
        return None
    last = rows[-1]
    if not isinstance(last, dict) or last.get("n_evals") != n:
        return "the last trajectory row is not the last evaluation"
    clock = meta.get("clock_s")
    time_s = last.get("time_s")
    if (isinstance(clock, (int, float)) and isinstance(time_s, (int, float))
            and not math.isclose(time_s, clock, rel_tol=1e-9, abs_tol=1e-9)):
        return "the trajectory's last time_s differs from metadata.json's clock_s"
    final = ((meta.get("final_incumbent") or {}).get("test_acc")) or {}
    if final and last.get("incumbent_test_acc") != final:
        return "the trajectory's last incumbent differs from metadata.json's"
    return None


def check_same_spec(
    groups: Iterable[tuple[str, str, dict]], root: Any, one_experiment: bool = False
) -> None:
    """Refuse runs that mix specs: ``groups`` yields (label, dataset, spec) per run folder.

    Args:
        one_experiment: also refuse several experiments (``runs summary`` of one ``--out``,
            which pools runs by folder label); reports keep experiments apart instead.

    Raises:
        NasBenchError: naming the (label, dataset) groups or experiments that mix specs.
    """
    per_group: dict[tuple[str, str, str], set[str]] = {}
    per_name: dict[str, set[str]] = {}
    for label, dataset, spec in groups:
        if not spec:
            continue
        name = str(spec.get("experiment"))
        per_group.setdefault((name, label, dataset), set()).add(spec_hash(spec))
        per_name.setdefault(name, set()).add(experiment_hash(spec))
    mixed = [f"{label}/{ds}" for (_, label, ds), hashes in sorted(per_group.items())
             if len(hashes) > 1]
    mixed += [f"experiment {name!r}" for name, hashes in sorted(per_name.items())
              if len(hashes) > 1]
    if one_experiment and len(per_name) > 1:
        mixed.append(f"experiments {', '.join(map(repr, sorted(per_name)))}")
    if mixed:
        raise NasBenchError(
            f"run folders under {root} come from different specs ({', '.join(mixed[:4])}); "
            "their results cannot be pooled: write each spec to its own --out folder")
