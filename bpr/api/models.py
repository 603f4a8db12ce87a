"""Request and response bodies of the REST service (pydantic), as they appear in the OpenAPI schema.

A process can be sent three ways, exactly one per request:

- ``process_yaml``: the text of a process file (the same YAML an analyst writes; issues carry its lines);
- ``process``: the same content as a JSON object (field names and units exactly as in the file);
- ``scenario``: the name of a shipped scenario (``GET /v1/scenarios``), with ``variant`` before or after.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnalyzeRequest",
    "HealthResponse",
    "IssueOut",
    "IssuesResponse",
    "JobOut",
    "ProcessInput",
    "RedesignOptions",
    "RedesignRequest",
    "RenderRequest",
    "ReplicaCacheOut",
    "ScenarioOut",
    "ScenariosResponse",
    "SimOptions",
    "SimulateRequest",
    "ValidateRequest",
    "ValidateResponse",
    "WarmOut",
    "WhatIfRequest",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProcessInput(_Body):
    """Exactly one of ``process_yaml``, ``process`` or ``scenario``."""

    process_yaml: str | None = Field(
        default=None, description="the process file as YAML text", examples=["id: permit\nname: 許可申請\n..."]
    )
    process: dict[str, Any] | None = Field(
        default=None, description="the process as a JSON object with the fields of the process file"
    )
    scenario: str | None = Field(
        default=None, description="name of a shipped scenario (see GET /v1/scenarios)", examples=["child_allowance"]
    )
    variant: Literal["before", "after"] = Field(
        default="before", description="which file of the scenario: before.yaml or after.yaml"
    )


class SimOptions(_Body):
    """Simulation options; omitted fields take the defaults of ``bpr simulate`` (see docs/results.md)."""

    replications: Annotated[int, Field(ge=2)] | None = Field(
        default=None, description="a fixed count of independent runs, instead of running them until 'precision'")
    horizon: str | None = Field(default=None, description="measurement window, e.g. 1y, 6mo, 4w", examples=["1y"])
    warm_up: str | None = Field(default=None, description="simulated before measuring starts, e.g. 4w")
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = Field(default=None, description="random seed")
    start_date: date | None = Field(default=None, description="first simulated day (YYYY-MM-DD)")
    hours_per_fte: Annotated[float, Field(ge=1, le=8760)] | None = Field(
        default=None, description="working hours of one full-time employee a year"
    )
    precision: Annotated[float, Field(gt=0, lt=1)] | None = Field(
        default=None, description="run replications until the 95% interval of the lead time and staff-hours (of "
        "their difference, for a what-if) is within ± this share of the before value (0.02: ±2%, the default "
        "unless 'replications' gives a fixed count; with both, 'replications' is not used); the answer's "
        "'precision' says what was reached", examples=[0.02])
    max_replications: Annotated[int, Field(ge=5)] | None = Field(
        default=None, description="the most replications 'precision' may run (default 200, or the server's limit)")


Mode = Literal["auto", "job"]
_MODE: Mode = Field(default="auto", description="auto: answer inline when quick, else as a job; job: always a job")


class ValidateRequest(ProcessInput):
    pass


class AnalyzeRequest(ProcessInput):
    pass


class SimulateRequest(ProcessInput):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"scenario": "child_allowance", "options": {"replications": 10, "horizon": "1y", "seed": 1}},
    ]})

    options: SimOptions = Field(default_factory=SimOptions)
    mode: Mode = _MODE


class WhatIfRequest(ProcessInput):
    """A base process (or scenario), changes in the change language (or a complete ``after`` process), and
    simulation options."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"scenario": "child_allowance", "changes": [{"staff": {"nyuryoku": 3}}],
         "options": {"replications": 10, "horizon": "1y"}},
        {"scenario": "purchase_ringi", "changes_yaml": "- remove: hosa_check\n- digitize: [kian]\n"},
        {"scenario": "child_allowance", "after": {"scenario": "child_allowance", "variant": "after"}},
    ]})

    changes: list[dict[str, Any]] | None = Field(
        default=None,
        description="changes in the change language, each a one-key object",
        examples=[[{"staff": {"clerk": 3}}, {"digitize": ["receive"]}]],
    )
    changes_yaml: str | None = Field(
        default=None, description="the same list as YAML text (issues then carry its lines)",
        examples=["- remove: chief_check\n- staff: {clerk: 3}\n"],
    )
    after: ProcessInput | None = Field(
        default=None, description="instead of changes: a complete redesigned process to compare with the base "
                                  "(e.g. a scenario's after variant)",
        examples=[{"scenario": "child_allowance", "variant": "after"}],
    )
    options: SimOptions = Field(default_factory=SimOptions)
    mode: Mode = _MODE


