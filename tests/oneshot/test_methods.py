"""Every one-shot method: runs, moves its architecture distribution, derives a valid cell,
repeats exactly with the same seed on CPU; the latency-aware loss picks faster cells."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.oneshot import METHODS, create_search
from nasbench_suite.space.codec import N_CELLS, check_ops
from tests.oneshot.conftest import TINY

LATENCY = {"latency_device": "1080ti_1"}


def _search(method, data, store, seed=0, **kw):
    extra = LATENCY if method == "darts-hw" else {}
    return create_search(method, data, store=store, epochs=2, seed=seed, **TINY, **extra, **kw)


@pytest.mark.parametrize("method", list(METHODS))
def test_runs_moves_and_repeats(method, tiny_data, store):
    search = _search(method, tiny_data, store)
    before = search.arch_weights().copy()
    result = search.run()
    assert result.epochs == 2 and len(result.history) == 2 and result.search_time_s > 0
    after = np.asarray(result.history[-1]["weights"])
    assert after.shape == (6, 5) and np.allclose(after.sum(1), 1.0, atol=1e-4)
    assert np.abs(after - before).max() > 1e-5, f"{method}: architecture weights did not move"
    index = store.index_map.index(check_ops(result.ops))
    assert 0 <= index < N_CELLS and store.index_map.arch_str(index) == result.arch
    again = _search(method, tiny_data, store).run()
    assert again.arch == result.arch
    assert [r["weights"] for r in again.history] == [r["weights"] for r in result.history]
    assert [r["train_loss"] for r in again.history] == [r["train_loss"] for r in result.history]


def test_gdas_temperature_anneals(tiny_data, store):
    search = create_search("gdas", tiny_data, store=store, epochs=3, **TINY)
    taus = [search.run_epoch()["tau"] for _ in range(3)]
    assert taus == pytest.approx([10.0, 5.05, 0.1])


def test_stops_after_its_epochs(tiny_data, store):
    search = _search("rsps", tiny_data, store)
    search.run()
    with pytest.raises(StopIteration):
        search.run_epoch()


def test_latency_weight_picks_faster_cells(tiny_data, store):
    device = "1080ti_1"
    latency = store.latency(device)
    expected, derived = [], []
    for weight in (0.0, 0.1, 1.0):
        search = create_search(
            "darts-hw",
            tiny_data,
            store=store,
            epochs=3,
            seed=0,
            arch_lr=0.05,
            latency_device=device,
            latency_weight=weight,
            **TINY,
        )
        result = search.run()
        expected.append(result.history[-1]["expected_latency_ms"])
        derived.append(float(latency[store.index_map.index(result.ops)]))
    assert expected[0] > expected[1] > expected[2], expected
    assert derived[-1] <= derived[0], derived


def test_bad_names_and_settings(tiny_data):
    from nasbench_suite.errors import NasBenchError, UnknownNameError
    from nasbench_suite.oneshot import get_method

    with pytest.raises(UnknownNameError, match="darts-v1"):
        get_method("darts")
    with pytest.raises(NasBenchError):
        create_search("darts-v1", tiny_data, epochs=0)
