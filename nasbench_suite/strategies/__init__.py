"""Search strategies behind the ask/tell interface.

Importing this package imports every module in it, and each module registers its strategies with
:func:`register_strategy`; a new strategy is a new module, tested on arrival by the contract tests.
"""

import importlib
import pkgutil

from nasbench_suite.strategies.base import (
    Candidate,
    Searcher,
    create_strategy,
    get_strategy,
    list_strategies,
    register_strategy,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Candidate", "Searcher", "create_strategy", "get_strategy", "list_strategies", "register_strategy"]
