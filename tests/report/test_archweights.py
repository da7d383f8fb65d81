"""One-shot runs: architecture weights recorded per epoch are loaded and plotted in the report."""

import numpy as np

from nasbench_suite.analysis.archweights import load_arch_weights
from nasbench_suite.report.content import build_content
from tests.report.conftest import _grid

SPEC = {
    "name": "oneshot-tiny",
    "seed": 0,
    "runs": 1,
    "strategies": [{"name": "gdas", "kwargs": {"epochs": 2, "data": "synthetic"}}, "random"],
    "benchmark": {"type": "tabular", "search_dataset": "cifar10-valid", "fidelity": 200},
    "report_datasets": ["cifar10"],
    "budget": {"evals": 2},
}


def test_arch_weights_are_loaded_and_plotted(tmp_path, store):
    runs = _grid(SPEC, tmp_path / "runs", store)
    aw = load_arch_weights(runs / "gdas" / "cifar10-valid" / "run-0000", "gdas")
    assert aw.weights.shape == (2, 6, 5) and aw.epochs == (1, 2)
    np.testing.assert_allclose(aw.weights.sum(axis=2), 1.0, atol=1e-4)
    assert load_arch_weights(runs / "random" / "cifar10-valid" / "run-0000", "random") is None
    content = build_content([runs], store=store)
    ids = [f.key for f in content.figures]
    assert "alphas-gdas-cifar10-valid" in ids and not any("alphas-random" in i for i in ids)
    fig = next(f for f in content.figures if f.key == "alphas-gdas-cifar10-valid").make()
    assert len(fig.axes) == 6
