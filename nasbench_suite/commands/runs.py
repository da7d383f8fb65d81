"""``nasbench-suite runs summary DIR [--json]``: final test accuracy per strategy and dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasbench_suite.commands.common import fmt, print_json


def register(sub) -> None:
    runs = sub.add_parser("runs", help="inspect folders written by `nasbench-suite run`")
    runs_sub = runs.add_subparsers(dest="runs_command", required=True, metavar="ACTION")
    summary = runs_sub.add_parser(
        "summary", help="mean / std of the final incumbent's test accuracy"
    )
    summary.add_argument("dir", type=Path, help="output folder of `nasbench-suite run`")
    summary.add_argument("--json", action="store_true", help="print JSON")
    summary.set_defaults(func=_summary)


def _summary(args: argparse.Namespace) -> int:
    from nasbench_suite.runner.summary import summarize

    rows = summarize(args.dir)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    header = ("strategy", "search", "report", "runs", "not done", "test acc (%)")
    table = [
        (
            r.strategy,
            r.search_dataset,
            r.dataset,
            str(r.runs),
            str(r.failed + r.unfinished + r.damaged),
            f"{fmt(r.final_test_mean)} +- {fmt(r.final_test_std)}",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
    for line in (header, *table):
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    damaged = sum({(r.strategy, r.search_dataset): r.damaged for r in rows}.values())
    if damaged:
        print(f"note: {damaged} damaged run(s) (trajectory.jsonl does not match metadata.json) "
              "are counted as not done and left out of the means")
    return 0
