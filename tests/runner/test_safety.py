"""Output folders are never lost, runs never silently mix, damaged runs are never averaged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from nasbench_suite.bench.store import Store
from nasbench_suite.errors import NasBenchError
from nasbench_suite.runner import expand, parse_spec, run_grid
from nasbench_suite.runner.lock import LOCK_FILE, output_lock
from nasbench_suite.runner.summary import summarize
from tests.clitools import run_cli
from tests.runner.conftest import tiny_spec


def _spec_file(tmp_path, name="spec.yaml", **over):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(tiny_spec(**over)))
    return path


# --- data build --out ------------------------------------------------------------------------
def test_build_out_refuses_a_folder_it_did_not_write(tmp_path, capsys, raw_dir, monkeypatch):
    """`data build --out .` used to empty the working directory."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.tex").write_text("precious")
    monkeypatch.chdir(work)
    code, _, err = run_cli(capsys, ["data", "build", "--raw", raw_dir, "--out", "."])
    assert code == 2 and "refusing to write the store to ." in err
    assert (work / "thesis.tex").read_text() == "precious"
    target = tmp_path / "notes.txt"
    target.write_text("x")
    code, _, err = run_cli(capsys, ["data", "build", "--raw", raw_dir, "--out", target])
    assert code == 2 and "is a file" in err and target.read_text() == "x"
    assert "Traceback" not in err


def test_build_out_replaces_a_previous_store_only(tmp_path, capsys, raw_dir, store):
    out = tmp_path / "store"
    shutil.copytree(store.path, out)
    before = (out / "manifest.json").read_bytes()
    code, _, err = run_cli(capsys, ["data", "build", "--raw", raw_dir, "--out", out])
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["arrays.bin", "manifest.json"]
    assert json.loads(before)["arrays_sha256"] == Store.load(out).checksum
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no temp folder left
    (out / "mine.txt").write_text("x")
    code, _, err = run_cli(capsys, ["data", "build", "--raw", raw_dir, "--out", out])
    assert code == 2 and "holds files a store does not have (mine.txt" in err
    assert (out / "mine.txt").exists()


# --- run folders -----------------------------------------------------------------------------
def test_user_file_in_unfinished_run_is_kept(tmp_path, capsys, store):
    runs = expand(parse_spec(tiny_spec(runs=1)))
    folder = tmp_path / runs[0].relpath()
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("my notes")
    (folder / "trajectory.jsonl").write_text("half a run\n")  # an earlier attempt's file
    (folder / "plots").mkdir()
    run_grid(runs, tmp_path, workers=1, quiet=True)
    assert (folder / "notes.txt").read_text() == "my notes" and (folder / "plots").is_dir()
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["kept_files"] == ["notes.txt", "plots"]
    assert "kept notes.txt, plots" in capsys.readouterr().err
    assert (folder / "trajectory.jsonl").read_text() != "half a run\n"


def test_output_lock_refuses_a_second_writer(tmp_path):
    with output_lock(tmp_path / "out"):
        child = subprocess.run(
            [sys.executable, "-c",
             ("from nasbench_suite.runner.lock import output_lock\n"
              f"with output_lock({str(tmp_path / 'out')!r}): pass")],
            check=False, capture_output=True, text=True)
        assert child.returncode != 0
        assert f"(pid {os.getpid()}) is writing to" in child.stderr
    with output_lock(tmp_path / "out"):  # released: a later command gets it
        pass
    assert (tmp_path / "out" / LOCK_FILE).exists()


def test_two_run_commands_at_once(tmp_path, store):
    """The second `run` into the same folder refuses with one line; the first is unharmed."""
    spec = _spec_file(tmp_path, runs=6, budget={"time_s": 20000})
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    cmd = [sys.executable, "-m", "nasbench_suite.cli", "run", str(spec), "--out", str(out),
           "--workers", "1", "--quiet", "--store", str(store.path)]
    with output_lock(out):  # hold it as a first command would
        second = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    assert second.returncode == 2, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "is writing to" in lines[0] and "Traceback" not in second.stderr
    assert not any(out.glob("*/*/run-*"))
    first = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr


def test_out_that_is_a_file_or_cannot_be_created(tmp_path, capsys, store):
    spec = _spec_file(tmp_path)
    target = tmp_path / "file"
    target.write_text("x")
    for out in (target, target / "below"):
        code, _, err = run_cli(capsys, ["run", spec, "--out", out, "--quiet"])
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert target.read_text() == "x"


