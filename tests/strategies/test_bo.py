"""Model-based strategies: GP-BO, TPE (Optuna) and BANANAS on the real NB201 tables."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from nasbench_suite.errors import NasBenchError
from nasbench_suite.space.codec import N_CELLS
from nasbench_suite.strategies import create_strategy, list_strategies
from nasbench_suite.strategies.base import Candidate
from nasbench_suite.strategies.gp_bo import (
    _openblas_thread_funcs,
    neighbour_table,
    one_blas_thread,
)

MODEL_BASED = ("gp_bo", "tpe", "bananas")
SMALL = {"gp_bo": {}, "tpe": {}, "bananas": {"epochs": 40}}  # light settings for the unit tests


def run(searcher, bench, n, nan_if=None):
    """ask -> evaluate -> tell ``n`` times; returns the proposed indices and the best valid acc."""
    proposed, best = [], -math.inf
    for _ in range(n):
        cand = searcher.ask()
        obs = bench.evaluate(cand.arch_index)
        if nan_if is not None and nan_if(cand.arch_index):
            obs = dataclasses.replace(obs, valid_acc=math.nan)
        searcher.tell(cand, obs)
        proposed.append(cand.arch_index)
        if not math.isnan(obs.valid_acc):
            best = max(best, obs.valid_acc)
    return proposed, best


def test_registered():
    assert set(MODEL_BASED) <= set(list_strategies())


@pytest.mark.parametrize("name", MODEL_BASED)
def test_valid_and_deterministic(name, space, bench):
    a, _ = run(create_strategy(name, space, seed=3, **SMALL[name]), bench, 25)
    b, _ = run(create_strategy(name, space, seed=3, **SMALL[name]), bench, 25)
    c, _ = run(create_strategy(name, space, seed=4, **SMALL[name]), bench, 25)
    assert a == b
    assert a != c
    assert all(isinstance(i, int) and 0 <= i < N_CELLS for i in a)
    if name != "tpe":  # GP (exhaustive) and BANANAS never re-propose an asked cell
        assert len(set(a)) == len(a)


def test_seed_sequence_accepted(space, bench):
    seq = np.random.SeedSequence(11)
    for name in MODEL_BASED:
        a, _ = run(create_strategy(name, space, seed=seq, **SMALL[name]), bench, 12)
        again = create_strategy(name, space, seed=np.random.SeedSequence(11), **SMALL[name])
        b, _ = run(again, bench, 12)
        assert a == b


@pytest.mark.parametrize(
    "kwargs",
    [{"acq_optimizer": "local"}, {"kernel": "onehot"}, {"refit_every": 1, "n_restarts": 1}],
)
def test_gp_variants(kwargs, space, bench):
    a, _ = run(create_strategy("gp_bo", space, seed=0, **kwargs), bench, 22)
    b, _ = run(create_strategy("gp_bo", space, seed=0, **kwargs), bench, 22)
    assert a == b and len(set(a)) == len(a)


@pytest.mark.parametrize("name", MODEL_BASED)
def test_nan_tolerated(name, space, bench):
    searcher = create_strategy(name, space, seed=1, **SMALL[name])
    proposed, best = run(searcher, bench, 25, nan_if=lambda i: i % 3 == 0)
    assert len(proposed) == 25 and math.isfinite(best)
    everything_nan = create_strategy(name, space, seed=1, **SMALL[name])
    proposed, _ = run(everything_nan, bench, 15, nan_if=lambda i: True)
    assert len(proposed) == 15


def test_bad_arguments(space):
    with pytest.raises(NasBenchError):
        create_strategy("gp_bo", space, kernel="matern")
    with pytest.raises(NasBenchError):
        create_strategy("gp_bo", space, refit_every=0)
    with pytest.raises(NasBenchError):
        create_strategy("bananas", space, k=0)
    with pytest.raises(NasBenchError):
        create_strategy("tpe", space, n_startup_trials=-1)


def test_unrequested_tell(space, bench):
    """Observations the searcher did not ask for (warm starts) are learned, not rejected."""
    for name in MODEL_BASED:
        searcher = create_strategy(name, space, seed=0, **SMALL[name])
        for i in (5, 77, 1234):
            searcher.tell(Candidate(i), bench.evaluate(i))
        proposed, _ = run(searcher, bench, 12)
        if name != "tpe":
            assert not {5, 77, 1234} & set(proposed)


# --- GP internals ------------------------------------------------------------
@pytest.fixture(scope="module", params=["hamming", "onehot"])
def fitted_gp(request, space, bench):
    gp = create_strategy("gp_bo", space, seed=0, kernel=request.param)
    idx = np.random.default_rng(1).choice(N_CELLS, 40, replace=False)
    for i in idx:
        gp.tell(Candidate(int(i)), bench.evaluate(int(i)))
    y, _ = bench.evaluate_many(idx)
    return gp, idx, y


def test_gp_interpolates(fitted_gp):
    gp, idx, y = fitted_gp
    mu, var = gp.posterior(idx)
    assert np.abs(mu - y).max() < 0.05 * y.std()
    _, prior_var = gp.posterior(np.setdiff1d(np.arange(N_CELLS), idx)[:1000])
    assert var.max() < 0.01 * prior_var.max()


def test_gp_ei_zero_at_best(fitted_gp):
    gp, idx, y = fitted_gp
    ei = gp.acquisition(np.arange(N_CELLS))
    best = gp.acquisition([idx[np.argmax(y)]])[0]
    assert np.all(ei >= 0) and ei.max() > 0
    assert best < 1e-2 * ei.max()


def test_gp_kernel_psd(fitted_gp, space):
    gp, _, _ = fitted_gp
    cells = np.random.default_rng(2).choice(N_CELLS, 300, replace=False)
    x = gp._features[cells]
    k = gp._gp.sf2 * gp._gp.cross(x, x)
    assert np.allclose(k, k.T)
    assert np.linalg.eigvalsh(k).min() > -1e-8


def test_gp_incremental_matches_refit(space, bench):
    """Between refits, rank-one updates give the exact posterior of the frozen hyperparameters."""
    gp = create_strategy("gp_bo", space, seed=0, refit_every=100)
    run(gp, bench, 25)
    gp._update_model()
    mu_inc, var_inc = gp._mu.copy(), gp._var.copy()
    y = np.asarray(gp._y)
    gp._rebuild((y - gp._y_mean) / gp._y_std)
    assert np.allclose(mu_inc, gp._mu, atol=1e-3)
    assert np.allclose(var_inc, gp._var, atol=1e-3)


def test_gp_marginal_likelihood_gradient(fitted_gp):
    gp, idx, y = fitted_gp
    x = gp._features[idx]
    yn = (y - y.mean()) / y.std()
    p = gp._params + 0.3
    _, grad = gp._gp.neg_mll(p, x, yn)
    eps = 1e-5
    for j in range(min(len(p), 4)):
        d = np.zeros_like(p)
        d[j] = eps
        num = (gp._gp.neg_mll(p + d, x, yn)[0] - gp._gp.neg_mll(p - d, x, yn)[0]) / (2 * eps)
        assert num == pytest.approx(grad[j], rel=1e-3, abs=1e-4)


def test_gp_posterior_needs_two_points(space, bench):
    gp = create_strategy("gp_bo", space, seed=0)
    gp.tell(Candidate(3), bench.evaluate(3))
    with pytest.raises(NasBenchError):
        gp.posterior([3])


def test_one_blas_thread_restores_counts():
    before = [get() for get, _ in _openblas_thread_funcs()]
    with one_blas_thread():
        assert all(get() == 1 for get, _ in _openblas_thread_funcs())
    assert [get() for get, _ in _openblas_thread_funcs()] == before


def test_neighbour_table(space):
    table = neighbour_table(space)
    for i in (0, 123, 15624):
        assert sorted(table[i]) == sorted(space.neighbours(i))


# --- BANANAS predictor -------------------------------------------------------
def test_bananas_predictor_ranks_cells(space, bench):
    rng = np.random.default_rng(0)
    idx = rng.choice(N_CELLS, 600, replace=False)
    y, _ = bench.evaluate_many(idx)
    searcher = create_strategy("bananas", space, seed=0)
    predictor = searcher.train_predictor(idx[:100], y[:100])
    preds = predictor.predict(idx[100:])
    assert preds.shape == (5, 500)
    assert spearmanr(preds.mean(axis=0), y[100:])[0] > 0.5


def test_bananas_its_batches(space, bench):
    searcher = create_strategy("bananas", space, seed=0, epochs=20)
    proposed, _ = run(searcher, bench, 30)
    assert len(set(proposed)) == 30
    # after the initial design, candidates are mutants of evaluated cells (1-3 edges away mostly)
    ops = space.ops_matrix(np.asarray(proposed))
    dist = [min((ops[j] != ops[:j]).sum(axis=1)) for j in range(10, 30)]
    assert np.median(dist) <= 2


# --- against random search --------------------------------------------------
@pytest.fixture(scope="module")
def medians(space, bench):
    out = {}
    for name in ("random",) + MODEL_BASED:
        bests = [run(create_strategy(name, space, seed=s), bench, 100)[1] for s in range(10)]
        out[name] = float(np.median(bests))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", MODEL_BASED)
def test_beats_random_search(name, medians):
    assert medians[name] > medians["random"], medians
