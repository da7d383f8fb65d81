"""Self-contained HTML report: plots embedded as base64 PNG, inline CSS, no network assets.

The page is readable on a phone (viewport meta, max-width body, tables scroll horizontally,
images scale). Output is deterministic for the same inputs: figures are drawn with fixed seeds
and saved without timestamps or software metadata.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

from nasbench_suite.report.content import ReportContent

TEMPLATE = "report.html.j2"


def figure_png(fig, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib Figure, without metadata (deterministic)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def render_html(content: ReportContent) -> str:
    """The report as one HTML string."""
    import jinja2

    from nasbench_suite import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nasbench_suite.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    images = []
    with _plot_style():
        for spec in content.figures:
            fig = spec.make()
            images.append(base64.b64encode(figure_png(fig)).decode("ascii"))
    figures = list(zip(content.figures, images))
    return env.get_template(TEMPLATE).render(c=content, figures=figures, version=__version__)


def write_html(content: ReportContent, path: "str | Path") -> Path:
    """Write the HTML report atomically (temp file, then rename); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(content)
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
