"""The ``nb201`` space behind the seam: codec, extras and the generic base methods agree."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import ArchError, NasBenchError
from nasbench_suite.space.codec import parse_arch
from nasbench_suite.spaces import SearchSpace, create_space, list_spaces
from nasbench_suite.spaces.nb201 import NB201Space


def test_registered_and_old_name_is_an_alias(space):
    from nasbench_suite.space import SearchSpace as OldSpace
    from nasbench_suite.space.searchspace import SearchSpace as OldSpace2

    assert "nb201" in list_spaces()
    assert OldSpace is OldSpace2 is NB201Space
    assert isinstance(space, SearchSpace) and space.name == "nb201"


def test_create_space_needs_no_data_until_a_codec_call(store):
    space = create_space("nb201")
    assert space._index_map is None  # dims, size and encodings are static
    assert space.size == 15625 and len(space.dims) == 6 and space.enumerable
    assert [d.size for d in space.dims] == [5] * 6
    assert space.config(0) == tuple(store.index_map.ops(0))


def test_codec_round_trips_on_every_index(space):
    ids = np.arange(space.size)
    configs = space.configs(ids)
    assert configs.shape == (15625, 6)
    assert np.array_equal(space.ids_of(configs), ids)
    for i in (0, 1, 777, 15624):
        assert space.id_of(space.config(i)) == i
        assert space.parse(space.to_str(i)) == i == space.index(space.to_str(i))
        assert space.config(i) == parse_arch(space.to_str(i))
    with pytest.raises(ArchError):
        space.config(15625)
    with pytest.raises(ArchError):
        space.ids_of(np.array([[0, 0, 0, 0, 0, 5]]))


def test_neighbours_equal_the_generic_definition(space):
    for i in (0, 123, 9999):
        assert space.neighbours(i) == SearchSpace.neighbours(space, i)
        assert len(space.neighbours(i)) == 24


def test_mutation_keeps_the_nb201_rng_consumption(space):
    """Edge, then a different op (two draws), as REA always did; differs from the generic one."""
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    child = space.mutate(42, a)
    edge = int(b.integers(6))
    ops = space.config(42)
    op = int(b.choice([o for o in range(5) if o != ops[edge]]))
    assert child == space.id_of(ops[:edge] + (op,) + ops[edge + 1 :])
    assert a.integers(1 << 30) == b.integers(1 << 30)


def test_one_hot_matches_the_generic_encoding(space):
    ids = np.array([0, 5, 15624])
    assert np.array_equal(space.encode(ids), SearchSpace.encode(space, ids).astype(np.float32))
    assert space.encode(ids, "path").shape == (3, 84)
    assert np.array_equal(space.encode(ids, "ops"), space.configs(ids))
    with pytest.raises(NasBenchError, match="one_hot, path, ops"):
        space.encode(ids, "adjacency")


def test_canonical_is_the_store_iso_class(space, store):
    canon = space.canonical(np.arange(space.size))
    assert np.array_equal(canon, store.columns["iso_class"])
    assert len(np.unique(canon)) == 6466


def test_describe_is_json_ready(space):
    info = space.describe()
    assert info["name"] == "nb201" and info["size"] == 15625
    assert info["encodings"] == ["one_hot", "path", "ops"]
    assert info["dims"][3] == {"name": "edge 0->3", "choices": list(info["dims"][0]["choices"])}
