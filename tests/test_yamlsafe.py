"""Untrusted YAML specs: one clear line for every pathological document, never a hang or crash."""

from __future__ import annotations

import time

import pytest
import yaml

from nasbench_suite.cli import main
from nasbench_suite.errors import SpecError
from nasbench_suite.runner import load_spec
from nasbench_suite.yamlsafe import MAX_BYTES, YamlError, load_yaml_bytes
from tests.runner.conftest import tiny_spec

BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n".encode()
    for p, n in zip("abcdefgh", "bcdefghi"))


def _run_cli(capsys, path) -> tuple[int, str]:
    try:
        code = main(["run", str(path), "--out", str(path.parent / "o"), "--quiet"])
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("text, needle", [
    (yaml.safe_dump(tiny_spec()) + "runs: 3\n", "key 'runs' is given twice"),
    ("budget: {time_s: 10, time_s: 20}\n", "key 'time_s' is given twice"),
    (b"name: caf\xe9\n", "is not UTF-8 text (byte 0xe9 at offset 9)"),
    (b"\xff\xfe\x00n", "is not UTF-8"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nests deeper than"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), "nests deeper than"),
    (BOMB, "expands to more than"),
    ("x: !!python/object/apply:os.system [touch pwned]\n", "not valid YAML"),
    ("x: [1, 2\n", "not valid YAML at line"),
    (yaml.safe_dump(tiny_spec(runs=1_000_000_000)), "at most 1,000,000 fit"),
])
def test_pathological_specs_fail_in_one_line(tmp_path, capsys, text, needle):
    path = tmp_path / "spec.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    start = time.perf_counter()
    code, err = _run_cli(capsys, path)
    assert time.perf_counter() - start < 10
    assert code == 2 and needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "pwned").exists()


def test_too_large_and_runs_override(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(SpecError, match="a spec may be at most"):
        load_spec(path)
    path.write_text(yaml.safe_dump(tiny_spec()))
    with pytest.raises(SpecError, match="at most 1,000,000 fit"):
        load_spec(path, runs=10**9)


def test_plain_documents_and_merge_keys_still_load():
    assert load_yaml_bytes(b"a: 1\nb: [1, 2]\n", "x") == {"a": 1, "b": [1, 2]}
    doc = load_yaml_bytes(b"base: &b {k: 1}\nm: {<<: *b, j: 2}\n", "x")
    assert doc["m"] == {"k": 1, "j": 2}
    with pytest.raises(YamlError, match="x: key 1 is given twice"):
        load_yaml_bytes(b"1: a\n1: b\n", "x")
