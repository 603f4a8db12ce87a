"""The sweep's table and its ranking, as rows of plain values, CSV text and Parquet bytes.

**Table**: one row per version (each process's baseline, then its what-ifs, in catalogue order). For each
measure of :data:`MEASURES` a version has its mean over replications and 95% interval (``lead_days``,
``lead_days_low``, ``lead_days_high``); a what-if row also has the paired change against its baseline with
its interval and the change in percent (``lead_days_change``, ``…_change_low``, ``…_change_high``,
``…_pct``). Replication ``r`` of a what-if and of its baseline saw the same arrivals (common random
numbers), so these intervals are those of paired differences: narrow. Columns are :data:`COLUMNS`, in order.

**Ranking**: the what-ifs that ran, best first by one gain (:data:`GAINS`): staff cost saved a year (yen),
staff-hours saved a year, or lead time saved per case; each with its interval and whether the interval
excludes zero. Ties are broken by process key and what-if name, so the order is the same on every machine.

Values are written so that the same records give the same bytes: floats as the shortest text that reads
back exactly (``repr``), a missing value as an empty field (CSV) or null (Parquet).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

from bpr.simulate.estimate import Difference, Estimate
from bpr.study.catalog import BASELINE
from bpr.study.sweep import RUN, SweepResult, Version

__all__ = ["COLUMNS", "GAINS", "MEASURES", "RANKING_COLUMNS", "ranking", "rows_csv", "rows_parquet", "sweep_rows"]

MEASURES: dict[str, str] = {
    "lead_days": "lead time, calendar days (mean per case)",
    "business_days": "lead time, business days (mean per case)",
    "waiting": "waiting, minutes (mean per case)",
    "counter_wait": "waiting of citizens at the counter, minutes (mean per case)",
    "touch_time": "staff working on the case, minutes (mean per case)",
    "visits": "citizen visits (mean per case)",
    "staff_hours_per_year": "staff-hours a year",
    "fte": "full-time equivalents",
    "cost_yen_per_year": "staff cost a year, yen",
}

GAINS: dict[str, tuple[str, str]] = {
    "yen": ("cost_yen_per_year", "staff cost saved a year, yen"),
    "hours": ("staff_hours_per_year", "staff-hours saved a year"),
    "lead_days": ("lead_days", "lead time saved per case, calendar days"),
}
"""Ranking key -> (measure, meaning); a gain is the measure before minus after (positive: better)."""

_TEXT, _INT, _FLOAT, _BOOL = "string", "int64", "float64", "bool"

COLUMNS: list[tuple[str, str]] = [
    ("process", _TEXT), ("process_id", _TEXT), ("process_name", _TEXT), ("file", _TEXT), ("whatif", _TEXT),
    ("status", _TEXT), ("note", _TEXT), ("changes", _TEXT), ("run_key", _TEXT), ("replications", _INT),
    ("cases_per_year", _FLOAT), ("max_utilisation", _FLOAT), ("overloaded", _BOOL),
    *[(f"{m}{suffix}", _FLOAT) for m in MEASURES for suffix in ("", "_low", "_high")],
    *[(f"{m}{suffix}", _FLOAT) for m in MEASURES for suffix in ("_change", "_change_low", "_change_high", "_pct")],
]

RANKING_COLUMNS: list[tuple[str, str]] = [
    ("rank", _INT), ("process", _TEXT), ("process_name", _TEXT), ("whatif", _TEXT), ("changes", _TEXT),
    *[(f"{gain}_saved{suffix}", _FLOAT) for gain in GAINS for suffix in ("", "_low", "_high")],
    *[(f"{gain}_significant", _BOOL) for gain in GAINS],
    ("lead_days_pct", _FLOAT), ("overloaded", _BOOL),
]


def _mean(values: Sequence[float]) -> float:
    clean = [v for v in values if not math.isnan(v)]
    return math.fsum(clean) / len(clean) if clean else math.nan


def _row(result: SweepResult, version: Version, base: Version) -> dict[str, Any]:
    entry = version.entry
    record = result.record(version)
    row: dict[str, Any] = {name: None for name, _ in COLUMNS}
    row.update(process=entry.key, process_id=entry.process.id, process_name=entry.process.name, file=entry.file,
               whatif=version.whatif, status=version.status, note=version.note, changes=version.described,
               run_key=version.key, replications=result.plan.options.replications)
    if record is None:
        return row
    if record.error is not None:
        row.update(status="failed", note=record.error)
        return row
    values = record.values
    utilisations = [_mean(values[k]) for k in values if k.startswith("role.") and k.endswith(".utilisation")]
    utilisations = [u for u in utilisations if not math.isnan(u)]
    row.update(cases_per_year=_mean(values["cases_per_year"]), overloaded=record.overloaded,
               max_utilisation=max(utilisations) if utilisations else math.nan,
               note=version.note or "; ".join(record.warnings))
    for measure in MEASURES:
        estimate = Estimate.of(values[measure], floor=0.0)
        row[measure], row[f"{measure}_low"], row[f"{measure}_high"] = estimate.mean, estimate.low, estimate.high
    before = result.record(base)
    if version is base or before is None or before.error is not None:
        return row
    for measure in MEASURES:
        difference = Difference.of(before.values[measure], values[measure])
        d = difference.difference
        row[f"{measure}_change"], row[f"{measure}_change_low"], row[f"{measure}_change_high"] = d.mean, d.low, d.high
        row[f"{measure}_pct"] = difference.percent_change
    return row


def sweep_rows(result: SweepResult) -> list[dict[str, Any]]:
    """The table (see module doc): every column of :data:`COLUMNS` in every row, ``None`` when missing."""
    rows = []
    for entry in result.plan.catalog.entries:
        base = result.baseline(entry)
        for version in (v for v in result.versions if v.entry is entry):
            rows.append(_row(result, version, base))
    return rows


def ranking(result: SweepResult, by: str = "yen") -> list[dict[str, Any]]:
    """What-ifs that ran, best first by gain ``by`` (a key of :data:`GAINS`), with every gain's interval."""
    if by not in GAINS:
        raise ValueError(f"unknown gain {by!r}; gains: {', '.join(GAINS)}")
    ranked = []
    for entry in result.plan.catalog.entries:
        before = result.record(result.baseline(entry))
        if before is None or before.error is not None:
            continue
        for version in result.versions:
            after = result.record(version)
            if version.entry is not entry or version.whatif == BASELINE or version.status != RUN or \
                    after is None or after.error is not None:
                continue
            row: dict[str, Any] = {"process": entry.key, "process_name": entry.process.name,
                                   "whatif": version.whatif, "changes": version.described,
                                   "overloaded": before.overloaded or after.overloaded}
            for gain, (measure, _) in GAINS.items():
                # before - after: a saving is positive
                saved = Difference.of(after.values[measure], before.values[measure])
                d = saved.difference
                row[f"{gain}_saved"], row[f"{gain}_saved_low"], row[f"{gain}_saved_high"] = d.mean, d.low, d.high
                row[f"{gain}_significant"] = saved.significant
            row["lead_days_pct"] = -Difference.of(before.values["lead_days"], after.values["lead_days"]).percent_change
            ranked.append(row)

    def order(row: dict[str, Any]) -> tuple[bool, float, str, str]:
        gain = row[f"{by}_saved"]
        return (math.isnan(gain), -gain if not math.isnan(gain) else 0.0, row["process"], row["whatif"])

    ranked.sort(key=order)
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return [{name: row.get(name) for name, _ in RANKING_COLUMNS} for row in ranked]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value + 0.0) if math.isfinite(value) else ""  # + 0.0: no "-0.0"
    return str(value)


def rows_csv(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]] = COLUMNS) -> str:
    """``rows`` as CSV text with a header row, columns in the order of ``columns``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([_text(row.get(name)) for name, _ in columns])
    return out.getvalue()


def rows_parquet(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]] = COLUMNS) -> bytes:
    """``rows`` as a Parquet file (needs pyarrow: the ``dask`` extra or ``pip install pyarrow``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("writing Parquet needs pyarrow: pip install 'bpr[dask]' (or pyarrow)") from None
    types = {_TEXT: pa.string(), _INT: pa.int64(), _FLOAT: pa.float64(), _BOOL: pa.bool_()}

    def clean(value: Any) -> Any:
        if isinstance(value, float):
            return value + 0.0 if math.isfinite(value) else None
        return value

    table = pa.table({name: pa.array([clean(row.get(name)) for row in rows], type=types[kind])
                      for name, kind in columns})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
