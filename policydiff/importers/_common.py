"""What every importer shares: rule ids from content, errors, building the version."""

from __future__ import annotations

import datetime
import hashlib
import importlib
import json
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import attrs

from policydiff._documents import build
from policydiff._locate import render_path
from policydiff._problems import RawProblem, place
from policydiff._text import a_type
from policydiff._time import write_when
from policydiff.errors import DocumentError, Problem
from policydiff.model import PolicyVersion, When

#: What ``effective`` accepts: a document time value, a ``When``, a date or datetime.
Effective = str | int | When | datetime.date


def content_id(prefix: str, content: Any) -> str:
    """Return a short id made from ``content``, the same whatever order it came in.

    Args:
        prefix: Says what the id names, such as ``cedar``.
        content: Plain data (mappings, lists, strings); mapping keys are
            sorted, so only the content itself decides the id. Callers sort
            lists whose order means nothing.
    """
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{prefix}-{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:12]}"


def problem(name: str, path: str, message: str, hint: str | None = None) -> Problem:
    """Return a problem of the imported file ``name`` at the field ``path``."""
    return Problem(file=name, path=path, message=message, hint=hint)


def fail(name: str, path: str, message: str, hint: str | None = None) -> DocumentError:
    """Return the error for one problem, for the caller to raise."""
    return DocumentError([problem(name, path, message, hint)])


def optional(module: str, extra: str, format_name: str, name: str) -> ModuleType:
    """Import ``module``, or say which extra installs it (``name``: the file being read).

    Raises:
        DocumentError: The module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"reading {format_name} needs the {module} package, which is not installed"
        hint = f"pip install 'policydiff[{extra}]'"
        raise DocumentError([Problem(file=name, path="", message=message, hint=hint)]) from None


def placed(problems: list[RawProblem], text: str | None, name: str) -> list[Problem]:
    """Give each problem its line and column in ``text`` (JSON), or only its path."""
    if text is not None:
        return place(problems, text=text, format="json", name=name)
    return [
        Problem(file=name, path=render_path(p.path), message=p.message, hint=p.hint)
        for p in problems
    ]


def text_of(source: Any, name: str) -> Any:
    """Return ``source`` as text when it is bytes, refusing bytes that are not UTF-8."""
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8")
        except UnicodeDecodeError as error:
            raise fail(name, "", f"not UTF-8 text (byte {error.start})") from None
    return source


def json_object(text: str, name: str, what: str) -> dict[str, Any]:
    """Parse ``text`` as a JSON object, or say where it is not one.

    Args:
        text: The text.
        name: The file name for messages.
        what: What the object should be, such as ``an ODRL policy``.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not JSON: {error.msg}"
        raise DocumentError(
            [Problem(file=name, path="", message=message, line=error.lineno, column=error.colno)]
        ) from None
    if not isinstance(data, dict):
        raise fail(name, "", f"expected {what} as a JSON object (got {a_type(data)})")
    return data


def document_time(effective: Effective) -> Any:
    """Return ``effective`` as a version document writes it."""
    if isinstance(effective, When):
        timezone = effective.instant.timezone_name or "UTC"
        return write_when(effective, timezone) if timezone == "UTC" else effective.isoformat()
    if isinstance(effective, datetime.datetime):
        return effective.isoformat()
    return effective


def make_version(
    *,
    name: str,
    policy: str,
    version: str,
    effective: Effective,
    rules: Iterable[dict[str, Any]],
    default: str,
    conflict: str,
    **metadata: Any,
) -> PolicyVersion:
    """Build a version from imported rules, checked as a written document is.

    Args:
        name: The imported file's name, for messages.
        policy: The policy id.
        version: The version label.
        effective: When the version took effect.
        rules: Rules as document mappings.
        default: The decision where no rule applies.
        conflict: How overlapping rules combine.
        metadata: Further version fields (``title``, ``vocabulary``...).

    Raises:
        DocumentError: A field the caller gave is not valid (the policy id,
            the label, the effective time).
    """
    data: dict[str, Any] = {
        "policy": policy,
        "version": version,
        "effective": document_time(effective),
        "default": default,
        "conflict": conflict,
        **metadata,
        "rules": sorted(rules, key=lambda rule: str(rule["id"])),
    }
    text = json.dumps(data, default=str, ensure_ascii=False, indent=1)
    try:
        return build(data, text=text, format="json", name=name)
    except DocumentError as error:
        # Lines and columns would point into the generated document, not the file.
        raise DocumentError(
            attrs.evolve(found, line=None, column=None) for found in error.problems
        ) from None
