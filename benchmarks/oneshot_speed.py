"""Seconds per search epoch of DARTS-V1 and GDAS on CIFAR-sized data, CPU and CUDA.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/oneshot_speed.py [--batches 3]
[--devices cpu,cuda] [--methods darts-v1,gdas]``.

Setting: NB201's search setting for cifar10 (``cifar10-valid``): 25,000 training images (weights)
and 25,000 validation images (architecture) of 3 x 32 x 32, batch 64 -> 391 iterations per epoch,
each one weight step and one architecture step; C=16, N=5. Images are random uint8 (speed does
not depend on pixel values), resident on the device.

* CPU: float32; one warm-up batch, then ``--batches`` timed batches; the epoch time is
  **extrapolated** (seconds per batch x 391) and labelled so.
* CUDA: bf16 autocast + channels_last + TF32 + cuDNN autotuning (the search's defaults on CUDA);
  a 10-batch warm-up search, then one full epoch timed (``measured``).

NB201 (Dong & Yang, ICLR 2020) reports 10,890 s of search for 50 DARTS-V1 epochs on
CIFAR-10, i.e. 217.8 s per epoch; ``ratio_vs_nb201`` = our seconds per epoch / 217.8 (below 1:
faster). The ratio is printed for GDAS too, against the same DARTS-V1 reference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

NB201_DARTS_V1_S_PER_EPOCH = 10890 / 50
N_TRAIN = 25000
BATCH = 64


def _data(n: int, device: str):
    from nasbench_suite.train.data import synthetic_dataset

    return synthetic_dataset("cifar10-valid", n_train=n, n_eval=n, seed=0)


def _cpu(method: str, batches: int, threads: int | None) -> dict:
    from nasbench_suite.oneshot import create_search

    data = _data(BATCH * (batches + 1), "cpu")
    search = create_search(
        method, data, epochs=2, max_batches=1, num_threads=threads, device="cpu"
    )
    search.run_epoch()  # warm-up batch
    search = create_search(
        method, data, epochs=2, max_batches=batches, num_threads=threads, device="cpu"
    )
    secs = search.run_epoch()["seconds"]
    per_batch = secs / batches
    per_epoch = per_batch * -(-N_TRAIN // BATCH)
    return {
        "s_per_batch": per_batch,
        "batches_timed": batches,
        "s_per_epoch": per_epoch,
        "how": f"extrapolated from {batches} batches x {-(-N_TRAIN // BATCH)}",
        "ratio_vs_nb201": per_epoch / NB201_DARTS_V1_S_PER_EPOCH,
    }


def _cuda(method: str) -> dict:
    import torch

    from nasbench_suite.oneshot import create_search

    data = _data(N_TRAIN, "cuda")
    create_search(method, data, epochs=2, max_batches=10, device="cuda").run_epoch()  # warm-up
    search = create_search(method, data, epochs=2, device="cuda")
    secs = search.run_epoch()["seconds"]
    return {
        "s_per_epoch": secs,
        "how": "measured: one full epoch (391 batches), bf16 autocast + channels_last",
        "ratio_vs_nb201": secs / NB201_DARTS_V1_S_PER_EPOCH,
        "gpu": torch.cuda.get_device_name(0),
        "max_memory_gib": torch.cuda.max_memory_allocated() / 2**30,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="darts-v1,gdas")
    parser.add_argument("--devices", default="cpu,cuda")
    parser.add_argument("--batches", type=int, default=3, help="timed CPU batches (default 3)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    import torch

    methods = [m for m in args.methods.split(",") if m]
    out: dict = {
        "setting": {
            "images": N_TRAIN,
            "valid_images": N_TRAIN,
            "resolution": 32,
            "batch_size": BATCH,
            "iterations_per_epoch": -(-N_TRAIN // BATCH),
            "channels": 16,
            "cells_per_stage": 5,
        },
        "nb201_reference": {
            "darts_v1_50_epochs_s": 10890,
            "s_per_epoch": NB201_DARTS_V1_S_PER_EPOCH,
        },
        "torch": torch.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "threads": args.threads or torch.get_num_threads(),
    }
    for device in args.devices.split(","):
        if device == "cpu":
            out["cpu"] = {m: _cpu(m, args.batches, args.threads) for m in methods}
        elif device == "cuda":
            if not torch.cuda.is_available():
                out["cuda"] = {"status": "unmeasured: CUDA not available on this machine"}
                continue
            out["cuda"] = {m: _cuda(m) for m in methods}
    out["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
