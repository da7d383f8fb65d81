"""Vectorised feature encodings of DARTS configurations (rows of :class:`DartsSpace` configs).

* ``one_hot``: one block per dimension of the space (pair, op_a, op_b per node and cell),
  2 x (1 + 3 + 6 + 10 + 8 x 7) = 152 columns. Every dimension is always active.
* ``edge_one_hot``: NAS-Bench-301's ConfigSpace layout, one 7-wide op block per edge (cell x
  14 edges, edge ``EDGE_START[k] + input`` of node k); an edge the node's input pair does not
  choose is inactive and stays all zero: 2 x 14 x 7 = 196 columns, 16 ones per row.
* ``adjacency``: per cell an operations-on-nodes DAG of :data:`N_GRAPH` = 11 nodes,
  ``[c_{k-2}, c_{k-1}, op nodes (node 2 a, node 2 b, node 3 a, ..., node 5 b), output]``. An op
  node has an edge from its input: from input node 0 / 1, or from both op nodes of the
  intermediate node it reads (that node's state is their sum); every op node feeds the output
  (DARTS concatenates states 2..5). Row features, :data:`N_FEATURES` = 10 columns:
  ``[is c_{k-2}, is c_{k-1}, is output, one-hot of the 7 ops]``. Per cell the flattened 11 x 11
  adjacency (row = source) then the flattened 11 x 10 features; normal cell first:
  2 x (121 + 110) = 462 columns.
"""

from __future__ import annotations

import numpy as np

from nasbench_suite.spaces._darts_cells import (
    CELLS,
    DIMS_PER_CELL,
    EDGE_START,
    N_EDGES,
    N_NODES,
    OPS,
    PAIRS,
)

N_GRAPH = 2 + 2 * N_NODES + 1
N_FEATURES = 3 + len(OPS)
#: Lower / higher input of pair choice p of node k, padded to 10 choices.
PAIR_LO = np.array([[p[0] for p in PAIRS[k]] + [0] * (10 - len(PAIRS[k]))
                    for k in range(N_NODES)], dtype=np.int64)
PAIR_HI = np.array([[p[1] for p in PAIRS[k]] + [0] * (10 - len(PAIRS[k]))
                    for k in range(N_NODES)], dtype=np.int64)


def _node(cfgs: np.ndarray, c: int, k: int) -> tuple[np.ndarray, ...]:
    """(lower input, higher input, op_a, op_b) columns of node k of cell c."""
    base = c * DIMS_PER_CELL + 3 * k
    p = cfgs[:, base]
    return PAIR_LO[k][p], PAIR_HI[k][p], cfgs[:, base + 1], cfgs[:, base + 2]


def one_hot(cfgs: np.ndarray, radix: np.ndarray) -> np.ndarray:
    """One block per dimension, (n, 152)."""
    offsets = np.concatenate([[0], np.cumsum(radix)[:-1]])
    out = np.zeros((len(cfgs), int(radix.sum())), dtype=np.float64)
    rows = np.arange(len(cfgs))[:, None]
    out[rows, offsets[None, :] + cfgs] = 1.0
    return out


def edge_one_hot(cfgs: np.ndarray) -> np.ndarray:
    """NAS-Bench-301 edge layout, inactive edges zero, (n, 196)."""
    width = N_EDGES * len(OPS)
    out = np.zeros((len(cfgs), len(CELLS) * width), dtype=np.float64)
    rows = np.arange(len(cfgs))
    for c in range(len(CELLS)):
        for k in range(N_NODES):
            lo, hi, oa, ob = _node(cfgs, c, k)
            out[rows, c * width + (EDGE_START[k] + lo) * len(OPS) + oa] = 1.0
            out[rows, c * width + (EDGE_START[k] + hi) * len(OPS) + ob] = 1.0
    return out


def adjacency_matrices(cfgs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Adjacency (n, 2, 11, 11) and node features (n, 2, 11, 10) of each configuration."""
    n = len(cfgs)
    adj = np.zeros((n, len(CELLS), N_GRAPH, N_GRAPH), dtype=np.float64)
    feat = np.zeros((n, len(CELLS), N_GRAPH, N_FEATURES), dtype=np.float64)
    rows = np.arange(n)
    feat[:, :, 0, 0] = 1.0
    feat[:, :, 1, 1] = 1.0
    feat[:, :, N_GRAPH - 1, 2] = 1.0
    adj[:, :, 2:N_GRAPH - 1, N_GRAPH - 1] = 1.0
    for c in range(len(CELLS)):
        for k in range(N_NODES):
            lo, hi, oa, ob = _node(cfgs, c, k)
            for j, (src, op) in enumerate(((lo, oa), (hi, ob))):
                target = 2 + 2 * k + j
                feat[rows, c, target, 3 + op] = 1.0
                direct = src < 2
                adj[rows[direct], c, src[direct], target] = 1.0
                via = ~direct
                first = 2 + 2 * (src[via] - 2)
                adj[rows[via], c, first, target] = 1.0
                adj[rows[via], c, first + 1, target] = 1.0
    return adj, feat


def adjacency(cfgs: np.ndarray) -> np.ndarray:
    """Flattened per-cell adjacency then features, (n, 462)."""
    adj, feat = adjacency_matrices(cfgs)
    n = len(cfgs)
    blocks = [np.concatenate([adj[:, c].reshape(n, -1), feat[:, c].reshape(n, -1)], axis=1)
              for c in range(len(CELLS))]
    return np.concatenate(blocks, axis=1)
