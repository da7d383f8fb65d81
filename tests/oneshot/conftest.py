"""Tiny settings for the one-shot tests: synthetic 8 x 8 images, C=4, N=1, one thread."""

from __future__ import annotations

import pytest

TINY = {
    "channels": 4,
    "cells_per_stage": 1,
    "batch_size": 32,
    "num_threads": 1,
    "select_num": 5,
    "controller_train_steps": 2,
    "controller_num_aggregate": 3,
}


@pytest.fixture(scope="session")
def tiny_data():
    from nasbench_suite.oneshot import search_data

    return search_data("synthetic")
