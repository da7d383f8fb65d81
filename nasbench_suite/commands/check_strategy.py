"""``nasbench-suite check-strategy TARGET``: the contract tests the built-in strategies pass."""

from __future__ import annotations

import argparse

from nasbench_suite.commands.common import add_store_option, load_store


def register(sub) -> None:
    p = sub.add_parser(
        "check-strategy",
        help="run the strategy contract tests on your own strategy",
        description="Run the contract checks every built-in strategy passes (valid proposals, "
        "same seed = same sequence, NaN observations, a budget ending mid-step, never asking "
        "for test data) on a strategy class. Exit status 0: all pass; 1: some fail; 2: the "
        "strategy cannot be found or is not a Searcher.",
    )
    p.add_argument(
        "target",
        help="MODULE:CLASS (my_pkg.mine:Mine), FILE.py:CLASS (./mine.py:Mine), a module or "
        "file (every strategy it registers), or a registered strategy name",
    )
    p.add_argument(
        "--dataset", default="cifar10-valid", help="search dataset (default cifar10-valid)"
    )
    add_store_option(p)
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from nasbench_suite.bench.tabular import TabularBenchmark
    from nasbench_suite.errors import NasBenchError
    from nasbench_suite.plugins import resolve_class
    from nasbench_suite.space.searchspace import SearchSpace
    from nasbench_suite.strategies.contract import check_class, run_checks

    targets = resolve_class(args.target)
    for name, cls in targets:
        problems = check_class(cls)
        if problems:
            raise NasBenchError(f"{name}: {problems[0]}")
    store = load_store(args)
    space = SearchSpace(store.index_map)
    bench = TabularBenchmark(args.dataset, fidelity=12, store=store)
    failed = 0
    for name, cls in targets:
        print(f"{name} ({cls.__module__}.{cls.__qualname__})")
        for result in run_checks(cls, space, bench):
            print(f"  {'PASS' if result.ok else 'FAIL'} {result.name}")
            for line in result.failures:
                print(f"       {line}")
            failed += not result.ok
    print("all checks passed" if not failed else f"{failed} check(s) failed")
    return 1 if failed else 0
