"""Bayesian optimisation with a Gaussian process over a search space (numpy/scipy only).

The GP lives on the one-hot encoding of the space's dimensions (NB201: six edges x five ops;
inactive dimensions of conditional spaces are all-zero blocks). Two kernels:

* ``"hamming"``: the categorical overlap kernel ``sf2 * exp(-theta * hamming / 6)`` (one
  lengthscale shared by all edges), the categorical kernel of SMAC (Hutter, Hoos & Leyton-Brown,
  LION 2011) and the overlap kernel of CoCaBO (Ru et al., ICML 2020). Because
  ``hamming = ||x - x'||^2 / 2`` on one-hot vectors, it is the isotropic case of the next one.
* ``"onehot"``: an ARD RBF kernel on the 30-dim one-hot vector, ``sf2 * exp(-sum_d b_d (x_d -
  x'_d)^2)`` with one inverse squared lengthscale ``b_d = 1 / (2 l_d^2)`` per (edge, op) bit.

Hyperparameters (kernel scales, signal variance ``sf2``, noise variance ``sn2``; targets
standardised) maximise the log marginal likelihood with L-BFGS-B and analytic gradients inside
log-space bounds (theta in [0.05, 30], ARD b_d in [1e-3, 10], sf2 in [0.05, 20], sn2 in [1e-6, 1]),
from the previous optimum plus random restarts (Rasmussen & Williams 2006, ch. 5). Acquisition: expected improvement (Jones, Schonlau & Welch, 1998), maximised either over
every unevaluated cell (``acq_optimizer="exhaustive"``) or by a best-improvement local search on
the 24-neighbour graph started from the best evaluated cells and random cells (``"local"``).

Cost control (``refit_every``): hyperparameters and target standardisation are re-fitted only
every ``refit_every`` new observations. In between, every observation still enters the posterior
exactly, through a rank-one extension of the Cholesky factor; in exhaustive mode the posterior
mean and variance of all 15,625 cells are updated in O(n N) per observation from the cached
``V = L^-1 K(X, all)`` instead of being recomputed in O(n^2 N).
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
from scipy.linalg import cho_solve, solve_triangular
from scipy.linalg.lapack import dpotrf, dpotri
from scipy.optimize import minimize
from scipy.special import ndtr

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.strategies._checks import check_int
from nasbench_suite.strategies._spacetools import (
    LazySeenState,
    Seen,
    distinct_sample,
    shift_neighbours,
)
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy

KERNELS = ("hamming", "onehot")
ACQ_OPTIMIZERS = ("exhaustive", "local", "pool")

_LOG_SF2 = (math.log(0.05), math.log(20.0))
_LOG_SN2 = (math.log(1e-6), math.log(1.0))
_LOG_THETA = (math.log(0.05), math.log(30.0))  # hamming: exp(-theta * h / 6)
_LOG_BETA = (math.log(1e-3), math.log(10.0))  # onehot ARD: b_d = 1 / (2 l_d^2)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


_BLAS_THREAD_FUNCS: list | None = None


def _openblas_thread_funcs() -> list:
    """(get, set) thread-count functions of every OpenBLAS this process loaded (Linux; else [])."""
    global _BLAS_THREAD_FUNCS
    if _BLAS_THREAD_FUNCS is None:
        funcs = []
        try:
            import ctypes

            with open("/proc/self/maps") as maps:
                paths = sorted(
                    {ln.split()[-1] for ln in maps if "openblas" in ln.lower() and "/" in ln}
                )
            for path in paths:
                lib = ctypes.CDLL(path)
                for prefix in ("scipy_openblas", "openblas"):
                    for suffix in ("64_", ""):
                        get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                        put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                        if get is not None and put is not None:
                            get.restype = ctypes.c_int
                            funcs.append((get, put))
        except (OSError, AttributeError):
            funcs = []
        _BLAS_THREAD_FUNCS = funcs
    return _BLAS_THREAD_FUNCS


@contextmanager
def one_blas_thread():
    """Run a block with one OpenBLAS thread, restoring the previous counts afterwards.

    The GP and BANANAS work on small matrices, where OpenBLAS worker threads only add
    synchronisation; on a loaded 2-core machine, default threading made GP-BO ~60x slower
    (136 vs 2 ms per evaluation). Best effort: a no-op where OpenBLAS cannot be found.
    """
    saved = [(get, put, get()) for get, put in _openblas_thread_funcs()]
    for _, put, count in saved:
        if count != 1:
            put(1)
    try:
        yield
    finally:
        for _, put, count in saved:
            if count != 1:
                put(count)


def _check_float(name: str, value, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not (
        math.isfinite(value) and value >= low
    ):
        raise NasBenchError(f"{name} must be a finite number >= {low}, got {value!r}")
    return float(value)


def neighbour_table(space) -> np.ndarray:
    """Single-dimension neighbours of every id of an enumerable space, shape (size, W); on NB201
    the 24 single-edge neighbours of every cell, (15625, 24). -1 marks an invalid move."""
    return shift_neighbours(space, space.configs(np.arange(space.size)))


def expected_improvement(
    mu: np.ndarray, var: np.ndarray, best: float, xi: float = 0.0
) -> np.ndarray:
    """EI for maximisation of a Gaussian posterior N(mu, var) over the incumbent ``best``."""
    sigma = np.sqrt(np.maximum(var, 1e-18))
    diff = mu - best - xi
    z = diff / sigma
    return np.maximum(diff * ndtr(z) + sigma * _INV_SQRT_2PI * np.exp(-0.5 * z * z), 0.0)


class CellGP:
    """Exact GP regression on one-hot configurations with an (ARD) squared-exponential kernel.

    ``log_beta`` holds one value (shared, hamming kernel) or one per one-hot bit (ARD; 30 on
    NB201); the kernel is ``sf2 * exp(-sum_d beta_d (x_d - x'_d)^2)``. The hamming kernel is
    ``exp(-theta * hamming / n_dims)``, i.e. ``beta = theta / (2 n_dims)`` (NB201: theta / 12).
    Targets are standardised by the caller.
    """

    def __init__(self, width: int, n_dims: int, ard: bool) -> None:
        self.width = width  # one-hot bits (NB201: 30)
        self.scale = 2.0 * n_dims  # hamming = ||x - x'||^2 / 2, divided by n_dims (NB201: 12)
        self.ard = ard
        self.beta = np.full(width, 1.0 / self.scale)
        self.sf2 = 1.0
        self.sn2 = 1e-3

    # --- kernel -----------------------------------------------------------------------------
    def betas(self, p: np.ndarray) -> np.ndarray:
        """Per-bit inverse squared lengthscales from the log parameters (hamming: theta / 12)."""
        if self.ard:
            return np.exp(p[:-2])
        return np.full(self.width, math.exp(p[0]) / self.scale)

    def set_params(self, p: np.ndarray) -> None:
        self.beta = self.betas(p)
        self.sf2 = float(np.exp(p[-2]))
        self.sn2 = float(np.exp(p[-1]))

    def cross(
        self, rows: np.ndarray, cols: np.ndarray, beta: np.ndarray | None = None
    ) -> np.ndarray:
        """Correlation matrix exp(-D_beta) between the cells of two one-hot blocks (no sf2)."""
        beta = self.beta if beta is None else beta
        a = rows @ beta
        b = cols @ beta
        d = a[:, None] + b[None, :] - 2.0 * ((rows * beta) @ cols.T)
        return np.exp(-np.maximum(d, 0.0))

    # --- marginal likelihood ----------------------------------------------------------------
    def neg_mll(
        self, p: np.ndarray, x: np.ndarray, y: np.ndarray, sqdist: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """Negative log marginal likelihood and its gradient in the log parameters ``p``.

        ``sqdist``: optional precomputed ``||x_i - x_j||^2`` (isotropic kernel fast path).
        """
        n = len(y)
        nb = p.size - 2
        beta = self.betas(p)
        sf2, sn2 = math.exp(p[nb]), math.exp(p[nb + 1])
        if not self.ard:
            if sqdist is None:
                sqdist = self.cross_sqdist(x)
            e = np.exp(-beta[0] * sqdist)
        else:
            e = self.cross(x, x, beta)
        k = sf2 * e
        k[np.diag_indices(n)] += sn2
        chol, info = dpotrf(k, lower=1, clean=1)
        if info != 0:
            return 1e10, np.zeros_like(p)
        alpha = cho_solve((chol, True), y, check_finite=False)
        log_det = float(np.log(np.diag(chol)).sum())
        nll = 0.5 * float(y @ alpha) + log_det + 0.5 * n * math.log(2 * math.pi)
        kinv, info = dpotri(chol, lower=1)  # lower triangle of K^-1, zeros above
        kinv += kinv.T
        kinv[np.diag_indices(n)] *= 0.5
        a = kinv - np.outer(alpha, alpha)  # K^-1 - aa^T
        b = a * (sf2 * e)
        grad = np.empty_like(p)
        if self.ard:
            r = b.sum(axis=1)
            # sum_ij B_ij (x_id - x_jd)^2 for every one-hot bit d
            sq = 2.0 * (x.T @ r) - 2.0 * ((b @ x) * x).sum(axis=0)
            grad[:nb] = -0.5 * beta * sq
        else:
            grad[0] = -0.5 * beta[0] * float((b * sqdist).sum())
        grad[nb] = 0.5 * float(b.sum())
        grad[nb + 1] = 0.5 * sn2 * float(np.trace(a))
        return nll, grad

    @staticmethod
    def cross_sqdist(x: np.ndarray) -> np.ndarray:
        """Squared distances between one-hot rows (twice the Hamming distance)."""
        sq = (x * x).sum(axis=1)
        return np.maximum(sq[:, None] + sq[None, :] - 2.0 * (x @ x.T), 0.0)


@register_strategy("gp_bo")
class GPBayesOpt(LazySeenState, Searcher):
    """GP-based Bayesian optimisation with expected improvement over a search space.

    Papers: Jones, Schonlau & Welch, *Efficient Global Optimization of Expensive Black-Box
    Functions*, J. Global Optimization 1998 (EI); Snoek, Larochelle & Adams, *Practical Bayesian
    Optimization of Machine Learning Algorithms*, NeurIPS 2012 (GP-BO with marginal-likelihood
    hyperparameters); ``n_init=10`` random initial cells as in the GP-BO baseline of White,
    Neiswanger & Savani, *BANANAS*, AAAI 2021.

    Args:
        kernel: ``"hamming"`` (categorical overlap kernel, one lengthscale) or ``"onehot"``
            (ARD RBF on the one-hot encoding, 30 lengthscales).
        acq_optimizer: ``"exhaustive"`` (EI of every unevaluated cell; never re-proposes an
            evaluated or pending cell; enumerable spaces only), ``"local"`` (best-improvement
            local search on EI over the single-dimension neighbour graph, 24 neighbours on
            NB201, from the ``n_local_starts`` best cells plus as many random cells) or
            ``"pool"`` (EI over ``pool_size`` uniform samples plus ``pool_size`` mutants of the
            ``n_local_starts`` best cells, the sampled + mutated candidates of BANANAS / NASLib).
            Default: ``exhaustive`` on enumerable spaces, ``pool`` on the others (DARTS).
        n_init: random initial cells (distinct), default 10 as in BANANAS's GP baseline.
        refit_every: re-fit hyperparameters every this many new observations (1 = every step);
            the posterior itself is updated exactly after every observation.
        n_restarts: L-BFGS-B starts per fit (previous optimum or default, plus random ones).
        xi: EI exploration margin in standardised units (0 = plain EI).
        n_local_starts: random and best starts of the local acquisition optimiser (and the
            parents of the pool's mutants).
        pool_size: uniform samples (and as many mutants) of the ``pool`` optimiser.

    Defaults not fixed by the papers are cost choices: ``refit_every=10`` and ``n_restarts=3``
    keep 200 evaluations at a few ms each (see ``benchmarks/bo_overhead.py``).

    Memory: the exhaustive mode caches an (n x 15,625) float32 matrix (about 12.5 MB at n=200).
    ``acquisition`` returns EI in standardised units; ``posterior`` is in objective units.
    """

    paper = (
        "Jones, Schonlau & Welch, Efficient Global Optimization of Expensive Black-Box Functions, "
        "J. Global Optim. 1998; Snoek, Larochelle & Adams, Practical Bayesian Optimization of "
        "Machine Learning Algorithms, NeurIPS 2012"
    )

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        kernel: str = "hamming",
        acq_optimizer: str | None = None,
        n_init: int = 10,
        refit_every: int = 10,
        n_restarts: int = 3,
        xi: float = 0.0,
        n_local_starts: int = 10,
        pool_size: int = 200,
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        if kernel not in KERNELS:
            raise unknown("GP kernel", kernel, KERNELS)
        if acq_optimizer is None:
            acq_optimizer = "exhaustive" if space.enumerable else "pool"
        if acq_optimizer not in ACQ_OPTIMIZERS:
            raise unknown("acquisition optimiser", acq_optimizer, ACQ_OPTIMIZERS)
        if acq_optimizer == "exhaustive" and not space.enumerable:
            raise NasBenchError(
                f"gp_bo: acq_optimizer 'exhaustive' needs an enumerable space; {space.name} has "
                f"{space.size:.3g} ids (use 'pool' or 'local')"
            )
        self.pool_size = check_int("pool_size", pool_size, 1)
        self.kernel = kernel
        self.acq_optimizer = acq_optimizer
        self.n_init = check_int("n_init", n_init, 1)
        self.refit_every = check_int("refit_every", refit_every, 1)
        self.n_restarts = check_int("n_restarts", n_restarts, 1)
        self.xi = _check_float("xi", xi, 0.0)
        self.n_local_starts = check_int("n_local_starts", n_local_starts, 1)
        self._ready = False

    # --- lazy state ---------------------------------------------------------------------------
    def _setup(self) -> None:
        space = self.space
        self._features = None
        if space.enumerable:  # one-hot of every id, row = id
            self._features32 = space.encode(np.arange(space.size), "one_hot").astype(np.float32)
            self._features = self._features32.astype(np.float64)
            self._features32_t = np.ascontiguousarray(self._features32.T)
        self._beta_all: np.ndarray | None = None
        width = sum(d.size for d in space.dims)
        self._gp = CellGP(width, len(space.dims), ard=self.kernel == "onehot")
        self._design = [int(i) for i in distinct_sample(space, self.rng, self.n_init)]
        self._n_asked = 0
        self._seen = Seen(space)  # asked (pending or evaluated)
        self._new: list[tuple[int, float]] = []  # observations not yet in the posterior
        self._x: list[int] = []  # cells in the posterior
        self._y: list[float] = []  # their raw objective values
        self._params: np.ndarray | None = None
        self._fit_n = 0
        self._cap = 0
        self._neigh: np.ndarray | None = None
        self._ready = True

    # --- ask / tell ---------------------------------------------------------------------------
    def ask(self) -> Candidate:
        with one_blas_thread():
            return self._ask()

    def _ask(self) -> Candidate:
        self._ensure_ready()
        while self._n_asked < len(self._design):
            index = self._design[self._n_asked]
            self._n_asked += 1
            if index not in self._seen:
                return self._propose(index)
        self._n_asked += 1
        self._update_model()
        if len(self._x) < 2 or self._seen.all():
            return self._propose(self._random_unseen())
        if self.acq_optimizer == "exhaustive":
            index = self._argmax_exhaustive()
        elif self.acq_optimizer == "local":
            index = self._argmax_local()
        else:
            index = self._argmax_pool()
        return self._propose(index)

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        told = self._told(candidate, observation)
        if told is not None:
            self._new.append(told)

    def _propose(self, index: int) -> Candidate:
        self._seen.add(index)
        return Candidate(int(index))

    def _random_unseen(self) -> int:
        index = self._seen.random_unseen(self.rng)
        return self.space.sample(self.rng) if index is None else index

    def _feat(self, ids) -> np.ndarray:
        """float64 one-hot rows of ``ids``."""
        ids = np.asarray(ids, dtype=np.int64)
        if self._features is not None:
            return self._features[ids]
        return self.space.encode(ids, "one_hot").astype(np.float64).reshape(len(ids), -1)

    # --- model --------------------------------------------------------------------------------
    def _update_model(self) -> None:
        if not self._new:
            return
        n_total = len(self._x) + len(self._new)
        if n_total < 2:
            return
        if self._params is None or n_total - self._fit_n >= self.refit_every:
            for index, value in self._new:
                self._x.append(index)
                self._y.append(value)
            self._new.clear()
            self._refit()
            return
        for index, value in self._new:
            self._add_point(index, value)
        self._new.clear()

    def _bounds(self) -> list[tuple[float, float]]:
        nb = self._gp.width if self.kernel == "onehot" else 1
        scale = _LOG_BETA if self.kernel == "onehot" else _LOG_THETA
        return [scale] * nb + [_LOG_SF2, _LOG_SN2]

    def _refit(self) -> None:
        gp = self._gp
        xf = self._feat(self._x)
        y = np.asarray(self._y, dtype=np.float64)
        self._y_mean = float(y.mean())
        std = float(y.std())
        self._y_std = std if std > 1e-12 else 1.0
        yn = (y - self._y_mean) / self._y_std
        bounds = self._bounds()
        lo = np.array([b[0] for b in bounds])
        hi = np.array([b[1] for b in bounds])
        if self._params is None:
            start = np.empty(len(bounds))
            start[:-2] = math.log(1.0 / gp.scale) if self.kernel == "onehot" else 0.0
            start[-2], start[-1] = 0.0, math.log(1e-3)
        else:
            start = self._params
        sqdist = None if gp.ard else gp.cross_sqdist(xf)
        starts = [start] + [
            lo + (hi - lo) * self.rng.random(len(bounds)) for _ in range(self.n_restarts - 1)
        ]
        best_p, best_f = start, math.inf
        for p0 in starts:
            res = minimize(
                gp.neg_mll, p0, args=(xf, yn, sqdist), jac=True, method="L-BFGS-B", bounds=bounds,
                options={"maxiter": 50, "ftol": 1e-7, "gtol": 1e-4},
            )
            if np.isfinite(res.fun) and res.fun < best_f:
                best_p, best_f = np.clip(res.x, lo, hi), float(res.fun)
        self._params = best_p
        gp.set_params(best_p)
        self._fit_n = len(self._x)
        self._rebuild(yn)

    def _kvec(self, rows: np.ndarray, cols: list[int] | np.ndarray) -> np.ndarray:
        gp = self._gp
        return gp.sf2 * gp.cross(rows, self._feat(cols))

    def _kall(self, cols: list[int]) -> np.ndarray:
        """sf2 * k(cols, every id) in float32, shape (len(cols), size) (exhaustive mode)."""
        gp = self._gp
        beta = gp.beta.astype(np.float32)
        if self._beta_all is None or not np.array_equal(self._beta_all, beta):
            self._beta_all = beta
            self._a_all = self._features32 @ beta
        xc = self._features32[np.asarray(cols, dtype=np.int64)]
        d = (xc * beta) @ self._features32_t
        d *= np.float32(-2.0)
        d += self._a_all
        d += (xc @ beta)[:, None]
        np.maximum(d, 0.0, out=d)
        np.negative(d, out=d)
        np.exp(d, out=d)
        d *= np.float32(gp.sf2)
        return d

    def _ensure_capacity(self, n: int) -> None:
        if n <= self._cap:
            return
        cap = max(64, 2 * self._cap, n)
        chol = np.zeros((cap, cap))
        w = np.zeros(cap)
        if self._cap:
            chol[: self._cap, : self._cap] = self._chol[: self._cap, : self._cap]
            w[: self._cap] = self._w[: self._cap]
        self._chol, self._w = chol, w
        if self.acq_optimizer == "exhaustive":
            v = np.zeros((cap, self.space.size), dtype=np.float32)
            if self._cap:
                v[: self._cap] = self._v[: self._cap]
            self._v = v
        self._cap = cap

    def _rebuild(self, yn: np.ndarray) -> None:
        """Cholesky factor, whitened targets and (exhaustive) all-cell posterior from scratch."""
        gp = self._gp
        n = len(self._x)
        self._cap = 0
        self._ensure_capacity(n)
        xf = self._feat(self._x)
        k = gp.sf2 * gp.cross(xf, xf)
        k[np.diag_indices(n)] += gp.sn2
        jitter = 0.0
        while True:
            try:
                chol = np.linalg.cholesky(k + jitter * np.eye(n))
                break
            except np.linalg.LinAlgError:
                jitter = max(1e-8, 10 * jitter)
        self._chol[:n, :n] = chol
        self._w[:n] = solve_triangular(chol, yn, lower=True)
        self._n = n
        self._best = float(yn.max())
        if self.acq_optimizer == "exhaustive":
            # V = L^-1 K(X, all) as one float32 GEMM with the explicit inverse factor
            linv = solve_triangular(chol, np.eye(n), lower=True, check_finite=False)
            v = linv.astype(np.float32) @ self._kall(self._x)
            self._v[:n] = v
            self._mu = (self._w[:n].astype(np.float32) @ v).astype(np.float64)
            self._var = gp.sf2 - np.einsum("ij,ij->j", v, v).astype(np.float64)

    def _add_point(self, index: int, value: float) -> None:
        """Rank-one extension of the posterior with fixed hyperparameters."""
        gp = self._gp
        n = self._n
        self._ensure_capacity(n + 1)
        xf = self._feat([index])
        kx = self._kvec(xf, self._x)[0]
        chol = self._chol[:n, :n]
        l = solve_triangular(chol, kx, lower=True, check_finite=False)
        d2 = gp.sf2 + gp.sn2 - float(l @ l)
        d = math.sqrt(max(d2, 1e-10))
        yn = (value - self._y_mean) / self._y_std
        self._chol[n, :n] = l
        self._chol[n, n] = d
        w_new = (yn - float(l @ self._w[:n])) / d
        self._w[n] = w_new
        if self.acq_optimizer == "exhaustive":
            v = (self._kall([index])[0] - l.astype(np.float32) @ self._v[:n]) / np.float32(d)
            self._v[n] = v
            self._mu += w_new * v
            self._var -= v * v
        self._x.append(index)
        self._y.append(value)
        self._n = n + 1
        self._best = max(self._best, yn)

    # --- posterior on demand (tests, local search) ----------------------------------------------
    def posterior(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and latent variance at ``indices``, in raw objective units."""
        with one_blas_thread():
            return self._posterior(indices)

    def _posterior(self, indices) -> tuple[np.ndarray, np.ndarray]:
        mu, var = self._fitted_posterior_std(indices)
        return mu * self._y_std + self._y_mean, var * self._y_std**2

    def acquisition(self, indices) -> np.ndarray:
        """Expected improvement at ``indices`` (standardised units)."""
        with one_blas_thread():
            return self._acquisition(indices)

    def _acquisition(self, indices) -> np.ndarray:
        mu, var = self._fitted_posterior_std(indices)
        return expected_improvement(mu, var, self._best, self.xi)

    def _fitted_posterior_std(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """Standardised posterior at ``indices`` with every observation so far in the model."""
        self._ensure_ready()
        self._update_model()
        if self._params is None:
            raise NasBenchError("the GP needs at least 2 finite observations")
        return self._posterior_std(np.atleast_1d(np.asarray(indices, dtype=np.int64)))

    def _posterior_std(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = self._n
        kc = self._kvec(self._feat(idx), self._x)  # (m, n)
        v = solve_triangular(self._chol[:n, :n], kc.T, lower=True, check_finite=False)
        return v.T @ self._w[:n], self._gp.sf2 - np.einsum("ij,ij->j", v, v)

    # --- acquisition optimisers -----------------------------------------------------------------
    def _argmax_exhaustive(self) -> int:
        ei = expected_improvement(self._mu, self._var, self._best, self.xi)
        ei[self._seen.mask] = -np.inf
        return int(np.argmax(ei))

    def _neighbours(self, ids: np.ndarray) -> np.ndarray:
        """Neighbour ids of ``ids``, (m, W), -1 for invalid moves (table cached if enumerable)."""
        if not self.space.enumerable:
            return shift_neighbours(self.space, self.space.configs(ids))
        if self._neigh is None:
            self._neigh = neighbour_table(self.space)
        return self._neigh[ids]

    def _argmax_pool(self) -> int:
        """EI over uniform samples plus mutants of the best cells; best unseen one wins."""
        order = np.argsort(-np.asarray(self._y), kind="stable")[: self.n_local_starts]
        parents = [self._x[i] for i in order]
        per_parent = max(1, self.pool_size // max(1, len(parents)))
        mutants = [self.space.mutate(p, self.rng) for p in parents for _ in range(per_parent)]
        pool = np.concatenate(
            [np.asarray(self.space.sample(self.rng, self.pool_size), np.int64),
             np.asarray(mutants, dtype=np.int64)]
        )
        pool = np.unique(pool)
        pool = pool[[i not in self._seen for i in pool.tolist()]]
        if pool.size == 0:
            return self._random_unseen()
        mu, var = self._posterior_std(pool)
        ei = expected_improvement(mu, var, self._best, self.xi)
        return int(pool[int(np.argmax(ei))])

    def _argmax_local(self) -> int:
        order = np.argsort(-np.asarray(self._y))[: self.n_local_starts]
        starts = np.concatenate(
            [np.asarray(self._x)[order], self.space.sample(self.rng, self.n_local_starts)]
        )
        current = np.unique(starts)
        mu, var = self._posterior_std(current)
        cur_ei = expected_improvement(mu, var, self._best, self.xi)
        visited = dict(zip(current.tolist(), cur_ei.tolist()))
        for _ in range(50):
            nb = self._neighbours(current)  # (m, 24) on NB201
            flat = np.unique(nb[nb >= 0])
            if flat.size == 0:
                break
            mu, var = self._posterior_std(flat)
            ei = expected_improvement(mu, var, self._best, self.xi)
            visited.update(zip(flat.tolist(), ei.tolist()))
            ei_of = dict(zip(flat.tolist(), ei.tolist()))
            ei_of[-1] = -math.inf
            nb_ei = np.vectorize(ei_of.__getitem__, otypes=[float])(nb)
            best_j = nb_ei.argmax(axis=1)
            best_val = nb_ei[np.arange(len(current)), best_j]
            improve = best_val > cur_ei + 1e-12
            if not improve.any():
                break
            current = nb[np.arange(len(current)), best_j][improve]
            cur_ei = best_val[improve]
        ranked = sorted(visited.items(), key=lambda kv: (-kv[1], kv[0]))
        for index, _ in ranked:
            if index not in self._seen:
                return int(index)
        return self._random_unseen()
