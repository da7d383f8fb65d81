"""The NAS-Bench-Graph search space: a macro DAG of 4 computing nodes x one GNN op per node.

Qin et al., *NAS-Bench-Graph: Benchmarking Graph Neural Architecture Search*, NeurIPS 2022
Datasets and Benchmarks (package ``nas-bench-graph``, Apache-2.0). Each computing node takes one
input (the raw input 0 or an earlier node); every leaf node feeds the output. The package names an
architecture by ``link`` (the input of each node, ``link[i]`` in ``0..i``: 24 lists) and ``ops``
(one of ``gat, gcn, gin, cheb, sage, arma, graph, fc, skip`` per node; ``gcn, sage, arma, fc,
skip`` for ogbn-proteins) and keys its tables by ``Arch.valid_hash()``, which first maps the
architecture to a canonical representative of its isomorphism class:

1. ``regularize``: the 24 link lists are renumbered onto the 9 canonical link patterns
   (``LINKS``), permuting the ops alike;
2. ``move_skip_op``: skip nodes that do not change the computed function are moved to the front;
3. ``equalpart_sort``: ops of interchangeable sibling nodes are sorted (by the order of ``OPS``);

then hashes ``link pattern * 10**4 + sum(op_i * 10**(3-i))``. :func:`canonical_hash` reproduces
that procedure step for step (tests check it against the package on all 24 x 9**4 inputs). The
stored architectures are exactly the canonical forms: 26,206 with 9 ops, 2,021 with the 5
proteins ops; the all-``skip`` architecture (hash 88888) is not one (it has no GNN layer).

This space: dimensions ``links`` (the 9 canonical patterns) and ``op1``..``op4``; ids are the
positions of the canonical hashes in ascending order (the row order of the built store, which is
the package's dict order). :meth:`NBGraphSpace.id_of` maps any configuration to the id of its
canonical form, as the package's hashing does; :meth:`NBGraphSpace.parse` also accepts the 24 raw
link lists. Sampling is uniform over the stored architectures, and neighbours / mutations only
return stored architectures (one dimension changed, then canonicalised; the architecture itself
excluded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

import numpy as np

from nasbench_suite.errors import ArchError, unknown
from nasbench_suite.spaces.base import Config, Dimension, SearchSpace, register_space

Link = tuple[int, ...]
#: The 9 canonical link patterns, in the package's order (``architecture.link_list``).
LINKS: tuple[tuple[int, int, int, int], ...] = (
    (0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1), (0, 0, 1, 2), (0, 0, 1, 3),
    (0, 1, 1, 1), (0, 1, 1, 2), (0, 1, 2, 2), (0, 1, 2, 3),
)
#: The 9 GNN operations, in the package's order (``architecture.gnn_list``); hashes use it.
OPS: tuple[str, ...] = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
#: The 5 operations of the ogbn-proteins tables (``architecture.gnn_list_proteins``).
PROTEINS_OPS: tuple[str, ...] = ("gcn", "sage", "arma", "fc", "skip")
SKIP = OPS.index("skip")
N_NODES = 4
#: Hash of the all-skip architecture (no GNN layer; not in the tables).
ALL_SKIP_HASH = 88888

# regularize(): non-canonical link list -> (canonical link list, op permutation).
_REGULARIZE: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {
    (0, 0, 0, 2): ((0, 0, 0, 1), (1, 0, 2, 3)),
    (0, 0, 0, 3): ((0, 0, 0, 1), (2, 0, 1, 3)),
    (0, 0, 1, 0): ((0, 0, 0, 1), (0, 1, 3, 2)),
    (0, 0, 2, 0): ((0, 0, 0, 1), (1, 0, 3, 2)),
    (0, 0, 2, 1): ((0, 0, 1, 2), (1, 0, 2, 3)),
    (0, 0, 2, 2): ((0, 0, 1, 1), (1, 0, 2, 3)),
    (0, 0, 2, 3): ((0, 0, 1, 3), (1, 0, 2, 3)),
    (0, 1, 0, 0): ((0, 0, 0, 1), (0, 2, 3, 1)),
    (0, 1, 0, 1): ((0, 0, 1, 1), (0, 2, 1, 3)),
    (0, 1, 0, 2): ((0, 0, 1, 3), (0, 2, 1, 3)),
    (0, 1, 0, 3): ((0, 0, 1, 2), (0, 2, 1, 3)),
    (0, 1, 1, 0): ((0, 0, 1, 1), (0, 3, 1, 2)),
    (0, 1, 1, 3): ((0, 1, 1, 2), (0, 2, 1, 3)),
    (0, 1, 2, 0): ((0, 0, 1, 3), (0, 3, 1, 2)),
    (0, 1, 2, 1): ((0, 1, 1, 2), (0, 1, 3, 2)),
}
# equalpart_sort(): positions whose ops are sorted, per canonical link pattern.
_SORT_IDS: dict[tuple[int, ...], tuple[int, ...]] = {
    (0, 0, 0, 0): (0, 1, 2, 3), (0, 0, 0, 1): (1, 2), (0, 0, 1, 1): (2, 3),
    (0, 1, 1, 1): (1, 2, 3), (0, 1, 2, 2): (2, 3),
}
_LINK_CODE = {link: i for i, link in enumerate(LINKS)}


def _move_skip_op(link: list[int], items: list, is_skip) -> tuple[list[int], list]:
    """The package's ``Arch.move_skip_op`` (same loop, same precedence) on any items.

    ``is_skip(item)`` says whether a node's op is ``skip``; the package's control flow depends
    on nothing else, so running it on node positions yields a permutation (see :func:`_plan`).
    """

    def move_one(k: int, link: list[int], ops: list):
        ops = [ops[k]] + ops[:k] + ops[k + 1 :]
        for i, father in enumerate(link):
            if father == k + 1:
                link[i] = link[k]
            if father <= k:
                link[i] = link[i] + 1
        return [0] + link[:k] + link[k + 1 :], ops

    def check_dim(k: int, link: list[int], ops: list) -> bool:
        while k > -1:
            if not is_skip(ops[k]):
                return False
            k = link[k] - 1
        return True

    ops = list(items)
    for i in range(len(link)):
        if not is_skip(ops[i]):
            continue
        son = brother = False
        for j, fa in enumerate(link):
            if fa == i + 1:
                son = True
            elif j != i and fa == link[i]:
                brother = True
        if son or not brother or (check_dim(i, link, ops) and not son):
            link, ops = move_one(i, link, ops)
    if link == [0, 1, 2, 1]:
        link, ops = [0, 1, 1, 2], ops[:2] + [ops[3], ops[2]]
    elif link == [0, 1, 1, 3]:
        link, ops = [0, 1, 1, 2], [ops[0], ops[2], ops[1], ops[3]]
    return link, ops


@cache
def _plan(link: tuple[int, ...], skips: tuple[bool, ...]) -> tuple[Link, tuple[int, ...]]:
    """(canonical link pattern, op permutation) of regularize + move_skip_op for a link list
    and the positions holding ``skip`` (all that those two steps depend on)."""
    perm: tuple[int, ...] = tuple(range(N_NODES))
    if link in _REGULARIZE:
        link, perm = _REGULARIZE[link]
    out_link, out_perm = _move_skip_op(list(link), list(perm), lambda p: skips[p])
    return tuple(out_link), tuple(out_perm)


def _equalpart_sort(link: tuple[int, ...], ops: list[int]) -> list[int]:
    """The package's ``Arch.equalpart_sort`` on op codes."""
    if link == (0, 0, 1, 2):
        if ops[0] > ops[1] or (ops[0] == ops[1] and ops[2] > ops[3]):
            ops = [ops[1], ops[0], ops[3], ops[2]]
        return ops
    ids = _SORT_IDS.get(link)
    if ids:
        ops = list(ops)
        for pos, op in zip(ids, sorted(ops[i] for i in ids)):
            ops[pos] = op
    return ops


