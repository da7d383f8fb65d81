"""``nasbench-suite strategies [--json]`` (alias ``list``): the registered search strategies,
the spaces they work on and what the runner gives them."""

from __future__ import annotations

import argparse

from nasbench_suite.commands.common import print_json


def register(sub) -> None:
    strat = sub.add_parser(
        "strategies",
        aliases=["list"],
        help="list the search strategies and the spaces they work on",
        description="Every registered strategy: black-box ones search any space; proxy and "
        "one-shot strategies work on the NB201 space only; multi-fidelity ones need a "
        "benchmark with several fidelities.",
    )
    strat.add_argument("--json", action="store_true", help="print JSON")
    strat.set_defaults(func=_strategies)


def strategies_table() -> list[dict]:
    """One JSON-safe dict per registered strategy."""
    from nasbench_suite.strategies import get_strategy, list_strategies

    rows = []
    for name in list_strategies():
        cls = get_strategy(name)
        rows.append({
            "name": name,
            "spaces": None if cls.spaces is None else list(cls.spaces),
            "multi_fidelity": cls.multi_fidelity,
            "one_shot": cls.evaluations_are_free,
            "paper": cls.paper,
        })
    return rows


def _strategies(args: argparse.Namespace) -> int:
    rows = strategies_table()
    if args.json:
        print_json(rows)
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        where = "any space" if r["spaces"] is None else f"{', '.join(r['spaces'])} only"
        kind = "one-shot" if r["one_shot"] else (
            "multi-fidelity" if r["multi_fidelity"] else "black-box"
        )
        print(f"{r['name']:<{width}}  {kind:<14}  {where:<12}  {r['paper']}")
    return 0
