"""Run folders made by the real runner (tiny specs) and the reports rendered from them, once."""

from __future__ import annotations

import shutil

import pytest

from nasbench_suite.runner import expand, parse_spec, run_grid

MAIN_SPEC = {
    "name": "nb201",  # follows the shipped NB201 protocol's name: published values are set beside
    "seed": 0,
    "runs": 4,
    "strategies": ["random", "rea", "local_search"],
    "benchmark": {
        "type": "tabular",
        "search_dataset": "cifar10-valid",
        "fidelity": 12,
        "noise": "mean",
        "latency_device": "pixel3",
    },
    "report_datasets": ["cifar10", "cifar100", "ImageNet16-120"],
    "budget": {"time_s": 3000, "evals": 15},
}
PAIR_SPEC = {
    "name": "pair",
    "seed": 1,
    "runs": 3,
    "strategies": ["random", "rea"],
    "benchmark": {
        "type": "tabular",
        "search_dataset": "cifar100",
        "fidelity": 12,
        "noise": "mean",
    },
    "report_datasets": ["cifar100"],
    "budget": {"evals": 10},
}


def _grid(spec: dict, out, store):
    run_grid(expand(parse_spec(spec)), out, workers=1, quiet=True, store_path=store.path)
    return out


@pytest.fixture(scope="session")
def main_runs(tmp_path_factory, store):
    """3 strategies x 4 runs on cifar10-valid, reported on three datasets, with latency."""
    return _grid(MAIN_SPEC, tmp_path_factory.mktemp("main") / "runs", store)


@pytest.fixture(scope="session")
def pair_runs(tmp_path_factory, store):
    """2 strategies x 3 runs on one task (cifar100)."""
    return _grid(PAIR_SPEC, tmp_path_factory.mktemp("pair") / "runs", store)


@pytest.fixture(scope="session")
def main_content(main_runs, store):
    from nasbench_suite.report.content import build_content

    return build_content([main_runs], store=store)


@pytest.fixture(scope="session")
def pair_content(pair_runs, store):
    from nasbench_suite.report.content import build_content

    return build_content([pair_runs], store=store)


@pytest.fixture(scope="session")
def main_report(main_content, tmp_path_factory):
    """The HTML and PDF reports of ``main_runs``."""
    from nasbench_suite.report.html import write_html
    from nasbench_suite.report.pdf import write_pdf

    out = tmp_path_factory.mktemp("report")
    return write_html(main_content, out / "report.html"), write_pdf(
        main_content, out / "report.pdf"
    )


@pytest.fixture()
def unfinished_runs(main_runs, tmp_path):
    """A copy of ``main_runs`` with a missing run, an unfinished one and a failed one."""
    import json

    out = tmp_path / "runs"
    shutil.copytree(main_runs, out)
    shutil.rmtree(out / "rea" / "cifar10-valid" / "run-0003")
    (out / "random" / "cifar10-valid" / "run-0002" / "metadata.json").unlink()
    meta_path = out / "local_search" / "cifar10-valid" / "run-0001" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta.update(status="failed", error="RuntimeError: injected failure")
    meta_path.write_text(json.dumps(meta))
    return out