def canonical_form(link: Sequence[int], ops: Sequence[int]) -> tuple[Link, tuple[int, ...]]:
    """Canonical (link pattern, op codes) of an architecture, as ``Arch.valid_hash`` computes it.

    Args:
        link: input of each computing node, ``link[i]`` in ``0..i`` (any of the 24 lists).
        ops: op code of each node (index into :data:`OPS`).
    """
    link_t = tuple(int(v) for v in link)
    ops_l = [int(v) for v in ops]
    if len(link_t) != N_NODES or len(ops_l) != N_NODES:
        raise ArchError(f"a NAS-Bench-Graph architecture has {N_NODES} nodes; got links "
                        f"{list(link_t)} and {len(ops_l)} ops")
    if any(not 0 <= v <= i for i, v in enumerate(link_t)):
        raise ArchError(f"links {list(link_t)}: node i may only take input 0..i")
    if any(not 0 <= v < len(OPS) for v in ops_l):
        raise ArchError(f"op codes {ops_l} out of range 0..{len(OPS) - 1}")
    link_t, perm = _plan(link_t, tuple(o == SKIP for o in ops_l))
    ops_l = [ops_l[p] for p in perm]
    return link_t, tuple(_equalpart_sort(link_t, ops_l))


def canonical_hash(link: Sequence[int], ops: Sequence[int]) -> int:
    """The package's ``Arch(link, ops).valid_hash()`` (ops as codes into :data:`OPS`)."""
    link_t, ops_t = canonical_form(link, ops)
    if link_t not in _LINK_CODE:  # never happens for valid input (checked exhaustively in tests)
        raise ArchError(f"links {list(link)} have no canonical pattern")
    return hash_of(_LINK_CODE[link_t], ops_t)


