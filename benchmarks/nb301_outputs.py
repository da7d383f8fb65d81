"""What the four outputs of the NAS-Bench-301 surrogate look like (evidence for their order).

Runs the YAHPO v2 ONNX model on ``--cells`` random DARTS cells at every epoch 1..98 and prints
one JSON object: per output column, the mean / min / max at epochs 1, 10, 50 and 98, the share
of consecutive-epoch steps that do not decrease, the median per-cell correlation with the epoch,
and the correlation of columns 0 and 1 across cells at epoch 98; plus DARTS-V2 at epochs 1, 50
and 98. Column names are those of ``param_set_v2.R`` / YAHPO Gym (``val_accuracy``,
``val_cross_entropy``, ``runtime``, ``runtime_increase``).

Run: ``.venv/bin/python benchmarks/nb301_outputs.py [--cells 200 --seed 0]``.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from nasbench_suite.benchmarks import _nb301_model as model
from nasbench_suite.benchmarks.nb301 import NB301Benchmark
from nasbench_suite.spaces.darts import DARTS_V2


def main(argv: list[str] | None = None) -> dict:
    """Print and return the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    bench = NB301Benchmark()
    ids = bench.space.sample(np.random.default_rng(args.seed), args.cells)
    x = bench.surrogate.x_cat(bench.space.configs(ids))
    epochs = np.arange(1, 99)
    raw = bench.surrogate.predict(np.tile(x, (len(epochs), 1)), np.repeat(epochs, len(ids)))
    raw = raw.reshape(len(epochs), len(ids), -1).astype(np.float64)
    out: dict = {"cells": args.cells, "seed": args.seed, "columns": {}}
    for j, name in enumerate(model.OUTPUTS):
        col = raw[:, :, j]
        out["columns"][f"{j}:{name}"] = {
            f"epoch_{e}": {"mean": round(float(col[e - 1].mean()), 4),
                           "min": round(float(col[e - 1].min()), 4),
                           "max": round(float(col[e - 1].max()), 4)}
            for e in (1, 10, 50, 98)
        } | {
            "nondecreasing_steps": round(float((np.diff(col, axis=0) >= 0).mean()), 4),
            "min_step": round(float(np.diff(col, axis=0).min()), 4),
            "median_corr_with_epoch": round(float(np.median(
                [np.corrcoef(epochs, col[:, c])[0, 1] for c in range(len(ids))])), 4),
        }
    out["corr_col0_col1_at_98"] = round(float(np.corrcoef(raw[-1, :, 0], raw[-1, :, 1])[0, 1]), 4)
    v2 = bench.space.parse(DARTS_V2)
    out["darts_v2"] = {e: [round(float(v), 4) for v in bench.surrogate.predict(
        bench.surrogate.x_cat(bench.space.configs([v2])), [e])[0]] for e in (1, 50, 98)}
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
