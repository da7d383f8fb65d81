"""Gradient-based one-shot methods: DARTS (first / second order), its latency-aware variant, GDAS.

All alternate, on every training batch, a step of the supernet weights on a training batch and a
step of alpha (Adam) on a validation batch, and derive the cell as the per-edge argmax of alpha
(``none`` included, as NB201's genotype).
"""

from __future__ import annotations

import numpy as np
import torch

from nasbench_suite.oneshot.search import OneShotSearch


class _ArchSearch(OneShotSearch):
    """Shared set-up: Adam on alpha with NB201's settings."""

    def _build(self) -> None:
        cfg = self.config
        self.a_opt = torch.optim.Adam(
            [self.net.alpha],
            lr=cfg.arch_lr,
            betas=tuple(cfg.arch_betas),
            weight_decay=cfg.arch_weight_decay,
        )

    def _arch_loss(self, x, y) -> torch.Tensor:
        """Validation loss of the softmax-weighted supernet (+ the latency term, if any)."""
        probs = torch.softmax(self.net.alpha, dim=-1)
        loss = self.loss(x, y, probs)
        if self.latency_table is not None and self.config.latency_weight > 0:
            loss = loss + self.config.latency_weight * self.expected_latency(probs)
        return loss

    def _arch_step(self, x, y) -> None:
        self.a_opt.zero_grad(set_to_none=True)
        self._arch_loss(x, y).backward()
        self.a_opt.step()

    def _train_epoch(self) -> dict:
        total, n = 0.0, 0
        for x, y in self.train_batches():
            xv, yv = self.valid_batch()
            loss = self._iteration(x, y, xv, yv)
            total = total + loss * y.shape[0]
            n += y.shape[0]
        return {"train_loss": total / max(n, 1)}

    def _iteration(self, x, y, xv, yv):
        """NB201's order: weight step on the training batch, then alpha on the validation batch."""
        probs = torch.softmax(self.net.alpha.detach(), dim=-1)
        loss = self.weight_step(x, y, probs)
        self._arch_step(xv, yv)
        return loss


class DartsV1(_ArchSearch):
    """DARTS, first-order approximation (DARTS-V1).

    Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019. Every edge is
    the softmax(alpha)-weighted sum of the 5 ops; alpha follows the gradient of the validation
    loss at the current weights (no unrolling). NB201 settings: 50 epochs, batch 64, SGD lr 0.025
    cosine to 0.001, Nesterov momentum 0.9, wd 5e-4, clip 5; Adam on alpha lr 3e-4, betas
    (0.5, 0.999), wd 1e-3.
    """

    method = "darts-v1"
    paper = (
        "Liu, Simonyan & Yang, DARTS: Differentiable Architecture Search, ICLR 2019 (first order)"
    )


class DartsV2(_ArchSearch):
    """DARTS, second-order approximation (DARTS-V2).

    Liu et al., ICLR 2019, Sec. 2.3: alpha follows the gradient of ``L_val(w', alpha)`` at the
    one-step unrolled weights ``w' = w - xi * dL_train/dw`` (``xi`` = the current weight learning
    rate; the SGD momentum buffer and weight decay are part of the virtual step, as in DARTS'
    ``_compute_unrolled_model``), i.e.

        grad = d_alpha L_val(w', alpha)
               - xi * d2_{alpha,w} L_train(w, alpha) . d_w' L_val(w', alpha)

    with the Hessian-vector product by central finite differences,
    ``(d_alpha L_train(w+, alpha) - d_alpha L_train(w-, alpha)) / (2 eps)``,
    ``w+- = w +- eps v``, ``eps = unrolled_eps / ||v||`` (DARTS: 0.01). The virtual step is
    taken in place on the supernet's weights and undone afterwards (no model copy). The arch step
    comes before the weight step (DARTS' order); the unrolled step runs in float32 even under
    autocast. At DARTS' 0.01 the finite difference is a coarse approximation on a ReLU network (the
    perturbation crosses activation kinks; on the tiny test network its cosine similarity to the
    exact Hessian-vector product is only ~0.5-0.8); with ``unrolled_eps=1e-7`` in float64 the
    result equals the exact second-order gradient (``tests/oneshot/test_darts_v2.py``).
    """

    method = "darts-v2"
    paper = (
        "Liu, Simonyan & Yang, DARTS: Differentiable Architecture Search, ICLR 2019 (second order)"
    )

    def _iteration(self, x, y, xv, yv):
        self._unrolled_arch_step(x, y, xv, yv)
        probs = torch.softmax(self.net.alpha.detach(), dim=-1)
        return self.weight_step(x, y, probs)

    def _alpha_grad(self, x, y) -> torch.Tensor:
        probs = torch.softmax(self.net.alpha, dim=-1)
        loss = self.loss_fn(self.net(x, probs), y)
        return torch.autograd.grad(loss, self.net.alpha)[0]

    def _unrolled_arch_step(self, x, y, xv, yv) -> None:
        net, cfg = self.net, self.config
        params = net.weight_parameters()
        xi = self.lr
        with torch.autocast(self.device.type, enabled=False):
            probs = torch.softmax(net.alpha, dim=-1)
            loss = self.loss_fn(net(x, probs.detach()), y)
            grads = torch.autograd.grad(loss, params)
            saved = [p.detach().clone() for p in params]
            with torch.no_grad():  # w' = w - xi * (momentum * buf + g + wd * w)
                for p, g in zip(params, grads, strict=True):
                    d = g + cfg.weight_decay * p
                    buf = self.w_opt.state.get(p, {}).get("momentum_buffer")
                    if buf is not None:
                        d = d + cfg.momentum * buf
                    p.sub_(xi * d)
            probs = torch.softmax(net.alpha, dim=-1)
            val_loss = self.loss_fn(net(xv, probs), yv)
            if self.latency_table is not None and cfg.latency_weight > 0:
                val_loss = val_loss + cfg.latency_weight * self.expected_latency(probs)
            out = torch.autograd.grad(val_loss, [net.alpha, *params])
            d_alpha, v = out[0], out[1:]
            norm = torch.sqrt(sum((g**2).sum() for g in v))
            eps = cfg.unrolled_eps / norm.clamp_min(1e-12)
            with torch.no_grad():
                for p, w, g in zip(params, saved, v, strict=True):
                    p.copy_(w + eps * g)
            g_plus = self._alpha_grad(x, y)
            with torch.no_grad():
                for p, w, g in zip(params, saved, v, strict=True):
                    p.copy_(w - eps * g)
            g_minus = self._alpha_grad(x, y)
            with torch.no_grad():
                for p, w in zip(params, saved, strict=True):
                    p.copy_(w)
        self.a_opt.zero_grad(set_to_none=True)
        net.alpha.grad = (d_alpha - xi * (g_plus - g_minus) / (2 * eps)).detach()
        self.a_opt.step()


