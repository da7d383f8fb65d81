"""Moving a finished run folder into place without losing what the suite did not write.

A run folder that exists but is not complete (a failed attempt, or one a user made) is redone.
The runner's own files in it (``spec.json``, ``trajectory.jsonl``, ``metadata.json`` and the
artifacts its metadata lists and the new run writes again) are replaced; anything else (a user's
``notes.txt``, a folder of plots) is moved into the new run folder under the same name, or
``NAME.kept`` when the new run writes a file of that name, and listed in the new
``metadata.json`` (``kept_files``). Nothing is deleted that the suite did not write.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RUNNER_FILES = ("spec.json", "trajectory.jsonl", "metadata.json")


def _old_artifacts(folder: Path) -> set[str]:
    try:
        meta = json.loads((folder / "metadata.json").read_text())
        names = meta.get("artifacts") if isinstance(meta, dict) else None
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def replace_run_folder(tmp: Path, folder: Path) -> list[str]:
    """Move the finished run ``tmp`` to ``folder``; returns the names kept from an old folder."""
    tmp, folder = Path(tmp), Path(folder)
    try:
        os.replace(tmp, folder)  # nothing there, or an empty folder
        return []
    except OSError:
        pass
    kept: list[str] = []
    if folder.is_symlink() or not folder.is_dir():  # a file where the run folder goes
        target = tmp / f"{folder.name}.kept"
        os.replace(folder, target)
        kept.append(target.name)
    else:
        new = {p.name for p in tmp.iterdir()}
        ours = set(RUNNER_FILES) | (_old_artifacts(folder) & new)
        for entry in sorted(folder.iterdir()):
            if entry.name in ours and entry.is_file() and not entry.is_symlink():
                continue
            target = tmp / entry.name
            if target.exists() or target.is_symlink():
                target = tmp / f"{entry.name}.kept"
            os.replace(entry, target)
            kept.append(target.name)
        for name in ours:
            path = folder / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
        folder.rmdir()
    if kept:
        meta_path = tmp / "metadata.json"
        try:
            meta = json.loads(meta_path.read_text())
            meta["kept_files"] = kept
            meta_path.write_text(json.dumps(meta, sort_keys=True, indent=1) + "\n")
        except (OSError, ValueError):
            pass
    os.replace(tmp, folder)
    return kept
