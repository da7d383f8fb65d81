"""The per-edge latency table: exact on additive data, good on the store, expectation."""

from __future__ import annotations

import numpy as np

from nasbench_suite.oneshot.latency import fit_latency_table, store_latency_table
from nasbench_suite.space.codec import all_ops


def test_recovers_an_additive_table():
    rng = np.random.default_rng(0)
    lut = rng.uniform(0, 3, (6, 5))
    lut[:, 0] = 0.0
    ops = np.asarray(all_ops())
    y = 2.5 + lut[np.arange(6), ops].sum(1)
    y[::97] = np.nan  # missing measurements are left out
    table = fit_latency_table(ops, y, "toy")
    assert np.allclose(table.lut, lut, atol=1e-9) and abs(table.base - 2.5) < 1e-9
    assert table.r2 > 0.999999 and table.n_cells == int(np.isfinite(y).sum())


def test_store_fit_and_expectation(store):
    table = store_latency_table(store, "1080ti_1")
    assert table.r2 > 0.95 and table.n_cells == 15625
    ops = np.asarray(all_ops()[:50])
    onehot = np.zeros((6, 5))
    onehot[np.arange(6), ops[7]] = 1.0
    assert np.isclose(table.expected(onehot), table.predict(ops[7:8])[0])
    for device in store.devices:  # every device can be fitted
        assert np.isfinite(store_latency_table(store, device).lut).all()
