"""``arrivals: {CHANNEL: {share: S} | {rate: R} | {times: [...]} | {at: T}}`` — channel shift, new rates per
channel, or a channel's cases replayed at given instants (a real period, or a single case)."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bpr.changes.base import Change, Refused, Words, hint
from bpr.changes.rewire import find
from bpr.model.schema import Arrival, Channel, Id, Probability, Process, Rate, Timestamp
from bpr.model.units import parse_rate
from bpr.model.volume import annual_cases

__all__ = ["Arrivals", "ChannelChange"]


class ChannelChange(BaseModel):
    """New volume of one channel: a ``share`` of the total (kept) or an absolute ``rate``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    share: Probability | None = None
    rate: Rate | None = None
    times: Annotated[tuple[Timestamp, ...], Field(min_length=1)] | None = Field(
        default=None, description="replay: one case at each of these local instants")
    at: Timestamp | None = Field(default=None, description="a single case at this local instant")
    start: Id | None = Field(default=None, description="first step, for a channel that has no stream yet")
    calendar: Id | None = Field(default=None, description="calendar, for a channel that has no stream yet")

    @model_validator(mode="after")
    def _one_of(self) -> ChannelChange:
        if sum(value is not None for value in (self.share, self.rate, self.times, self.at)) != 1:
            raise ValueError("give exactly one of 'share' (e.g. 0.5), 'rate' (e.g. '20/day'), 'times' (instants "
                             "to replay) or 'at' (one case at an instant)")
        return self

    @property
    def replay(self) -> bool:
        return self.times is not None or self.at is not None


class Arrivals(Change):
    """Channel shift (shares of a kept total) or new rates per channel."""

    kind: ClassVar[str] = "arrivals"
    flat_field: ClassVar[str | None] = "channels"
    channels: dict[Channel, ChannelChange] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Arrivals:
        shares = [c.share for c in self.channels.values() if c.share is not None]
        if shares and len(shares) != len(self.channels):
            raise ValueError("mix of 'share' and 'rate' in one change; write them as two changes")
        if sum(shares) > 1 + 1e-9:
            raise ValueError(f"shares add up to {sum(shares):g}, more than 1")
        return self

    @classmethod
    def allowed_fields(cls) -> list[str]:
        return list(ChannelChange.model_fields)  # the mappings written are those of the channels

    def apply(self, data: dict[str, Any], process: Process) -> None:
        for channel, spec in self.channels.items():
            if spec.start is not None:
                find(data, spec.start, ("channels", channel, "start"))
            calendars = ["always", *data.get("calendars", {})]
            if spec.calendar is not None and spec.calendar not in calendars:
                raise Refused(f"calendar {spec.calendar!r} does not exist", ("channels", channel, "calendar"),
                              hint(spec.calendar, calendars) or f"calendars: {', '.join(calendars)}")
            for field, value in (("start", spec.start), ("calendar", spec.calendar)):
                if value is not None:
                    for arrival in data["arrivals"]:
                        if arrival["channel"] == channel:
                            arrival[field] = value
        if any(arrival.get("rate") is None for arrival in data["arrivals"]) and any(
                spec.share is not None for spec in self.channels.values()):
            raise Refused("a replayed stream (times or at) has no rate to shift; give the channels rates first",
                          ("channels",), "e.g. arrivals: {counter: {rate: 20/day}}")
        if any(spec.rate is not None or spec.replay for spec in self.channels.values()):
            self._set_rates(data)
        else:
            self._set_shares(data)

    def _set_rates(self, data: dict[str, Any]) -> None:
        for channel, spec in self.channels.items():
            streams = [a for a in data["arrivals"] if a["channel"] == channel]
            if spec.replay:
                # The channel's cases are those replayed: one stream in place of its streams.
                stream = {k: v for k, v in (streams[0] if streams else _new_stream(data, channel, spec)).items()
                          if k not in ("rate", "times", "at", "pattern", "profile")}
                stream.update({"times": list(spec.times)} if spec.times is not None else {"at": spec.at})
                first = data["arrivals"].index(streams[0]) if streams else len(data["arrivals"])
                rest = [a for a in data["arrivals"] if a["channel"] != channel]
                data["arrivals"] = rest[:first] + [stream] + rest[first:]
                continue
            assert spec.rate is not None
            if any(a.get("rate") is None for a in streams):
                for arrival in streams:
                    for key in ("times", "at"):
                        arrival.pop(key, None)
                streams[0]["rate"] = spec.rate
                data["arrivals"] = [a for a in data["arrivals"] if a["channel"] != channel or a is streams[0]]
                continue
            if not streams:
                data["arrivals"].append(_new_stream(data, channel, spec))
            elif len(streams) == 1:
                streams[0]["rate"] = spec.rate
            else:
                # Several streams of one channel (e.g. different entry steps): the new rate is the channel's
                # total, read on the calendar of its first stream, and the streams keep their proportions.
                volumes = _volumes(data)
                current = sum(v for v, a in zip(volumes, data["arrivals"]) if a["channel"] == channel)
                target = _volumes({**data, "arrivals": [{**streams[0], "rate": spec.rate}]})[0]
                for arrival in streams:
                    arrival["rate"] = _scaled_rate(arrival["rate"], target / current)

    def _set_shares(self, data: dict[str, Any]) -> None:
        volumes = _volumes(data)
        total = sum(volumes)
        named = self.channels
        rest_share = 1 - sum(spec.share or 0.0 for spec in named.values())
        others = sum(v for v, a in zip(volumes, data["arrivals"]) if a["channel"] not in named)
        if others == 0 and rest_share > 1e-9:
            raise Refused(
                f"the shares add up to {1 - rest_share:g}, and no other channel is left to take the remaining "
                f"{rest_share:.0%}",
                ("channels",),
                "make the shares add up to 1",
            )
        channel_volume: dict[str, float] = {}
        for volume, arrival in zip(volumes, data["arrivals"]):
            channel_volume[arrival["channel"]] = channel_volume.get(arrival["channel"], 0.0) + volume
        new_arrivals: list[dict[str, Any]] = []
        for volume, arrival in zip(volumes, data["arrivals"]):
            spec = named.get(arrival["channel"])
            if spec is not None:
                factor = (spec.share or 0.0) * total / channel_volume[arrival["channel"]]
            else:
                factor = rest_share * total / others
            if factor > 1e-12:
                new_arrivals.append({**arrival, "rate": _scaled_rate(arrival["rate"], factor)})
        for channel, spec in named.items():
            if channel not in channel_volume and (spec.share or 0.0) > 0:
                stream = _new_stream(data, channel, spec)
                stream["rate"] = "1/year"
                unit = _volumes({**data, "arrivals": [{**stream, "rate": "1/day"}]})[0]
                wanted = (spec.share or 0.0) * total
                stream["rate"] = f"{_number(wanted / unit)}/day" if unit > 0 else f"{_number(wanted)}/year"
                new_arrivals.append(stream)
        data["arrivals"] = new_arrivals

    def to_data(self) -> dict[str, Any]:
        return {"arrivals": {channel: {k: list(v) if isinstance(v, tuple) else v
                                       for k, v in c.model_dump(exclude_none=True).items()}
                             for channel, c in self.channels.items()}}

    def describe(self) -> str:
        if any(c.replay for c in self.channels.values()):
            parts = ", ".join(f"{ch} {_replay_en(c)}" for ch, c in self.channels.items())
            return f"Replay arrivals: {parts}."
        if all(c.share is not None for c in self.channels.values()):
            parts = ", ".join(f"{ch} {c.share:.0%}" for ch, c in self.channels.items())
            return f"Shift arrivals, keeping the annual total: {parts} of cases; other channels shrink in proportion."
        parts = ", ".join(f"{ch} {c.rate}" for ch, c in self.channels.items())
        return f"Set arrival rates: {parts}."

    def ja(self, words: Words) -> str:
        if any(c.replay for c in self.channels.values()):
            parts = "、".join(f"{words.channel(ch)} {_replay_ja(c)}" for ch, c in self.channels.items())
            return f"申請の到着を指定：{parts}"
        if all(c.share is not None for c in self.channels.values()):
            parts = "、".join(f"{words.channel(ch)} {c.share:.0%}" for ch, c in self.channels.items())
            return f"申請の経路を移す：{parts}（総件数は同じ、他の経路は比例して減る）"
        parts = "、".join(f"{words.channel(ch)} {c.rate}" for ch, c in self.channels.items())
        return f"件数を変更：{parts}"


