"""Where raw sources, built stores and outputs live by default.

* Raw NB201 sources: ``$NASBENCH_SUITE_RAW``, else ``../shared/nb201`` beside the repository.
* Built store: ``$NASBENCH_SUITE_STORE``, else ``data/nb201-store`` in the repository (git-ignored),
  else ``~/.cache/nasbench-suite/nb201-store`` for an installed, non-checkout package.

The other benchmarks' folders follow the same two rules (:func:`env_or_shared` for raw data,
:func:`store_dir` for built stores) with their own environment variables and names.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def in_checkout() -> bool:
    """True when the package runs from a source checkout (editable install or tests)."""
    return (REPO_DIR / "pyproject.toml").is_file()


def env_or_shared(env: str, name: str) -> Path | None:
    """``$env``, else ``../shared/<name>`` beside the repository or the cwd (None if neither).

    The default place of a raw data folder (read-only sources the suite builds from).
    """
    value = os.environ.get(env)
    if value:
        return Path(value)
    for candidate in (REPO_DIR.parent / "shared" / name, Path.cwd().parent / "shared" / name):
        if candidate.is_dir():
            return candidate
    return None


def store_dir(env: str, name: str) -> Path:
    """``$env``, else ``data/<name>`` in a checkout, else ``~/.cache/nasbench-suite/<name>``.

    The default place of a store the suite builds (git-ignored in a checkout).
    """
    value = os.environ.get(env)
    if value:
        return Path(value)
    if in_checkout():
        return REPO_DIR / "data" / name
    return Path.home() / ".cache" / "nasbench-suite" / name


def default_raw_dir() -> Path | None:
    """The raw NB201 folder to build from, or None when none is reachable."""
    return env_or_shared("NASBENCH_SUITE_RAW", "nb201")


def default_store_dir() -> Path:
    """The folder of the default built NB201 store."""
    return store_dir("NASBENCH_SUITE_STORE", "nb201-store")
