"""One colour / line style / marker per strategy, the same in every figure of a report.

Colours are seaborn's ``colorblind`` palette (10 colours designed to stay distinguishable with the
common colour-vision deficiencies); past ten strategies the colours repeat with another line style
and marker, so up to 40 strategies stay distinguishable (20 with solid/dashed alone) without
relying on hue only.
"""

from __future__ import annotations

from dataclasses import dataclass

# (matplotlib linestyle, plotly dash, matplotlib marker, plotly marker symbol)
_STYLES = (
    ("-", "solid", "o", "circle"),
    ("--", "dash", "s", "square"),
    (":", "dot", "^", "triangle-up"),
    ("-.", "dashdot", "D", "diamond"),
)


@dataclass(frozen=True)
class Style:
    """How one strategy is drawn."""

    color: str  # "#rrggbb"
    linestyle: str  # matplotlib
    dash: str  # plotly
    marker: str  # matplotlib
    symbol: str  # plotly


def colors(n: int = 10) -> list[str]:
    """The first ``n`` hex colours (seaborn ``colorblind``, cycled)."""
    import seaborn as sns

    base = sns.color_palette("colorblind", 10).as_hex()
    return [base[i % len(base)] for i in range(n)]


def styles(labels) -> dict[str, Style]:
    """Label -> Style, assigned in the given order (pass every label of the report, sorted)."""
    labels = list(labels)
    cols = colors(10)
    out = {}
    for i, lab in enumerate(labels):
        ls, dash, marker, symbol = _STYLES[(i // len(cols)) % len(_STYLES)]
        out[lab] = Style(cols[i % len(cols)], ls, dash, marker, symbol)
    return out
