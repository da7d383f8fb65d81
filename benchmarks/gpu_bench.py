"""One GPU check, under 8 minutes: training, one-shot epochs and proxies beside NB201's times. JSON.

    python3 benchmarks/gpu_bench.py                 # on a machine with CUDA (the device tool)
    python3 benchmarks/gpu_bench.py --tiny --device cpu   # the same code path, small, on CPU

``--tiny`` shrinks everything (64 training images, a C=4 N=1 supernet, 2 proxies on 1 cell) so
the tests can run every code path on a CPU in seconds; its figures mean nothing.

Needs only the working tree (``sys.path`` gets the repository) and the system's torch: nothing is
installed. The NB201 store is used for NB201's recorded times when ``data/nb201-store`` is there
(carry it to the GPU machine), else those columns are reported missing.

* **training**: three cells (all 3x3 convs, ResNet-like, light), NB201's recipe on 25,000
  CIFAR-shaped images (random uint8; speed does not depend on pixel values), two epochs, the
  second timed: images/s and seconds per epoch beside NB201's recorded seconds per epoch of the
  same cell on ``cifar10-valid`` (``ratio_to_nb201`` < 1: faster).
* **one-shot**: one full DARTS-V1 and one GDAS search epoch (391 iterations of 64 + 64 images)
  after a 10-iteration warm-up; DARTS-V1 beside NB201's 217.8 s per epoch (10,890 s for 50
  epochs, NB201 Table 5). No per-epoch GDAS time is recorded by NB201: no ratio for it.
* **proxies**: all 13 proxies on up to 1,000 seeded random cells, within what is left of the
  time budget; seconds per cell (all proxies) and the extrapolation to 15,625 cells.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from _harness import CELLS, emit, summary

NB201_DARTS_V1_S_PER_EPOCH = 10890 / 50


def _nb201_times() -> dict:
    """NB201's recorded seconds per epoch of CELLS, from the store when it was carried along."""
    try:
        from nasbench_suite.bench.store import Store
        from nasbench_suite.paths import default_store_dir

        store = Store.load(default_store_dir())
        col = store.column("epoch_time_s", "cifar10-valid")
        return {k: float(col[store.index_map.index(a)]) for k, a in CELLS.items()}
    except Exception as exc:  # noqa: BLE001 - no store on the GPU machine: report without it
        return {"missing": f"{type(exc).__name__}: {exc}"}


def training(device: str, tiny: bool, nb201: dict) -> dict:
    from nasbench_suite.train.data import synthetic_dataset
    from nasbench_suite.train.trainer import TrainConfig, train

    n = 64 if tiny else 25_000
    data = synthetic_dataset("cifar10-valid", n_train=n, n_eval=min(n, 1000)).to(device)
    out = {}
    for name, arch in CELLS.items():
        cfg = TrainConfig(epochs=1 if tiny else 2, device=device, eval_every_epoch=False,
                          batch_size=32 if tiny else 256)
        r = train(arch, data, cfg)
        epoch_s = r.epoch_times_s[-1]
        row = {"images_per_s": round(n / epoch_s, 1), "s_per_epoch": round(epoch_s, 3),
               "first_epoch_s": round(r.epoch_times_s[0], 3), "images": n}
        if name in nb201:
            row["nb201_s_per_epoch"] = round(nb201[name], 3)
            row["ratio_to_nb201"] = round(epoch_s / nb201[name], 4)
        out[name] = row
    return out


def oneshot(device: str, tiny: bool) -> dict:
    from nasbench_suite.oneshot import create_search
    from nasbench_suite.train.data import synthetic_dataset

    n = 16 if tiny else 25_000
    data = synthetic_dataset("cifar10-valid", n_train=n, n_eval=n)
    size = {"batch_size": 8, "channels": 4, "cells_per_stage": 1} if tiny else {}
    out = {}
    for method in ("darts-v1", "gdas"):
        create_search(method, data, epochs=2, max_batches=1 if tiny else 10,
                      device=device, **size).run_epoch()  # warm-up (cuDNN autotuning)
        search = create_search(method, data, epochs=2, max_batches=2 if tiny else None,
                               device=device, **size)
        secs = search.run_epoch()["seconds"]
        row = {"s_per_epoch": round(secs, 3), "iterations": search.steps_per_epoch}
        if method == "darts-v1":
            row["nb201_s_per_epoch"] = NB201_DARTS_V1_S_PER_EPOCH
            row["ratio_to_nb201"] = round(secs / NB201_DARTS_V1_S_PER_EPOCH, 4)
        out[method] = row
    return out


def proxies(device: str, tiny: bool, deadline: float) -> dict:
    import numpy as np

    from nasbench_suite.proxies import parse_proxy_list
    from nasbench_suite.proxies.scorer import score_cells

    cells = [int(i) for i in np.random.default_rng(0).choice(15625, 1 if tiny else 1000, False)]
    names = parse_proxy_list("params,synflow" if tiny else "all")
    total: list[float] = []
    for cell in cells:
        if time.monotonic() > deadline:
            break
        rows = score_cells([cell], names, device=device, batch=8 if tiny else 64,
                           channels=4 if tiny else 16, cells_per_stage=1 if tiny else 5)
        total.append(rows[cell]["time_s"])
    median = float(np.median(total)) if total else None
    return {"proxies": len(names), "cells_scored": len(total), "cells_planned": len(cells),
            "all_proxies_s_per_cell": summary(total, digits=4) if total else None,
            "extrapolated_15625_cells_min": round(median * 15625 / 60, 1) if total else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cuda (default when available) or cpu")
    parser.add_argument("--tiny", action="store_true", help="seconds-long settings (tests, CPU)")
    parser.add_argument("--budget-s", type=float, default=450.0, help="stop proxies by then")
    args = parser.parse_args()
    import torch

    start = time.monotonic()
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(1)
    nb201 = _nb201_times()
    out = {"device": device, "tiny": args.tiny, "torch": torch.__version__,
           "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
           "training": training(device, args.tiny, nb201), "oneshot": oneshot(device, args.tiny)}
    out["proxies"] = proxies(device, args.tiny, start + args.budget_s)
    out["elapsed_s"] = round(time.monotonic() - start, 1)
    emit(out)


if __name__ == "__main__":
    main()
