"""``nasbench-suite query ARCH [--benchmark NAME] [--dataset D] [--json]``: every recorded
field of one architecture on one benchmark (default ``nb201``, as before benchmarks were
plug-ins)."""

from __future__ import annotations

import argparse

from nasbench_suite.commands.common import add_store_option, fmt, print_json


def register(sub) -> None:
    query = sub.add_parser("query", help="print every recorded field of one architecture")
    query.add_argument("arch", help="the benchmark's arch string or id (NB201: arch string or index)")
    query.add_argument("--benchmark", default="nb201", help="registered benchmark (default nb201; "
                       "see `nasbench-suite benchmarks`)")
    query.add_argument("--dataset", default=None, help="dataset to report on (NB201 default: "
                       "cifar10; others: the benchmark's first dataset)")
    query.add_argument("--json", action="store_true", help="print JSON")
    add_store_option(query)
    query.set_defaults(func=_query)


def query_report(benchmark: str, arch: str, dataset: str | None, store=None) -> dict:
    """``{"benchmark": NAME, **report.to_json()}`` of ``arch`` on ``dataset``."""
    from nasbench_suite.benchmarks import get_benchmark
    from nasbench_suite.errors import NasBenchError

    cls = get_benchmark(benchmark)
    if cls.info.cost == "real":
        raise NasBenchError(
            f"benchmark {benchmark} trains networks for real and records nothing to query; "
            "query a tabular benchmark (see `nasbench-suite benchmarks`)"
        )
    if dataset is None:  # NB201: cifar10, the first dataset it reports test accuracy on
        dataset = (cls.info.report_datasets or cls.info.datasets)[0]
    search = dataset if dataset in cls.info.search_datasets else cls.info.search_datasets[0]
    bench = cls.from_spec(search, {}, store=store)
    key = int(arch) if arch.strip().isdigit() else arch
    return {"benchmark": benchmark, **bench.report(bench.space.index(key), dataset).to_json()}


def _query(args: argparse.Namespace) -> int:
    report = query_report(args.benchmark, args.arch, args.dataset, args.store)
    if args.json:
        print_json(report)
        return 0
    latency = report.pop("latency_ms", None)
    width = max(map(len, report))
    for name, value in report.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
        elif isinstance(value, list):
            shown = ", ".join(fmt(v) for v in value)
        else:
            shown = fmt(value, 4)
        print(f"{name:<{width}}  {shown}")
    if latency is not None:
        print("latency_ms" + " " * (width - 8)
              + ", ".join(f"{d}={fmt(v)}" for d, v in latency.items()))
    return 0
