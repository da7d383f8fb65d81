"""NB201 network and one-shot search steps vs the reference implementation (xautodl). JSON.

    .venv/bin/python benchmarks/network_bench.py [--full] [--device cpu|cuda]

Reference: ``xautodl`` (PyPI; the NB201 / NATS-Bench authors' AutoDL-Projects package). It pins
an old numpy, so install it without its dependencies: ``pip install --no-deps xautodl``.

For each comparison both sides get identical weights (copied parameter by parameter, shapes
checked), identical batches and one thread (``torch.set_num_threads(1)`` on CPU); logits are
checked equal before any timing, then the two sides are timed interleaved and repeated:

* **training step of the NB201 network** (``TinyNetwork``, C=16, N=5, batch 64 at 32x32, SGD +
  cross-entropy, forward + backward + step) for three cells: images per second each side;
* **one search iteration** of DARTS-V1 and GDAS: our ``OneShotSearch._iteration`` (weight step
  on a training batch, architecture step on a validation batch) vs the same iteration on
  xautodl's ``TinyNetworkDarts`` / ``TinyNetworkGDAS`` as the authors' ``search-cell.py`` runs it
  (SGD step with gradient clipping 5, then Adam on the architecture parameters): seconds per
  iteration each side. GDAS samples a path per forward, so its logits are compared with one
  fixed sample on both sides only as a weight-copy check (see ``_gdas_same``).

NB201's recorded GPU times stay beside the figures as context (not a ratio: other hardware).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import CELLS, emit, interleave, ratios, summary

BATCH = 64


def copy_parameters(src, dst, skip_conv_bias: bool = False) -> int:
    """Copy ``src``'s parameters into ``dst`` position by position (shapes must agree).

    ``skip_conv_bias``: xautodl's search cells build ``ReLUConvBN`` with ``bias=not affine``, so
    with NB201's ``affine=False`` every cell conv has a bias that the following batch-statistics
    BN cancels exactly; ours has none. Those biases are zeroed and left out of the mapping.
    """
    import torch

    a, b = [], list(dst.parameters())
    for name, p in src.named_parameters():
        if skip_conv_bias and ".edges." in name and name.endswith(".bias"):
            with torch.no_grad():
                p.zero_()
            continue
        a.append(p)
    if len(a) != len(b):
        raise SystemExit(f"parameter lists differ: {len(a)} vs {len(b)}")
    with torch.no_grad():
        for p, q in zip(a, b):
            if p.shape != q.shape:
                raise SystemExit(f"shape mismatch {tuple(p.shape)} vs {tuple(q.shape)}")
            q.copy_(p)
    return sum(p.numel() for p in a)


def _batches(device, seed: int = 0):
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCH, 3, 32, 32, generator=g).to(device)
    y = torch.randint(0, 10, (BATCH,), generator=g).to(device)
    return x, y


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def bench_infer(arch: str, device, repeats: int, inner: int) -> dict:
    """Training step of the NB201 network on one cell, ours vs xautodl."""
    import torch
    from xautodl.config_utils import dict2config
    from xautodl.models import get_cell_based_tiny_net
    from xautodl.models.cell_searchs.genotypes import Structure

    from nasbench_suite.models.network import build_network

    torch.manual_seed(0)
    ref = get_cell_based_tiny_net(dict2config(
        {"name": "infer.tiny", "C": 16, "N": 5, "genotype": Structure.str2structure(arch),
         "num_classes": 10}, None)).to(device)
    ours = build_network(arch).to(device)
    n = copy_parameters(ref, ours)
    x, y = _batches(device)
    ref.eval(), ours.eval()
    with torch.no_grad():
        diff = (ref(x)[1] - ours(x)).abs().max().item()
    ref.train(), ours.train()
    loss = torch.nn.CrossEntropyLoss()

    def step(net, out_of):
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)

        def run():
            opt.zero_grad(set_to_none=True)
            loss(out_of(net(x)), y).backward()
            opt.step()
            _sync(device)
        return run

    t = interleave({"xautodl": step(ref, lambda o: o[1]), "ours": step(ours, lambda o: o)},
                   repeats, inner)
    return {"parameters": n, "max_abs_logit_diff": diff,
            "images_per_s": {k: summary([BATCH / s for s in v], digits=1) for k, v in t.items()},
            "speedup": ratios(t["xautodl"], t["ours"])}


def _ref_search_net(method: str, device):
    from xautodl.models.cell_operations import SearchSpaceNames
    from xautodl.models.cell_searchs.search_model_darts import TinyNetworkDarts
    from xautodl.models.cell_searchs.search_model_gdas import TinyNetworkGDAS

    cls = TinyNetworkDarts if method == "darts-v1" else TinyNetworkGDAS
    ops = SearchSpaceNames["nas-bench-201"]
    return cls(16, 5, 4, 10, ops, False, False).to(device)


def bench_search(method: str, device, repeats: int, inner: int) -> dict:
    """One search iteration (weight step + architecture step), ours vs xautodl."""
    import torch

    from nasbench_suite.oneshot import create_search
    from nasbench_suite.train.data import synthetic_dataset

    data = synthetic_dataset("cifar10-valid", n_train=BATCH * 2, n_eval=BATCH * 2, seed=0)
    search = create_search(method, data, epochs=2, max_batches=1, device=device.type,
                           num_threads=1 if device.type == "cpu" else None)
    torch.manual_seed(0)
    ref = _ref_search_net(method, device)
    n = copy_parameters(ref, search.net, skip_conv_bias=True)
    x, y = _batches(device, 0)
    xv, yv = _batches(device, 1)
    diff = None
    if method == "darts-v1":
        search.net.train(), ref.train()
        with torch.no_grad():
            probs = torch.softmax(search.net.alpha, dim=-1)
            diff = (ref(x)[1] - search.net(x, weights=probs)).abs().max().item()
    cfg = search.config
    w_opt = torch.optim.SGD(ref.get_weights(), lr=cfg.lr, momentum=cfg.momentum,
                            nesterov=cfg.nesterov, weight_decay=cfg.weight_decay)
    a_opt = torch.optim.Adam(ref.get_alphas(), lr=cfg.arch_lr, betas=tuple(cfg.arch_betas),
                             weight_decay=cfg.arch_weight_decay)
    ce = torch.nn.CrossEntropyLoss()
    if method == "gdas":
        ref.set_tau(10.0)

    def ref_iteration():
        w_opt.zero_grad(set_to_none=True)
        ce(ref(x)[1], y).backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), 5)
        w_opt.step()
        a_opt.zero_grad(set_to_none=True)
        ce(ref(xv)[1], yv).backward()
        a_opt.step()
        _sync(device)

    def our_iteration():
        search._iteration(x, y, xv, yv)
        _sync(device)

    t = interleave({"xautodl": ref_iteration, "ours": our_iteration}, repeats, inner)
    return {"parameters": n, "max_abs_logit_diff": diff,
            "s_per_iteration": {k: summary(v, digits=4) for k, v in t.items()},
            "speedup": ratios(t["xautodl"], t["ours"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="README settings (more repeats)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    import torch

    device = torch.device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(1)
    reps, inner = (7, 2) if args.full else (3, 1)
    search_reps = 3 if args.full else 2
    out = {"mode": "full" if args.full else "quick", "device": str(device),
           "threads": torch.get_num_threads(), "torch": torch.__version__, "batch": BATCH,
           "network_train_step": {k: bench_infer(a, device, reps, inner) for k, a in CELLS.items()},
           "search_iteration": {m: bench_search(m, device, search_reps, 1)
                                for m in ("darts-v1", "gdas")},
           "nb201_recorded_gpu_s_per_epoch": {"darts_v1": 10890 / 50}}
    emit(out)


if __name__ == "__main__":
    main()
