"""Resumable training: one schedule of ``config.epochs`` epochs, advanced in segments.

A *schedule* is the run :func:`~nasbench_suite.train.trainer.train` would do with ``config``
(the cosine learning rate anneals over all ``config.epochs`` epochs); :func:`run_segment` trains
its epochs ``e1 + 1 .. e2`` only, starting from scratch (``e1 = 0``) or from the state another
segment left (:class:`Progress` + a checkpoint from :func:`checkpoint_state`). On the CPU the
pieces chain exactly: 0 -> 2 then 2 -> 4 gives the same weights and metrics as 0 -> 4, because the
state holds everything the loop reads (weights and BN buffers, SGD momentum, the step counter of
the per-iteration schedule, the shuffling / augmentation generator and torch's global generator).

Checkpoints hold tensors and plain containers only, so they load with
the audited loader :func:`nasbench_suite.safeload.load_torch` (see :mod:`.cache`).

Seconds. ``Progress.cum_s[e - 1]`` is the wall time of training the schedule from scratch to the
end of epoch ``e`` (model build, training passes, the validation passes done on the way): a
segment adds its own wall time (build, loading the checkpoint, epochs) to the value it resumed
from, so a cell promoted 0 -> 1 -> 3 is charged exactly what its three epochs cost. Test passes
(for reports) and writing checkpoints are not charged.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace

from nasbench_suite.errors import NasBenchError
from nasbench_suite.train.data import DataBundle

CKPT_FORMAT = 1


def _opt(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


@dataclass
class Progress:
    """Per-epoch history of one schedule, trained to ``trained`` epochs (lists of that length).

    ``valid_acc`` / ``test_acc`` are None at epochs not measured (validation: at every segment's
    last epoch, or every epoch with ``eval_every_epoch``; test: at every segment's last epoch).
    """

    arch: str
    params: int
    n_train: int
    device: str
    max_epochs: int
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    valid_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    epoch_s: list = field(default_factory=list)  # training pass only
    cum_s: list = field(default_factory=list)  # charged seconds, from scratch to each epoch's end
    eval_s: float = 0.0  # validation and test passes, all segments

    @property
    def trained(self) -> int:
        """Epochs trained so far."""
        return len(self.cum_s)

    def to_json(self) -> dict:
        """JSON-safe dict (no NaN)."""
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict) -> Progress:
        """Inverse of :meth:`to_json` (raises KeyError / TypeError on malformed input)."""
        out = cls(**obj)
        lengths = {len(getattr(out, k)) for k in ("train_loss", "train_acc", "valid_acc", "test_acc",
                                                   "epoch_s", "cum_s")}
        if len(lengths) != 1:
            raise ValueError("per-epoch lists of different lengths")
        return out

    def fill(self, other: Progress) -> None:
        """Take the measurements ``other`` (the same schedule, deterministic) has and this lacks."""
        for name in ("valid_acc", "test_acc"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for i in range(min(len(mine), len(theirs))):
                if mine[i] is None:
                    mine[i] = theirs[i]


def checkpoint_state(loop, epoch: int) -> dict:
    """Everything :func:`run_segment` needs to continue ``loop`` after ``epoch`` epochs (CPU tensors)."""
    import torch

    def cpu(obj):
        if isinstance(obj, torch.Tensor):
            return obj.detach().to("cpu").clone()
        if isinstance(obj, dict):
            return {k: cpu(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return type(obj)(cpu(v) for v in obj)
        return obj

    return {"format": CKPT_FORMAT, "epoch": int(epoch), "step": int(loop.step),
            "model": cpu(dict(loop.model.state_dict())), "optimizer": cpu(loop.opt.state_dict()),
            "generator": loop.gen.get_state().clone(), "torch_rng": torch.get_rng_state().clone()}


def _restore(loop, state: dict, epoch: int) -> None:
    import torch

    if state.get("format") != CKPT_FORMAT or state.get("epoch") != epoch:
        raise NasBenchError(f"checkpoint is for epoch {state.get('epoch')!r} (format "
                            f"{state.get('format')!r}), the history for epoch {epoch}")
    loop.model.load_state_dict(state["model"])
    loop.opt.load_state_dict(state["optimizer"])
    loop.gen.set_state(state["generator"])
    torch.set_rng_state(state["torch_rng"])
    loop.step = int(state["step"])


def run_segment(
    arch,
    data: DataBundle,
    config,
    to_epoch: int,
    progress: Progress | None = None,
    state: dict | None = None,
    overhead_s: float = 0.0,
) -> tuple[Progress, dict]:
    """Train ``arch``'s schedule (``config.epochs`` long) up to the end of epoch ``to_epoch``.

    Starts from scratch when ``progress`` is None, else continues from ``progress.trained`` with
    ``state`` (a :func:`checkpoint_state`). ``overhead_s`` (e.g. reading the checkpoint) is
    charged to the segment. Returns the extended history (a new object) and the state after
    ``to_epoch``. Validates after ``to_epoch`` (and every epoch with ``config.eval_every_epoch``)
    and measures test accuracy after ``to_epoch``.
    """
    import torch

    from nasbench_suite.models import count_parameters
    from nasbench_suite.train.trainer import _Loop, _run_settings, network_builder, resolve_device

    total = int(config.epochs)
    start = 0 if progress is None else progress.trained
    if not start < int(to_epoch) <= total:
        raise NasBenchError(f"cannot train epochs {start + 1}..{to_epoch} of a {total}-epoch schedule")
    if progress is not None and state is None:
        raise NasBenchError("continuing a training needs its checkpoint")
    arch_str, make = network_builder(arch, config)
    device = resolve_device(config.device)
    cuda = device.type == "cuda"
    amp = cuda if config.amp is None else bool(config.amp)
    nhwc = cuda if config.channels_last is None else bool(config.channels_last)
    t_start = time.perf_counter() - float(overhead_s)
    with _run_settings(config, device):
        torch.manual_seed(config.seed)
        model = make(data.spec)
        params = count_parameters(model)
        model = model.to(device, memory_format=torch.channels_last if nhwc else torch.contiguous_format)
        data = data.to(device)
        net = torch.compile(model) if config.compile else model
        loop = _Loop(net, model, data, config, device, amp, nhwc)
        if progress is None:
            prog = Progress(arch_str, params, len(data.train), str(device), total)
        else:
            _restore(loop, state, start)
            prog = replace(progress, **{k: list(getattr(progress, k)) for k in (
                "train_loss", "train_acc", "valid_acc", "test_acc", "epoch_s", "cum_s")})
        base = prog.cum_s[-1] if prog.cum_s else 0.0
        eval_s = 0.0
        for epoch in range(start, int(to_epoch)):
            loss, acc, secs = loop.train_epoch(epoch, total)
            last = epoch == int(to_epoch) - 1
            t0 = time.perf_counter()
            valid = loop.evaluate(data.valid) if (config.eval_every_epoch or last) else math.nan
            eval_s += time.perf_counter() - t0
            prog.train_loss.append(loss)
            prog.train_acc.append(acc)
            prog.valid_acc.append(_opt(valid))
            prog.test_acc.append(None)
            prog.epoch_s.append(secs)
            prog.cum_s.append(base + time.perf_counter() - t_start)
        t0 = time.perf_counter()
        prog.test_acc[-1] = _opt(loop.evaluate(data.test))
        prog.eval_s += eval_s + time.perf_counter() - t0
        out_state = checkpoint_state(loop, int(to_epoch))
    return prog, out_state


def to_train_result(prog: Progress, dataset: str, config):
    """The :class:`~nasbench_suite.train.trainer.TrainResult` of a schedule trained to its end."""
    from nasbench_suite.train.trainer import TrainResult

    if prog.trained != prog.max_epochs:
        raise NasBenchError(f"the schedule is trained to {prog.trained} of {prog.max_epochs} epochs")
    nan = lambda x: math.nan if x is None else float(x)
    return TrainResult(
        arch=prog.arch, dataset=dataset, epochs=prog.max_epochs, seed=int(config.seed),
        device=prog.device, n_train=prog.n_train, params=prog.params,
        train_loss=tuple(prog.train_loss), train_acc=tuple(prog.train_acc),
        valid_acc=tuple(nan(v) for v in prog.valid_acc), test_acc=nan(prog.test_acc[-1]),
        epoch_times_s=tuple(prog.epoch_s), eval_time_s=prog.eval_s,
        total_time_s=prog.cum_s[-1], config=asdict(config), cum_s=tuple(prog.cum_s),
    )


def history_of_record(record: dict) -> Progress:
    """The per-epoch history of a complete cache record (records written before per-epoch
    seconds existed get ``cum_s`` = their overhead + the cumulative epoch times, so the last
    value is their ``cost_s``)."""
    res = record["result"]
    epoch_s = [float(x) for x in res["epoch_times_s"]]
    cum = res.get("cum_s")
    if not cum:
        overhead = float(record["cost_s"]) - math.fsum(epoch_s)
        cum, run = [], overhead
        for s in epoch_s:
            run += s
            cum.append(run)
        cum[-1] = float(record["cost_s"])
    tests = [None] * len(epoch_s)
    tests[-1] = record.get("test_acc")
    return Progress(record["arch"], int(record["params"]), int(record["n_train"]), record["device"],
                    int(record["epochs"]), list(res["train_loss"]), list(res["train_acc"]),
                    list(res["valid_acc"]), tests, epoch_s, [float(c) for c in cum],
                    float(res.get("eval_time_s", 0.0)))
