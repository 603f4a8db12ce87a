"""Sweeps: every process of a catalogue, as it is and under every what-if, simulated with common random numbers.

:func:`plan_sweep` turns a :class:`~bpr.study.catalog.Catalog` into *versions*: one baseline per process and
one per (process, what-if), each with the changes that make it and the key of its run
(:func:`bpr.study.runs.run_key`). Versions whose rule needs the baseline's figures (``add-staff``) are
resolved when that baseline's run is in. :func:`run_sweep` runs what the store does not hold yet on an
executor (:mod:`bpr.study.executors`), stores each run the moment it finishes (:mod:`bpr.study.store`) and
returns every record; :mod:`bpr.study.table` makes the table and the ranking of them.

A what-if that changes nothing (a rule that found nothing to do) or that does not apply to a process (a
change list naming a role it lacks) is not run: its row says why. Versions with the same key (two rules that
make the same changes) share one run. Runs are independent, so a sweep resumes anywhere, and their seeds
are fixed by the process's key (:mod:`bpr.study.options`), so the executor never changes a number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from bpr.changes import describe, parse_changes
from bpr.changes import apply_changes
from bpr.errors import BprError
from bpr.model.load import process_to_data
from bpr.model.schema import Process
from bpr.study.catalog import BASELINE, Catalog, CatalogEntry, WhatIf
from bpr.study.executors import Executor
from bpr.study.options import SweepOptions, process_seed
from bpr.study.runs import RunRecord, RunTask, run_key
from bpr.study.store import RunStore
from bpr.study.whatifs import needs_baseline, resolve_rule

__all__ = ["Progress", "SweepPlan", "SweepResult", "Version", "plan_sweep", "run_sweep"]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: runs finished (or found in the store) out of runs the sweep needs."""

RUN, NO_CHANGE, NOT_APPLICABLE, WAITING, BASELINE_FAILED = (
    "run", "no change", "not applicable", "waiting for baseline", "baseline failed")


@dataclass(frozen=True)
class Version:
    """A process as it is (``whatif == "baseline"``) or under one what-if; ``task`` when it is to be run."""

    entry: CatalogEntry
    whatif: str
    status: str  # RUN, NO_CHANGE, NOT_APPLICABLE, WAITING (resolved during the sweep) or BASELINE_FAILED
    changes: tuple[dict[str, object], ...] = ()
    described: str = ""  # the changes in words, "; "-separated
    note: str = ""
    task: RunTask | None = None
    rule: WhatIf | None = field(default=None, repr=False)

    @property
    def key(self) -> str | None:
        return self.task.key if self.task is not None else None


@dataclass(frozen=True)
class SweepPlan:
    catalog: Catalog
    options: SweepOptions
    versions: tuple[Version, ...]

    @property
    def runs(self) -> int:
        """Distinct runs known now (those of rules that need a baseline are counted once each, as if they
        all changed something)."""
        return len({v.key for v in self.versions if v.key is not None}) + sum(
            v.status == WAITING for v in self.versions)


@dataclass(frozen=True)
class SweepResult:
    plan: SweepPlan
    versions: tuple[Version, ...]  # every what-if resolved
    records: dict[str, RunRecord]
    ran: int  # runs done now
    reused: int  # runs found in the store

    def record(self, version: Version) -> RunRecord | None:
        return self.records.get(version.key) if version.key is not None else None

    def baseline(self, entry: CatalogEntry) -> Version:
        return next(v for v in self.versions if v.entry is entry and v.whatif == BASELINE)

    @property
    def cpu_seconds(self) -> float:
        """CPU time of every run of the sweep (those taken from the store too), summed over the workers."""
        return sum(r.cpu_seconds for r in self.records.values())


def _version(entry: CatalogEntry, name: str, process: Process, changes: tuple[dict[str, object], ...],
             options: SweepOptions, described: str = "") -> Version:
    """A version to run: ``changes`` applied to the entry's process give ``process`` (without changes,
    ``process`` is the baseline or a complete redesigned file). Every version of an entry has its seed."""
    config = options.config(process_seed(options.seed, entry.key))
    key = run_key(entry.process if changes else process, changes, config)
    if changes:
        described = "; ".join(describe(change) for change in parse_changes(list(changes)))
    task = RunTask(key, f"{entry.key} / {name}", process_to_data(process), config.model_dump(mode="json"))
    return Version(entry, name, RUN, changes, described, task=task)


