"""Read a scores CSV written by :func:`~nasbench_suite.proxies.scorer.score_cells` (no torch)."""

from __future__ import annotations

import csv
from pathlib import Path

from nasbench_suite.errors import NasBenchError


def read_scores(path: str | Path) -> tuple[list[str], dict[int, dict[str, float]]]:
    """A scores CSV -> (proxy columns, {index: {column: value}}); incomplete lines are ignored."""
    path = Path(path)
    if not path.is_file():
        return [], {}
    with open(path, newline="") as handle:
        rows = list(csv.reader(line for line in handle if not line.startswith("#")))
    if not rows:
        return [], {}
    header, out = rows[0], {}
    if not header or header[0] != "index":
        raise NasBenchError(f"{path} is not a scores CSV (its first column must be 'index')")
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        try:
            out[int(row[0])] = {h: float(v) for h, v in zip(header[1:], row[1:])}
        except ValueError:
            continue
    return [h for h in header[1:] if h != "time_s"], out
