"""The report's zero-cost proxy section, from a scores CSV made of the store's params / flops
columns (no torch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from nasbench_suite.report.proxies import build_proxy_section


def _scores_csv(store, path, n_cells=400, seed=0, dataset=None):
    params = np.asarray(store.column("params_m", "cifar100"), dtype=np.float64)
    flops = np.asarray(store.column("flops_m", "cifar100"), dtype=np.float64)
    cells = sorted(int(c) for c in np.random.default_rng(seed).choice(len(params), n_cells, False))
    lines = ["index,params,flops,time_s"]
    lines += [f"{i},{float(params[i])!r},{float(flops[i])!r},0.5" for i in cells]
    path.write_text("\n".join(lines) + "\n")
    if dataset:
        Path(str(path) + ".meta.json").write_text(json.dumps({"dataset": dataset}))
    return path, np.array(cells)


@pytest.fixture(scope="module")
def scores(tmp_path_factory, store):
    return _scores_csv(store, tmp_path_factory.mktemp("zc") / "scores.csv", dataset="cifar100")


def test_section_matches_independent_statistics(scores, store):
    path, cells = scores
    section = build_proxy_section(path, store)
    assert section.dataset == "cifar100"  # from the .meta.json sidecar
    acc = np.asarray(store.column("test_acc", "cifar100"), dtype=np.float64)[cells]
    for proxy, col in (("params", "params_m"), ("flops", "flops_m")):
        x = np.asarray(store.column(col, "cifar100"), dtype=np.float64)[cells]
        keep = np.isfinite(acc)
        rho = stats.spearmanr(x[keep], acc[keep]).statistic
        tau = stats.kendalltau(x[keep], acc[keep]).statistic
        res = section.results[proxy]
        assert res["spearman"] == pytest.approx(rho) and res["kendall"] == pytest.approx(tau)
        assert 0.0 <= res["top10_overlap"] <= 1.0 and res["n"] == int(keep.sum())
        assert rho > 0.3  # bigger NB201 cells are better: a sanity check of the pairing
    header = section.table.header
    assert header[:4] == ("proxy", "Spearman", "Kendall", "top-10% overlap")
    row = {r[0]: r for r in section.table.rows}["params"]
    assert row[1] == f"{section.results['params']['spearman']:.3f}"
    fig = section.figure.make()
    assert len([ax for ax in fig.axes if ax.axison]) == 2  # one panel per proxy


def test_dataset_argument_and_cifar10_valid(scores, store):
    path, _ = scores
    assert build_proxy_section(path, store, "cifar10-valid").dataset == "cifar10"
    assert build_proxy_section(path, store, "ImageNet16-120").dataset == "ImageNet16-120"


def test_report_has_the_proxy_section(pair_runs, store, scores, tmp_path):
    from nasbench_suite.report.content import build_content
    from nasbench_suite.report.html import write_html
    from nasbench_suite.report.pdf import content_lines

    path, _ = scores
    content = build_content([pair_runs], store=store, proxies=path)
    assert len(content.proxy_tables) == 1 and content.proxy_notes
    assert any(f.key.startswith("proxies-") for f in content.figures)
    html = write_html(content, tmp_path / "r.html").read_text()
    assert 'id="proxies"' in html and "top-10% overlap" in html
    assert ("h2", "Zero-cost proxies") in content_lines(content)
    plain = build_content([pair_runs], store=store)
    assert plain.proxy_tables == () and len(plain.figures) == len(content.figures) - 1


def test_cli_report_proxies_option(pair_runs, store, scores, tmp_path, capsys):
    from nasbench_suite.cli import main

    path, _ = scores
    out = tmp_path / "rep"
    rc = main(
        [
            "report", str(pair_runs), "--format", "html", "--out", str(out),
            "--store", str(store.path), "--proxies", str(path), "--proxy-dataset", "cifar100",
        ]
    )
    assert rc == 0
    assert "Zero-cost proxies vs test accuracy (cifar100)" in (tmp_path / "rep.html").read_text()


def test_missing_file_is_a_clear_error(store, tmp_path):
    from nasbench_suite.errors import NasBenchError

    with pytest.raises(NasBenchError, match="does not exist"):
        build_proxy_section(tmp_path / "nope.csv", store)
