"""Plug-ins: strategies (and benchmarks) from code outside the package.

Three ways in:

* a spec entry ``{name: mine, module: my_pkg.mine}`` (an importable module) or
  ``{name: mine, module: ./mine.py}`` (a file, relative to the spec's folder); the module
  registers its classes with ``@register_strategy("mine")`` when imported;
* an installed distribution declaring an entry point in the group ``nasbench_suite.strategies``
  (or ``nasbench_suite.benchmarks``), as pytest and optuna-integration plug-ins do::

      [project.entry-points."nasbench_suite.strategies"]
      mine = "my_pkg.mine"            # a module that registers, or "my_pkg.mine:Mine" (a class)

  the registries load every such entry point the first time they are asked for names;
* ``nasbench-suite check-strategy my_pkg.mine:Mine`` (see :mod:`.strategies.contract`).

A loaded plug-in is a :class:`Plugin` record: the module as written, the absolute file, the
file's SHA-256 and a version (``__version__``, else its distribution's version). The record
travels with every run (``RunSpec.plugin``; ``spec.json`` and ``metadata.json``), so a report
says exactly what ran, and every worker re-imports the same bytes: forked workers inherit the
import, ``spawn`` workers import the file again (:func:`ensure`, checked against the hash) and
Ray workers get the file's bytes with their task (:func:`sources`) and import them from a folder
named by the hash. A file changed after the spec was validated fails its runs with one line
rather than mixing two versions of a method.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError

GROUPS = {"strategy": "nasbench_suite.strategies", "benchmark": "nasbench_suite.benchmarks"}


@dataclass(frozen=True)
class Plugin:
    """A plug-in module: as written, its file, the file's SHA-256 and its version."""

    module: str
    path: str
    sha256: str
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_LOADED: dict[str, Plugin] = {}  # sha256 -> plug-in imported in this process
_SOURCES: dict[str, bytes] = {}  # sha256 -> file bytes (shipped to Ray workers)
_BY_TARGET: dict[tuple[str, str], Plugin] = {}
_ENTRY_POINTS_DONE: set[str] = set()


def is_file_target(module: str) -> bool:
    """True for a file path (``./mine.py``, ``/abs/mine.py``), False for a dotted module."""
    return module.endswith(".py") or "/" in module or "\\" in module


def load(module: str, base_dir: str | Path | None = None) -> Plugin:
    """Import plug-in ``module`` (dotted name or ``.py`` path relative to ``base_dir``).

    Raises:
        NasBenchError: one line naming the module and what went wrong (not found, import error).
    """
    if not isinstance(module, str) or not module.strip():
        raise NasBenchError(
            f"a plug-in module must be a dotted module name or a .py file, got {module!r}"
        )
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    key = (module, str(base.resolve()))
    if key in _BY_TARGET:
        return _BY_TARGET[key]
    if is_file_target(module):
        path = (base / module).expanduser().resolve()
        if not path.is_file():
            raise NasBenchError(f"plug-in file {module} not found (looked for {path})")
        data = path.read_bytes()
        plugin = _import_file(module, path, data)
    else:
        if str(base.resolve()) not in sys.path:  # like `python -m`: modules beside the spec / cwd
            sys.path.append(str(base.resolve()))
        plugin = _import_module(module)
    _BY_TARGET[key] = plugin
    return plugin


def _module_name(path: Path, sha: str) -> str:
    return f"nasbench_suite_plugin_{path.stem}_{sha[:12]}"


def _import_file(module: str, path: Path, data: bytes, shown: str | None = None) -> Plugin:
    sha = hashlib.sha256(data).hexdigest()
    if sha in _LOADED:
        return _LOADED[sha]
    name = _module_name(path, sha)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    except NasBenchError as exc:
        sys.modules.pop(name, None)
        raise NasBenchError(f"plug-in {shown or module}: {exc}") from None
    except Exception as exc:  # noqa: BLE001  (user code: any error is one line)
        sys.modules.pop(name, None)
        raise NasBenchError(
            f"plug-in {shown or module} failed to import: {type(exc).__name__}: {exc}"
        ) from None
    plugin = Plugin(module, str(path), sha, _version(mod))
    _LOADED[sha] = plugin
    _SOURCES[sha] = data
    return plugin


