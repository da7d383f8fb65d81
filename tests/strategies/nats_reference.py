"""An independent reference of what the NATS-Bench authors' search scripts do, on this store.

Written for the faithfulness test (``test_nats_faithful.py``) from the semantics of AutoDL-
Projects ``exps/NATS-algos/regularized_ea.py``, ``reinforce.py`` and ``random_wo_share.py`` (run
with the settings of ``exps/NATS-algos/run-all.sh``) and the read-out of
``exps/NATS-Bench/draw-table.py``; no code of theirs is copied and nothing of the suite's
strategies or runner is used. What stands in for the ``nats_bench`` API:

* ``simulate_train_eval(arch, dataset, hp="12")``: the store's 12-epoch validation accuracy
  (seed mean; NATS draws one 12-epoch seed, which the public tables do not hold) and, as cost,
  12 x the recorded per-epoch training time (the suite's convention; no validation-pass time);
  the API's clock is the running sum of those costs.
* the reported number: the 200-epoch seed-mean test accuracy of the incumbent on the report
  dataset (``cifar10`` for a ``cifar10-valid`` search), interpolated at the time budget between
  the two records nearest it (``draw-table.py``).

Architectures are handled as the authors' ``CellStructure`` does: three nodes, node ``i`` with
incoming edges from nodes ``0..i-1``, each edge an op name; they are turned into NB201 indices
through their arch strings (``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

import numpy as np

# NATS-Bench's topology op list (xautodl ``get_search_spaces("tss", "nats-bench")``).
OP_NAMES = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
MAX_NODES = 4


@dataclass
class Tables:
    """The columns the authors' scripts read through the API, for one search dataset."""

    valid12: np.ndarray  # 12-epoch validation accuracy (%), by NB201 index
    cost12: np.ndarray  # simulated seconds of one 12-epoch evaluation
    test200: np.ndarray  # 200-epoch test accuracy (%) on the report dataset
    index_map: object  # arch string -> NB201 index

    @classmethod
    def from_store(cls, store, search_dataset: str, report_dataset: str) -> Tables:
        return cls(
            valid12=store.column("valid_acc_12ep", search_dataset),
            cost12=store.column("epoch_time_s", search_dataset) * 12.0,
            test200=store.column("test_acc", report_dataset),
            index_map=store.index_map,
        )

    def index(self, arch: tuple[tuple[str, ...], ...]) -> int:
        text = "+".join(
            "|" + "|".join(f"{op}~{j}" for j, op in enumerate(node)) + "|" for node in arch
        )
        return int(self.index_map.index(text))


