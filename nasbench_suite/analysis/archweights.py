"""Architecture weights of one-shot runs (``alphas.json`` in the run folder) and their plot.

One-shot strategies record, every search epoch, a 6 x 5 matrix of operation weights (softmax of
the architecture parameters, controller probabilities, or sampled-op frequencies).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench_suite.space.codec import OPS

ALPHAS_FILE = "alphas.json"


@dataclass(frozen=True)
class ArchWeights:
    """Per-epoch operation weights of one run: ``weights`` has shape (epochs, 6 edges, 5 ops)."""

    label: str
    edges: tuple[str, ...]
    epochs: tuple[int, ...]
    weights: np.ndarray
    final_arch: str


def load_arch_weights(run_path: Path, label: str) -> ArchWeights | None:
    """The architecture weights of a run folder, or None when it has none (black-box runs)."""
    path = Path(run_path) / ALPHAS_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    epochs = data.get("epochs") or []
    if not epochs:
        return None
    weights = np.array([e["weights"] for e in epochs], dtype=float)
    return ArchWeights(label, tuple(data.get("edges", [])), tuple(e["epoch"] for e in epochs),
                       weights, epochs[-1].get("arch", ""))


def plot_arch_weights(axes, aw: ArchWeights) -> None:
    """One panel per edge: the weight of each operation over the search epochs."""
    for edge, ax in enumerate(np.ravel(axes)[: aw.weights.shape[1]]):
        for op, name in enumerate(OPS):
            ax.plot(aw.epochs, aw.weights[:, edge, op], marker="o", ms=3, label=name)
        ax.set_title(f"edge {aw.edges[edge] if aw.edges else edge}", fontsize=9)
        ax.set_ylim(0, 1)
        ax.set_xlabel("epoch", fontsize=8)
    np.ravel(axes)[0].legend(fontsize=7, loc="upper left")
