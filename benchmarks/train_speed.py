"""Training speed of NB201 cells (C=16, N=5, batch 256) on CPU and, when present, on CUDA.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/train_speed.py [--cpu-batches 3]
[--no-cpu] [--gpu-epochs 2] [--compile] [--threads N]``.

* CPU: ``--cpu-batches`` timed batches after one warm-up batch; the seconds per 25k-image 32x32
  epoch (cifar10-valid's training split) are **extrapolated** from them (``"extrapolated": true``),
  both in wall seconds and in process CPU seconds (the latter is not inflated by other jobs).
* CUDA: the real GPU path (:func:`nasbench_suite.train.trainer.train`: data resident on the GPU,
  GPU augmentation, bf16, channels_last) on a full 25k-image split; the first epoch is warm-up
  (cuDNN autotuning, compilation), the last one is timed; a validation pass over 25k images is
  timed too, and ``cells_per_gpu_hour_12ep`` = 3600 / (the cold first epoch + 11 warm epochs +
  one validation pass + one test pass), the TrainingBenchmark's default (validation after the
  last epoch only). Cells are trained one after another; several worker processes per GPU
  would raise the total (not measured).
* Each time sits beside NB201's recorded time per epoch of the same cell
  (``epoch_time_s@cifar10-valid`` of the store) as ``ratio_to_nb201`` (< 1: faster than NB201).

CIFAR-10 is used when it is on disk; otherwise random uint8 images shaped like CIFAR-10 (the
speed of these networks does not depend on pixel values), which the JSON states in ``data``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

CELLS = {
    "all_conv3x3": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "resnet_like": "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|",
    "light_skip_pool": "|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|avg_pool_3x3~1|skip_connect~2|",
}
EPOCH_IMAGES = 25_000


def load_data(n_needed: int):
    """(bundle, description): CIFAR-10 (cifar10-valid) when found, else random CIFAR-shaped data."""
    from nasbench_suite.errors import DataError
    from nasbench_suite.train.data import load_dataset, synthetic_dataset

    try:
        bundle = load_dataset("cifar10-valid")
        return bundle, f"CIFAR-10 from {bundle.root}"
    except DataError:
        return (synthetic_dataset("cifar10-valid", n_train=n_needed, n_eval=min(n_needed, 10_000)),
                "random uint8 images shaped like CIFAR-10 (no CIFAR-10 on disk)")


def nb201_epoch_times() -> dict:
    try:
        from nasbench_suite.bench.store import open_store

        store = open_store()
        col = store.column("epoch_time_s", "cifar10-valid")
        return {name: float(col[store.index_map.index(arch)]) for name, arch in CELLS.items()}
    except Exception as exc:  # noqa: BLE001 - no store: report without the comparison
        return {"error": f"{type(exc).__name__}: {exc}"}


def cpu_part(args, nb201: dict) -> dict:
    import torch

    from nasbench_suite.train.trainer import TrainConfig, measure_throughput

    data, desc = load_data((args.cpu_batches + 1) * 256)
    cfg = TrainConfig(device="cpu", num_threads=args.threads)
    out = {"data": desc, "threads": args.threads or torch.get_num_threads(), "timed_batches": args.cpu_batches,
           "extrapolated": True,
           "note": f"seconds per epoch extrapolated from {args.cpu_batches} batches of 256 to a "
                   f"{EPOCH_IMAGES}-image epoch; wall seconds suffer from other jobs on a shared "
                   "machine, cpu_seconds_per_epoch (process CPU time) does not",
           "load_average": [round(x, 2) for x in os.getloadavg()], "cpu_count": os.cpu_count(),
           "cells": {}}
    for name, arch in CELLS.items():
        m = measure_throughput(arch, data, cfg, batches=args.cpu_batches, warmup=1)
        epoch_s = EPOCH_IMAGES / m["images_per_s"]
        row = _row(m["images_per_s"], epoch_s, nb201.get(name))
        row["images_per_cpu_s"] = round(m["images_per_cpu_s"], 1)
        row["cpu_seconds_per_epoch"] = round(EPOCH_IMAGES / m["images_per_cpu_s"], 3)
        out["cells"][name] = row
    return out


def gpu_part(args, nb201: dict) -> dict:
    import torch

    from nasbench_suite.train.trainer import TrainConfig, train

    data, desc = load_data(EPOCH_IMAGES)
    data = data.to("cuda")
    out = {"data": desc, "device_name": torch.cuda.get_device_name(0), "compile": args.compile,
           "epochs_run": args.gpu_epochs, "extrapolated": False, "cells": {}}
    for name, arch in CELLS.items():
        cfg = TrainConfig(epochs=args.gpu_epochs, device="cuda", compile=args.compile, eval_every_epoch=False)
        r = train(arch, data, cfg)
        epoch_s, first_s = r.epoch_times_s[-1], r.epoch_times_s[0]
        row = _row(len(data.train) / epoch_s, epoch_s, nb201.get(name))
        row["first_epoch_s"] = round(first_s, 3)
        row["valid_and_test_passes_s"] = round(r.eval_time_s, 3)
        # one cell = a cold first epoch (cuDNN autotuning, compilation) + 11 warm ones + evaluation
        row["seconds_per_cell_12ep"] = round(first_s + 11 * epoch_s + r.eval_time_s, 2)
        row["cells_per_gpu_hour_12ep"] = round(3600 / row["seconds_per_cell_12ep"], 1)
        out["cells"][name] = row
    return out


def _row(images_per_s: float, epoch_s: float, nb201_s) -> dict:
    row = {"images_per_s": round(images_per_s, 1), "seconds_per_epoch": round(epoch_s, 3)}
    if isinstance(nb201_s, float):
        row["nb201_seconds_per_epoch"] = round(nb201_s, 3)
        row["ratio_to_nb201"] = round(epoch_s / nb201_s, 3)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-batches", type=int, default=3)
    parser.add_argument("--no-cpu", action="store_true")
    parser.add_argument("--gpu-epochs", type=int, default=2)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    import torch

    nb201 = nb201_epoch_times()
    result = {"torch": torch.__version__, "platform": platform.platform(), "cells": CELLS,
              "nb201_seconds_per_epoch": nb201, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if not args.no_cpu:
        result["cpu"] = cpu_part(args, nb201)
    result["cuda"] = gpu_part(args, nb201) if torch.cuda.is_available() else "not available on this machine"
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
