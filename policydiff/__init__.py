"""Track how policies change: what was lifted or imposed, and when.

>>> import policydiff
>>> old = policydiff.load("examples/us-ukraine-strikes/history/2022-no-strikes-inside-russia.yaml")
>>> new = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
>>> for change in policydiff.diff(old, new).loosened():
...     print(change.kind.value, change.rule, change.effective)
permission-granted kharkiv-defensive-strikes 30 May 2024
"""

from policydiff._diff import PolicyDiff, diff
from policydiff._documents import Limits, dump, dumps, load, loads
from policydiff._history import PolicyHistory, TimelineEntry
from policydiff._history_load import load_history
from policydiff._impact import Cube, Decision, Impact, Outcome, Span, impact
from policydiff._store import from_store, load_deltas, save_deltas, to_store
from policydiff.errors import (
    DiffError,
    DocumentError,
    HistoryError,
    PolicyDiffError,
    Problem,
    StoreError,
)
from policydiff.model import (
    Change,
    Conflict,
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
    Vocabulary,
    When,
)

__version__ = "0.1.0"

__all__ = [
    "Change",
    "Conflict",
    "Cube",
    "Decision",
    "Default",
    "DiffError",
    "Direction",
    "DocumentError",
    "Effect",
    "Event",
    "FrozenMap",
    "HistoryError",
    "Impact",
    "Kind",
    "Limits",
    "Outcome",
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
    "Vocabulary",
    "When",
    "diff",
    "dump",
    "dumps",
    "from_store",
    "impact",
    "load",
    "load_deltas",
    "load_history",
    "loads",
    "save_deltas",
    "to_store",
]
