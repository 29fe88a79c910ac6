"""JSON documents (SPEC section 6): the same bytes on every run.

Each function returns the document's text, ending with a newline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from policydiff._diff import rule_document
from policydiff._history import PolicyHistory, TimelineEntry
from policydiff._render_shared import endpoint
from policydiff._results import PolicyDiff, Validated
from policydiff.errors import Problem
from policydiff.model import PolicyVersion

__all__ = ["at_json", "diff_json", "json_text", "log_json", "validate_json"]


def json_text(document: dict[str, Any]) -> str:
    """Write plain data as indented JSON text, non-ASCII kept as written."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diff_json(d: PolicyDiff) -> str:
    """Render a diff as its SPEC section 6 JSON object."""
    return json_text(d.to_dict())


def log_json(
    history: PolicyHistory,
    steps: Sequence[PolicyDiff],
    start: Sequence[TimelineEntry] | None = None,
) -> str:
    """Render a log: ``{"policydiff": 1, "policy": ..., "diffs": [...]}``, a diff per step.

    With ``start`` (a log of one rule), ``"start"`` lists the rule's entry
    from the first version, when it was in force there.
    """
    document: dict[str, Any] = {
        "policydiff": 1,
        "policy": history.policy,
        "diffs": [s.to_dict() for s in steps],
    }
    if start is not None:
        document["start"] = [entry.to_dict() for entry in start]
    return json_text(document)


def at_json(
    history: PolicyHistory,
    when: str,
    version: PolicyVersion | None,
    later: Sequence[PolicyVersion] = (),
) -> str:
    """Render the version in force at ``when`` and its rules as JSON.

    Args:
        history: The history asked.
        when: The moment, as the user wrote it (read in the history's zone).
        version: The version in force then, or ``None``.
        later: The versions that take effect later in the period ``when`` names.
    """
    return json_text(
        {
            "policydiff": 1,
            "policy": history.policy,
            "when": history.when(when).isoformat(),
            "version": None if version is None else endpoint(version),
            "rules": [] if version is None else [rule_document(r) for r in version.rules],
            "later": [endpoint(v) for v in later],
        }
    )


def validate_json(
    results: Sequence[tuple[str, Validated | None]], problems: Sequence[Problem]
) -> str:
    """Render ``validate``: each path with its policy and versions, then every problem."""
    return json_text(
        {
            "policydiff": 1,
            "valid": not problems,
            "paths": [
                {
                    "path": path,
                    "valid": found is not None,
                    "policy": None if found is None else found.policy,
                    "versions": [] if found is None else list(found.versions),
                }
                for path, found in results
            ],
            "problems": [
                {
                    "file": problem.file,
                    "line": problem.line,
                    "column": problem.column,
                    "path": problem.path,
                    "message": problem.message,
                    "hint": problem.hint,
                }
                for problem in problems
            ],
        }
    )
