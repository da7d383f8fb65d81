"""Train one NB201 cell with NB201's recipe, on CPU (deterministic) or on the GPU (fast).

Recipe (NB201's ``hyper-parameters`` for the 200- and 12-epoch schedules):

* SGD, Nesterov momentum 0.9, weight decay 5e-4 on every parameter, batch 256, cross-entropy.
* Learning rate 0.1 cosine-annealed to 0 **per iteration** (NB201 updates its cosine scheduler with
  the fraction of the epoch done): before step ``t`` of ``T = epochs * batches_per_epoch`` the rate
  is ``0.1 * (1 + cos(pi * t / T)) / 2``. The 12-epoch schedule anneals over its own 12 epochs.
* Augmentation: random crop with zero padding (4 px at 32x32 and 28x28, 2 px at 16x16) and a
  random horizontal flip (not for Fashion-MNIST, see :mod:`.data`); per-dataset normalisation.
* The last, smaller batch of an epoch is kept (NB201's DataLoader does not drop it).
* Validation accuracy is measured every epoch in eval mode (BN running statistics); test accuracy
  once, after the last epoch, for reports only.

Both paths run the same loop over the device-resident pipeline of :mod:`.gpu`; the device decides
the extras. CPU: float32, ``torch.use_deterministic_algorithms`` during the run and a seeded
``torch.Generator`` for shuffling and augmentation, so the same seed gives identical metrics.
CUDA: the dataset resident on the GPU as uint8, augmentation on the GPU, bf16 autocast,
channels_last, TF32 and cuDNN autotuning, optionally ``torch.compile`` (off by default: compiling
costs tens of seconds per cell, which a 12-epoch run on a small cell does not earn back).
Weights are initialised from ``torch.manual_seed(seed)`` on the CPU, so both paths start from the
same network.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from nasbench_suite.errors import NasBenchError
from nasbench_suite.train.data import DataBundle


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters and execution options (defaults: NB201's 200-epoch recipe on CPU).

    Attributes:
        epochs: training epochs (NB201: 200, or 12 for the short schedule).
        batch_size / lr / momentum / nesterov / weight_decay: the optimiser (see module doc).
        channels / cells_per_stage: network width C and depth N (NB201: 16 and 5).
        seed: weight initialisation, shuffling and augmentation seed.
        device: ``cpu``, ``cuda`` or ``cuda:K``.
        amp: bf16 autocast (None: on for CUDA, off for CPU).
        channels_last: NHWC memory format (None: on for CUDA).
        compile: wrap the network in ``torch.compile``.
        eval_batch_size: batch size of validation / test passes.
        eval_every_epoch: validate after every epoch (else after the last only).
        num_threads: CPU threads for the run (None: leave torch's setting).
        space: search space of the trained architectures: ``nb201`` (NB201 cells in
            ``TinyNetwork``; ``channels`` / ``cells_per_stage`` apply) or ``nb-macro``
            (:class:`~nasbench_suite.models.macro.MacroNetwork`, its own fixed widths).
    """

    epochs: int = 200
    batch_size: int = 256
    lr: float = 0.1
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 5e-4
    channels: int = 16
    cells_per_stage: int = 5
    seed: int = 0
    device: str = "cpu"
    amp: bool | None = None
    channels_last: bool | None = None
    compile: bool = False
    eval_batch_size: int = 1024
    eval_every_epoch: bool = True
    num_threads: int | None = None
    space: str = "nb201"

    def recipe(self) -> dict:
        """The fields that change results (not how fast they are computed)."""
        keys = ("batch_size", "lr", "momentum", "nesterov", "weight_decay", "channels", "cells_per_stage")
        out = {k: getattr(self, k) for k in keys}
        if self.space != "nb201":  # NB201 recipes (and their cache tags) stay as they were
            out["space"] = self.space
        return out


TRAIN_SPACES = ("nb201", "nb-macro")


def network_builder(arch, config: TrainConfig):
    """(architecture string, ``make(spec) -> nn.Module``) for ``arch`` in ``config.space``.

    The architecture is checked here, before any training; ``make`` builds the network for a
    dataset spec (classes, image channels) from torch's global generator.
    """
    if config.space == "nb-macro":
        from nasbench_suite.models.macro import MacroNetwork, parse_macro

        digits = parse_macro(arch)
        return "".join(map(str, digits)), lambda spec: MacroNetwork(digits, spec.num_classes, spec.in_channels)
    if config.space != "nb201":
        from nasbench_suite.errors import unknown

        raise unknown("training space", config.space, TRAIN_SPACES)
    from nasbench_suite.models import build_network
    from nasbench_suite.space.codec import check_ops, parse_arch, to_arch_str

    ops = parse_arch(arch) if isinstance(arch, str) else check_ops(arch)
    return to_arch_str(ops), lambda spec: build_network(
        ops, spec.num_classes, config.channels, config.cells_per_stage, spec.in_channels)


