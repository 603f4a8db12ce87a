"""Simulation results as plain overlay data: mean waiting time per step and utilisation per role.

The diagram code takes plain dicts (``{step_id: minutes}``, ``{role_id: fraction}``) so that it does not
depend on how results are stored; this module reads them out of a results document (the JSON of
``bpr simulate --format json``, see docs/results.md). Missing figures are simply not drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bpr.render.graphviz_run import RenderError

Overlay = tuple[dict[str, float], dict[str, float]]


def overlay_from_results(data: Mapping[str, Any], process_name: str | None = None) -> Overlay:
    """``(waits, utilisation)`` from a results document.

    A ``comparison`` document holds two results; the one whose process name is ``process_name`` is used
    (the before, when both carry that name). Raises :class:`RenderError` for a document of another kind.
    """
    if not isinstance(data, Mapping):
        raise RenderError("results: expected a JSON object as written by 'bpr simulate --format json'")
    kind = data.get("kind")
    if kind == "comparison":
        sides = [data.get("before"), data.get("after")]
        chosen = next(
            (side for side in sides if isinstance(side, Mapping) and _name(side) == process_name), sides[0]
        )
        if not isinstance(chosen, Mapping):
            raise RenderError("results: a comparison without a 'before' result")
        data = chosen
    elif kind != "simulation":
        raise RenderError(
            f"results: 'kind' is {kind!r}; expected 'simulation' or 'comparison' (from 'bpr simulate --format json')"
        )
    return _step_waits(data), _utilisation(data)


def _name(result: Mapping[str, Any]) -> str | None:
    process = result.get("process")
    return process.get("name") if isinstance(process, Mapping) else None


def _mean(value: Any) -> float | None:
    """A number, or the ``mean`` of an estimate object; ``None`` when absent or not finite."""
    if isinstance(value, Mapping):
        value = value.get("mean")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _step_waits(result: Mapping[str, Any]) -> dict[str, float]:
    steps = result.get("steps")
    waits: dict[str, float] = {}
    if not isinstance(steps, Mapping):
        return waits
    for step_id, figures in steps.items():
        if not isinstance(figures, Mapping):
            continue
        for key in ("waiting", "wait", "mean_wait_minutes"):
            value = _mean(figures.get(key))
            if value is not None:
                waits[str(step_id)] = value
                break
    return waits


def _utilisation(result: Mapping[str, Any]) -> dict[str, float]:
    roles = result.get("roles")
    out: dict[str, float] = {}
    if not isinstance(roles, Mapping):
        return out
    for role_id, figures in roles.items():
        if isinstance(figures, Mapping):
            value = _mean(figures.get("utilisation"))
            if value is not None:
                out[str(role_id)] = value
    return out
