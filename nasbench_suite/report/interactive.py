"""Interactive figures of the HTML report, as plotly.js figure dicts (``{"data", "layout"}``).

Why plotly: it is what Optuna's own visualisations use (the convention of the ecosystem), its
figures give hover read-outs, legend toggling (grouped per strategy across every panel) and zoom
without any code here, and the Python package ships the complete plotly.js bundle, which the
report embeds once so the file opens offline. The dicts are written by hand (no plotly Python
figure objects): they are plain JSON, rounded to 4 significant digits, with fixed element ids, so
the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import math

import numpy as np

from nasbench_suite.report.figures import time_formatter

CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
FONT = {"family": "system-ui, sans-serif", "size": 11}
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]


LOADER_JS = """
window.nbsPlotly = (function () {
  var bin = atob("%DATA%"), bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text().then(function (js) {
    var el = document.createElement("script");
    el.textContent = js;
    document.head.appendChild(el);
  });
})();
function nbsReady(f) { window.nbsPlotly.then(f); }
"""


def plotly_loader() -> str:
    """A script defining ``nbsReady(f)``: plotly.js, gzipped and base64-encoded inline (about
    1.9 MB instead of 4.8 MB), is unpacked in the browser (``DecompressionStream``: Chromium 80,
    Firefox 113, Safari 16.4 and later) and ``f`` runs once it is loaded. Deterministic: gzip
    without a timestamp."""
    import base64
    import gzip

    from plotly.offline import get_plotlyjs

    data = gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0)
    return LOADER_JS.replace("%DATA%", base64.b64encode(data).decode("ascii"))


def to_json(obj) -> str:
    """Compact JSON safe inside a ``<script>`` element (NaN -> null, ``</`` escaped)."""
    return json.dumps(_clean(obj), separators=(",", ":"), sort_keys=True).replace("</", "<\\/")


def _clean(obj):
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_clean(v) for v in obj.tolist()]
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return None if not math.isfinite(x) else float(f"{x:.4g}")
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _log_ticks(lo: float, hi: float) -> dict:
    vals = [
        m * 10.0**e
        for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
        for m in (1, 3)
        if lo / 1.5 <= m * 10.0**e <= hi * 1.5
    ]
    return {"tickvals": vals, "ticktext": [time_formatter(v) for v in vals]}


def _grid(n_cols: int, n_rows: int, row_heights=None, gap: float = 0.05):
    """Axis layout entries of an n_rows x n_cols grid; returns (layout dict, axis id fn)."""
    layout = {}
    heights = row_heights or [1.0 / n_rows] * n_rows
    width = (1.0 - gap * (n_cols - 1)) / n_cols
    top = 1.0
    for r in range(n_rows):
        h = heights[r]
        y0, y1 = max(top - h + 0.06, 0.0), top
        top -= h
        for c in range(n_cols):
            k = r * n_cols + c + 1
            x0 = c * (width + gap)
            layout["xaxis" + ("" if k == 1 else str(k))] = {
                "domain": [x0, x0 + width], "anchor": "y" + ("" if k == 1 else str(k)),
            }
            layout["yaxis" + ("" if k == 1 else str(k))] = {
                "domain": [y0, y1], "anchor": "x" + ("" if k == 1 else str(k)),
            }
    return layout, lambda r, c: "" if r * n_cols + c == 0 else str(r * n_cols + c + 1)


def _base_layout(height: int, title_annotations) -> dict:
    return {
        "height": height,
        "margin": {"l": 60, "r": 10, "t": 30, "b": 40},
        "font": FONT,
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.12, "x": 0, "font": {"size": 10}},
        "annotations": title_annotations,
        "plot_bgcolor": "white",
    }


def _title(text: str, ax: str) -> dict:
    return {
        "text": text, "xref": f"x{ax} domain", "yref": f"y{ax} domain", "x": 0.5, "y": 1.0,
        "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 11},
    }


def _line(c, st, ax: str, show: bool, floor: float | None, fmt: str) -> list[dict]:
    center, low, high = c.center, c.low, c.high
    if floor is not None:
        center, low, high = (np.maximum(v, floor) for v in (center, low, high))
    t = np.asarray(c.time_s)
    ok = ~np.isnan(low)
    traces = []
    if ok.any():
        traces.append({
            "type": "scatter", "x": np.concatenate([t[ok], t[ok][::-1]]),
            "y": np.concatenate([high[ok], low[ok][::-1]]), "fill": "toself",
            "fillcolor": st.color + "22", "line": {"width": 0, "shape": "hv"},
            "hoverinfo": "skip", "legendgroup": c.label, "showlegend": False,
            "xaxis": "x" + ax, "yaxis": "y" + ax, "name": c.label,
        })
    traces.append({
        "type": "scatter", "mode": "lines", "x": t, "y": center, "name": c.label,
        "legendgroup": c.label, "showlegend": show, "xaxis": "x" + ax, "yaxis": "y" + ax,
        "line": {"color": st.color, "dash": st.dash, "width": 1.6, "shape": "hv"},
        "hovertemplate": f"{c.label}<br>t=%{{x:,.0f}} s<br>{fmt}=%{{y:.3f}}<extra></extra>",
    })
    return traces


def curves_plot(panels, styles, floor: float) -> dict:
    """Accuracy (top) and log regret (bottom) per task, one legend group per strategy."""
    n = max(len(panels), 1)
    layout, ax = _grid(n, 2, [0.52, 0.48])
    data, titles = [], []
    shown = set()
    for j, (name, acc, regret) in enumerate(panels):
        ts = np.concatenate([c.time_s for c in acc]) if acc else np.array([1.0])
        ticks = _log_ticks(float(np.nanmin(ts)), float(np.nanmax(ts)))
        for r, curves in ((0, acc), (1, regret or [])):
            a = ax(r, j)
            for c in curves:
                data.extend(_line(c, styles[c.label], a, c.label not in shown, 
                                  floor if r else None, "regret" if r else "value"))
                shown.add(c.label)
            layout["xaxis" + a].update(type="log", gridcolor="#eee", **ticks)
            layout["yaxis" + a].update(gridcolor="#eee", zeroline=False)
            if r:
                layout["yaxis" + a].update(type="log", dtick=1)
                layout["xaxis" + a]["title"] = {"text": "simulated time (s)", "font": {"size": 10}}
        titles.append(_title(name, ax(0, j)))
        if regret:
            titles.append(_title("regret (log)", ax(1, j)))
    layout["yaxis"]["title"] = {"text": "incumbent test metric", "font": {"size": 10}}
    layout.update(_base_layout(640, titles))
    layout["legend"]["y"] = -0.16
    return {"data": data, "layout": layout}


def finals_plot(panels, styles, metric: str) -> dict:
    """Final value of every run per strategy (box + points), one panel per task."""
    n = max(len(panels), 1)
    k = max((len(rc.labels) for _, _, rc in panels), default=1)
    layout, ax = _grid(n, 2, [0.55, 0.45])
    data, titles = [], []
    shown = set()
    for j, (name, finals, rc) in enumerate(panels):
        if rc.time_s.size >= 2:
            a = ax(1, j)
            data.append({
                "type": "heatmap", "z": rc.mean_rank, "x": rc.time_s, "y": list(rc.labels),
                "coloraxis": "coloraxis", "xaxis": "x" + a, "yaxis": "y" + a,
                "hovertemplate": "%{y}<br>t=%{x:,.0f} s<br>mean rank %{z:.2f}<extra></extra>",
            })
            ticks = _log_ticks(float(rc.time_s[0]), float(rc.time_s[-1]))
            layout["xaxis" + a].update(type="log", **ticks)
            layout["yaxis" + a].update(autorange="reversed", showticklabels=j == 0,
                                       tickfont={"size": 8})
            titles.append(_title(f"mean rank over time ({rc.rounds} paired runs)", a))
        a = ax(0, j)
        for f in finals:
            st = styles[f.label]
            data.append({
                "type": "box", "y": list(f.values), "x": [f.label] * len(f.values),
                "name": f.label, "legendgroup": f.label, "showlegend": f.label not in shown,
                "boxpoints": "all", "jitter": 0.4, "pointpos": 0,
                "marker": {"color": st.color, "symbol": st.symbol, "size": 5},
                "line": {"color": st.color, "width": 1}, "xaxis": "x" + a, "yaxis": "y" + a,
                "hovertemplate": f"{f.label}<br>%{{y:.2f}}<extra></extra>",
            })
            shown.add(f.label)
        layout["xaxis" + a].update(showticklabels=False)
        layout["yaxis" + a].update(gridcolor="#eee")
        titles.append(_title(name, a))
    layout["yaxis"]["title"] = {"text": f"final {metric}", "font": {"size": 10}}
    layout.update(_base_layout(560 + 14 * k, titles))
    layout["coloraxis"] = {"colorscale": "Viridis", "reversescale": True, "cmin": 1, "cmax": k,
                           "colorbar": {"title": {"text": "rank"}, "len": 0.4, "y": 0.2,
                                        "thickness": 10}}
    layout["legend"]["y"] = -0.08
    return {"data": data, "layout": layout}


def profiles_plot(prof, styles) -> dict:
    """Performance profiles (left) and ECDF of final regret (right)."""
    from nasbench_suite.analysis.profiles import ecdf

    layout, _ = _grid(2, 1, gap=0.08)
    data = []
    for j, lab in enumerate(prof.labels):
        st = styles[lab]
        line = {"color": st.color, "dash": st.dash, "width": 1.6, "shape": "hv"}
        data.append({
            "type": "scatter", "mode": "lines", "x": prof.tau, "y": prof.rho[j], "name": lab,
            "legendgroup": lab, "line": line,
            "hovertemplate": f"{lab}<br>tau=%{{x:.2f}}<br>tasks=%{{y:.2f}}<extra></extra>",
        })
        x, y = ecdf(np.maximum(prof.runs[lab], prof.floor))
        data.append({
            "type": "scatter", "mode": "lines", "x": x, "y": y, "name": lab, "legendgroup": lab,
            "showlegend": False, "line": line, "xaxis": "x2", "yaxis": "y2",
            "hovertemplate": f"{lab}<br>regret=%{{x:.3f}}<br>runs=%{{y:.2f}}<extra></extra>",
        })
    for a, xt, yt in (
        ("", "tau (regret ratio to the task's best)", f"fraction of {len(prof.tasks)} tasks"),
        ("2", "final regret (log)", "fraction of runs"),
    ):
        layout["xaxis" + a].update(type="log", gridcolor="#eee", title={"text": xt})
        layout["yaxis" + a].update(range=[0, 1.03], gridcolor="#eee", title={"text": yt})
    layout.update(_base_layout(420, [
        _title("performance profile (Dolan & Moré 2002)", ""), _title("ECDF of final regret", "2")
    ]))
    layout["legend"]["y"] = -0.22
    return {"data": data, "layout": layout}


def matrix_payload(mats) -> dict:
    """``"task|checkpoint" -> {labels, z (A12), text (Holm p), sig}`` for the matrix selector."""
    out = {}
    for key, (labels, a12) in mats.a12.items():
        _, p = mats.p[key]
        text = [
            ["" if math.isnan(v) else ("<.001" if v < 0.001 else f"{v:.3f}") + ("*" if v < 0.05 else "")
             for v in row]
            for row in p
        ]
        out[f"{key[0]}|{key[1]}"] = {"labels": list(labels), "z": a12, "text": text}
    return out


MATRIX_JS = """
function nbsMatrix(id) {
  var all = JSON.parse(document.getElementById(id + '-data').textContent);
  var task = document.getElementById(id + '-task'), cp = document.getElementById(id + '-cp');
  function draw() {
    var d = all[task.value + '|' + cp.value];
    if (!d) { return; }
    document.getElementById(id).dataset.shown = task.value + '|' + cp.value;
    var n = d.labels.length;
    Plotly.react(id, [{type: 'heatmap', z: d.z, x: d.labels, y: d.labels, text: d.text,
      texttemplate: '%{text}', textfont: {size: n > 14 ? 7 : 9}, zmin: 0, zmax: 1,
      colorscale: %COLORSCALE%, xgap: 1, ygap: 1,
      colorbar: {title: {text: 'A12 (row beats column)', side: 'right'}, thickness: 12},
      hovertemplate: '%{y} vs %{x}<br>A12=%{z:.2f}<br>p (Holm)=%{text}<extra></extra>'}],
      {height: 260 + 26 * n, margin: {l: 110, r: 10, t: 10, b: 110}, font: %FONT%,
       yaxis: {autorange: 'reversed'}, xaxis: {tickangle: -45}}, %CONFIG%);
  }
  task.addEventListener('change', draw);
  cp.addEventListener('change', draw);
  draw();
}
"""


def matrix_js() -> str:
    return (
        MATRIX_JS.replace("%COLORSCALE%", json.dumps(DIVERGING))
        .replace("%FONT%", json.dumps(FONT))
        .replace("%CONFIG%", json.dumps(CONFIG))
    )
