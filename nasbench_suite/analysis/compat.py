"""Can these runs be compared as one grid? Same benchmark and search dataset => same protocol.

``nasbench-suite report A B ...`` may combine run folders of different experiments (a new
strategy run later against a shipped baseline). That is only a fair comparison when every run on
the same (benchmark, search dataset) had the same budget (simulated seconds and evaluations), the
same fidelity and noise of the search signal, and the same benchmark data (the store checksum the
runner recorded). :func:`check_comparable` raises one clear error naming the first difference.
"""

from __future__ import annotations

from nasbench_suite.analysis.leaderboard import benchmark_name
from nasbench_suite.analysis.runs import Run, RunSet
from nasbench_suite.errors import NasBenchError

FIELDS = (
    ("time budget (s)", lambda r: r.spec.get("time_budget_s")),
    ("evaluation budget", lambda r: r.spec.get("eval_budget")),
    ("fidelity", lambda r: _bench(r).get("fidelity")),
    ("noise", lambda r: _bench(r).get("noise")),
    ("benchmark version (store checksum)", lambda r: (r.metadata.get("store") or {}).get(
        "checksum")),
)


class IncomparableRunsError(NasBenchError):
    """Runs of one benchmark and search dataset were made under different protocols."""


def _bench(run: Run) -> dict:
    b = run.spec.get("benchmark")
    return b if isinstance(b, dict) else {}


def _where(run: Run) -> str:
    return f"experiment '{run.experiment}' ({run.path.parent.parent.parent})"


def check_comparable(rs: RunSet) -> None:
    """Raise :class:`IncomparableRunsError` when two complete runs of the same benchmark and
    search dataset differ in budget, fidelity, noise or store checksum; else return None.

    A value a run did not record (an older run folder without a checksum) is not compared.
    """
    first: dict[tuple[str, str], Run] = {}
    for run in rs.complete:
        key = (benchmark_name(run), run.search_dataset)
        ref = first.setdefault(key, run)
        if ref is run or ref.experiment == run.experiment:
            continue
        for name, get in FIELDS:
            a, b = get(ref), get(run)
            if a is None and b is None:
                continue
            if name.startswith("benchmark version") and (a is None or b is None):
                continue
            if a != b:
                raise IncomparableRunsError(
                    f"cannot compare these run folders as one grid: on {key[0]} / {key[1]} the "
                    f"{name} is {a} in {_where(ref)} but {b} in {_where(run)}; rerun with the "
                    "same budget, fidelity and benchmark data, or report them separately"
                )
