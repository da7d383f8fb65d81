"""The HTML report in headless Chromium and the PDF report rasterised by pdftoppm.

These tests need system tools (``.ci/install-report-deps`` installs them) and skip, naming the
missing binary, only when it is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest

CHROMIUM = next(
    (
        shutil.which(b)
        for b in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(b)
    ),
    None,
)
PDFTOPPM = shutil.which("pdftoppm")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (run .ci/install-report-deps)"
)
needs_pdftoppm = pytest.mark.skipif(
    PDFTOPPM is None,
    reason="pdftoppm (poppler-utils) is not installed (run .ci/install-report-deps)",
)

PROBE_HEAD = """<script>
window.__errs = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.__errs.push(String(e.message || (t && (t.src || t.href)) || 'error'));
}, true);
(function () { var f = console.error; console.error = function () {
  window.__errs.push(Array.prototype.join.call(arguments, ' '));
  f.apply(console, arguments); }; })();
</script>"""
PROBE_BODY = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                .map(function (i) { return i.alt; });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({n: imgs.length, bad: bad, errors: window.__errs,
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth});
  document.body.appendChild(out);
});
</script>"""


def _probe_copy(html: str) -> str:
    """The report with a probe script; its CSP also allows inline scripts (still no network)."""
    html = html.replace(
        "style-src 'unsafe-inline'\"", "style-src 'unsafe-inline'; script-src 'unsafe-inline'\"", 1
    )
    assert "script-src 'unsafe-inline'" in html
    html = html.replace("</title>", "</title>\n" + PROBE_HEAD, 1)
    return html.replace("</body>", PROBE_BODY + "\n</body>", 1)


@needs_chromium
def test_html_renders_in_headless_chromium(main_report, tmp_path):
    html_path, _ = main_report
    page = tmp_path / "probe.html"
    page.write_text(_probe_copy(html_path.read_text()))
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=390,844",
        "--virtual-time-budget=15000",
        "--dump-dom",
        page.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.DOTALL)
    assert match, f"chromium printed no probe result (rc={proc.returncode}): {proc.stderr[-2000:]}"
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["n"] == html_path.read_text().count("<img ") > 0
    assert result["bad"] == [], f"images that did not load: {result['bad']}"
    assert result["errors"] == [], f"page errors: {result['errors']}"
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE(" in ln or "Refused to" in ln]
    assert console == [], f"console messages: {console}"
    # phone width: the page itself does not scroll sideways (wide tables scroll in their box)
    assert result["scroll"] <= result["inner"], result


@needs_pdftoppm
def test_pdf_pages_rasterise_non_blank(main_report, main_content, tmp_path):
    from PIL import Image

    _, pdf_path = main_report
    subprocess.run(
        [PDFTOPPM, "-r", "30", "-gray", "-png", str(pdf_path), str(tmp_path / "page")],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2 + len(main_content.figures)
    for p in pages:
        pixels = np.asarray(Image.open(p), dtype=float)
        assert pixels.std() > 2.0 and pixels.min() < 128, f"{p.name} looks blank"


def test_pdf_is_deterministic(pair_content, tmp_path):
    from nasbench_suite.report.pdf import write_pdf

    c = pair_content
    a = write_pdf(c, tmp_path / "a.pdf").read_bytes()
    b = write_pdf(c, tmp_path / "b.pdf").read_bytes()
    assert a.startswith(b"%PDF") and a == b
