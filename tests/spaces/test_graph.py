"""NAS-Bench-Graph space: canonicalisation against the package's own hashing, codec, moves."""

from __future__ import annotations

import contextlib
import io
import itertools

import numpy as np
import pytest

from nasbench_suite.errors import ArchError, UnknownNameError
from nasbench_suite.spaces.base import create_space, list_spaces
from nasbench_suite.spaces.graph import (
    LINKS,
    OPS,
    PROTEINS_OPS,
    canonical_hash,
    stored_hashes,
)

arch_mod = pytest.importorskip("nas_bench_graph.architecture")  # the package's own code


def _package_hash(link, ops) -> int:
    return arch_mod.Arch(list(link), [OPS[o] for o in ops]).valid_hash()


@pytest.fixture(scope="module")
def space():
    return create_space("nb-graph")


@pytest.fixture(scope="module")
def proteins():
    return create_space("nb-graph-proteins")


def test_registered_with_the_package_sizes(space, proteins):
    assert {"nb-graph", "nb-graph-proteins"} <= set(list_spaces())
    assert space.size == 26206 and proteins.size == 2021
    assert [d.name for d in space.dims] == ["links", "op1", "op2", "op3", "op4"]
    assert [d.size for d in space.dims] == [9, 9, 9, 9, 9]
    assert [d.size for d in proteins.dims] == [9, 5, 5, 5, 5]
    assert space.dims[1].choices == tuple(arch_mod.gnn_list)
    assert proteins.dims[1].choices == tuple(arch_mod.gnn_list_proteins)
    assert [list(lk) for lk in LINKS] == arch_mod.link_list


def test_stored_architectures_are_the_packages_all_archs():
    with contextlib.redirect_stdout(io.StringIO()):
        archs = arch_mod.all_archs()
    assert np.array_equal(stored_hashes(OPS), np.sort([a.hash_arch() for a in archs]))


@pytest.mark.slow
def test_canonical_hash_equals_valid_hash_on_every_input():
    """All 24 link lists x 9**4 op tuples: our canonicalisation is the package's, exactly."""
    stored = set(stored_hashes(OPS).tolist())
    proteins_stored = set(stored_hashes(PROTEINS_OPS).tolist())
    pcodes = [OPS.index(o) for o in PROTEINS_OPS]
    image = set()
    for link in itertools.product([0], [0, 1], [0, 1, 2], [0, 1, 2, 3]):
        for ops in itertools.product(range(len(OPS)), repeat=4):
            h = canonical_hash(link, ops)
            assert h == _package_hash(link, ops), (link, ops)
            image.add(h)
            if set(ops) <= set(pcodes) and h != 88888:
                assert h in proteins_stored
    assert image - stored == {88888}  # every input but all-skip lands on a stored architecture
    assert stored <= image


def test_id_of_maps_any_configuration_to_its_canonical_stored_id(space):
    rng = np.random.default_rng(0)
    for _ in range(300):
        link = (0, int(rng.integers(2)), int(rng.integers(3)), int(rng.integers(4)))
        ops = tuple(int(v) for v in rng.integers(len(OPS) - 1, size=4))
        i = space.id_of_arch(link, ops)
        assert space.hash_of_id(i) == _package_hash(link, ops)
        text = f"links=[{','.join(map(str, link))}];ops=[{','.join(OPS[o] for o in ops)}]"
        assert space.parse(text) == i
    # a configuration in the 9-pattern dims that is not canonical maps to its class
    cfg = (0, OPS.index("gcn"), OPS.index("gat"), OPS.index("gat"), OPS.index("gat"))
    i = space.id_of(cfg)
    assert space.config(i) == (0, 0, 0, 0, 1)  # ops of four parallel nodes are sorted
    assert space.canonical([i]).tolist() == [i]


def test_readme_example_is_hashed_like_the_package(space):
    text = "links=[0,1,2,1];ops=[gcn,gin,fc,cheb]"
    h = arch_mod.Arch([0, 1, 2, 1], ["gcn", "gin", "fc", "cheb"]).valid_hash()
    assert space.hash_of_id(space.parse(text)) == h
    # the package README calls [0,1,1,2] + [gcn,cheb,gin,fc] the same architecture; its own
    # hashing (and so ours) disagrees: the isomorphic ordering is [gcn,gin,cheb,fc]
    assert space.parse("links=[0,1,1,2];ops=[gcn,gin,cheb,fc]") == space.parse(text)
    assert space.parse("links=[0,1,1,2];ops=[gcn,cheb,gin,fc]") != space.parse(text)


