"""Reading posted forms without a multipart dependency, and the start form's fields from a process file.

Starlette parses forms only with ``python-multipart``; a city hall's closed network may not have it, and
our forms are small: URL-encoded forms go through :func:`urllib.parse.parse_qs`, the one file upload through
the standard library's MIME parser. Bodies larger than the limit are refused before they are parsed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

from starlette.requests import Request

from bpr.execute.attachments import MAX_BYTES
from bpr.model.distributions import Choice
from bpr.model.schema import Process

__all__ = ["BodyTooLarge", "FieldSpec", "Posted", "attribute_fields", "read_form", "values_from"]

LIMIT = MAX_BYTES + 64 * 1024


class BodyTooLarge(Exception):
    """The request's body is over the limit (a file over :data:`MAX_BYTES`, or not a form at all)."""


@dataclass
class Posted:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # name -> (file name, type, bytes)

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


async def read_form(request: Request) -> Posted:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > LIMIT:
            raise BodyTooLarge(f"the form is over {LIMIT:,} bytes")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return _multipart(bytes(body), content_type)
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return Posted({name: values[-1] for name, values in parsed.items()})


def _multipart(body: bytes, content_type: str) -> Posted:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
                                                  + body)
    out = Posted()
    if not message.is_multipart():
        return out
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if data or filename:
                out.files[name] = (filename, part.get_content_type(), data)
        else:
            out.fields[name] = data.decode(part.get_content_charset() or "utf-8", errors="replace")
    return out


@dataclass(frozen=True)
class FieldSpec:
    """One input of the start form: a number (with a lower bound when the distribution has one) or a select."""

    name: str
    kind: str  # number | select
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()


_NON_NEGATIVE = ("exponential", "lognormal")


def attribute_fields(process: Process) -> list[FieldSpec]:
    out = []
    for name, dist in process.attributes.items():
        if isinstance(dist, Choice):
            out.append(FieldSpec(name, "select", options=tuple(dist.values)))
            continue
        low = getattr(dist, "min", None)
        high = getattr(dist, "max", None)
        if low is None and dist.dist in _NON_NEGATIVE:
            low = 0.0
        if dist.dist == "empirical":
            values = list(getattr(dist, "values"))
            low, high = min(values), max(values)
        out.append(FieldSpec(name, "number", low, high))
    return out


def values_from(process: Process, posted: Posted) -> dict[str, object]:
    """The attributes as the engine takes them; a number field that does not read as a number is passed on
    as text, so that the engine's own message names it (one wording of every refusal)."""
    out: dict[str, object] = {}
    for spec in attribute_fields(process):
        raw = posted.get(spec.name).strip()
        if spec.kind == "select":
            out[spec.name] = raw
            continue
        try:
            number = float(raw)
        except ValueError:
            out[spec.name] = raw
            continue
        out[spec.name] = int(number) if math.isfinite(number) and number.is_integer() else number
    return out
