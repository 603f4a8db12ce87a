"""A Japanese report says everything in Japanese: no English word outside the names and ids the process
files give (steps, roles, departments, calendars, attributes and their values), file names, rule ids and
the tool's own name. Scanned: every shipped scenario, an overloaded version, several options, as-is."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bpr.changes import apply_changes, changes_in, load_process, parse_changes
from bpr.model.distributions import Choice
from bpr.model.schema import Process
from bpr.render.report import build_report
from bpr.simulate import SimConfig
from bpr.study.report import simulate_options, simulate_report

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.parent for p in (ROOT / "scenarios").glob("*/after.yaml"))
CONFIG = SimConfig(replications=2, horizon="1w", warm_up="1w", seed=3, workers=1)
TODAY = date(2026, 5, 1)
ALLOWED = {"bpr", "BPR"}
_WORD = re.compile(r"[A-Za-z]{2,}")
_FILE = re.compile(r"\S+\.(?:svg|png|yaml|yml|html)\b")


class _Text(HTMLParser):
    """Every piece of text a reader sees (inline SVG included), outside <code> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "style"):
            self.skip += 1
        for key, value in attrs:
            if key in ("aria-label", "title", "alt") and value:
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chunks.append(data)


def _given_words(processes: list[Process]) -> set[str]:
    """Words of the names and ids the process files give."""
    texts: list[str] = []
    for process in processes:
        texts += [process.id, process.name]
        texts += [f"{s.id} {s.name or ''}" for s in process.steps]
        texts += [f"{r} {role.name or ''} {role.department or ''}" for r, role in process.roles.items()]
        texts += list(process.calendars)
        texts += [a.channel for a in process.arrivals]
        for name, dist in process.attributes.items():
            texts.append(name)
            if isinstance(dist, Choice):
                texts += list(dist.values)
    return {word for text in texts for word in re.findall(r"[A-Za-z]+", text)}


def english_words(html: str, processes: list[Process]) -> list[tuple[str, str]]:
    page = _Text()
    page.feed(html)
    given = _given_words(processes) | ALLOWED
    found = []
    for chunk in page.chunks:
        for word in _WORD.findall(_FILE.sub("", chunk)):
            if word not in given and not re.fullmatch(r"BPR\d+", word):
                found.append((word, chunk.strip()[:120]))
    return found


def _versions(run) -> list[Process]:
    processes = [run.before, run.after]
    if run.impact is not None:
        processes += [step.applied_to for step in run.impact.steps]
    return processes


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_the_japanese_report_of_every_scenario_has_no_english(folder):
    before, after = load_process(folder / "before.yaml"), load_process(folder / "after.yaml")
    changes = changes_in((folder / "after.yaml").read_bytes(), str(folder / "after.yaml"))
    run = simulate_report(before, after, CONFIG, changes, impact_steps=2)
    html = build_report(run, today=TODAY, lang="ja", files=("before.yaml", "after.yaml")).html
    assert english_words(html, _versions(run)) == []


def test_warnings_and_a_skipped_impact_are_in_japanese_too():
    folder = ROOT / "scenarios" / "purchase_ringi"
    before = load_process(folder / "before.yaml")
    busiest = max(before.roles, key=lambda r: before.roles[r].hourly_cost if before.roles[r].staff != "unlimited"
                  else -1)
    overloaded = apply_changes(before, parse_changes([{"staff": {busiest: 1}},
                                                      {"arrivals": {"internal": {"rate": "400/day"}}}]))
    changes = parse_changes([{"remove": "hosa_check"}])  # changes that do not give the version compared
    run = simulate_report(before, overloaded, CONFIG, changes)
    assert run.impact_skip == "other_base"
    assert run.comparison.after.warnings, "the overloaded version must warn, or this test tests nothing"
    ja = build_report(run, today=TODAY, lang="ja", files=("before.yaml", "after.yaml"), diagrams={}).html
    assert english_words(ja, [before, overloaded]) == []
    assert "手一杯" in ja or "待ち行列" in ja or "処理中" in ja
    assert "変更ごとの効果は表示していません" in ja
    en = build_report(run, today=TODAY, lang="en", diagrams={}).html
    assert "overloaded" in en or "keeps growing" in en or "still in process" in en


def test_options_side_by_side_and_the_process_as_it_is_have_no_english():
    folder = ROOT / "scenarios" / "purchase_ringi"
    before, after = load_process(folder / "before.yaml"), load_process(folder / "after.yaml")
    option_b = apply_changes(before, parse_changes([{"remove": "hosa_check"}]))
    run = simulate_options(before, [(after, None), (option_b, None)], CONFIG)
    html = build_report(run, today=TODAY, lang="ja", files=("before.yaml", "after.yaml", "b.yaml")).html
    assert english_words(html, [before, after, option_b]) == []
    assert "案A" in html and "案B" in html
    as_is = simulate_options(before, [], CONFIG)
    html = build_report(as_is, today=TODAY, lang="ja", files=("before.yaml",)).html
    assert english_words(html, [before]) == []
    assert "現状の業務の姿" in html


def test_the_care_certification_options_report_has_no_english_and_shows_the_deadline():
    """要介護認定: the process as it is and its three options side by side, with the 30-day deadline row."""
    folder = ROOT / "scenarios" / "care_certification"
    names = ("before.yaml", "option_a_weekly.yaml", "option_b_digital.yaml", "option_c_both.yaml")
    before, *options = (load_process(folder / name) for name in names)
    run = simulate_options(before, [(option, None) for option in options], CONFIG)
    html = build_report(run, today=TODAY, lang="ja", files=names).html
    assert english_words(html, [before, *options]) == []
    assert "案A" in html and "案C" in html and "標準処理期間内に終わる案件の割合（30日）" in html
