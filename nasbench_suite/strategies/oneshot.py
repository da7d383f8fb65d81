"""One-shot NAS methods as ask/tell strategies: each ``ask`` runs one real search epoch.

Registered names: ``darts-v1``, ``darts-v2``, ``gdas``, ``rsps``, ``enas``, ``darts-hw`` (see
:mod:`nasbench_suite.oneshot` for the methods, their papers and NB201 hyperparameters).

``ask()`` trains the supernet for one epoch (the search's first ask also builds it and loads the
data) and proposes the cell derived after that epoch; the runner's benchmark then looks that cell
up in the tabular store (or trains it, on a training benchmark). ``tell`` learns nothing: a
one-shot method's signal is its own supernet, never the benchmark's observation. After
``epochs`` asks, ``ask`` raises ``StopIteration`` (the runner ends the run as "exhausted").

Compute charged to the clock (honoured by :func:`nasbench_suite.runner.run.search`):

* ``compute_cost_s``: the seconds of the search epoch run by the latest ``ask``
  (``total_compute_s``: all asks); the runner adds it to its clock after each ask. By default
  (``epoch_cost: model``) that is the deterministic cost of
  :mod:`nasbench_suite.oneshot.cost_model` (NB201's recorded GPU seconds per epoch of the method,
  scaled to the setting), so runs are byte-reproducible; ``epoch_cost: measured`` charges the
  real wall seconds, ``epoch_cost_s: X`` a fixed number.
* ``evaluations_are_free = True``: the proposed cell is a read-out of the search's state, not a
  trained candidate, so the runner does not also charge the benchmark's training time of it.
* ``artifacts()``: ``{"alphas.json": {...}}``, the per-epoch architecture weights (softmax of
  alpha, or controller probabilities), written into the run folder; ``alphas`` has the same
  records. Their ``seconds`` are the charged ones (measured only with ``epoch_cost: measured``);
  every proposal is reproducible too (CPU, same seed and thread count).

Through the runner, ``data`` defaults to the run's search dataset (``searches_on_data``). Built
directly, defaults are a smoke-test scale: ``data="synthetic"`` (64 random 8 x 8 images) with C=4, N=1,
batch 64 (one step per epoch), one CPU thread, 10 RSPS samples and 2 x 5 ENAS controller samples
per epoch, so the registry's contract tests run in seconds. Real searches pass ``data``
(``cifar10``, ``cifar100``, ``ImageNet16-120``, ``fashion-mnist``), and then C, N, the batch and
the per-epoch selection work default to NB201's.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy

_DARTS = "Liu, Simonyan & Yang, DARTS: Differentiable Architecture Search, ICLR 2019"
_PAPERS = {
    "darts-v1": f"{_DARTS} (first order)",
    "darts-v2": f"{_DARTS} (second order)",
    "gdas": "Dong & Yang, Searching for A Robust Neural Architecture in Four GPU Hours, CVPR 2019",
    "rsps": "Li & Talwalkar, Random Search and Reproducibility for Neural Architecture Search, "
    "UAI 2019",
    "enas": "Pham, Guan, Zoph, Le & Dean, Efficient Neural Architecture Search via Parameter "
    "Sharing, ICML 2018",
    "darts-hw": "Cai, Zhu & Han, ProxylessNAS, ICLR 2019; Wu et al., FBNet, CVPR 2019 "
    "(latency loss on DARTS)",
}


EPOCH_COST_MODES = ("model", "measured")  # see nasbench_suite.oneshot.cost_model (imports torch)

# Smoke-test scale of the per-epoch selection / controller work on synthetic data.
_SMOKE = {"select_num": 10, "controller_train_steps": 2, "controller_num_aggregate": 5}


class OneShotStrategy(Searcher):
    """Base of the one-shot strategies (the subclass fixes ``method``).

    Args:
        data: ``synthetic`` (default, smoke tests) or a training setting name.
        subset: cut every split to this many images (quick runs).
        epochs: search epochs (default: NB201's for the method: 50 / 240 / 250 / 310).
        channels / cells_per_stage: C and N (default 16 / 5; 4 / 1 on synthetic data).
        batch_size: default NB201's (64; ENAS 128).
        device: ``cpu`` or ``cuda``.
        latency_device / latency_weight: hardware-aware loss (``darts-hw``; default
            ``1080ti_1`` and 0.1 per ms).
        num_threads: CPU threads (default: 1 on synthetic data, else torch's).
        data_root: folder with the dataset files (default: the standard places).
        settings: any other :class:`~nasbench_suite.oneshot.search.SearchConfig` fields.
        epoch_cost: ``model`` (default: the deterministic per-epoch cost of
            :mod:`nasbench_suite.oneshot.cost_model`) or ``measured`` (real wall seconds; not
            byte-reproducible).
        epoch_cost_s: a fixed number of seconds charged per search epoch instead (e.g. a paper's
            search cost / epochs).
    """

    method: ClassVar[str] = "?"
    spaces: ClassVar[tuple[str, ...]] = ("nb201",)  # the supernet is the NB201 cell network
    evaluations_are_free: ClassVar[bool] = True
    searches_on_data: ClassVar[bool] = True  # the runner passes the search dataset as ``data``

    def __init__(
        self,
        space,
        seed=0,
        objective=None,
        data: str = "synthetic",
        subset: int | None = None,
        epochs: int | None = None,
        channels: int | None = None,
        cells_per_stage: int | None = None,
        batch_size: int | None = None,
        device: str = "cpu",
        latency_device: str | None = None,
        latency_weight: float | None = None,
        num_threads: int | None = None,
        data_root: str | None = None,
        settings: dict[str, Any] | None = None,
        epoch_cost: str | None = None,
        epoch_cost_s: float | None = None,
    ) -> None:
        super().__init__(space, seed=seed, objective=objective)
        self.cost_mode = _cost_mode(self.name, epoch_cost, epoch_cost_s)
        if epoch_cost_s is not None and not (
            isinstance(epoch_cost_s, (int, float))
            and not isinstance(epoch_cost_s, bool)
            and 0 <= epoch_cost_s < float("inf")
        ):
            raise NasBenchError(
                f"{self.name}: epoch_cost_s must be a non-negative number, got {epoch_cost_s!r}"
            )
        self.epoch_cost_s = None if epoch_cost_s is None else float(epoch_cost_s)
        if not isinstance(data, str):
            raise NasBenchError(f"{self.name}: data must be a dataset name, got {data!r}")
        if settings is not None and not isinstance(settings, dict):
            raise NasBenchError(f"{self.name}: settings must be a mapping, got {settings!r}")
        synthetic = data.lower() == "synthetic"
        self.data, self.subset, self.data_root = data, subset, data_root
        self.overrides: dict[str, Any] = {
            "epochs": epochs,
            "channels": channels if channels is not None else (4 if synthetic else None),
            "cells_per_stage": cells_per_stage
            if cells_per_stage is not None
            else (1 if synthetic else None),
            "batch_size": batch_size if batch_size is not None else (64 if synthetic else None),
            "device": device,
            "latency_device": latency_device,
            "latency_weight": latency_weight,
            "num_threads": num_threads if num_threads is not None else (1 if synthetic else None),
            **(_SMOKE if synthetic else {}),
            **(settings or {}),
        }
        self.last_compute_s = 0.0
        self.total_compute_s = 0.0
        self._search = None

    def _ensure(self):
        if self._search is None:
            from nasbench_suite.oneshot import create_search, search_data

            seed = int(self.rng.integers(2**31 - 1))
            bundle = search_data(self.data, self.subset, root=self.data_root, seed=0)
            self._search = create_search(self.method, bundle, seed=seed, **self.overrides)
        return self._search

    def ask(self) -> Candidate:
        t0, ran = time.perf_counter(), False
        try:
            search = self._ensure()
            search.run_epoch()  # StopIteration once every epoch has run
            ran = True
            ops = search.derived_ops()
        finally:
            if self.cost_mode == "measured":
                self.last_compute_s = time.perf_counter() - t0
            else:  # the charged cost of an epoch that ran; nothing for the exhausted ask
                self.last_compute_s = self._charged_epoch_s() if ran else 0.0
            self.total_compute_s += self.last_compute_s
        return Candidate(self.space.index_of_ops(ops))

    def _charged_epoch_s(self) -> float:
        """The seconds charged per epoch: ``epoch_cost_s`` or the modelled cost."""
        if self.cost_mode == "fixed":
            return float(self.epoch_cost_s)
        return self._ensure().modelled_epoch_cost_s()

    def compute_cost_s(self) -> float:
        """Charged seconds (modelled, fixed or measured) of the epoch run by the latest ask."""
        return self.last_compute_s

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        """One-shot methods learn from their supernet, not from the benchmark."""

    @property
    def alphas(self) -> list[dict]:
        """Per-epoch records: epoch, seconds, arch, ops, weights (6 x 5), method extras.

        ``seconds`` is what the clock was charged: modelled (default), fixed or measured.
        """
        records = [] if self._search is None else list(self._search.history)
        if records and self.cost_mode != "measured":  # no search built just to read this
            charged = self._charged_epoch_s()
            records = [{**r, "seconds": charged} for r in records]
        return records

    def artifacts(self) -> dict[str, dict]:
        """Files for the run folder: ``alphas.json`` (method, ops / edges order, records)."""
        dims = self.space.dims
        return {
            "alphas.json": {
                "method": self.method,
                "ops": list(dims[0].choices),
                "edges": [d.name.removeprefix("edge ") for d in dims],
                "compute_s": self.total_compute_s,
                "cost": self.cost_mode,
                "epochs": self.alphas,
            }
        }


def _cost_mode(owner: str, epoch_cost: str | None, epoch_cost_s: float | None) -> str:
    """``model``, ``measured`` or ``fixed`` (an ``epoch_cost_s``); refuses other values."""
    if epoch_cost is not None and epoch_cost not in EPOCH_COST_MODES:
        raise NasBenchError(
            f"{owner}: epoch_cost must be one of {', '.join(EPOCH_COST_MODES)}, got {epoch_cost!r}"
        )
    if epoch_cost_s is not None:
        if epoch_cost == "measured":
            raise NasBenchError(f"{owner}: give epoch_cost: measured or epoch_cost_s, not both")
        return "fixed"
    return epoch_cost or "model"


def _make(method: str) -> type[OneShotStrategy]:
    cls = type(
        f"OneShot_{method.replace('-', '_')}",
        (OneShotStrategy,),
        {
            "method": method,
            "paper": _PAPERS[method],
            "__doc__": f"One-shot {method} ({_PAPERS[method]}); one ask = one search epoch.\n\n"
            + (OneShotStrategy.__doc__ or ""),
            "__module__": __name__,
        },
    )
    return register_strategy(method)(cls)


for _method in _PAPERS:
    _make(_method)