def _whatif_version(entry: CatalogEntry, whatif: WhatIf, options: SweepOptions,
                    baseline: RunRecord | None = None) -> Version:
    """The version of ``whatif`` on ``entry`` (a rule resolved now, or WAITING for the baseline)."""
    if whatif.process is not None:
        return replace(_version(entry, whatif.name, whatif.process, (), options,
                                f"the redesigned process {whatif.file}"), rule=whatif)
    if whatif.rule is not None:
        if needs_baseline(whatif.rule) and baseline is None:
            return Version(entry, whatif.name, WAITING, rule=whatif)
        resolution = resolve_rule(whatif.rule, whatif.params, entry.process,
                                  baseline.values if baseline is not None else None)
        if not resolution.changes:
            return Version(entry, whatif.name, NO_CHANGE, note=resolution.note, rule=whatif)
        changes = resolution.changes
    else:
        changes = whatif.changes or ()
    try:
        changed = apply_changes(entry.process, list(changes), file=whatif.where or "<catalogue>")
    except BprError as error:
        return Version(entry, whatif.name, NOT_APPLICABLE, changes, note=str(error).splitlines()[0], rule=whatif)
    return replace(_version(entry, whatif.name, changed, changes, options), rule=whatif)


def plan_sweep(catalog: Catalog, options: SweepOptions | None = None) -> SweepPlan:
    """Every version of every process of ``catalog`` (see module doc); options default to the catalogue's."""
    options = options or SweepOptions(**catalog.options)
    versions: list[Version] = []
    for entry in catalog.entries:
        versions.append(_version(entry, BASELINE, entry.process, (), options))
        versions.extend(_whatif_version(entry, whatif, options) for whatif in catalog.whatifs_of(entry))
    return SweepPlan(catalog, options, tuple(versions))


def run_sweep(plan: SweepPlan, executor: Executor, store: RunStore | None = None,
              progress: Progress | None = None) -> SweepResult:
    """Run every version of ``plan`` that ``store`` does not hold on ``executor``; see module doc.

    Each run is stored as soon as it finishes, so an interrupted sweep loses only the runs in progress.
    ``progress(done, total)`` is called for runs found in the store (at once) and for each finished run.
    """
    versions = list(plan.versions)
    records: dict[str, RunRecord] = {}
    submitted: set[str] = set()
    total = plan.runs
    done = ran = reused = 0

    def report() -> None:
        if progress is not None:
            progress(done, total)

    def need(version: Version) -> Iterable[RunTask]:
        """The task of ``version`` unless its run is known; a stored run is taken at once."""
        nonlocal done, reused
        task = version.task
        if task is None or task.key in records or task.key in submitted:
            return
        stored = store.get(task.key) if store is not None else None
        if stored is not None:
            records[task.key] = stored
            done += 1
            reused += 1
            yield from resolved(stored)
            return
        submitted.add(task.key)
        yield task

    def resolved(record: RunRecord) -> Iterable[RunTask]:
        """The what-ifs waiting for the baseline whose run is ``record``, resolved now."""
        nonlocal total
        for index, version in enumerate(versions):
            if version.status != WAITING or version.rule is None:
                continue
            base = next(v for v in versions if v.entry is version.entry and v.whatif == BASELINE)
            if base.key != record.key:
                continue
            if record.error is not None:
                versions[index] = replace(version, status=BASELINE_FAILED, note=record.error)
            else:
                versions[index] = _whatif_version(version.entry, version.rule, plan.options, record)
            new = versions[index]
            if new.key is None or new.key in records or new.key in submitted:
                total -= 1  # counted as a run of its own in plan.runs, but there is none to do
            yield from need(new)

    with executor:
        for version in list(versions):
            for task in need(version):
                executor.submit(task)
        report()
        for record in executor.completed():
            records[record.key] = record
            if store is not None:
                store.put(record)
            done += 1
            ran += 1
            report()
            for task in resolved(record):
                executor.submit(task)
    return SweepResult(plan, tuple(versions), records, ran, reused)
