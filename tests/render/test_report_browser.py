"""The report in a real browser: headless Chromium opens report.html from disk (file://).

Checks that the headline figures are in the DOM with the simulation's values, that every diagram and chart
is drawn with a non-zero size, that nothing was requested from anywhere but the file itself, and saves a
screenshot (the folder is printed; set BPR_SCREENSHOT_DIR to keep the screenshots elsewhere).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest

from bpr.changes import changes_in, load_process
from bpr.render.files import write_atomic
from bpr.render.report import build_report
from bpr.simulate import SimConfig
from bpr.study.report import simulate_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parents[2]
RINGI = ROOT / "scenarios" / "purchase_ringi"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs chromium and chromium-driver (Debian packages), installed by .ci/run",
)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """report.html (ja and en) written to disk the way ``bpr report`` writes it."""
    before, after = load_process(RINGI / "before.yaml"), load_process(RINGI / "after.yaml")
    changes = changes_in((RINGI / "after.yaml").read_bytes(), str(RINGI / "after.yaml"))
    run = simulate_report(before, after, SimConfig(replications=3, horizon="2w", warm_up="1w", seed=1), changes)
    folder = tmp_path_factory.mktemp("report")
    paths = {}
    for lang in ("ja", "en"):
        report = build_report(run, today=date(2026, 5, 1), lang=lang, files=("before.yaml", "after.yaml"))
        paths[lang] = folder / lang / "report.html"
        write_atomic(paths[lang], report.html)
    return run, paths


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bpr-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                     f"--user-data-dir={profile}", "--window-size=1100,1400"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _figures(browser) -> dict[str, tuple[str, str]]:
    return browser.execute_script(
        "const out = {};"
        "for (const e of document.querySelectorAll('.fig')) {"
        "  const r = e.getBoundingClientRect();"
        "  if (!(e.dataset.key in out)) out[e.dataset.key] = [e.dataset.value, e.innerText, r.width > 0 && r.height > 0];"
        "}"
        "return out;"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_in_chromium(written, browser, lang, tmp_path_factory):
    run, paths = written
    browser.get(paths[lang].as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    assert browser.execute_script("return document.documentElement.lang") == lang

    # Headline figures: present, visible, and the simulation's own numbers.
    figures = _figures(browser)
    headline = run.comparison.headline
    for key in ("processing_time_reduction_percent", "staff_hours_saved_per_year", "fte_saved", "yen_saved_per_year"):
        value, text, visible = figures[f"headline.{key}"]
        assert float(value) == headline[key]["value"] and text.strip() and visible, key
    lead = run.comparison.differences["lead_days"]
    assert float(figures["lead_days.before"][0]) == lead.before and float(figures["lead_days.after"][0]) == lead.after
    shown = figures["headline.processing_time_reduction_percent"][1]
    assert shown == f"{headline['processing_time_reduction_percent']['value']:.1f}%"

    # Every diagram and chart is drawn, with a size.
    sizes = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-diagram] svg, [data-chart] svg')).map(s => {"
        "  const r = s.getBoundingClientRect();"
        "  const holder = s.closest('[data-diagram], [data-chart]');"
        "  return [holder.dataset.diagram || holder.dataset.chart, r.width, r.height]; });"
    )
    drawn = {name for name, width, height in sizes if width > 50 and height > 50}
    assert {"before", "after", "compare", "lead", "waiting", "utilisation", "hours", "impact"} <= drawn, sizes
    assert all(width > 0 and height > 0 for _, width, height in sizes)
    assert browser.execute_script("return document.images.length") == 0

    # The page fits the window: no chart or diagram spills out sideways.
    page_width = browser.execute_script("return document.documentElement.clientWidth")
    widest = browser.execute_script(
        "return Math.max(...Array.from(document.querySelectorAll('svg')).map(s => s.getBoundingClientRect().right));"
    )
    assert widest <= page_width

    # Nothing was fetched: the document itself is the only resource, from disk.
    entries = browser.execute_script(
        "return performance.getEntries().filter(e => e.name && e.entryType !== 'mark' && e.entryType !== 'measure')"
        ".map(e => [e.entryType, e.name]);"
    )
    assert entries, "the navigation entry should be listed"
    for kind, name in entries:
        if kind in ("navigation", "resource"):
            assert name.startswith(("file:", "data:")), (kind, name)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    # Screenshots to look at: the first screen (title and headline savings), and the whole page.
    folder = Path(os.environ.get("BPR_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / f"report_{lang}.png"
    assert browser.save_screenshot(str(first)) and first.stat().st_size > 50_000
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1100, min(height, 16000))
    whole = folder / f"report_{lang}_full.png"
    assert browser.save_screenshot(str(whole)) and whole.stat().st_size > first.stat().st_size
    browser.set_window_size(1100, 1400)
    print(f"screenshots: {first} {whole}")
