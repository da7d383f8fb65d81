"""Zero-cost-proxy strategies: proxy_search (NASWOT), rea_ws and gp_bo_ws (warm starts).

Tables are made from the store's params / flops columns (no torch); one small live test uses
torch when it is installed.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nasbench_suite.bench.tabular import TabularBenchmark
from nasbench_suite.strategies import create_strategy
from nasbench_suite.strategies.proxy import read_table


def write_table(store, path, n_cells=None, seed=0):
    """A `zc compute`-style CSV: index, params, flops, time_s (0.25 s steps: exact sums)."""
    params = np.asarray(store.column("params_m", "cifar10"), dtype=np.float64)
    flops = np.asarray(store.column("flops_m", "cifar10"), dtype=np.float64)
    rng = np.random.default_rng(seed)
    cells = np.arange(len(params)) if n_cells is None else rng.choice(len(params), n_cells, False)
    lines = ["index,params,flops,time_s"]
    for i in sorted(int(c) for c in cells):
        lines.append(f"{i},{float(params[i])!r},{float(flops[i])!r},{0.25 * (1 + i % 4)}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory, store):
    return write_table(store, tmp_path_factory.mktemp("zc") / "scores.csv", n_cells=300)


def _loop(searcher, bench, steps):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(steps):
        cand = searcher.ask()
        out.append((int(cand.arch_index), searcher.compute_cost_s()))
        searcher.tell(cand, bench.evaluate(cand.arch_index, rng))
    return out


def test_proxy_search_proposes_in_score_order_and_charges(space, bench, table):
    _, rows = read_table(table)
    s = create_strategy(
        "proxy_search", space, seed=1, proxy="flops", proxy_table=str(table), n_samples=20
    )
    got = _loop(s, bench, 45)
    cells = [c for c, _ in got]
    assert len(set(cells)) == 45 and all(c in rows for c in cells)  # from the table, no repeat
    for start in (0, 20, 40):  # each batch: best first, charged once, on its first ask
        batch = cells[start : start + 20]
        flops = [rows[c]["flops"] for c in batch]
        assert flops == sorted(flops, reverse=True)
        costs = [c for _, c in got[start : start + 20]]
        assert costs[1:] == [0.0] * (len(costs) - 1)
    first = cells[:20]
    assert got[0][1] == pytest.approx(math.fsum(rows[c]["time_s"] for c in first))
    batch3 = [r["index"] for r in s.artifacts()["proxy_scores.json"]["cells"][40:]]
    assert got[40][1] == pytest.approx(math.fsum(rows[c]["time_s"] for c in batch3))
    assert s.total_compute_s == pytest.approx(sum(c for _, c in got))
    # the first proposal is the best of the first 20 scored cells
    scored = [r["index"] for r in s.artifacts()["proxy_scores.json"]["cells"][:20]]
    assert cells[0] == max(scored, key=lambda c: rows[c]["flops"])


def test_proxy_search_exhausts_a_small_table(space, bench, store, tmp_path):
    path = write_table(store, tmp_path / "tiny.csv", n_cells=7, seed=3)
    s = create_strategy("proxy_search", space, proxy="params", proxy_table=str(path), n_samples=5)
    _loop(s, bench, 7)
    with pytest.raises(StopIteration):
        s.ask()


def test_bad_proxy_column_is_named(space, table):
    s = create_strategy("proxy_search", space, proxy="synflow", proxy_table=str(table))
    with pytest.raises(Exception, match="synflow"):
        s.ask()


def test_rea_ws_initial_population_is_the_tables_top(space, bench, store, tmp_path):
    path = write_table(store, tmp_path / "t100.csv", n_cells=100, seed=5)
    _, rows = read_table(path)
    top = sorted(rows, key=lambda i: (-rows[i]["flops"], i))[:10]
    s = create_strategy(
        "rea_ws", space, seed=2, proxy="flops", proxy_table=str(path), n_warmup=100,
        population_size=10,
    )
    got = _loop(s, bench, 25)
    first = [c for c, _ in got[:10]]
    assert [rows[c]["flops"] for c in first] == [rows[c]["flops"] for c in top]
    assert set(first) == set(top) or len({rows[c]["flops"] for c in top}) < 10  # ties
    assert s.warm_start == first
    assert s.last_parent is not None  # plain REA (tournament + mutation) afterwards
    assert got[0][1] == pytest.approx(math.fsum(r["time_s"] for r in rows.values()))
    assert all(c == 0.0 for _, c in got[1:])


def test_rea_ws_population_from_a_warmup_sample(space, bench, table):
    s = create_strategy(
        "rea_ws", space, seed=4, proxy="params", proxy_table=str(table), n_warmup=40
    )
    got = _loop(s, bench, 10)
    scored = s.artifacts()["proxy_scores.json"]["cells"]
    assert len(scored) == 40
    best = sorted(scored, key=lambda r: -r["score"])[:10]
    assert [c for c, _ in got] == s.warm_start
    assert sorted(r["score"] for r in best) == sorted(
        r["score"] for r in scored if r["index"] in s.warm_start
    )


def test_gp_bo_ws_initial_design_is_the_tables_top(space, bench, store, tmp_path):
    path = write_table(store, tmp_path / "t60.csv", n_cells=60, seed=6)
    _, rows = read_table(path)
    top = sorted(rows, key=lambda i: (-rows[i]["params"], i))[:5]
    s = create_strategy(
        "gp_bo_ws", space, seed=2, proxy="params", proxy_table=str(path), n_warmup=60, n_init=5
    )
    got = _loop(s, bench, 8)
    assert [rows[c]["params"] for c, _ in got[:5]] == [rows[c]["params"] for c in top]
    assert got[0][1] == pytest.approx(math.fsum(r["time_s"] for r in rows.values()))
    assert all(c == 0.0 for _, c in got[1:])


def test_table_runs_are_byte_identical_and_charge_proxy_time(tmp_path, store, table):
    from nasbench_suite.runner import expand, parse_spec, run_grid

    spec = {
        "name": "zc",
        "seed": 0,
        "runs": 1,
        "strategies": [
            {"name": "proxy_search", "kwargs": {"proxy": "flops", "proxy_table": str(table),
                                                 "n_samples": 10}},
            {"name": "rea_ws", "kwargs": {"proxy": "flops", "proxy_table": str(table),
                                           "n_warmup": 30}},
        ],
        "benchmark": {"type": "tabular", "search_dataset": "cifar10-valid", "fidelity": 12,
                      "noise": "mean"},
        "report_datasets": ["cifar10"],
        "budget": {"evals": 12},
    }
    outs = []
    for k in range(2):
        out = tmp_path / f"runs{k}"
        run_grid(expand(parse_spec(spec)), out, workers=1, quiet=True, store_path=store.path)
        outs.append(out)
    _, rows = read_table(table)
    bench = TabularBenchmark("cifar10-valid", fidelity=12, noise="mean", store=store)
    for label, n_first in (("proxy_search", 10), ("rea_ws", 30)):
        folders = [o / label / "cifar10-valid" / "run-0000" for o in outs]
        a, b = ((f / "trajectory.jsonl").read_bytes() for f in folders)
        assert a == b and a
        meta = json.loads((folders[0] / "metadata.json").read_text())
        assert meta["status"] == "complete", meta.get("error")
        cells = json.loads((folders[0] / "proxy_scores.json").read_text())["cells"]
        proxy_s = math.fsum(rows[c["index"]]["time_s"] for c in cells)
        assert proxy_s > 0 and meta["compute_s"] == pytest.approx(proxy_s)
        traj = [json.loads(line) for line in a.decode().splitlines()]
        first_s = math.fsum(rows[c["index"]]["time_s"] for c in cells[:n_first])
        assert traj[0]["time_s"] == pytest.approx(first_s + bench.cost(traj[0]["arch_index"]))
        train = math.fsum(bench.cost(t["arch_index"]) for t in traj)
        assert traj[-1]["time_s"] == pytest.approx(proxy_s + train)


def test_live_scoring_charges_measured_seconds(space, bench):
    pytest.importorskip("torch")
    s = create_strategy(
        "proxy_search", space, seed=0, proxy="params", n_samples=4, channels=4,
        proxy_cost="measured",
    )
    got = _loop(s, bench, 4)
    scored = s.artifacts()["proxy_scores.json"]["cells"]
    assert got[0][1] > 0 and got[0][1] == pytest.approx(math.fsum(r["seconds"] for r in scored))
    by_score = [r["index"] for r in sorted(scored, key=lambda r: -r["score"])]
    assert [c for c, _ in got] == by_score
