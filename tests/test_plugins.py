"""Plug-in strategies from outside the package: spec ``module:``, entry points, every executor."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nasbench_suite import plugins
from nasbench_suite.cli import main
from nasbench_suite.strategies import base, list_strategies

MINE = '''
"""A user's strategy: random proposals from its own seed."""
from nasbench_suite.strategies import Candidate, Searcher, register_strategy

__version__ = "1.2"


@register_strategy("{name}")
class Mine(Searcher):
    """Random cells."""

    def __init__(self, space, seed=0, objective=None, step=1):
        super().__init__(space, seed, objective)

    def ask(self):
        return Candidate(int(self.rng.integers(15625)))

    def tell(self, candidate, observation):
        pass
'''

SPEC = """\
name: plug
seed: 5
runs: 2
strategies: [random, {{name: {name}, module: {module}, kwargs: {{step: 2}}}}]
benchmark: {{search_dataset: cifar10-valid, fidelity: 12}}
report_datasets: [cifar10]
budget: {{time_s: 2500}}
"""


@pytest.fixture
def isolated():
    """Registry and plug-in caches restored after the test (loaded plug-ins do not leak)."""
    saved = (
        dict(base._REGISTRY),
        dict(plugins._LOADED),
        dict(plugins._SOURCES),
        dict(plugins._BY_TARGET),
        set(plugins._ENTRY_POINTS_DONE),
        list(sys.path),
    )
    yield
    base._REGISTRY.clear()
    base._REGISTRY.update(saved[0])
    for cache, old in zip((plugins._LOADED, plugins._SOURCES, plugins._BY_TARGET), saved[1:4]):
        cache.clear()
        cache.update(old)
    plugins._ENTRY_POINTS_DONE.clear()
    plugins._ENTRY_POINTS_DONE.update(saved[4])
    sys.path[:] = saved[5]


def write_plugin(folder: Path, name: str = "mine_x", body: str = MINE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mine.py"
    path.write_text(body.format(name=name))
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).with_name("nasbench-suite"))
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=600, check=False)


def trajectories(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


def test_file_plugin_runs_from_the_cli_under_fork_spawn_and_ray(tmp_path):
    write_plugin(tmp_path / "user")  # outside the package; relative to the spec's folder
    spec = tmp_path / "user" / "spec.yaml"
    spec.write_text(SPEC.format(name="mine_x", module="./mine.py"))
    outs = {}
    for method in ("fork", "spawn"):
        outs[method] = tmp_path / method
        r = cli("run", str(spec), "--out", str(outs[method]), "--workers", "2",
                "--start-method", method, "--quiet")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert "4 done" in r.stdout
    pytest.importorskip("ray")
    outs["ray"] = tmp_path / "ray"
    r = cli("run", str(spec), "--out", str(outs["ray"]), "--executor", "ray", "--workers", "2",
            "--quiet")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert trajectories(outs["fork"]) == trajectories(outs["spawn"]) == trajectories(outs["ray"])
    assert len(trajectories(outs["fork"])) == 4
    sha = hashlib.sha256((tmp_path / "user" / "mine.py").read_bytes()).hexdigest()
    path = str(tmp_path / "user" / "mine.py")
    for out in outs.values():
        mine = out / "mine_x" / "cifar10-valid"
        meta = json.loads((mine / "run-0000" / "metadata.json").read_text())
        assert meta["status"] == "complete"
        record = {"module": "./mine.py", "path": path, "sha256": sha, "version": "1.2"}
        assert meta["plugin"] == record
        spec_json = json.loads((mine / "run-0000" / "spec.json").read_text())
        assert spec_json["plugin"] == meta["plugin"]
        builtin = out / "random" / "cifar10-valid" / "run-0000"
        assert "plugin" not in json.loads((builtin / "metadata.json").read_text())


def test_ray_worker_without_the_file_imports_the_shipped_bytes(tmp_path):
    """A node without the user's file imports the bytes shipped with its task (hash-checked)."""
    data = MINE.format(name="shipped_x").encode()
    sha = hashlib.sha256(data).hexdigest()
    record = {"module": "./mine.py", "path": str(tmp_path / "elsewhere" / "mine.py"),
              "sha256": sha, "version": "1.2"}  # fmt: skip
    code = textwrap.dedent(f"""
        from nasbench_suite import plugins
        from nasbench_suite.errors import NasBenchError
        from nasbench_suite.strategies import get_strategy
        rec = {record!r}
        try:
            plugins.ensure(rec)
        except NasBenchError as exc:
            print("refused:", exc)
        try:
            plugins.ensure(rec, {{rec["sha256"]: b"tampered"}})
        except NasBenchError as exc:
            print("refused tampered")
        plugins.ensure(rec, {{rec["sha256"]: {data!r}}})
        print("loaded", get_strategy("shipped_x").__name__)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "refused: plug-in ./mine.py (sha256" in r.stdout
    assert "is missing or has changed" in r.stdout
    assert "refused tampered" in r.stdout and "loaded Mine" in r.stdout


BAD = {
    "missing.py": ("module: ./missing.py", "plug-in file ./missing.py not found"),
    "nomodule": ("module: no_such_pkg.mine", "plug-in module 'no_such_pkg.mine' not found"),
    "syntax": ("module: ./mine.py", "failed to import: SyntaxError"),
    "noname": ("module: ./mine.py", "registers no strategy 'other_x' (it registers: mine_x)"),
    "notsearcher": ("module: ./mine.py", "is not a Searcher subclass"),
    "abstract": ("module: ./mine.py", "does not implement tell"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_plugins_fail_at_spec_validation_with_one_line(case, tmp_path, capsys, isolated):
    body = MINE
    if case == "syntax":
        body = MINE + "\ndef broken(:\n"
    elif case == "notsearcher":
        body = MINE.replace("class Mine(Searcher):", "class Mine:")
    elif case == "abstract":
        body = MINE.replace("def tell(", "def told(")
    write_plugin(tmp_path, body=body)
    name = "other_x" if case == "noname" else "mine_x"
    module = BAD[case][0].split(": ", 1)[1]
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(name=name, module=module))
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"nasbench-suite: error: spec {spec}: strategies[1]: "), err
    assert BAD[case][1] in err, err
    assert not (tmp_path / "out").exists()


def test_dotted_module_beside_the_spec(tmp_path, isolated):
    from nasbench_suite.runner import expand, load_spec

    (tmp_path / "my_lab").mkdir()
    (tmp_path / "my_lab" / "__init__.py").write_text("")
    (tmp_path / "my_lab" / "search.py").write_text(MINE.format(name="dotted_x"))
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(name="dotted_x", module="my_lab.search"))
    (_, plug) = expand(load_spec(spec))[:2]
    path = tmp_path / "my_lab" / "search.py"
    assert plug.plugin == {"module": "my_lab.search", "path": str(path),
                           "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                           "version": "1.2"}  # fmt: skip
    assert plug.to_json()["plugin"] == plug.plugin


def test_changed_plugin_file_fails_its_runs_not_silently(tmp_path, isolated):
    from nasbench_suite.errors import NasBenchError

    path = write_plugin(tmp_path, name="changed_x")
    record = plugins.load(str(path)).to_json()
    path.write_text(path.read_text() + "\n# edited\n")
    plugins._LOADED.pop(record["sha256"])  # a fresh worker process
    with pytest.raises(NasBenchError, match="is missing or has changed since the spec"):
        plugins.ensure(record)


def test_entry_point_plugins_register(tmp_path, monkeypatch, isolated):
    site = tmp_path / "site"
    (site / "ep_pkg").mkdir(parents=True)
    (site / "ep_pkg" / "__init__.py").write_text(MINE.format(name="ep_x"))
    dist = site / "ep_pkg-0.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-pkg\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text(
        "[nasbench_suite.strategies]\nep_x = ep_pkg\nep_cls = ep_pkg:Mine\n"
    )
    monkeypatch.syspath_prepend(str(site))
    plugins.reset_entry_points()
    names = list_strategies()
    assert "ep_x" in names and "ep_cls" in names
    assert base._REGISTRY["ep_cls"] is base._REGISTRY["ep_x"]
    (dist / "entry_points.txt").write_text("[nasbench_suite.strategies]\nbroken = ep_pkg.nope\n")
    plugins.reset_entry_points()
    from nasbench_suite.errors import NasBenchError

    message = r"strategy plug-in 'broken' \(ep_pkg.nope, from ep-pkg\) failed to load"
    with pytest.raises(NasBenchError, match=message):
        list_strategies()
    plugins.reset_entry_points()
    (dist / "entry_points.txt").write_text("")


def test_check_strategy_cli(tmp_path, capsys, isolated):
    path = write_plugin(tmp_path, name="checked_x")
    assert main(["check-strategy", f"{path}:Mine"]) == 0
    out = capsys.readouterr().out
    assert "checked_x (" in out and out.count("PASS") == 6 and "all checks passed" in out
    bad = tmp_path / "bad"
    seedless = MINE.replace("super().__init__(space, seed,", "super().__init__(space, 0,")
    write_plugin(bad, name="bad_x", body=seedless)
    assert main(["check-strategy", f"{bad / 'mine.py'}:Mine"]) == 1
    out = capsys.readouterr().out
    assert "FAIL same_seed_same_sequence" in out and "seeds 7 and 8 gave the same" in out
    assert "1 check(s) failed" in out
    for target, message in [
        (f"{path}:Nope", "has no class 'Nope'; classes there: Candidate, Mine, Searcher"),
        ("no_such_pkg.mine:Mine", "plug-in module 'no_such_pkg.mine' not found"),
        (f"{path}:Candidate", "Candidate is not a Searcher subclass"),
    ]:
        assert main(["check-strategy", target]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    assert "checked_x" in list_strategies()
