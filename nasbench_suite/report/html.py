"""Self-contained HTML report: one file, no network assets, readable offline and on a phone.

Results come first: title, generated summary, leaderboard, critical-difference diagram; then per
benchmark the pairwise matrices (task and checkpoint chosen with selectors), anytime curves and
final distributions as interactive plotly figures (the plotly.js bundle is embedded once, see
:mod:`nasbench_suite.report.interactive`), then methods and details; the full list of tests sits
in a collapsed appendix. Static figures (CD diagram, Pareto fronts, architecture weights) are
base64 PNGs. Output is deterministic for the same inputs: fixed seeds, fixed element ids, no
timestamps.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

from nasbench_suite.analysis.leaderboard import format_cell
from nasbench_suite.report.content import ReportContent

TEMPLATE = "report.html.j2"


def figure_png(fig, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib Figure, without metadata (deterministic)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _dom_id(key: str) -> str:
    return "plt-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)


def _figure(spec, interactive: bool) -> dict:
    from nasbench_suite.report.interactive import to_json

    if interactive and spec.interactive is not None:
        return {"spec": spec, "id": _dom_id(spec.key), "kind": "plotly",
                "json": to_json(spec.interactive())}
    png = base64.b64encode(figure_png(spec.make())).decode("ascii")
    return {"spec": spec, "id": _dom_id(spec.key), "kind": "png", "png": png}


def _lb_cells(lb) -> dict:
    out = {}
    for lab in lb.labels:
        for j in range(len(lb.tasks)):
            c = lb.cell(lab, j)
            title = ""
            if c is not None and not c.best and c.p_vs_best == c.p_vs_best:
                title = f"n={c.n}; Holm p vs best = {c.p_vs_best:.3g}"
            elif c is not None:
                title = f"n={c.n}"
            out[(lab, j)] = {
                "text": format_cell(c), "best": bool(c and c.best),
                "tied": bool(c and c.tied and not c.best), "title": title,
            }
    return out


def render_html(content: ReportContent, tests_file: str | None = None,
                interactive: bool = True) -> str:
    """The report as one HTML string (``tests_file``: name of the tests CSV beside it)."""
    import jinja2

    from nasbench_suite import __version__
    from nasbench_suite.report import interactive as I

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nasbench_suite.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    r = content.results
    multi = r is not None and len(r.sections) > 1
    with _plot_style():
        top = [_figure(s, interactive) for s in content.figures if s.key == "cd"]
        other = [
            _figure(s, interactive) for s in content.figures if s.key != "cd" and not s.pdf_only
        ]
        sections = []
        for k, sec in enumerate(r.sections if r else ()):
            mats = None
            if sec.matrices is not None and interactive:
                mats = {
                    "id": f"plt-matrix-{k + 1}",
                    "json": I.to_json(I.matrix_payload(sec.matrices)),
                    "tasks": sec.matrices.tasks,
                    "checkpoints": sec.matrices.checkpoints,
                }
            sections.append({
                "title": (f"Benchmark {sec.benchmark}" if multi else "Results per task"),
                "leaderboard": None,
                "matrix": mats,
                "figures": [
                    _figure(s, interactive) for s in sec.figures
                    if interactive is False or not s.pdf_only
                ],
            })
        cross = [_figure(s, interactive) for s in (r.figures if r else ())]
    uses_plotly = interactive and any(
        f["kind"] == "plotly" for f in (*top, *other, *cross, *(x for s in sections
                                                                  for x in s["figures"]))
    ) or any(s["matrix"] for s in sections)
    return env.get_template(TEMPLATE).render(
        c=content,
        r=r,
        lb_cells=_lb_cells(r.leaderboard) if r else {},
        top_figures=top,
        other_figures=other,
        sections=sections,
        cross_figures=cross,
        tests_file=tests_file,
        n_readings=sum(len(lines) for _, lines in content.test_readings),
        plotlyjs=I.plotly_loader() if uses_plotly else "",
        matrixjs=I.matrix_js() if uses_plotly else "",
        config=I.to_json(I.CONFIG),
        version=__version__,
    )


def write_html(content: ReportContent, path: str | Path, tests_file: bool = True) -> Path:
    """Write the HTML report atomically (and ``<name>.tests.csv`` beside it); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_name = None
    if tests_file and content.results is not None:
        from nasbench_suite.report.sections import write_tests_csv

        csv_path = path.with_name(path.stem + ".tests.csv")
        write_tests_csv(content.results.tests, csv_path)
        csv_name = csv_path.name
    text = render_html(content, csv_name)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


class _plot_style:
    """Deterministic matplotlib settings for the duration of a report."""

    def __enter__(self):
        import matplotlib

        self._ctx = matplotlib.rc_context(
            # text.parse_math off: a title, label or kwarg with "$...$" is printed as written
            # rather than parsed as mathtext (which fails on user text and breaks the PDF)
            {"svg.hashsalt": "nasbench-suite", "font.size": 9, "axes.titlesize": 10,
             "text.parse_math": False}
        )
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


plot_style = _plot_style
