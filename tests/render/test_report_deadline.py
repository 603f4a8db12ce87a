"""The deadline figures are read from the results when they carry them, and nothing is shown otherwise."""

from __future__ import annotations

from types import SimpleNamespace

from bpr.render.report_deadline import DEADLINE_ATTRIBUTE, deadline_figures, deadline_words


def test_results_without_a_deadline_show_nothing():
    assert DEADLINE_ATTRIBUTE == "deadline"
    assert deadline_figures(SimpleNamespace()) is None
    assert deadline_figures(SimpleNamespace(deadline=None)) is None


def test_the_share_its_interval_and_p90_are_read_from_an_object_or_a_mapping():
    share = {"mean": 0.24, "low": 0.2, "high": 0.28}
    for data in ({"within": "30 days", "share": share, "p90_days": {"mean": 41.5}},
                 SimpleNamespace(within="30 days", share=SimpleNamespace(**share), p90_days=SimpleNamespace(mean=41.5))):
        figures = deadline_figures(SimpleNamespace(deadline=data))
        assert figures is not None
        assert (figures.limit, figures.share, figures.share_low, figures.share_high, figures.p90_days) == (
            "30 days", 0.24, 0.2, 0.28, 41.5)


def test_the_deadline_is_worded_in_the_report_language():
    assert deadline_words("30 days", "ja") == "30日"
    assert deadline_words("10 business days", "ja") == "開庁日10日"
    assert deadline_words("10 business days", "en") == "10 business days"
