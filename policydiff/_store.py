"""Compact storage: a history as its first version plus one delta per later one.

The stored form is plain JSON::

    {
      "policydiff": 2,
      "history": "deltas",
      "policy": "us-weapons-use-ukraine",
      "first": { ... the first version's document ... },
      "deltas": [ { "values_changed": {"root['version']": {...}}, ... }, ... ]
    }

Each delta is DeepDiff's own delta form (what :class:`deepdiff.Delta` holds),
bidirectional (every change carries its old value, so a delta applies both
ways and checks what it replaces) and written as plain JSON: DeepDiff's
binary serializer is never used.

Deltas apply to a version's *keyed form*: its document with ``rules`` a
mapping from each rule's id to the rest of the rule. A rule added, removed
or edited is then one entry at ``root['rules']['its-id']``, whatever its
position, so a step that adds or removes rules stores what it changed and
nothing more. Only the rules the two versions do not share are compared.

Format 1, whose deltas applied to the documents themselves (rules as a list,
by position), is still read.

A stored file is untrusted input. Before any delta is applied, the whole
payload is checked: its shape, only the delta actions this module writes,
only paths made of plain keys and indexes under ``root`` (no attribute
access, nothing DeepDiff would read another way than we do), and only plain
JSON values. Every rebuilt version then goes through the document builder,
so a delta that produces an invalid version is refused with its problems.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from policydiff._convert import sharing_rules, unstructure_rule, unstructure_version
from policydiff._diff import split_rules
from policydiff._documents import (
    DEFAULT_LIMITS,
    Format,
    Limits,
    build,
    format_of,
    parse,
    paused_collector,
    read_text,
    write_atomic,
)
from policydiff._history import (
    Place,
    PolicyHistory,
    check_versions,
    checked_history,
    share_fields,
)
from policydiff._locate import render_path
from policydiff._problems import RawProblem, place
from policydiff._text import describe, shown
from policydiff._time import absolute
from policydiff.errors import DocumentError, HistoryError, Problem, StoreError
from policydiff.model import PolicyVersion, Rule

# DeepDiff is imported where it is used (a third-party library, so no cycle):
# loading a history from documents never needs it, and costs nothing for it.
if TYPE_CHECKING:
    from deepdiff.helper import Opcode

__all__ = ["from_store", "load_deltas", "save_deltas", "to_store"]

#: The value of the payload's ``history`` key: what kind of file this is.
KIND = "deltas"
#: The format written: deltas between keyed forms (rules by id).
FORMAT_VERSION = 2
#: The formats read: 1 held deltas between documents (rules by position).
FORMATS_READ = (1, 2)

_TOP_KEYS = ("policydiff", "history", "policy", "first", "deltas")
_KEYED = ("dictionary_item_added", "dictionary_item_removed")
_INDEXED = ("iterable_item_added", "iterable_item_removed")
_OPCODES = "_iterable_opcodes"
#: The delta actions this module writes, and so the only ones it reads.
ACTIONS = ("values_changed", *_KEYED, *_INDEXED, _OPCODES)
_OPCODE_TAGS = ("delete", "equal", "insert", "replace")
_OPCODE_INDEXES = ("t1_from_index", "t1_to_index", "t2_from_index", "t2_to_index")

# One step of a path: an index, or a key quoted the way DeepDiff quotes it.
# Backslashes are refused so that no escape sequence is ever interpreted.
_STEP = re.compile(r"""\[(?:(0|[1-9][0-9]*)|'([^'\\]*)'|"([^"\\]*)")\]""")


# -- writing -------------------------------------------------------------------


def to_store(history: PolicyHistory) -> dict[str, Any]:
    """Return the compact form of ``history``: plain JSON data.

    Args:
        history: The history to store.

    Returns:
        ``{"policydiff": 2, "history": "deltas", "policy": ..., "first":
        ..., "deltas": [...]}``, one delta per version after the first.
    """
    versions = history.versions
    heads = [_head(v) for v in versions]
    return {
        "policydiff": FORMAT_VERSION,
        "history": KIND,
        "policy": history.policy,
        "first": unstructure_version(versions[0]),
        "deltas": [
            _step_delta(old, new, heads[i], heads[i + 1])
            for i, (old, new) in enumerate(itertools.pairwise(versions))
        ],
    }


def _head(version: PolicyVersion) -> dict[str, Any]:
    """Return the document of ``version`` without its rules (converted without them)."""
    return unstructure_version(attrs.evolve(version, rules=()))


