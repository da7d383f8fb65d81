"""Zero-cost-proxy strategies: proxy-only search and proxy warm-started REA / GP-BO.

Registered names:

* ``proxy_search``: NASWOT-style search (Mellor, Turner, Storkey & Crowley, "Neural Architecture
  Search without Training", ICML 2021): score ``n_samples`` random cells (default 100, the
  paper's N) with ``proxy`` (default ``nwot``) and propose them best first; every further ask
  proposes the next best, and when the batch is used up a fresh batch of unproposed cells is
  scored. ``tell`` learns nothing (the proxy is the only signal).
* ``rea_ws``: regularized evolution whose initial population is the top ``population_size`` of
  ``n_warmup`` random cells ranked by ``proxy`` (default ``synflow``); afterwards plain REA.
* ``gp_bo_ws``: GP-BO whose ``n_init`` initial design points are the top ``n_init`` of
  ``n_warmup`` random cells ranked by ``proxy``; afterwards plain GP-BO.

The warm-start variants follow Abdelfattah, Mehrotra, Dudziak & Lane, "Zero-Cost Proxies for
Lightweight NAS", ICLR 2021 (Sec. 5, warmup: top cells of 3,000 by synflow). Our default
``n_warmup=100`` (NASWOT's N) is a CPU-friendly choice that keeps the registry's contract tests
fast, not the paper's 3,000; pass ``n_warmup=3000`` for it (cheap with a ``proxy_table``).

Where scores come from (``proxy_table``):

* ``proxy_table=PATH``: a scores CSV written by ``nasbench-suite zc compute`` (columns ``index``,
  one per proxy, ``time_s``; see :mod:`nasbench_suite.proxies.results`). Cells are drawn from the
  table's indices only, scores and per-cell ``time_s`` are read from it, no torch is imported,
  and a run's trajectory is byte-identical across repetitions. Note that a row's ``time_s`` is
  the time of *all* the table's proxies for that cell (as ``zc compute`` records it).
* ``proxy_table=None`` (default): scores are computed live with :mod:`nasbench_suite.proxies`
  (seeded by ``proxy_seed``, CPU, ``num_threads`` torch threads, mini-batch of ``batch`` images
  from the default source of :mod:`nasbench_suite.proxies.data`) and each cell's scoring time is
  measured. Live scores (and their measured seconds) are memoised per process, keyed by every
  setting, so a cell is scored once per process.

  Live defaults are a smoke-test scale so that the registry's contract tests stay fast:
  ``channels=8``, ``cells_per_stage=1``, ``batch=8``, ``num_threads=1``. The NB201 network of
  the papers is ``channels=16, cells_per_stage=5`` (NASLib / NASWOT batch: ``batch=32`` here,
  NASWOT used 128); it costs ~0.1-0.4 s per cell on one CPU thread, so for real experiments
  prefer a table computed once with ``zc compute``.

Compute charged to the clock (honoured by :func:`nasbench_suite.runner.run.search`): the ask
that scores cells sets ``compute_cost_s`` to the sum of those cells' proxy seconds; every other
ask sets it to 0. The seconds per cell are, with ``proxy_cost: model`` (the default for live
scores), the deterministic per-proxy cost of :mod:`nasbench_suite.proxies.cost_model`, so live
runs are byte-reproducible; with ``proxy_cost: measured`` (the default with a ``proxy_table``)
the measured live seconds or the table's recorded ones. Live seconds are per cell as
``zc compute`` records them (building the seeded network and running the proxy), so the one-off
loading of the mini-batch is not charged, in either mode. ``total_compute_s`` sums them. The
proposed cells are evaluated (trained) by the benchmark as usual, so their training time is also
charged (``evaluations_are_free`` is False). ``artifacts()`` writes ``proxy_scores.json``: the
proxy, its source and every cell scored with its score and seconds.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import ClassVar

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy
from nasbench_suite.strategies.evolution import RegularizedEvolution, _positive_int
from nasbench_suite.strategies.gp_bo import GPBayesOpt

_NASWOT = (
    "Mellor, Turner, Storkey & Crowley, Neural Architecture Search without Training, ICML 2021"
)
_ZC = "Abdelfattah, Mehrotra, Dudziak & Lane, Zero-Cost Proxies for Lightweight NAS, ICLR 2021"

_TABLES: dict[str, tuple[float, list[str], dict[int, dict[str, float]]]] = {}
_LIVE: dict[tuple, tuple[float, float]] = {}  # (settings..., index) -> (score, seconds)


def read_table(path: str | Path) -> tuple[list[str], dict[int, dict[str, float]]]:
    """A scores CSV (cached per process while its modification time is unchanged)."""
    from nasbench_suite.proxies.results import read_scores

    key = os.path.abspath(path)
    try:
        mtime = os.stat(key).st_mtime
    except OSError:
        raise NasBenchError(
            f"proxy table {path} does not exist (write it with `nasbench-suite zc compute`)"
        ) from None
    hit = _TABLES.get(key)
    if hit is None or hit[0] != mtime:
        columns, rows = read_scores(key)
        if not rows:
            raise NasBenchError(f"proxy table {path} holds no scores")
        _TABLES[key] = hit = (mtime, columns, rows)
    return hit[1], hit[2]


def rank_by_score(indices, scores) -> list[int]:
    """``indices`` sorted by decreasing score; ties keep draw order, non-finite scores last."""
    s = np.asarray(scores, dtype=np.float64).copy()
    s[~np.isfinite(s)] = -np.inf
    order = np.argsort(-s, kind="stable")
    return [int(indices[i]) for i in order]


class ProxyScorer:
    """Scores NB201 cells with one proxy, from a table or live; reports the seconds it costs."""

    def __init__(
        self,
        space,
        proxy: str,
        proxy_table: str | Path | None,
        dataset: str,
        proxy_seed: int,
        batch: int,
        channels: int,
        cells_per_stage: int,
        num_threads: int | None,
        owner: str,
        proxy_cost: str | None = None,
    ) -> None:
        from nasbench_suite.proxies.cost_model import COST_MODES

        if not isinstance(proxy, str) or not proxy:
            raise NasBenchError(f"{owner}: proxy must be a proxy name, got {proxy!r}")
        if proxy_cost is not None and proxy_cost not in COST_MODES:
            raise NasBenchError(
                f"{owner}: proxy_cost must be one of {', '.join(COST_MODES)}, got {proxy_cost!r}")
        # default: the table's recorded seconds when there is a table, else the cost model
        self.cost_mode = proxy_cost or ("measured" if proxy_table is not None else "model")
        self.space, self.proxy, self.owner = space, proxy, owner
        self.table = None if proxy_table is None else str(proxy_table)
        self.dataset, self.proxy_seed, self.batch = dataset, int(proxy_seed), int(batch)
        self.channels, self.cells_per_stage = int(channels), int(cells_per_stage)
        self.num_threads = num_threads
        self.records: list[tuple[int, float, float]] = []  # (index, score, seconds), in order

    def pool(self) -> np.ndarray:
        """The indices cells are drawn from: the table's (sorted), else every cell."""
        if self.table is None:
            return np.arange(self.space.size, dtype=np.int64)
        columns, rows = read_table(self.table)
        if self.proxy not in columns:
            raise NasBenchError(
                f"{self.owner}: proxy table {self.table} has no column {self.proxy!r} "
                f"(columns: {', '.join(columns)})"
            )
        return np.array(sorted(rows), dtype=np.int64)

    def score(self, indices) -> tuple[np.ndarray, float]:
        """Scores of ``indices`` and the proxy seconds they cost (sum over the cells)."""
        indices = [int(i) for i in indices]
        if self.table is not None:
            _, rows = read_table(self.table)
            scores = [rows[i][self.proxy] for i in indices]
            secs = [rows[i].get("time_s", 0.0) for i in indices]
        else:
            scores, secs = self._live(indices)
        if self.cost_mode == "model":  # deterministic: byte-reproducible trajectories
            from nasbench_suite.proxies.cost_model import proxy_cost_s

            secs = [proxy_cost_s(self.proxy)] * len(indices)
        secs = [0.0 if not math.isfinite(s) or s < 0 else float(s) for s in secs]
        self.records.extend(zip(indices, map(float, scores), secs))
        return np.asarray(scores, dtype=np.float64), float(math.fsum(secs))

    def _key(self) -> tuple:
        return (
            self.proxy, self.dataset, self.proxy_seed, self.batch, self.channels,
            self.cells_per_stage,
        )

    def _live(self, indices: list[int]) -> tuple[list[float], list[float]]:
        from types import SimpleNamespace

        import torch

        from nasbench_suite.proxies.scorer import score_cells

        key = self._key()
        todo = [i for i in dict.fromkeys(indices) if key + (i,) not in _LIVE]
        if todo:
            before = torch.get_num_threads()
            if self.num_threads is not None:
                torch.set_num_threads(max(1, int(self.num_threads)))
            try:
                res = score_cells(
                    todo,
                    [self.proxy],
                    dataset=self.dataset,
                    seed=self.proxy_seed,
                    device="cpu",
                    batch=self.batch,
                    store=SimpleNamespace(index_map=self.space.index_map),
                    channels=self.channels,
                    cells_per_stage=self.cells_per_stage,
                )
            finally:
                torch.set_num_threads(before)
            for i in todo:
                _LIVE[key + (i,)] = (float(res[i][self.proxy]), float(res[i]["time_s"]))
        hits = [_LIVE[key + (i,)] for i in indices]
        return [h[0] for h in hits], [h[1] for h in hits]

    def artifact(self) -> dict:
        return {
            "proxy": self.proxy,
            "source": self.table or "live",
            "cost": self.cost_mode,
            "settings": {
                "dataset": self.dataset,
                "proxy_seed": self.proxy_seed,
                "batch": self.batch,
                "channels": self.channels,
                "cells_per_stage": self.cells_per_stage,
            }
            if self.table is None
            else None,
            "cells": [{"index": i, "score": s, "seconds": t} for i, s, t in self.records],
        }


