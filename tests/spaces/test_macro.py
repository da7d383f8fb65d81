"""The NAS-Bench-Macro search space: codec, sampling, local moves, aliases (no data needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nasbench_suite.errors import ArchError, UnknownNameError
from nasbench_suite.spaces.base import SearchSpace, create_space, list_spaces
from nasbench_suite.spaces.macro import CHOICES, N_CLASSES, canonical_string


@pytest.fixture(scope="module")
def space():
    return create_space("nb-macro")


def test_registered_with_eight_layers_of_three_blocks(space):
    assert "nb-macro" in list_spaces()
    assert space.size == 6561 and len(space.dims) == 8
    assert all(d.choices == ("id", "ir_3x3_t3", "ir_5x5_t6") == CHOICES for d in space.dims)
    assert space.enumerable


def test_id_is_the_string_read_in_base_3_first_layer_most_significant(space):
    strings = ["".join(p) for p in itertools.product("012", repeat=8)]  # lexicographic
    assert [space.to_str(i) for i in range(space.size)] == strings
    assert all(space.parse(s) == i for i, s in enumerate(strings))
    assert space.parse("22212220") == 2 * 3**7 + 2 * 3**6 + 2 * 3**5 + 3**4 + 2 * 27 + 2 * 9 + 2 * 3 == 6477
    assert space.config(space.parse("01200000")) == (0, 1, 2, 0, 0, 0, 0, 0)


def test_configs_and_ids_round_trip_vectorised(space):
    ids = np.arange(space.size)
    cfgs = space.configs(ids)
    assert cfgs.shape == (6561, 8)
    assert np.array_equal(space.ids_of(cfgs), ids)
    assert all(space.id_of(space.config(i)) == i for i in range(0, 6561, 97))
    assert space.index(tuple(cfgs[100])) == 100 and space.index(np.int64(7)) == 7


def test_parse_accepts_block_names(space):
    assert space.parse("|".join(["ir_5x5_t6"] * 8)) == 6560
    assert space.parse(space.to_str(6477)) == 6477


@pytest.mark.parametrize("bad", ["2221222", "222122200", "22212223", "abcdefgh", "", "2221222 "])
def test_malformed_strings_fail_clearly(space, bad):
    with pytest.raises(ArchError, match="nb-macro"):
        space.parse(bad)


def test_bad_ids_and_configs_fail(space):
    for bad in (-1, 6561):
        with pytest.raises(ArchError):
            space.config(bad)
    for bad in ((0,) * 7, (0,) * 7 + (3,), (0,) * 7 + (-1,)):
        with pytest.raises(ArchError):
            space.id_of(bad)
    with pytest.raises(ArchError):
        space.canonical([6561])
    with pytest.raises(ArchError):
        space.ids_of(np.full((2, 8), 3))
    with pytest.raises(UnknownNameError):
        space.parse("id|id|id|id|id|id|id|conv")


def test_sampling_is_seeded_and_uniform_enough(space):
    a = space.sample(np.random.default_rng(3), 5000)
    b = space.sample(np.random.default_rng(3), 5000)
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() < 6561
    assert len(np.unique(a)) > 3000  # not stuck on a few ids
    assert isinstance(space.sample(np.random.default_rng(0)), int)


def test_neighbours_change_exactly_one_layer(space):
    for i in (0, 6560, 6477, 1234):
        nb = space.neighbours(i)
        assert len(nb) == len(set(nb)) == 16
        assert sorted(nb) == sorted(SearchSpace.neighbours(space, i))  # the generic definition
        base = space.configs([i])[0]
        assert all((space.configs([j])[0] != base).sum() == 1 for j in nb)


def test_mutation_is_seeded_and_a_neighbour(space):
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    walk1 = [space.mutate(100, r1) for _ in range(50)]
    walk2 = [space.mutate(100, r2) for _ in range(50)]
    assert walk1 == walk2 and set(walk1) <= set(space.neighbours(100)) and len(set(walk1)) > 5


def test_one_hot_encoding(space):
    enc = space.encode([0, 6560, 6477])
    assert enc.shape == (3, 24) and np.array_equal(enc.sum(axis=1), [8, 8, 8])
    assert np.array_equal(enc[0].reshape(8, 3).argmax(1), [0] * 8)
    assert np.array_equal(enc[2].reshape(8, 3).argmax(1), [2, 2, 2, 1, 2, 2, 2, 0])


@pytest.mark.parametrize("arch, expected", [
    ("00001000", "00010000"),  # stage 2 (layers 2-4): identity moved behind the block
    ("00000102", "00000120"),  # stage 3 (layers 5-7): order of the blocks is kept
    ("00000201", "00000210"),
    ("00000012", "00000012"),  # already canonical
    ("00100000", "00100000"),  # a stage's first layer (stride 2) never moves
    ("10000000", "10000000"),  # stage 1 has one movable layer: nothing to move
    ("02012100", "02012100"),
])
def test_canonical_moves_identities_behind_blocks_inside_stages(space, arch, expected):
    assert canonical_string(arch) == expected
    assert space.to_str(int(space.canonical(space.parse(arch))[0])) == expected


def test_canonical_classes(space):
    canon = space.canonical(np.arange(space.size))
    assert len(np.unique(canon)) == N_CLASSES == 3 * 3 * 7 * 3 * 7 * 3  # 3x3 * (3x7) * (3x7)
    assert np.array_equal(space.canonical(canon), canon)  # idempotent
    assert all(space.to_str(int(c)) == canonical_string(space.to_str(i))
               for i, c in enumerate(canon))


def test_describe_documents_the_notation(space):
    info = space.describe()
    assert info["size"] == 6561 and info["canonical_classes"] == 3969
    assert "base-3" in info["notation"]