def _body(rule: Rule) -> dict[str, Any]:
    """Return a rule's entry in the keyed form: its document without the id."""
    document = unstructure_rule(rule)
    del document["id"]
    return document


def _rule_path(rule_id: str) -> str | None:
    """``root['rules'][rule_id]`` as DeepDiff quotes it, or ``None`` if it cannot."""
    path = f"root['rules'][{rule_id!r}]"
    steps, wrong = _steps(path)
    return path if wrong is None and steps == ["rules", rule_id] else None


def _step_delta(
    old: PolicyVersion, new: PolicyVersion, old_head: dict[str, Any], new_head: dict[str, Any]
) -> dict[str, Any]:
    """Return the delta from one version's keyed form to the next's.

    The fields other than ``rules`` are compared field by field, as
    documents. Of the rules, only those the versions do not share as one
    object are looked at: each rule added or removed is one entry, and each
    edited rule DeepDiff's delta between its two bodies (or its body
    replaced whole, when that is smaller or DeepDiff cannot quote the id).
    """
    form: dict[str, dict[str, Any]] = {}
    for key in sorted(old_head.keys() | new_head.keys()):
        before = {key: old_head[key]} if key in old_head else {}
        after = {key: new_head[key]} if key in new_head else {}
        if before != after:
            _merge(form, _smallest(key, before, after))
    edited, removed, added = split_rules(old, new)
    paths = [_rule_path(rule.id) for rule in (*removed, *added)]
    paths.extend(_rule_path(rule.id) for rule, _ in edited)
    if None in paths:
        # An id DeepDiff cannot quote: the rules are replaced whole.
        whole = {"rules": _keyed_rules(old)}, {"rules": _keyed_rules(new)}
        _merge(form, _field_delta(*whole))
        return _sorted(form)
    for rule in removed:
        path = f"root['rules'][{rule.id!r}]"
        form.setdefault("dictionary_item_removed", {})[path] = _body(rule)
    for rule in added:
        path = f"root['rules'][{rule.id!r}]"
        form.setdefault("dictionary_item_added", {})[path] = _body(rule)
    for before_rule, after_rule in edited:
        before, after = _body(before_rule), _body(after_rule)
        path = f"root['rules'][{before_rule.id!r}]"
        part = {"values_changed": {path: {"new_value": after, "old_value": before}}}
        fine = _deepdiff_delta(before, after)
        if fine is not None and _size(fine) < _size(part) and _exact(fine, before, after):
            part = _rebased(fine, path)
        _merge(form, part)
    return _sorted(form)


