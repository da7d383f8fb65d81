"""``nasbench-suite strategies [--json]`` (alias ``list``): the registered search strategies,
the spaces they work on and what the runner gives them."""

from __future__ import annotations

from nasbench_suite.commands.common import add_listing


def register(sub) -> None:
    add_listing(
        sub, "strategies", strategies_table, _show, aliases=["list"],
        help="list the search strategies and the spaces they work on",
        description="Every registered strategy: black-box ones search any space; proxy and "
        "one-shot strategies work on the NB201 space only; multi-fidelity ones need a "
        "benchmark with several fidelities.",
    )


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


def _show(rows: list[dict]) -> None:
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        where = "any space" if r["spaces"] is None else f"{', '.join(r['spaces'])} only"
        kind = "one-shot" if r["one_shot"] else (
            "multi-fidelity" if r["multi_fidelity"] else "black-box"
        )
        print(f"{r['name']:<{width}}  {kind:<14}  {where:<12}  {r['paper']}")
