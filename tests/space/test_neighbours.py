"""Neighbourhoods, mutation and seeded sampling."""

import numpy as np

from nasbench_suite.space import hamming, mutate, neighbours, sample_indices, sample_ops


def test_neighbours_are_all_single_edge_mutations():
    cell = (3, 1, 0, 2, 4, 3)
    near = neighbours(cell)
    assert len(near) == 24 == len(set(near))
    assert all(hamming(cell, n) == 1 for n in near)
    assert cell not in near


def test_space_neighbours_map_to_indices(space):
    near = space.neighbours(6111)
    assert len(set(near)) == 24 and 6111 not in near
    assert all(hamming(space.ops(6111), space.ops(i)) == 1 for i in near)


def test_mutation_changes_exactly_one_edge_and_is_seeded():
    cell = (0,) * 6
    a = [mutate(cell, np.random.default_rng(3)) for _ in range(3)]
    b = [mutate(cell, np.random.default_rng(3)) for _ in range(3)]
    assert a == b and all(hamming(cell, m) == 1 for m in a)


def test_sampling_is_seeded_and_uniform():
    x = sample_indices(np.random.default_rng(0), 200_000)
    y = sample_indices(np.random.default_rng(0), 200_000)
    assert np.array_equal(x, y)
    counts = np.bincount(sample_ops(np.random.default_rng(1), 50_000).ravel(), minlength=5)
    assert np.all(np.abs(counts / counts.sum() - 0.2) < 0.01)
    assert len(np.unique(sample_indices(np.random.default_rng(2), 15625, replace=False))) == 15625
