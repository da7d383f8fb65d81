"""``nasbench-suite report RUN_DIR [RUN_DIR ...] [--format html,pdf] [--out PATH]``."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("html", "pdf", "tex", "csv")


def register(sub) -> None:
    rep = sub.add_parser(
        "report", help="HTML / PDF report (curves, tables, statistical tests) of run folders"
    )
    rep.add_argument(
        "run_dirs",
        type=Path,
        nargs="+",
        metavar="RUN_DIR",
        help="output folder(s) of `nasbench-suite run` (any mix of strategies, datasets, "
        "protocols)",
    )
    rep.add_argument(
        "--format",
        default="html,pdf",
        help="comma-separated: html, pdf, tex (booktabs leaderboard + CD diagram PDF), csv "
        "(leaderboard, final and tests tables) (default: html,pdf)",
    )
    rep.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output path without or with extension (default: reports/report-<experiment>)",
    )
    rep.add_argument("--title", default=None, help="report title")
    rep.add_argument(
        "--store", type=Path, default=None, help="store folder (default: built-in location)"
    )
    rep.add_argument(
        "--proxies",
        type=Path,
        action="append",
        default=None,
        metavar="FILE.csv",
        help="scores CSV of `zc compute`: adds a zero-cost proxy section (correlations with "
        "test accuracy, scatter plot); may be repeated",
    )
    rep.add_argument(
        "--proxy-dataset",
        default=None,
        help="dataset whose test accuracy the proxies are compared with (default: the CSV's, "
        "else cifar10)",
    )
    rep.set_defaults(func=_report)


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html,pdf"`` -> ("html", "pdf"); raises NasBenchError naming a bad format."""
    from nasbench_suite.errors import NasBenchError

    items = [t.strip().lower() for t in str(text).split(",") if t.strip()]
    bad = [t for t in items if t not in FORMATS]
    if bad or not items:
        raise NasBenchError(
            f"unknown report format {', '.join(bad) or repr(text)}; accepted: {', '.join(FORMATS)}"
        )
    return tuple(dict.fromkeys(items))


def output_base(out: Path | None, experiments) -> Path:
    """Path without extension for the report files."""
    if out is None:
        from nasbench_suite.paths import REPO_DIR, in_checkout

        name = "report-" + "-".join(experiments) if experiments else "report"
        return (REPO_DIR if in_checkout() else Path.cwd()) / "reports" / name
    out = Path(out)
    if out.suffix.lower() in (".html", ".pdf", ".htm", ".tex", ".csv"):
        return out.with_suffix("")
    if out.is_dir():
        return out / ("report-" + "-".join(experiments))
    return out


def _report(args: argparse.Namespace) -> int:
    from nasbench_suite.report.content import build_content

    formats = parse_formats(args.format)
    store = None
    if args.store is not None:
        from nasbench_suite.bench.store import Store

        store = Store.load(args.store)
    content = build_content(
        args.run_dirs,
        store=store,
        title=args.title,
        proxies=getattr(args, "proxies", None),
        proxy_dataset=getattr(args, "proxy_dataset", None),
    )
    base = output_base(args.out, content.experiments)
    written = []
    if "html" in formats:
        from nasbench_suite.report.html import write_html

        written.append(write_html(content, base.with_name(base.name + ".html")))
    if "pdf" in formats:
        from nasbench_suite.report.pdf import write_pdf

        written.append(write_pdf(content, base.with_name(base.name + ".pdf")))
    tests_csv = base.with_name(base.name + ".tests.csv")
    if "pdf" in formats and "html" not in formats:  # the tests CSV goes next to any report
        from nasbench_suite.report.sections import write_tests_csv

        write_tests_csv(content.results.tests, tests_csv)
    if "html" in formats or "pdf" in formats:
        written.append(tests_csv)
    if "tex" in formats:
        from nasbench_suite.report.latex import write_tex

        written.extend(write_tex(content, base))
    if "csv" in formats:
        from nasbench_suite.report.latex import write_csv

        written.extend(write_csv(content, base))
    for w in content.warnings:
        print(f"warning: {w}")
    for p in dict.fromkeys(written):
        print(f"wrote {Path(p).resolve()}")
    return 0
