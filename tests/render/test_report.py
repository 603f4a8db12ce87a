"""The proposal report: every section, figures equal to the simulation's, inline SVG only, ja and en."""

from __future__ import annotations

import math
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bpr.changes import changes_in, load_process
from bpr.errors import BprError
from bpr.render.report import build_report
from bpr.render.report_redesign import check_redesign
from bpr.simulate import SimConfig
from bpr.study.impact import plan_impact, same_simulation
from bpr.study.report import plan_report, simulate_report

ROOT = Path(__file__).resolve().parents[2]
RINGI = ROOT / "scenarios" / "purchase_ringi"
CONFIG = SimConfig(replications=3, horizon="2w", warm_up="1w", seed=7, workers=1)
TODAY = date(2026, 5, 1)


class _Page(HTMLParser):
    """Elements of interest: figures (data-key), sections, charts and diagrams with their inner SVG."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, list[tuple[str, str]]] = {}
        self.sections: list[str] = []
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.svg_in: dict[str, int] = {}
        self.cards: list[str] = []
        self._figure: tuple[str, str] | None = None
        self._text: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.attributes += [(k, v or "") for k, v in attrs]
        if tag == "section" and values.get("id"):
            self.sections.append(str(values["id"]))
        if values.get("data-card"):
            self.cards.append(str(values["data-card"]))
        if tag == "svg":
            for _, outer in self.stack:
                for key in ("data-chart", "data-diagram"):
                    if outer.get(key):
                        name = f"{key}:{outer[key]}"
                        self.svg_in[name] = self.svg_in.get(name, 0) + 1
        if tag == "span" and values.get("data-key") is not None:
            self._figure = (str(values["data-key"]), str(values.get("data-value") or ""))
            self._text = []
        if tag not in ("br", "meta", "img", "input", "hr", "link"):
            self.stack.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._figure is not None:
            key, value = self._figure
            self.figures.setdefault(key, []).append((value, "".join(self._text)))
            self._figure = None
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._figure is not None:
            self._text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def ringi_run():
    before = load_process(RINGI / "before.yaml")
    after = load_process(RINGI / "after.yaml")
    changes = changes_in((RINGI / "after.yaml").read_bytes(), str(RINGI / "after.yaml"))
    return simulate_report(before, after, CONFIG, changes)


@pytest.fixture(scope="module")
def reports(ringi_run):
    return {lang: build_report(ringi_run, today=TODAY, lang=lang, files=("before.yaml", "after.yaml"),
                               command="bpr report before.yaml after.yaml")
            for lang in ("ja", "en")}


def expected_figures(comparison) -> dict[str, float | None]:
    """What each figure on the page must hold, straight from the comparison."""
    out: dict[str, float | None] = {f"headline.{k}": v["value"] for k, v in comparison.headline.items()
                                    if k != "deadline"}  # the deadline figures have their own card
    for name, diff in comparison.differences.items():
        out[f"{name}.before"] = diff.before
        out[f"{name}.after"] = diff.after
    return out


def _unit(key: str) -> str:
    from bpr.simulate.results import KPIS, YEARLY

    name = key.split(".")[0]
    return (KPIS.get(name) or YEARLY.get(name) or ("", ""))[0]


_NUMBER = re.compile(r"-?[\d,]+(?:\.\d+)?")


def shown_matches(text: str, value: float, key: str) -> bool:
    """The first number in ``text``, scaled by the unit written after it, rounds to ``value``."""
    match = _NUMBER.search(text)
    assert match, f"no number in {text!r} ({key})"
    number = match.group(0).replace(",", "")
    decimals = len(number.split(".")[1]) if "." in number else 0
    rest = text[match.end():]
    scale = 1.0
    if rest.startswith("万円"):
        scale = 1e4
    elif rest.startswith("億円"):
        scale = 1e8
    elif rest.startswith(" million"):
        scale = 1e6
    elif rest.startswith("%") and key.split(".")[0] in ("e_approval_rate", "online_rate"):
        scale = 0.01
    elif _unit(key) == "minutes":  # durations are written in the unit that suits them
        for words, minutes in ((("日", " days"), 1440.0), (("時間", " h"), 60.0), (("分", " min"), 1.0)):
            if rest.startswith(words):
                scale = minutes
                break
        else:
            raise AssertionError(f"no time unit after the number in {text!r} ({key})")
    shown = float(number) * scale
    if text.lstrip().startswith("-") or "-¥" in text:
        shown = -abs(shown)
    return abs(shown - value) <= 0.5 * 10 ** -decimals * scale * (1 + 1e-9) + 1e-9


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_headline_figures_are_the_simulations_numbers(reports, ringi_run, lang):
    page = parse(reports[lang].html)
    expected = expected_figures(ringi_run.comparison)
    must_show = {
        "headline.processing_time_reduction_percent", "headline.staff_hours_saved_per_year", "headline.fte_saved",
        "headline.yen_saved_per_year", "lead_days.before", "lead_days.after", "business_days.before",
        "business_days.after", "lead_time.before", "lead_time.after", "stamps.before", "stamps.after",
        "handoffs.before", "handoffs.after", "e_approval_rate.before", "e_approval_rate.after",
        "staff_hours_per_year.before", "staff_hours_per_year.after", "cost_yen_per_year.before",
        "cost_yen_per_year.after",
    }
    assert must_show <= set(page.figures), must_show - set(page.figures)
    for key, shown in page.figures.items():
        assert key in expected, f"figure {key} is not a simulation result"
        for raw, text in shown:
            value = expected[key]
            assert raw == ("" if value is None else repr(float(value))), key
            if value is not None and math.isfinite(value):
                assert shown_matches(text, value, key), f"{key}: {text!r} does not show {value}"


def test_intervals_are_said_in_words(reports, ringi_run):
    reduction = ringi_run.comparison.headline["processing_time_reduction_percent"]
    assert reduction["significant"], "the ringi redesign must be significant even with 3 replications"
    low, high = reduction["ci95"]
    ja, en = reports["ja"].html, reports["en"].html
    assert f"95%の確からしさで {low:.1f}〜{high:.1f}% 短縮" in ja
    assert f"with 95% confidence, between {low:.1f} and {high:.1f}% shorter" in en
    days = ringi_run.comparison.differences["lead_days"].difference
    assert f"{-days.high:.1f}〜{-days.low:.1f}日 短縮" in ja


def test_a_difference_that_is_not_significant_says_so(ringi_run):
    """After = before renamed: every difference is exactly 0, so no saving is significant."""
    before = ringi_run.before
    renamed = load_process(RINGI / "before.yaml").model_copy(update={"name": "改名のみ"})
    run = simulate_report(before, renamed, CONFIG)
    comparison = run.comparison
    assert not comparison.headline["processing_time_reduction_percent"]["significant"]
    ja = build_report(run, today=TODAY, lang="ja", diagrams={}).html
    en = build_report(run, today=TODAY, lang="en", diagrams={}).html
    assert "統計的に有意な差ではありません" in ja and "どの反復でも同じ値" in ja
    assert "Not a significant difference" in en
    assert '<p class="lead">' not in ja  # no summary sentence claims a saving


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_section_is_present_in_order(reports, lang):
    page = parse(reports[lang].html)
    assert page.sections == ["summary", "diagrams", "charts", "findings", "impact", "assumptions", "method"]
    assert page.cards == ["processing_time_reduction_percent", "lead_time", "staff_hours", "cost", "counter_wait",
                          "stamps_handoffs", "digital"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_chart_and_diagram_is_inline_svg(reports, lang):
    page = parse(reports[lang].html)
    for name in ("data-chart:lead", "data-chart:waiting", "data-chart:utilisation", "data-chart:hours",
                 "data-chart:impact", "data-diagram:before", "data-diagram:after", "data-diagram:compare"):
        assert page.svg_in.get(name) == 1, f"{name}: {page.svg_in.get(name)}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_nothing_is_fetched_from_anywhere(reports, lang):
    html = reports[lang].html
    page = parse(html)
    for name, value in page.attributes:
        if name in ("src", "href", "xlink:href", "action", "poster"):
            assert value.startswith("#"), f"{name}={value!r}: only in-page links are allowed"
    lowered = html.lower()
    for needle in ('src="http', "href=\"http", "url(http", "url(//", "@import", "<script", "<link", "<img",
                   "<iframe"):
        assert needle not in lowered, needle
    assert "@page" in html and "size: A4" in html


def test_diagram_ids_do_not_collide(reports):
    ids = re.findall(r'\bid="([^"]+)"', reports["ja"].html)
    assert len(ids) == len(set(ids))


def test_the_languages_differ_in_every_label(reports):
    ja, en = reports["ja"].html, reports["en"].html
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    assert "業務改善提案書" in ja and "効果の概要" in ja and "前提条件" in ja
    assert "Process redesign proposal" in en and "Summary of effects" in en and "Assumptions" in en
    for english in ("Summary of effects", "Assumptions", "with 95% confidence"):
        assert english not in ja


def test_charts_use_a_japanese_font_family(reports):
    charts = re.findall(r'<svg[^>]*class="chart[^"]*"[^>]*>', reports["ja"].html)
    assert charts and all("IPAGothic" in svg for svg in charts)


def test_findings_are_numbered_as_on_the_diagram_and_resolved_or_not(reports, ringi_run):
    from bpr.analysis import analyze

    html = reports["ja"].html
    findings = analyze(ringi_run.before).findings
    left = analyze(ringi_run.after).findings
    rows = re.findall(r'<td class="status (resolved|remains)">', html)
    assert len(rows) == len(findings)
    for finding, status in zip(findings, rows):
        remains = any(f.rule == finding.rule and set(f.steps) & set(finding.steps) for f in left)
        assert status == ("remains" if remains else "resolved"), finding


def test_assumptions_list_volumes_staff_costs_and_durations(reports, ringi_run):
    ja = reports["ja"].html
    before = ringi_run.before
    assert "1,200/年" in ja
    for role in before.roles.values():
        assert role.name in ja
        assert f"{role.hourly_cost:,.0f}円/時" in ja
    for step in before.steps:
        if step.type in ("task", "approval", "handoff"):
            assert f"<code>{step.id}</code>" in ja
    assert "三角分布（最小45分・最頻1.5時間・最大3時間） 平均1.8時間" in ja
    assert "08:30-12:00, 13:00-17:15" in ja


def test_method_states_the_run(reports):
    ja = reports["ja"].html
    assert "共通乱数" in ja
    assert re.search(r"<th>反復回数</th><td>3</td>", ja)
    assert re.search(r"<th>乱数のシード</th><td>7</td>", ja)


# --- the impact of each change ------------------------------------------------------------------------------


def test_marginal_gains_add_up_to_the_whole(ringi_run):
    impact = ringi_run.impact
    assert impact is not None
    simulated = [step for step in impact.steps if step.simulated]
    for measure in ("lead_time", "staff_hours_per_year", "cost_yen_per_year"):
        total = sum(step.marginal.differences[measure].difference.mean for step in simulated)
        whole = simulated[-1].cumulative.differences[measure].difference.mean
        assert total == pytest.approx(whole, rel=1e-9, abs=1e-6), measure


def test_every_change_is_in_a_step_in_order_and_names_only_are_not_simulated(ringi_run):
    changes = changes_in((RINGI / "after.yaml").read_bytes(), "after.yaml")
    impact = ringi_run.impact
    positions = [p for step in impact.steps for p in step.positions]
    assert positions == list(range(1, len(changes) + 1))
    for step in impact.steps:
        renames_only = all(c.kind == "set" and set(c.values) <= {"name"} for c in step.changes)
        assert step.simulated == (not renames_only)
    assert same_simulation(impact.steps[-1].process, ringi_run.after)


def test_the_cost_is_bounded(ringi_run):
    changes = changes_in((RINGI / "after.yaml").read_bytes(), "after.yaml")
    for cap in (1, 3, 10):
        plan = plan_impact(ringi_run.before, changes, CONFIG, max_steps=cap)
        assert sum(step.simulated for step in plan.steps) <= cap
        assert [p for step in plan.steps for p in step.positions] == list(range(1, len(changes) + 1))
    big = SimConfig(replications=50, horizon="2y")
    capped = plan_impact(ringi_run.before, changes, big).config
    assert capped.replications == 10 and capped.horizon == "13w"


def test_neighbours_of_the_same_kind_are_grouped_first(ringi_run):
    changes = changes_in((RINGI / "after.yaml").read_bytes(), "after.yaml")
    plan = plan_impact(ringi_run.before, changes, CONFIG, max_steps=10)
    grouped = [step for step in plan.steps if len(step.positions) > 1]
    assert grouped and all(len({c.kind for c in step.changes}) == 1 for step in grouped)


def test_small_versions_run_in_this_process(ringi_run):
    from bpr.study.impact import POOL_MIN_CASES, impact_workers

    changes = changes_in((RINGI / "after.yaml").read_bytes(), "after.yaml")
    plan = plan_impact(ringi_run.before, changes, CONFIG.model_copy(update={"workers": 4}))
    years = (2 + 1) / 52.14285714285714  # 2w window + 1w warm-up
    per_year_at_limit = POOL_MIN_CASES / (years * plan.config.replications)
    assert impact_workers(plan, per_year_at_limit * 0.99) == 1
    assert impact_workers(plan, per_year_at_limit * 1.01) == 4


def test_results_of_the_comparison_are_reused(ringi_run):
    impact = ringi_run.impact
    assert impact.simulations == impact.plan.simulations - 2  # before and after come from the comparison
    assert impact.baseline is ringi_run.comparison.before


def test_progress_counts_every_replication(ringi_run):
    changes = changes_in((RINGI / "after.yaml").read_bytes(), "after.yaml")
    calls: list[tuple[int, int]] = []
    plan = plan_report(ringi_run.before, ringi_run.after, CONFIG, changes)
    simulate_report(ringi_run.before, ringi_run.after, CONFIG, changes, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (plan.replications, plan.replications)
    assert [d for d, _ in calls] == list(range(1, plan.replications + 1))


def test_a_complete_after_file_has_no_change_list():
    road = ROOT / "scenarios" / "road_occupancy" / "after.yaml"
    assert changes_in(road.read_bytes(), str(road)) is None


def test_changes_on_another_base_are_left_out_with_the_reason(ringi_run):
    changes = changes_in((RINGI / "after.yaml").read_bytes(), "after.yaml")
    other = load_process(ROOT / "scenarios" / "travel_expense" / "before.yaml")
    plan = plan_report(other, ringi_run.after, CONFIG, changes)
    assert plan.impact is None and "kian_print" in (plan.impact_note or "")


# --- redesign -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redesign_data(ringi_run):
    from bpr.redesign import redesign

    small = SimConfig(replications=2, horizon="1w", warm_up="1w", seed=3, workers=1)
    return redesign(ringi_run.before, small, heuristics=["batching", "eliminate"]).to_dict()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_redesign_matrix_and_quadrangles(ringi_run, reports, redesign_data, lang):
    html = build_report(ringi_run, today=TODAY, lang=lang, redesign=redesign_data,
                        diagrams=reports[lang].diagrams).html
    page = parse(html)
    assert page.sections.index("redesign") == page.sections.index("impact") + 1
    assert page.svg_in.get("data-chart:matrix") == 1
    candidates = redesign_data["candidates"]
    assert candidates
    assert page.svg_in.get("data-chart:quadrangles") == len(candidates) + 1  # one per candidate and the plan
    matrix = html[html.index('data-chart="matrix"'):]
    matrix = matrix[:matrix.index("</svg>")]
    for letter in "ABCD":
        assert f">{letter}</text>" in matrix
    for candidate in candidates:
        assert f"<title>{candidate['rank']}. " in matrix


def test_a_redesign_document_is_checked():
    with pytest.raises(BprError, match="expected 'redesign'"):
        check_redesign({"kind": "comparison"}, "x.json")
    with pytest.raises(BprError, match="schema_version"):
        check_redesign({"kind": "redesign", "schema_version": 9}, "x.json")
    with pytest.raises(BprError, match="JSON object"):
        check_redesign([1, 2], "x.json")
