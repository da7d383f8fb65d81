"""Former home of the NB201 search space: now :class:`nasbench_suite.spaces.nb201.NB201Space`.

``SearchSpace`` here is an alias of :class:`~nasbench_suite.spaces.nb201.NB201Space`, kept so
that ``from nasbench_suite.space.searchspace import SearchSpace`` and
``SearchSpace(index_map)`` go on working. New code uses ``create_space("nb201")`` and the seam
(:class:`nasbench_suite.spaces.base.SearchSpace`).
"""

from __future__ import annotations

from nasbench_suite.spaces.nb201 import ENCODINGS, NB201Space

SearchSpace = NB201Space

__all__ = ["ENCODINGS", "NB201Space", "SearchSpace"]
