"""Neighbourhoods, mutation and seeded sampling in the NB201 cell space (op-tuple level)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasbench_suite.errors import unknown
from nasbench_suite.space.codec import EDGES, N_CELLS, N_EDGES, N_OPS, OpTuple, check_ops

# How a mutation picks the edge to change (see :func:`mutate`).
MUTATION_SCHEMES = ("uniform_edge", "node_then_edge")
# Incoming edges (positions in the op tuple) of each intermediate / output node: 1, 2, 3.
_IN_EDGES = tuple(
    tuple(e for e, (_, dst) in enumerate(EDGES) if dst == node) for node in (1, 2, 3)
)


def neighbours(ops: Sequence[int]) -> list[OpTuple]:
    """All 24 cells that differ from ``ops`` on exactly one edge, edge-major, op-minor order."""
    ops = check_ops(ops)
    out = []
    for edge in range(N_EDGES):
        for op in range(N_OPS):
            if op != ops[edge]:
                out.append(ops[:edge] + (op,) + ops[edge + 1 :])
    return out


def mutate(
    ops: Sequence[int], rng: np.random.Generator, scheme: str = "uniform_edge"
) -> OpTuple:
    """One random single-edge mutation: the chosen edge gets a uniformly drawn *other* op.

    ``scheme`` says how the edge is chosen:

    * ``uniform_edge``: one of the 6 edges uniformly (each 1/6).
    * ``node_then_edge``: one of the 3 non-input nodes uniformly, then one of its incoming edges
      uniformly, as the NB201 / NATS-Bench authors' REA does (AutoDL-Projects
      ``exps/NATS-algos/regularized_ea.py`` and ``exps/NAS-Bench-201-algos/R_EA.py``,
      ``mutate_topology_func`` / ``mutate_arch_func``: ``node_id`` then ``snode_id``, then an op
      redrawn until it differs). Edge 1<-0 is chosen with probability 1/3, each edge into node 2
      with 1/6, each edge into node 3 with 1/9.
    """
    ops = check_ops(ops)
    if scheme == "uniform_edge":
        edge = int(rng.integers(N_EDGES))
    elif scheme == "node_then_edge":
        incoming = _IN_EDGES[int(rng.integers(len(_IN_EDGES)))]
        edge = incoming[int(rng.integers(len(incoming)))]
    else:
        raise unknown("mutation scheme", scheme, MUTATION_SCHEMES)
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
