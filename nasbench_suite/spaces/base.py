"""The search-space seam: what a search strategy may know about a space, and nothing more.

Every search space (NB201 cells, NAS-Bench-Macro chains, NAS-Bench-Graph DAGs, DARTS cells, ...)
is a :class:`SearchSpace`: a tuple of categorical :class:`Dimension` objects, an optional rule
saying which dimensions are active in a configuration, and an id <-> configuration codec. A
*configuration* is a tuple of choice indices, one per dimension (inactive dimensions hold 0). An
*id* is a non-negative Python int that names one configuration of the space; the runner, the
trajectories and the benchmarks address architectures by id (the ``arch_index`` of a
:class:`~nasbench_suite.strategies.base.Candidate`).

Strategies use only this interface: sampling, mutation, neighbours, encodings and, where a space
offers them, extras (``canonical`` for isomorphism, extra encoding kinds such as NB201's
``path``). Holding no results, a space cannot leak accuracies to a strategy.

Registry (as for strategies and benchmarks)::

    @register_space("nb201")
    class NB201Space(SearchSpace): ...

    space = create_space("nb201")
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.errors import ArchError, NasBenchError, unknown
from nasbench_suite.registry import Registry

#: Spaces with at most this many ids may be enumerated whole (e.g. EI over every cell).
ENUMERABLE_LIMIT = 1_000_000

Config = tuple[int, ...]


@dataclass(frozen=True)
class Dimension:
    """One categorical choice of a space: its name and the names of its choices."""

    name: str
    choices: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of choices."""
        return len(self.choices)


