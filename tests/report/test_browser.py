"""The HTML report in a real browser (system Chromium driven by Playwright) and the PDF's size, on a
grid shaped like `make demo`'s (13 strategies x 3 runs, searched on cifar10-valid, reported on
three datasets): first screen, page height, hover, legend toggling, matrix selectors, no console
error, no network request; PDF page count and non-blank pages.

Skips, naming what is missing, only when Chromium / Playwright / pdftoppm are absent
(``.ci/install-report-deps`` installs the system tools; playwright is in the dev extra).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import numpy as np
import pytest

from ..analysis.helpers import write_run

CHROMIUM = next(
    (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
    None,
)
DEMO_LABELS = (
    "bananas", "bohb", "gp_bo", "gp_bo_ws", "grid", "hyperband", "local_search", "proxy_search",
    "random", "rea", "rea_ws", "reinforce", "tpe",
)
REPORTS = {"cifar10": 0.0, "cifar100": -23.0, "ImageNet16-120": -48.0}
MAX_HEIGHT_PX = 12_000
MAX_PDF_PAGES = 12


def _demo_like_runs(root):
    rng = np.random.default_rng(0)
    for i, label in enumerate(DEMO_LABELS):
        for k in range(3):
            t = np.cumsum(rng.uniform(60, 160, 27))
            acc = np.maximum.accumulate(rng.uniform(80, 93.5 - 0.1 * i, t.size))
            f = write_run(root, label, "cifar10-valid", k, list(zip(t.tolist(), acc.tolist())),
                          experiment="quick", reports=tuple(REPORTS))
            noise = {d: rng.normal(0, 1.0) for d in REPORTS}  # per run and dataset
            lines = []
            for line in (f / "trajectory.jsonl").read_text().splitlines():
                row = json.loads(line)
                a = row["incumbent_valid_acc"]
                row["incumbent_test_acc"] = {d: a + off + noise[d] for d, off in REPORTS.items()}
                lines.append(json.dumps(row))
            (f / "trajectory.jsonl").write_text("\n".join(lines) + "\n")
            meta = json.loads((f / "metadata.json").read_text())  # keep the run consistent
            meta["final_incumbent"]["test_acc"] = row["incumbent_test_acc"]
            (f / "metadata.json").write_text(json.dumps(meta))
            spec = json.loads((f / "spec.json").read_text())
            spec.update(time_budget_s=3000.0, eval_budget=40)
            (f / "spec.json").write_text(json.dumps(spec))
    return root


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory, store):
    from nasbench_suite.report.content import build_content
    from nasbench_suite.report.html import write_html

    root = tmp_path_factory.mktemp("demo")
    content = build_content([_demo_like_runs(root / "runs")], store=store)
    return content, write_html(content, root / "quick.html")


@pytest.fixture(scope="module")
def page(demo_report):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (run .ci/install-report-deps)")
    _, html = demo_report
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        pg.events = {"console": [], "requests": []}
        pg.on("console", lambda m: pg.events["console"].append(f"{m.type}: {m.text}"))
        pg.on("pageerror", lambda e: pg.events["console"].append(f"pageerror: {e}"))
        pg.on("request", lambda r: pg.events["requests"].append(r.url))
        pg.goto(html.as_uri())
        # poll through locators: a string predicate (wait_for_function) is eval'd in the page,
        # which the report's Content-Security-Policy (no 'unsafe-eval') may refuse
        deadline = time.monotonic() + 60
        while pg.locator(".plt .main-svg").count() < 4 and time.monotonic() < deadline:
            pg.wait_for_timeout(100)
        yield pg
        browser.close()


def test_first_screen_shows_the_leaderboard_and_the_page_is_short(page, demo_report, tmp_path):
    box = page.locator("#leaderboard table").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box
    rows = page.locator("#leaderboard tbody tr")
    assert rows.count() == len(DEMO_LABELS)
    assert page.locator("#summary").inner_text().startswith("13 strategies on 3 tasks")
    page.screenshot(path=str(tmp_path / "first.png"))  # the first screen, 1280 x 800
    assert (tmp_path / "first.png").stat().st_size > 10_000
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MAX_HEIGHT_PX, f"page is {height} px tall at 1280 px"
    assert page.evaluate("document.getElementById('appendix').open") is False
    # every test is still in the page (collapsed appendix) and in the CSV beside it
    content, html = demo_report
    n = sum(len(lines) for _, lines in content.test_readings)
    assert n == 78 * 3 * 3 and page.locator("#appendix li").count() >= n
    assert (html.parent / "quick.tests.csv").read_text().count("\n") > n


def test_hover_reads_values_and_legend_toggles_strategies(page):
    plot = page.locator("#plt-curves-nb201")
    plot.scroll_into_view_if_needed()
    box = plot.locator(".nsewdrag").first.bounding_box()  # the first panel's plot area
    found = False
    x = box["x"] + box["width"] * 0.8
    for y in np.arange(box["y"] + 2, box["y"] + box["height"] - 2, 3):
        page.mouse.move(x, float(y))
        if page.locator("#plt-curves-nb201 .hoverlayer .hovertext").count():
            found = True
            break
    assert found, "no hover label over the anytime curves"
    text = page.locator("#plt-curves-nb201 .hoverlayer .hovertext").first.text_content()
    assert "t=" in text and "value=" in text
    page.mouse.move(0, 0)
    page.locator("#plt-curves-nb201 .legend .traces .legendtoggle").first.click()
    page.wait_for_timeout(1000)  # plotly waits out its double-click delay before toggling
    hidden = page.evaluate(
        """() => { const gd = document.getElementById('plt-curves-nb201');
        const g = gd.data[0].legendgroup;
        return [g, gd.data.filter(t => t.legendgroup === g).map(t => t.visible),
                gd.data.filter(t => t.legendgroup !== g && t.visible === 'legendonly').length]; }"""
    )
    assert hidden[0] == "bananas" and hidden[1] and set(hidden[1]) == {"legendonly"}
    assert len(hidden[1]) == 2 * 2 * 3  # line + band, 2 rows, 3 tasks: hidden everywhere
    assert hidden[2] == 0


def test_matrix_selectors_switch_task_and_checkpoint(page):
    def state():
        return page.evaluate(
            "() => { const gd = document.getElementById('plt-matrix-1');"
            " return [gd.dataset.shown, JSON.stringify([gd.data[0].z, gd.data[0].text])]; }"
        )

    first = state()
    assert first[0] == "cifar10 (searched on cifar10-valid)|final"
    assert "null" in first[1]  # the diagonal
    page.select_option("#plt-matrix-1-cp", index=1)
    page.wait_for_timeout(200)
    second = state()
    page.select_option("#plt-matrix-1-task", index=2)
    page.wait_for_timeout(200)
    third = state()
    assert second[0] == "cifar10 (searched on cifar10-valid)|t=300 s"
    assert third[0] == "ImageNet16-120 (searched on cifar10-valid)|t=300 s"
    assert len({first[1], second[1], third[1]}) == 3
    assert page.locator("#plt-matrix-1-cp option").count() == 3


def test_no_console_errors_and_no_network(page, demo_report):
    _, html = demo_report
    assert page.events["console"] == []
    assert page.events["requests"] == [html.as_uri()]


@pytest.mark.slow
def test_pdf_is_short_and_every_page_renders(demo_report, tmp_path):
    from PIL import Image

    from nasbench_suite.report.pdf import write_pdf

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed (run .ci/install-report-deps)")
    content, _ = demo_report
    pdf = write_pdf(content, tmp_path / "quick.pdf")
    subprocess.run([pdftoppm, "-r", "20", "-gray", "-png", str(pdf), str(tmp_path / "p")],
                   check=True, timeout=300, capture_output=True)
    pages = sorted(tmp_path.glob("p*.png"))
    assert 5 <= len(pages) <= MAX_PDF_PAGES
    for p in pages:
        pixels = np.asarray(Image.open(p), dtype=float)
        assert pixels.std() > 2.0 and pixels.min() < 128, f"{p.name} looks blank"