class Api:
    """The clocked stand-in for ``nats_bench``'s ``simulate_train_eval`` (hp="12")."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables
        self.used = 0.0

    def simulate_train_eval(self, arch) -> tuple[float, float, int]:
        """(validation accuracy, total time used so far, NB201 index)."""
        index = self.t.index(arch)
        self.used += float(self.t.cost12[index])
        return float(self.t.valid12[index]), self.used, index


def random_arch(rnd: random.Random):
    """One op per edge, drawn uniformly (``random_topology_func``)."""
    return tuple(tuple(rnd.choice(OP_NAMES) for _ in range(i)) for i in range(1, MAX_NODES))


def mutate_arch(rnd: random.Random, arch):
    """A node uniformly, one of its incoming edges uniformly, a different op (redrawn until it
    differs), as ``mutate_topology_func``."""
    nodes = [list(node) for node in arch]
    node = rnd.randint(0, len(nodes) - 1)
    edge = rnd.randint(0, len(nodes[node]) - 1)
    op = rnd.choice(OP_NAMES)
    while op == nodes[node][edge]:
        op = rnd.choice(OP_NAMES)
    nodes[node][edge] = op
    return tuple(tuple(n) for n in nodes)


def regularized_ea(tables: Tables, budget: float, seed: int, population=10, sample=3):
    """Aging evolution with a with-replacement tournament; returns (times, incumbent indices)."""
    rnd = random.Random(seed)
    api = Api(tables)
    pop: deque = deque()
    history: list[tuple[float, int]] = []  # (accuracy, index), evaluation order
    times: list[float] = []
    best: list[int] = []

    def record(acc, used, index):
        history.append((acc, index))
        times.append(used)
        best.append(max(history, key=lambda x: x[0])[1])  # first maximum, like max()

    while len(pop) < population:
        arch = random_arch(rnd)
        acc, used, index = api.simulate_train_eval(arch)
        pop.append((acc, arch))
        record(acc, used, index)
    while times[-1] < budget:  # the evaluation that crosses the budget is kept
        contenders = [rnd.choice(list(pop)) for _ in range(sample)]
        parent = max(contenders, key=lambda m: m[0])
        child = mutate_arch(rnd, parent[1])
        acc, used, index = api.simulate_train_eval(child)
        pop.append((acc, child))
        record(acc, used, index)
        pop.popleft()
    return np.array(times), np.array(best)


class ReinforcePolicy:
    """The authors' policy and optimiser, in numpy: logits (6 edges x 5 ops) initialised to
    ``1e-3 * N(0, 1)``, ops drawn per edge from ``softmax(logits)``, and ``torch.optim.Adam``'s
    documented update (betas 0.9 / 0.999, eps 1e-8, bias-corrected) on the loss
    ``-(reward - baseline) * sum_e log pi(op_e)``. ``test_nats_faithful`` checks the update
    against torch itself."""

    def __init__(self, rng: np.random.Generator, lr: float) -> None:
        self.logits = 1e-3 * rng.standard_normal((6, len(OP_NAMES)))
        self.lr, self.m, self.v, self.t = lr, np.zeros((6, 5)), np.zeros((6, 5)), 0

    def probs(self) -> np.ndarray:
        z = np.exp(self.logits - self.logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def sample(self, rng: np.random.Generator) -> list[int]:
        cdf = np.cumsum(self.probs(), axis=1)  # inverse-CDF draw, one uniform per edge
        u = rng.random(6)[:, None]
        return [min(int(k), len(OP_NAMES) - 1) for k in (cdf < u).sum(axis=1)]

    def step(self, actions, advantage: float) -> None:
        onehot = np.eye(len(OP_NAMES))[actions]
        grad = -advantage * (onehot - self.probs())  # d loss / d logits
        self.t += 1
        self.m = 0.9 * self.m + 0.1 * grad
        self.v = 0.999 * self.v + 0.001 * grad**2
        m_hat, v_hat = self.m / (1 - 0.9**self.t), self.v / (1 - 0.999**self.t)
        self.logits = self.logits - self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)


def reinforce(tables: Tables, budget: float, seed: int, lr=0.01, momentum=0.9):
    """REINFORCE as ``reinforce.py``: the EMA baseline (bias-corrected: numerator and
    denominator) is updated with the reward *before* the advantage is taken, then one Adam step;
    the incumbent is the best reward seen. Returns (times, incumbent indices)."""
    rng = np.random.default_rng(seed)
    policy = ReinforcePolicy(rng, lr)
    num = den = 0.0
    api = Api(tables)
    trace: list[tuple[float, int]] = []
    times: list[float] = []
    best: list[int] = []
    while not times or times[-1] < budget:
        actions = policy.sample(rng)
        ops = [OP_NAMES[a] for a in actions]
        arch = (tuple(ops[0:1]), tuple(ops[1:3]), tuple(ops[3:6]))
        reward, used, index = api.simulate_train_eval(arch)
        trace.append((reward, index))
        times.append(used)
        num = momentum * num + (1 - momentum) * reward
        den = momentum * den + (1 - momentum)
        policy.step(actions, reward - num / den)
        best.append(max(trace, key=lambda x: x[0])[1])
    return np.array(times), np.array(best)


def random_search(tables: Tables, budget: float, seed: int):
    """Uniform random cells until the clock reaches the budget; (times, incumbent indices)."""
    rnd = random.Random(seed)
    api = Api(tables)
    best_acc, best_index = -1.0, None
    times: list[float] = []
    best: list[int] = []
    while not times or times[-1] < budget:
        acc, used, index = api.simulate_train_eval(random_arch(rnd))
        times.append(used)
        if best_index is None or best_acc < acc:
            best_acc, best_index = acc, index
        best.append(best_index)
    return np.array(times), np.array(best)


def table_value(tables: Tables, times: np.ndarray, best: np.ndarray, budget: float) -> float:
    """``draw-table.py``'s read-out: the incumbent's test accuracy at the budget, linearly
    interpolated through the two records whose times are nearest it (Python's stable sort)."""
    order = sorted(range(len(times)), key=lambda i: abs(times[i] - budget))
    a, b = order[0], order[1]
    ya, yb = tables.test200[best[a]], tables.test200[best[b]]
    ta, tb = times[a], times[b]
    return float((tb - budget) / (tb - ta) * ya + (budget - ta) / (tb - ta) * yb)
