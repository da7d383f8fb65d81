"""Isomorphism classes: our canonical form reproduces NB201's UniqueString grouping."""

import csv

import numpy as np
import pytest

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.space import codec
from nasbench_suite.space.isomorphism import canonical_form, class_ids


@pytest.fixture(scope="module")
def upstream(raw_dir):
    with open(raw_dir / "nats-bench-landscape/nats_bench.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ops = np.array([codec.parse_arch(r["ArchitectureString"]) for r in rows])
    return ops, [r["UniqueString"] for r in rows]


def test_6466_classes_equal_to_upstream_grouping(upstream):
    ops, unique = upstream
    ours = class_ids(ops, "nb201")
    assert len(set(ours.tolist())) == 6466
    # same partition: each of our classes maps to exactly one upstream class and vice versa
    pairs = set(zip(ours.tolist(), unique))
    assert len(pairs) == 6466 == len(set(unique))


def test_functional_classes_are_coarser(upstream):
    ops, _ = upstream
    nb201 = class_ids(ops, "nb201")
    func = class_ids(ops, "functional")
    assert len(set(func.tolist())) == 4930
    assert len(set(zip(nb201.tolist(), func.tolist()))) == 6466  # every nb201 class in one functional


def test_store_classes_are_smallest_index_of_class(store, upstream):
    ops, _ = upstream
    iso = store.columns["iso_class"]
    assert np.array_equal(iso, class_ids(ops))
    assert np.all(iso <= np.arange(len(iso)))
    assert np.all(iso[iso] == iso)


def test_known_equivalences():
    conv, skip, none, pool = 3, 1, 0, 4
    # conv on edge 0->3 is all both cells compute; the second also skips a zero node into 3
    only_conv = (none, none, none, conv, none, none)
    zero_skip = (none, none, none, conv, none, skip)
    assert canonical_form(only_conv, "functional") == canonical_form(zero_skip, "functional")
    assert canonical_form(only_conv) != canonical_form(zero_skip)  # NB201 keeps the zero term
    # a pooled dead branch is a zero term in both forms
    dead_pool = (pool, none, none, conv, none, none)
    assert canonical_form(only_conv) == canonical_form(dead_pool)
    # conv(x) + pool(x) reached through nodes 1 and 2 in either order: the same function, but
    # NB201 joins node 2's zero term before sorting, so its grouping keeps them apart
    a = (conv, pool, none, none, skip, skip)
    b = (pool, conv, none, none, skip, skip)
    assert canonical_form(a, "functional") == canonical_form(b, "functional")
    assert canonical_form(a) != canonical_form(b)
    # two parallel edges into the output commute in both forms
    c = (none, none, none, conv, pool, none)
    d = (pool, none, none, none, none, none)
    assert canonical_form(c) != canonical_form(d)
    assert canonical_form((conv, pool, none, pool, none, none)) == canonical_form(
        (pool, conv, none, pool, none, none)
    )
    assert canonical_form((none,) * 6, "functional") == "0"


def test_unknown_rule():
    with pytest.raises(UnknownNameError, match="known: nb201, functional"):
        canonical_form((0,) * 6, "graph")
