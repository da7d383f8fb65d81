"""The NAS-Bench-Macro search space: a chain of 8 searchable layers, 3 blocks each (3^8 = 6,561).

Su et al., "Prioritized Architecture Sampling with Monte-Carlo Tree Search", CVPR 2021
(github.com/xiusu/NAS-Bench-Macro). Each layer is one of

* ``id`` (digit ``0``, the paper's *Identity*),
* ``ir_3x3_t3`` (digit ``1``, *MB3_K3*: MobileNetV2 inverted residual, kernel 3, expansion 3),
* ``ir_5x5_t6`` (digit ``2``, *MB6_K5*: kernel 5, expansion 6),

using the block names of the repository's ``train/model.py``. The layers form three stages of 2,
3 and 3 layers; the first layer of each stage halves the resolution and doubles the channels
(an ``id`` there is a strided 1x1 conv + BN, see :mod:`nasbench_suite.models.macro`).

Notation and ids:

* ``to_str`` / ``parse``: the 8-digit string the benchmark's JSON is keyed by, first character =
  first layer after the stem (``"22212220"`` is the published best network).
* id = that string read as a base-3 number, first layer the most significant digit
  (``int(s, 3)``): ids 0..6560 follow the strings' lexicographic order.

Aliases: inside a stage, an identity layer after the stage's first layer changes nothing but its
position, so ``"01..."`` and ``"10..."`` style moves of the non-first layers make the same network.
The authors trained one network per class: they move, inside each stage, the non-first layers
that are not identities to the front (keeping their order) and the identities to the back
(``get_real_arch`` in ``train/collect_benchmark.py``), train that string, and copy its record to
every alias. :meth:`MacroSpace.canonical` returns the id of that string; there are 3,969 classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasbench_suite.errors import ArchError
from nasbench_suite.spaces.base import Dimension, SearchSpace, register_space

CHOICES = ("id", "ir_3x3_t3", "ir_5x5_t6")
#: The paper's names of the same blocks (README of the benchmark's repository).
PAPER_NAMES = ("Identity", "MB3_K3", "MB6_K5")
N_LAYERS = 8
STAGES = (2, 3, 3)
SIZE = 3**N_LAYERS
N_CLASSES = 3969
_POW = 3 ** np.arange(N_LAYERS - 1, -1, -1, dtype=np.int64)  # weight of each layer's digit
_DIGITS = "012"


def canonical_string(arch: str) -> str:
    """The string the authors trained for ``arch``: per stage, the non-first non-identity layers
    moved to the front in order, the identities to the back (see the module docstring)."""
    out, pos = [], 0
    for length in STAGES:
        stage = arch[pos : pos + length]
        pos += length
        moved = [c for c in stage[1:] if c != "0"]
        out.append(stage[0] + "".join(moved) + "0" * (length - 1 - len(moved)))
    return "".join(out)


def _all_digits() -> np.ndarray:
    """(6561, 8) int8 digits of every id."""
    ids = np.arange(SIZE, dtype=np.int64)
    return ((ids[:, None] // _POW[None, :]) % 3).astype(np.int8)


def _canonical_table(digits: np.ndarray) -> np.ndarray:
    """Canonical id of every id, vectorised (stable sort of each stage's tail: non-zero first)."""
    out = digits.copy()
    pos = 0
    for length in STAGES:
        tail = out[:, pos + 1 : pos + length]
        order = np.argsort(tail == 0, axis=1, kind="stable")
        out[:, pos + 1 : pos + length] = np.take_along_axis(tail, order, axis=1)
        pos += length
    return out.astype(np.int64) @ _POW


@register_space("nb-macro")
class MacroSpace(SearchSpace):
    """NAS-Bench-Macro: 8 layers x (``id``, ``ir_3x3_t3``, ``ir_5x5_t6``), ids 0..6560."""

    dims = tuple(Dimension(f"layer{i}", CHOICES) for i in range(N_LAYERS))

    def __init__(self) -> None:
        self._digits = _all_digits()
        self._canon = _canonical_table(self._digits)
        self._canon.setflags(write=False)

    @property
    def size(self) -> int:
        return SIZE

    # --- codec ---------------------------------------------------------------------------------
    def config(self, arch_id: int) -> tuple[int, ...]:
        self.check_id(int(arch_id))
        return tuple(int(v) for v in self._digits[int(arch_id)])

    def id_of(self, config: Sequence[int]) -> int:
        cfg = tuple(config)
        if len(cfg) != N_LAYERS or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 3 for v in cfg
        ):
            raise ArchError(f"{cfg!r} is not a nb-macro configuration: expected {N_LAYERS} choice "
                            "indices in 0..2")
        return int(np.dot(np.asarray(cfg, dtype=np.int64), _POW))

    def configs(self, ids) -> np.ndarray:
        idx = self._checked(ids)
        return self._digits[idx].astype(np.int64)

    def ids_of(self, configs: np.ndarray) -> np.ndarray:
        arr = np.asarray(configs)
        if arr.ndim != 2 or arr.shape[1] != N_LAYERS or arr.size and (arr.min() < 0 or arr.max() > 2):
            raise ArchError(f"nb-macro configurations must be an (n, {N_LAYERS}) array of 0..2")
        return arr.astype(np.int64) @ _POW

    def to_str(self, arch_id: int) -> str:
        self.check_id(int(arch_id))
        return np.base_repr(int(arch_id), 3).zfill(N_LAYERS)

    def parse(self, text: str) -> int:
        """Id of an 8-digit string (``"22212220"``) or of ``|``-joined block names."""
        if "|" in text:
            return super().parse(text)
        if len(text) != N_LAYERS or any(c not in _DIGITS for c in text):
            raise ArchError(f"{text!r} is not a nb-macro architecture: expected {N_LAYERS} digits "
                            "0 (id), 1 (ir_3x3_t3) or 2 (ir_5x5_t6)")
        return int(text, 3)

    def _checked(self, ids) -> np.ndarray:
        idx = np.atleast_1d(np.asarray(ids))
        if idx.dtype.kind not in "iu":
            raise ArchError(f"nb-macro ids must be integers, got dtype {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= SIZE):
            raise ArchError(f"nb-macro ids must lie in 0..{SIZE - 1}")
        return idx.astype(np.int64, copy=False)

    # --- local moves -----------------------------------------------------------------------------
    def neighbours(self, arch_id: int) -> list[int]:
        """The 16 ids that change one layer's block (ascending layer, then choice)."""
        self.check_id(int(arch_id))
        digits = self._digits[int(arch_id)]
        out = []
        for layer in range(N_LAYERS):
            for choice in range(3):
                if choice != digits[layer]:
                    out.append(int(arch_id) + (choice - int(digits[layer])) * int(_POW[layer]))
        return out

    # --- extras ----------------------------------------------------------------------------------
    def canonical(self, ids) -> np.ndarray:
        """Id of the string the authors trained for each id (aliases share it)."""
        return self._canon[self._checked(ids)]

    def describe(self) -> dict:
        out = super().describe()
        out.update(
            notation="8 digits, first layer first; 0=id (Identity), 1=ir_3x3_t3 (MB3_K3), "
                     "2=ir_5x5_t6 (MB6_K5); id = the string as a base-3 number",
            stages=list(STAGES),
            canonical_classes=N_CLASSES,
        )
        return out
