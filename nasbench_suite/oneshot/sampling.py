"""Sampling-based weight-sharing methods: RSPS (random search with parameter sharing) and ENAS."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from nasbench_suite.oneshot.search import OneShotSearch
from nasbench_suite.space.codec import N_EDGES, N_OPS, OpTuple


class _PathSearch(OneShotSearch):
    """Helpers for single-path methods."""

    def uniform_path(self) -> OpTuple:
        return tuple(
            int(o) for o in torch.randint(0, N_OPS, (N_EDGES,), generator=self.cpu_gen).tolist()
        )

    @torch.no_grad()
    def path_accuracy(self, ops: OpTuple, x, y) -> float:
        """Accuracy (fraction) of the single path ``ops`` on one batch (batch-statistics BN)."""
        with self.autocast():
            logits = self.net(x, None, ops)
        return float((logits.argmax(1) == y).float().mean())

    def arch_weights(self) -> np.ndarray:
        return self._weights


class RSPS(_PathSearch):
    """Random search with weight sharing (RSPS / "RANDOM-NAS" in NB201).

    Li & Talwalkar, "Random Search and Reproducibility for Neural Architecture Search", UAI 2019.
    Every training step samples one path uniformly (each edge's op uniform over the 5) and trains
    the shared weights on it. Selection (after every epoch, so the strategy can propose a cell
    each epoch): ``select_num`` (NB201: 100) cells drawn uniformly are scored on one validation
    batch each (the batches cycle through the split) and the most accurate is the derived cell.
    NB201 settings (RANDOM.config, RANDOM-NAS.sh): 250 epochs, batch 64, SGD lr 0.025 cosine to
    0.001, Nesterov momentum 0.9, wd 5e-4, clip 5.

    Recorded "weights": the per-edge op frequencies among the top 10% of the scored cells (at
    least one) -- what the selection favours; uniform (0.2) before the first epoch.
    """

    method = "rsps"
    paper = (
        "Li & Talwalkar, Random Search and Reproducibility for Neural Architecture Search, "
        "UAI 2019"
    )

    def _build(self) -> None:
        self._weights = np.full((N_EDGES, N_OPS), 1.0 / N_OPS)
        self._best: OpTuple | None = None

    def _train_epoch(self) -> dict:
        total, n = 0.0, 0
        for x, y in self.train_batches():
            loss = self.weight_step(x, y, None, self.uniform_path())
            total = total + loss * y.shape[0]
            n += y.shape[0]
        best_acc = self._select()
        return {"train_loss": total / max(n, 1), "best_valid_acc": 100.0 * best_acc}

    def _select(self) -> float:
        cells, accs = [], []
        for _ in range(self.config.select_num):
            ops = self.uniform_path()
            xv, yv = self.valid_batch()
            cells.append(ops)
            accs.append(self.path_accuracy(ops, xv, yv))
        order = np.argsort(-np.asarray(accs), kind="stable")
        top = np.asarray([cells[i] for i in order[: max(1, len(cells) // 10)]])
        counts = np.zeros((N_EDGES, N_OPS))
        np.add.at(counts, (np.arange(N_EDGES)[None, :].repeat(len(top), 0), top), 1.0)
        self._weights = counts / counts.sum(axis=1, keepdims=True)
        self._best = cells[int(order[0])]
        return accs[int(order[0])]

    def _derive(self) -> OpTuple:
        if self._best is None:
            return tuple(int(o) for o in self._weights.argmax(axis=1))
        return self._best


class Controller(nn.Module):
    """ENAS's LSTM controller emitting one op per edge (NB201's version of it).

    A 2-layer LSTM (hidden 32) starts from a learned input; at edge ``e`` its output gives
    logits ``tanh_constant * tanh(W h / temperature)`` (tanh constant 2.5, temperature 5) over the
    5 ops; the chosen op's embedding is the next input. Runs on the CPU (it is tiny).
    """

    def __init__(
        self,
        lstm_size: int = 32,
        lstm_layers: int = 2,
        tanh_constant: float = 2.5,
        temperature: float = 5.0,
    ) -> None:
        super().__init__()
        self.tanh_constant, self.temperature = float(tanh_constant), float(temperature)
        self.input_vars = nn.Parameter(torch.empty(1, 1, lstm_size).uniform_(-0.1, 0.1))
        self.lstm = nn.LSTM(lstm_size, lstm_size, num_layers=lstm_layers)
        self.embed = nn.Embedding(N_OPS, lstm_size)
        self.pred = nn.Linear(lstm_size, N_OPS)
        for p in self.lstm.parameters():
            nn.init.uniform_(p, -0.1, 0.1)
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        nn.init.uniform_(self.pred.weight, -0.1, 0.1)

    def _logits(self, out: torch.Tensor) -> torch.Tensor:
        return self.tanh_constant * torch.tanh(self.pred(out.view(-1)) / self.temperature)

    def forward(self, generator: torch.Generator | None = None, greedy: bool = False):
        """Sample (or, ``greedy``, decode) a cell.

        Returns (sum of log-probs, sum of entropies, ops, per-edge probabilities (6, 5)).
        """
        inputs, state = self.input_vars, None
        log_prob, entropy, ops, probs = 0.0, 0.0, [], []
        for _ in range(N_EDGES):
            out, state = self.lstm(inputs, state)
            logits = self._logits(out)
            p = torch.softmax(logits, dim=-1)
            logp = torch.log_softmax(logits, dim=-1)
            if greedy:
                op = int(p.argmax())
            else:
                op = int(torch.multinomial(p.detach(), 1, generator=generator))
            log_prob = log_prob + logp[op]
            entropy = entropy - (p * logp).sum()
            ops.append(op)
            probs.append(p.detach())
            inputs = self.embed(torch.tensor([[op]]))
        return log_prob, entropy, tuple(ops), torch.stack(probs)


class ENAS(_PathSearch):
    """ENAS: Efficient Neural Architecture Search via Parameter Sharing.

    Pham, Guan, Zoph, Le & Dean, ICML 2018, on the NB201 cell as NB201 runs it
    (``exps/NAS-Bench-201-algos/ENAS.py``, ENAS.config, ENAS.sh). Each epoch:

    1. shared weights: one pass over the training split, each batch on a path sampled from the
       controller (SGD lr 0.05 cosine to 5e-4, Nesterov momentum 0.9, wd 2.5e-4, batch 128,
       clip 5; 310 epochs);
    2. controller: ``controller_train_steps`` (50) x ``controller_num_aggregate`` (20) sampled
       cells, each scored on one validation batch; reward = accuracy (fraction) +
       ``controller_entropy_weight`` (1e-4) x entropy; baseline = exponential moving average of
       the reward (decay 0.99, started at the first reward); loss ``-log_prob * (reward -
       baseline)`` averaged over 20 samples per Adam step (lr 1e-3, betas (0, 0.999), eps 1e-3),
       gradient norm clipped at 5.

    Derived cell: the controller's greedy decode (argmax at every edge). Recorded weights: the
    controller's per-edge op probabilities along that greedy decode. (NB201 instead keeps the
    best of 10 sampled cells on validation batches.)
    """

    method = "enas"
    paper = (
        "Pham, Guan, Zoph, Le & Dean, Efficient Neural Architecture Search via Parameter Sharing, "
        "ICML 2018"
    )

    def _build(self) -> None:
        cfg = self.config
        self.controller = Controller(
            cfg.controller_lstm_size,
            cfg.controller_lstm_layers,
            cfg.controller_tanh_constant,
            cfg.controller_temperature,
        )
        self.c_opt = torch.optim.Adam(
            self.controller.parameters(),
            lr=cfg.controller_lr,
            betas=tuple(cfg.controller_betas),
            eps=cfg.controller_eps,
        )
        self.baseline: float | None = None
        self._weights = self._greedy()[1]

    def _greedy(self) -> tuple[OpTuple, np.ndarray]:
        with torch.no_grad():
            _, _, ops, probs = self.controller(greedy=True)
        return ops, probs.numpy().astype(np.float64)

    def _train_epoch(self) -> dict:
        cfg = self.config
        total, n = 0.0, 0
        for x, y in self.train_batches():
            with torch.no_grad():
                ops = self.controller(self.cpu_gen)[2]
            loss = self.weight_step(x, y, None, ops)
            total = total + loss * y.shape[0]
            n += y.shape[0]
        rewards = []
        self.c_opt.zero_grad(set_to_none=True)
        for step in range(cfg.controller_train_steps * cfg.controller_num_aggregate):
            log_prob, entropy, ops, _ = self.controller(self.cpu_gen)
            xv, yv = self.valid_batch()
            reward = self.path_accuracy(ops, xv, yv) + cfg.controller_entropy_weight * float(
                entropy.detach()
            )
            if self.baseline is None:
                self.baseline = reward
            else:
                self.baseline -= (1 - cfg.controller_baseline_decay) * (self.baseline - reward)
            loss = -log_prob * (reward - self.baseline) / cfg.controller_num_aggregate
            loss.backward()
            rewards.append(reward)
            if (step + 1) % cfg.controller_num_aggregate == 0:
                nn.utils.clip_grad_norm_(self.controller.parameters(), 5.0)
                self.c_opt.step()
                self.c_opt.zero_grad(set_to_none=True)
        return {
            "train_loss": total / max(n, 1),
            "mean_reward": float(np.mean(rewards)),
            "baseline": self.baseline,
        }

    def _derive(self) -> OpTuple:
        ops, self._weights = self._greedy()
        return ops
