"""PDF report with the same content as the HTML one, written with matplotlib's ``PdfPages``.

Why matplotlib rather than printing the HTML with a browser: it needs no system dependency (no
Chromium, no Cairo/Pango for WeasyPrint), so a PDF can be made wherever the suite installs, and
the figures stay vectors. Text pages are laid out here (A4 portrait, wrapped paragraphs,
monospaced tables); each figure gets its own page (titled, captioned). Output is deterministic:
fixed seeds, no creation date in the PDF metadata.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

from nasbench_suite.report.content import ReportContent, Table
from nasbench_suite.report.html import plot_style

PAGE = (8.27, 11.69)  # A4 portrait, inches
MARGIN = 0.6  # inches
STYLES = {  # kind -> (font size pt, family, weight, characters per line)
    "title": (15, "sans-serif", "bold", 70),
    "h2": (12, "sans-serif", "bold", 85),
    "h3": (10, "sans-serif", "bold", 100),
    "p": (8.5, "sans-serif", "normal", 120),
    "li": (8.5, "sans-serif", "normal", 115),
    "warn": (8.5, "sans-serif", "bold", 115),
    "mono": (6.2, "monospace", "normal", 150),
    "muted": (7.5, "sans-serif", "normal", 135),
}


def content_lines(c: ReportContent) -> list[tuple[str, str]]:
    """The report's text as (style, line) pairs, wrapped for the page."""
    out: list[tuple[str, str]] = []

    def add(kind: str, text: str, indent: str = "") -> None:
        width = STYLES[kind][3]
        lines = textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
        out.extend((kind, line) for line in lines)

    add("h2", "Methods")
    for para in c.methods.split("\n\n"):
        add("p", para)
        out.append(("p", ""))
    add("h2", "Run status")
    for line in c.status:
        add("p", line)
    for t in c.run_tables:
        _table(out, t)
    add("h2", "Experiment spec")
    for t in c.spec_tables:
        _table(out, t)
    add("h2", "Environment")
    _table(out, c.environment)
    add("h2", "Final results")
    for t in c.final_tables:
        _table(out, t)
    for title, notes, tables in (
        ("Published results", c.published_notes, c.published_tables),
        ("Zero-cost proxies", c.proxy_notes, c.proxy_tables),
    ):
        if tables:
            add("h2", title)
            for n in notes:
                add("muted", n)
            for t in tables:
                _table(out, t)
    add("h2", "Statistical tests")
    add("p", "Pairwise tests are drawn as matrices (figures); every test (each task, checkpoint "
        "and pair) is in the <name>.tests.csv file written next to this report and in the HTML "
        "report's appendix.")
    add("h3", "Across tasks")
    for r in c.across_readings or ("No across-task test (see caveats).",):
        add("li", "- " + r, "  ")
    if c.caveats:
        add("h3", "Caveats")
        for cv in c.caveats:
            add("li", "- " + cv, "  ")
    add("h3", "Notes")
    for n in c.notes:
        add("li", "- " + n, "  ")
    return out


def _table(out: list, t: Table, max_cell: int = 48) -> None:
    out.append(("h3", t.title))
    rows = [tuple(t.header)] + [tuple(_clip(str(x), max_cell) for x in r) for r in t.rows]
    if len(rows) == 1:
        rows.append(("(none)",) + ("",) * (len(t.header) - 1))
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(t.header))]
    for k, r in enumerate(rows):
        line = "  ".join(
            str(r[i] if i < len(r) else "").ljust(widths[i]) for i in range(len(widths))
        ).rstrip()
        for piece in textwrap.wrap(line, STYLES["mono"][3], drop_whitespace=False) or [""]:
            out.append(("mono", piece))
        if k == 0:
            out.append(("mono", "-" * min(sum(widths) + 2 * len(widths), STYLES["mono"][3])))
    if t.note:
        out.extend(("muted", x) for x in textwrap.wrap(t.note, STYLES["muted"][3]))
    out.append(("p", ""))


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _text_pages(lines):
    """Figures with the lines laid out top to bottom, as many pages as needed."""
    from matplotlib.figure import Figure

    usable = (PAGE[1] - 2 * MARGIN) * 72.0
    pages, page, y = [], [], 0.0
    for kind, text in lines:
        size = STYLES[kind][0]
        step = size * (1.9 if kind in ("h2", "title") else 1.35)
        if kind in ("h2", "h3") and page:
            y += size * 0.7  # air above headings
        if y + step > usable and page:
            pages.append(page)
            page, y = [], 0.0
        page.append((kind, text, y + size))
        y += step
    if page:
        pages.append(page)
    figs = []
    for n, page in enumerate(pages, 1):
        fig = Figure(figsize=PAGE)
        for kind, text, y in page:
            size, family, weight, _ = STYLES[kind]
            color = {"warn": "#9a6700", "muted": "#57606a"}.get(kind, "black")
            fig.text(
                MARGIN / PAGE[0],
                1 - (MARGIN + y / 72.0) / PAGE[1],
                text,
                fontsize=size,
                family=family,
                weight=weight,
                color=color,
                va="baseline",
                ha="left",
            )
        fig.text(0.5, MARGIN / 2 / PAGE[1], f"text {n}", fontsize=7, ha="center",
                 color="#57606a")
        figs.append(fig)
    return figs


def figure_order(c: ReportContent, cd_on_first_page: bool = False) -> list:
    """Figures in reading order: CD diagram, per-benchmark figures, across tasks, the rest."""
    r = c.results
    out = [f for f in c.figures if f.key == "cd" and not cd_on_first_page]
    for sec in r.sections if r else ():
        out.extend(sec.figures)
    out.extend(r.figures if r else ())
    out.extend(f for f in c.figures if f.key != "cd")
    return out


