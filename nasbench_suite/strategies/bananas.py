"""BANANAS: Bayesian optimisation with an ensemble of neural predictors on the path encoding.

The predictor is a numpy ensemble of fully connected ReLU networks trained together with batched
matmuls and Adam (no torch: tabular runs never import it). Everything follows the authors' code
(naszilla, ``nas_algorithms.bananas`` / ``params.meta_neuralnet_params('standard')``) unless noted:

* 10 initial random cells, then batches of ``k=10`` cells chosen at once from a pool of 100
  candidates made by mutating the best evaluated cell (then the next best ones, up to
  ``patience_factor=5`` parents) with per-edge mutation probability ``mutation_rate / 4``
  (naszilla's ``mutation_rate / (OP_SPOTS - 2)``); evaluated, pending and duplicate cells are
  dropped from the pool;
* an ensemble of 5 networks, 10 hidden layers of width 20, Adam (lr 0.01, betas 0.9/0.99),
  mean absolute error loss, Keras Glorot-uniform initialisation;
* independent Thompson sampling (ITS): one draw per candidate from N(ensemble mean, ensemble
  std); the ``k`` largest draws are evaluated.

Deviations, for speed on a tabular benchmark (documented defaults, all overridable): the networks
train full-batch (``batch_size=None``) rather than with mini-batches of 32, for 100 epochs rather
than naszilla's 150 (``epochs=150, batch_size=32`` restores the original schedule), and targets
are standardised before training. Training is compute-bound (about 70k multiply-adds per sample
per step for the 5 x 10 x 20 ensemble); on 100 random NB201 cells the held-out Spearman rank
correlation of the ensemble mean is the same at 60, 100 and 150 full-batch epochs (0.81-0.85)
and with mini-batches of 32, while 100 epochs cut the search overhead by a third.

Mutation is naszilla's NB201 op mutation (``mutate_encoding='adj'``, ``OP_SPOTS = 6``),
generalised to any space: each dimension changes to another choice with probability
``mutation_rate / (n_dims - 2)``. The input is the space's path encoding when it offers one
(NB201: :func:`~nasbench_suite.space.encodings.path_encoding`, 84 bits over the four
non-``none`` ops; naszilla's NB201 runs default to a 155-bit path encoding that counts ``none``
as an op, truncated to its first 30 bits, ``trunc_path``), else the one-hot encoding of the
space's dimensions, which is what NASLib and White et al.'s encoding study ("A Study on
Encodings for Neural Architecture Search", NeurIPS 2020) use where no path encoding exists.
On spaces too large to enumerate the candidate pool is the same (mutants of the best cells,
topped up with uniform samples), so nothing depends on the space's size.
"""

from __future__ import annotations

import itertools
import math
from collections import deque

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.strategies._checks import check_int
from nasbench_suite.strategies._spacetools import (
    LazySeenState,
    Seen,
    dim_sizes,
    distinct_sample,
    ids_of_configs,
)
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy
from nasbench_suite.strategies.gp_bo import one_blas_thread

LOSSES = ("mae", "mse")


