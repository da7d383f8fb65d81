"""Run torch single-threaded in a test package: the tiny networks gain nothing from threads, and
on a shared 2-core machine extra threads thrash (grasp took 20 s instead of 0.2 s with 2 contended
threads). Import ``one_torch_thread`` into a package's conftest to apply it there."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="package")
def one_torch_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
