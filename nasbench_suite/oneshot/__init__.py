"""Differentiable and weight-sharing NAS on the NB201 cell space.

Methods (``METHODS``): ``darts-v1``, ``darts-v2`` (Liu et al., ICLR 2019), ``gdas`` (Dong & Yang,
CVPR 2019), ``rsps`` (Li & Talwalkar, UAI 2019), ``enas`` (Pham et al., ICML 2018) and
``darts-hw`` (DARTS + expected-latency loss, FBNet / ProxylessNAS style), all on the supernet of
:mod:`.supernet` with NB201's search hyperparameters (:data:`.search.METHOD_DEFAULTS`)::

    data = search_data("cifar10", subset=2000)
    search = create_search("gdas", data, epochs=10, device="cuda")
    result = search.run()          # result.arch, result.search_time_s, result.history

Importing this package imports torch (tabular code must not import it).
"""

from __future__ import annotations

from nasbench_suite.errors import NasBenchError, unknown
from nasbench_suite.oneshot.darts import GDAS, DartsHW, DartsV1, DartsV2
from nasbench_suite.oneshot.data import search_data
from nasbench_suite.oneshot.latency import LatencyTable, fit_latency_table, store_latency_table
from nasbench_suite.oneshot.sampling import ENAS, RSPS
from nasbench_suite.oneshot.search import (
    METHOD_DEFAULTS,
    OneShotSearch,
    SearchConfig,
    SearchResult,
    make_config,
)
from nasbench_suite.oneshot.supernet import Supernet

METHODS: dict[str, type[OneShotSearch]] = {
    cls.method: cls for cls in (DartsV1, DartsV2, GDAS, RSPS, ENAS, DartsHW)
}


def get_method(name: str) -> type[OneShotSearch]:
    """The class of one-shot method ``name``; raises with the known names."""
    if name not in METHODS:
        raise unknown("one-shot method", name, tuple(METHODS))
    return METHODS[name]


def create_search(method: str, data, store=None, **settings) -> OneShotSearch:
    """Build method ``method`` on ``data`` with NB201's settings overridden by ``settings``.

    ``store`` (default: :func:`~nasbench_suite.bench.store.open_store`) is opened only when
    the method needs a latency table (``latency_device`` set and ``latency_weight > 0``, or
    ``darts-hw``).
    """
    cls = get_method(method)
    config = make_config(method, **settings)
    table = None
    if config.latency_device is not None and (method == "darts-hw" or config.latency_weight > 0):
        table = _latency_table(store, config.latency_device)
    elif method == "darts-hw":
        raise NasBenchError(
            "darts-hw needs a latency device; pass --latency-device (a store device)"
        )
    return cls(data, config, table)


_DEFAULT_TABLES: dict[str, LatencyTable] = {}


def _latency_table(store, device: str) -> LatencyTable:
    """The fitted table of ``device`` (cached per process for the default store)."""
    if store is not None:
        return store_latency_table(store, device)
    if device not in _DEFAULT_TABLES:
        from nasbench_suite.bench.store import open_store

        _DEFAULT_TABLES[device] = store_latency_table(open_store(), device)
    return _DEFAULT_TABLES[device]


__all__ = [
    "ENAS",
    "GDAS",
    "METHODS",
    "METHOD_DEFAULTS",
    "RSPS",
    "DartsHW",
    "DartsV1",
    "DartsV2",
    "LatencyTable",
    "OneShotSearch",
    "SearchConfig",
    "SearchResult",
    "Supernet",
    "create_search",
    "fit_latency_table",
    "get_method",
    "make_config",
    "search_data",
    "store_latency_table",
]
