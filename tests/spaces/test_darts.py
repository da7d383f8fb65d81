"""The DARTS search space: codecs, DARTS-V2 round trips, valid moves, encodings."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import ArchError, NasBenchError
from nasbench_suite.spaces._darts_cells import CS_PREFIX, PAIRS, parse_genotype
from nasbench_suite.spaces._darts_encode import adjacency_matrices
from nasbench_suite.spaces.base import create_space, list_spaces
from nasbench_suite.spaces.darts import DARTS_V2, OPS, DartsSpace

#: DARTS-V2 with each node's entries listed lower input first (the canonical order).
DARTS_V2_CANONICAL = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('max_pool_3x3', 1), ('skip_connect', 2)], reduce_concat=[2, 3, 4, 5])"
)


@pytest.fixture(scope="module")
def space() -> DartsSpace:
    return create_space("darts")


@pytest.fixture(scope="module")
def ids(space):
    return space.sample(np.random.default_rng(0), 300)


def test_registered_and_sized(space):
    assert "darts" in list_spaces()
    assert space.size == (1 * 3 * 6 * 10 * 7 ** 8) ** 2
    assert space.size < 2 ** 63
    assert not space.enumerable
    assert [d.size for d in space.dims[:6]] == [1, 7, 7, 3, 7, 7]
    assert space.config(0) == (0,) * 24
    assert space.config(space.size - 1) == tuple(d.size - 1 for d in space.dims)
    with pytest.raises(ArchError):
        space.config(space.size)


def test_darts_v2_round_trips_every_codec(space):
    arch_id = space.parse(DARTS_V2)
    # genotype -> config -> id -> genotype
    cfg = space.config(arch_id)
    assert space.id_of(cfg) == arch_id
    assert space.to_str(arch_id) == DARTS_V2_CANONICAL
    assert space.parse(space.to_str(arch_id)) == arch_id
    # id -> ConfigSpace dict -> id
    cs = space.to_configspace(arch_id)
    assert space.from_configspace(cs) == arch_id
    colon = {k.replace("_COLON_", ":"): v for k, v in cs.items()}
    assert space.from_configspace(colon) == arch_id
    # vectorised codecs agree
    assert space.ids_of(space.configs([arch_id]))[0] == arch_id
    # the same cell as a multiset of (op, input) per node
    original = parse_genotype(DARTS_V2)
    back = parse_genotype(space.to_str(arch_id))
    for cell in ("normal", "reduce"):
        for k in range(4):
            assert sorted(original[cell][2 * k: 2 * k + 2]) == sorted(back[cell][2 * k: 2 * k + 2])


def test_darts_v2_node_order_maps_ops_to_their_inputs(space):
    """Normal node 4 lists ('sep_conv_3x3', 1), ('skip_connect', 0): pair 0_1 with op_a (input 0)
    skip_connect and op_b (input 1) sep_conv_3x3."""
    cfg = space.config(space.parse(DARTS_V2))
    names = [d.name for d in space.dims]
    node4 = names.index("normal_node4_inputs")
    assert space.dims[node4].choices[cfg[node4]] == "0_1"
    assert OPS[cfg[node4 + 1]] == "skip_connect"
    assert OPS[cfg[node4 + 2]] == "sep_conv_3x3"
    cs = space.to_configspace(space.parse(DARTS_V2))
    # NAS-Bench-301 edges of node 4 are 5 + input
    assert cs[f"{CS_PREFIX}edge_normal_5"] == "skip_connect"
    assert cs[f"{CS_PREFIX}edge_normal_6"] == "sep_conv_3x3"
    assert cs[f"{CS_PREFIX}inputs_node_normal_4"] == "0_1"
    assert f"{CS_PREFIX}edge_normal_7" not in cs
    # swapping a node's two entries names the same cell
    swapped = DARTS_V2.replace("('sep_conv_3x3', 1), ('skip_connect', 0)",
                               "('skip_connect', 0), ('sep_conv_3x3', 1)")
    assert swapped != DARTS_V2 and space.parse(swapped) == space.parse(DARTS_V2)


def test_random_round_trips(space, ids):
    for i in ids[:100]:
        i = int(i)
        assert space.parse(space.to_str(i)) == i
        assert space.from_configspace(space.to_configspace(i)) == i
        assert space.id_of(space.config(i)) == i
        assert space.index(space.to_str(i)) == i


def test_vectorised_codec_matches_scalar(space, ids):
    cfgs = space.configs(ids)
    assert cfgs.shape == (len(ids), 24)
    assert [tuple(r) for r in cfgs.tolist()] == [space.config(int(i)) for i in ids]
    assert np.array_equal(space.ids_of(cfgs), ids)
    assert np.array_equal(space.ids_of(cfgs), [space.id_of(tuple(r)) for r in cfgs.tolist()])
    with pytest.raises(ArchError):
        space.ids_of(np.full((1, 24), 7))


@pytest.mark.parametrize("text", [
    "",
    "Genotype(normal=[('sep_conv_3x3', 0)])",
    DARTS_V2.replace("sep_conv_3x3", "conv_7x7", 1),
    DARTS_V2.replace("('sep_conv_3x3', 1), ('skip_connect', 0)", "('sep_conv_3x3', 0), "
                     "('skip_connect', 0)"),
    DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"),
    DARTS_V2.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 3]"),
    DARTS_V2 + "; import os",
    "__import__('os').system('true')",
    DARTS_V2.replace("('sep_conv_3x3', 0)", "('none', 0)", 1),
])
def test_malformed_genotypes_fail_clearly(space, text):
    with pytest.raises(ArchError):
        space.parse(text)


def test_parser_accepts_darts_variants(space):
    v2 = space.parse(DARTS_V2)
    assert space.parse(DARTS_V2.replace("'", '"')) == v2
    assert space.parse(DARTS_V2.replace("[2, 3, 4, 5]", "range(2, 6)")) == v2
    positional = DARTS_V2.replace("normal=", "").replace("normal_concat=", "") \
        .replace("reduce=", "").replace("reduce_concat=", "")
    assert space.parse(positional) == v2
    assert space.parse("  " + DARTS_V2.replace(", ", ",\n    ") + "\n") == v2


def test_configspace_dict_is_strict(space):
    cs = space.to_configspace(space.parse(DARTS_V2))
    bad = dict(cs)
    bad[f"{CS_PREFIX}edge_normal_7"] = "sep_conv_3x3"  # inactive under pair 0_1
    with pytest.raises(ArchError):
        space.from_configspace(bad)
    missing = dict(cs)
    del missing[f"{CS_PREFIX}edge_normal_6"]
    with pytest.raises(ArchError):
        space.from_configspace(missing)


def test_configspace_keys_are_those_of_the_shipped_config_space(space, ids):
    import json

    from nasbench_suite.benchmarks._nb301_model import default_dir

    doc = json.loads((default_dir() / "config_space_v2.json").read_text())
    choices = {h["name"]: h.get("choices") for h in doc["hyperparameters"]}
    conditions = {c["child"]: (c["parent"], set(c["values"])) for c in doc["conditions"]}
    for i in ids[:50]:
        cs = space.to_configspace(int(i))
        assert len(cs) == 2 * (8 + 3)
        for key, value in cs.items():
            assert value in choices[key]
            if key in conditions:  # an active edge: its condition holds
                parent, values = conditions[key]
                assert cs[parent] in values
        # and every edge whose condition holds is present
        for child, (parent, values) in conditions.items():
            assert (child in cs) == (cs[parent] in values)


def test_sampling_is_seeded_and_covers_choices(space):
    a = space.sample(np.random.default_rng(7), 2000)
    b = space.sample(np.random.default_rng(7), 2000)
    assert np.array_equal(a, b)
    assert a.dtype == np.int64 and a.min() >= 0 and a.max() < space.size
    cfgs = space.configs(a)
    for d, dim in enumerate(space.dims):
        counts = np.bincount(cfgs[:, d], minlength=dim.size)
        assert (counts > 0).all()  # every choice of every dimension drawn
        assert counts.min() > 0.5 * len(a) / dim.size
    assert isinstance(space.sample(np.random.default_rng(1)), int)


def _valid(space, arch_id):
    space.parse(space.to_str(arch_id))  # raises unless a valid DARTS cell
    return space.from_configspace(space.to_configspace(arch_id)) == arch_id


def _changes(space, a, b):
    ga, gb = parse_genotype(space.to_str(a)), parse_genotype(space.to_str(b))
    diff = 0
    for cell in ("normal", "reduce"):
        for k in range(4):
            sa = set(ga[cell][2 * k: 2 * k + 2])
            sb = set(gb[cell][2 * k: 2 * k + 2])
            diff += len(sa - sb)
    return diff


def test_neighbours_are_valid_single_changes(space, ids):
    for i in ids[:20]:
        i = int(i)
        nbrs = space.neighbours(i)
        assert i not in nbrs and len(nbrs) == len(set(nbrs))
        # 2 cells x 8 edges x 6 other ops, plus input moves (node k: 2 x k choices)
        assert len(nbrs) == 2 * 8 * 6 + 2 * sum(2 * k for k in range(4))
        for n in nbrs:
            assert _valid(space, n)
            assert _changes(space, i, n) == 1


def test_input_move_keeps_op_with_edge(space):
    v2 = space.parse(DARTS_V2)
    g = parse_genotype(space.to_str(v2))
    # normal node 5 = ('skip_connect', 0), ('dil_conv_3x3', 2): move input 0 -> 3
    target = {("skip_connect", 3), ("dil_conv_3x3", 2)}
    found = [n for n in space.neighbours(v2)
             if set(parse_genotype(space.to_str(n))["normal"][6:8]) == target]
    assert len(found) == 1
    assert parse_genotype(space.to_str(found[0]))["normal"][:6] == g["normal"][:6]


def test_mutation_is_seeded_valid_and_a_neighbour(space, ids):
    i = int(ids[0])
    nbrs = set(space.neighbours(i))
    a = [space.mutate(i, np.random.default_rng(3)) for _ in range(3)]
    assert len(set(a)) == 1
    rng = np.random.default_rng(4)
    seen = set()
    for _ in range(200):
        m = space.mutate(i, rng)
        assert m != i and m in nbrs and _valid(space, m)
        seen.add(m)
    assert len(seen) > 50


def test_one_hot_encoding(space, ids):
    x = space.encode(ids, "one_hot")
    assert x.shape == (len(ids), 152)
    assert (x.sum(1) == 24).all()
    assert np.array_equal(x, DartsSpace.__mro__[1].encode(space, ids, "one_hot"))


def test_edge_one_hot_respects_activity(space, ids):
    x = space.encode(ids, "edge_one_hot").reshape(len(ids), 2, 14, 7)
    assert (x.sum(axis=(1, 2, 3)) == 16).all()
    for r, i in enumerate(ids[:50]):
        cs = space.to_configspace(int(i))
        for c, cell in enumerate(("normal", "reduce")):
            for e in range(14):
                key = f"{CS_PREFIX}edge_{cell}_{e}"
                if key in cs:
                    assert x[r, c, e, OPS.index(cs[key])] == 1
                else:
                    assert x[r, c, e].sum() == 0


def test_adjacency_encoding(space, ids):
    x = space.encode(ids, "adjacency")
    assert x.shape == (len(ids), 462)
    adj, feat = adjacency_matrices(space.configs(ids))
    assert adj.shape == (len(ids), 2, 11, 11) and feat.shape == (len(ids), 2, 11, 10)
    assert np.allclose(np.triu(adj, 1), adj)  # a DAG in topological order
    assert (feat.sum(-1) == 1).all()
    # each op node has one input edge from an input node or two from a previous node
    indeg = adj[:, :, :, 2:10].sum(2)
    assert set(np.unique(indeg)) <= {1.0, 2.0}
    assert (adj[:, :, 2:10, 10] == 1).all()
    v2 = space.parse(DARTS_V2)
    a, f = adjacency_matrices(space.configs([v2]))
    # normal node 5: ('skip_connect', 0) and ('dil_conv_3x3', 2): op nodes 8 and 9
    assert a[0, 0, 0, 8] == 1 and a[0, 0, 2, 9] == 1 and a[0, 0, 3, 9] == 1
    assert f[0, 0, 9, 3 + OPS.index("dil_conv_3x3")] == 1
    with pytest.raises(NasBenchError):
        space.encode(ids, "path")


def test_pairs_follow_configspace_order():
    assert PAIRS[3] == ((0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 3), (2, 4),
                        (3, 4))
