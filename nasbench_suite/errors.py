"""Exceptions raised for users: one clear sentence naming the bad value and what would work."""

from __future__ import annotations


class NasBenchError(Exception):
    """Base class for every error the suite raises on purpose."""


class ArchError(NasBenchError, ValueError):
    """A malformed architecture string, op tuple or NB201 index."""


class DataError(NasBenchError):
    """A raw source or built store is missing, truncated, corrupt or inconsistent."""


class UnknownNameError(NasBenchError, KeyError):
    """An unknown registry name (dataset, device, strategy, proxy, ...)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def unknown(kind: str, name: object, known: list[str] | tuple[str, ...]) -> UnknownNameError:
    """Build the standard error for an unknown ``name`` of ``kind`` listing the ``known`` ones."""
    return UnknownNameError(f"unknown {kind} {name!r}; known: {', '.join(map(str, known))}")


class SpecError(NasBenchError, ValueError):
    """A malformed experiment spec (YAML syntax, unknown key or name, bad budget, wrong type)."""
