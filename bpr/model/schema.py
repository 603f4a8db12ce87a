"""The process file as frozen pydantic models: what a process *is*, field by field.

One model per concept of ``docs/format.md``. Models check what a single field can know (units, ranges,
condition syntax); facts that span fields (a step routed to another that exists, a role that is declared,
soundness of the flow) are checked in :mod:`bpr.model.refs` and :mod:`bpr.model.soundness`, which name
the exact path of each problem. Construct processes through :mod:`bpr.model.load`, which runs all checks.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    BeforeValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from bpr.model.conditions import ConditionError, parse_condition
from bpr.model.distributions import AttributeDistribution, Duration
from bpr.model.units import parse_rate

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
"""Stable ASCII identifier of a step, role, calendar or attribute (display names go in ``name``)."""

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CHANNELS: tuple[str, ...] = ("counter", "mail", "online", "internal", "phone")
Channel = Literal["counter", "mail", "online", "internal", "phone"]
Medium = Literal["paper", "digital"]

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-4]):([0-5][0-9])$")


def clock_minutes(text: str) -> int:
    """``"08:30"`` -> 510 minutes after midnight."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"cannot read time of day {text!r}; write HH:MM such as '08:30'")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 24 * 60:
        raise ValueError(f"time of day {text!r} is after 24:00")
    return minutes


def _check_clock(text: str) -> str:
    clock_minutes(text)
    return text


def _check_span(text: str) -> str:
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"cannot read working hours {text!r}; write a span such as '08:30-12:00'")
    if clock_minutes(start) >= clock_minutes(end):
        raise ValueError(f"working hours {text!r} end before they start")
    return text


def _check_condition(text: str) -> str:
    try:
        parse_condition(text)
    except ConditionError as error:
        raise ValueError(str(error)) from None
    return text


def _check_rate(text: str) -> str:
    parse_rate(text)
    return text


Clock = Annotated[str, AfterValidator(_check_clock)]
Span = Annotated[str, AfterValidator(_check_span)]
ConditionText = Annotated[str, AfterValidator(_check_condition)]
Rate = Annotated[str, AfterValidator(_check_rate)]
Probability = Annotated[float, Field(ge=0, le=1)]


