"""Round trip: simulate ``known.yaml``, calibrate ``wrong.yaml`` from its log, find ``known.yaml`` again.

Tolerances come from the sample each parameter was fitted from, never from what passed:

* ``Z = 4`` standard errors: a correct fit lands outside with probability 6e-5 per parameter (two-sided
  normal tail), so the ~40 comparisons here fail by chance with probability under 0.3%; the seed is fixed,
  so the outcome is reproducible, and a wrong fit (a bias of several standard errors) does not pass.
* A mean of ``n`` draws of a law with sd ``σ``: standard error ``σ/√n`` (σ of the *true* law).
* A proportion ``p`` from ``n`` trials: ``√(p(1−p)/n)``.
* A Poisson rate from ``n`` arrivals: relative standard error ``1/√n``; a profile weight from ``c`` arrivals
  on its weekday (hour): relative ``1/√c``.
* The lognormal's sd from the maximum-likelihood estimates of the log-mean μ (variance ``s²/n``) and the
  log-sd s (variance ``s²/(2n)``), propagated with the delta method.
* The triangular's min and max are the sample's extremes: ``P(min − a > ε) = (1 − ε²/((b−a)(c−a)))ⁿ``,
  which is 1e-4 at ``ε = √(ln(1e4)(b−a)(c−a)/n)`` (likewise for the max); the mode is ``3·mean − min − max``,
  so its error is at most ``3·Z·σ/√n`` plus those two.
* Written values are rounded to three significant figures: half a unit of the third figure is added.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bpr.calibrate import Calibration
from bpr.calibrate.accuracy import WARN_SHARE, accuracy
from bpr.calibrate.rewrite import rewrite
from bpr.model.distributions import Exponential, Lognormal, Triangular
from bpr.model.schema import Approval, Process, Task
from bpr.model.volume import profile_shape

HERE = Path(__file__).parent

Z = 4.0


def _rounding(x: float) -> float:
    """Half a unit of the third significant figure of ``x``."""
    return 0.5 * 10 ** (math.floor(math.log10(abs(x))) - 2)


def _param(calibration: Calibration, path: str):  # type: ignore[no-untyped-def]
    found = [p for p in calibration.parameters if p.path == path]
    assert found, f"no parameter {path}; have {[p.path for p in calibration.parameters]}"
    return found[0]


@pytest.fixture(scope="module")
def calibrated(calibration: Calibration, wrong: Process):  # type: ignore[no-untyped-def]
    values = [(p.path, p.value) for p in calibration.parameters if p.value is not None]
    return rewrite(wrong, (HERE / "wrong.yaml").read_text(encoding="utf-8"), values)


def _step(process: Process, step_id: str) -> Task | Approval:
    step = process.step(step_id)
    assert isinstance(step, (Task, Approval))
    return step


@pytest.mark.parametrize("step_id, family", [("receive", Triangular), ("check", Lognormal), ("fix", Exponential),
                                             ("manager_ok", Exponential)])
def test_each_duration_gets_its_true_family_and_mean(calibration: Calibration, calibrated, known: Process,  # type: ignore[no-untyped-def]
                                                     step_id: str, family: type) -> None:
    true = _step(known, step_id).duration
    fitted = _step(calibrated.process, step_id).duration
    n = _param(calibration, f"steps[{known.step_ids.index(step_id)}].duration").n
    assert isinstance(fitted, family), f"{step_id}: {fitted} chosen for a {true}"
    tolerance = Z * math.sqrt(true.variance / n) + _rounding(true.mean)
    assert abs(fitted.mean - true.mean) <= tolerance, f"{step_id}: {fitted.mean:.3f} vs {true.mean} ± {tolerance:.3f}"


def test_lognormal_sd_within_its_delta_method_error(calibration: Calibration, calibrated, known: Process) -> None:  # type: ignore[no-untyped-def]
    true = _step(known, "check").duration
    fitted = _step(calibrated.process, "check").duration
    assert isinstance(true, Lognormal) and isinstance(fitted, Lognormal)
    n = _param(calibration, "steps[1].duration").n
    mu, s = true.log_params()

    def sd(mu: float, s: float) -> float:
        return math.exp(mu + s * s / 2) * math.sqrt(math.expm1(s * s))

    h = 1e-6
    d_mu, d_s = (sd(mu + h, s) - sd(mu, s)) / h, (sd(mu, s + h) - sd(mu, s)) / h
    se = math.sqrt(d_mu**2 * s * s / n + d_s**2 * s * s / (2 * n))
    assert abs(fitted.sd - true.sd) <= Z * se + _rounding(true.sd), f"{fitted.sd} vs {true.sd} ± {Z * se:.3f}"


def test_triangular_min_mode_max_within_extreme_value_bounds(calibration: Calibration, calibrated,  # type: ignore[no-untyped-def]
                                                             known: Process) -> None:
    true = _step(known, "receive").duration
    fitted = _step(calibrated.process, "receive").duration
    assert isinstance(true, Triangular) and isinstance(fitted, Triangular)
    n = _param(calibration, "steps[0].duration").n
    a, c, b = true.min, true.mode, true.max
    eps_min = math.sqrt(math.log(1e4) * (b - a) * (c - a) / n)
    eps_max = math.sqrt(math.log(1e4) * (b - a) * (b - c) / n)
    assert a - _rounding(a) <= fitted.min <= a + eps_min + _rounding(a)
    assert b - eps_max - _rounding(b) <= fitted.max <= b + _rounding(b)
    mode_tolerance = 3 * Z * math.sqrt(true.variance / n) + eps_min + eps_max + _rounding(c)
    assert abs(fitted.mode - c) <= mode_tolerance, f"{fitted.mode} vs {c} ± {mode_tolerance:.2f}"


def test_rejection_probability(calibration: Calibration, calibrated, known: Process) -> None:  # type: ignore[no-untyped-def]
    true = _step(known, "check")
    fitted = _step(calibrated.process, "check")
    assert isinstance(true, Approval) and isinstance(fitted, Approval) and true.reject and fitted.reject
    p, n = true.reject.probability, _param(calibration, "steps[1].reject.probability").n
    tolerance = Z * math.sqrt(p * (1 - p) / n) + 0.0005
    assert abs(fitted.reject.probability - p) <= tolerance, f"{fitted.reject.probability} vs {p} ± {tolerance:.4f}"


@pytest.mark.parametrize("index", [0, 1])
def test_arrival_rate_per_channel(calibration: Calibration, calibrated, known: Process, index: int) -> None:  # type: ignore[no-untyped-def]
    true, unit = known.arrivals[index].rate_value()
    fitted, fitted_unit = calibrated.process.arrivals[index].rate_value()
    n = _param(calibration, f"arrivals[{index}].rate").n
    assert fitted_unit == unit
    tolerance = Z * true / math.sqrt(n - 1) + _rounding(true)
    assert abs(fitted - true) <= tolerance, f"{known.arrivals[index].channel}: {fitted} vs {true} ± {tolerance:.2f}"


@pytest.mark.parametrize("index, part", [(0, "weekday"), (1, "hour")])
def test_arrival_profiles_differ_by_channel_and_are_found(calibration: Calibration, calibrated, known: Process,  # type: ignore[no-untyped-def]
                                                          index: int, part: str) -> None:
    """Counter cases crowd Mondays, online ones the evening: each weight (normalised to average 1 over the
    stream's open time, as the engine uses it) within Z relative standard errors of its arrival count."""
    arrival = known.arrivals[index]
    weekday, hour, average, _ = profile_shape(arrival, known.calendar_of(arrival.calendar))  # type: ignore[misc]
    fitted = calibrated.process.arrivals[index].profile
    assert fitted is not None
    true_weights = dict(zip(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], weekday)) if part == "weekday" \
        else dict(enumerate(hour))
    fitted_weights = getattr(fitted, part)
    n = _param(calibration, f"arrivals[{index}].rate").n
    slots = len(fitted_weights)
    for key, value in fitted_weights.items():
        if part == "weekday":
            key = str(key)
        truth = true_weights[key] / average
        expected_count = n / slots * truth  # arrivals in this slot, near enough for its standard error
        tolerance = Z * truth / math.sqrt(expected_count) + 0.005
        assert abs(value - truth) <= tolerance, f"{part} {key}: {value} vs {truth:.3f} ± {tolerance:.3f}"