class _ProxyCost:
    """Mixin: the ``compute_cost_s`` / ``total_compute_s`` / ``artifacts`` of a proxy searcher."""

    _scorer: ProxyScorer
    spaces: ClassVar[tuple[str, ...]] = ("nb201",)  # the proxies score NB201 cell networks

    def _init_scorer(self, owner, proxy, proxy_table, dataset, proxy_seed, batch, channels,
                     cells_per_stage, num_threads, proxy_cost) -> None:
        """Check the scoring settings (as ``owner``), build the scorer, zero the counters."""
        for name, value in (("batch", batch), ("channels", channels),
                            ("cells_per_stage", cells_per_stage)):
            _positive_int(owner, name, value)
        if num_threads is not None:
            _positive_int(owner, "num_threads", num_threads)
        self._scorer = ProxyScorer(
            self.space, proxy=proxy, proxy_table=proxy_table, dataset=dataset,
            proxy_seed=proxy_seed, batch=batch, channels=channels,
            cells_per_stage=cells_per_stage, num_threads=num_threads, owner=owner,
            proxy_cost=proxy_cost,
        )
        self.last_compute_s = 0.0
        self.total_compute_s = 0.0

    def compute_cost_s(self) -> float:
        """Proxy seconds charged by the latest ask."""
        return self.last_compute_s

    def _charge(self, seconds: float) -> None:
        self.last_compute_s = float(seconds)
        self.total_compute_s += float(seconds)

    def artifacts(self) -> dict[str, dict]:
        return {"proxy_scores.json": {**self._scorer.artifact(), "compute_s": self.total_compute_s}}


