"""PDF report with the same content as the HTML one, written with matplotlib's ``PdfPages``.

Why matplotlib rather than printing the HTML with a browser: it needs no system dependency (no
Chromium, no Cairo/Pango for WeasyPrint), so a PDF can be made wherever the suite installs, and
the figures stay vectors. Text pages are laid out here (A4 portrait, wrapped paragraphs,
monospaced tables); each figure gets its own page (titled, captioned). Output is deterministic:
fixed seeds, no creation date in the PDF metadata.
"""

from __future__ import annotations

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

    add("title", c.title)
    add("muted", "Sources: " + ", ".join(c.sources))
    for w in c.warnings:
        add("warn", "! " + w, "  ")
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
    add("h3", "Across tasks")
    for r in c.across_readings or ("No across-task test (see caveats).",):
        add("li", "- " + r, "  ")
    for task, lines in c.test_readings:
        add("h3", f"Within task: {task}")
        for r in lines or ("No pairwise tests.",):
            add("li", "- " + r, "  ")
    for t in c.test_tables:
        _table(out, t)
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
        fig.text(0.5, MARGIN / 2 / PAGE[1], f"{n}", fontsize=7, ha="center", color="#57606a")
        figs.append(fig)
    return figs


def write_pdf(content: ReportContent, path: "str | Path") -> Path:
    """Write the PDF report (text pages, then one page per figure) atomically; returns the path."""
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
            for fig in _text_pages(content_lines(content)):
                pdf.savefig(fig)
            for spec in content.figures:
                fig = spec.make()
                fig.suptitle(spec.title, fontsize=10, weight="bold")
                fig.supxlabel(
                    "\n".join(textwrap.wrap(spec.caption, 120)), fontsize=7, color="#57606a"
                )
                pdf.savefig(fig)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # never leave a half-written file behind
    return path
