"""Absurd command-line values and hostile text: one clear line and exit 2, nothing left behind."""

from __future__ import annotations

import pytest

from tests.clitools import run_cli

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"




def _one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("option, value, needle", [
    ("--batch-size", "0", "--batch-size: must be an integer between 1"),
    ("--channels", "0", "--channels: must be an integer between 1"),
    ("--cells", "-1", "--cells: must be an integer between 1"),
    ("--epochs", "zero", "--epochs: expected an integer, got 'zero'"),
    ("--channels", "100000000", "--channels: must be an integer between 1 and 1,024"),
])
def test_train_sizes(capsys, option, value, needle):
    code, _, err = run_cli(capsys, ["train", ARCH, "--dataset", "fashion-mnist", option, value])
    assert code == 2 and needle in err and _one_line(err), err


def test_train_config_checked_through_the_api():
    from nasbench_suite.errors import NasBenchError
    from nasbench_suite.train.trainer import TrainConfig, train

    with pytest.raises(NasBenchError, match="batch_size must be a positive integer, got 0"):
        train(ARCH, None, TrainConfig(batch_size=0))


def test_zc_compute_batch_zero_and_out_folder(tmp_path, capsys, store):
    code, _, err = run_cli(capsys, ["zc", "compute", "--proxies", "params", "--batch", "0",
                                    "--out", tmp_path / "zc.csv"])
    assert code == 2 and "--batch: must be an integer between 1" in err and _one_line(err)
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run_cli(capsys, ["zc", "compute", "--proxies", "params", "--sample", "2",
                                    "--quiet", "--out", folder])
    assert code == 2 and "is a folder, not a CSV file" in err and _one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]  # no stray .meta.json


def test_report_title_with_mathtext(tmp_path, capsys, store):
    """A title with "$...$" used to break the PDF and leave a .tmp file behind."""
    from nasbench_suite.runner import expand, parse_spec, run_grid

    spec = parse_spec({"name": "t", "runs": 2, "strategies": ["random", "rea"],
                       "budget": {"evals": 5},
                       "benchmark": {"search_dataset": "cifar10-valid", "fidelity": 12}})
    run_grid(expand(spec), tmp_path / "runs", workers=1, quiet=True)
    title = r"cost $\frac{1}{$ 5$ and $x^{"
    code, _, err = run_cli(capsys, ["report", tmp_path / "runs", "--format", "pdf,html",
                                    "--title", title, "--out", tmp_path / "rep"])
    assert code == 0, err
    assert (tmp_path / "rep.pdf").stat().st_size > 1000
    assert title.replace("<", "&lt;") in (tmp_path / "rep.html").read_text()
    assert not list(tmp_path.glob(".*.tmp"))
