"""Shared by the registries of spaces and benchmarks: import every module of a package."""

from __future__ import annotations

import importlib
import pkgutil


def import_modules(package: str) -> None:
    """Import every public module of ``package`` except ``base`` (each registers itself), so a
    new space or benchmark is one module in that package and nothing else lists it."""
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")
