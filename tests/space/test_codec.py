"""Codecs: arch string <-> op tuple <-> code <-> NB201 index, on all 15,625 cells."""

import numpy as np
import pytest

from nasbench_suite.errors import ArchError
from nasbench_suite.space import codec


def test_all_cells_round_trip_through_every_codec(store):
    imap = store.index_map
    seen = set()
    for index in range(codec.N_CELLS):
        arch = imap.arch_str(index)
        ops = codec.parse_arch(arch)
        assert codec.to_arch_str(ops) == arch
        assert codec.code_to_ops(codec.ops_to_code(ops)) == ops
        assert imap.index(arch) == index
        assert imap.index(ops) == index
        seen.add(arch)
    assert len(seen) == codec.N_CELLS


def test_index_order_is_the_official_one(store, raw_dir):
    import csv

    with open(raw_dir / "nats-bench-landscape/nats_bench.csv", newline="") as handle:
        archs = [row["ArchitectureString"] for row in csv.DictReader(handle)]
    assert [store.index_map.arch_str(i) for i in (0, 1, 15624)] == [archs[0], archs[1], archs[15624]]
    assert store.index_map.index(archs[6111]) == 6111


def test_vectorised_codes_match_scalar():
    codes = np.arange(codec.N_CELLS)
    table = codec.codes_to_ops(codes)
    assert table.shape == (15625, 6)
    assert all(tuple(table[c]) == codec.code_to_ops(c) for c in (0, 1, 5, 3124, 15624))


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ("|nor_conv_3x3~0|+|none~0|", "expected 3 node groups"),
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown operation 'conv'"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "must come from 0"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "needs 2 incoming edges"),
        ("none~0+none~0|none~1+x", "malformed node"),
        ("", "expected 3 node groups"),
    ],
)
def test_malformed_strings_say_what_is_wrong(bad, fragment):
    with pytest.raises(ArchError, match=fragment):
        codec.parse_arch(bad)


@pytest.mark.parametrize("bad", [(0, 1, 2), (0, 1, 2, 3, 4, 5), ("a",) * 6, None])
def test_bad_op_tuples(bad):
    with pytest.raises(ArchError):
        codec.check_ops(bad)


@pytest.mark.parametrize("bad", [-1, 15625, 2.5, True])
def test_bad_indices(bad, store):
    with pytest.raises(ArchError):
        store.index_map.index(bad)


def test_index_strings_are_accepted(store):
    assert store.index_map.index("123") == 123
