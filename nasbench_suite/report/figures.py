"""Static (matplotlib) small-multiple figures of a report: the PDF draws these, the HTML shows
their interactive twins (:mod:`nasbench_suite.report.interactive`) where it has them.

Every figure uses one style per strategy (:mod:`nasbench_suite.report.palette`), a shared legend,
log time axes with plain tick labels (``300``, ``1k``, ``10k``; no minor labels), and regret on a
log axis (values below the floor drawn at the floor).
"""

from __future__ import annotations

import math

import numpy as np

REGRET_FLOOR = 0.01


def time_formatter(x, _pos=None) -> str:
    """Compact tick label for seconds: 300, 1k, 2.5k, 10k, 1.2M."""
    if x <= 0 or not math.isfinite(x):
        return ""
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if x >= div:
            v = x / div
            return f"{v:.0f}{suffix}" if v >= 10 or v == int(v) else f"{v:.1f}{suffix}"
    return f"{x:.0f}" if x >= 1 else f"{x:.2g}"


def log_axis(axis) -> None:
    """Log scale with readable major labels and unlabeled minor ticks on a matplotlib axis."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0), numticks=8))
    axis.set_major_formatter(FuncFormatter(time_formatter))
    axis.set_minor_formatter(NullFormatter())


def new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _shared_legend(fig, styles, labels, ncol: int = 7) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=styles[lab].color, linestyle=styles[lab].linestyle,
               marker=styles[lab].marker, markersize=4, label=lab)
        for lab in labels
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(ncol, len(labels)),
               fontsize=7, frameon=False)


def curves_grid(panels, styles, labels, optima) -> object:
    """2 rows (incumbent metric, log regret) x one column per task.

    Args:
        panels: ``[(task name, [Curve of test_acc], [Curve of regret] or None), ...]``.
        optima: task name -> optimum (or None).
    """
    n = max(len(panels), 1)
    fig = new_figure(min(3.4 * n, 11.5), 6.4)
    axes = np.atleast_2d(fig.subplots(2, n, squeeze=False))
    for j, (name, acc, regret) in enumerate(panels):
        _draw_curves(axes[0, j], acc, styles)
        axes[0, j].set_title(name, fontsize=9)
        if regret is None:
            axes[1, j].axis("off")
            axes[1, j].text(0.5, 0.5, "regret needs the store", ha="center", fontsize=8)
        else:
            _draw_curves(axes[1, j], regret, styles, floor=REGRET_FLOOR)
            axes[1, j].set_yscale("log")
            axes[1, j].set_title(f"regret (optimum {optima[name]:.2f})", fontsize=8)
        for i in range(2):
            axes[i, j].set_xscale("log")
            log_axis(axes[i, j].xaxis)
            axes[i, j].grid(True, which="major", alpha=0.3)
            axes[i, j].tick_params(labelsize=7)
    axes[0, 0].set_ylabel("incumbent metric, mean + 95% CI", fontsize=8)
    axes[1, 0].set_ylabel("regret (log)", fontsize=8)
    for j in range(n):
        axes[1, j].set_xlabel("simulated time (s)", fontsize=8)
    _shared_legend(fig, styles, labels)
    return fig


def _draw_curves(ax, curves, styles, floor: float | None = None) -> None:
    for c in curves:
        st = styles[c.label]
        center, low, high = c.center, c.low, c.high
        if floor is not None:
            center, low, high = (np.maximum(v, floor) for v in (center, low, high))
        ax.step(c.time_s, center, where="post", color=st.color, linestyle=st.linestyle, lw=1.2)
        ok = ~np.isnan(c.low)
        if ok.any():
            ax.fill_between(c.time_s, low, high, where=ok, step="post", color=st.color,
                            alpha=0.12, linewidth=0)


def matrix_panels(comps, labels, title_prefix: str = "") -> object:
    """One combined pairwise matrix per checkpoint: colour = A12(row, column), text = Holm p.

    ``*`` marks a significant pair (Holm-adjusted p < alpha).
    """
    n = max(len(comps), 1)
    k = len(labels)
    fig = new_figure(min(3.9 * n, 11.5), 4.0 + 0.06 * k)
    axes = np.atleast_1d(fig.subplots(1, n, squeeze=False)[0])
    im = None
    for ax, comp in zip(axes, comps):
        a12, p = matrices(comp, labels)
        im = ax.imshow(a12, cmap="RdBu_r", vmin=0.0, vmax=1.0)
        size = 6 if k <= 8 else (4.5 if k <= 14 else 3.5)
        for i in range(k):
            for j in range(k):
                if i != j and p[i, j] == p[i, j]:
                    star = "*" if p[i, j] < 0.05 else ""
                    txt = "<.001" if p[i, j] < 0.001 else f"{p[i, j]:.2f}"
                    ax.text(j, i, txt + star, ha="center", va="center", fontsize=size,
                            color="white" if abs(a12[i, j] - 0.5) > 0.3 else "black")
        ax.set_xticks(range(k), labels, rotation=90, fontsize=6)
        ax.set_yticks(range(k), labels, fontsize=6)
        ax.set_title(f"{title_prefix}{comp.checkpoint}", fontsize=8)
    for ax in axes[len(comps):]:
        ax.axis("off")
    if im is not None:
        fig.colorbar(im, ax=list(axes), shrink=0.7, label="A12 (row beats column)")
    return fig


def matrices(comp, labels) -> tuple[np.ndarray, np.ndarray]:
    """(A12 of row vs column, Holm-adjusted p) as (k, k) arrays in ``labels`` order (NaN: none)."""
    idx = {lab: i for i, lab in enumerate(labels)}
    k = len(labels)
    a12 = np.full((k, k), np.nan)
    p = np.full((k, k), np.nan)
    for pr in comp.pairs:
        if pr.a not in idx or pr.b not in idx:
            continue
        i, j = idx[pr.a], idx[pr.b]
        a12[i, j], a12[j, i] = pr.a12, 1 - pr.a12 if pr.a12 == pr.a12 else np.nan
        p[i, j] = p[j, i] = pr.p_holm
    return a12, p


def finals_grid(panels, styles, labels, metric: str) -> object:
    """Row 1: final values per run (box + points) per task; row 2: mean rank over time (heatmap).

    Args:
        panels: ``[(task name, [FinalSummary], RankCurves), ...]``.
    """
    n = max(len(panels), 1)
    k = len(labels)
    fig = new_figure(min(3.6 * n, 11.5), 3.4 + 0.18 * k)
    axes = fig.subplots(2, n, squeeze=False, height_ratios=(1.0, 0.6 + 0.03 * k))
    rng = np.random.default_rng(0)
    for j, (name, finals, rc) in enumerate(panels):
        ax = axes[0, j]
        data = {f.label: np.asarray(f.values, dtype=float) for f in finals}
        pos = [i for i, lab in enumerate(labels) if data.get(lab, np.array([])).size]
        if pos:
            ax.boxplot([data[labels[i]] for i in pos], positions=pos, widths=0.55,
                       showfliers=False, medianprops={"color": "black"})
        for i, lab in enumerate(labels):
            d = data.get(lab)
            if d is not None and d.size:
                ax.scatter(i + rng.uniform(-0.15, 0.15, d.size), d, s=6, color=styles[lab].color,
                           marker=styles[lab].marker, zorder=3)
        ax.set_xticks(range(k), labels, rotation=90, fontsize=6)
        ax.tick_params(labelsize=7)
        ax.set_title(name, fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        _rank_heatmap(axes[1, j], rc, labels)
    axes[0, 0].set_ylabel(f"final {metric}", fontsize=8)
    return fig


def _rank_heatmap(ax, rc, labels) -> None:
    idx = {lab: i for i, lab in enumerate(rc.labels)}
    k = len(labels)
    img = np.full((k, rc.time_s.size), np.nan)
    for i, lab in enumerate(labels):
        if lab in idx:
            img[i] = rc.mean_rank[idx[lab]]
    t = rc.time_s
    if t.size < 2:
        ax.axis("off")
        return
    ax.pcolormesh(np.append(t, t[-1] * 1.01), np.arange(k + 1) - 0.5, img, cmap="viridis_r",
                  vmin=1, vmax=max(k, 2), shading="flat")
    ax.set_xscale("log")
    log_axis(ax.xaxis)
    ax.set_yticks(range(k), labels, fontsize=5)
    ax.invert_yaxis()
    ax.tick_params(labelsize=6)
    ax.set_title(f"mean rank over time ({rc.rounds} paired runs; yellow = best)", fontsize=7)


def profiles_figure(prof, styles) -> object:
    """Left: Dolan-Moré performance profiles; right: ECDF of every run's final regret."""
    from nasbench_suite.analysis.profiles import ecdf

    fig = new_figure(10.5, 3.8)
    a1, a2 = fig.subplots(1, 2)
    for j, lab in enumerate(prof.labels):
        st = styles[lab]
        a1.step(prof.tau, prof.rho[j], where="post", color=st.color, linestyle=st.linestyle,
                lw=1.2)
        x, y = ecdf(np.maximum(prof.runs[lab], prof.floor))
        if x.size:
            a2.step(x, y, where="post", color=st.color, linestyle=st.linestyle, lw=1.2)
    a1.set_xscale("log")
    a1.set_xlabel("tau: regret ratio to the best strategy of the task", fontsize=8)
    a1.set_ylabel(f"fraction of the {len(prof.tasks)} tasks", fontsize=8)
    a1.set_title("performance profile (Dolan & Moré 2002)", fontsize=9)
    a2.set_xscale("log")
    a2.set_xlabel(f"final regret (floored at {prof.floor})", fontsize=8)
    a2.set_ylabel("fraction of runs (all tasks)", fontsize=8)
    a2.set_title("ECDF of final regret", fontsize=9)
    for ax in (a1, a2):
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=7)
        ax.set_ylim(0, 1.02)
    _shared_legend(fig, styles, prof.labels)
    return fig
