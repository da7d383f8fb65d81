"""Malicious pickles for the safety tests: each one, if unpickled naively, creates a marker file.

``gadget(kind, marker)`` is an object whose ``__reduce__`` asks the unpickler to call a function
that runs code: ``builtins.exec`` / ``builtins.eval`` on a string, ``os.system`` or
``subprocess.Popen`` on a command, or numpy's ``runstring`` helper (which ``exec``s a string and
passed the old numpy-only allowlist of the proxy data reader). Tests assert that loading refuses
them, that the marker is never created, and that the error names the file.

That the gadgets are real is shown without running one: :func:`reduced_calls` reads a pickle's
opcodes (``pickletools``, which executes nothing) and returns the functions it would import and
call, so no test unpickles anything outside :mod:`nasbench_suite.safeload`.
"""

from __future__ import annotations

import os
import pickle
import pickletools
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


def reduced_calls(data: bytes) -> list[str]:
    """``module.name`` of every function the pickle imports and then calls (REDUCE), in order.

    A static read of the opcodes (nothing is imported or executed): a global pushed by ``GLOBAL``
    or ``STACK_GLOBAL`` that a later ``REDUCE`` applies to its arguments.
    """
    pending: list[str] = []  # globals pushed and not yet called
    calls: list[str] = []
    strings: list[str] = []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
            strings.append(arg)
        elif op.name == "GLOBAL":
            pending.append(arg.replace(" ", "."))
        elif op.name == "STACK_GLOBAL":
            pending.append(f"{strings[-2]}.{strings[-1]}")
        elif op.name == "REDUCE" and pending:
            calls.append(pending.pop())
    return [_python3_name(c) for c in calls]


def _python3_name(dotted: str) -> str:
    """Protocol < 3 writes Python 2 names, which the unpickler maps back (``fix_imports``)."""
    import _compat_pickle

    module, name = dotted.rsplit(".", 1)
    module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
    return f"{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}"