@register_strategy("proxy_search")
class ProxySearch(_ProxyCost, Searcher):
    """Proxy-only search (NASWOT): propose random cells in decreasing zero-cost-proxy score.

    Mellor et al., ICML 2021, Algorithm 1: sample N cells, score each with the proxy on one
    mini-batch, return the best. As an ask/tell strategy, the first ask scores ``n_samples``
    distinct random cells and proposes the best; later asks propose the next best of that batch,
    then (batch used up) score ``n_samples`` fresh cells never proposed before. Raises
    ``StopIteration`` when every cell of the pool (the table's cells, or all 15,625) has been
    proposed. See the module docstring for the scores' source and the compute charged.

    Args:
        n_samples: cells scored per batch (default 100, NASWOT's N for NB201).
        proxy: a registered proxy (default ``nwot``, NASWOT's score).
        proxy_table: scores CSV from ``zc compute`` (reproducible, no torch); None: live.
        dataset: class count / resolution of the live networks (default ``cifar10``).
        proxy_seed: seeds the live networks' weights and batch (default 0, as ``zc compute``).
        batch / channels / cells_per_stage / num_threads: live scoring settings (defaults
            8 / 8 / 1 / 1: smoke scale; NB201's network is 16 / 5).
        proxy_cost: seconds charged per scored cell: ``model`` (default without a table: the
            deterministic per-proxy cost of :mod:`nasbench_suite.proxies.cost_model`) or
            ``measured`` (live seconds, or the table's recorded ``time_s``; default with one).
    """

    paper = _NASWOT

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        n_samples: int = 100,
        proxy: str = "nwot",
        proxy_table: str | None = None,
        dataset: str = "cifar10",
        proxy_seed: int = 0,
        batch: int = 8,
        channels: int = 8,
        cells_per_stage: int = 1,
        num_threads: int | None = 1,
        proxy_cost: str | None = None,
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.n_samples = _positive_int("proxy_search", "n_samples", n_samples)
        self._init_scorer(
            "proxy_search", proxy, proxy_table, dataset, proxy_seed, batch, channels,
            cells_per_stage, num_threads, proxy_cost,
        )
        self._queue: list[int] = []
        self._used: np.ndarray | None = None  # drawn (scored) cells
        self._pool: np.ndarray | None = None

    def ask(self) -> Candidate:
        self.last_compute_s = 0.0
        if not self._queue:
            if self._pool is None:
                self._pool = self._scorer.pool()
                self._used = np.zeros(len(self._pool), dtype=bool)
            free = np.flatnonzero(~self._used)
            if free.size == 0:
                raise StopIteration
            pick = self.rng.choice(free, size=min(self.n_samples, free.size), replace=False)
            self._used[pick] = True
            cells = self._pool[pick]
            scores, cost = self._scorer.score(cells)
            self._charge(cost)
            self._queue = rank_by_score(cells, scores)
        return Candidate(self._queue.pop(0))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        """Proxy-only search does not learn from the benchmark."""


