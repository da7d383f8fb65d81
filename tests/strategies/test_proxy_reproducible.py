"""Proxy strategies on the demo spec are byte-reproducible: proxy seconds come from a cost model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nasbench_suite.proxies.cost_model import PROXY_COST_S, proxy_cost_s
from nasbench_suite.strategies import create_strategy
from tests.clitools import assert_spec_byte_reproducible

REPO = Path(__file__).resolve().parents[2]
PROXY_STRATEGIES = ["proxy_search", "rea_ws", "gp_bo_ws"]


@pytest.mark.slow
def test_quick_spec_proxy_strategies_byte_identical(tmp_path, store):
    """experiments/quick.yaml's proxy strategies, run twice in fresh processes: same bytes."""
    spec = yaml.safe_load((REPO / "experiments" / "quick.yaml").read_text())
    spec.update(strategies=PROXY_STRATEGIES, runs=1)  # the demo budget, shortened for speed:
    spec["budget"] = {"time_s": spec["budget"]["time_s"], "evals": 12}
    assert_spec_byte_reproducible(spec, tmp_path, store.path, "trajectory.jsonl", 3)


def test_modelled_cost_is_charged_and_measured_is_an_option(space):
    searcher = create_strategy("proxy_search", space, seed=0, n_samples=4)
    searcher.ask()
    assert searcher.compute_cost_s() == pytest.approx(4 * PROXY_COST_S["nwot"])
    measured = create_strategy("proxy_search", space, seed=0, n_samples=4,
                               proxy_cost="measured")
    measured.ask()
    assert measured.compute_cost_s() > 0
    assert measured.artifacts()["proxy_scores.json"]["cost"] == "measured"
    assert proxy_cost_s("not-a-proxy") == max(PROXY_COST_S.values())
    with pytest.raises(Exception, match="proxy_cost must be one of model, measured"):
        create_strategy("rea_ws", space, seed=0, proxy_cost="wallclock")
