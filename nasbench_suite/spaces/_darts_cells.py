"""DARTS cell constants and the ``Genotype(...)`` text codec (a small parser, no ``eval``).

The text is what DARTS' ``cnn/genotypes.py`` and NAS-Bench-301 print::

    Genotype(normal=[('sep_conv_3x3', 0), ...8 entries], normal_concat=[2, 3, 4, 5],
             reduce=[...8 entries], reduce_concat=[2, 3, 4, 5])

Keyword or positional fields (in that order) are accepted, ``range(2, 6)`` for a concat list,
single or double quotes, a trailing comma and any whitespace; anything else fails with an
:class:`~nasbench_suite.errors.ArchError` naming the position.
"""

from __future__ import annotations

import re
from itertools import combinations

from nasbench_suite.errors import ArchError

#: The seven DARTS operations (DARTS ``PRIMITIVES`` without ``none``; NAS-Bench-301 order).
OPS = ("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
       "dil_conv_3x3", "dil_conv_5x5")
CELLS = ("normal", "reduce")
N_NODES = 4
#: Input pairs of node k (0..3): ``combinations(range(k + 2), 2)``.
PAIRS: tuple[tuple[tuple[int, int], ...], ...] = tuple(
    tuple(combinations(range(k + 2), 2)) for k in range(N_NODES))
#: First NAS-Bench-301 edge index of node k (edge ``EDGE_START[k] + input``).
EDGE_START = (0, 2, 5, 9)
N_EDGES = 14
#: Prefix of NAS-Bench-301 / YAHPO hyperparameter names.
CS_PREFIX = "NetworkSelectorDatasetInfo_COLON_darts_COLON_"
DIMS_PER_CELL = 3 * N_NODES
CONCAT = [2, 3, 4, 5]
FIELDS = ("normal", "normal_concat", "reduce", "reduce_concat")

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_]\w*)|(?P<int>\d+)|'(?P<s1>[^']*)'|"
                    r"\"(?P<s2>[^\"]*)\"|(?P<punct>[()\[\],=]))")


def _tokens(text: str) -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ArchError(f"cannot read a DARTS genotype at character {pos}: "
                            f"{text[pos:pos + 20]!r}")
        if m.group("name") is not None:
            out.append(("name", m.group("name"), pos))
        elif m.group("int") is not None:
            out.append(("int", int(m.group("int")), pos))
        elif m.group("s1") is not None or m.group("s2") is not None:
            out.append(("str", m.group("s1") if m.group("s1") is not None else m.group("s2"),
                        pos))
        else:
            out.append(("punct", m.group("punct"), pos))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def fail(self, what: str) -> ArchError:
        where = self.toks[self.i][2] if self.i < len(self.toks) else "the end"
        return ArchError(f"cannot read a DARTS genotype: expected {what} at character {where}")

    def peek(self, value=None, kind=None) -> bool:
        if self.i >= len(self.toks):
            return False
        k, v, _ = self.toks[self.i]
        return (kind is None or k == kind) and (value is None or v == value)

    def take(self, value=None, kind=None, what: str = ""):
        if not self.peek(value, kind):
            raise self.fail(what or repr(value) or kind)
        tok = self.toks[self.i]
        self.i += 1
        return tok[1]

    def value(self):
        if self.peek("range", "name"):
            self.take("range", "name")
            self.take("(", "punct")
            lo = self.take(kind="int", what="an integer")
            self.take(",", "punct")
            hi = self.take(kind="int", what="an integer")
            self.take(")", "punct")
            return list(range(lo, hi))
        self.take("[", "punct", "'['")
        items: list = []
        while not self.peek("]", "punct"):
            if self.peek("(", "punct"):
                self.take("(", "punct")
                op = self.take(kind="str", what="a quoted operation name")
                self.take(",", "punct", "','")
                node = self.take(kind="int", what="an input index")
                self.take(")", "punct", "')'")
                items.append((op, node))
            else:
                items.append(self.take(kind="int", what="an entry"))
            if not self.peek("]", "punct"):
                self.take(",", "punct", "',' or ']'")
        self.take("]", "punct")
        return items

    def genotype(self) -> dict[str, list]:
        self.take("Genotype", "name", "'Genotype('")
        self.take("(", "punct", "'('")
        fields: dict[str, list] = {}
        position = 0
        while not self.peek(")", "punct"):
            if self.peek(kind="name") and self.i + 1 < len(self.toks) and \
                    self.toks[self.i + 1][1] == "=":
                key = self.take(kind="name")
                if key not in FIELDS:
                    raise ArchError(f"unknown Genotype field {key!r}; known: {', '.join(FIELDS)}")
                self.take("=", "punct")
            else:
                if position >= len(FIELDS):
                    raise self.fail("')'")
                key = FIELDS[position]
            if key in fields:
                raise ArchError(f"Genotype field {key!r} is given twice")
            fields[key] = self.value()
            position += 1
            if not self.peek(")", "punct"):
                self.take(",", "punct", "',' or ')'")
        self.take(")", "punct")
        if self.i != len(self.toks):
            raise self.fail("the end of the genotype")
        return fields


def parse_genotype(text: str, ops: tuple[str, ...] = OPS) -> dict[str, list[tuple[str, int]]]:
    """``{"normal": [(op, input) x 8], "reduce": [...]}`` of a ``Genotype(...)`` string."""
    if not isinstance(text, str):
        raise ArchError(f"a DARTS genotype is a string, not {type(text).__name__}")
    fields = _Parser(text).genotype()
    out: dict[str, list[tuple[str, int]]] = {}
    for cell in CELLS:
        if cell not in fields:
            raise ArchError(f"the DARTS genotype lacks its {cell!r} cell")
        entries = fields[cell]
        if not all(isinstance(e, tuple) for e in entries):
            raise ArchError(f"the {cell} cell must list (operation, input) pairs")
        for op, _ in entries:
            if op not in ops:
                raise ArchError(f"unknown DARTS operation {op!r}; known: {', '.join(ops)}")
        concat = fields.get(f"{cell}_concat", CONCAT)
        if list(concat) != CONCAT:
            raise ArchError(f"{cell}_concat must be [2, 3, 4, 5] in the DARTS space, not "
                            f"{list(concat)}")
        out[cell] = list(entries)
    return out


def format_genotype(cells: dict[str, list[tuple[str, int]]]) -> str:
    """The ``Genotype(...)`` text DARTS prints (``repr`` of its namedtuple)."""
    parts = []
    for cell in CELLS:
        entries = ", ".join(f"({op!r}, {i})" for op, i in cells[cell])
        parts.append(f"{cell}=[{entries}], {cell}_concat={CONCAT}")
    return f"Genotype({', '.join(parts)})"
