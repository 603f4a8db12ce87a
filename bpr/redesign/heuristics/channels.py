"""Channel shift: more cases apply online instead of at the counter or by mail.

When the process has a counter or mail channel and online cases are fewer than :data:`ONLINE_SHARE` of the
annual total, the candidate ``arrivals: {online: {share: 0.5}}`` moves cases online, keeping the total
(the other channels shrink in proportion). Online cases follow the path the file gives them: the existing
online stream's first step, or, when there is no online stream yet, the mail stream's (a case that comes
in writing without the citizen present is the nearest to an online application). A process with a counter
but neither an online nor a mail path gets no proposal: where online cases would enter is a design
decision the file does not contain (add the online path, then `arrivals: {online: {share: 0.5, start: …}}`).
"""

from __future__ import annotations

from typing import Any

from bpr.analysis.text import step_label
from bpr.model.volume import annual_cases
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

ONLINE_SHARE = 0.5
"""Share of cases the channel-shift candidate moves online (a common municipal target)."""


def online_channel(context: Context) -> list[Candidate]:
    """The channel-shift candidate, where it applies (module docstring)."""
    process = context.process
    volumes: dict[str, float] = {}
    for arrival in process.arrivals:
        volumes[arrival.channel] = volumes.get(arrival.channel, 0.0) + annual_cases(process, arrival)
    total = sum(volumes.values())
    if total <= 0 or not ({"counter", "mail"} & set(volumes)):
        return []
    share = volumes.get("online", 0.0) / total
    if share >= ONLINE_SHARE - 1e-9:
        return []
    spec: dict[str, Any] = {"share": ONLINE_SHARE}
    if "online" in volumes:
        entry = next(a.start or process.start_step for a in process.arrivals if a.channel == "online")
        path = f"online cases start at {step_label(process, entry)}, as they do today"
    elif "mail" in volumes:
        entry = next(a.start or process.start_step for a in process.arrivals if a.channel == "mail")
        spec["start"] = entry
        path = f"there is no online path yet, so online cases follow the mail path from {step_label(process, entry)}"
    else:
        return []
    shrinking = ", ".join(sorted(c for c in volumes if c != "online"))
    return [
        Candidate(
            id=candidate_id("online", "share"),
            heuristic="online",
            title=f"Move cases online: {share:.0%} -> {ONLINE_SHARE:.0%} of applications",
            explanation=(
                f"Today {share:.0%} of the {total:,.0f} cases a year come online; the rest come by {shrinking}. "
                f"With {ONLINE_SHARE:.0%} online the annual total stays the same and the other channels shrink in "
                f"proportion; {path}."
            ),
            changes=({"arrivals": {"online": spec}},),
            steps=(entry,),
        )
    ]
