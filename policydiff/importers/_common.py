"""What every importer needs: reading its source, rule ids, errors, the version.

An importer turns a foreign document into plain version data (the fields a
policydiff document has) and hands it to :func:`build_version`, which checks
it the way a policydiff document is checked. Problems in the foreign
document are :class:`~policydiff._problems.RawProblem` paths into its data,
placed at their line and column when the source was text.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

import attrs

from policydiff._documents import DEFAULT_LIMITS, build, check_shape, decode, parse
from policydiff._locate import render_path
from policydiff._parse import Format
from policydiff._problems import RawProblem, place
from policydiff._text import describe
from policydiff._time import ACCEPTED, parse_when
from policydiff.errors import DocumentError, Problem
from policydiff.model import PolicyVersion, When

__all__ = [
    "Fallback",
    "Source",
    "build_version",
    "content_id",
    "fail",
    "falling_back",
    "read_source",
]


class Source:
    """A foreign document: its parsed data and, when it was text, the text.

    Args:
        data: The parsed document.
        text: The text it was parsed from, or ``None`` for data passed in.
        format: The text's syntax, to place problems in it.
        name: The file name for messages.
    """

    def __init__(self, data: Any, *, text: str | None, format: Format, name: str) -> None:
        self.data = data
        self.text = text
        self.format: Format = format
        self.name = name

    def problems(self, raw: list[RawProblem]) -> list[Problem]:
        """Place problems found in this document at their line and column."""
        if self.text is None:
            return [
                Problem(file=self.name, path=render_path(p.path), message=p.message, hint=p.hint)
                for p in raw
            ]
        return place(raw, text=self.text, format=self.format, name=self.name)

    def fail(self, raw: list[RawProblem]) -> NoReturn:
        """Raise every problem in ``raw``, placed in this document."""
        raise DocumentError(self.problems(raw))


def read_source(source: Any, *, format: Format, name: str) -> Source:
    """Parse an importer's ``source``: text, bytes or data already parsed.

    Text goes through the same parser and limits as a policydiff document
    (size, nesting, duplicate keys); parsed data is checked for nesting and
    size only.

    Raises:
        DocumentError: A syntax error, a duplicate key or a document beyond
            the limits, with its place.
    """
    if isinstance(source, bytes):
        source = decode(source, name)
    if isinstance(source, str):
        data, duplicates = parse(source, format, name, DEFAULT_LIMITS)
        if duplicates:
            raise DocumentError(place(duplicates, text=source, format=format, name=name))
        return Source(data, text=source, format=format, name=name)
    shape = check_shape(source, DEFAULT_LIMITS, shared=True)
    if shape is not None:
        found = Source(source, text=None, format=format, name=name)
        found.fail(shape)
    return Source(source, text=None, format=format, name=name)


def fail(name: str, path: str, message: str, hint: str | None = None) -> NoReturn:
    """Raise one problem at ``path`` of the file ``name``."""
    raise DocumentError([Problem(file=name, path=path, message=message, hint=hint)])


def content_id(prefix: str, content: object) -> str:
    """Return a short id for ``content``: ``prefix`` and 10 hex digits of its hash.

    The content is hashed as canonical JSON (keys sorted), so the id stays
    the same wherever the content sits in its document; callers sort lists
    whose order does not matter before passing them in.

    >>> from policydiff.importers._common import content_id
    >>> content_id("allow", {"action": ["s3:GetObject"]})
    'allow-a1ca50f669'
    """
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{prefix}-{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:10]}"


def _how_to_give(field: str) -> str:
    named = "DATE or VERSION@DATE" if field == "effective" else "VERSION@DATE"
    return (
        f"pass {field} (--{field} on the command line), name the file {named}"
        f" (such as v3@2024-05-30.json), or write its sidecar NAME.meta.yaml with '{field}:'"
    )


def effective_when(effective: Any, *, name: str) -> When:
    """Read an importer's ``effective``: a time value as SPEC section 3 gives it.

    Raises:
        DocumentError: The value is missing or not a time.
    """
    problem = _effective_problem(effective, name)
    if problem is not None:
        raise DocumentError([problem])
    return parse_when(effective)


def _effective_problem(effective: Any, name: str) -> Problem | None:
    if effective is None:
        message = "cannot tell when this version took effect"
        return Problem(file=name, path="effective", message=message, hint=_how_to_give("effective"))
    try:
        parse_when(effective)
    except ValueError as exc:
        detail = str(exc) if ACCEPTED in str(exc) else f"{exc}; expected {ACCEPTED}"
        return Problem(file=name, path="effective", message=detail)
    return None


def _label_problem(value: Any, field: str, name: str) -> Problem | None:
    if value is None:
        message = f"cannot tell this version's {'label' if field == 'version' else 'policy id'}"
        return Problem(file=name, path=field, message=message, hint=_how_to_give(field))
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        got = describe(value)
        message = f"expected a non-empty string without surrounding spaces (got {got})"
        return Problem(file=name, path=field, message=message)
    return None


@attrs.define(kw_only=True)
class Fallback:
    """Labels for a version whose document and caller give none.

    Set by the reader of a file around the importer's call (see
    :func:`falling_back`), so that a label the document itself holds (read
    by the importer) still wins, and importers need not know of it.

    Args:
        version: The label to use when the importer has none.
        effective: The date to use when the importer has none.
        used: Set when ``effective`` was used.
    """

    version: str | None = None
    effective: When | None = None
    used: bool = False


_FALLBACK: contextvars.ContextVar[Fallback | None] = contextvars.ContextVar(
    "policydiff_import_fallback", default=None
)


@contextlib.contextmanager
def falling_back(labels: Fallback) -> Iterator[Fallback]:
    """Use ``labels`` for what the importers called within give no label or date."""
    token = _FALLBACK.set(labels)
    try:
        yield labels
    finally:
        _FALLBACK.reset(token)


def build_version(
    body: Mapping[str, Any],
    *,
    policy: Any,
    version: Any,
    effective: Any,
    name: str,
) -> PolicyVersion:
    """Check an importer's result as a policydiff document and return the version.

    Args:
        body: Version fields other than ``policy``, ``version`` and
            ``effective`` (``rules``, ``default``, ``conflict``, ...).
        policy: The policy id the caller gave.
        version: The version label, or ``None`` when nothing gave one.
        effective: When the version took effect, or ``None``.
        name: The foreign file's name, for messages.

    Raises:
        DocumentError: A missing or bad policy, version or effective, or
            (an importer's own fault) data that is no valid version.
    """
    labels = _FALLBACK.get()
    if labels is not None and version is None:
        version = labels.version
    if labels is not None and effective is None and labels.effective is not None:
        effective, labels.used = labels.effective, True
    problems = [
        problem
        for problem in (
            _label_problem(policy, "policy", name),
            _label_problem(version, "version", name),
            _effective_problem(effective, name),
        )
        if problem is not None
    ]
    if problems:
        raise DocumentError(problems)
    data = {"policy": policy, "version": version, "effective": parse_when(effective), **body}
    # Problems, if any, are placed in the document as it was imported.
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return build(data, text=text, format="json", name=f"{name} (as imported)")
