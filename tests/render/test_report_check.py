"""The check section of the report, read from the HTML without a browser: one row per figure with the
predicted and the actual value and interval as the check computed them, the verdict, and nothing in
English in the Japanese report."""

from __future__ import annotations

import math
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bpr.calibrate import check_prediction, log_from_records, measure_log
from bpr.changes import load_process
from bpr.render.report import build_report
from bpr.render.report_check import check_section
from bpr.render.report_text import fmt_hours, fmt_lead_days, fmt_ratio
from bpr.simulate import SimConfig
from bpr.simulate.results import event_records
from bpr.study.report import ReportRun, simulate_options, simulate_report

from test_report_language import english_words

ROOT = Path(__file__).resolve().parents[2]
CARE = ROOT / "scenarios" / "care_certification"
CONFIG = SimConfig(replications=2, horizon="2w", warm_up="1w", seed=3, workers=1)
TODAY = date(2026, 5, 1)
FORMAT = {"days": fmt_lead_days, "hours": fmt_hours, "ratio": lambda v, lang: fmt_ratio(v)}


class _Check(HTMLParser):
    """The check section: its rows (figure -> cell texts) and their verdicts, and the sections' ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self.verdicts: dict[str, str] = {}
        self.row: str | None = None
        self.cell: list[str] | None = None
        self.text: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(str(values.get("id")))
            self.inside = values.get("id") == "check"
        if not self.inside:
            return
        if tag == "tr" and values.get("data-figure"):
            self.row = str(values["data-figure"])
            self.rows[self.row] = []
        if tag == "td" and self.row is not None:
            self.cell = []
            if values.get("data-verdict"):
                self.verdicts[self.row] = str(values["data-verdict"])
        if self.cell is not None and tag == "div":
            self.cell.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.row is not None and self.cell is not None:
            self.rows[self.row].append("".join(self.cell).strip())
            self.cell = None
        if tag == "tr":
            self.row = None
        if tag == "section":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif self.inside:
            self.text.append(data)


@pytest.fixture(scope="module")
def care_run() -> ReportRun:
    before, after = load_process(CARE / "before.yaml"), load_process(CARE / "option_a_weekly.yaml")
    return simulate_report(before, after, CONFIG)


@pytest.fixture(scope="module")
def check(care_run: ReportRun) -> dict[str, Any]:
    """Option A's prediction against the log the simulation of option A wrote."""
    records = event_records([("after", care_run.comparison.after)])
    actual = measure_log(care_run.after, log_from_records(records, "option_a_log.csv"))
    return check_prediction(actual, care_run.comparison.after).to_dict()


def _page(html: str) -> _Check:
    page = _Check()
    page.feed(html)
    return page


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_figure_is_a_row_with_the_check_s_numbers_and_verdict(care_run, check, lang):
    html = build_report(care_run, today=TODAY, lang=lang, diagrams={}, check=check).html
    page = _page(html)
    assert page.sections.index("check") == page.sections.index("assumptions") - 1
    assert list(page.rows) == ["lead_days", "deadline_share", "staff_hours_per_case"] == list(check["figures"])
    for name, figure in check["figures"].items():
        label, predicted, actual, verdict = page.rows[name]
        fmt = FORMAT[figure["unit"]]
        assert predicted.startswith(fmt(figure["predicted"]["mean"], lang) + " | "), (name, predicted)
        assert actual.startswith(fmt(figure["actual"]["mean"], lang) + " | "), (name, actual)
        assert page.verdicts[name] == figure["verdict"]
        assert verdict == {"ja": {"within": "予測の範囲内", "better": "予測より良い", "worse": "予測より悪い"},
                           "en": {"within": "within the prediction", "better": "better than predicted",
                                  "worse": "worse than predicted"}}[lang][figure["verdict"]]
    text = "".join(page.text)
    assert "option_a_log.csv" in text
    assert (f"{check['cases']:,}件" if lang == "ja" else f"{check['cases']:,} cases") in text


def test_the_japanese_report_with_a_check_has_no_english(care_run, check):
    html = build_report(care_run, today=TODAY, lang="ja", files=("before.yaml", "option_a_weekly.yaml"),
                        check=check).html
    assert 'id="check"' in html and "効果の検証" in html
    assert english_words(html, [care_run.before, care_run.after]) == []


def test_a_report_without_a_log_has_no_check(care_run):
    assert 'id="check"' not in build_report(care_run, today=TODAY, lang="en", diagrams={}).html


def test_the_check_goes_with_one_option_only(care_run, check):
    as_is = simulate_options(care_run.before, [], CONFIG)
    with pytest.raises(ValueError, match="one redesign"):
        build_report(as_is, today=TODAY, lang="en", diagrams={}, check=check)


def _figure(mean: float, low: float, high: float, unit: str = "hours", verdict: str = "within") -> dict[str, Any]:
    return {"unit": unit, "verdict": verdict, "predicted": {"mean": mean, "ci95": [low, high], "n": 20},
            "actual": {"mean": mean, "ci95": [low, high], "n": 900}}


def _data(**figures: dict[str, Any]) -> dict[str, Any]:
    return {"log": "log.csv", "cases": 900, "open_cases": 0, "late_cases": 0, "first_arrival": "2026-04-01",
            "last_arrival": "2027-03-31", "span_days": 364.0, "deadline": "10 business days", "replications": 20,
            "year_days": 365.0, "figures": figures}


def test_an_interval_whose_ends_read_alike_gets_more_decimals():
    view = check_section(_data(staff_hours_per_case=_figure(3.2, 3.19, 3.21)), "ja")
    assert view["rows"][0]["actual"] == {"value": "3.20時間", "range": "95%区間 3.19時間〜3.21時間"}
    view = check_section(_data(staff_hours_per_case=_figure(30.0, 20.0, 40.0)), "en")
    assert view["rows"][0]["actual"] == {"value": "30.0 hours", "range": "95% interval 20.0 hours to 40.0 hours"}


def test_the_deadline_row_names_the_deadline_and_a_short_log_says_why_no_year():
    view = check_section(_data(deadline_share=_figure(0.8, 0.7, 0.9, "ratio", "worse")), "ja")
    assert view["rows"][0]["label"] == "標準処理期間内に終わる案件の割合（開庁日10日）"
    assert view["rows"][0]["verdict_text"] == "予測より悪い"
    assert view["notes"] == ["記録の期間が364日で365日に満たないため、年間の作業時間は比べていません。"]
    assert check_section(_data(staff_hours_per_year=_figure(1e4, 9e3, 1.1e4)), "en")["notes"] == []


def test_a_figure_without_a_value_cannot_be_told():
    figure = _figure(0.0, 0.0, 0.0, "days", "unknown")
    figure["predicted"] = {"mean": None, "ci95": [None, None], "n": 0}  # JSON has no NaN: to_dict() gives null
    row = check_section(_data(lead_days=figure), "en")["rows"][0]
    assert row["predicted"]["value"] == fmt_lead_days(math.nan, "en") and row["verdict_text"] == "cannot tell"