@dataclass(frozen=True)
class TrainResult:
    """Per-epoch metrics of one training run. Accuracies in %, times in seconds.

    ``valid_acc[e]`` is NaN for epochs not validated and for settings without a validation split;
    ``test_acc`` is NaN when the setting has no test split. ``epoch_times_s`` time the training
    passes only; ``eval_time_s`` sums the validation and test passes; ``total_time_s`` is the wall
    time of the whole call (data transfer, model build, training, evaluation); for a schedule
    trained in segments (:mod:`.resume`) it is the charged seconds ``cum_s[-1]`` (no test pass).
    """

    arch: str
    dataset: str
    epochs: int
    seed: int
    device: str
    n_train: int
    params: int
    train_loss: tuple[float, ...]
    train_acc: tuple[float, ...]
    valid_acc: tuple[float, ...]
    test_acc: float
    epoch_times_s: tuple[float, ...]
    eval_time_s: float
    total_time_s: float
    config: dict = field(default_factory=dict)
    cum_s: tuple[float, ...] = ()  # seconds from scratch to each epoch's end (resumable runs)

    @property
    def final_valid_acc(self) -> float:
        """Validation accuracy after the last epoch (%)."""
        return self.valid_acc[-1] if self.valid_acc else math.nan

    def to_json(self) -> dict:
        """JSON-safe dict (NaN becomes None)."""
        out = asdict(self)
        return {k: _clean(v) for k, v in out.items()}


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def resolve_device(name: str):
    """``torch.device`` for ``name``; raises a one-line error when CUDA is not available."""
    import torch

    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise NasBenchError(f"unknown device {name!r}; use cpu or cuda") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise NasBenchError(f"device {name!r} requested but CUDA is not available here; use --device cpu")
    if device.type not in ("cpu", "cuda"):
        raise NasBenchError(f"unsupported device {name!r}; use cpu or cuda")
    return device


@contextlib.contextmanager
def _run_settings(config: TrainConfig, device):
    """Deterministic algorithms (CPU) / fast math (CUDA) and thread count, restored afterwards."""
    import torch

    from nasbench_suite.train.gpu import cuda_setup

    was_det = torch.are_deterministic_algorithms_enabled()
    was_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    threads = torch.get_num_threads()
    try:
        if device.type == "cpu":
            torch.use_deterministic_algorithms(True, warn_only=True)
        else:
            cuda_setup(device)
        if config.num_threads:
            torch.set_num_threads(int(config.num_threads))
        yield
    finally:
        torch.use_deterministic_algorithms(was_det, warn_only=was_warn)
        torch.set_num_threads(threads)


def lr_at(step: int, total: int, base: float) -> float:
    """Per-iteration cosine annealing from ``base`` to 0 over ``total`` steps."""
    return base * 0.5 * (1.0 + math.cos(math.pi * step / max(total, 1)))