def _import_module(module: str) -> Plugin:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise NasBenchError(
                f"plug-in module {module!r} not found (is it installed, or on PYTHONPATH? a "
                "file is named with its path, e.g. module: ./mine.py)"
            ) from None
        raise NasBenchError(f"plug-in module {module!r} failed to import: {exc}") from None
    except NasBenchError as exc:
        raise NasBenchError(f"plug-in {module}: {exc}") from None
    except Exception as exc:  # noqa: BLE001
        raise NasBenchError(
            f"plug-in module {module!r} failed to import: {type(exc).__name__}: {exc}"
        ) from None
    file = getattr(mod, "__file__", None)
    if not file:
        raise NasBenchError(f"plug-in module {module!r} has no source file (a namespace package?)")
    data = Path(file).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    plugin = Plugin(module, str(Path(file).resolve()), sha, _version(mod))
    _LOADED[sha] = plugin
    _SOURCES[sha] = data
    return plugin


def _version(mod) -> str | None:
    version = getattr(mod, "__version__", None)
    if version is not None:
        return str(version)
    from importlib import metadata

    top = mod.__name__.split(".")[0]
    try:
        dists = metadata.packages_distributions().get(top) or []
        return metadata.version(dists[0]) if dists else None
    except Exception:  # noqa: BLE001  (metadata of odd installs: no version rather than a crash)
        return None


def load_strategy_plugin(name: Any, module: Any, base_dir: str | Path | None) -> dict:
    """Import ``module`` for spec entry ``{name, module}``; the strategy must be registered.

    Returns the :meth:`Plugin.to_json` record; raises one line otherwise.
    """
    from nasbench_suite.strategies.base import _REGISTRY, list_strategies
    from nasbench_suite.strategies.contract import check_class

    if not isinstance(module, str):
        raise NasBenchError(f"module must be a dotted module name or a .py file, got {module!r}")
    plugin = load(module, base_dir)
    if not isinstance(name, str) or name not in list_strategies():
        mine = sorted(n for n, c in _REGISTRY.items() if _defined_in(c, plugin))
        raise NasBenchError(
            f"plug-in {module} registers no strategy {name!r} (it registers: "
            f"{', '.join(mine) or 'none'}); decorate a Searcher subclass with "
            f"@register_strategy({name!r})"
        )
    problems = check_class(_REGISTRY[name])
    if problems:
        raise NasBenchError(f"strategy {name!r} from {module}: {problems[0]}")
    return plugin.to_json()


def _defined_in(cls: type, plugin: Plugin) -> bool:
    mod = sys.modules.get(getattr(cls, "__module__", ""), None)
    file = getattr(mod, "__file__", None)
    return bool(file) and str(Path(file).resolve()) == plugin.path


def resolve_class(target: str, base_dir: str | Path | None = None) -> list[tuple[str, type]]:
    """Strategies named by ``target``: ``module:Class``, ``./file.py:Class``, a module or file
    (every strategy it registers), or a registered name. Raises one line when unknown."""
    from nasbench_suite.strategies.base import _REGISTRY, list_strategies

    if not isinstance(target, str) or not target:
        raise NasBenchError("name a strategy: MODULE:CLASS, ./file.py:CLASS or a registered name")
    if target in list_strategies() and ":" not in target:
        return [(target, _REGISTRY[target])]
    module, _, cls_name = target.rpartition(":") if ":" in target else (target, "", "")
    if len(module) == 1 and module.isalpha():  # a Windows drive letter, not a class
        module, cls_name = target, ""
    plugin = load(module, base_dir)
    found = [(n, c) for n, c in sorted(_REGISTRY.items()) if _defined_in(c, plugin)]
    if not cls_name:
        if not found:
            raise NasBenchError(f"{module} registers no strategy (use @register_strategy)")
        return found
    mod = next(
        (m for m in list(sys.modules.values()) if getattr(m, "__file__", None)
         and str(Path(m.__file__).resolve()) == plugin.path),
        None,
    )  # fmt: skip
    cls = getattr(mod, cls_name, None)
    if not isinstance(cls, type):
        names = sorted(n for n, v in vars(mod).items() if isinstance(v, type)) if mod else []
        raise NasBenchError(
            f"{module} has no class {cls_name!r}; classes there: {', '.join(names) or 'none'}"
        )
    name = next((n for n, c in found if c is cls), cls.__name__)
    return [(name, cls)]


