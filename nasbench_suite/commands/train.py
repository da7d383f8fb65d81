"""``nasbench-suite train ARCH --dataset D``: train one cell with NB201's recipe, print metrics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nasbench_suite.commands.argtypes import BATCH, CELLS, CHANNELS, COUNT, EPOCHS, SEED
from nasbench_suite.commands.common import add_store_option, fmt, print_json


def register(sub) -> None:
    p = sub.add_parser("train", help="train one cell for real (CPU or GPU) and print its metrics")
    p.add_argument("arch", help="arch string |op~0|+|op~0|op~1|+|... or an NB201 index")
    p.add_argument("--dataset", default="cifar10-valid",
                   help="cifar10-valid, cifar10, cifar100, ImageNet16-120 or fashion-mnist")
    p.add_argument("--epochs", type=EPOCHS, default=200, help="training epochs (NB201: 200 or 12)")
    p.add_argument("--subset", type=COUNT, default=None, help="train on N images (valid/test cut to N)")
    p.add_argument("--seed", type=SEED, default=0, help="training seed")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--channels", type=CHANNELS, default=16, help="C, channels of the first stage")
    p.add_argument("--cells", type=CELLS, default=5, help="N, cells per stage")
    p.add_argument("--batch-size", type=BATCH, default=256)
    p.add_argument("--compile", action="store_true", help="torch.compile the network")
    p.add_argument("--data-root", type=Path, default=None, help="folder with the dataset files")
    p.add_argument("--download", action="store_true", help="fetch missing CIFAR / Fashion-MNIST via torchvision")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_store_option(p)
    p.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from nasbench_suite.train.data import load_dataset
    from nasbench_suite.train.trainer import TrainConfig, resolve_device, train

    arch = args.arch
    if arch.strip().isdigit():
        from nasbench_suite.commands.common import load_store

        arch = load_store(args).index_map.arch_str(int(arch))
    resolve_device(args.device)  # fail before reading data
    data = load_dataset(args.dataset, args.data_root, args.download).subset(args.subset)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, channels=args.channels,
                         cells_per_stage=args.cells, seed=args.seed, device=args.device,
                         compile=args.compile)
    log = None if args.json else (lambda line: print(line, file=sys.stderr))
    result = train(arch, data, config, log=log)
    if args.json:
        print_json({"subset": args.subset, **result.to_json()})
    else:
        print(f"{result.arch} on {result.dataset} ({result.n_train} train images, {result.epochs} epochs, "
              f"{result.device}): valid {fmt(result.final_valid_acc)}%, test {fmt(result.test_acc)}%, "
              f"{sum(result.epoch_times_s):.1f} s training, {result.total_time_s:.1f} s total")
    return 0