def _warm_start_cells(searcher, n_warmup: int, n_top: int) -> tuple[list[int], float]:
    """The top ``n_top`` of ``n_warmup`` distinct random cells by the proxy, and the cost."""
    pool = searcher._scorer.pool()
    cells = pool[searcher.rng.choice(len(pool), size=min(n_warmup, len(pool)), replace=False)]
    scores, cost = searcher._scorer.score(cells)
    return rank_by_score(cells, scores)[:n_top], cost


@register_strategy("rea_ws")
class WarmStartREA(_ProxyCost, RegularizedEvolution):
    """REA with a zero-cost-proxy warm start (Abdelfattah et al., ICLR 2021, Sec. 5).

    The first ask scores ``n_warmup`` distinct random cells with ``proxy`` (default ``synflow``,
    the paper's choice) and charges that time; the first ``population_size`` asks propose the
    top ``population_size`` of them, best first (the initial population); from then on it is
    :class:`~nasbench_suite.strategies.evolution.RegularizedEvolution` unchanged.

    Args:
        population_size / sample_size: REA's (NB201 defaults 10 / 3).
        n_warmup: cells scored for the warm start (default 100, a CPU choice; the paper: 3,000).
        proxy, proxy_table, dataset, proxy_seed, batch, channels, cells_per_stage,
        num_threads, proxy_cost: as for ``proxy_search``.
    """

    paper = f"{_ZC}; Real, Aggarwal, Huang & Le, Regularized Evolution, AAAI 2019"

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        population_size: int = 10,
        sample_size: int = 3,
        n_warmup: int = 100,
        proxy: str = "synflow",
        proxy_table: str | None = None,
        dataset: str = "cifar10",
        proxy_seed: int = 0,
        batch: int = 8,
        channels: int = 8,
        cells_per_stage: int = 1,
        num_threads: int | None = 1,
        proxy_cost: str | None = None,
    ) -> None:
        super().__init__(
            space, seed=seed, objective=objective, population_size=population_size,
            sample_size=sample_size,
        )
        self.n_warmup = _positive_int("rea_ws", "n_warmup", n_warmup)
        if self.n_warmup < self.population_size:
            raise NasBenchError(
                f"rea_ws: n_warmup ({n_warmup}) must be at least population_size "
                f"({population_size})"
            )
        self._init_scorer(
            "rea_ws", proxy, proxy_table, dataset, proxy_seed, batch, channels,
            cells_per_stage, num_threads, proxy_cost,
        )
        self.warm_start: list[int] | None = None  # the initial population, best first

    def ask(self) -> Candidate:
        self.last_compute_s = 0.0
        if self.warm_start is None:
            self.warm_start, cost = _warm_start_cells(self, self.n_warmup, self.population_size)
            self._charge(cost)
        if self._asked < len(self.warm_start):
            index = self.warm_start[self._asked]
            self._asked += 1
            self.last_parent = None
            return Candidate(index)
        return super().ask()