def hash_of(link_code: int, ops: Sequence[int]) -> int:
    """The package's ``hash_arch``: ``link_code`` then each op code as a base-10 digit."""
    h = int(link_code)
    for op in ops:
        h = h * (len(OPS) + 1) + int(op)
    return h


def decode_hash(h: int) -> tuple[int, tuple[int, ...]]:
    """(link pattern code, op codes) of a hash (inverse of :func:`hash_of`)."""
    ops = []
    for _ in range(N_NODES):
        h, op = divmod(int(h), len(OPS) + 1)
        ops.append(op)
    return h, tuple(reversed(ops))


@lru_cache(maxsize=2)
def stored_hashes(op_names: tuple[str, ...] = OPS) -> np.ndarray:
    """Ascending hashes of every canonical architecture whose ops are in ``op_names``.

    These are the keys of the package's tables (26,206 for :data:`OPS`, 2,021 for
    :data:`PROTEINS_OPS`): a configuration is stored iff it is its own canonical form and not all
    skip. Computed from the canonicalisation alone (no data file), vectorised per link pattern and
    skip placement, in a few milliseconds.
    """
    codes = np.array(sorted(OPS.index(o) for o in op_names), dtype=np.int64)
    non_skip = codes[codes != SKIP]
    has_skip = bool((codes == SKIP).any())
    weights = (len(OPS) + 1) ** np.arange(N_NODES - 1, -1, -1)
    out = []
    for lc, link in enumerate(LINKS):
        for skips in np.ndindex(*(2,) * N_NODES):
            skips = tuple(bool(v) for v in skips)
            if all(skips) or (any(skips) and not has_skip):
                continue
            new_link, perm = _plan(link, skips)
            if new_link != link:
                continue
            free = [i for i in range(N_NODES) if not skips[i]]
            grid = np.full((len(non_skip) ** len(free), N_NODES), SKIP, dtype=np.int64)
            if free:
                mesh = np.meshgrid(*([non_skip] * len(free)), indexing="ij")
                grid[:, free] = np.stack([m.ravel() for m in mesh], axis=1)
            canon = _equalpart_sort_many(link, grid[:, list(perm)])
            keep = grid[(canon == grid).all(axis=1)]
            out.append(lc * (len(OPS) + 1) ** N_NODES + keep @ weights)
    arr = np.sort(np.concatenate(out)).astype(np.int64)
    arr.flags.writeable = False
    return arr


def _equalpart_sort_many(link: tuple[int, ...], ops: np.ndarray) -> np.ndarray:
    """:func:`_equalpart_sort` on the rows of an (n, 4) op-code array."""
    ops = ops.copy()
    if link == (0, 0, 1, 2):
        swap = (ops[:, 0] > ops[:, 1]) | ((ops[:, 0] == ops[:, 1]) & (ops[:, 2] > ops[:, 3]))
        ops[swap] = ops[swap][:, [1, 0, 3, 2]]
    elif link in _SORT_IDS:
        ids = list(_SORT_IDS[link])
        ops[:, ids] = np.sort(ops[:, ids], axis=1)
    return ops


_TEXT = re.compile(r"^\s*links\s*=\s*\[([^\]]*)\]\s*;\s*ops\s*=\s*\[([^\]]*)\]\s*$")


