"""Torch runs single-threaded in this package (see tests/torch_threads.py)."""

from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)
