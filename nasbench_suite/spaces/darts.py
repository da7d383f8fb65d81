"""The DARTS cell search space (Liu et al., ICLR 2019), as used by NAS-Bench-301.

A DARTS network stacks a *normal* and a *reduction* cell. Each cell has two input states
(0 = c_{k-2}, 1 = c_{k-1}) and four intermediate states 2..5; intermediate state ``k + 2``
(node ``k`` = 0..3) sums two operations, each applied to a different earlier state, chosen
among :data:`OPS`. The cell output concatenates states 2..5.

Representation (every configuration is a valid cell, so every id is one)::

    for cell in (normal, reduce):
        for node k in 0..3:
            {cell}_node{k+2}_inputs  the unordered pair of inputs, choices "a_b" (a < b) among
                                     states 0..k+1, in ``itertools.combinations`` order
                                     (1, 3, 6, 10 choices; NAS-Bench-301's ConfigSpace order)
            {cell}_node{k+2}_op_a    operation on the lower input a (7 choices)
            {cell}_node{k+2}_op_b    operation on the higher input b (7 choices)

24 dimensions, all always active. The id is the mixed-radix number of the configuration, the
first dimension most significant: ``size = (1*3*6*10 * 7**8) ** 2 = 1 076 746 950 455 072 400``
(< 2**63; not enumerable).

Genotype order. DARTS lists a node's two ``(op, input)`` entries strongest edge first, so the
published genotypes mix both orders: DARTS-V2's normal node 4 is ``('sep_conv_3x3', 1),
('skip_connect', 0)``, i.e. pair ``0_1`` with ``op_a = skip_connect`` (on input 0) and
``op_b = sep_conv_3x3`` (on input 1). The order carries no meaning (the node sums both), so the
canonical genotype lists the lower input first; :meth:`DartsSpace.parse` accepts either order and
:meth:`DartsSpace.to_str` writes the canonical one.

Codecs: id <-> configuration (:meth:`~DartsSpace.config`, :meth:`~DartsSpace.id_of`,
vectorised :meth:`~DartsSpace.configs` / :meth:`~DartsSpace.ids_of`); id <-> DARTS ``Genotype``
text (:meth:`~DartsSpace.to_str` / :meth:`~DartsSpace.parse`, a small parser, no ``eval``);
id <-> NAS-Bench-301 ConfigSpace dict (:meth:`~DartsSpace.to_configspace` /
:meth:`~DartsSpace.from_configspace`, keys as in YAHPO's ``config_space_v2.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nasbench_suite.errors import ArchError
from nasbench_suite.spaces import _darts_encode as enc
from nasbench_suite.spaces._darts_cells import (
    CELLS,
    CS_PREFIX,
    DIMS_PER_CELL,
    EDGE_START,
    N_NODES,
    OPS,
    PAIRS,
    format_genotype,
    parse_genotype,
)
from nasbench_suite.spaces.base import Config, Dimension, SearchSpace, register_space

#: The published DARTS (second order) cell, as DARTS' ``cnn/genotypes.py`` writes it.
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)


def _dims() -> tuple[Dimension, ...]:
    dims = []
    for cell in CELLS:
        for k in range(N_NODES):
            node = k + 2
            dims.append(Dimension(f"{cell}_node{node}_inputs",
                                  tuple(f"{a}_{b}" for a, b in PAIRS[k])))
            dims.append(Dimension(f"{cell}_node{node}_op_a", OPS))
            dims.append(Dimension(f"{cell}_node{node}_op_b", OPS))
    return tuple(dims)


@register_space("darts")
class DartsSpace(SearchSpace):
    """DARTS normal + reduction cells (see the module docstring for the layout and codecs)."""

    encodings = ("one_hot", "edge_one_hot", "adjacency")

    def __init__(self) -> None:
        self.dims = _dims()
        self.radix = np.array([d.size for d in self.dims], dtype=np.int64)
        strides = [1] * len(self.dims)
        for d in range(len(self.dims) - 2, -1, -1):
            strides[d] = strides[d + 1] * int(self.radix[d + 1])
        self._strides = tuple(strides)
        self.strides = np.array(strides, dtype=np.int64)
        self._size = strides[0] * int(self.radix[0])
        self._radix = tuple(int(r) for r in self.radix)

    # --- codec -----------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self._size

    @property
    def enumerable(self) -> bool:
        return False

    def config(self, arch_id: int) -> Config:
        self.check_id(arch_id)
        out = []
        for r in reversed(self._radix):
            arch_id, c = divmod(arch_id, r)
            out.append(c)
        return tuple(reversed(out))

    def id_of(self, config: Sequence[int]) -> int:
        if len(config) != len(self.dims):
            raise ArchError(f"a darts configuration has {len(self.dims)} choices, "
                            f"not {len(config)}")
        total = 0
        for d, (c, r, s) in enumerate(zip(config, self._radix, self._strides)):
            c = int(c)
            if not 0 <= c < r:
                raise ArchError(f"choice {c} of {self.dims[d].name} is out of range 0..{r - 1}")
            total += c * s
        return total

    def configs(self, ids) -> np.ndarray:
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64)).copy()
        if ids.size and (ids.min() < 0 or ids.max() >= self._size):
            raise ArchError(f"darts ids must lie in 0..{self._size - 1}")
        out = np.empty((len(ids), len(self.dims)), dtype=np.int64)
        for d in range(len(self.dims) - 1, -1, -1):
            out[:, d] = ids % self.radix[d]
            ids //= self.radix[d]
        return out

    def ids_of(self, configs) -> np.ndarray:
        cfg = np.asarray(configs, dtype=np.int64).reshape(-1, len(self.dims))
        if ((cfg < 0) | (cfg >= self.radix)).any():
            raise ArchError("a darts configuration has a choice out of range")
        return cfg @ self.strides

    # --- genotype text ---------------------------------------------------------------------------
    def genotype(self, arch_id: int) -> dict[str, list[tuple[str, int]]]:
        """``{"normal": [(op, input), ...8], "reduce": [...]}`` in canonical order."""
        cfg = self.config(int(arch_id))
        out: dict[str, list[tuple[str, int]]] = {}
        for c, cell in enumerate(CELLS):
            entries = []
            for k in range(N_NODES):
                p, oa, ob = cfg[c * DIMS_PER_CELL + 3 * k: c * DIMS_PER_CELL + 3 * k + 3]
                a, b = PAIRS[k][p]
                entries += [(OPS[oa], a), (OPS[ob], b)]
            out[cell] = entries
        return out

    def to_str(self, arch_id: int) -> str:
        """The canonical DARTS ``Genotype(...)`` text of an id (lower input first per node)."""
        return format_genotype(self.genotype(arch_id))

    def parse(self, text: str) -> int:
        """The id of a DARTS ``Genotype(...)`` string (either entry order within a node)."""
        cells = parse_genotype(text, OPS)
        return self.id_of_genotype(cells)

    def id_of_genotype(self, cells: Mapping[str, Sequence[tuple[str, int]]]) -> int:
        """The id of ``{"normal": [(op, input) x 8], "reduce": [...]}``."""
        cfg: list[int] = []
        for cell in CELLS:
            entries = list(cells[cell])
            if len(entries) != 2 * N_NODES:
                raise ArchError(f"a DARTS {cell} cell lists {2 * N_NODES} (op, input) "
                                f"entries, not {len(entries)}")
            for k in range(N_NODES):
                (op1, i1), (op2, i2) = entries[2 * k], entries[2 * k + 1]
                for op, i in ((op1, i1), (op2, i2)):
                    if not 0 <= i < k + 2:
                        raise ArchError(f"{cell} node {k + 2} cannot take input {i} "
                                        f"(states 0..{k + 1} only)")
                    if op not in OPS:
                        raise ArchError(f"unknown DARTS operation {op!r}; known: "
                                        f"{', '.join(OPS)}")
                if i1 == i2:
                    raise ArchError(f"{cell} node {k + 2} takes input {i1} twice; DARTS "
                                    "nodes have two different inputs")
                if i1 > i2:
                    (op1, i1), (op2, i2) = (op2, i2), (op1, i1)
                cfg += [PAIRS[k].index((i1, i2)), OPS.index(op1), OPS.index(op2)]
        return self.id_of(cfg)

    # --- NAS-Bench-301 ConfigSpace dict ----------------------------------------------------------
    def to_configspace(self, arch_id: int) -> dict[str, str]:
        """The NAS-Bench-301 ConfigSpace configuration (active hyperparameters only)."""
        out: dict[str, str] = {}
        cfg = self.config(int(arch_id))
        for c, cell in enumerate(CELLS):
            for k in range(N_NODES):
                p, oa, ob = cfg[c * DIMS_PER_CELL + 3 * k: c * DIMS_PER_CELL + 3 * k + 3]
                a, b = PAIRS[k][p]
                out[f"{CS_PREFIX}edge_{cell}_{EDGE_START[k] + a}"] = OPS[oa]
                out[f"{CS_PREFIX}edge_{cell}_{EDGE_START[k] + b}"] = OPS[ob]
                if k:
                    out[f"{CS_PREFIX}inputs_node_{cell}_{k + 2}"] = f"{a}_{b}"
        return dict(sorted(out.items()))

    def from_configspace(self, config: Mapping[str, str]) -> int:
        """The id of a NAS-Bench-301 ConfigSpace dict (``:`` or ``_COLON_`` in names; inactive
        edges must be absent, as ConfigSpace leaves them)."""
        cs = {str(k).replace(":", "_COLON_"): v for k, v in config.items()}
        used = set()
        cells: dict[str, list[tuple[str, int]]] = {}
        for cell in CELLS:
            entries: list[tuple[str, int]] = []
            for k in range(N_NODES):
                key = f"{CS_PREFIX}inputs_node_{cell}_{k + 2}"
                if k == 0:
                    pair = "0_1"
                elif key not in cs:
                    raise ArchError(f"NAS-Bench-301 configuration lacks {key}")
                else:
                    pair = str(cs[key])
                    used.add(key)
                if pair not in {f"{a}_{b}" for a, b in PAIRS[k]}:
                    raise ArchError(f"{key} = {pair!r} is not a pair of states 0..{k + 1}")
                for i in map(int, pair.split("_")):
                    edge = f"{CS_PREFIX}edge_{cell}_{EDGE_START[k] + i}"
                    if edge not in cs:
                        raise ArchError(f"NAS-Bench-301 configuration lacks active {edge}")
                    used.add(edge)
                    entries.append((str(cs[edge]), i))
            cells[cell] = entries
        extra = sorted(set(cs) - used)
        if extra:
            raise ArchError(f"NAS-Bench-301 configuration has inactive or unknown keys: "
                            f"{', '.join(extra[:3])}{' ...' if len(extra) > 3 else ''}")
        return self.id_of_genotype(cells)

    # --- sampling and local moves ----------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int | None = None):
        """Uniform over cells: each input pair and each op uniform and independent (as
        NAS-Bench-301's ConfigSpace samples); one id or an int64 array of ``n`` ids."""
        if n is None:
            return int(rng.integers(self._size))
        return rng.integers(self._size, size=n, dtype=np.int64)

    def _moves(self, cfg: Config) -> list[Config]:
        """Every configuration one op change or one input change away (NASLib's DARTS
        neighbourhood): an input change keeps the op with its edge and the pair distinct."""
        out: list[Config] = []
        for c in range(len(CELLS)):
            for k in range(N_NODES):
                base = c * DIMS_PER_CELL + 3 * k
                p, oa, ob = cfg[base: base + 3]
                for slot, old in ((1, oa), (2, ob)):
                    for op in range(len(OPS)):
                        if op != old:
                            new = list(cfg)
                            new[base + slot] = op
                            out.append(tuple(new))
                a, b = PAIRS[k][p]
                for moved, kept, op_moved, op_kept in ((a, b, oa, ob), (b, a, ob, oa)):
                    for x in range(k + 2):
                        if x in (a, b):
                            continue
                        if x < kept:
                            triple = (PAIRS[k].index((x, kept)), op_moved, op_kept)
                        else:
                            triple = (PAIRS[k].index((kept, x)), op_kept, op_moved)
                        new = list(cfg)
                        new[base: base + 3] = triple
                        out.append(tuple(new))
        return out

    def neighbours(self, arch_id: int) -> list[int]:
        """Ids one op or one input change away, sorted, without duplicates."""
        cfg = self.config(int(arch_id))
        return sorted({self.id_of(m) for m in self._moves(cfg)} - {int(arch_id)})

    def mutate(self, arch_id: int, rng: np.random.Generator) -> int:
        """One uniformly chosen neighbour (op and input moves pooled), never ``arch_id``."""
        moves = self._moves(self.config(int(arch_id)))
        return self.id_of(moves[int(rng.integers(len(moves)))])

    # --- encodings -------------------------------------------------------------------------------
    def encode(self, ids, kind: str = "one_hot") -> np.ndarray:
        """``one_hot`` (152 = 2 x (20 pair + 8 x 7 op) columns), ``edge_one_hot`` (196 =
        2 cells x 14 NAS-Bench-301 edges x 7 ops, inactive edges all zero) or ``adjacency``
        (440 = 2 cells x (11 x 11 adjacency + 11 x 9 node features), see
        :mod:`nasbench_suite.spaces._darts_encode`)."""
        cfgs = self.configs(ids)
        if kind == "one_hot":
            return enc.one_hot(cfgs, self.radix)
        if kind == "edge_one_hot":
            return enc.edge_one_hot(cfgs)
        if kind == "adjacency":
            return enc.adjacency(cfgs)
        from nasbench_suite.errors import unknown

        raise unknown("encoding", kind, self.encodings)
