"""Track how policies change: what was lifted or imposed, and when.

>>> import policydiff
>>> old = policydiff.load("examples/us-ukraine-strikes/history/2022-no-strikes-inside-russia.yaml")
>>> new = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
>>> for change in policydiff.diff(old, new).loosened():
...     print(change.kind.value, change.rule, change.effective)
permission-granted kharkiv-defensive-strikes 30 May 2024

Every public name is importable from here. Each is imported from its home
module when it is first used, so importing the package (and starting the
command line) costs nothing until a name is needed.
"""

import typing

from policydiff._lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from policydiff._batch import Check, Outcome, batch, check_many, diff_many, log_many
    from policydiff._decisions import Answer, Cube, Group, Impact, Span, work_budget
    from policydiff._diff import diff
    from policydiff._documents import Limits, dump, dumps, load, loads
    from policydiff._evaluate import decide
    from policydiff._history import Period, PolicyHistory, TimelineEntry
    from policydiff._history_git import load_git_history
    from policydiff._history_load import load_history
    from policydiff._impact import impact
    from policydiff._render import render
    from policydiff._render_html import report
    from policydiff._results import PolicyDiff
    from policydiff._schemas import schema
    from policydiff._store import from_store, load_deltas, save_deltas, to_store
    from policydiff.errors import (
        DiffError,
        DocumentError,
        GitError,
        HistoryError,
        PolicyDiffError,
        Problem,
        StoreError,
        WriteError,
    )
    from policydiff.model import (
        Case,
        Change,
        Conflict,
        Decision,
        DecisionEffect,
        Default,
        Direction,
        Effect,
        Event,
        FrozenMap,
        Kind,
        PolicyVersion,
        Precision,
        Removal,
        Rule,
        Source,
        Verdict,
        Vocabulary,
        When,
    )

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Case",
    "Change",
    "Check",
    "Conflict",
    "Cube",
    "Decision",
    "DecisionEffect",
    "Default",
    "DiffError",
    "Direction",
    "DocumentError",
    "Effect",
    "Event",
    "FrozenMap",
    "GitError",
    "Group",
    "HistoryError",
    "Impact",
    "Kind",
    "Limits",
    "Outcome",
    "Period",
    "PolicyDiff",
    "PolicyDiffError",
    "PolicyHistory",
    "PolicyVersion",
    "Precision",
    "Problem",
    "Removal",
    "Rule",
    "Source",
    "Span",
    "StoreError",
    "TimelineEntry",
    "Verdict",
    "Vocabulary",
    "When",
    "WriteError",
    "batch",
    "check_many",
    "decide",
    "diff",
    "diff_many",
    "dump",
    "dumps",
    "from_store",
    "impact",
    "load",
    "load_deltas",
    "load_git_history",
    "load_history",
    "loads",
    "log_many",
    "render",
    "report",
    "save_deltas",
    "schema",
    "to_store",
    "work_budget",
]

#: The module each public name comes from.
_HOMES = {
    **dict.fromkeys(
        ("Check", "Outcome", "batch", "check_many", "diff_many", "log_many"), "policydiff._batch"
    ),
    **dict.fromkeys(("diff",), "policydiff._diff"),
    **dict.fromkeys(("Limits", "dump", "dumps", "load", "loads"), "policydiff._documents"),
    **dict.fromkeys(
        ("Answer", "Cube", "Group", "Impact", "Span", "work_budget"), "policydiff._decisions"
    ),
    "decide": "policydiff._evaluate",
    **dict.fromkeys(("Period", "PolicyHistory", "TimelineEntry"), "policydiff._history"),
    **dict.fromkeys(("load_history",), "policydiff._history_load"),
    "load_git_history": "policydiff._history_git",
    "impact": "policydiff._impact",
    **dict.fromkeys(("render",), "policydiff._render"),
    **dict.fromkeys(("report",), "policydiff._render_html"),
    **dict.fromkeys(("PolicyDiff",), "policydiff._results"),
    "schema": "policydiff._schemas",
    **dict.fromkeys(("from_store", "load_deltas", "save_deltas", "to_store"), "policydiff._store"),
    **dict.fromkeys(
        (
            "DiffError",
            "DocumentError",
            "GitError",
            "HistoryError",
            "PolicyDiffError",
            "Problem",
            "StoreError",
            "WriteError",
        ),
        "policydiff.errors",
    ),
    **dict.fromkeys(
        (
            "Case",
            "Change",
            "Conflict",
            "Decision",
            "DecisionEffect",
            "Default",
            "Direction",
            "Effect",
            "Event",
            "FrozenMap",
            "Kind",
            "PolicyVersion",
            "Precision",
            "Removal",
            "Rule",
            "Source",
            "Verdict",
            "Vocabulary",
            "When",
        ),
        "policydiff.model",
    ),
}


__getattr__, __dir__ = _lazy_exports("policydiff", _HOMES, globals(), __all__)