def leaderboard_page(c: ReportContent):
    """Page 1: title, warnings, summary and the leaderboard (bold best, dagger for ties)."""
    from matplotlib.figure import Figure

    from nasbench_suite.analysis.leaderboard import format_cell

    fig = Figure(figsize=PAGE)
    x0, y = MARGIN / PAGE[0], 1 - MARGIN / PAGE[1]
    line = 1.0 / (PAGE[1] * 72)  # one point in figure units (vertical)

    def text(t, size, **kw):
        nonlocal y
        y -= size * 1.4 * line
        fig.text(x0, y, t, fontsize=size, va="baseline", **kw)

    for ln in textwrap.wrap(c.title, 70):
        text(ln, 15, weight="bold")
    for w in c.warnings:
        for ln in textwrap.wrap("! " + w, 115):
            text(ln, 8.5, color="#9a6700", weight="bold")
    r = c.results
    if r is None:
        return fig
    y -= 6 * line
    for ln in textwrap.wrap(r.summary, 118):
        text(ln, 8.5)
    lb = r.leaderboard
    y -= 10 * line
    cols = ["strategy", *[t.name for t in lb.tasks], "avg rank"]
    k = len(lb.tasks)
    width = 1 - 2 * MARGIN / PAGE[0]
    fixed = [0.16, 0.09]
    task_w = (width - sum(fixed)) / max(k, 1)
    size = 7.5 if k <= 3 else max(4.5, 7.5 * 3 / k)
    xs = [x0, *[x0 + fixed[0] + j * task_w for j in range(k)], x0 + width - fixed[1]]
    chars = max(int(task_w * PAGE[0] * 72 / (size * 0.62)) - 2, 8)
    head = [textwrap.wrap(h, chars) or [""] for h in cols]
    rows = max(len(h) for h in head)
    for i in range(rows):
        y -= size * 1.3 * line
        for x, h in zip(xs, head):
            if i < len(h):
                fig.text(x, y, h[i], fontsize=size, weight="bold", va="baseline")
    y -= size * 0.6 * line
    fig.add_artist(_rule(fig, x0, x0 + width, y))
    for lab in lb.labels:
        y -= size * 1.5 * line
        fig.text(xs[0], y, lab, fontsize=size, va="baseline")
        for j in range(k):
            cell = lb.cell(lab, j)
            mark = " \u2020" if cell is not None and cell.tied and not cell.best else ""
            fig.text(xs[1 + j], y, format_cell(cell) + mark, fontsize=size, va="baseline",
                     weight="bold" if cell is not None and cell.best else "normal")
        rank = lb.avg_rank[lab]
        fig.text(xs[-1], y, "n/a" if math.isnan(rank) else f"{rank:.2f}", fontsize=size,
                 va="baseline")
    y -= size * 0.8 * line
    fig.add_artist(_rule(fig, x0, x0 + width, y))
    y -= 4 * line
    note = (
        f"Mean final {r.metric} with its 95% bootstrap CI per strategy and task. Bold: best "
        "mean of the task; \u2020: not significantly worse than the best (Holm-corrected "
        f"Mann-Whitney U, alpha {lb.alpha}); avg rank: mean per-task rank of the means "
        f"(1 = best). Sources: {', '.join(c.sources)}."
    )
    for ln in textwrap.wrap(note, 135):
        text(ln, 7.5, color="#57606a")
    across = r.across
    room = y - MARGIN / PAGE[1] - 0.03
    if across is not None and across.nemenyi is not None and room > 0.12:
        from nasbench_suite.analysis.stats import plot_cd

        height = min(room - 0.04, (1.4 + 0.16 * len(across.labels)) / PAGE[1])
        text("Critical-difference diagram across tasks", 10, weight="bold")
        # scikit-posthocs writes the labels beside the axes: leave them room on both sides
        ax = fig.add_axes((0.24, y - 0.035 - height, 0.52, height))
        plot_cd(ax, across)
    elif across is not None and across.nemenyi is not None:
        fig.cd_left_out = True
    fig.text(0.5, MARGIN / 2 / PAGE[1], "1", fontsize=7, ha="center", color="#57606a")
    return fig


def _rule(fig, xa, xb, y):
    from matplotlib.lines import Line2D

    return Line2D([xa, xb], [y, y], transform=fig.transFigure, color="black", linewidth=0.6)


def write_pdf(content: ReportContent, path: str | Path) -> Path:
    """Write the PDF report (leaderboard page, figures, then text pages) atomically."""
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    meta = {
        "Title": content.title,
        "Creator": "nasbench-suite",
        "Producer": "nasbench-suite",
        "CreationDate": None,
    }
    try:
        with plot_style(), PdfPages(tmp, metadata=meta) as pdf:
            first = leaderboard_page(content)
            pdf.savefig(first)
            cd_drawn = content.results is not None and not getattr(first, "cd_left_out", False)
            for spec in figure_order(content, cd_drawn):
                fig = spec.make()
                fig.suptitle(spec.title, fontsize=10, weight="bold")
                fig.supxlabel(
                    "\n".join(textwrap.wrap(spec.caption, 120)), fontsize=7, color="#57606a"
                )
                pdf.savefig(fig)
            for fig in _text_pages(content_lines(content)):
                pdf.savefig(fig)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # never leave a half-written file behind
    return path