def test_codec_round_trips_every_id(space, proteins):
    for sp in (space, proteins):
        cfgs = sp.configs(np.arange(sp.size))
        assert sp.ids_of(cfgs).tolist() == list(range(sp.size))
        for i in range(0, sp.size, 7):
            assert sp.parse(sp.to_str(i)) == i
            assert sp.index(sp.to_str(i)) == sp.index(i) == sp.index(list(sp.config(i))) == i
    assert space.to_str(0) == "links=[0,0,0,0];ops=[gat,gat,gat,gat]"


@pytest.mark.parametrize("text", [
    "links=[0,0,0];ops=[gcn,gcn,gcn,gcn]",
    "links=[0,2,0,0];ops=[gcn,gcn,gcn,gcn]",
    "links=[0,x,0,0];ops=[gcn,gcn,gcn,gcn]",
    "ops=[gcn,gcn,gcn,gcn]",
    "links=[0,1,2,3];ops=[skip,skip,skip,skip]",
    "",
])
def test_malformed_or_invalid_strings_are_rejected(space, text):
    with pytest.raises(ArchError):
        space.parse(text)


def test_unknown_ops_and_bad_configs(space, proteins):
    with pytest.raises(UnknownNameError, match="gat"):
        proteins.parse("links=[0,0,0,0];ops=[gat,gcn,gcn,gcn]")
    with pytest.raises(UnknownNameError, match="known: gat"):
        space.parse("links=[0,0,0,0];ops=[conv,gcn,gcn,gcn]")
    for bad in [(9, 0, 0, 0, 0), (0, 0, 0, 0), (0, 9, 0, 0, 0), (0, -1, 0, 0, 0)]:
        with pytest.raises(ArchError):
            space.id_of(bad)
    with pytest.raises(ArchError, match="all-skip"):
        space.id_of((8, 8, 8, 8, 8))
    for bad_id in (-1, space.size):
        with pytest.raises(ArchError):
            space.config(bad_id)
    with pytest.raises(ArchError):
        proteins.id_of((0, 5, 0, 0, 0))


def test_sampling_is_seeded_and_uniform_over_stored(space, proteins):
    a = space.sample(np.random.default_rng(3), 5000)
    b = space.sample(np.random.default_rng(3), 5000)
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() < space.size
    assert isinstance(space.sample(np.random.default_rng(3)), int)
    counts = np.bincount(proteins.sample(np.random.default_rng(0), 202100), minlength=2021)
    assert counts.min() > 50 and counts.max() < 160  # ~100 each: uniform over stored ids


def test_neighbours_and_mutation_stay_in_the_space(space, proteins):
    rng = np.random.default_rng(1)
    for sp in (space, proteins):
        for i in sp.sample(rng, 40).tolist():
            nbrs = sp.neighbours(i)
            assert nbrs and i not in nbrs and len(set(nbrs)) == len(nbrs)
            assert all(0 <= j < sp.size for j in nbrs)
            cfg = sp.config(i)
            one_change = set()
            for d, dim in enumerate(sp.dims):
                for c in range(dim.size):
                    with contextlib.suppress(ArchError):  # the all-skip architecture
                        one_change.add(sp.id_of(cfg[:d] + (c,) + cfg[d + 1:]))
            assert set(nbrs) == one_change - {i}
        m1 = [sp.mutate(i, np.random.default_rng(7)) for i in range(0, sp.size, 101)]
        m2 = [sp.mutate(i, np.random.default_rng(7)) for i in range(0, sp.size, 101)]
        assert m1 == m2 and all(a != i for a, i in zip(m1, range(0, sp.size, 101)))


def test_one_hot_encoding(space, proteins):
    enc = space.encode([0, 5, 26205])
    assert enc.shape == (3, 45) and (enc.sum(axis=1) == 5).all()
    assert proteins.encode(np.arange(10)).shape == (10, 29)
    assert space.describe()["size"] == 26206
