"""The NAS-Bench-201 cell: operations, edges and the arch-string / op-tuple / code codecs.

A cell is a DAG on 4 nodes with 6 edges, listed in arch-string order
``0->1, 0->2, 1->2, 0->3, 1->3, 2->3``. Each edge carries one of five operations. An *op tuple*
holds the 6 op ids (indices into :data:`OPS`) in that edge order; its *code* is the base-5 number
whose most significant digit is edge 0. The official NB201 *index* is a permutation of codes that
only the benchmark data knows; :class:`IndexMap` holds it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from nasbench_suite.errors import ArchError

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
N_OPS = len(OPS)
N_EDGES = len(EDGES)
N_NODES = 4
N_CELLS = N_OPS**N_EDGES  # 15,625

OpTuple = tuple[int, ...]
_OP_ID = {name: i for i, name in enumerate(OPS)}
_NODE_RE = re.compile(r"^\|(?:[a-z0-9_]+~\d\|)+$")
_PLACES = N_OPS ** np.arange(N_EDGES - 1, -1, -1)
_TOKENS = tuple(tuple(f"{name}~{src}" for name in OPS) for src, _ in EDGES)
_TEMPLATE = "|{}|+|{}|{}|+|{}|{}|{}|"


def parse_arch(arch: str) -> OpTuple:
    """Parse an arch string such as ``|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...|``.

    Raises:
        ArchError: naming the first problem (node count, edge source, unknown op).
    """
    if not isinstance(arch, str):
        raise ArchError(f"an arch string must be a str, got {type(arch).__name__}")
    nodes = arch.strip().split("+")
    if len(nodes) != N_NODES - 1:
        raise ArchError(
            f"malformed arch string {arch!r}: expected 3 node groups joined by '+', "
            f"e.g. |nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|"
        )
    ops: list[int] = []
    for node, group in enumerate(nodes, start=1):
        if not _NODE_RE.match(group):
            raise ArchError(f"malformed node {node} {group!r} in arch string {arch!r}")
        edges = group.strip("|").split("|")
        if len(edges) != node:
            raise ArchError(f"node {node} of {arch!r} needs {node} incoming edges, got {len(edges)}")
        for source, edge in enumerate(edges):
            op, _, src = edge.partition("~")
            if int(src) != source:
                raise ArchError(f"edge {edge!r} of node {node} in {arch!r} must come from {source}")
            if op not in _OP_ID:
                raise ArchError(f"unknown operation {op!r} in {arch!r}; known: {', '.join(OPS)}")
            ops.append(_OP_ID[op])
    return tuple(ops)


def to_arch_str(ops: Sequence[int]) -> str:
    """Format an op tuple as an NB201 arch string."""
    ops = check_ops(ops)
    return _TEMPLATE.format(*(_TOKENS[edge][op] for edge, op in enumerate(ops)))


def check_ops(ops: Sequence[int]) -> OpTuple:
    """Validate an op tuple (6 ints in 0..4) and return it as a tuple."""
    if type(ops) is tuple and len(ops) == N_EDGES and all(type(o) is int and 0 <= o < N_OPS for o in ops):
        return ops
    try:
        out = tuple(int(o) for o in ops)
    except (TypeError, ValueError):
        raise ArchError(f"an op tuple must be 6 integers in 0..4, got {ops!r}") from None
    if len(out) != N_EDGES or any(o < 0 or o >= N_OPS for o in out):
        raise ArchError(f"an op tuple must be 6 integers in 0..4, got {ops!r}")
    return out


def ops_to_code(ops: Sequence[int]) -> int:
    """Base-5 code of an op tuple (0..15624)."""
    return int(np.dot(check_ops(ops), _PLACES))


def code_to_ops(code: int) -> OpTuple:
    """Inverse of :func:`ops_to_code`."""
    code = int(code)
    if not 0 <= code < N_CELLS:
        raise ArchError(f"a cell code must be in 0..{N_CELLS - 1}, got {code}")
    digits = []
    for _ in range(N_EDGES):
        code, digit = divmod(code, N_OPS)
        digits.append(digit)
    return tuple(reversed(digits))


def codes_to_ops(codes: np.ndarray) -> np.ndarray:
    """Vectorised :func:`code_to_ops`: int array of shape (n,) -> (n, 6)."""
    return (np.asarray(codes)[:, None] // _PLACES) % N_OPS


def all_ops() -> np.ndarray:
    """Every op tuple, shape (15625, 6), row i has code i."""
    return codes_to_ops(np.arange(N_CELLS))


class IndexMap:
    """The bijection between official NB201 indices and cell codes.

    Args:
        code_of_index: int array of shape (15625,), the code of each NB201 index; must be a
            permutation of 0..15624.
    """

    def __init__(self, code_of_index: np.ndarray) -> None:
        code_of_index = np.asarray(code_of_index, dtype=np.int64)
        if code_of_index.shape != (N_CELLS,) or not np.array_equal(
            np.sort(code_of_index), np.arange(N_CELLS)
        ):
            raise ArchError("code_of_index must be a permutation of 0..15624")
        self.code_of_index = code_of_index
        self.index_of_code = np.empty_like(code_of_index)
        self.index_of_code[code_of_index] = np.arange(N_CELLS)

    def index(self, arch: str | Sequence[int] | int) -> int:
        """NB201 index of an arch string, op tuple or index (validated)."""
        if isinstance(arch, (int, np.integer)):
            return check_index(arch)
        if isinstance(arch, str):
            stripped = arch.strip()
            if stripped.isdigit():
                return check_index(int(stripped))
            return int(self.index_of_code[ops_to_code(parse_arch(stripped))])
        return int(self.index_of_code[ops_to_code(arch)])

    def ops(self, index: int) -> OpTuple:
        """Op tuple of an NB201 index."""
        return code_to_ops(self.code_of_index[check_index(index)])

    def arch_str(self, index: int) -> str:
        """Arch string of an NB201 index."""
        return to_arch_str(self.ops(index))


def check_index(index: int) -> int:
    """Validate an NB201 index."""
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ArchError(f"an NB201 index must be an integer, got {index!r}")
    if not 0 <= int(index) < N_CELLS:
        raise ArchError(f"NB201 index {index} is out of range 0..{N_CELLS - 1}")
    return int(index)
