"""Rank agreement of proxy scores with benchmark accuracies (numpy / scipy only, no torch)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def _worst_for_nonfinite(scores: np.ndarray) -> np.ndarray:
    # NASLib's convention: a NaN / infinite score ranks last (it maps them to -1e8)
    out = np.asarray(scores, dtype=np.float64).copy()
    out[~np.isfinite(out)] = -np.inf
    return out


def top_k_overlap(scores: np.ndarray, target: np.ndarray, fraction: float = 0.1) -> float:
    """|top-k by score ∩ top-k by target| / k, k = max(1, round(fraction * n))."""
    n = len(scores)
    k = max(1, round(fraction * n))
    top_s = set(np.argsort(-_worst_for_nonfinite(scores), kind="stable")[:k].tolist())
    top_t = set(np.argsort(-np.asarray(target, dtype=np.float64), kind="stable")[:k].tolist())
    return len(top_s & top_t) / k


def rank_agreement(scores: np.ndarray, target: np.ndarray) -> dict:
    """Spearman rho, Kendall tau and top-10% overlap of ``scores`` with ``target`` accuracy.

    Cells whose target is NaN are dropped; non-finite scores rank last. Returns
    ``{"spearman", "kendall", "top10_overlap", "n"}`` (NaN correlations for fewer than 3 cells
    or constant inputs).
    """
    scores = np.asarray(scores, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    keep = np.isfinite(target)
    s, t = _worst_for_nonfinite(scores[keep]), target[keep]
    n = int(keep.sum())
    if n < 3 or np.unique(s).size < 2:
        return {"spearman": math.nan, "kendall": math.nan, "top10_overlap": math.nan, "n": n}
    # rank first so that -inf entries are legal for both statistics
    rs = stats.rankdata(s)
    return {
        "spearman": float(stats.spearmanr(rs, t).statistic),
        "kendall": float(stats.kendalltau(rs, t).statistic),
        "top10_overlap": top_k_overlap(s, t),
        "n": n,
    }
