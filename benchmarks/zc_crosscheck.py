"""Cross-check our zero-cost proxies against NASLib's published scores on NB201.

NASLib's ``zc_nasbench201.json`` (../shared/nb201/naslib) holds 12 proxies for 725 cifar10 cells;
NASLib's Zen scores for every cell are in the store (``zen@cifar10``). For each proxy this scores
the same cells (in a seeded random order, one resumable CSV per proxy under ``--workdir``, until
the proxy's time budget is spent) and prints JSON: Spearman rank correlation between our scores
and NASLib's, the number of cells n, and our mean seconds per cell for that proxy.

    .venv/bin/python benchmarks/zc_crosscheck.py --budget-s 120 --threads 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

from nasbench_suite.bench.sources import naslib_tuple_to_code
from nasbench_suite.bench.store import open_store
from nasbench_suite.paths import REPO_DIR, default_raw_dir

NASLIB_NAME = {"jacob_cov": "jacov"}
CHEAP = ("params", "flops", "synflow", "l2_norm", "zen")
DATA = ("snip", "grad_norm", "fisher", "plain", "jacob_cov", "nwot", "epe_nas", "grasp")


def naslib_scores(dataset: str, store) -> dict[str, dict[int, float]]:
    """{our proxy name: {NB201 index: NASLib score}} (zen from the store)."""
    raw = default_raw_dir()
    table = json.loads((raw / "naslib" / "zc_nasbench201.json").read_text())[dataset]
    out: dict[str, dict[int, float]] = {}
    for key, row in table.items():
        index = int(store.index_map.index_of_code[naslib_tuple_to_code(key)])
        for proxy in CHEAP + DATA:
            entry = row.get(NASLIB_NAME.get(proxy, proxy))
            if isinstance(entry, dict):
                out.setdefault(proxy, {})[index] = float(entry["score"])
    zen = store.column("zen", dataset)
    out["zen"] = {i: float(zen[i]) for i in out["params"]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--proxies", default=",".join(CHEAP + DATA))
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget-s", type=float, default=120.0, help="seconds per proxy")
    parser.add_argument("--max-cells", type=int, default=725)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=REPO_DIR / "reports" / "zc_crosscheck")
    args = parser.parse_args(argv)

    import torch

    from nasbench_suite.proxies.scorer import read_scores, score_cells

    torch.set_num_threads(args.threads)
    store = open_store()
    reference = naslib_scores(args.dataset, store)
    order = np.random.default_rng(args.seed).permutation(sorted(reference["params"]))
    order = [int(i) for i in order[: args.max_cells]]
    result = {}
    for proxy in [p.strip() for p in args.proxies.split(",") if p.strip()]:
        out = args.workdir / f"{args.dataset}-b{args.batch}-s{args.seed}-{proxy}.csv"
        deadline = time.monotonic() + args.budget_s
        cells = [i for i in order if i in reference[proxy]]
        for start in range(0, len(cells), 10):  # chunks of 10, so the budget is checked often
            if time.monotonic() > deadline:
                break
            score_cells(
                cells[start : start + 10],
                [proxy],
                dataset=args.dataset,
                seed=args.seed,
                batch=args.batch,
                out=out,
                store=store,
            )
        _, rows = read_scores(out)
        idx = [i for i in cells if i in rows]
        ours = np.array([rows[i][proxy] for i in idx])
        theirs = np.array([reference[proxy][i] for i in idx])
        ours_ranked = np.where(np.isfinite(ours), ours, -np.inf)
        rho = (
            stats.spearmanr(stats.rankdata(ours_ranked), theirs).statistic
            if len(idx) > 2
            else None
        )
        result[proxy] = {
            "spearman_vs_naslib": None if rho is None or np.isnan(rho) else round(float(rho), 4),
            "n": len(idx),
            "s_per_cell": round(float(np.mean([rows[i]["time_s"] for i in idx])), 4)
            if idx
            else None,
        }
        print(proxy, result[proxy], file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "dataset": args.dataset,
                "batch": args.batch,
                "seed": args.seed,
                "threads": args.threads,
                "proxies": result,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
