"""Malicious pickles for the safety tests: each one, if unpickled naively, creates a marker file.

``gadget(kind, marker)`` is an object whose ``__reduce__`` asks the unpickler to call a function
that runs code: ``builtins.exec`` / ``builtins.eval`` on a string, ``os.system`` or
``subprocess.Popen`` on a command, or numpy's ``runstring`` helper (which ``exec``s a string and
passed the old numpy-only allowlist of the proxy data reader). Tests assert that loading refuses
them, that the marker is never created, and that the error names the file.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
from pathlib import Path

KINDS = ("exec", "eval", "os.system", "subprocess", "numpy")


class _Gadget:
    def __init__(self, kind: str, marker: Path) -> None:
        self.kind, self.marker = kind, str(marker)

    def __reduce__(self):
        code = f"open({self.marker!r}, 'w').close()"
        if self.kind == "exec":
            return exec, (code,)
        if self.kind == "eval":
            return eval, (code,)
        if self.kind == "os.system":
            return os.system, (f"touch '{self.marker}'",)
        if self.kind == "subprocess":
            return subprocess.check_call, (["touch", self.marker],)
        if self.kind == "numpy":
            from numpy.testing._private.utils import runstring

            return runstring, (code, {})
        raise ValueError(self.kind)


def gadget(kind: str, marker: Path) -> object:
    """An object that runs code (creating ``marker``) when unpickled."""
    return _Gadget(kind, marker)


def gadget_bytes(kind: str, marker: Path, wrap=lambda g: g, protocol: int = 2) -> bytes:
    """A pickle of ``wrap(gadget)`` (e.g. the gadget inside an otherwise valid dict)."""
    return pickle.dumps(wrap(gadget(kind, marker)), protocol=protocol)


def naive_load_runs(data: bytes, marker: Path) -> bool:
    """Sanity check of a gadget: plain ``pickle.loads`` does create the marker."""
    with contextlib.suppress(Exception):  # exec returns None etc.; only the side effect matters
        pickle.loads(data)  # deliberately unsafe, on our own test gadget
    created = Path(marker).exists()
    if created:
        Path(marker).unlink()
    return created
