"""Write run folders in the runner's documented format (synthetic runs for unit tests)."""

from __future__ import annotations

import json
from pathlib import Path


def write_run(
    root: Path,
    label: str,
    dataset: str,
    k: int,
    rows: list[tuple[float, float]],
    status: str = "complete",
    experiment: str = "synthetic",
    reports=("cifar10",),
    strategy: str | None = None,
    arch=None,
    error: str | None = None,
    metadata: bool = True,
) -> Path:
    """One run folder; ``rows`` are (time_s, incumbent test accuracy of every report dataset)."""
    folder = root / label / dataset / f"run-{k:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "experiment": experiment,
        "strategy": strategy or label,
        "label": label,
        "dataset": dataset,
        "run": k,
        "master_seed": 0,
        "spawn_key": [1, 2, k],
        "report_datasets": list(reports),
        "benchmark": {
            "type": "tabular",
            "fidelity": 12,
            "noise": "mean",
            "eval_overhead_s": 0.0,
            "latency_device": None,
        },
        "time_budget_s": 1000.0,
        "eval_budget": None,
        "kwargs": {},
        "objective": None,
    }
    (folder / "spec.json").write_text(json.dumps(spec))
    lines = []
    for i, (t, acc) in enumerate(rows):
        lines.append(
            json.dumps(
                {
                    "arch_index": (arch[i] if arch else i),
                    "fidelity": 12,
                    "incumbent_index": i,
                    "incumbent_test_acc": {d: acc for d in reports},
                    "incumbent_valid_acc": acc,
                    "n_evals": i + 1,
                    "time_s": t,
                    "valid_acc": acc,
                }
            )
        )
    (folder / "trajectory.jsonl").write_text("".join(x + "\n" for x in lines))
    if metadata:
        meta = {
            "status": status,
            "error": error,
            "n_evals": len(rows),
            "wall_s": 0.01,
            "git_revision": "abc",
            "versions": {"python": "3"},
            "store": {"checksum": "x"},
            "final_incumbent": {"test_acc": {d: (rows[-1][1] if rows else None) for d in reports}},
        }
        (folder / "metadata.json").write_text(json.dumps(meta))
    return folder
