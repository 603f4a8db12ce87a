"""A small catalogue for the sweep's tests: two cheap shipped processes, a redesign, and rules, so that every
kind of version (a change list, an analysis rule, a rule that needs the baseline, no change) is in it."""

from __future__ import annotations

from pathlib import Path

from bpr.study.catalog import read_catalog
from bpr.study.executors import Executor
from bpr.study.options import SweepOptions
from bpr.study.store import RunStore
from bpr.study.sweep import Progress, SweepResult, plan_sweep, run_sweep
from bpr.study.table import RANKING_COLUMNS, ranking, rows_csv, rows_parquet, sweep_rows

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = SweepOptions(replications=3, horizon="3w", warm_up="1w", seed=11)


def write_catalog(folder: Path) -> Path:
    scenarios = ROOT / "scenarios"
    path = folder / "catalog.yaml"
    path.write_text(f"""\
name: test catalogue
processes:
  - file: {scenarios / "purchase_ringi" / "before.yaml"}
    key: ringi
    whatifs:
      - {{name: redesign, file: {scenarios / "purchase_ringi" / "after.yaml"}}}
  - file: {scenarios / "road_occupancy" / "before.yaml"}
    key: road
whatifs:
  - {{name: dominated, rule: remove-dominated}}
  - {{name: staff, rule: add-staff, above: 0.05}}
  - {{name: rekey, rule: digitize-rekey, factor: 0.5}}
""", encoding="utf-8")
    return path


def sweep(catalog: Path, executor: Executor, store: RunStore | None = None,
          progress: Progress | None = None) -> SweepResult:
    return run_sweep(plan_sweep(read_catalog(catalog), OPTIONS), executor, store, progress)


def outputs(result: SweepResult) -> tuple[str, bytes, str]:
    """What a sweep writes: the table as CSV and Parquet, and the ranking."""
    rows = sweep_rows(result)
    return rows_csv(rows), rows_parquet(rows), rows_csv(ranking(result), RANKING_COLUMNS)
