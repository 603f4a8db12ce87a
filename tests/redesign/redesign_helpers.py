"""Small processes for the redesign tests, written as YAML so that each reads like a process file."""

from __future__ import annotations

import textwrap

from bpr.model.load import parse_process
from bpr.model.schema import Process

ROLES = """
roles:
  clerk: {staff: 2, authority: 1, hourly_cost: 3000, department: section}
  chief: {staff: 1, authority: 3, hourly_cost: 5000, department: section}
  director: {staff: 1, authority: 5, hourly_cost: 7000, department: section}
  budget: {staff: 1, authority: 3, hourly_cost: 4500, department: finance}
"""


def text(steps: str, roles: str = ROLES, arrivals: str = "arrivals: [{channel: internal, rate: 4/day}]",
         extra: str = "", calendar: str = "calendar: always") -> str:
    """The YAML of a process around ``steps`` (list items), with the default roles and one internal stream."""
    return "\n".join(
        [
            "id: small",
            "name: 小さな手続",
            calendar,
            textwrap.dedent(roles).strip(),
            textwrap.dedent(arrivals).strip(),
            textwrap.dedent(extra).strip(),
            "steps:",
            textwrap.indent(textwrap.dedent(steps).strip(), "  "),
        ]
    ) + "\n"


def process(steps: str, **parts: str) -> Process:
    """:func:`text`, loaded."""
    return parse_process(text(steps, **parts), file="<test>")
