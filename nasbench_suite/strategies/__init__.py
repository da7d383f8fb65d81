"""Search strategies behind the ask/tell interface; importing this package registers them all."""

from nasbench_suite.strategies import random_search  # noqa: F401
from nasbench_suite.strategies.base import (
    Candidate,
    Searcher,
    create_strategy,
    get_strategy,
    list_strategies,
    register_strategy,
)

__all__ = ["Candidate", "Searcher", "create_strategy", "get_strategy", "list_strategies", "register_strategy"]
