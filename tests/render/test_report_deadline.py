"""The deadline figures come from the simulation of a process with a deadline, and nothing is shown otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpr import load_process
from bpr.render.report_deadline import deadline_amount, deadline_figures, deadline_words
from bpr.simulate import SimConfig, simulate


@pytest.fixture(scope="module")
def care(repo_root: Path):
    process = load_process(repo_root / "scenarios/care_certification/before.yaml")
    return simulate(process, SimConfig(replications=3, horizon="26w", warm_up="4w", seed=1))


def test_a_process_without_a_deadline_shows_nothing(repo_root: Path):
    process = load_process(repo_root / "scenarios/purchase_ringi/before.yaml")
    assert process.deadline is None
    assert deadline_figures(simulate(process, SimConfig(replications=2, horizon="8w", warm_up="1w", seed=1))) is None


def test_the_share_its_interval_and_p90_are_the_simulated_ones(care):
    figures = deadline_figures(care)
    assert figures is not None and care.deadline is not None
    assert (figures.limit, figures.unit) == ("30 days", "days")
    assert figures.share == care.deadline.share_within.mean
    assert 0.0 <= figures.share_low <= figures.share <= figures.share_high <= 1.0
    assert figures.p90 == care.deadline.lead_p90.mean


def test_the_deadline_is_worded_in_the_report_language():
    assert deadline_words("30 days", "ja") == "30日"
    assert deadline_words("10 business days", "ja") == "開庁日10日"
    assert deadline_words("10 business days", "en") == "10 business days"
    assert deadline_amount(12.25, "business_days", "ja") == "開庁日12.2日"
    assert deadline_amount(3, "working_hours", "en") == "3.0 working hours"