def _check_float(name: str, value, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not (
        math.isfinite(value) and low < value <= high
    ):
        raise NasBenchError(f"{name} must be a number in ({low}, {high}], got {value!r}")
    return float(value)


def _sum_rows(g: np.ndarray, ones: np.ndarray, out: np.ndarray) -> None:
    """out[e, 0, :] = g[e].sum(0) as a matmul (much faster than a strided axis-1 reduction)."""
    if ones.shape[2] == g.shape[1]:
        np.matmul(ones, g, out=out)
    else:
        out[...] = g.sum(axis=1, keepdims=True)


class MLPEnsemble:
    """``n_members`` independent ReLU MLPs ``in_dim -> width x num_layers -> 1``, trained together.

    Weights of all members are stacked on a leading axis (float32) and live in one flat buffer so
    Adam is a handful of vectorised operations per step. In full-batch training the members share
    the input, so the first layer is a single 2-D matmul; with mini-batches each member draws its
    own shuffling, as separately trained networks would.
    """

    def __init__(
        self, n_members: int, in_dim: int, num_layers: int, layer_width: int, rng
    ) -> None:
        self.n_members = n_members
        sizes = [in_dim] + [layer_width] * num_layers + [1]
        shapes = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            shapes += [(n_members, fan_in, fan_out), (n_members, 1, fan_out)]
        total = sum(int(np.prod(s)) for s in shapes)
        self.theta = np.zeros(total, dtype=np.float32)
        self.grad = np.zeros(total, dtype=np.float32)
        self.params, self.grads = [], []
        offset = 0
        for shape in shapes:
            size = int(np.prod(shape))
            self.params.append(self.theta[offset : offset + size].reshape(shape))
            self.grads.append(self.grad[offset : offset + size].reshape(shape))
            offset += size
        for w in self.params[0::2]:  # Glorot uniform (Keras default); biases stay zero
            limit = math.sqrt(6.0 / (w.shape[1] + w.shape[2]))
            w[...] = rng.uniform(-limit, limit, size=w.shape)
        self.rng = rng

    def _first(self, x: np.ndarray) -> np.ndarray:
        w0 = self.params[0]
        if x.ndim == 2:  # shared input: one (B, d) @ (d, E*w) matmul
            e, d, w = w0.shape
            h = x @ w0.transpose(1, 0, 2).reshape(d, e * w)
            h = h.reshape(len(x), e, w).transpose(1, 0, 2)
        else:
            h = np.matmul(x, w0)
        return h + self.params[1]

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """x: (B, d) shared or (E, B, d) -> predictions (E, B) and the layer inputs."""
        acts = [x]
        n_layers = len(self.params) // 2
        h = self._first(x)
        for layer in range(1, n_layers):
            np.maximum(h, 0.0, out=h)
            acts.append(h)
            h = np.matmul(h, self.params[2 * layer])
            h += self.params[2 * layer + 1]
        return h[..., 0], acts

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predictions of every member, shape (E, n)."""
        return self._forward(np.asarray(x, dtype=np.float32))[0].astype(np.float64)

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        epochs: int,
        lr: float,
        batch_size: int | None = None,
        loss: str = "mae",
        betas: tuple[float, float] = (0.9, 0.99),
        eps: float = 1e-7,
    ) -> None:
        """Adam on the mean absolute (or squared) error; full batch when ``batch_size`` is None."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.float32)
        n, e = len(y), self.n_members
        m = np.zeros_like(self.theta)
        v = np.zeros_like(self.theta)
        b1, b2 = betas
        step = 0
        bs = n if batch_size is None else min(batch_size, n)
        n_layers = len(self.params) // 2
        full = bs == n
        yb_full = np.broadcast_to(y, (e, n))
        ones = np.ones((1, 1, bs), dtype=np.float32)
        for _ in range(epochs):
            if full:
                batches = [(x, yb_full)]
            else:
                perm = self.rng.permuted(np.tile(np.arange(n), (e, 1)), axis=1)
                cuts = [perm[:, s : s + bs] for s in range(0, n, bs)]
                batches = [(x[c], y[c]) for c in cuts]
            for xb, yb in batches:
                pred, acts = self._forward(xb)
                diff = pred - yb
                g = np.sign(diff) if loss == "mae" else 2.0 * diff
                g = (g * np.float32(1.0 / diff.shape[1]))[..., None]  # (E, B, 1)
                for layer in range(n_layers - 1, 0, -1):
                    a = acts[layer]
                    np.matmul(a.transpose(0, 2, 1), g, out=self.grads[2 * layer])
                    _sum_rows(g, ones, self.grads[2 * layer + 1])
                    g = np.matmul(g, self.params[2 * layer].transpose(0, 2, 1))
                    np.multiply(g, a > 0.0, out=g)
                _sum_rows(g, ones, self.grads[1])
                if xb.ndim == 2:
                    gw = xb.T @ g.transpose(1, 0, 2).reshape(len(xb), -1)
                    self.grads[0][...] = gw.reshape(xb.shape[1], e, -1).transpose(1, 0, 2)
                else:
                    np.matmul(xb.transpose(0, 2, 1), g, out=self.grads[0])
                step += 1
                grad = self.grad
                m *= b1
                m += np.float32(1.0 - b1) * grad
                grad *= grad
                v *= b2
                v += np.float32(1.0 - b2) * grad
                step_lr = lr * math.sqrt(1.0 - b2**step) / (1.0 - b1**step)
                denom = np.sqrt(v)
                denom += np.float32(eps)
                np.divide(m, denom, out=denom)
                denom *= np.float32(step_lr)
                self.theta -= denom


@register_strategy("bananas")
class Bananas(LazySeenState, Searcher):
    """BANANAS with path encoding, a 5-network ensemble, ITS and mutation candidates.

    Paper: White, Neiswanger & Savani, *BANANAS: Bayesian Optimization with Neural Architectures
    for Neural Architecture Search*, AAAI 2021 (defaults from the authors' naszilla code).

    Args:
        num_init: random initial cells (distinct).
        k: cells chosen per batch (returned one per :meth:`ask`).
        num_ensemble: networks in the ensemble.
        num_candidates: size of the mutation candidate pool.
        num_arches_to_mutate: parents mutated per round (``patience_factor`` times as many are
            tried when the pool is short).
        mutation_rate: expected number of mutated edges x 6/4 (per-edge probability rate / 4).
        patience_factor: see ``num_arches_to_mutate``.
        num_layers, layer_width: hidden layers of each network and their width.
        epochs, lr, batch_size, loss: training (``batch_size=None``: full batch).
        acq: ``"its"`` (independent Thompson sampling) or ``"mean"`` (ensemble mean, greedy).
    """

    paper = (
        "White, Neiswanger & Savani, BANANAS: Bayesian Optimization with Neural Architectures for "
        "Neural Architecture Search, AAAI 2021"
    )

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        num_init: int = 10,
        k: int = 10,
        num_ensemble: int = 5,
        num_candidates: int = 100,
        num_arches_to_mutate: int = 1,
        mutation_rate: float = 1.0,
        patience_factor: int = 5,
        num_layers: int = 10,
        layer_width: int = 20,
        epochs: int = 100,
        lr: float = 0.01,
        batch_size: int | None = None,
        loss: str = "mae",
        acq: str = "its",
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.num_init = check_int("num_init", num_init, 1)
        self.k = check_int("k", k, 1)
        self.num_ensemble = check_int("num_ensemble", num_ensemble, 1)
        self.num_candidates = check_int("num_candidates", num_candidates, 1)
        self.num_arches_to_mutate = check_int("num_arches_to_mutate", num_arches_to_mutate, 1)
        self.mutation_rate = _check_float("mutation_rate", mutation_rate, 0.0, 4.0)
        self.patience_factor = check_int("patience_factor", patience_factor, 1)
        self.num_layers = check_int("num_layers", num_layers, 1)
        self.layer_width = check_int("layer_width", layer_width, 1)
        self.epochs = check_int("epochs", epochs, 1)
        self.lr = _check_float("lr", lr, 0.0)
        self.batch_size = check_int("batch_size", batch_size, 1, allow_none=True)
        if loss not in LOSSES:
            raise unknown("loss", loss, LOSSES)
        if acq not in ("its", "mean"):
            raise unknown("acquisition", acq, ("its", "mean"))
        self.loss = loss
        self.acq = acq
        self._ready = False

    def _setup(self) -> None:
        self._seen = Seen(self.space)
        design = distinct_sample(self.space, self.rng, self.num_init)
        self._queue = deque(int(i) for i in design)
        self._x: list[int] = []
        self._y: list[float] = []
        self._sizes = dim_sizes(self.space)
        self._ready = True

    def ask(self) -> Candidate:
        self._ensure_ready()
        while True:
            if not self._queue:
                self._queue.extend(self._next_batch())
            index = self._queue.popleft()
            if index not in self._seen:
                self._seen.add(index)
                return Candidate(index)
            if self._seen.all():  # the whole space is spent: re-propose
                return Candidate(index)

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        told = self._told(candidate, observation)
        if told is not None:
            self._x.append(told[0])
            self._y.append(told[1])

    # --- one BO iteration ---------------------------------------------------------------------
    def _next_batch(self) -> list[int]:
        with one_blas_thread():
            return self._plan_batch()

    def _plan_batch(self) -> list[int]:
        if len(self._x) < 2:
            return self._random_unseen(self.k)
        pool = self._candidates()
        if len(pool) < self.k:
            pool = np.concatenate([pool, self._random_unseen(self.k - len(pool), exclude=pool)])
        preds = self._train(self._x, self._y).predict(pool)  # (E, m)
        mean = preds.mean(axis=0)
        if self.acq == "its":
            score = self.rng.normal(mean, preds.std(axis=0))
        else:
            score = mean
        order = np.argsort(-score, kind="stable")
        return [int(i) for i in pool[order[: self.k]]]

    def train_predictor(self, indices, values) -> EnsemblePredictor:
        """Train a fresh ensemble on (cells, objective values) with the configured settings."""
        with one_blas_thread():
            return self._train(indices, values)

    def _train(self, indices, values) -> EnsemblePredictor:
        y = np.asarray(values, dtype=np.float64)
        mean, std = float(y.mean()), float(y.std())
        std = std if std > 1e-12 else 1.0
        x = self.space.encode(np.asarray(indices), self.encoding)
        net = MLPEnsemble(self.num_ensemble, x.shape[1], self.num_layers, self.layer_width, self.rng)
        net.fit(
            x, (y - mean) / std,
            epochs=self.epochs, lr=self.lr, batch_size=self.batch_size, loss=self.loss,
        )
        return EnsemblePredictor(self.space, net, mean, std, self.encoding)

    def _mutants(self, parent: int, tries: int) -> np.ndarray:
        """``tries`` mutants of ``parent`` (ids; -1 for an invalid configuration)."""
        config = np.asarray(self.space.config(parent), dtype=np.int64)
        n_dims = len(self._sizes)
        prob = self.mutation_rate / max(n_dims - 2, 1)
        mask = self.rng.random((tries, n_dims)) < prob
        shift = self.rng.integers(1, np.maximum(self._sizes, 2), size=(tries, n_dims))
        new = (config[None, :] + mask * shift) % self._sizes
        return ids_of_configs(self.space, new)

    def _candidates(self) -> np.ndarray:
        order = np.argsort(-np.asarray(self._y), kind="stable")
        parents = [self._x[i] for i in order[: self.num_arches_to_mutate * self.patience_factor]]
        taken = self._seen.copy()
        pool: list[int] = []
        tries = self.num_candidates // self.num_arches_to_mutate
        for parent in parents:
            if len(pool) >= self.num_candidates:
                break
            for index in self._mutants(parent, tries):
                if index >= 0 and index not in taken:
                    taken.add(index)
                    pool.append(int(index))
        return np.asarray(pool[: self.num_candidates], dtype=np.int64)

    def _random_unseen(self, n: int, exclude=()) -> np.ndarray:
        if self._seen.mask is None:
            taken = self._seen.copy()
            for i in np.asarray(exclude, dtype=np.int64).tolist():
                taken.add(i)
            out = distinct_sample(self.space, self.rng, n, exclude=taken)
            return out if out.size else self.space.sample(self.rng, n).astype(np.int64)
        free = ~self._seen.mask
        free[np.asarray(exclude, dtype=np.int64)] = False
        unseen = np.flatnonzero(free)
        if unseen.size == 0:
            return self.space.sample(self.rng, n).astype(np.int64)
        return self.rng.choice(unseen, size=min(n, unseen.size), replace=False).astype(np.int64)

    @property
    def encoding(self) -> str:
        """``path`` where the space offers it (NB201), else ``one_hot`` (the fallback of White,
        Neiswanger & Savani's own non-NB201 experiments and of NASLib's BANANAS)."""
        return "path" if "path" in self.space.encodings else "one_hot"


class EnsemblePredictor:
    """A trained ensemble mapping ids to predicted objective values (per member)."""

    def __init__(
        self, space, net: MLPEnsemble, mean: float, std: float, encoding: str = "path"
    ) -> None:
        self.space, self.net, self.mean, self.std = space, net, mean, std
        self.encoding = encoding

    def predict(self, indices) -> np.ndarray:
        """Per-member predictions, shape (num_ensemble, n), in objective units."""
        x = self.space.encode(np.atleast_1d(np.asarray(indices, dtype=np.int64)), self.encoding)
        return self.net.predict(x) * self.std + self.mean
