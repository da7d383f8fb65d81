"""Where raw sources, built stores and outputs live by default.

* Raw NB201 sources: ``$NASBENCH_SUITE_RAW``, else ``../shared/nb201`` beside the repository.
* Built store: ``$NASBENCH_SUITE_STORE``, else ``data/nb201-store`` in the repository (git-ignored),
  else ``~/.cache/nasbench-suite/nb201-store`` for an installed, non-checkout package.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def in_checkout() -> bool:
    """True when the package runs from a source checkout (editable install or tests)."""
    return (REPO_DIR / "pyproject.toml").is_file()


def default_raw_dir() -> Path | None:
    """The raw-source folder to build from, or None when none is reachable."""
    env = os.environ.get("NASBENCH_SUITE_RAW")
    if env:
        return Path(env)
    for candidate in (REPO_DIR.parent / "shared" / "nb201", Path.cwd().parent / "shared" / "nb201"):
        if candidate.is_dir():
            return candidate
    return None


def default_store_dir() -> Path:
    """The folder of the default built store."""
    env = os.environ.get("NASBENCH_SUITE_STORE")
    if env:
        return Path(env)
    if in_checkout():
        return REPO_DIR / "data" / "nb201-store"
    return Path.home() / ".cache" / "nasbench-suite" / "nb201-store"
