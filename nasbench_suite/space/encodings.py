"""Fixed-length encodings of cells for predictors and kernels.

All functions accept an op tuple (6,) or a batch (n, 6) and return float32 arrays; a batch input
gives a leading batch axis.

* :func:`one_hot`: (30,) one-hot op per edge, edge-major.
* :func:`adjacency_ops`: the edges-as-nodes DAG used by graph predictors: 8 nodes (input, the six
  edge ops in arch-string order, output); adjacency (8, 8) with the links of ``none`` edges removed,
  and node features (8, 7) one-hot over ``[input, output, *OPS]``.
* :func:`path_encoding`: BANANAS path encoding (White et al., 2021): one bit per possible
  input-to-output path labelled by its op sequence. Paths run 0->3, 0->1->3, 0->2->3 and
  0->1->2->3; a ``none`` edge breaks a path. Labels are op sequences over the 4 non-zero ops, and
  the two length-2 routes share labels as in BANANAS: 4 + 16 + 64 = 84 bits.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from nasbench_suite.space.codec import EDGES, N_EDGES, N_OPS, OPS

_ROUTES = ((3,), (0, 4), (1, 5), (0, 2, 5))  # edge ids along each input->output route
_LIVE_OPS = tuple(range(1, N_OPS))  # every op but none
_PATH_INDEX = {
    seq: i
    for i, seq in enumerate(
        s for length in (1, 2, 3) for s in product(_LIVE_OPS, repeat=length)
    )
}
PATH_DIM = len(_PATH_INDEX)  # 84
ONE_HOT_DIM = N_EDGES * N_OPS  # 30


def _batch(ops) -> tuple[np.ndarray, bool]:
    arr = np.asarray(ops, dtype=np.int64)
    single = arr.ndim == 1
    arr = np.atleast_2d(arr)
    if arr.shape[1] != N_EDGES or arr.min(initial=0) < 0 or arr.max(initial=0) >= N_OPS:
        raise ValueError(f"expected op tuples of shape (6,) or (n, 6) with ops in 0..4, got {arr.shape}")
    return arr, single


def one_hot(ops) -> np.ndarray:
    """One-hot op per edge, shape (30,) or (n, 30)."""
    arr, single = _batch(ops)
    out = np.zeros((len(arr), N_EDGES, N_OPS), dtype=np.float32)
    np.put_along_axis(out, arr[:, :, None], 1.0, axis=2)
    out = out.reshape(len(arr), ONE_HOT_DIM)
    return out[0] if single else out


def path_encoding(ops) -> np.ndarray:
    """BANANAS path encoding, shape (84,) or (n, 84)."""
    arr, single = _batch(ops)
    out = np.zeros((len(arr), PATH_DIM), dtype=np.float32)
    for row, cell in enumerate(arr):
        for route in _ROUTES:
            seq = tuple(int(cell[e]) for e in route)
            if 0 not in seq:
                out[row, _PATH_INDEX[seq]] = 1.0
    return out[0] if single else out


def adjacency_ops(ops) -> tuple[np.ndarray, np.ndarray]:
    """Edges-as-nodes DAG: adjacency (8, 8) and node features (8, 7), batched if (n, 6)."""
    arr, single = _batch(ops)
    n = len(arr)
    adj = np.zeros((n, N_EDGES + 2, N_EDGES + 2), dtype=np.float32)
    feats = np.zeros((n, N_EDGES + 2, 2 + len(OPS)), dtype=np.float32)
    feats[:, 0, 0] = 1.0
    feats[:, -1, 1] = 1.0
    for row, cell in enumerate(arr):
        for e, (src, dst) in enumerate(EDGES):
            feats[row, e + 1, 2 + cell[e]] = 1.0
            if cell[e] == 0:
                continue
            for p, (_, pdst) in enumerate(EDGES):  # edges ending where e starts feed e
                if pdst == src and cell[p] != 0:
                    adj[row, p + 1, e + 1] = 1.0
            if src == 0:
                adj[row, 0, e + 1] = 1.0
            if dst == 3:
                adj[row, e + 1, -1] = 1.0
    return (adj[0], feats[0]) if single else (adj, feats)