class Model(BaseModel):
    """Base of every file model: unknown fields are errors, values never change after loading, numbers are
    finite (an infinite cost or rate would make every result infinite, and JSON cannot carry it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- calendars -------------------------------------------------------------------------------------


YEAR_END = "year_end"
"""The name of the year-end closure of Japanese municipal offices (年末年始, 29 December to 3 January) in
``closed:``; it is also the default of ``closed``."""
YEAR_END_DATES: tuple[str, ...] = ("12-29", "12-30", "12-31", "01-01", "01-02", "01-03")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_date(text: str) -> str:
    if not _DATE.match(text):
        raise ValueError(f"cannot read date {text!r}; write 'YYYY-MM-DD' such as '2026-04-09'")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar") from None
    return text


DateText = Annotated[str, AfterValidator(_check_date)]
"""A date written ``YYYY-MM-DD``, kept as text (YAML 1.1 would read it as a date)."""


def _check_hours(value: tuple[str, ...]) -> tuple[str, ...]:
    spans = sorted(tuple(clock_minutes(part) for part in span.split("-")) for span in value)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise ValueError(f"working hours overlap: {list(value)}")
    return value


Hours = Annotated[tuple[Span, ...], AfterValidator(_check_hours)]


def _periods(hours: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((clock_minutes(span.partition("-")[0]), clock_minutes(span.partition("-")[2]))
                        for span in hours))


class CalendarException(Model):
    """A period (``first`` to ``last``, both included) in which the calendar keeps other days or hours, or is
    closed: the busy season's longer counter hours, a committee that does not sit in August, a system
    migration."""

    first: DateText = Field(description="first day of the period (YYYY-MM-DD)")
    last: DateText = Field(description="last day of the period (YYYY-MM-DD), included")
    days: tuple[Weekday, ...] | None = Field(default=None, description="the working weekdays in the period")
    hours: Hours | None = Field(default=None, description="the working hours of every open day in the period")
    closed: bool = Field(default=False, description="closed on every day of the period")

    @model_validator(mode="after")
    def _order(self) -> CalendarException:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")
        if self.closed and (self.days is not None or self.hours is not None):
            raise ValueError("a closed period has no days or hours; give 'closed: true' or days/hours, not both")
        return self


class Calendar(Model):
    """When work (or arrival) can happen. ``always: true`` is 24/7, used for theory checks and online forms.

    A day is open when every rule holds: its weekday is in ``days`` (in an exception period, the period's),
    it is one of the ``nth`` of its weekday in the month, in one of the ``every_weeks`` weeks counted from
    ``weeks_from``, one of the ``month_days``, and not a public holiday nor ``closed``. Which days are open
    is decided in :mod:`bpr.model.volume`.
    """

    always: bool = False
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    hours: Hours = ("08:30-12:00", "13:00-17:15")
    weekday_hours: dict[Weekday, Hours] = Field(
        default={}, description="working hours of some weekdays instead of 'hours' (thu: ['08:30-19:00'])")
    nth: tuple[Annotated[int, Field(ge=-1, le=5)], ...] | None = Field(
        default=None, description="only the n-th of each weekday in its month (2, 4: the 2nd and 4th; -1: the last)")
    every_weeks: Annotated[int, Field(ge=1, le=52)] | None = Field(
        default=None, description="only every N-th week, counted from the week of 'weeks_from'")
    weeks_from: DateText | None = Field(default=None, description="a day of the first week of 'every_weeks'")
    month_days: tuple[Annotated[int, Field(ge=-1, le=31)], ...] | None = Field(
        default=None, description="only these days of the month (1-31; -1: the last day)")
    holidays: str | None = Field(default="JP", description="country code for public holidays, or null")
    closed: tuple[str, ...] = Field(
        default=(YEAR_END,),
        description="extra closed dates: 'MM-DD' every year, 'YYYY-MM-DD' once, or 'year_end' (12-29 to 01-03; "
                    "the default)",
    )
    exceptions: tuple[CalendarException, ...] = Field(
        default=(), description="periods with other days or hours, or closed")
    timezone: str = "Asia/Tokyo"

    @field_validator("closed")
    @classmethod
    def _dates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            if text != YEAR_END and not re.match(r"^(\d{4}-)?\d{2}-\d{2}$", text):
                raise ValueError(f"cannot read closed date {text!r}; write 'MM-DD', 'YYYY-MM-DD' or 'year_end'")
        return value

    @field_validator("nth", "month_days")
    @classmethod
    def _no_zero(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is not None:
            if not value:
                raise ValueError("an empty list would close every day; leave the field out (or null) instead")
            if 0 in value:
                raise ValueError("0 is not a position; count from 1, or write -1 for the last")
        return value

    @model_validator(mode="after")
    def _weeks(self) -> Calendar:
        if (self.every_weeks is None) != (self.weeks_from is None):
            raise ValueError("'every_weeks' and 'weeks_from' go together: every_weeks: 2, weeks_from: '2026-04-06'")
        return self

    def __hash__(self) -> int:
        # Compiled calendars and open-day tables are cached by calendar; ``weekday_hours`` is a dict.
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in self.__dict__.values()))

    def periods(self) -> tuple[tuple[int, int], ...]:
        """Working spans of an ordinary open day (``hours``) as (start, end) minutes after midnight, sorted."""
        if self.always:
            return ((0, 1440),)
        return _periods(self.hours)

    def periods_on(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """Working spans of an open day of ``weekday`` (0 = Monday) outside exception periods."""
        if self.always:
            return ((0, 1440),)
        hours = self.weekday_hours.get(WEEKDAYS[weekday])  # type: ignore[call-overload]
        return _periods(hours) if hours is not None else _periods(self.hours)

    @property
    def uniform(self) -> bool:
        """Whether every open day has the same hours (no ``weekday_hours``, no exception with hours)."""
        return self.always or (not self.weekday_hours and all(e.hours is None for e in self.exceptions))

    def without_breaks(self) -> Calendar:
        """The same calendar with every day's breaks worked: each list of hours becomes one span from its first
        opening to its last closing (a counter staffed through lunch by rotation)."""
        if self.always:
            return self
        return self.model_copy(update={
            "hours": _one_span(self.hours),
            "weekday_hours": {day: _one_span(hours) for day, hours in self.weekday_hours.items()},
            "exceptions": tuple(e.model_copy(update={"hours": _one_span(e.hours)}) if e.hours else e
                                for e in self.exceptions),
        })

    def minutes_per_day(self) -> int:
        """Open minutes of an ordinary open day (of ``hours``; see :attr:`uniform`)."""
        return sum(end - start for start, end in self.periods())


def _one_span(hours: tuple[str, ...]) -> tuple[str, ...]:
    if len(hours) < 2:
        return hours
    periods = _periods(hours)
    first, last = periods[0][0], max(end for _, end in periods)
    return (f"{first // 60:02d}:{first % 60:02d}-{last // 60:02d}:{last % 60:02d}",)


def _calendar_shorthand(value: object) -> object:
    return {"always": True} if value == "always" else value


# --- deadlines (標準処理期間) ---------------------------------------------------------------------------

DEADLINE_UNITS = {"day": "days", "days": "days", "business day": "business_days", "business days": "business_days",
                  "working hour": "working_hours", "working hours": "working_hours"}
DEADLINE_PATTERN = r"^\s*(\d{1,4})\s*(days?|business\s+days?|working\s+hours?)\s*$"
_DEADLINE = re.compile(DEADLINE_PATTERN)


def parse_deadline(text: str) -> tuple[int, str]:
    """``"10 business days"`` -> ``(10, "business_days")``; units: days, business days, working hours."""
    match = _DEADLINE.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"cannot read deadline {text!r}; write e.g. '30 days', '10 business days' or "
                         "'4 working hours' (a whole number from 1)")
    return int(match.group(1)), DEADLINE_UNITS[" ".join(match.group(2).split())]


def _check_deadline(text: str) -> str:
    parse_deadline(text)
    return text


DeadlineText = Annotated[str, AfterValidator(_check_deadline)]


class Deadline(Model):
    """How long a case (標準処理期間) or a step may take, counted in the calendar of whoever does it: calendar
    days, business days (open days: weekends, holidays and the year-end closure do not count) or working
    hours. The workflow engine reminds and escalates by it; the simulation does not impose it."""

    within: DeadlineText
    remind_before: DeadlineText | None = Field(
        default=None, description="remind the assignees this long before the deadline")
    escalate: bool = Field(default=True, description="when overdue, hand the work to the next higher authority")


def _deadline_shorthand(value: object) -> object:
    return {"within": value} if isinstance(value, str) else value


DeadlineField = Annotated[Deadline | None, BeforeValidator(_deadline_shorthand),
                          Field(description="e.g. '10 business days', or {within:, remind_before:, escalate:}")]




# --- roles, attributes, arrivals -------------------------------------------------------------------


def _staff_count(value: object) -> object:
    """One clear message for a bad staff count instead of one per alternative of the union."""
    if value == "unlimited" or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100_000):
        return value
    raise ValueError(f"staff must be a whole number from 1 to 100000, or 'unlimited'; got {value!r}")


class RoleControl(Model):
    """Marks a role whose every step is a required control: a body the law sets up or requires (a statutory
    committee such as 介護認定審査会, the doctor whose opinion the law asks for, another agency)."""

    kind: Literal["legal", "external"] = Field(
        default="legal", description="legal: required by law; external: decided by a body outside the city")
    basis: str = Field(min_length=1, description="the article that requires it (介護保険法第27条)")


class Role(Model):
    """A pool of interchangeable staff: a swimlane in diagrams, a resource in the simulation."""

    name: str = ""
    staff: Annotated[Annotated[int, Field(ge=1, le=100_000)] | Literal["unlimited"], BeforeValidator(_staff_count)] = 1
    department: str = ""
    authority: Annotated[int, Field(ge=0, le=20)] = 1
    hourly_cost: Annotated[float, Field(ge=0)] = 0.0
    calendar: Id | None = None
    external: bool = Field(default=False, description="not city staff (the applicant, a contractor): no staff cost")
    through_lunch: bool = Field(
        default=False, description="staffed through the breaks of its calendar by rotation (a counter open at lunch)")
    control: RoleControl | None = Field(
        default=None, description="every step of this role is a required control (a statutory committee)")


class Profile(Model):
    """Relative arrival intensity by weekday and hour (1.0 = average); missing keys count as 1.0."""

    weekday: dict[Weekday, Annotated[float, Field(ge=0)]] = {}
    hour: dict[Annotated[int, Field(ge=0, le=23)], Annotated[float, Field(ge=0)]] = {}


_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


def parse_timestamp(text: str) -> datetime:
    """``"2026-04-10 16:55"`` (or ``T`` between, seconds optional) -> a local datetime (no time zone)."""
    match = _TIMESTAMP.match(text.strip())
    if not match:
        raise ValueError(f"cannot read instant {text!r}; write local time as 'YYYY-MM-DD HH:MM' "
                         "(seconds optional), e.g. '2026-04-10 16:55'")
    day, hour, minute, second = match.groups()
    try:
        return datetime.fromisoformat(f"{day}T{hour}:{minute}:{second or '00'}")
    except ValueError:
        raise ValueError(f"{text!r} is not an instant of the calendar") from None


def _check_timestamp(text: str) -> str:
    parse_timestamp(text)
    return text


Timestamp = Annotated[str, AfterValidator(_check_timestamp)]
"""A local date and time, ``YYYY-MM-DD HH:MM[:SS]``, kept as text."""


class Arrival(Model):
    """A stream of new cases through one channel: at a ``rate``, or replayed at given instants (``times``, a
    real period's arrivals; ``at``, a single case)."""

    channel: Channel
    rate: Rate | None = Field(default=None, description="e.g. '40/day'; or give 'times' or 'at'")
    times: Annotated[tuple[Timestamp, ...], Field(min_length=1)] | None = Field(
        default=None, description="replay: one case at each of these local instants ('2026-04-10 09:12'), or {csv: FILE, column: NAME}")
    at: Timestamp | None = Field(default=None, description="a single case at this local instant")
    pattern: Literal["poisson", "regular"] = "poisson"
    calendar: Id | None = Field(default=None, description="when cases arrive; default the process calendar")
    start: Id | None = Field(default=None, description="first step for this channel; default the process start")
    profile: Profile | None = None
    attributes: dict[Id, AttributeDistribution] = Field(default={}, description="per-channel attribute overrides")
    priority: int = 0

    @model_validator(mode="after")
    def _one_source(self) -> Arrival:
        given = [name for name in ("rate", "times", "at") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'rate' (e.g. '40/day'), 'times' (a list of instants to replay) "
                             "or 'at' (one case at an instant)" + (f"; got {', '.join(given)}" if given else ""))
        return self

    @property
    def replayed(self) -> tuple[str, ...] | None:
        """The instants of a replayed stream (``times``, or ``at`` as one), or ``None`` for a rate."""
        if self.times is not None:
            return self.times
        return (self.at,) if self.at is not None else None

    def rate_value(self) -> tuple[float, str]:
        """``(count, period)`` of the rate; a replayed stream counts its cases per year of the span they cover
        (at least a day)."""
        replayed = self.replayed
        if replayed is None:
            assert self.rate is not None  # one of rate, times, at (checked above)
            return parse_rate(self.rate)
        instants = sorted(parse_timestamp(text) for text in replayed)
        span_days = max((instants[-1] - instants[0]).total_seconds() / 86400.0, 1.0)
        return len(instants) * 365.0 / span_days, "year"


# --- steps -----------------------------------------------------------------------------------------


class Control(Model):
    """Marks a step as a required control that a redesign must keep (never removed or merged away).

    ``separate_from`` names the steps whose performer must not also do this one (segregation of duties:
    who prepares a payment must not approve it); a redesign that gives them the same role weakens it.
    """

    kind: Literal["legal", "external", "segregation", "audit", "other"] = "legal"
    basis: str = Field(min_length=1, description="e.g. the article of the ordinance that requires it")
    separate_from: tuple[Id, ...] = ()


class Feasibility(Model):
    """What changing a step would take; redesign proposals are scored on it (impact x feasibility)."""

    ordinance_change: bool = Field(default=False, description="needs an ordinance or regulation amendment (条例・規則改正)")
    system_change: bool = Field(default=False, description="needs an IT system to be built or changed")
    training: bool = Field(default=False, description="needs staff to be trained")
    budget: bool = Field(default=False, description="needs a budget request (hiring, procurement)")
    note: str = ""


class SimpleCases(Model):
    """A lighter lane the analyst has measured: which cases are simple (``when`` a condition, or a ``share``
    of all cases) and how long they take at this step. The simulation ignores it; ``bpr redesign`` proposes it
    as the ``triage`` change, which bpr cannot do from a single duration (it would have to invent one)."""

    when: ConditionText | None = None
    share: Annotated[float, Field(gt=0, lt=1)] | None = None
    duration: Duration
    name: str = Field(default="", description="display name of the lighter step")

    @model_validator(mode="after")
    def _one_rule(self) -> SimpleCases:
        if (self.when is None) == (self.share is None):
            raise ValueError("give exactly one of 'when' (a condition) or 'share' (e.g. 0.4)")
        return self


DIGITAL_DURATION = "working time once the step is digital (e-form, system calculation): an estimate the digitize change uses"
SIMPLE = "a lighter lane for simple cases: which ones and how long they take (proposed as triage)"


class StepBase(Model):
    id: Id
    name: str = ""
    description: str = ""
    control: Control | None = None
    feasibility: Feasibility | None = None

    @property
    def label(self) -> str:
        """What people read: the display name, or the id when there is none."""
        return self.name or self.id


class Task(StepBase):
    """Work by a role."""

    type: Literal["task"]
    role: Id
    duration: Duration
    medium: Medium = "digital"
    rekey: bool = Field(default=False, description="types in data that already exists on a form or in a system")
    citizen_present: bool = Field(default=False, description="the citizen waits while this happens")
    stamp: bool = False
    digital_duration: Duration | None = Field(default=None, description=DIGITAL_DURATION)
    simple: SimpleCases | None = Field(default=None, description=SIMPLE)
    deadline: DeadlineField = None
    next: Id


class Reject(Model):
    """A return for rework (差し戻し): with ``probability`` the case goes back to ``to``."""

    probability: Probability
    to: Id


class AuthorityRule(Model):
    """專決規程 row: cases matching ``when`` (or all, when omitted) need at least ``level``."""

    when: ConditionText | None = None
    level: Annotated[int, Field(ge=0, le=20)]


class Delegation(Model):
    """Cases matching ``when`` are decided by ``role`` instead of the approval's own role."""

    when: ConditionText
    role: Id


class Approval(StepBase):
    """A sign-off; may return the case for rework, wait for a batched in-tray, or be delegated."""

    type: Literal["approval"]
    role: Id
    duration: Duration
    medium: Medium = "digital"
    stamp: bool = Field(default=False, description="a personal seal (hanko) is pressed")
    checks: tuple[str, ...] = Field(default=(), description="what this approval verifies")
    reject: Reject | None = None
    batch: tuple[Clock, ...] | None = Field(default=None, description="in-tray cleared only at these times")
    required_authority: tuple[AuthorityRule, ...] = ()
    delegations: tuple[Delegation, ...] = ()
    citizen_present: bool = False
    digital_duration: Duration | None = Field(default=None, description=DIGITAL_DURATION)
    simple: SimpleCases | None = Field(default=None, description=SIMPLE)
    deadline: DeadlineField = None
    next: Id

    @field_validator("required_authority")
    @classmethod
    def _catch_all_last(cls, rules: tuple[AuthorityRule, ...]) -> tuple[AuthorityRule, ...]:
        for rule in rules[:-1]:
            if rule.when is None:
                raise ValueError("only the last required_authority rule may omit 'when'")
        return rules


class Handoff(StepBase):
    """The file moves between departments: internal mail, courier, fax, or someone walks it over."""

    type: Literal["handoff"]
    mode: Literal["internal_mail", "courier", "post", "fax", "walk", "electronic"] = "internal_mail"
    delay: Duration
    departures: tuple[Clock, ...] | None = Field(default=None, description="leaves only at these times (mail run)")
    calendar: Id | None = Field(default=None, description="days the run goes; default the process calendar")
    medium: Medium = "paper"
    next: Id


class Wait(StepBase):
    """The case waits for someone outside the office: the applicant's corrections (補正), a committee that
    meets monthly, another agency's reply. Nobody of the city works on it meanwhile; ``duration`` is elapsed
    calendar time (``10d`` is ten days, weekends included), and the next step starts in its own working time.
    """

    type: Literal["wait"]
    duration: Duration
    party: Literal["applicant", "external", "committee"] = Field(
        default="applicant", description="whom the case waits for"
    )
    medium: Medium = "digital"
    digital_duration: Duration | None = Field(
        default=None, description="how long the wait takes once the exchange is digital (no post): an estimate"
    )
    next: Id


class Branch(Model):
    """One way out of a decision: by ``probability``, by a ``when`` condition, or ``otherwise``."""

    to: Id
    probability: Probability | None = None
    when: ConditionText | None = None
    otherwise: bool = False

    @model_validator(mode="after")
    def _one_rule(self) -> Branch:
        given = [self.probability is not None, self.when is not None, self.otherwise]
        if sum(given) != 1:
            raise ValueError("a branch needs exactly one of 'probability', 'when' or 'otherwise: true'")
        return self


class Decision(StepBase):
    """An exclusive choice: all branches by probability, or by conditions checked in order."""

    type: Literal["decision"]
    next: tuple[Branch, ...] = Field(min_length=2)

    @field_validator("next")
    @classmethod
    def _consistent(cls, branches: tuple[Branch, ...]) -> tuple[Branch, ...]:
        by_probability = [b.probability is not None for b in branches]
        if any(by_probability) and not all(by_probability):
            raise ValueError("mix of probability and condition branches; use one kind per decision")
        if all(by_probability):
            total = sum(b.probability or 0.0 for b in branches)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"branch probabilities sum to {total:g}, not 1")
        else:
            for branch in branches[:-1]:
                if branch.otherwise:
                    raise ValueError("'otherwise' must be the last branch")
            if not branches[-1].otherwise:
                raise ValueError(
                    "a case that matches no condition would have nowhere to go; "
                    "end the list with {to: ..., otherwise: true}"
                )
        return branches


class Parallel(StepBase):
    """Start several branches at once (合議); they meet again at ``join``."""

    type: Literal["parallel"]
    next: tuple[Id, ...] = Field(min_length=2)
    join: Id


class Join(StepBase):
    """Wait until every branch of the matching parallel step has arrived."""

    type: Literal["join"]
    next: Id


class End(StepBase):
    type: Literal["end"]
    outcome: str = Field(default="", description="e.g. 'approved', 'refused', 'withdrawn'")


Step = Annotated[Union[Task, Approval, Handoff, Wait, Decision, Parallel, Join, End], Field(discriminator="type")]
STEP_TYPES: tuple[str, ...] = ("task", "approval", "handoff", "wait", "decision", "parallel", "join", "end")
WorkStep = Union[Task, Approval]


# --- the process -----------------------------------------------------------------------------------


class Process(Model):
    """A whole process file. Build it with :func:`bpr.model.load.load_process` or ``parse_process``."""

    format: Literal[1] = Field(default=1, description="version of the file format")
    id: Id
    name: str
    description: str = ""
    version: str = "1"
    calendar: Annotated[Calendar, Field(default_factory=Calendar)]
    calendars: dict[Id, Calendar] = {}
    roles: dict[Id, Role] = Field(min_length=1)
    attributes: dict[Id, AttributeDistribution] = {}
    arrivals: tuple[Arrival, ...] = Field(min_length=1)
    start: Id | None = Field(default=None, description="first step; default the first in 'steps'")
    deadline: DeadlineField = None
    steps: tuple[Step, ...] = Field(min_length=1)

    _locations: dict[str, tuple[int, int]] = PrivateAttr(default_factory=dict)
    _file: str = PrivateAttr(default="<input>")

    @field_validator("calendar", mode="before")
    @classmethod
    def _calendar_always(cls, value: object) -> object:
        return _calendar_shorthand(value)

    @field_validator("calendars", mode="before")
    @classmethod
    def _calendars_always(cls, value: object) -> object:
        if isinstance(value, dict):
            return {key: _calendar_shorthand(item) for key, item in value.items()}
        return value

    def __eq__(self, other: object) -> bool:
        """Equal when the fields are: where a process was read from does not make it another process."""
        if not isinstance(other, Process):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    # Convenience lookups: derived, never stored.
    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps)

    @property
    def start_step(self) -> str:
        return self.start or self.steps[0].id

    def calendar_of(self, name: str | None) -> Calendar:
        """A named calendar, ``always``, or the process calendar for ``None``."""
        if name is None:
            return self.calendar
        if name == "always":
            return Calendar(always=True)
        return self.calendars[name]

    def required_control(self, step_id: str) -> Control | None:
        """Why step ``step_id`` must stay, or ``None``: its own ``control``, else the ``control`` of the role
        that performs it (a task's or approval's role; for an approval, also a role it is delegated to)."""
        step = self.step(step_id)
        if step.control is not None:
            return step.control
        if isinstance(step, (Task, Approval)):
            roles = [step.role] + ([d.role for d in step.delegations] if isinstance(step, Approval) else [])
            for role_id in roles:
                role = self.roles.get(role_id)
                if role is not None and role.control is not None:
                    return Control(kind=role.control.kind, basis=role.control.basis)
        return None

    def role_calendar(self, role_id: str) -> Calendar:
        return self.calendar_of(self.roles[role_id].calendar)

    @property
    def source_file(self) -> str:
        return self._file

    def location(self, path: str) -> tuple[int, int] | None:
        """(line, column) of the field at ``path`` in the source file, or of its nearest parent."""
        while path:
            if path in self._locations:
                return self._locations[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None
