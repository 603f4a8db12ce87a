"""Graph analysis of a process: redundant approvals and needless handoffs, reported like a linter.

``analyze(process)`` runs every rule of :data:`RULES` (stable ids ``BPR1xx`` approvals, ``BPR2xx``
handoffs, ``BPR3xx`` paper, ``BPR4xx`` waiting; see docs/rules.md) and returns an :class:`Analysis`:
findings, each with a suggested change in the change language where one exists, and summary figures
along the most likely path.
"""

from bpr.analysis.analyze import Analysis, analyze
from bpr.analysis.findings import SEVERITIES, Finding, RuleInfo, Severity
from bpr.analysis.plan import suggested_changes
from bpr.analysis.rules import RULES, RULES_BY_ID, Rule
from bpr.analysis.summary import SUMMARY_KEYS, most_likely_path, summarize
from bpr.analysis.text import change_text

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "SEVERITIES",
    "SUMMARY_KEYS",
    "Analysis",
    "Finding",
    "Rule",
    "RuleInfo",
    "Severity",
    "analyze",
    "change_text",
    "most_likely_path",
    "suggested_changes",
    "summarize",
]
