"""Fuzz tests: random bytes, random YAML and random arguments at every boundary.

Whatever they are given, the spec parser, the store loader, the run-folder readers and the CLI
either work or fail with the suite's own error (one line, exit status 2 from the CLI), never with
a traceback, a hang or another exception type. Hypothesis keeps each test to a few seconds.
"""

from __future__ import annotations

import io
import json
import shutil
import string
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nasbench_suite.cli import main
from nasbench_suite.errors import NasBenchError, SpecError
from nasbench_suite.runner.spec import TOP_KEYS, parse_spec
from nasbench_suite.yamlsafe import YamlError, load_yaml_bytes

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SUBKEYS = ["type", "search_dataset", "fidelity", "noise", "eval_overhead_s", "latency_device",
           "time_s", "evals", "name", "kwargs", "target_ms", "w", "all", "random", "rea"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["cifar10", "cifar10-valid", "cifar100", "ImageNet16-120", "all", "random",
                     "rea", "nb201", "nats_tss", "mean", "seed", "tabular", "$x$", "../..", ""]),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(SUBKEYS) | st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)
spec_docs = st.dictionaries(st.sampled_from(list(TOP_KEYS)) | st.text(max_size=5), yaml_values,
                            max_size=8)


# --- spec parser -----------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=400))
def test_spec_bytes(data):
    try:
        doc = load_yaml_bytes(data, "spec.yaml")
    except YamlError as exc:
        assert "\n" not in str(exc)
        return
    try:
        parse_spec(doc)
    except SpecError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(spec_docs)
def test_spec_random_yaml(doc):
    text = yaml.safe_dump(doc, allow_unicode=True).encode()
    try:
        parse_spec(load_yaml_bytes(text, "spec.yaml"))
    except (SpecError, YamlError) as exc:
        assert "\n" not in str(exc)


# --- store loader ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store_copy(tmp_path_factory, store):
    out = tmp_path_factory.mktemp("fuzzstore") / "store"
    shutil.copytree(store.path, out)
    return out


def _load_or_data_error(path: Path) -> None:
    from nasbench_suite.bench.store import Store
    from nasbench_suite.errors import DataError

    try:
        Store.load(path)
    except DataError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(st.binary(max_size=300))
def test_store_manifest_bytes(store_copy, data):
    target = store_copy.parent / "bytes"
    target.mkdir(exist_ok=True)
    (target / "manifest.json").write_bytes(data)
    (target / "arrays.bin").write_bytes(data[:50])
    _load_or_data_error(target)


@FUZZ
@given(st.sampled_from(["offset", "dtype", "shape", "arrays_bytes", "format", "columns", "drop"]),
       scalars | st.lists(st.integers(-5, 20000), max_size=3), st.integers(0, 69))
def test_store_manifest_fields(store_copy, field, value, which):
    manifest = json.loads((store_copy / "manifest.json").read_text())
    target = store_copy.parent / "edited"
    target.mkdir(exist_ok=True)
    (target / "arrays.bin").unlink(missing_ok=True)
    (target / "arrays.bin").symlink_to(store_copy / "arrays.bin")
    name = sorted(manifest["columns"])[which % len(manifest["columns"])]
    if field in ("arrays_bytes", "format", "columns"):
        manifest[field] = value
    elif field == "drop":
        del manifest["columns"][name]
    else:
        manifest["columns"][name][field] = value
    (target / "manifest.json").write_text(json.dumps(manifest))
    _load_or_data_error(target)


# --- run-folder readers ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory, store):
    from nasbench_suite.runner import expand, run_grid

    root = tmp_path_factory.mktemp("fuzzruns")
    spec = parse_spec({"name": "f", "runs": 2, "strategies": ["random"], "budget": {"evals": 4},
                       "benchmark": {"search_dataset": "cifar10-valid", "fidelity": 12}})
    run_grid(expand(spec), root / "clean", workers=1, quiet=True)
    return root


json_like = st.one_of(
    st.binary(max_size=200),
    yaml_values.map(lambda v: json.dumps(v, default=str).encode()),
    st.dictionaries(st.sampled_from(["status", "n_evals", "final_incumbent", "clock_s",
                                     "trajectory_sha256", "error", "experiment", "label",
                                     "run", "report_datasets", "test_acc", "time_s"]),
                    yaml_values, max_size=6).map(lambda d: json.dumps(d, default=str).encode()),
)


@FUZZ
@given(st.sampled_from(["metadata.json", "spec.json", "trajectory.jsonl"]), json_like)
def test_run_folder_readers(runs_dir, name, data):
    from nasbench_suite.analysis.runs import load_runs
    from nasbench_suite.runner.summary import summarize

    work = runs_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(runs_dir / "clean", work)
    (work / "random" / "cifar10-valid" / "run-0001" / name).write_bytes(data)
    for read in (summarize, load_runs):
        try:
            read(work)
        except NasBenchError as exc:
            assert "\n" not in str(exc)


# --- the CLI ---------------------------------------------------------------------------------
WORDS = ["query", "space", "info", "runs", "summary", "published", "data", "verify", "report",
         "run", "zc", "correlate", "bench", "--json", "--dataset", "--store", "--out", "--raw",
         "--format", "--runs", "--workers", "--title", "--batch", "--seed", "nb201", "cifar10",
         "cifar100", "-1", "0", "1", "15624", "15625", "1e9", "nan", "--", "-", "",
         "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", "/nonexistent", "\x00",
         "é", "$x$"]
argvs = st.lists(st.sampled_from(WORDS) | st.text(string.printable, max_size=8), max_size=6)


def _run_cli(argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


@FUZZ
@given(argvs)
def test_cli_random_arguments(store, argv):
    if argv and argv[0] in ("run", "data", "bench", "zc", "report"):
        argv = [argv[0], "--help-not-an-option", *argv[1:]]  # parse only: never start real work
    code, err = _run_cli(argv)
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, (argv, err)


@FUZZ
@given(st.text(max_size=40), st.sampled_from(["cifar10", "cifar100", "x", "", "ImageNet16-120"]))
def test_cli_query_any_arch(store, arch, dataset):
    code, err = _run_cli(["query", arch, "--dataset", dataset, "--json"])
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1


@FUZZ
@given(st.binary(max_size=300))
def test_cli_run_any_spec_bytes(tmp_path, data):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(data)
    code, err = _run_cli(["run", str(spec), "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
