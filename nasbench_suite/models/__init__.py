"""The NAS-Bench-201 cell network in PyTorch (``TinyNetwork``), as the benchmark trained it.

Importing this package imports torch; tabular code must not import it.
"""

from __future__ import annotations

from nasbench_suite.models.network import TinyNetwork, build_network, count_parameters

__all__ = ["TinyNetwork", "build_network", "count_parameters"]
