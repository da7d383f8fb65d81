"""Isomorphism classes of NB201 cells, computed from the cell's structure.

Two canonical forms are offered, both built node by node from the input (node 0) to the output:

* ``"nb201"`` (default) reproduces the grouping of NB201's ``UniqueString``: a ``none`` edge, or
  any edge leaving a zero node, contributes a zero symbol ``#``; ``skip_connect`` passes the source
  node's form through; another op ``o`` contributes ``(src)@o``; a node is the sorted ``+``-join
  of its contributions. Zero symbols stay in the sums, so cells that differ only in dead,
  zero-valued edges are kept apart. This gives the 6,466 classes every NB201 paper cites.
* ``"functional"`` is the stricter equivalence of what the cell computes: zeros vanish from sums,
  ops applied to zero are zero, and skip connections flatten into the receiving sum. It merges
  NB201 classes that compute the same function (4,930 classes); every NB201 class lies inside
  exactly one functional class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasbench_suite.errors import unknown
from nasbench_suite.space.codec import EDGES, N_NODES, OPS, all_ops, check_ops

RULES = ("nb201", "functional")
_ZERO = "#"


def _nb201_term(name: str, src: str) -> str:
    if name == "none" or src == _ZERO:
        return _ZERO
    return src if name == "skip_connect" else f"({src})@{name}"


def _nb201_join(terms: list[str]) -> str:
    return "+".join(sorted(terms))


def _functional_terms(name: str, src: tuple[str, ...]) -> tuple[str, ...]:
    if name == "none" or not src:
        return ()
    return src if name == "skip_connect" else (f"{name}({'+'.join(src)})",)


def canonical_form(ops: Sequence[int], rule: str = "nb201") -> str:
    """Canonical string of a cell; equal strings mean isomorphic cells under ``rule``."""
    ops = check_ops(ops)
    if rule not in RULES:
        raise unknown("isomorphism rule", rule, RULES)
    functional = rule == "functional"
    nodes: list = [("x",)] if functional else ["0"]
    for node in range(1, N_NODES):
        incoming = [(OPS[ops[e]], nodes[s]) for e, (s, d) in enumerate(EDGES) if d == node]
        if functional:
            nodes.append(tuple(sorted(t for op, src in incoming for t in _functional_terms(op, src))))
        else:
            nodes.append(_nb201_join([_nb201_term(op, src) for op, src in incoming]))
    out = nodes[-1]
    return ("+".join(out) or "0") if functional else out


def class_ids(ops_matrix: np.ndarray | None = None, rule: str = "nb201") -> np.ndarray:
    """Class id of each row of ``ops_matrix`` (default: every cell, row = code).

    The id of a class is the smallest row number in it, so ids are stable and self-describing.
    """
    ops_matrix = all_ops() if ops_matrix is None else np.asarray(ops_matrix)
    first: dict[str, int] = {}
    out = np.empty(len(ops_matrix), dtype=np.int32)
    for row, ops in enumerate(ops_matrix):
        out[row] = first.setdefault(canonical_form(ops, rule), row)
    return out
