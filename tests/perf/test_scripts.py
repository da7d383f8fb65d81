"""The performance harness (benchmarks/): interleaving, ratios, process measurement, the README
tables and the GPU check's code path on CPU (its figures are not checked: only that it runs)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _harness
import readme_tables


def test_interleave_alternates_and_reverses_order():
    calls: list[str] = []
    times = _harness.interleave({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                repeats=3)
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert [len(v) for v in times.values()] == [3, 3]


def test_ratios_are_per_repeat_reference_over_ours():
    r = _harness.ratios([4.0, 6.0, 10.0], [2.0, 2.0, 2.0])
    assert (r["min"], r["median"], r["max"], r["n"]) == (2.0, 3.0, 5.0, 3)


def test_best_of_is_the_fastest_of_repeat_calls():
    delays = iter([0.03, 0.001, 0.02])
    assert _harness.best_of(lambda: time.sleep(next(delays)), repeat=3) < 0.015
    assert next(delays, None) is None  # exactly ``repeat`` calls


def test_reference_cells_are_valid_nb201_cells():
    from nasbench_suite.space.codec import parse_arch

    assert len({tuple(parse_arch(a)) for a in _harness.CELLS.values()}) == 3


def test_summary_even_count_median():
    assert _harness.summary([1, 2, 3, 10])["median"] == 2.5


def test_run_process_measures_cpu_and_tree_memory():
    code = ("import time\nx = bytearray(150 * 2**20)\nt = time.process_time()\n"
            "while time.process_time() - t < 0.3: pass\ntime.sleep(0.2)")
    res = _harness.run_process([sys.executable, "-c", code])
    assert res["returncode"] == 0
    assert res["cpu_s"] >= 0.25
    assert res["peak_rss_mib"] >= 150 and res["peak_tree_rss_mib"] >= 150


def test_run_process_reports_failure():
    res = _harness.run_process([sys.executable, "-c", "import sys; sys.exit('boom')"])
    assert res["returncode"] == 1 and "boom" in res["stderr_tail"]


def _summary(x: float) -> dict:
    return {"min": x / 2, "median": x, "max": 2 * x, "n": 3}


def test_readme_tables_render_every_section_from_json(tmp_path):
    entry = {"command": "cmd", "seconds": 1.0, "load_avg_1min_during": {"min": 0.1, "max": 0.2}}
    store = {**entry, "result": {
        "api_cells": 300, "api_file_mib": 40.0, "queries_per_repeat": 300, "build_s": 1.5,
        "load_ms": _summary(9.0), "vectorised_lookups_per_s": _summary(50.0),
        "us_per_query": {k: _summary(v) for k, v in {
            "api_by_index": 800.0, "api_by_arch": 900.0, "evaluate_by_index": 4.0,
            "evaluate_by_arch": 20.0, "report_by_index": 30.0, "report_by_arch": 50.0}.items()},
        **{f"ratio_{k}": _summary(r) for k, r in {
            "search_by_index": 200.0, "search_by_arch": 45.0, "report_by_index": 26.7,
            "report_by_arch": 18.0}.items()},
        "cold_start": {
            "ours_cli": {"wall_s": _summary(0.3), "cpu_s": _summary(0.3),
                         "peak_rss_mib": _summary(45.0)},
            "nas_201_api": {"wall_s": _summary(30.0), "cpu_s": _summary(29.0),
                            "peak_rss_mib": _summary(900.0)},
            "ratio_wall": _summary(100.0), "ratio_peak_rss": _summary(20.0)},
        "machine": {"cpus": 2}}}
    data = {"command": "make bench", "mode": "quick", "results": {"store": store},
            "machine_at_start": {"commit": "abc1234", "utc": "2026-12-03T00:00:00Z", "cpus": 2,
                                 "load_avg_1_5_15": [0.1, 0.1, 0.1]}}
    (tmp_path / "b.json").write_text(json.dumps(data))
    readme = tmp_path / "README.md"
    old = f"intro\n{readme_tables.BEGIN}\nold figure 13.5 s\n{readme_tables.END}\nrest\n"
    readme.write_text(old)
    rc = subprocess.run([sys.executable, str(BENCH / "readme_tables.py"), str(tmp_path / "b.json"),
                         "--readme", str(readme)], capture_output=True, text=True,
                        check=False).returncode
    text = readme.read_text()
    assert rc == 0
    assert "old figure" not in text and text.startswith("intro\n") and text.endswith("rest\n")
    assert "**200x** (100-400)" in text  # search lookup ratio, median (min-max)
    assert "abc1234" in text and "GPU**: unmeasured" in text


def test_readme_tables_refuses_readme_without_markers(tmp_path):
    (tmp_path / "b.json").write_text("{}")
    (tmp_path / "R.md").write_text("no markers")
    cmd = [sys.executable, str(BENCH / "readme_tables.py"), str(tmp_path / "b.json"),
           "--readme", str(tmp_path / "R.md")]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "no <!-- bench:begin -->" in proc.stderr


@pytest.mark.slow
def test_gpu_bench_runs_every_code_path_on_cpu(store):
    cmd = [sys.executable, str(BENCH / "gpu_bench.py"), "--tiny", "--device", "cpu"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert set(out["training"]) == {"all_3x3", "resnet_like", "light"}
    assert all(r["s_per_epoch"] > 0 and "ratio_to_nb201" in r for r in out["training"].values())
    assert out["oneshot"]["darts-v1"]["nb201_s_per_epoch"] == pytest.approx(217.8)
    assert out["proxies"]["cells_scored"] == 1
