"""Encodings: one-hot, edges-as-nodes adjacency, BANANAS path encoding."""

import numpy as np
import pytest

from nasbench_suite.space import adjacency_ops, one_hot, path_encoding
from nasbench_suite.space.encodings import PATH_DIM

NONE, SKIP, C1, C3, POOL = range(5)


def test_one_hot_shape_and_content():
    enc = one_hot((C3, SKIP, NONE, POOL, C1, C3))
    assert enc.shape == (30,) and enc.sum() == 6
    assert enc[0 * 5 + C3] == 1 and enc[2 * 5 + NONE] == 1
    assert one_hot(np.zeros((4, 6), dtype=int)).shape == (4, 30)


def test_path_encoding_counts_live_paths():
    assert PATH_DIM == 84
    assert path_encoding((NONE,) * 6).sum() == 0
    assert path_encoding((C3,) * 6).sum() == 3  # 4 routes, the two length-2 share a label
    direct_only = (NONE, NONE, NONE, C3, NONE, NONE)
    assert path_encoding(direct_only).sum() == 1
    # breaking edge 1->2 removes only the length-3 path
    full = (C3, C1, POOL, SKIP, C3, C1)
    broken = (C3, C1, NONE, SKIP, C3, C1)
    assert path_encoding(full).sum() == 4 and path_encoding(broken).sum() == 3


def test_path_encoding_distinguishes_isomorphic_classes(space, store):
    enc = space.encode(np.arange(15625), "path")
    assert enc.shape == (15625, 84)
    # all cells in the same functional class share a path encoding only if they compute the same
    assert len({row.tobytes() for row in enc}) > 1000


def test_adjacency_removes_none_links():
    adj, feats = adjacency_ops((C3, C3, C3, C3, C3, C3))
    assert adj.shape == (8, 8) and feats.shape == (8, 7)
    assert adj[0, 1] == 1 and adj[1, 3] == 1  # input -> edge 0->1 -> edge 1->2
    adj2, _ = adjacency_ops((NONE, C3, C3, C3, C3, C3))
    assert adj2[0, 1] == 0 and adj2[1].sum() == 0
    assert np.all(feats.sum(axis=1) == 1)


def test_bad_input_shape():
    with pytest.raises(ValueError):
        one_hot((1, 2, 3))
