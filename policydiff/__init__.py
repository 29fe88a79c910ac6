"""Track how policies change: what was lifted or imposed, and when.

>>> import policydiff
>>> old = policydiff.load("examples/us-ukraine-strikes/history/2024-05-01-no-strikes.yaml")
>>> new = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
"""

from policydiff._documents import Limits, dump, dumps, load, loads
from policydiff.errors import (
    DiffError,
    DocumentError,
    HistoryError,
    PolicyDiffError,
    Problem,
    StoreError,
)
from policydiff.model import (
    Conflict,
    Default,
    Effect,
    Event,
    FrozenMap,
    PolicyVersion,
    Precision,
    Rule,
    Source,
    Vocabulary,
    When,
)

__version__ = "0.1.0"

__all__ = [
    "Conflict",
    "Default",
    "DiffError",
    "DocumentError",
    "Effect",
    "Event",
    "FrozenMap",
    "HistoryError",
    "Limits",
    "PolicyDiffError",
    "PolicyVersion",
    "Precision",
    "Problem",
    "Rule",
    "Source",
    "StoreError",
    "Vocabulary",
    "When",
    "dump",
    "dumps",
    "load",
    "loads",
]