@register_space("nb-graph")
class NBGraphSpace(SearchSpace):
    """NAS-Bench-Graph's 26,206 architectures (9 ops); see the module docstring.

    Notation (:meth:`to_str` / :meth:`parse`): ``links=[0,0,1,2];ops=[gcn,gat,sage,skip]`` with
    the package's link list (any of the 24 lists is accepted, then canonicalised) and op names.
    """

    op_names: tuple[str, ...] = OPS

    def __init__(self) -> None:
        self.dims = (Dimension("links", tuple("".join(map(str, lk)) for lk in LINKS)),) + tuple(
            Dimension(f"op{i + 1}", self.op_names) for i in range(N_NODES)
        )
        self.hashes = stored_hashes(self.op_names)
        to_space_op = np.full(len(OPS) + 1, -1, dtype=np.int64)
        to_space_op[[OPS.index(o) for o in self.op_names]] = np.arange(len(self.op_names))
        base = len(OPS) + 1
        digits = [(self.hashes // base ** (N_NODES - k)) % base for k in range(N_NODES + 1)]
        self._configs = np.stack([digits[0]] + [to_space_op[d] for d in digits[1:]], axis=1)
        self._configs.flags.writeable = False

    # --- codec ---------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self.hashes)

    def config(self, arch_id: int) -> Config:
        self.check_id(int(arch_id))
        return tuple(int(v) for v in self._configs[int(arch_id)])

    def configs(self, ids) -> np.ndarray:
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ArchError(f"{self.name} ids must lie in 0..{self.size - 1}")
        return self._configs[ids]

    def _ops_codes(self, config: Sequence[int]) -> tuple[int, ...]:
        return tuple(OPS.index(self.op_names[int(c)]) for c in config[1:])

    def id_of(self, config: Sequence[int]) -> int:
        """Id of the canonical form of ``config`` (link pattern index, 4 op indices)."""
        cfg = tuple(int(v) for v in config)
        if len(cfg) != len(self.dims) or any(
            not 0 <= c < d.size for c, d in zip(cfg, self.dims)
        ):
            raise ArchError(f"{cfg} is not a {self.name} configuration (dims: "
                            f"{', '.join(f'{d.name}<{d.size}' for d in self.dims)})")
        return self.id_of_arch(LINKS[cfg[0]], self._ops_codes(cfg))

    def id_of_arch(self, link: Sequence[int], ops: Sequence[int]) -> int:
        """Id of the package-style architecture (24-valued ``link`` list, op codes of OPS)."""
        h = canonical_hash(link, ops)
        return self.id_of_hash(h)

    def id_of_hash(self, h: int) -> int:
        """Id of a package hash (``valid_hash`` key); ArchError when the tables lack it."""
        pos = int(np.searchsorted(self.hashes, h))
        if pos >= self.size or int(self.hashes[pos]) != int(h):
            if h == ALL_SKIP_HASH:
                raise ArchError("the all-skip architecture has no GNN layer and is not in "
                                "NAS-Bench-Graph")
            raise ArchError(f"hash {h} is not a {self.name} architecture")
        return pos

    def hash_of_id(self, arch_id: int) -> int:
        """The package's table key of an id."""
        self.check_id(int(arch_id))
        return int(self.hashes[int(arch_id)])

    def to_str(self, arch_id: int) -> str:
        lc, ops = decode_hash(self.hash_of_id(arch_id))
        return (f"links=[{','.join(map(str, LINKS[lc]))}];"
                f"ops=[{','.join(OPS[o] for o in ops)}]")

    def parse(self, text: str) -> int:
        m = _TEXT.match(text) if isinstance(text, str) else None
        if not m:
            raise ArchError(f"{text!r} is not a {self.name} architecture; expected e.g. "
                            "'links=[0,0,1,2];ops=[gcn,gat,sage,skip]'")
        try:
            link = [int(v) for v in m.group(1).split(",")]
        except ValueError:
            raise ArchError(f"{text!r}: links must be 4 integers") from None
        names = [v.strip() for v in m.group(2).split(",")]
        for name in names:
            if name not in self.op_names:
                raise unknown(f"{self.name} operation", name, self.op_names)
        return self.id_of_arch(link, [OPS.index(n) for n in names])

    # --- sampling and local moves ----------------------------------------------------------------
    def neighbours(self, arch_id: int) -> list[int]:
        """Stored architectures one dimension change away (canonicalised), without ``arch_id``."""
        cfg = self.config(arch_id)
        out: set[int] = set()
        for d, dim in enumerate(self.dims):
            for choice in range(dim.size):
                if choice == cfg[d]:
                    continue
                try:
                    out.add(self.id_of(cfg[:d] + (choice,) + cfg[d + 1 :]))
                except ArchError:  # the all-skip architecture
                    continue
        out.discard(int(arch_id))
        return sorted(out)

    def canonical(self, ids) -> np.ndarray:
        """Ids are canonical forms already: each id is its own class representative."""
        ids = np.asarray(np.atleast_1d(ids), dtype=np.int64)
        self.configs(ids)  # range check
        return ids

    def describe(self) -> dict:
        out = super().describe()
        out["notation"] = "links=[0,0,1,2];ops=[gcn,gat,sage,skip]"
        return out


@register_space("nb-graph-proteins")
class NBGraphProteinsSpace(NBGraphSpace):
    """The ogbn-proteins variant: the same DAGs with ops ``gcn, sage, arma, fc, skip`` (2,021)."""

    op_names = PROTEINS_OPS
