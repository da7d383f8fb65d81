"""The one-shot search loop shared by every method: configuration, data, optimisers, records.

A method (see :mod:`.darts` and :mod:`.sampling`) subclasses :class:`OneShotSearch` and
implements ``_train_epoch`` (one pass over the training split, updating supernet weights and
architecture parameters), ``arch_weights`` (the (6, 5) distribution it records every epoch) and
``_derive`` (the cell it proposes). :meth:`OneShotSearch.run_epoch` times each epoch in real wall
seconds (with a CUDA synchronisation on both ends), which is what the runner charges to its clock.

Data: the supernet weights are trained on ``data.train`` and the architecture (alpha, the ENAS
controller, the RSPS / ENAS selection) on ``data.valid``, both with the training augmentation, as
NB201's ``get_nas_search_loaders``. A bundle without a validation split (``cifar10``) is replaced
by ``cifar10-valid``'s halves of the CIFAR-10 training set (NB201 searches on those); see
:func:`nasbench_suite.oneshot.data.search_data`.

Execution: CPU runs in float32 with ``torch.use_deterministic_algorithms`` (warn-only) and
seeded generators, so a seed repeats exactly. CUDA runs keep the data resident on the GPU as
uint8, augment there, and use bf16 autocast, channels_last, TF32 and cuDNN autotuning (the
trainer's GPU path, :mod:`nasbench_suite.train.gpu`); they are fast, not bit-reproducible.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import asdict, dataclass, field, fields
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from nasbench_suite.errors import NasBenchError
from nasbench_suite.oneshot.supernet import Supernet
from nasbench_suite.space.codec import OpTuple, to_arch_str


@dataclass(frozen=True)
class SearchConfig:
    """Search hyperparameters (defaults: NB201's DARTS setting; per method: ``METHOD_DEFAULTS``).

    Weights: SGD (Nesterov, momentum), weight decay, per-iteration cosine from ``lr`` to
    ``lr_min`` over ``epochs``, gradient-norm clipping at ``grad_clip``, batch ``batch_size``.
    Architecture: Adam(``arch_lr``, betas ``arch_betas``, L2 ``arch_weight_decay``).
    DARTS-V2: finite-difference step ``unrolled_eps / ||v||`` (DARTS: 0.01).
    GDAS: Gumbel temperature linear from ``tau_max`` to ``tau_min`` over the epochs.
    RSPS: ``select_num`` sampled cells scored on one validation batch each.
    ENAS: the ``controller_*`` fields (LSTM, Adam, REINFORCE with baseline and entropy bonus).
    Hardware-aware: ``latency_weight`` (loss units per ms) times the expected latency on
    ``latency_device``.
    Execution: ``device``, ``amp`` / ``channels_last`` (None: on for CUDA), ``max_batches``
    (cap on training batches per epoch; speed measurements only), ``num_threads``.
    """

    epochs: int = 50
    batch_size: int = 64
    lr: float = 0.025
    lr_min: float = 0.001
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 5e-4
    grad_clip: float = 5.0
    arch_lr: float = 3e-4
    arch_betas: tuple[float, float] = (0.5, 0.999)
    arch_weight_decay: float = 1e-3
    tau_max: float = 10.0
    tau_min: float = 0.1
    unrolled_eps: float = 0.01
    select_num: int = 100
    controller_lr: float = 1e-3
    controller_betas: tuple[float, float] = (0.0, 0.999)
    controller_eps: float = 1e-3
    controller_entropy_weight: float = 1e-4
    controller_baseline_decay: float = 0.99
    controller_train_steps: int = 50
    controller_num_aggregate: int = 20
    controller_lstm_size: int = 32
    controller_lstm_layers: int = 2
    controller_tanh_constant: float = 2.5
    controller_temperature: float = 5.0
    latency_device: str | None = None
    latency_weight: float = 0.0
    channels: int = 16
    cells_per_stage: int = 5
    seed: int = 0
    device: str = "cpu"
    amp: bool | None = None
    channels_last: bool | None = None
    max_batches: int | None = None
    num_threads: int | None = None

    def to_json(self) -> dict:
        return asdict(self)


# NB201 search settings (AutoDL-Projects configs/nas-benchmark/algos/*.config and
# scripts-search/NAS-Bench-201-algos/*.sh, C=16, N=5); only the fields that differ from the
# SearchConfig defaults (= DARTS.config + DARTS-V1.sh) are listed.
METHOD_DEFAULTS: dict[str, dict] = {
    "darts-v1": {},
    "darts-v2": {},
    "darts-hw": {"latency_device": "1080ti_1", "latency_weight": 0.1},
    "gdas": {"epochs": 240},
    "rsps": {"epochs": 250},
    "enas": {"epochs": 310, "lr": 0.05, "lr_min": 5e-4, "weight_decay": 2.5e-4, "batch_size": 128},
}


def make_config(method: str, **overrides) -> SearchConfig:
    """The NB201 configuration of ``method`` with ``overrides`` (None values are ignored)."""
    known = {f.name for f in fields(SearchConfig)}
    bad = sorted(k for k in overrides if k not in known)
    if bad:
        raise NasBenchError(
            f"unknown search setting(s) {', '.join(bad)}; known: {', '.join(sorted(known))}"
        )
    values = dict(METHOD_DEFAULTS.get(method, {}))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _validate(SearchConfig(**values))


def _validate(cfg: SearchConfig) -> SearchConfig:
    for name in (
        "epochs",
        "batch_size",
        "channels",
        "cells_per_stage",
        "select_num",
        "controller_train_steps",
        "controller_num_aggregate",
    ):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise NasBenchError(f"search setting {name} must be a positive integer, got {value!r}")
    for name in ("lr", "arch_lr", "tau_max", "tau_min", "controller_lr", "unrolled_eps"):
        value = getattr(cfg, name)
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise NasBenchError(f"search setting {name} must be a positive number, got {value!r}")
    if not math.isfinite(cfg.latency_weight) or cfg.latency_weight < 0:
        raise NasBenchError(f"latency weight must be a number >= 0, got {cfg.latency_weight!r}")
    return cfg


# --- the loop ---------------------------------------------------------------------------------
@dataclass
class SearchResult:
    """Outcome of a search: the derived cell, real search seconds, per-epoch records."""

    method: str
    ops: OpTuple
    arch: str
    epochs: int
    search_time_s: float
    history: list[dict] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def resolve_device(name: str) -> torch.device:
    from nasbench_suite.train.trainer import resolve_device as _resolve

    return _resolve(name)


class OneShotSearch:
    """Base class of the one-shot methods (one instance = one search).

    Args:
        data: a :class:`~nasbench_suite.train.data.DataBundle` with train and valid splits.
        config: :class:`SearchConfig` (see :func:`make_config`).
        latency_table: a :class:`~nasbench_suite.oneshot.latency.LatencyTable` (hardware-aware
            methods only).

    The constructor builds the supernet (weights from ``torch.manual_seed(config.seed)`` inside
    a forked RNG, so the global generator is left alone) and moves the data to the device.
    """

    method: ClassVar[str] = "?"
    paper: ClassVar[str] = ""

    def __init__(self, data, config: SearchConfig, latency_table=None) -> None:
        if data.valid is None or len(data.valid) == 0:
            raise NasBenchError("one-shot search needs a validation split (see search_data)")
        self.config = config
        self.device = resolve_device(config.device)
        cuda = self.device.type == "cuda"
        self.amp = cuda if config.amp is None else bool(config.amp)
        self.nhwc = cuda if config.channels_last is None else bool(config.channels_last)
        self.latency_table = latency_table
        spec = data.spec
        from nasbench_suite.train.gpu import Normalizer, make_generator

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(config.seed))
            self.net = Supernet(
                spec.num_classes, config.channels, config.cells_per_stage, spec.in_channels
            )
            self._build()
        fmt = torch.channels_last if self.nhwc else torch.contiguous_format
        self.net = self.net.to(self.device, memory_format=fmt)
        self.data = data.to(self.device)
        self.norm = Normalizer(spec.mean, spec.std, self.device, self.nhwc)
        self.gen = make_generator(config.seed, self.device)  # shuffling + augmentation
        self.cpu_gen = torch.Generator().manual_seed(
            int(config.seed) + 1
        )  # paths, Gumbel, controller
        self.w_opt = torch.optim.SGD(
            self.net.weight_parameters(),
            lr=config.lr,
            momentum=config.momentum,
            nesterov=config.nesterov,
            weight_decay=config.weight_decay,
        )
        self.loss_fn = nn.CrossEntropyLoss()
        n_batches = -(-len(self.data.train) // config.batch_size)
        self.steps_per_epoch = min(n_batches, config.max_batches or n_batches)
        self.step = 0
        self.epoch = 0
        self.search_time_s = 0.0
        self.history: list[dict] = []
        self._valid_iter = None
        self._ops: OpTuple | None = None
        if latency_table is not None:
            self._lut = torch.as_tensor(latency_table.lut, dtype=torch.float32, device=self.device)

    def modelled_epoch_cost_s(self) -> float:
        """The deterministic seconds of one epoch (:mod:`~nasbench_suite.oneshot.cost_model`)."""
        from nasbench_suite.oneshot.cost_model import epoch_cost_s

        cfg, images = self.config, self.data.train.images
        seen = min(len(self.data.train), self.steps_per_epoch * cfg.batch_size)
        pixels = int(images.shape[-1]) * int(images.shape[-2])
        return epoch_cost_s(self.method, seen, cfg.channels, cfg.cells_per_stage, pixels)

    # --- hooks for the methods ------------------------------------------------------------------
    def _build(self) -> None:
        """Create extra modules (under the seeded, forked RNG)."""

    def _train_epoch(self) -> dict:
        raise NotImplementedError

    def arch_weights(self) -> np.ndarray:
        """The architecture distribution recorded every epoch, (6 edges, 5 ops), rows sum to 1."""
        return (
            torch.softmax(self.net.alpha.detach().float(), dim=-1).cpu().numpy().astype(np.float64)
        )

    def _derive(self) -> OpTuple:
        """The cell proposed now (default: argmax of alpha per edge)."""
        return tuple(int(o) for o in self.net.alpha.detach().argmax(dim=-1).tolist())

    # --- shared pieces --------------------------------------------------------------------------
    def autocast(self):
        from nasbench_suite.train.gpu import autocast

        return autocast(self.device, self.amp)

    def _sync(self) -> None:
        from nasbench_suite.train.gpu import synchronize

        synchronize(self.device)

    def train_batches(self):
        """One epoch of (normalised images, labels) training batches; sets the lr per step."""
        from nasbench_suite.train.gpu import train_batches

        cfg, spec = self.config, self.data.spec
        total = cfg.epochs * self.steps_per_epoch
        batches = train_batches(
            self.data.train.images,
            self.data.train.labels,
            cfg.batch_size,
            self.gen,
            spec.pad,
            spec.flip,
        )
        for i, (images, labels) in enumerate(batches):
            if i >= self.steps_per_epoch:
                break
            t = min(self.step, total)
            lr = cfg.lr_min + (cfg.lr - cfg.lr_min) * 0.5 * (
                1.0 + math.cos(math.pi * t / max(total, 1))
            )
            for group in self.w_opt.param_groups:
                group["lr"] = lr
            self.step += 1
            yield self.norm(images), labels

    @property
    def lr(self) -> float:
        return float(self.w_opt.param_groups[0]["lr"])

    def valid_batch(self):
        """The next (normalised, augmented) validation batch, cycling over the split."""
        from nasbench_suite.train.gpu import train_batches

        spec = self.data.spec
        for _ in range(2):
            if self._valid_iter is None:
                self._valid_iter = train_batches(
                    self.data.valid.images,
                    self.data.valid.labels,
                    self.config.batch_size,
                    self.gen,
                    spec.pad,
                    spec.flip,
                )
            try:
                images, labels = next(self._valid_iter)
                return self.norm(images), labels
            except StopIteration:
                self._valid_iter = None
        raise RuntimeError("empty validation split")

    def loss(self, x, y, weights=None, ops=None) -> torch.Tensor:
        with self.autocast():
            logits = self.net(x, weights, ops)
        return self.loss_fn(logits.float(), y)

    def weight_step(self, x, y, weights=None, ops=None) -> float:
        """One SGD step of the supernet weights (``weights`` should carry no graph to alpha)."""
        self.w_opt.zero_grad(set_to_none=True)
        loss = self.loss(x, y, weights, ops)
        loss.backward()
        nn.utils.clip_grad_norm_(self.net.weight_parameters(), self.config.grad_clip)
        self.w_opt.step()
        return loss.detach()

    def expected_latency(self, probs: torch.Tensor) -> torch.Tensor:
        """Expected fitted latency (ms) under per-edge probabilities ``probs`` (6, 5)."""
        return self.latency_table.base + (probs.float() * self._lut).sum()

    @contextlib.contextmanager
    def _settings(self):
        """Deterministic algorithms (CPU) / fast math (CUDA) and thread count, restored after."""
        from nasbench_suite.train.gpu import cuda_setup

        was_det = torch.are_deterministic_algorithms_enabled()
        was_warn = torch.is_deterministic_algorithms_warn_only_enabled()
        threads = torch.get_num_threads()
        try:
            if self.device.type == "cpu":
                torch.use_deterministic_algorithms(True, warn_only=True)
            else:
                cuda_setup(self.device)
            if self.config.num_threads:
                torch.set_num_threads(int(self.config.num_threads))
            yield
        finally:
            torch.use_deterministic_algorithms(was_det, warn_only=was_warn)
            torch.set_num_threads(threads)

    # --- public API -----------------------------------------------------------------------------
    def run_epoch(self) -> dict:
        """Run one search epoch; returns (and appends to ``history``) its record.

        Record keys: ``epoch`` (1-based), ``seconds`` (wall), ``lr``, ``train_loss``, ``arch``
        (derived cell), ``ops``, ``weights`` (the (6, 5) distribution as nested lists) and any
        method-specific values (``tau``, ``expected_latency_ms``, ``baseline``, ...).
        """
        if self.epoch >= self.config.epochs:
            raise StopIteration(f"{self.method}: all {self.config.epochs} epochs are done")
        with self._settings():
            self._sync()
            t0 = time.perf_counter()
            self.net.train()
            stats = self._train_epoch()
            self._ops = self._derive()
            self._sync()
            secs = time.perf_counter() - t0
        self.epoch += 1
        self.search_time_s += secs
        weights = self.arch_weights()
        record = {
            "epoch": self.epoch,
            "seconds": secs,
            "lr": self.lr,
            **{k: _py(v) for k, v in stats.items()},
            "arch": to_arch_str(self._ops),
            "ops": list(self._ops),
            "weights": weights.round(6).tolist(),
        }
        if self.latency_table is not None:
            record["expected_latency_ms"] = self.latency_table.expected(weights)
        self.history.append(record)
        return record

    def derived_ops(self) -> OpTuple:
        """The cell proposed after the last epoch (derived now if no epoch ran)."""
        if self._ops is None:
            self._ops = self._derive()
        return self._ops

    def run(self, epochs: int | None = None) -> SearchResult:
        """Run ``epochs`` more epochs (default: all that remain) and return the result."""
        todo = self.config.epochs - self.epoch if epochs is None else int(epochs)
        for _ in range(max(todo, 0)):
            self.run_epoch()
        ops = self.derived_ops()
        extra = (
            {} if self.latency_table is None else {"latency_table": self.latency_table.to_json()}
        )
        return SearchResult(
            self.method,
            ops,
            to_arch_str(ops),
            self.epoch,
            self.search_time_s,
            list(self.history),
            self.config.to_json(),
            extra,
        )


def _py(value):
    if isinstance(value, torch.Tensor):
        return float(value.detach().float().cpu())
    if isinstance(value, np.generic):
        return value.item()
    return value