@register_strategy("gp_bo_ws")
class WarmStartGPBO(_ProxyCost, GPBayesOpt):
    """GP-BO with a zero-cost-proxy warm start (Abdelfattah et al., ICLR 2021, Sec. 5).

    The initial design (``n_init`` cells, default 10) is the top ``n_init`` of ``n_warmup``
    distinct random cells ranked by ``proxy`` (default ``synflow``) instead of random cells,
    proposed best first; the scoring time is charged on the first ask. Everything else is
    :class:`~nasbench_suite.strategies.gp_bo.GPBayesOpt` unchanged (same kwargs).

    Args:
        n_warmup: cells scored for the warm start (default 100, a CPU choice; the paper: 3,000).
        proxy, proxy_table, dataset, proxy_seed, batch, channels, cells_per_stage,
        num_threads, proxy_cost: as for ``proxy_search``.
        kernel, acq_optimizer, n_init, refit_every, n_restarts, xi, n_local_starts: GP-BO's,
            with its defaults.
    """

    paper = f"{_ZC}; {GPBayesOpt.paper}"

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        n_warmup: int = 100,
        proxy: str = "synflow",
        proxy_table: str | None = None,
        dataset: str = "cifar10",
        proxy_seed: int = 0,
        batch: int = 8,
        channels: int = 8,
        cells_per_stage: int = 1,
        num_threads: int | None = 1,
        proxy_cost: str | None = None,
        kernel: str = "hamming",
        acq_optimizer: str = "exhaustive",
        n_init: int = 10,
        refit_every: int = 10,
        n_restarts: int = 3,
        xi: float = 0.0,
        n_local_starts: int = 10,
    ) -> None:
        super().__init__(
            space, seed=seed, objective=objective, kernel=kernel, acq_optimizer=acq_optimizer,
            n_init=n_init, refit_every=refit_every, n_restarts=n_restarts, xi=xi,
            n_local_starts=n_local_starts,
        )
        self.n_warmup = _positive_int("gp_bo_ws", "n_warmup", n_warmup)
        if self.n_warmup < self.n_init:
            raise NasBenchError(
                f"gp_bo_ws: n_warmup ({n_warmup}) must be at least n_init ({self.n_init})"
            )
        self._init_scorer(
            "gp_bo_ws", proxy, proxy_table, dataset, proxy_seed, batch, channels,
            cells_per_stage, num_threads, proxy_cost,
        )
        self._pending_cost = 0.0
        self.warm_start: list[int] | None = None

    def _setup(self) -> None:
        super()._setup()
        self.warm_start, self._pending_cost = _warm_start_cells(self, self.n_warmup, self.n_init)
        self._design = list(self.warm_start)

    def ask(self) -> Candidate:
        self.last_compute_s = 0.0
        cand = super().ask()
        if self._pending_cost:
            self._charge(self._pending_cost)
            self._pending_cost = 0.0
        return cand