class RedesignOptions(_Body):
    """Options of ``bpr redesign``; omitted fields take its defaults (docs/redesign.md)."""

    top: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="keep only the K best candidates in the answer (all are simulated and "
                                  "may enter the plan)", examples=[5])
    replications: Annotated[int, Field(ge=2)] = Field(
        default=10, description="replications of every simulation (baseline, each candidate, each plan step)")
    horizon: str = Field(
        default="auto", description="measured window of each simulation, e.g. 4w, 3mo, 1y; auto: chosen from "
                                    "the process (five expected lead times, at least 4w)", examples=["auto", "8w"])
    warm_up: str = Field(
        default="auto", description="simulated before measuring starts; auto: as the horizon chosen from the "
                                    "process", examples=["auto", "4w"])
    seed: Annotated[int, Field(ge=0, lt=2**63)] = Field(
        default=0, description="seed of every simulation (common random numbers)")
    heuristics: Annotated[list[str], Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="run only these heuristics (default: all)", examples=[["eliminate", "delegate"]])


class RedesignRequest(ProcessInput):
    """A process (or scenario) to redesign, and the options of ``bpr redesign``. Always run as a job."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"scenario": "purchase_ringi", "options": {"top": 5, "replications": 10}},
        {"scenario": "child_allowance", "options": {"replications": 4, "horizon": "4w", "warm_up": "2w",
                                                    "heuristics": ["digitize", "batching"]}},
    ]})

    options: RedesignOptions = Field(default_factory=RedesignOptions)


class RenderRequest(ProcessInput):
    findings: bool = Field(default=False, description="mark the analysis findings on the diagram")
    lang: Literal["ja", "en"] = Field(default="ja", description="language of the diagram's labels and legend")


# --- responses ---------------------------------------------------------------------------------------


class IssueOut(BaseModel):
    """One located problem, as the CLI prints it: ``file:line:column: path: message — hint``."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    hint: str | None
    severity: str = "error"


class IssuesResponse(BaseModel):
    """The body of every 4xx (and of the 500 that bad input never causes)."""

    issues: list[IssueOut]


class ValidateResponse(BaseModel):
    valid: bool
    process: str = Field(description="the process id")
    name: str
    steps: int
    issues: list[IssueOut] = Field(description="always empty: an invalid process is answered with 422")
    normalized: dict[str, Any] = Field(description="the process as JSON in file form (units kept)")


class JobOut(BaseModel):
    """A job: poll ``GET /v1/jobs/{id}`` until ``status`` is done, failed or cancelled."""

    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(ge=0, le=1)
    estimate_seconds: float
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    result: dict[str, Any] | None = Field(
        default=None, description="when done: as the inline answer; for a redesign, the JSON of "
                                  "`bpr redesign --format json` plus `plan_yaml`, the plan file's text")
    issues: list[IssueOut] | None = Field(default=None, description="when failed or cancelled: why")


class ScenarioOut(BaseModel):
    name: str
    title: str
    variants: list[Literal["before", "after"]]
    process: str | None
    process_name: str | None
    steps: int | None
    issues: list[IssueOut] = Field(default_factory=list, description="problems loading it (should be none)")


class ScenariosResponse(BaseModel):
    scenarios: list[ScenarioOut]


class ReplicaCacheOut(BaseModel):
    """Replication outputs kept in memory for reuse by later requests (see docs/api.md)."""

    entries: int = Field(description="replications kept")
    protected: int = Field(description="of which found again by a request, or computed ahead by the warm-up: "
                                       "dropped only after the others")
    bytes: int = Field(description="their approximate size")
    max_entries: int
    max_bytes: int
    hits: int = Field(description="replications found when a request looked (since start)")
    misses: int = Field(description="replications not found, so run (since start)")
    evicted: int = Field(description="replications dropped to stay within the bounds (since start)")


class WarmOut(BaseModel):
    """The idle-time warm-up of the shipped scenarios (``bpr serve --warm``; see docs/api.md)."""

    state: Literal["off", "pending", "warming", "done", "stopped"] = Field(
        description="off: not enabled; pending: reading the scenarios; warming: computing while the workers are "
                    "idle; done: every replication kept; stopped: ended early (message says why)")
    done: int = Field(description="replications of the warm-up put in the cache so far (or found there)")
    total: int = Field(description="replications the warm-up computes: scenario files x default replications")
    message: str | None = Field(default=None, description="why it stopped, or what it skipped")


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    workers: int
    active: int = Field(description="runs queued or running")
    max_active: int
    replicas: ReplicaCacheOut
    warm: WarmOut
