"""Request and response bodies of the workflow engine's endpoints (:mod:`bpr.api.cases`).

Requests forbid unknown fields: no body can name the actor (``actor``, ``user``, ``by``… are refused as
unknown fields), who acts is always the user the bearer token names. Free text refuses NUL characters,
which PostgreSQL cannot store, and is bounded so that a huge note is a 422, not a database error.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from bpr.api.models import ProcessInput

__all__ = [
    "AbsenceIn", "AbsenceOut", "ActionOut", "AuditRowOut", "CaseOut", "CaseStart", "CaseSummaryOut", "CommentIn",
    "CommentOut", "CreatedOut", "DefinitionOut", "DeployOut", "DeployRequest", "InboxCountsOut", "InboxItemOut",
    "ItemAction", "ItemOut", "NotificationOut", "ReturnAction", "UserOut", "VerificationOut", "WithdrawIn",
    "WithdrawOut",
]

DB_INT = 2**31 - 1
"""The largest id or version the tables hold (a 32-bit integer on PostgreSQL)."""


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text may not contain NUL characters")
    return text


Note = Annotated[str, Field(max_length=10_000), AfterValidator(_no_nul)]
Ref = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*(@[0-9]{1,9})?$", max_length=80,
                           examples=["purchase_ringi", "purchase_ringi@2"])]
Id = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeployRequest(ProcessInput):
    """The process to deploy as a new version: ``process_yaml`` (a process file or a change list whose base is
    given the same way), ``process`` (JSON), or a shipped ``scenario`` with its ``variant``."""


class CaseStart(_In):
    process: Ref = Field(description="the process id (its latest version) or a version ref id@N")
    attributes: dict[str, Any] = Field(default_factory=dict, description="the attributes the file declares",
                                       examples=[{"amount": 500000}])
    choice: dict[Id, Id] | None = Field(default=None, description="decision id -> the branch a person chose")


class ItemAction(_In):
    version: int | None = Field(default=None, ge=1, le=DB_INT,
                                description="the item's version as read (409 if it changed since)")
    choice: dict[Id, Id] | None = Field(default=None, description="decision id -> the branch a person chose")
    note: Note = ""


class ReturnAction(ItemAction):
    to: Id | None = Field(default=None, description="an earlier step of the case; default the previous actor")


class WithdrawIn(_In):
    note: Note = ""


class CommentIn(_In):
    text: Annotated[Note, Field(min_length=1)]


class AbsenceIn(_In):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    starts: AwareDatetime = Field(alias="from", description="with its time zone: 2027-04-05T09:00:00+09:00")
    ends: AwareDatetime = Field(alias="to")
    substitute: Id = Field(description="the user who acts for you meanwhile (代決)")


# --- answers -----------------------------------------------------------------------------------------------

class UserOut(BaseModel):
    id: str
    name: str
    roles: list[str]
    auditor: bool


class DefinitionOut(BaseModel):
    id: int
    ref: str
    process_id: str
    version: int
    name: str
    label: str
    content_hash: str
    deployed_at: str
    deployed_by: str


class DeployOut(BaseModel):
    definition: DefinitionOut
    created: bool = Field(description="false when the same content was deployed already (its version is kept)")


class CreatedOut(BaseModel):
    id: int


class CaseSummaryOut(BaseModel):
    id: int
    definition: str
    process: str
    status: str
    outcome: str
    drafter: str
    attributes: dict[str, Any]
    started_at: str | None
    ended_at: str | None
    due_at: str | None
    version: int


class ItemOut(BaseModel):
    id: int
    step: str
    step_name: str
    kind: str
    role: str
    status: str
    created_at: str | None
    claimed_by: str | None
    done_at: str | None
    done_by: str | None
    on_behalf_of: str | None
    outcome: str | None
    due_at: str | None
    escalations: int
    version: int


class CommentOut(BaseModel):
    id: int
    author: str
    at: str | None
    text: str


class CaseOut(CaseSummaryOut):
    items: list[ItemOut]
    comments: list[CommentOut]


class AuditRowOut(BaseModel):
    seq: int
    at: str
    actor: str
    on_behalf_of: str | None
    action: str
    case_id: int | None
    item_id: int | None
    definition_id: int | None
    detail: str = Field(description="canonical JSON of what the action did")
    prev_hash: str
    hash: str


class ActionOut(BaseModel):
    item: int
    action: str
    opened: list[int] = Field(description="the items the action opened (empty for claim and release)")


class WithdrawOut(BaseModel):
    case: int
    item: int = Field(description="the drafter's reopened item")


class InboxItemOut(BaseModel):
    id: int
    case_id: int
    process: str
    definition: str
    step: str
    step_name: str
    kind: str
    role: str
    status: str
    claimed_by: str | None
    created_at: str
    due_at: str | None
    overdue: bool
    version: int
    for_user: str | None = Field(description="the absent user this work is done for (代決)")


class InboxCountsOut(BaseModel):
    total: int
    overdue: int
    by_process: dict[str, dict[str, int]]


class AbsenceOut(BaseModel):
    id: int
    user: str
    substitute: str
    from_: str = Field(alias="from")
    to: str


class NotificationOut(BaseModel):
    id: int
    at: str | None
    kind: str
    case_id: int
    item_id: int | None
    text: str


class VerificationOut(BaseModel):
    ok: bool
    rows: int
    archived: int
    problems: list[str]


ExportFormat = Literal["csv", "xes"]
