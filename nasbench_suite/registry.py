"""The registry shape shared by spaces, benchmarks and strategies.

A :class:`Registry` maps names to classes. Classes join with the :meth:`Registry.register`
decorator; the first time (and every time) names are asked for, the registry imports every
module of its package (each registers itself) and, where it has an entry-point group, the
installed plug-ins of that group (:func:`nasbench_suite.plugins.load_entry_points`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from nasbench_suite.errors import NasBenchError, unknown

T = TypeVar("T", bound=type)


def import_modules(package: str) -> None:
    """Import every public module of ``package`` except ``base`` (each registers itself), so a
    new space or benchmark is one module in that package and nothing else lists it."""
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")


class Registry(Generic[T]):
    """Classes by name, found lazily in one package (and, optionally, in entry points).

    Args:
        kind: what a name names, in messages (``"strategy"``, ``"search space"``).
        package: the package whose modules register themselves when imported.
        plugin_kind: the :data:`nasbench_suite.plugins.GROUPS` key of installed plug-ins to
            load as well (``"strategy"``, ``"benchmark"``), or None for none.
    """

    def __init__(self, kind: str, package: str, plugin_kind: str | None = None) -> None:
        self.kind = kind
        self.package = package
        self.plugin_kind = plugin_kind
        self.classes: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator adding a class under ``name`` (and setting its ``name``); a second,
        different class under the same name fails."""

        def wrap(cls: T) -> T:
            if name in self.classes and self.classes[name] is not cls:
                raise NasBenchError(f"{self.kind} name {name!r} is already registered")
            cls.name = name
            self.classes[name] = cls
            return cls

        return wrap

    def load(self) -> None:
        """Import every module of the package and the installed plug-ins (each registers)."""
        import_modules(self.package)
        if self.plugin_kind is not None:
            from nasbench_suite.plugins import load_entry_points

            load_entry_points(self.plugin_kind)

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self.load()
        return sorted(self.classes)

    def get(self, name: str) -> T:
        """The class registered under ``name``; raises with the known names."""
        self.load()
        if name not in self.classes:
            raise unknown(self.kind, name, sorted(self.classes))
        return self.classes[name]

    def create(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """An instance of the class registered under ``name``."""
        return self.get(name)(*args, **kwargs)
