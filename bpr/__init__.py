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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpr.analysis import Analysis, Finding, analyze
    from bpr.changes import apply_changes, load_process, parse_changes, parse_process, process_from_data
    from bpr.errors import BprError, ChangeError, Issue, ModelError, SimulationError
    from bpr.model.load import dump_process
    from bpr.model.schema import Process
    from bpr.simulate import Comparison, SimConfig, SimulationResult, compare

# Imported when first used (PEP 562): ``import bpr`` stays cheap, so that the ``bpr`` command can take over
# Ctrl-C before the heavy libraries load (a Ctrl-C during start-up printed a traceback).
_HOMES = {
    "bpr.analysis": ("Analysis", "Finding", "analyze"),
    "bpr.changes": ("apply_changes", "load_process", "parse_changes", "parse_process", "process_from_data"),
    "bpr.errors": ("BprError", "ChangeError", "Issue", "ModelError", "SimulationError"),
    "bpr.model.load": ("dump_process",),
    "bpr.model.schema": ("Process",),
    "bpr.simulate": ("Comparison", "SimConfig", "SimulationResult", "compare"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'bpr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API, the subpackages imported so far, and the module's own dunders."""
    subpackages = {name for name, value in globals().items()
                   if getattr(value, "__name__", "") == f"bpr.{name}" and hasattr(value, "__path__")}
    return sorted(set(__all__) | subpackages | {name for name in globals() if name.startswith("__")})


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