def test_workers_capped_and_validated(tmp_path, capsys, store):
    spec = _spec_file(tmp_path)
    code, out, err = run_cli(capsys, ["run", spec, "--out", tmp_path / "o", "--workers", "5000",
                                      "--quiet"])
    assert code == 0, err
    assert "2 runs" in out
    code, _, err = run_cli(capsys, ["run", spec, "--out", tmp_path / "o", "--workers", "0"])
    assert code == 2 and "--workers: must be an integer >= 1, got 0" in err


def test_summary_and_report_refuse_mixed_specs(tmp_path, capsys, store):
    out = tmp_path / "out"
    run_grid(expand(parse_spec(tiny_spec(runs=1))), out, workers=1, quiet=True)
    other = expand(parse_spec(tiny_spec(runs=2, budget={"time_s": 3000})))
    run_grid([r for r in other if r.run == 1], out, workers=1, quiet=True)  # interleaved
    code, _, err = run_cli(capsys, ["runs", "summary", out])
    assert code == 2 and "come from different specs (random/cifar10-valid" in err
    code, _, err = run_cli(capsys, ["report", out, "--format", "html", "--out", tmp_path / "r"])
    assert code == 2 and "come from different specs" in err
    metas = [json.loads(p.read_text()) for p in out.glob("*/*/run-*/metadata.json")]
    assert len({m["spec_sha256"] for m in metas}) == 2
    assert len({m["experiment_sha256"] for m in metas}) == 1


def test_truncated_trajectory_is_damaged_not_averaged(tmp_path, capsys, store):
    out = tmp_path / "out"
    run_grid(expand(parse_spec(tiny_spec(runs=3, budget={"time_s": 20000}))), out, workers=1,
             quiet=True)
    honest = summarize(out)
    victim = out / "random" / "cifar10-valid" / "run-0001" / "trajectory.jsonl"
    lines = victim.read_text().splitlines(keepends=True)
    victim.write_text("".join(lines[: len(lines) // 2]))
    rows = {r.dataset: r for r in summarize(out)}
    assert rows["cifar10"].runs == 2 and rows["cifar10"].damaged == 1
    assert rows["cifar10"].final_test_mean != honest[0].final_test_mean
    code, text, _ = run_cli(capsys, ["runs", "summary", out])
    assert code == 0 and "1 damaged run(s)" in text
    from nasbench_suite.analysis.runs import load_runs

    rs = load_runs(out)
    assert [r.index for r in rs.damaged] == [1] and len(rs.complete) == 2
    assert "differs from the checksum" in rs.damaged[0].error
    # old folders without the checksum: the row count is checked against metadata.json
    meta_path = victim.parent / "metadata.json"
    meta = json.loads(meta_path.read_text())
    del meta["trajectory_sha256"]
    meta_path.write_text(json.dumps(meta))
    assert "rows, metadata.json says" in load_runs(out).damaged[0].error


BAD_METADATA = [
    b"\xff\xfe not utf8",
    b"[1, 2]",
    b'{"status": "complete", "n_evals": "many"}',
    b'{"status": "complete", "final_incumbent": {"test_acc": {"cifar10": "x"}}}',
]


@pytest.mark.parametrize("meta", BAD_METADATA)
def test_bad_metadata_or_trajectory_bytes_never_crash(tmp_path, capsys, store, meta):
    out = tmp_path / "out"
    run_grid(expand(parse_spec(tiny_spec(runs=2))), out, workers=1, quiet=True)
    folder = out / "random" / "cifar10-valid" / "run-0001"
    (folder / "metadata.json").write_bytes(meta)
    (out / "random" / "cifar10-valid" / "run-0000" / "trajectory.jsonl").write_bytes(b"\xff\n")
    code, _, err = run_cli(capsys, ["runs", "summary", out])
    assert code == 0 and "Traceback" not in err, err
    code, _, err = run_cli(capsys, ["report", out, "--format", "html", "--out", tmp_path / "r"])
    assert code == 0 and "Traceback" not in err, err


def test_lock_released_after_kill(tmp_path):
    """flock dies with its holder: a stale lock file never blocks a later run."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         ("import time\nfrom nasbench_suite.runner.lock import output_lock\n"
          f"with output_lock({str(tmp_path)!r}):\n    print('held', flush=True)\n"
          "    time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(NasBenchError, match="is writing to"), output_lock(tmp_path):
        pass
    holder.kill()
    holder.wait()
    time.sleep(0.1)
    with output_lock(tmp_path):
        pass
