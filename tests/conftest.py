"""Shared fixtures: the real NB201 store (built once from ../shared/nb201), space and benchmark."""

from __future__ import annotations

import pytest

from nasbench_suite.bench.store import open_store
from nasbench_suite.bench.tabular import TabularBenchmark
from nasbench_suite.paths import default_raw_dir
from nasbench_suite.space.searchspace import SearchSpace


@pytest.fixture(scope="session")
def raw_dir():
    """The raw NB201 sources; the tests need the real tables."""
    raw = default_raw_dir()
    assert raw is not None and raw.is_dir(), "tests need the raw NB201 sources (../shared/nb201)"
    return raw


@pytest.fixture(scope="session")
def store(raw_dir):
    """The default store, built from the raw sources on first use."""
    return open_store(raw=raw_dir)


@pytest.fixture(scope="session")
def space(store):
    return SearchSpace(store.index_map)


@pytest.fixture(scope="session")
def bench(store):
    """cifar10-valid, 200-epoch seed-mean benchmark."""
    return TabularBenchmark("cifar10-valid", store=store)
