"""Reading a waivers file: approved exceptions to the review gate.

A waivers file is YAML holding ``waivers:``, a list of mappings, each with a
``fingerprint`` (a change's :attr:`~policydiff.model.Change.fingerprint`), a
``reason``, who it was ``approved_by`` and the day it ``expires``
(``YYYY-MM-DD``, the last day it waives). Every problem is reported with its
file, line and field.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pendulum
import yaml

from policydiff._decisions import Waiver
from policydiff._documents import read_text
from policydiff.errors import DocumentError, Problem

#: The waivers file ``check`` reads from the current folder when present.
DEFAULT_WAIVERS = ".policydiff-waivers.yaml"

_FIELDS = ("fingerprint", "reason", "approved_by", "expires")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_EXAMPLE = (
    "waivers: [{fingerprint: 0123456789abcdef, reason: ..., approved_by: ..., expires: 2026-12-31}]"
)


def load_waivers(path: str | os.PathLike[str]) -> tuple[Waiver, ...]:
    """Read a waivers file.

    Raises:
        DocumentError: The file is unreadable, not YAML, or a waiver lacks a
            field or holds a bad one; every problem names its line and field.
    """
    name = os.fspath(path)
    return loads_waivers(read_text(name), name=name)


def loads_waivers(text: str, *, name: str = "<waivers>") -> tuple[Waiver, ...]:
    """Read waivers from YAML text; see :func:`load_waivers`.

    >>> (w,) = loads_waivers('''
    ... waivers:
    ...   - fingerprint: bbcf5d094f45926a
    ...     reason: The Kharkiv permission was reviewed.
    ...     approved_by: Policy board
    ...     expires: 2026-12-31
    ... ''')
    >>> w.fingerprint, w.expires, w.line
    ('bbcf5d094f45926a', '2026-12-31', 3)
    """
    problems: list[Problem] = []

    def problem(node: yaml.Node | None, field: str, message: str) -> None:
        line = None if node is None else node.start_mark.line + 1
        column = None if node is None else node.start_mark.column + 1
        problems.append(Problem(file=name, path=field, message=message, line=line, column=column))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        column = None if mark is None else mark.column + 1
        message = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        bad = Problem(file=name, path="", message=message, line=line, column=column)
        raise DocumentError([bad]) from None
    items = _waiver_list(root, problem)
    waivers: list[Waiver] = []
    for index, item in enumerate(items):
        found = _waiver(item, f"waivers[{index}]", name, problem)
        if found is not None:
            waivers.append(found)
    if problems:
        raise DocumentError(problems)
    return tuple(waivers)


def _waiver_list(root: yaml.Node | None, problem: Any) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        problem(root, "", f"expected a mapping holding waivers:, such as {_EXAMPLE}")
        return []
    fields = {key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    for key, _ in root.value:
        if getattr(key, "value", None) != "waivers":
            problem(key, str(getattr(key, "value", "")), "unknown key (expected only waivers)")
    if "waivers" not in fields:
        problem(root, "waivers", "missing: the list of waivers")
        return []
    listed = fields["waivers"]
    if isinstance(listed, yaml.ScalarNode) and listed.tag.endswith(":null"):
        return []
    if not isinstance(listed, yaml.SequenceNode):
        problem(listed, "waivers", "expected a list of waivers")
        return []
    return list(listed.value)


def _waiver(node: yaml.Node, where: str, name: str, problem: Any) -> Waiver | None:
    if not isinstance(node, yaml.MappingNode):
        problem(node, where, f"expected a mapping with {', '.join(_FIELDS)}")
        return None
    values: dict[str, str] = {}
    ok = True
    for key, value in node.value:
        field = str(getattr(key, "value", ""))
        if field not in _FIELDS:
            problem(key, f"{where}.{field}", f"unknown field (expected {', '.join(_FIELDS)})")
            ok = False
        elif not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            problem(value, f"{where}.{field}", "expected a non-empty text value")
            ok = False
        else:
            values[field] = str(value.value).strip()
    for field in _FIELDS:
        if field not in values and all(getattr(k, "value", None) != field for k, _ in node.value):
            problem(node, f"{where}.{field}", "missing")
            ok = False
    fingerprint = values.get("fingerprint")
    if fingerprint is not None and not _FINGERPRINT.fullmatch(fingerprint):
        problem(
            _value_node(node, "fingerprint"),
            f"{where}.fingerprint",
            f"expected 16 lower-case hex digits, as check prints them (got {fingerprint!r})",
        )
        ok = False
    expires = values.get("expires")
    if expires is not None:
        day = _day(expires)
        if day is None:
            problem(
                _value_node(node, "expires"),
                f"{where}.expires",
                f"expected a date YYYY-MM-DD (got {expires!r})",
            )
            ok = False
        values["expires"] = day or expires
    if not ok:
        return None
    return Waiver(
        fingerprint=values["fingerprint"],
        reason=values["reason"],
        approved_by=values["approved_by"],
        expires=values["expires"],
        file=name,
        line=node.start_mark.line + 1,
    )


def _value_node(node: yaml.MappingNode, field: str) -> yaml.Node:
    found: yaml.Node = next(v for k, v in node.value if getattr(k, "value", None) == field)
    return found


def _day(text: str) -> str | None:
    """Return ``text`` as ``YYYY-MM-DD`` when it is a calendar date, else ``None``."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        parsed = pendulum.parse(text, exact=True)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        return None
    return parsed.isoformat() if isinstance(parsed, pendulum.Date) else None