def test_in_tray_sweeps_and_staff(calibrated, known: Process) -> None:  # type: ignore[no-untyped-def]
    fitted = _step(calibrated.process, "manager_ok")
    assert isinstance(fitted, Approval)
    assert fitted.batch == ("10:00", "15:00")
    assert {r: role.staff for r, role in calibrated.process.roles.items()} == {"clerk": 3, "chief": 1, "manager": 1}


def test_decision_threshold_found_from_amounts(calibration: Calibration, calibrated,  # type: ignore[no-untyped-def]
                                               known_run) -> None:
    """Any threshold between the largest amount routed 'done' and the smallest routed to the manager explains
    the log alike (that gap, ~2,000,000/n wide, is the uncertainty); the number with the fewest figures in
    it is written, and the true 1,000,000 lies in it."""
    _, log = known_run
    routed = {c.case: dict(c.branches).get(3) for c in calibration.replay.cases}
    amounts = {case: log.attributes[case]["amount"] for case, branch in routed.items() if branch is not None}
    # The drawn-again amounts are the engine's: each case went where amount > 1000000 sends it.
    assert all((routed[c] == 0) == (a > 1_000_000) for c, a in amounts.items())
    decision = calibrated.process.step("route")
    assert decision.next[0].when == "amount > 1000000"


def test_calibrated_file_keeps_comments_and_loads_back(calibrated) -> None:  # type: ignore[no-untyped-def]
    assert calibrated.kept_layout
    text = calibrated.text
    original = (HERE / "wrong.yaml").read_text(encoding="utf-8")
    for line in original.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text
    assert "# a guess" in text and "# forms come in at any hour" in text
    assert "reject: {probability: 0.2" in text


def test_resimulated_cycle_time_is_close_where_the_wrong_file_is_far(calibration: Calibration, calibrated,  # type: ignore[no-untyped-def]
                                                                      wrong: Process) -> None:
    after = {d.measure: d for d in accuracy(calibration, calibrated.process, seed=7)}
    before = {d.measure: d for d in accuracy(calibration, wrong, seed=7)}
    cycle = after["cycle time"]
    assert cycle.distance <= 0.01 * before["cycle time"].distance, (cycle.distance, before["cycle time"].distance)
    assert cycle.distance <= WARN_SHARE * cycle.log_mean and not cycle.warn
    assert after["arrivals per hour"].distance < before["arrivals per hour"].distance
    assert before["cycle time"].warn


def test_own_log_conforms(calibration: Calibration) -> None:
    assert calibration.issues == []
    assert all(not c.problem for c in calibration.replay.cases)
    assert np.isfinite(calibration.period[1])
