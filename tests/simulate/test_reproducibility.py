"""Same seed, same numbers (whatever the number of workers); before/after share their random numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bpr.changes import load_process
from bpr.model.load import process_from_data, process_to_data
from bpr.simulate import SimConfig, compare, simulate
from bpr.simulate.streams import Streams, stream_key

THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"
CONFIG = SimConfig(horizon="3w", warm_up="1w", replications=4, seed=11)


def multistep():
    return load_process(THEORY / "multistep.yaml")


def test_same_seed_same_results_for_one_and_two_workers() -> None:
    one = simulate(multistep(), CONFIG)
    two = simulate(multistep(), CONFIG.model_copy(update={"workers": 2}))
    assert one.to_dict() == two.to_dict()
    assert one.values == two.values


def test_another_seed_gives_other_numbers() -> None:
    a = simulate(multistep(), CONFIG)
    b = simulate(multistep(), CONFIG.model_copy(update={"seed": 12}))
    assert a.values["lead_time"] != b.values["lead_time"]


def test_a_stream_depends_on_its_name_not_on_creation_order() -> None:
    first = Streams(7, 3)
    first.get("duration:review")
    x = first.get("arrivals:counter").random(5)
    second = Streams(7, 3)
    y = second.get("arrivals:counter").random(5)
    assert np.array_equal(x, y)
    assert not np.array_equal(x, Streams(7, 4).get("arrivals:counter").random(5))  # replications differ
    assert not np.array_equal(x, Streams(8, 3).get("arrivals:counter").random(5))  # seeds differ
    assert stream_key("arrivals:counter") == stream_key("arrivals:counter") != stream_key("arrivals:online")


def test_identical_after_gives_a_difference_of_exactly_zero() -> None:
    comparison = compare(multistep(), multistep(), CONFIG)
    for name, diff in comparison.differences.items():
        assert diff.difference.mean == 0, name
        assert diff.difference.half_width == 0 or np.isnan(diff.difference.half_width), name
        assert not diff.significant, name
    assert comparison.headline["processing_time_reduction_percent"]["value"] == 0


def test_adding_a_step_does_not_shift_arrivals_or_other_steps() -> None:
    """Common random numbers: an extra step downstream leaves arrivals and upstream draws alone."""
    before = multistep()
    data = process_to_data(before)
    for step in data["steps"]:
        if step["id"] == "notify":
            step["next"] = "archive"
    data["steps"].insert(-1, {"id": "archive", "type": "task", "role": "clerk",
                              "duration": {"dist": "exponential", "mean": "3m"}, "next": "done"})
    after = process_from_data(data)
    comparison = compare(before, after, CONFIG)
    assert comparison.before.values["arrived"] == comparison.after.values["arrived"]
    assert comparison.differences["cases_per_year"].difference.mean == 0
    # Cases draw the same rejections upstream, so rework counts agree replication by replication.
    assert comparison.before.values["rejections"] == comparison.after.values["rejections"]
    # The extra work is real, positive and significant.
    touch = comparison.differences["touch_time"]
    assert touch.significant and 2.0 < touch.difference.mean < 4.0