def train(
    arch,
    data: DataBundle,
    config: TrainConfig = TrainConfig(),
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train ``arch`` (NB201 arch string or op tuple; nb-macro 8-digit string with
    ``config.space="nb-macro"``) on ``data`` with ``config``.

    ``data`` may already be resident on the device (see :meth:`DataBundle.to`); it is moved
    there otherwise. Returns the per-epoch metrics; never returns test accuracy per epoch.
    """
    import torch

    from nasbench_suite.models import count_parameters

    for name in ("epochs", "batch_size", "eval_batch_size", "channels", "cells_per_stage"):
        value = getattr(config, name, 1)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise NasBenchError(f"{name} must be a positive integer, got {value!r}")
    arch_str, make = network_builder(arch, config)
    device = resolve_device(config.device)
    cuda = device.type == "cuda"
    amp = cuda if config.amp is None else bool(config.amp)
    nhwc = cuda if config.channels_last is None else bool(config.channels_last)
    spec = data.spec
    t_start = time.perf_counter()
    with _run_settings(config, device):
        torch.manual_seed(config.seed)
        model = make(spec)
        params = count_parameters(model)
        model = model.to(device, memory_format=torch.channels_last if nhwc else torch.contiguous_format)
        data = data.to(device)
        net = torch.compile(model) if config.compile else model
        loop = _Loop(net, model, data, config, device, amp, nhwc)
        epochs = int(config.epochs)
        losses, accs, valids, times = [], [], [], []
        eval_time = 0.0
        for epoch in range(epochs):
            loss, acc, secs = loop.train_epoch(epoch, epochs)
            losses.append(loss)
            accs.append(acc)
            times.append(secs)
            t0 = time.perf_counter()
            last = epoch == epochs - 1
            valid = loop.evaluate(data.valid) if (config.eval_every_epoch or last) else math.nan
            valids.append(valid)
            eval_time += time.perf_counter() - t0
            if log is not None:
                log(f"epoch {epoch + 1}/{epochs}: loss {loss:.4f} train {acc:.2f}% valid {valid:.2f}% ({secs:.1f} s)")
        t0 = time.perf_counter()
        test = loop.evaluate(data.test)
        eval_time += time.perf_counter() - t0
    return TrainResult(
        arch=arch_str, dataset=spec.name, epochs=epochs, seed=int(config.seed),
        device=str(device), n_train=len(data.train), params=params,
        train_loss=tuple(losses), train_acc=tuple(accs), valid_acc=tuple(valids), test_acc=test,
        epoch_times_s=tuple(times), eval_time_s=eval_time,
        total_time_s=time.perf_counter() - t_start, config=asdict(config),
    )


class _Loop:
    """The training / evaluation passes of one run (state: model, optimiser, generator, step)."""

    def __init__(self, net, model, data: DataBundle, config: TrainConfig, device, amp: bool, nhwc: bool):
        import torch

        from nasbench_suite.train.gpu import Normalizer, make_generator

        self.net, self.model, self.data, self.config, self.device = net, model, data, config, device
        self.amp = amp
        self.norm = Normalizer(data.spec.mean, data.spec.std, device, nhwc)
        self.gen = make_generator(config.seed, device)
        self.opt = torch.optim.SGD(
            model.parameters(), lr=config.lr, momentum=config.momentum,
            nesterov=config.nesterov, weight_decay=config.weight_decay,
        )
        self.loss_fn = torch.nn.CrossEntropyLoss()
        n = len(data.train)
        self.steps_per_epoch = -(-n // config.batch_size)
        self.step = 0

    def _autocast(self):
        from nasbench_suite.train.gpu import autocast

        return autocast(self.device, self.amp)

    def _sync(self) -> None:
        from nasbench_suite.train.gpu import synchronize

        synchronize(self.device)

    def train_epoch(self, epoch: int, epochs: int, max_batches: int | None = None) -> tuple[float, float, float]:
        """One epoch (or its first ``max_batches``); returns (mean loss, train accuracy %, seconds)."""
        import torch

        from nasbench_suite.train.gpu import train_batches

        self._sync()
        t0 = time.perf_counter()
        self.net.train()
        total = epochs * self.steps_per_epoch
        spec, cfg = self.data.spec, self.config
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), device=self.device, dtype=torch.long)
        seen = 0
        batches = train_batches(self.data.train.images, self.data.train.labels,
                                cfg.batch_size, self.gen, spec.pad, spec.flip)
        for done, (images, labels) in enumerate(batches, 1):
            for group in self.opt.param_groups:
                group["lr"] = lr_at(self.step, total, cfg.lr)
            x = self.norm(images)
            with self._autocast():
                logits = self.net(x)
                loss = self.loss_fn(logits.float(), labels)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.step += 1
            loss_sum += loss.detach() * labels.shape[0]
            correct += (logits.argmax(1) == labels).sum()
            seen += labels.shape[0]
            if max_batches is not None and done >= max_batches:
                break
        self._sync()
        secs = time.perf_counter() - t0
        return float(loss_sum) / seen, 100.0 * float(correct) / seen, secs

    def evaluate(self, split) -> float:
        """Accuracy (%) on ``split`` in eval mode; NaN when there is no such split."""
        import torch

        from nasbench_suite.train.gpu import eval_batches

        if split is None or len(split) == 0:
            return math.nan
        self.net.eval()
        correct = torch.zeros((), device=self.device, dtype=torch.long)
        with torch.inference_mode(), self._autocast():
            for images, labels in eval_batches(split.images, split.labels, self.config.eval_batch_size):
                correct += (self.net(self.norm(images)).argmax(1) == labels).sum()
        return 100.0 * float(correct) / len(split)


def measure_throughput(arch, data: DataBundle, config: TrainConfig, batches: int = 3, warmup: int = 1) -> dict:
    """Training speed of ``arch``: ``warmup`` untimed batches, then ``batches`` timed ones.

    Returns ``{"images_per_s", "seconds_per_batch", "images_per_cpu_s", "batch_size", "batches"}``
    (``images_per_cpu_s`` divides by the process's CPU time, which a machine shared with other
    jobs does not inflate; full batches of
    ``config.batch_size``; ``data.train`` must hold at least ``warmup + batches`` of them).
    """
    import torch

    _, make = network_builder(arch, config)
    device = resolve_device(config.device)
    cuda = device.type == "cuda"
    amp = cuda if config.amp is None else bool(config.amp)
    nhwc = cuda if config.channels_last is None else bool(config.channels_last)
    spec = data.spec
    need = (warmup + batches) * config.batch_size
    if len(data.train) < need:
        raise NasBenchError(f"measure_throughput needs {need} training images, got {len(data.train)}")
    with _run_settings(config, device):
        torch.manual_seed(config.seed)
        model = make(spec)
        model = model.to(device, memory_format=torch.channels_last if nhwc else torch.contiguous_format)
        data = data.to(device)
        net = torch.compile(model) if config.compile else model
        loop = _Loop(net, model, data, config, device, amp, nhwc)
        if warmup:
            loop.train_epoch(0, 1, max_batches=warmup)
        loop.step = 0
        cpu0 = time.process_time()
        _, _, secs = loop.train_epoch(0, 1, max_batches=batches)
        cpu_secs = time.process_time() - cpu0
    images = batches * config.batch_size
    return {"images_per_s": images / secs, "seconds_per_batch": secs / batches,
            "images_per_cpu_s": images / cpu_secs, "batch_size": config.batch_size, "batches": batches}
