"""The batch scorer (resumable CSV), the zc CLI, correlations, and synflow's known Spearman."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from nasbench_suite.cli import main
from nasbench_suite.errors import NasBenchError
from nasbench_suite.proxies import score_cells
from nasbench_suite.proxies.correlation import rank_agreement, top_k_overlap
from nasbench_suite.proxies.scorer import read_scores

TINY = {"channels": 4, "cells_per_stage": 1, "batch": 8}
PROXIES = ["synflow", "snip", "nwot"]


def test_resume_skips_done_cells_and_matches_a_fresh_run(store, tmp_path):
    out = tmp_path / "scores.csv"
    first = score_cells([5, 17, 300], PROXIES, out=out, store=store, **TINY)
    # a killed run leaves a partial line; the next run drops it and goes on
    with open(out, "a") as handle:
        handle.write("4242,0.1,0.")
    calls = []
    both = score_cells(
        [5, 17, 300, 4242, 9000],
        PROXIES,
        out=out,
        store=store,
        progress=lambda done, total, row: calls.append(done),
        **TINY,
    )
    assert calls == [4, 5]  # only the two new cells were computed
    fresh = score_cells([4242, 9000], PROXIES, store=store, **TINY)
    columns, rows = read_scores(out)
    assert columns == PROXIES and sorted(rows) == [5, 17, 300, 4242, 9000]
    for i in (5, 17, 300):
        for p in PROXIES:
            assert rows[i][p] == pytest.approx(first[i][p], rel=1e-12)
    for i in (4242, 9000):
        for p in PROXIES:
            assert both[i][p] == pytest.approx(fresh[i][p], rel=1e-9)
    meta = json.loads((tmp_path / "scores.csv.meta.json").read_text())
    assert meta["data_source"]["kind"] in {"cifar10-batches-py", "cifar10-png", "fashion-mnist"}
    with pytest.raises(NasBenchError, match="seed"):
        score_cells([1], PROXIES, out=out, store=store, seed=1, **TINY)


def test_cuda_request_without_cuda_is_a_clear_error(store):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(NasBenchError, match="CUDA"):
        score_cells([1], ["params"], device="cuda", store=store)


def test_rank_agreement_and_overlap():
    acc = np.arange(20.0)
    res = rank_agreement(acc * 3 + 1, acc)
    assert res["spearman"] == pytest.approx(1) and res["kendall"] == pytest.approx(1)
    assert res["top10_overlap"] == 1.0 and res["n"] == 20
    assert rank_agreement(-acc, acc)["spearman"] == pytest.approx(-1)
    assert top_k_overlap(np.r_[acc[:-2], -5, -6], acc) == 0.0  # the top 2 scored worst
    nan_worst = rank_agreement(np.r_[np.nan, acc[1:]], acc)  # NaN ranks last, like the worst
    assert nan_worst["spearman"] == pytest.approx(1)


def test_cli_compute_and_correlate(tmp_path, capsys):
    out = tmp_path / "zc.csv"
    assert (
        main(
            [
                "zc",
                "compute",
                "--proxies",
                "params,flops",
                "--dataset",
                "cifar10",
                "--sample",
                "12",
                "--seed",
                "3",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["zc", "correlate", str(out), "--dataset", "cifar10", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert set(result) == {"params", "flops"}
    assert result["params"]["n"] == 12 and set(result["params"]) >= {
        "spearman",
        "kendall",
        "top10_overlap",
    }
    assert main(["zc", "compute", "--proxies", "nope", "--sample", "2", "--out", str(out)]) == 2


def test_synflow_spearman_with_cifar10_test_accuracy(store):
    """Abdelfattah et al. report rho = 0.74 for synflow on all of NB201 / CIFAR-10; 100 seeded
    cells (full C=16, N=5 network, synflow needs a single all-ones image) must land near it."""
    idx = np.random.default_rng(0).choice(15625, size=100, replace=False)
    scores = score_cells(idx, ["synflow"], store=store, batch=1)
    synflow = np.array([scores[int(i)]["synflow"] for i in idx])
    rho = stats.spearmanr(synflow, store.column("test_acc", "cifar10")[idx]).statistic
    assert 0.6 <= rho <= 0.85, rho
