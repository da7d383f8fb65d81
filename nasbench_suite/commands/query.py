"""``nasbench-suite query ARCH --dataset D [--json]``: every stored field of one cell."""

from __future__ import annotations

import argparse

from nasbench_suite.commands.common import add_store_option, fmt, print_json


def register(sub) -> None:
    query = sub.add_parser("query", help="print every stored field of one cell")
    query.add_argument("arch", help="arch string or NB201 index")
    query.add_argument("--dataset", default="cifar10", help="cifar10-valid, cifar10, cifar100 or ImageNet16-120")
    query.add_argument("--json", action="store_true", help="print JSON")
    add_store_option(query)
    query.set_defaults(func=_query)


def _query(args: argparse.Namespace) -> int:
    from nasbench_suite.bench.tabular import report_cell
    from nasbench_suite.commands.common import load_store

    report = report_cell(load_store(args), args.arch, args.dataset).to_json()
    if args.json:
        print_json(report)
        return 0
    latency = report.pop("latency_ms")
    width = max(map(len, report))
    for name, value in report.items():
        shown = ", ".join(fmt(v) for v in value) if isinstance(value, list) else fmt(value, 4)
        print(f"{name:<{width}}  {shown}")
    print("latency_ms" + " " * (width - 8) + ", ".join(f"{d}={fmt(v)}" for d, v in latency.items()))
    return 0