def _smallest(key: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return one top-level field's delta: DeepDiff's when smaller and exact, else whole."""
    part = _field_delta(before, after)
    fine = _fine_delta(key, before, after)
    if fine is not None and _size(fine) < _size(part) and _exact(fine, before, after):
        part = fine
    return part


def _keyed_rules(version: PolicyVersion) -> dict[str, Any]:
    return {rule.id: _body(rule) for rule in version.rules}


def save_deltas(history: PolicyHistory, path: str | os.PathLike[str]) -> None:
    """Write ``history`` to ``path`` as JSON in compact form, atomically.

    Args:
        history: The history to store.
        path: The file to write (conventionally ``*.json``); read it back
            with :func:`load_deltas` or :func:`policydiff.load_history`.
    """
    text = json.dumps(to_store(history), indent=1, ensure_ascii=False) + "\n"
    write_atomic(path, text)


def _fine_delta(key: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """DeepDiff's delta for one top-level field.

    When the field is a list that kept its length (rules edited in place, the
    usual case), only the items that differ are handed to DeepDiff: walking
    every unchanged rule would cost far more than comparing it.
    """
    old_items, new_items = before.get(key), after.get(key)
    if not (
        isinstance(old_items, list)
        and isinstance(new_items, list)
        and len(old_items) == len(new_items)
    ):
        return _deepdiff_delta(before, after)
    form: dict[str, dict[str, Any]] = {}
    for index, (old_item, new_item) in enumerate(zip(old_items, new_items, strict=True)):
        if old_item != new_item:
            part = _deepdiff_delta(old_item, new_item)
            if part is None:
                return None
            _merge(form, _rebased(part, f"root[{key!r}][{index}]"))
    return _sorted(form)


def _rebased(form: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``form`` with its paths moved from ``root`` to ``prefix``."""

    def move(path: str) -> str:
        return prefix + path[len("root") :]

    moved: dict[str, Any] = {}
    for action, entries in form.items():
        moved[action] = {}
        for path, entry in entries.items():
            if action == "values_changed" and "new_path" in entry:
                entry = {**entry, "new_path": move(entry["new_path"])}
            moved[action][move(path)] = entry
    return moved


def _merge(form: dict[str, dict[str, Any]], part: dict[str, Any]) -> None:
    for action, entries in part.items():
        form.setdefault(action, {}).update(entries)


def _sorted(form: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {action: dict(sorted(form[action].items())) for action in sorted(form)}


def _size(form: dict[str, Any]) -> int:
    return len(json.dumps(form, ensure_ascii=False, separators=(",", ":")))


def _deepdiff_delta(old: Any, new: Any) -> dict[str, Any] | None:
    from deepdiff import DeepDiff, Delta

    delta = Delta(
        DeepDiff(old, new),
        bidirectional=True,
        raise_errors=True,
        log_errors=False,
        serializer=json.dumps,
        deserializer=json.loads,
    )
    form: dict[str, Any] = {}
    for action in sorted(delta.diff):
        entries = delta.diff[action]
        if action == _OPCODES:
            entries = {path: [_opcode_form(op) for op in ops] for path, ops in entries.items()}
        form[action] = entries
    try:
        # Only plain JSON may be stored: anything else fails here.
        plain: dict[str, Any] = json.loads(json.dumps(form, allow_nan=False))
    except (TypeError, ValueError):
        return None
    return _sorted(plain)


def _opcode_form(op: Opcode) -> dict[str, Any]:
    return {name: value for name, value in op._asdict().items() if value is not None}


def _field_delta(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, dict[str, Any]] = {}
    for key in sorted(old.keys() | new.keys()):
        path = f"root[{key!r}]"
        if key not in new:
            form.setdefault("dictionary_item_removed", {})[path] = old[key]
        elif key not in old:
            form.setdefault("dictionary_item_added", {})[path] = new[key]
        elif old[key] != new[key]:
            change = {"new_value": new[key], "old_value": old[key]}
            form.setdefault("values_changed", {})[path] = change
    return form


def _exact(form: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> bool:
    if _delta_problems(form, (), DEFAULT_LIMITS):
        return False
    try:
        return bool(_apply(old, form) == new and _apply(new, form, reverse=True) == old)
    except Exception:  # any failure to apply means: not this delta
        return False


# -- applying ------------------------------------------------------------------


def _apply(doc: dict[str, Any], form: dict[str, Any], *, reverse: bool = False) -> Any:
    """Apply a checked delta to a copy of ``doc`` (backwards with ``reverse``).

    Forwards, only the lists and mappings on the delta's paths are copied;
    the rest is shared with ``doc``, so a small delta costs little however
    large the document (DeepDiff would copy the whole document each time).
    """
    from deepdiff import Delta
    from deepdiff.helper import Opcode

    if not form:
        return copy.deepcopy(doc)
    diff = copy.deepcopy(form)
    if _OPCODES in diff:
        diff[_OPCODES] = {
            path: [Opcode(**op) for op in ops] for path, ops in diff[_OPCODES].items()
        }
    delta = Delta(
        delta_diff=diff,
        bidirectional=True,
        raise_errors=True,
        log_errors=False,
        serializer=json.dumps,
        deserializer=json.loads,
        mutate=not reverse,
    )
    return doc - delta if reverse else _copied_along(doc, form) + delta


def _copied_along(doc: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with fresh copies of the containers that ``form``'s paths change.

    A change replaces, adds or removes a member of the container its path
    ends in; list operations change the list itself. Those containers and
    the ones above them are copied, each once.
    """
    top = dict(doc)
    copies = {id(top)}
    for action, entries in form.items():
        for path, entry in entries.items():
            paths = [path]
            if isinstance(entry, dict) and "new_path" in entry:
                paths.append(entry["new_path"])
            for one in paths:
                steps, _ = _steps(one)
                changed = steps if action == _OPCODES else steps[:-1]
                node: Any = top
                for step in changed:
                    try:
                        child = node[step]
                    except (KeyError, IndexError, TypeError):
                        break  # DeepDiff says what is wrong when it applies the delta
                    if isinstance(child, dict | list) and id(child) not in copies:
                        child = copy.copy(child)
                        copies.add(id(child))
                        node[step] = child
                    node = child
    return top


# -- reading -------------------------------------------------------------------


def load_deltas(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> PolicyHistory:
    """Read a history stored by :func:`save_deltas`.

    Args:
        path: The stored file.
        limits: Bounds on the file's size, nesting and strings.

    Raises:
        StoreError: The file is not a valid stored history; nothing is
            applied until the whole payload has been checked.
        DocumentError: The file cannot be read or parsed.
        HistoryError: The rebuilt versions do not form one history.
    """
    name = os.fspath(path)
    fmt = format_of(name)
    text = read_text(name, limits)
    data, duplicates = parse(text, fmt, name, limits)
    if duplicates:
        raise StoreError(place(duplicates, text=text, format=fmt, name=name))
    return read_store(data, name=name, text=text, format=fmt, limits=limits)


def from_store(
    data: Any, *, name: str = "<store>", limits: Limits = DEFAULT_LIMITS
) -> PolicyHistory:
    """Rebuild a history from :func:`to_store`'s form, checking everything first.

    Args:
        data: The payload, as plain JSON data.
        name: What to call it in messages.
        limits: Bounds on nesting and string length.

    Raises:
        StoreError: The payload's shape, a delta's actions, paths or values,
            or a rebuilt version is invalid; or a delta does not apply.
        HistoryError: The rebuilt versions do not form one history.
    """
    return read_store(data, name=name, text=None, format="json", limits=limits)


def read_store(
    data: Any, *, name: str, text: str | None, format: Format, limits: Limits
) -> PolicyHistory:
    """Rebuild a history from its stored form, read from ``text`` when given.

    Args:
        data: The parsed payload.
        name: The file it came from, for messages.
        text: The file's text, to give problems a line and column.
        format: The text's format.
        limits: Bounds on nesting and string length.

    Raises:
        StoreError: The payload's shape, a delta's actions, paths or values,
            or a rebuilt version is invalid; or a delta does not apply.
        HistoryError: The rebuilt versions do not form one history.
    """

    def fail(raw: list[RawProblem]) -> StoreError:
        if text is None:
            return StoreError(
                Problem(file=name, path=render_path(p.path), message=p.message, hint=p.hint)
                for p in raw
            )
        return StoreError(place(raw, text=text, format=format, name=name))

    raw = list(_payload_problems(data, limits))
    if raw:
        raise fail(raw)
    source = text if text is not None else ""
    source_format: Format = format if text is not None else "json"
    with sharing_rules(), paused_collector():
        first = _build(data["first"], ("first",), name, source, source_format, limits)
        versions = [first]
        places = [Place(file=name, prefix=("first",), text=text, format=format)]
        seen = _Seen(first, limits)
        # Format 1 applies each delta to the document before; format 2 to
        # the keyed form, turned back into a document for the builder.
        state: Any = data["first"]
        document: Callable[[Any], tuple[Any, list[RawProblem]]] = _as_is
        if data["policydiff"] == 2:
            state, document = _keyed(data["first"]), _Listing()
        for index, form in enumerate(data["deltas"]):
            here: tuple[str | int, ...] = ("deltas", index)
            try:
                state = _apply(state, form)
            except Exception as exc:  # DeepDiff reports a bad delta in several ways
                message = f"does not apply to the version before it: {_reason(exc)}"
                hint = "the file changed after it was written; store the history again from its documents"
                raise fail([RawProblem(here, message, hint=hint)]) from None
            doc, wrong = document(state)
            if wrong:
                raise fail(
                    [
                        RawProblem(here, f"rebuilds an invalid version: {p.message}", hint=p.hint)
                        for p in wrong
                    ]
                )
            try:
                version = build(doc, text="", format="json", name=name, limits=limits)
            except DocumentError as exc:
                raise fail(
                    [
                        RawProblem(here, f"rebuilds an invalid version: {_inner(p)}")
                        for p in exc.problems
                    ]
                ) from None
            versions.append(share_fields(version, versions[-1]))
            places.append(Place(file=name, prefix=here, text=text, format=format))
            # Stop at the first repeat, before rebuilding the rest.
            if seen.repeats(version):
                raise HistoryError(check_versions(versions, places, name=name))
            if seen.over_budget(version):
                message = (
                    f"rebuilding the history builds more than the limit of"
                    f" {limits.max_nodes:,} rules in all"
                )
                raise fail([RawProblem(here, message)])
    return checked_history(versions, places, name=name)


def _as_is(document: Any) -> tuple[Any, list[RawProblem]]:
    return document, []


def _keyed(document: dict[str, Any]) -> dict[str, Any]:
    """Return the keyed form of a built version's document: ``rules`` by id.

    The first version was built before this is called, so its rules are
    mappings with distinct string ids.
    """
    rules = document.get("rules", [])
    keyed = {key: value for key, value in document.items() if key != "rules"}
    keyed["rules"] = {
        rule["id"]: {k: v for k, v in rule.items() if k != "id"}
        for rule in (rules if isinstance(rules, list) else [rules])
    }
    return keyed


class _Listing:
    """Turns keyed forms back into documents, one rule mapping per unchanged body.

    A rule whose body is the very object of the version before gets the very
    mapping it got then, so building the version finds it unchanged at once
    (see :func:`~policydiff._convert.sharing_rules`), and the mappings of one
    version are all that is held.
    """

    def __init__(self) -> None:
        self.made: dict[str, tuple[Any, dict[str, Any]]] = {}

    def __call__(self, keyed: Any) -> tuple[Any, list[RawProblem]]:
        rules = keyed.get("rules") if isinstance(keyed, dict) else None
        if not isinstance(rules, dict):
            message = f"rules: expected a mapping of rules by id (got {describe(rules)})"
            return None, [RawProblem((), message)]
        wrong: list[RawProblem] = []
        listed: list[dict[str, Any]] = []
        made: dict[str, tuple[Any, dict[str, Any]]] = {}
        for rule_id, body in rules.items():
            known = self.made.get(rule_id)
            if known is not None and known[0] is body:
                made[rule_id] = known
                listed.append(known[1])
                continue
            if not isinstance(body, dict):
                message = f"rules[{rule_id!r}]: expected a rule, a mapping (got {describe(body)})"
                wrong.append(RawProblem((), message))
                continue
            if "id" in body:
                message = f"rules[{rule_id!r}]: a stored rule names no id of its own"
                wrong.append(RawProblem((), message, hint="a stored rule's key is its id"))
                continue
            made[rule_id] = (body, {"id": rule_id, **body})
            listed.append(made[rule_id][1])
        self.made = made
        return {**{k: v for k, v in keyed.items() if k != "rules"}, "rules": listed}, wrong


class _Seen:
    """The labels and instants rebuilt so far, and the rules built in all.

    Each delta is small, but each version it rebuilds is as large as the
    document: the rules built in all are counted against ``max_nodes``, so
    a file of many tiny deltas cannot cost more than a document at the limit.
    """

    def __init__(self, first: PolicyVersion, limits: Limits) -> None:
        self.labels = {first.version}
        self.instants = {absolute(first.effective.instant)}
        self.rules = len(first.rules)
        self.budget = limits.max_nodes

    def repeats(self, version: PolicyVersion) -> bool:
        instant = absolute(version.effective.instant)
        if version.version in self.labels or instant in self.instants:
            return True
        self.labels.add(version.version)
        self.instants.add(instant)
        return False

    def over_budget(self, version: PolicyVersion) -> bool:
        self.rules += len(version.rules)
        return self.rules > self.budget


def _build(
    data: Any,
    prefix: tuple[str | int, ...],
    name: str,
    text: str,
    fmt: Format,
    limits: Limits,
) -> PolicyVersion:
    try:
        return build(data, text=text, format=fmt, name=name, limits=limits, prefix=prefix)
    except DocumentError as exc:
        raise StoreError(exc.problems) from None


def _inner(problem: Problem) -> str:
    return f"{problem.path}: {problem.message}" if problem.path else problem.message


def _reason(exc: Exception) -> str:
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    # DeepDiff appends advice for its own callers (such as force=True) that
    # would only mislead ours.
    for tail in (". Error found on", ". You may want to"):
        text = text.split(tail, 1)[0]
    return text


# -- checking a payload before anything is applied -----------------------------


def _payload_problems(data: Any, limits: Limits) -> Iterator[RawProblem]:
    if not isinstance(data, dict):
        yield RawProblem((), f"expected a stored history, a mapping (got {describe(data)})")
        return
    for key in data:
        if key not in _TOP_KEYS:
            expected = ", ".join(_TOP_KEYS)
            yield RawProblem(
                (key,), f"unknown key {shown(key)} (expected: {expected})", at_key=True
            )
    for key in _TOP_KEYS:
        if key not in data:
            yield RawProblem((key,), "required field is missing", at_key=True)
    version = data.get("policydiff")
    if "policydiff" in data and (isinstance(version, bool) or version not in FORMATS_READ):
        read = " and ".join(str(n) for n in FORMATS_READ)
        yield RawProblem(
            ("policydiff",),
            f"unsupported format version {shown(version)} (this release reads {read})",
            hint="upgrade policydiff to read newer stored histories",
        )
    if "history" in data and data["history"] != KIND:
        yield RawProblem(("history",), f"expected {KIND!r} (got {describe(data['history'])})")
    policy = data.get("policy")
    if "policy" in data and not isinstance(policy, str):
        yield RawProblem(("policy",), f"expected a string (got {describe(policy)})")
    first = data.get("first")
    if "first" in data and not isinstance(first, dict):
        yield RawProblem(("first",), f"expected a version document (got {describe(first)})")
    elif isinstance(first, dict) and isinstance(policy, str) and first.get("policy") != policy:
        yield RawProblem(
            ("first", "policy"),
            f"the first version's policy {shown(first.get('policy'))} is not the stored {shown(policy)}",
        )
    deltas = data.get("deltas")
    if "deltas" in data and not isinstance(deltas, list):
        yield RawProblem(("deltas",), f"expected a list of deltas (got {describe(deltas)})")
    elif isinstance(deltas, list):
        for index, form in enumerate(deltas):
            here = ("deltas", index)
            wrong = _delta_problems(form, here, limits)
            yield from wrong or _changes_problems(form, here)


def _delta_problems(form: Any, here: tuple[str | int, ...], limits: Limits) -> list[RawProblem]:
    """Everything wrong with one delta, found before it is applied."""
    if not isinstance(form, dict):
        return [RawProblem(here, f"expected a delta, a mapping of actions (got {describe(form)})")]
    found: list[RawProblem] = []
    for action, entries in form.items():
        at = (*here, action)
        if action not in ACTIONS:
            expected = ", ".join(ACTIONS)
            message = f"unknown delta action {shown(action)} (expected one of: {expected})"
            found.append(RawProblem(at, message, at_key=True))
            continue
        if not isinstance(entries, dict):
            found.append(RawProblem(at, f"expected a mapping of paths (got {describe(entries)})"))
            continue
        for path, entry in entries.items():
            found.extend(_entry_problems(action, path, entry, (*at, path), limits))
    return found


def _changes_problems(form: dict[str, Any], here: tuple[str | int, ...]) -> list[RawProblem]:
    """Refuse a delta that leaves the label or the effective time alone.

    Such a delta cannot make a later version: each needs its own label and
    moment.

    The effective time moves when ``effective`` changes, or when the zone
    it is read in (``timezone``) does.
    """
    fields = {_steps(path)[0][0] for entries in form.values() for path in entries}
    missing = []
    if "version" not in fields:
        missing.append("'version'")
    if not fields & {"effective", "timezone"}:
        missing.append("'effective'")
    if not missing:
        return []
    if not fields:
        message = "changes nothing; each later version needs its own label and effective time"
    else:
        message = (
            f"leaves {' and '.join(missing)} unchanged;"
            " each later version needs its own label and effective time"
        )
    return [RawProblem(here, message)]


def _entry_problems(
    action: str, path: Any, entry: Any, at: tuple[str | int, ...], limits: Limits
) -> Iterator[RawProblem]:
    steps, wrong = _steps(path)
    if wrong:
        yield RawProblem(at, wrong, at_key=True)
        return
    last = steps[-1]
    if action in _KEYED and not isinstance(last, str):
        yield RawProblem(
            at, f"{action} needs a path ending in a key (got {shown(path)})", at_key=True
        )
    if action in _INDEXED and not isinstance(last, int):
        yield RawProblem(
            at, f"{action} needs a path ending in an index (got {shown(path)})", at_key=True
        )
    if action == "values_changed":
        yield from _change_problems(entry, at, limits)
    elif action == _OPCODES:
        yield from _opcode_problems(entry, at, limits)
    else:
        yield from _value_problems(entry, at, limits)


def _steps(path: Any) -> tuple[list[str | int], str | None]:
    """Return the keys and indexes of a delta path, or what is wrong with it."""
    if not isinstance(path, str):
        return [], f"expected a path such as root['rules'][0] (got {describe(path)})"
    if not path.startswith("root"):
        return (
            [],
            f"path {shown(path)} is not rooted at the document (expected it to start with root)",
        )
    steps: list[str | int] = []
    position = len("root")
    while position < len(path):
        if path[position] == ".":
            return [], f"path {shown(path)} reads an attribute; only keys and indexes are allowed"
        match = _STEP.match(path, position)
        if match is None:
            return [], (
                f"path {shown(path)} is not a plain path of keys and indexes"
                f" (expected root['key'][0]...; unreadable from column {position + 1})"
            )
        index, single, double = match.groups()
        steps.append(int(index) if index is not None else single if single is not None else double)
        position = match.end()
    if not steps:
        return [], "the document itself cannot be replaced; a path needs at least one key"
    # DeepDiff parses the path again when applying it: it must read the same steps.
    from deepdiff.path import parse_path

    read = parse_path(path, include_actions=True)  # type: ignore[no-untyped-call]
    if read != [{"element": s, "action": "GET"} for s in steps]:  # pragma: no cover
        # Defence in depth: no path of the grammar above is known to differ.
        return [], f"path {shown(path)} is ambiguous (DeepDiff would read it differently)"
    return steps, None


def _change_problems(entry: Any, at: tuple[str | int, ...], limits: Limits) -> Iterator[RawProblem]:
    if not isinstance(entry, dict):
        yield RawProblem(at, f"expected {{'new_value', 'old_value'}} (got {describe(entry)})")
        return
    for key in ("new_value", "old_value"):
        if key not in entry:
            yield RawProblem(at, f"{shown(key)} is missing: a stored delta applies both ways")
    for key, value in entry.items():
        if key in ("new_value", "old_value"):
            yield from _value_problems(value, (*at, key), limits)
        elif key == "new_path":
            _, wrong = _steps(value)
            if wrong:
                yield RawProblem((*at, key), wrong)
        else:
            yield RawProblem(
                (*at, key), f"unknown key {shown(key)} (expected new_value, old_value)", at_key=True
            )


def _opcode_problems(entry: Any, at: tuple[str | int, ...], limits: Limits) -> Iterator[RawProblem]:
    if not isinstance(entry, list):
        yield RawProblem(at, f"expected a list of opcodes (got {describe(entry)})")
        return
    allowed = ("tag", *_OPCODE_INDEXES, "old_values", "new_values")
    for index, op in enumerate(entry):
        here = (*at, index)
        if not isinstance(op, dict):
            yield RawProblem(here, f"expected an opcode mapping (got {describe(op)})")
            continue
        for key in op:
            if key not in allowed:
                yield RawProblem(
                    (*here, key),
                    f"unknown key {shown(key)} (expected: {', '.join(allowed)})",
                    at_key=True,
                )
        if op.get("tag") not in _OPCODE_TAGS:
            message = f"unknown opcode tag {shown(op.get('tag'))} (expected one of: {', '.join(_OPCODE_TAGS)})"
            yield RawProblem((*here, "tag"), message)
        for key in _OPCODE_INDEXES:
            value = op.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                message = f"expected an index, a whole number from 0 (got {describe(value)})"
                yield RawProblem((*here, key), message)
        for key in ("old_values", "new_values"):
            values = op.get(key)
            if values is not None and not isinstance(values, list):
                yield RawProblem((*here, key), f"expected a list (got {describe(values)})")
            elif values is not None:
                yield from _value_problems(values, (*here, key), limits)


def _value_problems(value: Any, at: tuple[str | int, ...], limits: Limits) -> Iterator[RawProblem]:
    """Problems that keep ``value`` from being plain JSON within ``limits``."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.max_depth:
            yield RawProblem(at, f"value nested deeper than the limit of {limits.max_depth} levels")
            return
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    yield RawProblem(at, f"expected plain JSON: a key {describe(key)}")
                    return
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            if len(item) > limits.max_string:
                message = f"string of {len(item):,} characters is longer than the limit of {limits.max_string:,}"
                yield RawProblem(at, message)
                return
        elif isinstance(item, float):
            if not math.isfinite(item):
                yield RawProblem(
                    at, f"expected plain JSON (got {shown(item)}, which JSON cannot hold)"
                )
                return
        elif item is not None and not isinstance(item, int):
            yield RawProblem(at, f"expected plain JSON (got {describe(item)})")
            return
