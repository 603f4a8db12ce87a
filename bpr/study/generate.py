"""A realistic synthetic catalogue, made from the shipped scenarios, for tests, benches and demonstrations.

Real catalogues of a city's procedures are not public. This one takes the "before" process of each shipped
scenario as a template and makes ``n`` variants, in turn, each varied within these ranges (drawn from one
``numpy`` generator seeded with ``seed``, so the same arguments write the same files):

==========================  ====================================================================
arrival rates               x a factor v, log-uniform in [0.5, 2] (a small town to a large city)
staff of each role          round(staff x v x u), u uniform in [0.8, 1.25], at least 1 (staff follow volume)
task and approval durations x a factor uniform in [0.8, 1.25], one per step
==========================  ====================================================================

Each variant has the scenario's redesign as a what-if of its own (the scenario's ``after.yaml``: a change
list based on the variant, or a complete process file varied by the same factors as the variant), and the
catalogue tries ``digitize-rekey`` (with ``factor: 0.7``, an assumption to replace with a measured one),
``remove-dominated`` and ``add-staff`` on every process (unless ``rules=False``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bpr.changes import ChangeList, load_process, read_change_list
from bpr.changes.durations import scaled
from bpr.model import load
from bpr.model.schema import Process
from bpr.model.units import parse_rate

__all__ = ["RANGES", "TEMPLATES", "Variation", "draw", "generate_catalog", "shipped_scenarios", "vary"]

TEMPLATES = ("resident_certificate", "child_allowance", "purchase_ringi", "travel_expense", "road_occupancy")
"""The shipped scenarios used as templates, in turn."""

RANGES = {"volume": (0.5, 2.0), "staff": (0.8, 1.25), "duration": (0.8, 1.25)}


def shipped_scenarios() -> Path:
    """The shipped scenarios: ``bpr/scenarios`` when installed as package data, else the repository's."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "scenarios"
    return inside if inside.is_dir() else package.parent / "scenarios"


def _rate(text: str, factor: float) -> str:
    value, period = parse_rate(text)
    scaled_value = value * factor
    digits = max(0, 3 - int(math.floor(math.log10(scaled_value))) - 1) if scaled_value > 0 else 0
    return f"{round(scaled_value, digits):g}/{period}"


@dataclass(frozen=True)
class Variation:
    """The factors of one variant: one for volume, one per role (staff) and one per step id (durations)."""

    number: int
    volume: float
    staff: dict[str, float]
    duration: dict[str, float]


def draw(number: int, processes: Sequence[Process], rng: np.random.Generator) -> Variation:
    """The factors of variant ``number`` for ``processes`` (a scenario's before and after: a role or step
    they share is varied alike in both, so the redesign stays a redesign of the variant)."""
    low, high = RANGES["volume"]
    volume = float(math.exp(rng.uniform(math.log(low), math.log(high))))
    roles = sorted({role for p in processes for role in p.roles})
    steps = sorted({step for p in processes for step in p.step_ids})
    staff = {role: float(rng.uniform(*RANGES["staff"])) for role in roles}
    duration = {step: float(rng.uniform(*RANGES["duration"])) for step in steps}
    return Variation(number, volume, staff, duration)


def vary(process: Process, key: str, variation: Variation) -> dict[str, Any]:
    """``process`` varied by ``variation`` (module doc), in file form, with id ``key``."""
    data = load.process_to_data(process)
    for arrival in data.get("arrivals", []):
        arrival["rate"] = _rate(arrival["rate"], variation.volume)
    for role_id, role in data.get("roles", {}).items():
        if isinstance(role.get("staff", 1), int):
            role["staff"] = max(1, round(role.get("staff", 1) * variation.volume * variation.staff[role_id]))
    for step, model in zip(data["steps"], process.steps):
        for name in ("duration", "digital_duration"):
            if name in step and getattr(model, name, None) is not None:
                step[name] = scaled(getattr(model, name), variation.duration[model.id])
    data["id"] = key
    data["name"] = f"{process.name} #{variation.number}"
    data["version"] = f"synthetic-{variation.number}"
    return data


def _dump(path: Path, header: str, data: Any) -> None:
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


def generate_catalog(folder: str | Path, processes: int, seed: int = 0, templates: tuple[str, ...] = TEMPLATES,
                     rules: bool = True) -> Path:
    """Write ``processes`` varied processes, their redesigns and ``catalog.yaml`` into ``folder``; returns the
    catalogue file. Without ``rules`` the catalogue has the redesigns only (one what-if per process)."""
    folder = Path(folder)
    (folder / "processes").mkdir(parents=True, exist_ok=True)
    scenarios = shipped_scenarios()
    bases = {name: load_process(scenarios / name / "before.yaml") for name in templates}
    # a redesign is a change list (applied to the variant) or a complete process file (varied alike)
    redesigns: dict[str, ChangeList | Process] = {}
    for name in templates:
        after = scenarios / name / "after.yaml"
        listed = read_change_list(load.read_file(after), str(after))
        redesigns[name] = listed if listed is not None else load_process(after)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    entries = []
    for number in range(1, processes + 1):
        template = templates[(number - 1) % len(templates)]
        key = f"{template}_{number:04d}"
        redesign = redesigns[template]
        variation = draw(number, [bases[template]] + ([redesign] if isinstance(redesign, Process) else []), rng)
        data = vary(bases[template], key, variation)
        load.process_from_data(data, file=key)  # a variant is a valid process
        _dump(folder / "processes" / f"{key}.yaml",
              f"# Synthetic variant {number} of the shipped scenario {template} (bpr gen-catalog, seed {seed}):\n"
              f"# arrival rates, staff and durations varied within the ranges of docs/sweep.md.\n", data)
        if isinstance(redesign, Process):
            after_data = vary(redesign, key, variation)
            load.process_from_data(after_data, file=f"{key}_after")
        else:
            after_data = {"base": f"{key}.yaml", "changes": redesign.items}
        _dump(folder / "processes" / f"{key}_after.yaml",
              f"# The redesign of {template} (its after.yaml), for variant {number}.\n", after_data)
        entries.append({"file": f"processes/{key}.yaml", "key": key,
                        "whatifs": [{"name": "redesign", "file": f"processes/{key}_after.yaml"}]})
    catalog: dict[str, Any] = {
        "name": f"synthetic catalogue of {processes} procedures (seed {seed})",
        "options": {"replications": 10, "horizon": "13w", "warm_up": "2w", "seed": 0},
        "processes": entries,
    }
    if rules:
        catalog["whatifs"] = [{"name": "digitize-rekey", "rule": "digitize-rekey", "factor": 0.7},
                              {"name": "remove-dominated", "rule": "remove-dominated"},
                              {"name": "add-staff", "rule": "add-staff", "above": 0.85, "add": 1}]
    path = folder / "catalog.yaml"
    _dump(path, "# digitize-rekey: factor 0.7 is an assumption (re-keying is 30% of those steps); replace it with "
                "a measured one.\n" if rules else "", catalog)
    return path
