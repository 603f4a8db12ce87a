"""A realistic synthetic catalogue, made from the shipped scenarios, for tests, benches and demonstrations.

Real catalogues of a city's procedures are not public. This one takes the "before" process of each shipped
scenario as a template and makes ``n`` variants, in turn, each varied within these ranges (drawn from one
``numpy`` generator seeded with ``seed``, so the same arguments write the same files):

==========================  ====================================================================
arrival rates               x a factor v, log-uniform in [0.5, 2] (a small town to a large city)
staff of each role          round(staff x v x u), u uniform in [0.8, 1.25], at least 1 (staff follow volume)
task and approval durations x a factor uniform in [0.8, 1.25], one per step
==========================  ====================================================================

Each variant has the scenario's redesign as a what-if of its own (the scenario's ``after.yaml`` change list,
based on the variant), and the catalogue tries ``digitize-rekey`` (with ``factor: 0.7``, an assumption to
replace with a measured one), ``remove-dominated`` and ``add-staff`` on every process.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bpr.changes import load_process, read_change_list
from bpr.changes.durations import scaled
from bpr.model import load
from bpr.model.schema import Process
from bpr.model.units import parse_rate

__all__ = ["RANGES", "TEMPLATES", "generate_catalog", "shipped_scenarios", "vary"]

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


def vary(process: Process, key: str, number: int, rng: np.random.Generator) -> dict[str, Any]:
    """``process`` varied as the module doc says, in file form, with id ``key``."""
    data = load.process_to_data(process)
    low, high = RANGES["volume"]
    volume = float(math.exp(rng.uniform(math.log(low), math.log(high))))
    for arrival in data.get("arrivals", []):
        arrival["rate"] = _rate(arrival["rate"], volume)
    for role in data.get("roles", {}).values():
        if isinstance(role.get("staff", 1), int):
            role["staff"] = max(1, round(role.get("staff", 1) * volume * rng.uniform(*RANGES["staff"])))
    for step, model in zip(data["steps"], process.steps):
        factor = float(rng.uniform(*RANGES["duration"]))
        for name in ("duration", "digital_duration"):
            if name in step and getattr(model, name, None) is not None:
                step[name] = scaled(getattr(model, name), factor)
    data["id"] = key
    data["name"] = f"{process.name} #{number}"
    data["version"] = f"synthetic-{number}"
    return data


def generate_catalog(folder: str | Path, processes: int, seed: int = 0,
                     templates: tuple[str, ...] = TEMPLATES) -> Path:
    """Write ``processes`` varied processes, their redesigns and ``catalog.yaml`` into ``folder``; returns the
    catalogue file."""
    folder = Path(folder)
    (folder / "processes").mkdir(parents=True, exist_ok=True)
    scenarios = shipped_scenarios()
    bases = {name: load_process(scenarios / name / "before.yaml") for name in templates}
    afters = {}
    for name in templates:
        listed = read_change_list(load.read_file(scenarios / name / "after.yaml"), str(scenarios / name / "after.yaml"))
        afters[name] = listed
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    entries = []
    for number in range(1, processes + 1):
        template = templates[(number - 1) % len(templates)]
        key = f"{template}_{number:04d}"
        data = vary(bases[template], key, number, rng)
        load.process_from_data(data, file=key)  # a variant is a valid process
        header = (f"# Synthetic variant {number} of the shipped scenario {template} (bpr gen-catalog, seed {seed}):\n"
                  f"# arrival rates, staff and durations varied within the ranges of docs/sweep.md.\n")
        (folder / "processes" / f"{key}.yaml").write_text(
            header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
        entry: dict[str, Any] = {"file": f"processes/{key}.yaml", "key": key}
        listed = afters[template]
        if listed is not None:
            after = {"base": f"{key}.yaml", "changes": listed.items}
            (folder / "processes" / f"{key}_after.yaml").write_text(
                f"# The redesign of {template} (its after.yaml), based on variant {number}.\n"
                + yaml.safe_dump(after, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
            entry["whatifs"] = [{"name": "redesign", "file": f"processes/{key}_after.yaml"}]
        entries.append(entry)
    catalog = {
        "name": f"synthetic catalogue of {processes} procedures (seed {seed})",
        "options": {"replications": 10, "horizon": "13w", "warm_up": "2w", "seed": 0},
        "processes": entries,
        "whatifs": [{"name": "digitize-rekey", "rule": "digitize-rekey", "factor": 0.7},
                    {"name": "remove-dominated", "rule": "remove-dominated"},
                    {"name": "add-staff", "rule": "add-staff", "above": 0.85, "add": 1}],
    }
    path = folder / "catalog.yaml"
    path.write_text("# digitize-rekey: factor 0.7 is an assumption (re-keying is 30% of those steps); replace it "
                    "with a measured one.\n" + yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False, width=110),
                    encoding="utf-8")
    return path
