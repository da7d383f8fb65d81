"""The NAS-Bench-201 cell space: codecs, isomorphism, neighbourhoods, sampling, encodings.

These are the internals of the ``nb201`` space of the seam
(:class:`nasbench_suite.spaces.nb201.NB201Space`); ``SearchSpace`` is its old name, resolved
lazily so that this package and ``nasbench_suite.spaces`` can import each other.
"""

from nasbench_suite.space.codec import (
    EDGES,
    N_CELLS,
    N_EDGES,
    N_OPS,
    OPS,
    IndexMap,
    OpTuple,
    all_ops,
    check_index,
    check_ops,
    code_to_ops,
    codes_to_ops,
    ops_to_code,
    parse_arch,
    to_arch_str,
)
from nasbench_suite.space.encodings import adjacency_ops, one_hot, path_encoding
from nasbench_suite.space.isomorphism import canonical_form, class_ids
from nasbench_suite.space.neighbours import (
    hamming,
    mutate,
    neighbours,
    sample_indices,
    sample_ops,
)

__all__ = [
    "EDGES",
    "N_CELLS",
    "N_EDGES",
    "N_OPS",
    "OPS",
    "IndexMap",
    "OpTuple",
    "SearchSpace",
    "adjacency_ops",
    "all_ops",
    "canonical_form",
    "check_index",
    "check_ops",
    "class_ids",
    "code_to_ops",
    "codes_to_ops",
    "hamming",
    "mutate",
    "neighbours",
    "one_hot",
    "ops_to_code",
    "parse_arch",
    "path_encoding",
    "sample_indices",
    "sample_ops",
    "to_arch_str",
]


def __getattr__(name: str):
    if name == "SearchSpace":
        from nasbench_suite.spaces.nb201 import NB201Space

        return NB201Space
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
