"""Reading the overlay figures out of a results document."""

from __future__ import annotations

import math

import pytest

from bpr.render import RenderError
from bpr.render.overlay import overlay_from_results


def _result(name: str, wait: float, utilisation: float) -> dict:
    return {
        "kind": "simulation",
        "process": {"id": "p", "name": name},
        "roles": {"clerk": {"utilisation": {"mean": utilisation}}, "outside": {"utilisation": None}},
        "steps": {"a": {"waiting": {"mean": wait}}, "b": {"waiting": {"mean": math.nan}}, "c": {}},
    }


def test_simulation_result():
    waits, utilisation = overlay_from_results(_result("x", 12.5, 0.4))
    assert waits == {"a": 12.5} and utilisation == {"clerk": 0.4}


def test_comparison_picks_the_side_named_like_the_process():
    data = {"kind": "comparison", "before": _result("old", 60, 0.9), "after": _result("new", 5, 0.5)}
    assert overlay_from_results(data, "new") == ({"a": 5}, {"clerk": 0.5})
    assert overlay_from_results(data, "old") == ({"a": 60}, {"clerk": 0.9})
    assert overlay_from_results(data, "unknown") == ({"a": 60}, {"clerk": 0.9})


def test_results_without_step_figures_give_only_utilisation():
    data = {"kind": "simulation", "roles": {"clerk": {"utilisation": {"mean": 0.7}}}}
    assert overlay_from_results(data) == ({}, {"clerk": 0.7})


@pytest.mark.parametrize("data", [{"kind": "analysis"}, {}, []])
def test_other_documents_are_refused(data):
    with pytest.raises(RenderError, match="results:"):
        overlay_from_results(data)
