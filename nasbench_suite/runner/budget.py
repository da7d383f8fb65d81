"""Budget cut-off and incumbent rules a spec can choose (``budget_rule``, ``incumbent``).

Budget rules (what happens to the evaluation whose completion crosses ``time_s``):

* ``drop`` (default): it is not counted -- not recorded, not told, cannot become the incumbent;
  the last row's clock is <= the budget. NB201's reference scripts do this for random search
  and REA (AutoDL-Projects ``exps/NAS-Bench-201-algos/RANDOM.py`` and ``R_EA.py``: the loop
  breaks, or returns, before adding the crossing evaluation).
* ``keep_crossing``: it is recorded (its row's clock exceeds the budget), may become the
  incumbent, and the run stops. NATS-Bench's search scripts run ``while total_time < budget``
  and so keep it (``exps/NATS-algos/random_wo_share.py``, ``regularized_ea.py``,
  ``reinforce.py``).
* ``interpolate``: the trajectory is recorded as with ``keep_crossing``; the run's final value
  is the incumbent's test accuracy linearly interpolated at the budget between the two records
  whose clocks are nearest the budget (by absolute distance; extrapolated when both lie on the
  same side), as NATS-Bench's table script does (``exps/NATS-Bench/draw-table.py``,
  ``query_performance`` / ``interplate_fn``, which produces the paper's Table 4).

Incumbent rules (which observations may become the incumbent):

* ``max_fidelity`` (default): the best objective among observations at the highest fidelity
  seen so far (a 12-epoch result stops counting once a cell has 200-epoch results).
* ``any_fidelity``: the best objective over every observation at any fidelity, as the
  NATS-Bench BOHB script reports it (``exps/NATS-algos/bohb.py``: the best accuracy of the whole
  worker trajectory, whatever its budget).
"""

from __future__ import annotations

import math

import numpy as np

BUDGET_RULES = ("drop", "keep_crossing", "interpolate")
INCUMBENT_RULES = ("max_fidelity", "any_fidelity")


def value_at_budget(time_s, values, budget_s: float) -> float:
    """NATS-Bench's ``draw-table.py`` read-out: ``values`` interpolated at ``budget_s``.

    Args:
        time_s: clock after each recorded evaluation (non-decreasing).
        values: the incumbent's value after each evaluation (NaN: no incumbent yet).
        budget_s: the time budget.

    Returns:
        The linear interpolation (or extrapolation) through the two records nearest the budget
        (ties: the earlier record first, as Python's stable sort in the authors' script); the
        single value for one record; NaN for none or when either record has no value.
    """
    t = np.asarray(time_s, dtype=float)
    v = np.asarray(values, dtype=float)
    if t.size == 0:
        return math.nan
    if t.size == 1:
        return float(v[0])
    order = np.argsort(np.abs(t - budget_s), kind="stable")
    (t1, y1), (t2, y2) = (t[order[0]], v[order[0]]), (t[order[1]], v[order[1]])
    if t1 == t2:
        return float(y1)
    return float((t2 - budget_s) / (t2 - t1) * y1 + (budget_s - t1) / (t2 - t1) * y2)
