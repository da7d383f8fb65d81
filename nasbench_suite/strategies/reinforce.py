"""REINFORCE (Williams, 1992) with a categorical policy per dimension, as in NAS-Bench-201."""

from __future__ import annotations

import math

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.strategies._checks import check_number
from nasbench_suite.strategies._spacetools import dim_sizes, first_valid_id, has_active_rule
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy


@register_strategy("reinforce")
class Reinforce(Searcher):
    """Policy-gradient search with an independent softmax policy over each dimension's choices.

    Williams, "Simple statistical gradient-following algorithms for connectionist reinforcement
    learning", Machine Learning 8, 1992, in the form NAS-Bench-201 and NATS-Bench benchmark it
    (Dong & Yang, ICLR 2020; Dong et al., TPAMI 2021; AutoDL-Projects
    ``exps/NAS-Bench-201-algos/reinforce.py`` and ``exps/NATS-algos/reinforce.py``, same
    algorithm):

    * policy: logits of shape (dimensions, most choices), (6 edges, 5 ops) on NB201,
      initialised to ``1e-3 * N(0, 1)``; each dimension's choice is drawn independently from
      ``softmax(logits[dim])`` over that dimension's own choices (padding columns of smaller
      dimensions are masked out);
    * reward: ``self.score(observation)`` (validation accuracy in % by default, as in NB201);
    * baseline: bias-corrected exponential moving average of the rewards with momentum
      ``ema_momentum``, updated *before* the advantage ``reward - baseline`` is taken (as NB201;
      the first advantage is therefore 0);
    * update: one Adam step (``learning_rate``; betas 0.9/0.999, eps 1e-8, PyTorch's defaults)
      on the loss ``-(reward - baseline) * sum_e log pi(op_e)``, in numpy (no torch).

    Learning rate: the default 0.001 is what ``experiments/nb201.yaml`` uses (NB201's
    ``scripts-search/NAS-Bench-201-algos/REINFORCE.sh`` takes the rate as an argument; its usage
    line says 0.001, the repository's docs say 0.5; 0.001 is the one whose results are close to
    NB201's Table 5 on this data, see that spec). NATS-Bench runs ``--learning_rate 0.01``
    (``exps/NATS-algos/run-all.sh``; ``exps/NATS-Bench/draw-table.py`` reads the
    ``REINFORCE-0.01`` results), which ``experiments/nats_tss.yaml`` sets; at 0.001 the policy
    moves slowly and the search stays close to random search.

    A NaN accuracy (score ``-inf``) is skipped: neither the baseline nor the policy is updated
    (a crashed training run carries no usable reward, and ``-inf`` would wreck the baseline).
    On spaces with conditional dimensions the sampled configuration's inactive dimensions are
    set to 0 and take no part in the gradient (their rows of the policy are left untouched).

    The sampled actions are recovered from the told cell's configuration, so a tell may come late or out
    of order; its gradient is then taken at the current policy (slightly off-policy). An ask
    whose tell never comes costs nothing.
    """

    paper = (
        "Williams, Simple statistical gradient-following algorithms for connectionist "
        "reinforcement learning, Machine Learning 1992; NAS-Bench-201 (Dong & Yang, ICLR 2020)"
    )

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        learning_rate: float = 0.001,
        ema_momentum: float = 0.9,
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.learning_rate = float(
            check_number("reinforce", "learning_rate", learning_rate, 0.0, math.inf, high_open=True)
        )
        self.ema_momentum = float(
            check_number(
                "reinforce", "ema_momentum", ema_momentum, 0.0, 1.0, low_open=False, high_open=True
            )
        )
        self.beta1, self.beta2, self.eps = 0.9, 0.999, 1e-8
        self._logits: np.ndarray | None = None  # drawn on first use (no work in __init__)
        self._m = self._v = None
        self._t = 0
        self._ema_num = 0.0
        self._ema_den = 0.0
        self.updates = 0

    # --- policy -------------------------------------------------------------------------------
    def _policy(self) -> np.ndarray:
        if self._logits is None:
            self._sizes = dim_sizes(self.space)
            width = int(self._sizes.max())
            self._valid = np.arange(width)[None, :] < self._sizes[:, None]  # (dims, width)
            self._logits = 1e-3 * self.rng.standard_normal((len(self._sizes), width))
            self._m = np.zeros_like(self._logits)
            self._v = np.zeros_like(self._logits)
        return self._logits

    @property
    def probabilities(self) -> np.ndarray:
        """Softmax policy, shape (dims, most choices), (6, 5) on NB201: row = dimension."""
        logits = self._policy()
        if not self._valid.all():
            logits = np.where(self._valid, logits, -np.inf)
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def entropy(self) -> float:
        """Total entropy of the policy in nats (at most sum of ln(choices); 6 ln 5 on NB201)."""
        p = self.probabilities
        return float(-(p * np.log(np.clip(p, 1e-300, None))).sum())

    @property
    def baseline(self) -> float:
        """Current moving-average baseline (NaN before the first reward)."""
        return self._ema_num / self._ema_den if self._ema_den > 0 else math.nan

    # --- ask / tell ---------------------------------------------------------------------------
    def ask(self) -> Candidate:
        p = self.probabilities
        cdf = np.cumsum(p, axis=1)

        def draw() -> np.ndarray:
            u = self.rng.random(len(self._sizes))
            return np.minimum((cdf < u[:, None]).sum(axis=1), self._sizes - 1)

        # a configuration outside the space (NAS-Bench-Graph's all-skip cell) is drawn again
        return Candidate(first_valid_id(self.space, draw, self.rng))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        reward = self.score(observation)
        if not math.isfinite(reward):
            return
        p = self.probabilities
        mu = self.ema_momentum
        self._ema_num = mu * self._ema_num + (1 - mu) * reward
        self._ema_den = mu * self._ema_den + (1 - mu)
        advantage = reward - self.baseline
        actions = np.asarray(self.space.config(int(candidate.arch_index)))
        onehot = np.zeros_like(p)
        onehot[np.arange(len(actions)), actions] = 1.0
        grad = -advantage * (onehot - p)  # d loss / d logits
        if has_active_rule(self.space):  # inactive dimensions were not chosen by the policy
            active = np.asarray(self.space.active(tuple(int(a) for a in actions)), dtype=bool)
            grad[~active] = 0.0
        self._t += 1
        self._m = self.beta1 * self._m + (1 - self.beta1) * grad
        self._v = self.beta2 * self._v + (1 - self.beta2) * grad * grad
        m_hat = self._m / (1 - self.beta1**self._t)
        v_hat = self._v / (1 - self.beta2**self._t)
        self._logits = self._logits - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
        self.updates += 1