class SearchSpace(abc.ABC):
    """Base class of every search space (see the module docstring).

    Subclasses set ``dims`` (in ``__init__`` or as a class attribute) and implement
    :meth:`config`, :meth:`id_of` and :meth:`size`; every other method has a generic default that
    a space may override with something faster or more faithful to its literature.
    """

    name: ClassVar[str] = "?"
    #: Encodings :meth:`encode` accepts; ``one_hot`` is always available.
    encodings: ClassVar[tuple[str, ...]] = ("one_hot",)
    dims: tuple[Dimension, ...] = ()

    # --- codec ---------------------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def size(self) -> int:
        """Number of ids (configurations the space addresses)."""

    @abc.abstractmethod
    def config(self, arch_id: int) -> Config:
        """The configuration (choice index per dimension) of an id."""

    @abc.abstractmethod
    def id_of(self, config: Sequence[int]) -> int:
        """The id of a configuration; raises :class:`ArchError` for an invalid one."""

    def configs(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Configurations of many ids, int64 array of shape (n, len(dims))."""
        rows = [self.config(int(i)) for i in np.atleast_1d(np.asarray(ids, dtype=np.int64))]
        return np.asarray(rows, dtype=np.int64).reshape(len(rows), len(self.dims))

    def ids_of(self, configs: np.ndarray) -> np.ndarray:
        """Ids of many configurations (rows of an (n, len(dims)) int array)."""
        return np.asarray([self.id_of(tuple(int(v) for v in row)) for row in configs], np.int64)

    def to_str(self, arch_id: int) -> str:
        """The space's own string notation of an id (default: choice names joined by '|')."""
        cfg = self.config(arch_id)
        return "|".join(d.choices[c] for d, c in zip(self.dims, cfg))

    def parse(self, text: str) -> int:
        """The id of a string in the space's notation (inverse of :meth:`to_str`)."""
        parts = text.split("|")
        if len(parts) != len(self.dims):
            raise ArchError(f"{text!r} is not a {self.name} architecture: expected "
                            f"{len(self.dims)} '|'-separated choices")
        cfg = []
        for dim, part in zip(self.dims, parts):
            if part not in dim.choices:
                raise unknown(f"choice for {dim.name}", part, dim.choices)
            cfg.append(dim.choices.index(part))
        return self.id_of(cfg)

    def index(self, arch: Any) -> int:
        """The id of an id, a string in the space's notation or a configuration."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            self.check_id(int(arch))
            return int(arch)
        if isinstance(arch, str):
            return self.parse(arch)
        if isinstance(arch, (tuple, list, np.ndarray)):
            return self.id_of(tuple(int(v) for v in arch))
        raise ArchError(f"cannot read a {self.name} architecture from {type(arch).__name__}")

    def check_id(self, arch_id: int) -> None:
        """Raise :class:`ArchError` unless ``arch_id`` is an id of this space."""
        if not 0 <= arch_id < self.size:
            raise ArchError(f"{self.name} id {arch_id} is out of range 0..{self.size - 1}")

    # --- conditional dimensions ------------------------------------------------------------------
    def active(self, config: Sequence[int]) -> tuple[bool, ...]:
        """Which dimensions are active in ``config`` (default: all)."""
        return (True,) * len(self.dims)

    @property
    def enumerable(self) -> bool:
        """True when every id can be listed (``size`` <= :data:`ENUMERABLE_LIMIT`)."""
        return self.size <= ENUMERABLE_LIMIT

    # --- sampling and local moves ----------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int | None = None):
        """One uniform id (int) or an int64 array of ``n`` ids (with replacement)."""
        if n is None:
            return int(rng.integers(self.size))
        return rng.integers(self.size, size=n).astype(np.int64)

    def neighbours(self, arch_id: int) -> list[int]:
        """Ids one active-dimension change away (default: every other choice of each dimension)."""
        cfg = self.config(arch_id)
        out: list[int] = []
        for d, (dim, on) in enumerate(zip(self.dims, self.active(cfg))):
            if not on:
                continue
            for choice in range(dim.size):
                if choice != cfg[d]:
                    try:
                        out.append(self.id_of(cfg[:d] + (choice,) + cfg[d + 1 :]))
                    except ArchError:
                        continue
        return out

    def mutate(self, arch_id: int, rng: np.random.Generator) -> int:
        """One random neighbour of ``arch_id``."""
        options = self.neighbours(arch_id)
        if not options:
            raise NasBenchError(f"{self.name} id {arch_id} has no neighbours")
        return int(options[int(rng.integers(len(options)))])

    # --- encodings and extras --------------------------------------------------------------------
    def encode(self, ids, kind: str = "one_hot") -> np.ndarray:
        """Encode ids as float features, shape (n, width); ``one_hot`` concatenates a one-hot
        block per dimension (inactive dimensions all zero)."""
        if kind != "one_hot":
            raise unknown("encoding", kind, self.encodings)
        cfgs = self.configs(ids)
        out = np.zeros((len(cfgs), sum(d.size for d in self.dims)), dtype=np.float64)
        offset = 0
        for d, dim in enumerate(self.dims):
            out[np.arange(len(cfgs)), offset + cfgs[:, d]] = 1.0
            offset += dim.size
        for r, cfg in enumerate(cfgs):
            mask = self.active(tuple(int(v) for v in cfg))
            if not all(mask):
                offset = 0
                for d, dim in enumerate(self.dims):
                    if not mask[d]:
                        out[r, offset : offset + dim.size] = 0.0
                    offset += dim.size
        return out

    def canonical(self, ids) -> np.ndarray:
        """Canonical id (isomorphism class representative) of each id (default: itself)."""
        return np.asarray(np.atleast_1d(ids), dtype=np.int64)

    def describe(self) -> dict:
        """JSON-safe summary (name, size, dimensions, encodings) for ``list``/``space info``."""
        return {
            "name": self.name,
            "size": int(self.size),
            "dims": [{"name": d.name, "choices": list(d.choices)} for d in self.dims],
            "encodings": list(self.encodings),
        }


_SPACES: Registry[type[SearchSpace]] = Registry("search space", "nasbench_suite.spaces")
_REGISTRY = _SPACES.classes
register_space = _SPACES.register  # class decorator: @register_space("nb201")
_load_builtin = _SPACES.load
list_spaces = _SPACES.names


def create_space(name: str, **kwargs) -> SearchSpace:
    """Instantiate search space ``name``; unknown names fail with the known ones."""
    return _SPACES.create(name, **kwargs)
