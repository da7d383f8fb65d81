"""The YAHPO Gym v2 ONNX surrogate of NAS-Bench-301: files, checksums, inputs and outputs.

Files (``../shared/yahpo-nb301/``, or ``$NASBENCH_SUITE_NB301``): ``model_v2.onnx``,
``encoding_v2.json``, ``config_space_v2.json``, ``param_set_v2.R``, listed with their SHA-256 in
``SHA256SUMS``; every listed file is verified before the model is loaded.

Inputs, as YAHPO Gym's ``BenchmarkSet._config_to_xs`` builds them (``yahpo_gym/benchmarks/
nb301.py`` names the order, :data:`CAT_NAMES`): ``x_cat`` int32 (n, 34), the code of each
hyperparameter per ``encoding_v2.json`` (an inactive edge is ``#na#`` = 0), and ``x_cont``
float32 (n, 1), the epoch. Output ``output`` float32 (n, 4): :data:`OUTPUTS` (val_accuracy as
a fraction, val_cross_entropy, runtime in seconds, runtime_increase). How that order was
confirmed is in the README ("NAS-Bench-301") and ``tests/benchmarks/test_nb301.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nasbench_suite import checksums
from nasbench_suite.errors import DataError
from nasbench_suite.paths import env_or_shared
from nasbench_suite.spaces._darts_cells import (
    CELLS,
    CS_PREFIX,
    DIMS_PER_CELL,
    EDGE_START,
    N_EDGES,
    N_NODES,
    OPS,
    PAIRS,
)

ENV = "NASBENCH_SUITE_NB301"
SUMS = checksums.SUMS
MODEL = "model_v2.onnx"
ENCODING = "encoding_v2.json"
REQUIRED = (MODEL, ENCODING, "config_space_v2.json", "param_set_v2.R")
#: Column order of ``x_cat`` (YAHPO Gym ``nb301`` ``cat_names``).
CAT_NAMES = tuple(
    [f"{CS_PREFIX}edge_{c}_{e}" for c in CELLS for e in range(N_EDGES)]
    + [f"{CS_PREFIX}inputs_node_{c}_{k + 2}" for c in CELLS for k in range(1, N_NODES)])
#: Columns of the model output (``param_set_v2.R`` codomain, YAHPO Gym ``y_names``).
OUTPUTS = ("val_accuracy", "val_cross_entropy", "runtime", "runtime_increase")
ACC, CE, RUNTIME = 0, 1, 2
_FIX = ("restore it from ../shared/yahpo-nb301 (see its SOURCES.md) or point "
        f"${ENV} at a good copy")


def default_dir() -> Path:
    """``$NASBENCH_SUITE_NB301``, else ``../shared/yahpo-nb301`` beside the repository / cwd."""
    folder = env_or_shared(ENV, "yahpo-nb301")
    if folder is None:
        raise DataError(f"no NAS-Bench-301 surrogate folder found: set ${ENV} to the folder "
                        "holding model_v2.onnx (YAHPO Gym nb301, see README)")
    return folder


def verify(folder: Path) -> dict[str, str]:
    """Check every file ``SHA256SUMS`` lists (and that it lists :data:`REQUIRED`).

    Returns:
        file name -> sha256.

    Raises:
        DataError: naming the first missing, unlisted or mismatching file.
    """
    folder = checksums.require_dir(folder, "NAS-Bench-301 folder", _FIX)
    return checksums.verify_files(folder, checksums.listed(folder, REQUIRED, _FIX),
                                  label="NAS-Bench-301 file", source=SUMS, fix=_FIX)


def _lookup_tables(encoding: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """(op index -> code) and per node k >= 1 (pair index -> code), from ``encoding_v2.json``."""
    try:
        op_codes = np.array([encoding[CAT_NAMES[0]][op] for op in OPS], dtype=np.int32)
        for name in CAT_NAMES[: 2 * N_EDGES]:
            if [encoding[name][op] for op in OPS] != op_codes.tolist():
                raise DataError(f"{ENCODING}: {name} codes the operations differently")
            if encoding[name].get("#na#") != 0:
                raise DataError(f"{ENCODING}: {name} has no '#na#' = 0 code")
        pair_codes = [np.zeros(1, dtype=np.int32)]
        for k in range(1, N_NODES):
            codes = [encoding[f"{CS_PREFIX}inputs_node_normal_{k + 2}"][f"{a}_{b}"]
                     for a, b in PAIRS[k]]
            for c in CELLS:
                other = [encoding[f"{CS_PREFIX}inputs_node_{c}_{k + 2}"][f"{a}_{b}"]
                         for a, b in PAIRS[k]]
                if other != codes:
                    raise DataError(f"{ENCODING}: node {k + 2} pairs coded differently")
            pair_codes.append(np.array(codes, dtype=np.int32))
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{ENCODING} lacks the NAS-Bench-301 code {exc}; {_FIX}") from None
    return op_codes, pair_codes


class Surrogate:
    """The ONNX model behind :class:`~nasbench_suite.benchmarks.nb301.NB301Benchmark`.

    Args:
        folder: the verified data folder.
        threads: onnxruntime intra-op threads (1 by default: one thread per run).
    """

    def __init__(self, folder: Path, threads: int = 1) -> None:
        self.folder = Path(folder)
        self.sums = verify(self.folder)
        try:
            encoding = json.loads((self.folder / ENCODING).read_text())
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read {self.folder / ENCODING}: {exc}") from None
        self.op_codes, self.pair_codes = _lookup_tables(encoding)
        self._op_list = self.op_codes.tolist()
        self._pair_list = [p.tolist() for p in self.pair_codes]
        self.threads = int(threads)
        self._session = None

    # --- model -----------------------------------------------------------------------------------
    @property
    def session(self):
        """The onnxruntime session (imported and loaded on first use)."""
        if self._session is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            opts.log_severity_level = 3
            try:
                sess = ort.InferenceSession(str(self.folder / MODEL), opts,
                                            providers=["CPUExecutionProvider"])
            except Exception as exc:  # noqa: BLE001 - onnxruntime errors derive from Exception
                raise DataError(f"cannot load {self.folder / MODEL}: {exc}") from None
            ins = {i.name: i for i in sess.get_inputs()}
            outs = sess.get_outputs()
            if (set(ins) != {"x_cat", "x_cont"} or ins["x_cat"].shape[1] != len(CAT_NAMES)
                    or len(outs) != 1 or outs[0].shape[1] != len(OUTPUTS)):
                raise DataError(f"{self.folder / MODEL} is not the YAHPO nb301 v2 model "
                                "(inputs x_cat (n, 34) and x_cont (n, 1), one (n, 4) output)")
            self._out = outs[0].name
            self._session = sess
        return self._session

    def x_cat(self, cfgs: np.ndarray) -> np.ndarray:
        """(n, 34) int32 YAHPO codes of darts configurations (rows of ``DartsSpace.configs``)."""
        cfgs = np.asarray(cfgs, dtype=np.int64).reshape(-1, 2 * DIMS_PER_CELL)
        n = len(cfgs)
        out = np.zeros((n, len(CAT_NAMES)), dtype=np.int32)
        rows = np.arange(n)
        for c in range(len(CELLS)):
            for k in range(N_NODES):
                base = c * DIMS_PER_CELL + 3 * k
                p = cfgs[:, base]
                lo = np.array([a for a, _ in PAIRS[k]])[p]
                hi = np.array([b for _, b in PAIRS[k]])[p]
                out[rows, c * N_EDGES + EDGE_START[k] + lo] = self.op_codes[cfgs[:, base + 1]]
                out[rows, c * N_EDGES + EDGE_START[k] + hi] = self.op_codes[cfgs[:, base + 2]]
                if k:
                    out[:, 2 * N_EDGES + c * (N_NODES - 1) + k - 1] = self.pair_codes[k][p]
        return out

    def x_cat_row(self, cfg) -> list[int]:
        """:meth:`x_cat` of one configuration as a list (the fast single-evaluation path)."""
        row = [0] * len(CAT_NAMES)
        ops = self._op_list
        for c in range(len(CELLS)):
            for k in range(N_NODES):
                base = c * DIMS_PER_CELL + 3 * k
                p = cfg[base]
                a, b = PAIRS[k][p]
                row[c * N_EDGES + EDGE_START[k] + a] = ops[cfg[base + 1]]
                row[c * N_EDGES + EDGE_START[k] + b] = ops[cfg[base + 2]]
                if k:
                    row[2 * N_EDGES + c * (N_NODES - 1) + k - 1] = self._pair_list[k][p]
        return row

    def predict(self, x_cat: np.ndarray, epochs: np.ndarray) -> np.ndarray:
        """Raw model output (n, 4) float32 for codes ``x_cat`` and ``epochs`` (n,)."""
        sess = self.session
        x_cont = np.asarray(epochs, dtype=np.float32).reshape(-1, 1)
        return sess.run([self._out], {"x_cat": np.asarray(x_cat, dtype=np.int32),
                                      "x_cont": x_cont})[0]
