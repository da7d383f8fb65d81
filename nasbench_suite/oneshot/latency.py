"""Per-edge, per-op latency tables fitted to the store's measured cell latencies.

The store holds one measured latency (ms) per cell and device (HW-NAS-Bench / NB201 devices) but
no per-operation costs, which a differentiable latency penalty needs. We fit the additive model

    latency(cell) ~= base + sum_e lut[e, op_e]                       (ms)

by ordinary least squares over every cell with a finite measurement (15,625 cells, 25 unknowns).
The one-hot design is rank deficient (each edge's five columns sum to the intercept), so the
``none`` op is the reference: ``lut[e, none] = 0`` and ``base`` is the all-``none`` cell's fitted
latency. The fit's R^2 and RMSE are returned with the table; on the NB201 devices the additive
model is a good but not perfect description (ops on different edges interact, e.g. a conv on an
edge whose input node is all-zero is still executed by the measured network). The expected
latency of the architecture distribution ``p`` (6, 5) (FBNet, Wu et al. CVPR 2019;
ProxylessNAS, Cai et al. ICLR 2019) is then ``base + sum_e p[e] . lut[e]``: linear in ``p`` and
exactly the expectation of the fitted model under independent per-edge sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasbench_suite.space.codec import N_EDGES, N_OPS, OPS

_NONE = OPS.index("none")


@dataclass(frozen=True)
class LatencyTable:
    """A fitted per-edge per-op latency table of one device.

    Attributes:
        device: store device name.
        base: intercept (ms), the fitted latency of the all-``none`` cell.
        lut: (6, 5) ms added by op ``o`` on edge ``e`` relative to ``none``.
        r2 / rmse_ms: goodness of fit over the ``n_cells`` cells used.
    """

    device: str
    base: float
    lut: np.ndarray
    r2: float
    rmse_ms: float
    n_cells: int

    def predict(self, ops_matrix: np.ndarray) -> np.ndarray:
        """Fitted latency (ms) of op tuples, shape (n, 6) -> (n,)."""
        ops_matrix = np.asarray(ops_matrix, dtype=np.int64).reshape(-1, N_EDGES)
        return self.base + self.lut[np.arange(N_EDGES), ops_matrix].sum(axis=1)

    def expected(self, probs: np.ndarray) -> float:
        """Expected fitted latency (ms) under independent per-edge op probabilities (6, 5)."""
        return float(self.base + (np.asarray(probs, dtype=np.float64) * self.lut).sum())

    def to_json(self) -> dict:
        return {
            "device": self.device,
            "base_ms": self.base,
            "lut_ms": self.lut.tolist(),
            "r2": self.r2,
            "rmse_ms": self.rmse_ms,
            "n_cells": self.n_cells,
        }


def fit_latency_table(
    ops_matrix: np.ndarray, latency_ms: np.ndarray, device: str = "?"
) -> LatencyTable:
    """Least-squares fit of ``latency ~ base + sum_e lut[e, op_e]``.

    Args:
        ops_matrix: (n, 6) op ids of the cells (row = cell).
        latency_ms: (n,) measured latencies; NaN / inf rows are left out.
        device: name recorded in the table.
    """
    ops_matrix = np.asarray(ops_matrix, dtype=np.int64)
    y = np.asarray(latency_ms, dtype=np.float64)
    keep = np.isfinite(y)
    if keep.sum() < 1 + N_EDGES * (N_OPS - 1):
        raise ValueError(
            f"latency table of {device!r}: too few finite latencies ({int(keep.sum())})"
        )
    ops_matrix, y = ops_matrix[keep], y[keep]
    onehot = np.zeros((len(y), N_EDGES, N_OPS))
    onehot[np.arange(len(y))[:, None], np.arange(N_EDGES)[None, :], ops_matrix] = 1.0
    cols = [o for o in range(N_OPS) if o != _NONE]
    design = np.concatenate([np.ones((len(y), 1)), onehot[:, :, cols].reshape(len(y), -1)], axis=1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    lut = np.zeros((N_EDGES, N_OPS))
    lut[:, cols] = coef[1:].reshape(N_EDGES, len(cols))
    resid = y - design @ coef
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / ss_tot if ss_tot > 0 else 1.0
    return LatencyTable(
        device, float(coef[0]), lut, r2, float(np.sqrt((resid**2).mean())), len(y)
    )


def store_latency_table(store, device: str) -> LatencyTable:
    """Fit the table of ``device`` (any ``store.devices`` entry) to the store's latencies."""
    from nasbench_suite.space.codec import codes_to_ops

    latency = store.latency(device)  # raises with the known devices
    ops_matrix = codes_to_ops(store.index_map.code_of_index)
    return fit_latency_table(ops_matrix, latency, device)
