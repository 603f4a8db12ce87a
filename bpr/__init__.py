"""bpr: redesign paper- and approval-heavy processes with evidence.

Read a process file, find redundant approvals and needless handoffs, simulate before and after with
confidence intervals, draw it, and report the savings. The pipeline, one function each::

    process = load_process("scenarios/purchase_ringi/before.yaml")
    findings = analyze(process).findings
    after = apply_changes(process, [{"remove": "hosa_check"}])
    comparison = compare(process, after, SimConfig(replications=20, horizon="1y"))

Subpackages hold the rest: :mod:`bpr.model`, :mod:`bpr.changes`, :mod:`bpr.analysis`, :mod:`bpr.simulate`,
:mod:`bpr.study`, :mod:`bpr.render`, :mod:`bpr.redesign`, the service runtime :mod:`bpr.service`, and the
faces :mod:`bpr.cli` and :mod:`bpr.api`.
"""

from bpr.analysis import Analysis, Finding, analyze
from bpr.changes import apply_changes, load_process, parse_changes, parse_process, process_from_data
from bpr.errors import BprError, ChangeError, Issue, ModelError, SimulationError
from bpr.model.load import dump_process
from bpr.model.schema import Process
from bpr.simulate import Comparison, SimConfig, SimulationResult, compare

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "BprError",
    "ChangeError",
    "Comparison",
    "Finding",
    "Issue",
    "ModelError",
    "Process",
    "SimConfig",
    "SimulationError",
    "SimulationResult",
    "analyze",
    "apply_changes",
    "compare",
    "dump_process",
    "load_process",
    "parse_changes",
    "parse_process",
    "process_from_data",
]
# ``simulate`` (the function) stays in bpr.simulate: at the top it would hide the subpackage of that name.
