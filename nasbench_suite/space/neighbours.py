"""Neighbourhoods, mutation and seeded sampling in the NB201 cell space (op-tuple level)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasbench_suite.space.codec import N_CELLS, N_EDGES, N_OPS, OpTuple, check_ops


def neighbours(ops: Sequence[int]) -> list[OpTuple]:
    """All 24 cells that differ from ``ops`` on exactly one edge, edge-major, op-minor order."""
    ops = check_ops(ops)
    out = []
    for edge in range(N_EDGES):
        for op in range(N_OPS):
            if op != ops[edge]:
                out.append(ops[:edge] + (op,) + ops[edge + 1 :])
    return out


def mutate(ops: Sequence[int], rng: np.random.Generator) -> OpTuple:
    """One uniformly drawn single-edge mutation (the REA / NB201 mutation)."""
    ops = check_ops(ops)
    edge = int(rng.integers(N_EDGES))
    op = int(rng.choice([o for o in range(N_OPS) if o != ops[edge]]))
    return ops[:edge] + (op,) + ops[edge + 1 :]


def sample_ops(rng: np.random.Generator, n: int | None = None) -> OpTuple | np.ndarray:
    """Uniform random cell(s): one op tuple, or an int array of shape (n, 6)."""
    if n is None:
        return tuple(int(o) for o in rng.integers(N_OPS, size=N_EDGES))
    return rng.integers(N_OPS, size=(n, N_EDGES))


def sample_indices(rng: np.random.Generator, n: int, replace: bool = True) -> np.ndarray:
    """``n`` uniform NB201 indices (the index is a bijection, so uniform in cells)."""
    if not replace and n > N_CELLS:
        raise ValueError(f"cannot draw {n} distinct cells from a space of {N_CELLS}")
    return rng.choice(N_CELLS, size=n, replace=replace)


def hamming(a: Sequence[int], b: Sequence[int]) -> int:
    """Number of edges on which two cells differ (edit distance in this space)."""
    return int(np.sum(np.asarray(check_ops(a)) != np.asarray(check_ops(b))))
