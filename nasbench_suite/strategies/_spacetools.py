"""Space-generic helpers for strategies: written against the seam's ``SearchSpace`` only.

Enumerable spaces (NB201: 15,625 ids) keep the vectorised paths strategies always used (a boolean
"seen" mask over every id, draws without replacement from ``range(size)``), so their random
streams are unchanged; non-enumerable spaces (DARTS: ~1e18 ids) get the same behaviour with sets
and rejection sampling.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from nasbench_suite.errors import ArchError
from nasbench_suite.spaces.base import SearchSpace


def dim_sizes(space) -> np.ndarray:
    """Number of choices of each dimension, int64 array of shape (len(dims),)."""
    return np.asarray([d.size for d in space.dims], dtype=np.int64)


def has_active_rule(space) -> bool:
    """True when the space overrides :meth:`SearchSpace.active` (conditional dimensions)."""
    return type(space).active is not SearchSpace.active


def normalise(space, configs: np.ndarray) -> np.ndarray:
    """Configurations with their inactive dimensions set to 0 (a no-op without an active rule)."""
    configs = np.asarray(configs, dtype=np.int64)
    if not has_active_rule(space):
        return configs
    out = configs.copy()
    for row in out:
        mask = np.asarray(space.active(tuple(int(v) for v in row)), dtype=bool)
        row[~mask] = 0
    return out


#: Draws a per-dimension sampler may redo when its configuration is not in the space (e.g.
#: NAS-Bench-Graph's all-skip architecture) before it falls back to a uniform sample.
MAX_REDRAWS = 100


def first_valid_id(space, draw: Callable[[], np.ndarray], rng: np.random.Generator) -> int:
    """The id of the first valid configuration ``draw()`` returns (inactive dimensions zeroed).

    A per-dimension sampler (REINFORCE's policy, a KDE) can assemble a configuration that is not
    in the space; it is drawn again, up to :data:`MAX_REDRAWS` times, then the space samples
    uniformly. On a space where every configuration is valid the first draw is taken, so the
    random stream is the same as without this check.
    """
    for _ in range(MAX_REDRAWS):
        config = normalise(space, np.asarray(draw())[None, :])[0]
        try:
            return int(space.id_of(tuple(int(v) for v in config)))
        except ArchError:
            continue
    return int(space.sample(rng))


def ids_of_configs(space, configs: np.ndarray) -> np.ndarray:
    """Ids of configurations (inactive dimensions zeroed first); -1 for invalid ones."""
    configs = normalise(space, configs)
    if len(configs) == 0:
        return np.zeros(0, dtype=np.int64)
    try:
        return np.asarray(space.ids_of(configs), dtype=np.int64)
    except ArchError:
        out = np.empty(len(configs), dtype=np.int64)
        for r, row in enumerate(configs):
            try:
                out[r] = space.id_of(tuple(int(v) for v in row))
            except ArchError:
                out[r] = -1
        return out


def distinct_sample(space, rng: np.random.Generator, n: int, exclude=None) -> np.ndarray:
    """``n`` distinct ids (fewer only if the space has fewer), uniform.

    Enumerable spaces draw ``rng.choice(size, n, replace=False)`` (or among the ids not in
    ``exclude``, a :class:`Seen`); others draw with :meth:`SearchSpace.sample` and reject repeats.
    """
    if space.enumerable:
        if exclude is None:
            return rng.choice(space.size, size=n, replace=False).astype(np.int64)
        free = np.flatnonzero(~exclude.mask)
        if free.size == 0:
            return np.zeros(0, dtype=np.int64)
        return rng.choice(free, size=min(n, free.size), replace=False).astype(np.int64)
    out: list[int] = []
    taken = set()
    for _ in range(100 * n + 100):
        if len(out) >= n:
            break
        i = int(space.sample(rng))
        if i not in taken and (exclude is None or i not in exclude):
            taken.add(i)
            out.append(i)
    return np.asarray(out, dtype=np.int64)


class Seen:
    """The ids a strategy has proposed or been told: a boolean mask when the space is
    enumerable, a set otherwise."""

    def __init__(self, space) -> None:
        self.space = space
        self.mask = np.zeros(space.size, dtype=bool) if space.enumerable else None
        self._set: set[int] = set()

    def add(self, index: int) -> None:
        if self.mask is not None:
            self.mask[index] = True
        else:
            self._set.add(int(index))

    def __contains__(self, index) -> bool:
        if self.mask is not None:
            return bool(self.mask[index])
        return int(index) in self._set

    def all(self) -> bool:
        """True when every id of the space has been seen."""
        return bool(self.mask.all()) if self.mask is not None else len(self._set) >= self.space.size

    def copy(self) -> Seen:
        out = Seen.__new__(Seen)
        out.space = self.space
        out.mask = None if self.mask is None else self.mask.copy()
        out._set = set(self._set)
        return out

    def random_unseen(self, rng: np.random.Generator) -> int | None:
        """One uniform unseen id (None when all are seen)."""
        if self.mask is not None:
            unseen = np.flatnonzero(~self.mask)
            if unseen.size == 0:
                return None
            return int(unseen[rng.integers(unseen.size)])
        for _ in range(1000):
            i = int(self.space.sample(rng))
            if i not in self._set:
                return i
        return None


class LazySeenState:
    """Mixin of model-based searchers (BANANAS, GP-BO) that build their state on first use
    (``_setup``, which sets ``_ready`` and a :class:`Seen` ``_seen``)."""

    _ready: bool
    _seen: Seen

    def _ensure_ready(self) -> None:
        if not self._ready:
            self._setup()

    def _told(self, candidate, observation) -> tuple[int, float] | None:
        """Mark a told cell seen; ``(index, score)`` when its score is finite, else None."""
        self._ensure_ready()
        index = int(candidate.arch_index)
        self._seen.add(index)
        value = self.score(observation)
        return (index, value) if math.isfinite(value) else None


def shift_neighbours(space, configs: np.ndarray) -> np.ndarray:
    """Single-dimension moves of each configuration, shape (n, sum(size_d - 1)), as ids.

    Column order: dimension-major, then ``(choice + shift) % size`` for shift = 1, 2, ...
    (NB201's neighbour table). Invalid configurations give -1; moves of an inactive dimension
    give the configuration itself.
    """
    configs = np.asarray(configs, dtype=np.int64)
    sizes = dim_sizes(space)
    cols = []
    for d, size in enumerate(sizes):
        for shift in range(1, int(size)):
            moved = configs.copy()
            moved[:, d] = (configs[:, d] + shift) % size
            cols.append(moved)
    if not cols:
        return np.zeros((len(configs), 0), dtype=np.int64)
    stacked = np.stack(cols, axis=1)  # (n, W, D)
    ids = ids_of_configs(space, stacked.reshape(-1, len(sizes)))
    return ids.reshape(len(configs), len(cols))
