"""The modelled cost of a search epoch: NB201's recorded seconds, scaled; default of the strategies.

The shipped experiments/oneshot.yaml, run twice in fresh processes, gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nasbench_suite.errors import NasBenchError
from nasbench_suite.oneshot.cost_model import epoch_cost_s, nb201_epoch_s
from nasbench_suite.strategies import create_strategy
from tests.clitools import assert_spec_byte_reproducible

REPO = Path(__file__).resolve().parents[2]
FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_nb201_setting_costs_the_recorded_seconds_per_epoch():
    # NB201 Table 5: DARTS-V1 10,889.87 s for 50 epochs; GDAS 28,925.91 s for 240.
    assert epoch_cost_s("darts-v1", 25_000, 16, 5, 1024) == pytest.approx(10889.87 / 50)
    assert epoch_cost_s("gdas", 25_000, 16, 5, 1024) == pytest.approx(28925.91 / 240)
    assert nb201_epoch_s("darts-hw") == nb201_epoch_s("darts-v1")
    with pytest.raises(NasBenchError, match="no recorded search cost for one-shot method 'setn'"):
        nb201_epoch_s("setn")


def test_cost_scales_with_the_work_of_the_setting():
    full = epoch_cost_s("rsps", 25_000, 16, 5, 1024)
    assert epoch_cost_s("rsps", 12_500, 16, 5, 1024) == pytest.approx(full / 2)
    assert epoch_cost_s("rsps", 25_000, 8, 5, 1024) == pytest.approx(full / 4)
    assert epoch_cost_s("rsps", 25_000, 16, 1, 1024) == pytest.approx(full / 5)
    assert epoch_cost_s("rsps", 25_000, 16, 5, 16 * 16) == pytest.approx(full / 4)


def test_strategy_charges_the_modelled_cost_by_default(space):
    searcher = create_strategy("darts-v1", space, seed=0, epochs=2)
    searcher.ask()
    search = searcher._search
    seen = min(len(search.data.train), search.steps_per_epoch * search.config.batch_size)
    expected = epoch_cost_s("darts-v1", seen, 4, 1, 8 * 8)  # synthetic: C=4, N=1, 8 x 8 images
    assert searcher.compute_cost_s() == expected > 0
    searcher.ask()
    alphas = searcher.artifacts()["alphas.json"]
    assert alphas["cost"] == "model" and alphas["compute_s"] == pytest.approx(2 * expected)
    assert [r["seconds"] for r in alphas["epochs"]] == [expected, expected]


def test_measured_seconds_remain_an_option(space):
    searcher = create_strategy("rsps", space, seed=0, epochs=1, epoch_cost="measured")
    searcher.ask()
    assert searcher.compute_cost_s() > 0
    alphas = searcher.artifacts()["alphas.json"]
    assert alphas["cost"] == "measured"
    assert alphas["epochs"][0]["seconds"] == searcher._search.history[0]["seconds"]


def test_bad_cost_settings_are_refused(space):
    with pytest.raises(NasBenchError, match="epoch_cost must be one of model, measured"):
        create_strategy("gdas", space, epoch_cost="wallclock")
    with pytest.raises(NasBenchError, match="not both"):
        create_strategy("gdas", space, epoch_cost="measured", epoch_cost_s=3.0)


@pytest.mark.slow
@pytest.mark.skipif(not FASHION.is_dir(), reason="needs Debian's dataset-fashion-mnist")
def test_oneshot_spec_byte_identical_across_processes(tmp_path, store):
    """experiments/oneshot.yaml (shortened), twice at once in fresh processes: same bytes."""
    spec = yaml.safe_load((REPO / "experiments" / "oneshot.yaml").read_text())
    spec["strategies"] = [
        {**s, "kwargs": {**s["kwargs"], "epochs": 2, "subset": 128, "num_threads": 1}}
        for s in spec["strategies"] if s["name"] in ("darts-v1", "gdas", "rsps")  # ENAS: minutes
    ]
    assert_spec_byte_reproducible(spec, tmp_path, store.path, "alphas.json", 3)
