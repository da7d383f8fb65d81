"""The one audited loader for pickle and torch files: data comes back, code never runs.

A pickle names the callables that rebuild its objects, so unpickling an untrusted file with
:mod:`pickle` can run anything (``builtins.exec``, ``os.system``, ``subprocess.Popen``, or a
library helper that evaluates a string). Every pickle or torch file the suite reads (raw NB201
sources, official NB201 / NATS-Bench files, CIFAR / ImageNet16 batches, HELP latency files) goes
through this module, which admits only the types those formats need:

* plain containers and scalars (built by pickle opcodes, no lookup needed), plus ``bytes``,
  ``bytearray``, ``set``, ``frozenset``, ``complex``, ``slice`` and ``_codecs.encode`` (how
  protocol-2 pickles store ``bytes``), and ``collections.OrderedDict``;
* numpy arrays, dtypes and scalars (the reconstruct / frombuffer helpers numpy pickles name);
* the few pandas classes a pickled ``DataFrame`` / ``Series`` / ``Index`` names.

Nothing else is looked up: a pickle asking for any other global fails with a
:class:`~nasbench_suite.errors.DataError` that names the file and the refused global. Objects
inside admitted containers are themselves unpickled by the same rules. Torch files are read with
this module's unpickler (every pickle protocol, no torch import); only a file that holds tensors
is handed to ``torch.load(weights_only=True)``, torch's own restricted loader.
"""

from __future__ import annotations

import _compat_pickle
import bz2
import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

from nasbench_suite.errors import DataError

_NUMPY_HELPERS = ("_reconstruct", "scalar")
_ALLOWED: frozenset[tuple[str, str]] = frozenset(
    [("builtins", n) for n in ("bytes", "bytearray", "set", "frozenset", "complex", "slice")]
    + [("_codecs", "encode"), ("collections", "OrderedDict")]
    + [("numpy", "ndarray"), ("numpy", "dtype")]
    + [(f"numpy.{core}.multiarray", n) for core in ("core", "_core") for n in _NUMPY_HELPERS]
    + [(f"numpy.{core}.numeric", "_frombuffer") for core in ("core", "_core")]
    + [
        ("pandas.core.frame", "DataFrame"),
        ("pandas.core.series", "Series"),
        ("pandas.core.indexes.base", "Index"),
        ("pandas.core.indexes.base", "_new_Index"),
        ("pandas.core.indexes.range", "RangeIndex"),
        ("pandas.core.internals.managers", "BlockManager"),
        ("pandas.core.internals.managers", "SingleBlockManager"),
        ("pandas._libs.internals", "_unpickle_block"),
        ("pandas.core.internals.blocks", "new_block"),
        ("pandas", "DataFrame"), ("pandas", "Series"), ("pandas", "Index"),
        ("pandas", "RangeIndex"), ("pandas", "StringDtype"), ("pandas.arrays", "StringArray"),
        ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
    ]
)
_NUMPY2 = None


def allowed_globals() -> frozenset[tuple[str, str]]:
    """The ``(module, name)`` pairs a data pickle may name (everything else is refused)."""
    return _ALLOWED