# --- workers ----------------------------------------------------------------------------------
def sources(plugins: list[dict | None]) -> dict[str, bytes]:
    """File bytes of the given plug-ins (by SHA-256), to ship to workers on other machines."""
    out = {}
    for p in plugins:
        if p and p["sha256"] in _SOURCES:
            out[p["sha256"]] = _SOURCES[p["sha256"]]
    return out


def ensure(plugin: dict | None, shipped: dict[str, bytes] | None = None) -> None:
    """Make sure this process has imported ``plugin`` (a :meth:`Plugin.to_json` record).

    Forked workers have it already; others import the same file (``spawn``), an installed
    module of the same bytes, or the bytes shipped with a Ray task.
    """
    if not plugin or plugin["sha256"] in _LOADED:
        return
    sha, module = plugin["sha256"], plugin["module"]
    path = Path(plugin["path"])
    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha:
        if not is_file_target(module):
            try:
                _import_module(module)  # installed here, or on this process's sys.path
            except NasBenchError:
                pass
            if sha in _LOADED:
                return
        _import_file(module, path, path.read_bytes(), shown=module)
        return
    data = (shipped or {}).get(sha)
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        raise NasBenchError(
            f"plug-in {module} (sha256 {sha[:12]}) is not available here: {path} is missing or "
            "has changed since the spec was validated; rerun with the file as it was, or use a "
            "new --out folder"
        )
    folder = Path(tempfile.gettempdir()) / "nasbench-suite-plugins" / sha
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != sha:
        tmp = folder / f".{path.name}.{id(data)}.tmp"
        tmp.write_bytes(data)
        tmp.replace(target)
    _import_file(module, target, data, shown=module)


# --- entry points -----------------------------------------------------------------------------
def load_entry_points(kind: str) -> None:
    """Import every installed plug-in of ``kind`` (``strategy`` / ``benchmark``), once."""
    group = GROUPS[kind]
    if group in _ENTRY_POINTS_DONE:
        return
    _ENTRY_POINTS_DONE.add(group)
    from importlib import metadata

    for ep in metadata.entry_points(group=group):
        dist = getattr(getattr(ep, "dist", None), "name", None) or "?"
        try:
            obj = ep.load()
        except Exception as exc:  # noqa: BLE001
            raise NasBenchError(
                f"{kind} plug-in {ep.name!r} ({ep.value}, from {dist}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        if isinstance(obj, type):
            _register_class(kind, ep.name, obj, f"{ep.value} from {dist}")


def _register_class(kind: str, name: str, cls: type, where: str) -> None:
    if kind == "strategy":
        from nasbench_suite.strategies.base import _STRATEGIES as registry
        from nasbench_suite.strategies.base import Searcher as base
    else:
        from nasbench_suite.benchmarks.base import _BENCHMARKS as registry
        from nasbench_suite.benchmarks.base import Benchmark as base

    if not issubclass(cls, base):
        raise NasBenchError(f"{kind} plug-in {name!r} ({where}) is not a {base.__name__} subclass")
    if registry.classes.get(name) is not cls:
        registry.register(name)(cls)


def reset_entry_points() -> None:
    """Forget which entry-point groups were scanned (tests installing a plug-in)."""
    _ENTRY_POINTS_DONE.clear()
