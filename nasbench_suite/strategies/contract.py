"""The ask/tell contract every strategy must meet, as functions returning what fails.

The registry's contract tests (``tests/strategies/test_contract.py``) and
``nasbench-suite check-strategy`` run the same checks:

* ``class``: a concrete :class:`~nasbench_suite.strategies.base.Searcher` subclass;
* ``valid_proposals``: every ask returns a :class:`Candidate` with an index in the space and a
  fidelity the benchmark has (or None);
* ``same_seed_same_sequence``: the same seed gives the same proposals, and (unless the class
  sets ``seed_dependent = False``) another seed gives others within the first half;
* ``nan_observations``: every third observation carries NaN accuracy and the search goes on;
* ``budget_ends_mid_step``: asked twice without being told (the runner stopped there), a new
  ask still works;
* ``never_asks_for_test_data``: during ``ask`` / ``tell`` nothing reads a test accuracy
  (``report``, ``test_accuracy``, store columns named ``test...``).

Budgets: ``contract_budget`` (default 60 evaluations) and ``contract_kwargs`` class attributes
let an expensive strategy run a shorter check.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CHECKS = (
    "valid_proposals",
    "same_seed_same_sequence",
    "nan_observations",
    "budget_ends_mid_step",
    "never_asks_for_test_data",
)


@dataclass(frozen=True)
class CheckResult:
    """One check: its name and what failed (empty: passed)."""

    name: str
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def check_class(cls: object) -> list[str]:
    """Static part of the contract: a concrete Searcher subclass whose constructor takes
    ``(space, seed=..., objective=...)``."""
    from nasbench_suite.strategies.base import Searcher

    if not isinstance(cls, type) or not issubclass(cls, Searcher):
        return [f"{getattr(cls, '__name__', cls)!s} is not a Searcher subclass"]
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        return [f"{cls.__name__} does not implement {missing}"]
    params = inspect.signature(cls.__init__).parameters
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    missing = [p for p in ("space", "seed", "objective") if p not in params and not var_kw]
    if missing:
        return [f"{cls.__name__}.__init__ must accept {', '.join(missing)} (see Searcher)"]
    return []


def budget(cls: type) -> int:
    """Evaluations per check: ``contract_budget`` if the class sets one, else 60 (3 for a
    strategy whose every ask trains a supernet epoch: ``evaluations_are_free``)."""
    default = 3 if cls.evaluations_are_free else 60
    return int(getattr(cls, "contract_budget", default))


class _TestDataWatch:
    """Records reads of test accuracy while ``armed`` (i.e. inside ask / tell)."""

    def __init__(self) -> None:
        self.armed = False
        self.reads: list[str] = []

    @contextlib.contextmanager
    def installed(self):
        from nasbench_suite.bench.store import Store
        from nasbench_suite.bench.tabular import TabularBenchmark

        patches = []

        def wrap(owner: type, attr: str, is_test: Callable[..., bool]):
            original = getattr(owner, attr)

            def spy(*args, **kwargs):
                if self.armed and is_test(*args, **kwargs):
                    self.reads.append(f"{owner.__name__}.{attr}")
                return original(*args, **kwargs)

            setattr(owner, attr, spy)
            patches.append((owner, attr, original))

        always = lambda *a, **k: True
        wrap(TabularBenchmark, "report", always)
        wrap(TabularBenchmark, "test_accuracy", always)
        wrap(Store, "column", lambda self, field, *a, **k: "test" in str(field))
        wrap(Store, "row_table", lambda self, ds, fs, *a, **k: any("test" in f for f in fs))
        try:
            yield self
        finally:
            for owner, attr, original in reversed(patches):
                setattr(owner, attr, original)

    @contextlib.contextmanager
    def arm(self):
        self.armed = True
        try:
            yield
        finally:
            self.armed = False


def _loop(cls, space, bench, seed, steps, nan_every=0, start=None, watch=None, check=None):
    """``steps`` ask / evaluate / tell steps; every ``nan_every``-th observation is NaN."""
    kwargs = dict(getattr(cls, "contract_kwargs", {}))
    if cls.multi_fidelity:  # as the runner does: the benchmark's fidelities
        kwargs["fidelities"] = tuple(bench.fidelities)
    searcher = start or cls(space, seed=seed, **kwargs)
    rng = np.random.default_rng(seed)
    proposals = []
    guard = watch.arm if watch is not None else contextlib.nullcontext
    for step in range(steps):
        with guard():
            try:
                cand = searcher.ask()
            except StopIteration:  # the strategy is done (the runner's "exhausted")
                break
        if cand is None and start is not None and cls.multi_fidelity:
            break  # still waiting for results lost when the run stopped: the runner ends here
        if check is not None:
            check(cand)
        obs = bench.evaluate(int(cand.arch_index), rng, fidelity=cand.fidelity)
        if nan_every and step % nan_every == nan_every - 1:
            obs = dataclasses.replace(obs, valid_acc=math.nan)
        with guard():
            searcher.tell(cand, obs)
        proposals.append((int(cand.arch_index), cand.fidelity))
    return searcher, proposals


def _validator(space, bench, failures: list[str]):
    from nasbench_suite.bench.tabular import FIDELITIES
    from nasbench_suite.strategies.base import Candidate

    size = getattr(space, "size", None) or 15625

    def check(cand) -> None:
        if not isinstance(cand, Candidate):
            failures.append(f"ask returned {type(cand).__name__}, not a Candidate")
            raise _Stop
        if not isinstance(cand.arch_index, (int, np.integer)) or not 0 <= cand.arch_index < size:
            failures.append(f"ask proposed index {cand.arch_index!r}, not in 0..{size - 1}")
            raise _Stop
        if cand.fidelity is not None and cand.fidelity not in FIDELITIES:
            failures.append(f"ask proposed fidelity {cand.fidelity!r}; known: {FIDELITIES}")
            raise _Stop

    return check


class _Stop(Exception):
    pass


def _guarded(name: str, body: Callable[[list[str]], None]) -> CheckResult:
    failures: list[str] = []
    try:
        body(failures)
    except _Stop:
        pass
    except Exception as exc:  # noqa: BLE001  (a strategy's crash is a failed check)
        failures.append(f"raised {type(exc).__name__}: {exc}")
    return CheckResult(name, tuple(failures))


def run_checks(cls: type, space, bench, only: tuple[str, ...] = CHECKS) -> list[CheckResult]:
    """Run the contract checks ``only`` on strategy class ``cls``; one result per check."""
    static = check_class(cls)
    if static:
        return [CheckResult("class", tuple(static))]
    steps = budget(cls)
    results = [CheckResult("class", ())]

    def valid(failures):
        _loop(cls, space, bench, 7, steps, check=_validator(space, bench, failures))

    def same_seed(failures):
        _, first = _loop(cls, space, bench, 7, steps)
        _, again = _loop(cls, space, bench, 7, steps)
        if first != again:
            at = next(i for i, (a, b) in enumerate(zip(first, again)) if a != b)
            failures.append(f"seed 7 gave two different sequences (first difference at ask {at})")
        if getattr(cls, "seed_dependent", True):
            half = max(steps // 2, 10)
            _, other = _loop(cls, space, bench, 8, half)
            if first[:half] == other:
                failures.append(
                    f"seeds 7 and 8 gave the same {half} proposals (set seed_dependent = False "
                    "if that is intended)"
                )

    def nan(failures):
        _, proposals = _loop(cls, space, bench, 3, steps, nan_every=3)
        if len(proposals) != steps:
            failures.append(f"stopped after {len(proposals)} of {steps} steps")

    def mid_step(failures):
        half = max(steps // 2, 2)
        searcher, _ = _loop(cls, space, bench, 5, half)
        check = _validator(space, bench, failures)
        for _ in range(2):
            cand = searcher.ask()  # asked, never told: the runner stopped here
            if cand is None and cls.multi_fidelity:
                continue  # a synchronous rung waits for the lost results (the runner ends)
            check(cand)
        _loop(cls, space, bench, 5, half, start=searcher, check=check)

    def no_test(failures):
        with _TestDataWatch().installed() as watch:
            _loop(cls, space, bench, 11, min(steps, 30), watch=watch)
        if watch.reads:
            failures.append(
                "read test accuracy during ask/tell via " + ", ".join(sorted(set(watch.reads)))
            )

    bodies = {
        "valid_proposals": valid,
        "same_seed_same_sequence": same_seed,
        "nan_observations": nan,
        "budget_ends_mid_step": mid_step,
        "never_asks_for_test_data": no_test,
    }
    results += [_guarded(name, bodies[name]) for name in only]
    return results
