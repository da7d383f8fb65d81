"""``nasbench-suite benchmarks [--json]``: every registered benchmark, its datasets, fidelities
and objectives (static facts: no data is loaded)."""

from __future__ import annotations

from nasbench_suite.commands.common import add_listing


def register(sub) -> None:
    add_listing(
        sub, "benchmarks", benchmarks_table, _show,
        help="list the benchmarks, their datasets, fidelities and objectives",
        description="Every registered benchmark (one module of nasbench_suite/benchmarks/ each) "
        "with its search space, datasets (those a search may use marked), fidelities, "
        "objectives and cost model. Loads no data.",
    )


def benchmarks_table() -> list[dict]:
    """One JSON-safe dict per registered benchmark (``name`` plus its ``BenchmarkInfo``)."""
    from nasbench_suite.benchmarks import get_benchmark, list_benchmarks

    return [{"name": name, **get_benchmark(name).info.to_json()} for name in list_benchmarks()]


def _show(rows: list[dict]) -> None:
    for row in rows:
        datasets = ", ".join(
            d + ("" if d in row["search_datasets"] else " (report only)") for d in row["datasets"]
        )
        print(f"{row['name']}  (space {row['space']}, cost: {row['cost']})")
        print(f"  datasets:   {datasets}")
        print(f"  fidelities: {', '.join(map(str, row['fidelities']))} "
              f"(default {row['default_fidelity']})")
        print(f"  objectives: {', '.join(row['objectives'])}")
        if row["notes"]:
            print(f"  {row['notes']}")