class DartsHW(DartsV1):
    """Latency-aware DARTS: first-order DARTS whose architecture loss adds
    ``latency_weight * E[latency]`` on a store device.

    The additive expected-latency penalty of FBNet (Wu et al., "FBNet: Hardware-Aware Efficient
    ConvNet Design via Differentiable Neural Architecture Search", CVPR 2019, which multiplies
    ``alpha * log(LAT)^beta``) in ProxylessNAS' additive form (Cai, Zhu & Han, "ProxylessNAS:
    Direct Neural Architecture Search on Target Task and Hardware", ICLR 2019, Eq. 5:
    ``loss + lambda * E[LAT]``). ``E[LAT] = base + sum_e softmax(alpha_e) . lut[e]`` (ms) with
    the table fitted to the store's measured latencies (:mod:`nasbench_suite.oneshot.latency`).
    ``latency_weight`` is in loss units per ms (default 0.1: our choice, not a paper's; 0 gives
    DARTS-V1). Everything else as DARTS-V1.
    """

    method = "darts-hw"
    paper = (
        "Cai, Zhu & Han, ProxylessNAS, ICLR 2019; Wu et al., FBNet, CVPR 2019 "
        "(expected-latency loss on DARTS, Liu et al., ICLR 2019)"
    )

    def __init__(self, data, config, latency_table=None) -> None:
        if latency_table is None:
            from nasbench_suite.errors import NasBenchError

            raise NasBenchError(
                "darts-hw needs a latency device (--latency-device, one of the store's devices)"
            )
        super().__init__(data, config, latency_table)


class GDAS(_ArchSearch):
    """GDAS: Gradient-based search using Differentiable Architecture Sampler.

    Dong & Yang, "Searching for A Robust Neural Architecture in Four GPU Hours", CVPR 2019. Each
    step draws, per edge, a Gumbel-softmax sample ``h = softmax((log_softmax(alpha) + g) / tau)``
    and uses its one-hot argmax with the straight-through estimator (``onehot - h.detach() + h``):
    only the sampled op runs, scaled by its (value 1) weight, so gradients reach alpha. A fresh
    sample for the weight step (training batch) and for the alpha step (validation batch).
    ``tau`` decays linearly from ``tau_max`` = 10 to ``tau_min`` = 0.1 over the epochs
    (``tau_max - (tau_max - tau_min) * epoch / (epochs - 1)``). NB201 settings: 240 epochs,
    otherwise as DARTS (GDAS.config, GDAS.sh).
    """

    method = "gdas"
    paper = "Dong & Yang, Searching for A Robust Neural Architecture in Four GPU Hours, CVPR 2019"

    @property
    def tau(self) -> float:
        cfg = self.config
        frac = self.epoch / max(cfg.epochs - 1, 1)
        return cfg.tau_max - (cfg.tau_max - cfg.tau_min) * min(frac, 1.0)

    def _hard_sample(self, alpha: torch.Tensor):
        """(straight-through weights (6, 5), sampled op tuple)."""
        u = torch.empty(alpha.shape).exponential_(generator=self.cpu_gen)
        gumbels = (-u.log()).to(alpha.device)
        probs = torch.softmax((torch.log_softmax(alpha, dim=-1) + gumbels) / self.tau, dim=-1)
        index = probs.argmax(dim=-1)
        hard = torch.zeros_like(probs).scatter_(-1, index[:, None], 1.0)
        return hard - probs.detach() + probs, tuple(int(i) for i in index.tolist())

    def _iteration(self, x, y, xv, yv):
        with torch.no_grad():
            weights, ops = self._hard_sample(self.net.alpha)
        loss = self.weight_step(x, y, weights, ops)
        self.a_opt.zero_grad(set_to_none=True)
        weights, ops = self._hard_sample(self.net.alpha)
        self.loss(xv, yv, weights, ops).backward()
        self.a_opt.step()
        return loss

    def _train_epoch(self) -> dict:
        out = super()._train_epoch()
        out["tau"] = self.tau
        return out


def argmax_ops(weights: np.ndarray) -> tuple[int, ...]:
    """Per-edge argmax of a (6, 5) weight array."""
    return tuple(int(o) for o in np.asarray(weights).argmax(axis=1))