def _replay_en(spec: ChannelChange) -> str:
    if spec.at is not None:
        return f"one case at {spec.at}"
    if spec.times is not None:
        return f"{len(spec.times)} cases from {min(spec.times)} to {max(spec.times)}"
    return str(spec.rate if spec.rate is not None else f"{spec.share:.0%}")


def _replay_ja(spec: ChannelChange) -> str:
    if spec.at is not None:
        return f"{spec.at} に1件"
    if spec.times is not None:
        return f"{min(spec.times)}〜{max(spec.times)} の{len(spec.times)}件（実績の再現）"
    return str(spec.rate if spec.rate is not None else f"{spec.share:.0%}")


def _number(value: float) -> str:
    """A rate count to six significant digits, written out (the rate syntax has no exponents)."""
    if value == int(value):
        return str(int(value))
    digits = max(0, 5 - math.floor(math.log10(value)))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _scaled_rate(rate: str, factor: float) -> str:
    count, period = parse_rate(rate)
    return f"{_number(count * factor)}/{period}"


def _new_stream(data: dict[str, Any], channel: str, spec: ChannelChange) -> dict[str, Any]:
    """A stream for a channel that had none: online arrives around the clock; the start is the one all
    existing streams share (else the process start) unless the change names one."""
    stream: dict[str, Any] = {"channel": channel, "rate": spec.rate or "1/year"}
    calendar = spec.calendar or ("always" if channel == "online" else None)
    if calendar:
        stream["calendar"] = calendar
    starts = {arrival.get("start") for arrival in data["arrivals"]}
    start = spec.start or (starts.pop() if len(starts) == 1 else None)
    if start:
        stream["start"] = start
    return stream


def _volumes(data: dict[str, Any]) -> list[float]:
    """Cases a year of each stream of ``data`` (in the reference year of :mod:`bpr.model.volume`)."""
    process = Process.model_validate({**data, "steps": data["steps"]})
    return [annual_cases(process, Arrival.model_validate(arrival)) for arrival in data["arrivals"]]
