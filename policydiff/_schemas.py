"""JSON Schemas (draft 2020-12) for the documents policydiff reads and writes.

The schemas are data files of the package (``policydiff/schemas/NAME.json``):
``version`` and ``history`` describe the documents people write, ``store``
the file :func:`policydiff.save_deltas` writes, the others each JSON output
of the command line. ``policydiff schema NAME`` prints one.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from policydiff._text import shown

__all__ = ["SCHEMAS", "schema", "schema_text"]

#: Each schema's name and what it describes, in the order they are listed.
SCHEMAS: dict[str, str] = {
    "version": "a version document (YAML, JSON or TOML)",
    "history": "a history in one document (`versions:`)",
    "store": "a history stored as deltas (save_deltas)",
    "diff": "diff --format json",
    "log": "log --format json",
    "impact": "impact --format json",
    "answer": "decide --format json",
    "timeline": "decide --timeline --format json",
    "check": "check --format json",
    "check-base": "check --base REV --format json",
    "validate": "validate --format json",
    "at": "at --format json",
    "paths": "log and check --each --format json, over several paths",
}


def schema_text(name: str) -> str:
    """Return the text of the schema called ``name``, as shipped.

    Args:
        name: One of :data:`SCHEMAS`.

    Raises:
        ValueError: No schema has that name; the message lists the names.
    """
    if name not in SCHEMAS:
        msg = f"unknown schema {shown(name)} (expected one of: {', '.join(SCHEMAS)})"
        raise ValueError(msg)
    return (resources.files("policydiff") / "schemas" / f"{name}.json").read_text("utf-8")


def schema(name: str) -> dict[str, Any]:
    """Return the JSON Schema called ``name`` as plain data.

    Args:
        name: ``version``, ``history``, ``store`` (a history stored as
            deltas), or an output: ``diff``, ``log``,
            ``impact``, ``answer`` (``decide``), ``timeline`` (``decide
            --timeline``), ``check``, ``check-base`` (``check --base``),
            ``validate``, ``at``, or ``paths`` (``log`` and ``check --each``
            over several paths).

    Returns:
        The schema (draft 2020-12), a new dict on every call.

    Raises:
        ValueError: No schema has that name; the message lists the names.

    >>> policydiff.schema("version")["title"]
    'policydiff version document'
    """
    found: dict[str, Any] = json.loads(schema_text(name))
    return found
