"""Search spaces behind one interface: one module (or sub-package) per space.

``nasbench_suite.spaces.base`` defines :class:`SearchSpace`, :class:`Dimension` and the registry
(``create_space``, ``list_spaces``); every other module of this package defines and registers one
space, and the registry imports them all on first use.
"""

from nasbench_suite.spaces.base import (
    Dimension,
    SearchSpace,
    create_space,
    list_spaces,
    register_space,
)

__all__ = ["Dimension", "SearchSpace", "create_space", "list_spaces", "register_space"]