class UnsafeFileError(DataError):
    """A data file asked for something a data file never needs (it could run code)."""


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle named a global outside :func:`allowed_globals`."""


class _TensorsInside(pickle.UnpicklingError):
    """A torch pickle refers to tensor storages (persistent ids): torch must read it."""


class _Unpickler(pickle.Unpickler):
    torch_file = False  # True: torch globals mean "let torch.load(weights_only=True) read it"

    def find_class(self, module: str, name: str) -> Any:
        # Python-2 names (protocol < 3 pickles), mapped as pickle itself maps them
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if (module, name) not in _ALLOWED:
            if self.torch_file and module.split(".")[0] == "torch":
                raise _TensorsInside(f"{module}.{name}")  # torch's own loader decides
            raise RefusedGlobal(f"{module}.{name}")
        global _NUMPY2
        if _NUMPY2 is None:
            import numpy as np

            _NUMPY2 = int(np.__version__.split(".")[0]) >= 2
        if module.startswith("numpy.core.") and _NUMPY2:  # pickles written by numpy 1.x
            module = "numpy._core." + module.removeprefix("numpy.core.")
        elif module.startswith("numpy._core.") and not _NUMPY2:  # written by numpy 2
            module = "numpy.core." + module.removeprefix("numpy._core.")
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise _TensorsInside(str(pid))


def _refused(where: Path | str, what: str) -> UnsafeFileError:
    return UnsafeFileError(
        f"refusing to load {where}: it asks for {what}, which the data files this suite reads "
        "never need (a pickle can run code; only containers, numbers, strings, numpy and pandas "
        "data are admitted)")


def loads(data: bytes, where: Path | str, encoding: str = "ASCII") -> Any:
    """Unpickle ``data`` (read from ``where``) under the allowlist.

    Args:
        data: the pickle bytes.
        where: the file they came from, named in every error.
        encoding: how Python-2 ``str`` objects are decoded (``"bytes"`` keeps them as bytes).

    Raises:
        DataError: naming ``where``, for a refused global or an unreadable pickle.
    """
    return _load_stream(io.BytesIO(data), where, encoding)


class _TorchPayloadUnpickler(_Unpickler):
    torch_file = True


def _load_stream(
    handle: Any, where: Path | str, encoding: str = "ASCII", torch_file: bool = False
) -> Any:
    cls = _TorchPayloadUnpickler if torch_file else _Unpickler
    try:
        return cls(handle, encoding=encoding).load()
    except RefusedGlobal as exc:
        raise _refused(where, str(exc)) from None
    except _TensorsInside:
        raise
    except Exception as exc:  # noqa: BLE001 - truncated, not a pickle, bad state, ...
        raise DataError(f"cannot read {where} as a pickle ({type(exc).__name__}: {exc})") from None


def load_file(path: Path, encoding: str = "ASCII") -> Any:
    """Unpickle the file at ``path`` under the allowlist (see :func:`loads`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path} ({exc.strerror or exc})") from None
    return loads(data, path, encoding)


def load_stream(handle: Any, where: Path | str, encoding: str = "ASCII") -> Any:
    """One pickle from an open binary ``handle`` (several may follow each other)."""
    return _load_stream(handle, where, encoding)


def load_bz2(path: Path) -> Any:
    """A bz2-compressed pickle (``.pickle.pbz2``) under the allowlist."""
    path = Path(path)
    try:
        data = bz2.decompress(path.read_bytes())
    except OSError as exc:
        raise DataError(f"cannot read {path} ({exc.strerror or exc})") from None
    except (ValueError, EOFError) as exc:
        raise DataError(f"cannot decompress {path} (truncated or corrupt: {exc})") from None
    return loads(data, path)


def torch_zip_payload(path: Path) -> Any:
    """The pickled object of a torch zip file, without torch; tensors are refused."""
    try:
        return _zip_payload(Path(path))
    except _TensorsInside:
        raise DataError(f"cannot read {path} without torch: it holds tensors") from None


def _zip_payload(path: Path) -> Any:
    try:
        with zipfile.ZipFile(path) as archive:
            member = next(n for n in archive.namelist() if n.endswith("data.pkl"))
            data = archive.read(member)
    except (StopIteration, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DataError(f"cannot read {path} as a torch zip file ({exc!r})") from None
    return _load_stream(io.BytesIO(data), path, torch_file=True)


def load_torch(path: Path) -> Any:
    """A torch-saved file (zip or pre-1.6 legacy format), code never run.

    The file's pickle is first read by this module's unpickler (no torch needed; every pickle
    protocol). Only when it holds tensors is it handed to ``torch.load(weights_only=True)``,
    torch's own restricted loader (which reads protocol-2 pickles, torch's default).
    """
    path = Path(path)
    try:
        return _load_torch_without_torch(path)
    except _TensorsInside:
        pass
    try:
        import torch
    except ImportError:
        raise DataError(f"cannot read {path}: it holds torch tensors; install torch") from None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        lines = str(exc).strip().splitlines()
        detail = next((line for line in lines if "GLOBAL" in line or "Unsupported" in line), "")
        raise _refused(path, detail.strip() or "a global torch's weights-only loader refuses") \
            from None
    except Exception as exc:  # noqa: BLE001 - truncated zip, not a torch file, ...
        raise DataError(f"cannot read {path} as a torch file ({type(exc).__name__}: {exc})") \
            from None


_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # first pickle of a pre-1.6 (non-zip) torch file


def _load_torch_without_torch(path: Path) -> Any:
    if zipfile.is_zipfile(path):
        return _zip_payload(path)
    try:
        with open(path, "rb") as handle:
            if _load_stream(handle, path) != _LEGACY_MAGIC:
                raise DataError(f"{path} is not a torch-saved file")
            _load_stream(handle, path), _load_stream(handle, path)  # protocol, system info
            return _load_stream(handle, path, torch_file=True)
    except OSError as exc:
        raise DataError(f"cannot read {path} ({exc.strerror or exc})") from None
