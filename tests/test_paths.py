"""nasbench_suite.paths: one rule for raw folders, one for store folders, every benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest

from nasbench_suite import paths
from nasbench_suite.benchmarks import _graph_store, _macro_store, _nb301_model
from nasbench_suite.errors import DataError


def test_env_or_shared(monkeypatch, tmp_path):
    monkeypatch.setenv("NBS_TEST_RAW", str(tmp_path / "given"))
    assert paths.env_or_shared("NBS_TEST_RAW", "nb201") == tmp_path / "given"  # need not exist
    monkeypatch.delenv("NBS_TEST_RAW")
    shared = paths.REPO_DIR.parent / "shared"
    assert paths.env_or_shared("NBS_TEST_RAW", "nb201") == shared / "nb201"
    monkeypatch.setattr(paths, "REPO_DIR", tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    assert paths.env_or_shared("NBS_TEST_RAW", "nb201") is None
    (tmp_path.parent / "shared").mkdir(exist_ok=True)  # ../shared beside the cwd counts too
    try:
        (tmp_path.parent / "shared" / "only-here").mkdir()
        found = paths.env_or_shared("NBS_TEST_RAW", "only-here")
        assert found == Path.cwd().parent / "shared" / "only-here"
    finally:
        (tmp_path.parent / "shared" / "only-here").rmdir()


def test_store_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NBS_TEST_STORE", str(tmp_path / "s"))
    assert paths.store_dir("NBS_TEST_STORE", "x-store") == tmp_path / "s"
    monkeypatch.setenv("NBS_TEST_STORE", "")  # empty counts as unset
    assert paths.store_dir("NBS_TEST_STORE", "x-store") == paths.REPO_DIR / "data" / "x-store"
    monkeypatch.setattr(paths, "in_checkout", lambda: False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    cache = tmp_path / ".cache" / "nasbench-suite"
    assert paths.store_dir("NBS_TEST_STORE", "x-store") == cache / "x-store"


@pytest.mark.parametrize("func, env, expected", [
    (paths.default_store_dir, "NASBENCH_SUITE_STORE", "data/nb201-store"),
    (_graph_store.default_store_dir, "NASBENCH_SUITE_NBGRAPH_STORE", "data/nb-graph-store"),
    (_macro_store.default_store_dir, "NASBENCH_SUITE_MACRO_STORE", "data/nb-macro-store"),
    (paths.default_raw_dir, "NASBENCH_SUITE_RAW", "../shared/nb201"),
    (_macro_store.default_raw_dir, "NASBENCH_SUITE_MACRO_RAW", "../shared/nb-macro"),
    (_nb301_model.default_dir, "NASBENCH_SUITE_NB301", "../shared/yahpo-nb301"),
])
def test_each_benchmark_folder_follows_the_rule(func, env, expected, monkeypatch, tmp_path):
    monkeypatch.setenv(env, str(tmp_path / "mine"))
    assert func() == tmp_path / "mine"
    monkeypatch.delenv(env)
    assert func().resolve() == (paths.REPO_DIR / expected).resolve()


def test_nb301_without_a_folder_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv(_nb301_model.ENV, raising=False)
    monkeypatch.setattr(_nb301_model, "env_or_shared", lambda env, name: None)
    with pytest.raises(DataError, match=r"no NAS-Bench-301 surrogate folder found: set \$"):
        _nb301_model.default_dir()
