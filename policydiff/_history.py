"""Histories: the versions of one policy, in the order they took effect.

A history comes from a folder of version documents (any names, any order) or
from one document that holds the shared metadata once and a list of
``versions:``. Either way every version is read and checked before anything
is returned, and every problem found in every file is reported together.

Lookups by time use :mod:`bisect` over the versions' first instants, so
:meth:`PolicyHistory.at` costs O(log n) however long the history is.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import attrs
import pendulum

from policydiff._convert import RawProblem, sharing_rules
from policydiff._documents import (
    DEFAULT_LIMITS,
    SUFFIXES,
    Format,
    Limits,
    build,
    format_of,
    iter_files,
    parse,
    paused_collector,
    place,
    read_text,
)
from policydiff._locate import locate, render_path
from policydiff.errors import DocumentError, HistoryError, Problem, StoreError
from policydiff.model import Change, Direction, Kind, PolicyVersion, When

if TYPE_CHECKING:
    from policydiff._diff import PolicyDiff

__all__ = ["PolicyHistory", "TimelineEntry", "load_history"]

#: What :meth:`PolicyHistory.at` accepts: a SPEC section 3 string or year,
#: a date, a datetime (naive ones read in the history's zone) or a When.
Moment = str | int | dt.date | When

#: Version fields that belong to each version body, never to shared metadata.
_OWN_FIELDS = ("version", "effective", "rules", "removals")


@attrs.frozen(kw_only=True)
class _Place:
    """Where a version came from, to point at it in a message."""

    file: str
    prefix: tuple[str | int, ...] = ()
    text: str | None = None
    format: Format = "yaml"

    @property
    def label(self) -> str:
        """How another problem refers to this version: a file or ``versions[i]``."""
        return render_path(self.prefix) if self.prefix else self.file

    def problem(self, field: str, message: str) -> Problem:
        """A problem at ``field`` of this version, with its line and column."""
        return self.problem_at((field,), message)

    def problem_at(self, steps: tuple[str | int, ...], message: str) -> Problem:
        """A problem at the path ``steps`` inside this version."""
        path = (*self.prefix, *steps)
        line, column = (None, None)
        if self.text is not None:
            line, column = locate(self.text, self.format, path)
        return Problem(
            file=self.file, path=render_path(path), message=message, line=line, column=column
        )


@attrs.frozen(kw_only=True)
class TimelineEntry:
    """One change in a history, with the versions it lies between.

    A rule of the history's first version has an entry too: it is in force
    from that version on, with no version before it.

    Attributes:
        change: The change itself.
        version: The version the change came with.
        previous: The version just before it; ``None`` for a rule in force
            from the first version.
    """

    change: Change
    version: PolicyVersion
    previous: PolicyVersion | None

    @property
    def effective(self) -> When:
        """When the change took effect (its version's ``effective``)."""
        return self.version.effective

    @property
    def from_start(self) -> bool:
        """Whether the entry is a rule in force from the history's first version."""
        return self.previous is None

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain JSON data: both version labels and the change."""
        from policydiff._diff import change_to_dict

        return {
            "version": self.version.version,
            "previous": None if self.previous is None else self.previous.version,
            "effective": self.effective.isoformat(),
            "change": change_to_dict(self.change),
        }


def _as_tuple(versions: Iterable[PolicyVersion]) -> tuple[PolicyVersion, ...]:
    return tuple(versions)


@attrs.frozen(kw_only=True)
class PolicyHistory:
    """The versions of one policy, oldest first.

    Build one with :func:`load_history`, or directly from versions in any
    order: ``PolicyHistory(versions=[v2, v1])``. Iterating gives the versions
    in effective order; ``history["label"]`` finds one by its label and
    ``history[0]`` by its position.

    Args:
        versions: At least one version, all of one policy, with distinct
            labels and distinct effective instants.
        name: What to call the history in messages (its path, once loaded);
            not part of equality.

    Raises:
        HistoryError: No versions, versions of several policies, or two
            versions sharing a label or an effective instant.

    >>> history = policydiff.load_history("examples/us-ukraine-strikes/history")
    >>> history.at("2024-05-31").version
    'kharkiv-defensive-strikes'
    """

    versions: tuple[PolicyVersion, ...] = attrs.field(converter=_as_tuple)
    name: str = attrs.field(default="<history>", eq=False)

    def __attrs_post_init__(self) -> None:
        places = [_Place(file=self.name, prefix=("versions", i)) for i in range(len(self.versions))]
        problems = check_versions(self.versions, places, name=self.name)
        if problems:
            raise HistoryError(problems)
        ordered = tuple(sorted(self.versions, key=lambda v: v.effective.instant))
        object.__setattr__(self, "versions", ordered)

    # -- the versions ------------------------------------------------------------

    @cached_property
    def _starts(self) -> list[pendulum.DateTime]:
        return [v.effective.instant for v in self.versions]

    @cached_property
    def _by_label(self) -> dict[str, PolicyVersion]:
        return {v.version: v for v in self.versions}

    def __iter__(self) -> Iterator[PolicyVersion]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    def __contains__(self, label: object) -> bool:
        return label in self._by_label

    @overload
    def __getitem__(self, key: str) -> PolicyVersion: ...
    @overload
    def __getitem__(self, key: int) -> PolicyVersion: ...

    def __getitem__(self, key: str | int) -> PolicyVersion:
        """The version with this label, or at this position (oldest is 0).

        Raises:
            KeyError: No version has this label (the message suggests close ones).
            IndexError: No version at this position.
        """
        if isinstance(key, int):
            return self.versions[key]
        try:
            return self._by_label[key]
        except KeyError:
            raise KeyError(self._unknown_label(key)) from None

    def _unknown_label(self, label: str) -> str:
        close = difflib.get_close_matches(label, list(self._by_label), n=1)
        if close:
            return f"no version labelled {label!r}; did you mean {close[0]!r}?"
        known = ", ".join(self._by_label)
        return f"no version labelled {label!r} (versions: {known})"

    def _version(self, label: str | PolicyVersion) -> PolicyVersion:
        if isinstance(label, PolicyVersion):
            return label
        if label not in self._by_label:
            problem = Problem(file=self.name, path="", message=self._unknown_label(label))
            raise HistoryError([problem])
        return self._by_label[label]

    @property
    def policy(self) -> str:
        """The policy's id."""
        return self.versions[0].policy

    @property
    def first(self) -> PolicyVersion:
        """The oldest version."""
        return self.versions[0]

    @property
    def last(self) -> PolicyVersion:
        """The newest version (the one in force now, unless a later one exists elsewhere)."""
        return self.versions[-1]

    @property
    def timezone(self) -> str:
        """The zone naive times are read in: the first version's."""
        return self.versions[0].timezone

    # -- time --------------------------------------------------------------------

    def when(self, moment: Moment) -> When:
        """Read ``moment`` as a time value of this history.

        Args:
            moment: A SPEC section 3 string (``"2024-06"``, ``"2024-06-01"``,
                ``"2024-06-01T09:00-04:00"``), a year, a date, a datetime or a
                :class:`~policydiff.model.When`. Values without an offset are
                read in the history's zone (see :attr:`timezone`).

        Raises:
            DocumentError: ``moment`` is not a time value.
        """
        from policydiff._time import parse_when

        try:
            return parse_when(moment, self.timezone)
        except ValueError as exc:
            raise DocumentError(
                [Problem(file="<argument>", path="when", message=str(exc))]
            ) from None

    def at(self, moment: Moment) -> PolicyVersion | None:
        """The version in force at ``moment``.

        A version is in force from its effective instant (inclusive) until
        the next version's. A partial value such as ``"2024-06"`` asks about
        its first instant.

        Args:
            moment: See :meth:`when`.

        Returns:
            The version, or ``None`` before the first version took effect.

        Raises:
            DocumentError: ``moment`` is not a time value.

        >>> history.at("2024-05-30").version
        'kharkiv-defensive-strikes'
        """
        instant = self.when(moment).instant
        index = bisect.bisect_right(self._starts, instant) - 1
        return self.versions[index] if index >= 0 else None

    def find(self, ref: str | Moment) -> PolicyVersion:
        """The version a label names, or else the one in force at a moment.

        A command line takes ``--from kharkiv-defensive-strikes`` and
        ``--from 2024-06-01`` alike: a string that is one of the labels is
        that version, anything else is read as a time (see :meth:`when`).

        Raises:
            HistoryError: ``ref`` is neither a label nor a time, or no version
                was in force at that time.
        """
        if isinstance(ref, str) and ref in self._by_label:
            return self._by_label[ref]
        try:
            moment = self.when(ref)
        except DocumentError:
            message = self._unknown_label(str(ref)) + "; nor is it a time value"
            raise HistoryError([Problem(file=self.name, path="", message=message)]) from None
        found = self.at(moment)
        if found is None:
            message = (
                f"no version of {self.policy!r} was in force at {moment};"
                f" the history begins {self.first.effective} ({self.first.version})"
            )
            raise HistoryError([Problem(file=self.name, path="", message=message)])
        return found

    def taking_effect(self, moment: Moment) -> tuple[PolicyVersion, ...]:
        """The versions that take effect within the period ``moment`` names.

        ``"2024-06"`` names all of June 2024 and ``"2024-05-30"`` the whole
        day, while :meth:`at` answers for their first instant; this says
        which versions that answer does not cover. An instant names no
        period, so nothing takes effect within it.

        Raises:
            DocumentError: ``moment`` is not a time value.
        """
        when = self.when(moment)
        start = bisect.bisect_right(self._starts, when.instant)
        end = bisect.bisect_left(self._starts, when.end)
        return self.versions[start:end]

    # -- changes -----------------------------------------------------------------

    def diff(self, old: str | PolicyVersion, new: str | PolicyVersion) -> PolicyDiff:
        """The changes from one version to another, by label.

        Raises:
            HistoryError: No version has one of the labels.
        """
        from policydiff._diff import diff

        return diff(self._version(old), self._version(new))

    @cached_property
    def _changes(self) -> tuple[PolicyDiff, ...]:
        from policydiff._diff import diff

        return tuple(diff(a, b) for a, b in itertools.pairwise(self.versions))

    def changes(self) -> tuple[PolicyDiff, ...]:
        """One diff per consecutive pair of versions, oldest first.

        Each knows the time since the version before it
        (:attr:`PolicyDiff.interval`, and :attr:`PolicyDiff.gap` in words).
        """
        return self._changes

    def between(self, start: Moment, end: Moment) -> PolicyDiff:
        """The net changes from the version in force at ``start`` to the one at ``end``.

        Changes made and undone in between cancel out. When the same version
        is in force at both times, the diff is empty.

        Raises:
            HistoryError: No version was in force at ``start`` (the history
                begins later: ask from its first version's ``effective``), or
                ``end`` is before ``start``.
            DocumentError: ``start`` or ``end`` is not a time value.
        """
        begin, finish = self.when(start), self.when(end)
        if finish.instant < begin.instant:
            message = f"the end ({finish}) is before the start ({begin}); swap them"
            raise HistoryError([Problem(file=self.name, path="", message=message)])
        old = self.at(begin)
        if old is None:
            message = (
                f"no version of {self.policy!r} was in force at {begin};"
                f" the history begins {self.first.effective} ({self.first.version})"
            )
            raise HistoryError([Problem(file=self.name, path="", message=message)])
        new = self.at(finish)
        assert new is not None  # finish is not before begin
        return self.diff(old, new)

    def _entries(self) -> Iterator[TimelineEntry]:
        yield from self.start()
        for step in self._changes:
            for change in step.changes:
                yield TimelineEntry(change=change, version=step.new, previous=step.old)

    def start(self) -> tuple[TimelineEntry, ...]:
        """The rules in force from the first version, by id, as entries.

        Each is a ``permission-granted`` or ``restriction-imposed`` change
        effective at the first version, backed by the rule's own sources or,
        when it cites none, the first version's; its ``previous`` is ``None``.
        """
        from policydiff._diff import in_force_from_start

        first = self.first
        return tuple(
            TimelineEntry(change=in_force_from_start(first, rule), version=first, previous=None)
            for rule in first.rules
        )

    def rule_timeline(self, rule_id: str) -> tuple[TimelineEntry, ...]:
        """Each change to one rule, oldest first, with when it took effect.

        A rule of the first version begins with its entry from :meth:`start`.
        A rename shows in the timelines of both the old and the new id.

        Raises:
            HistoryError: No version has a rule with this id.
        """
        self._check_rule(rule_id)
        return tuple(e for e in self._entries() if _touches(e.change, rule_id))

    def lifted(self, rule_id: str | None = None) -> tuple[TimelineEntry, ...]:
        """When restrictions were lifted: every ``loosened`` change, oldest first.

        Only changes between versions count: a permission in force from the
        first version was not a loosening the history saw (see :meth:`start`).

        Args:
            rule_id: Only this rule's changes.

        Raises:
            HistoryError: No version has a rule with this id.
        """
        return tuple(e for e in self._where(Direction.LOOSENED, rule_id) if not e.from_start)

    def imposed(self, rule_id: str | None = None) -> tuple[TimelineEntry, ...]:
        """When restrictions were imposed: every ``tightened`` change, oldest first.

        Restrictions and obligations in force from the first version come
        first (see :meth:`start`): "when was it imposed?" has an answer even
        when the history begins with the rule.

        Args:
            rule_id: Only this rule's changes.

        Raises:
            HistoryError: No version has a rule with this id.
        """
        return self._where(Direction.TIGHTENED, rule_id)

    def _where(self, direction: Direction, rule_id: str | None) -> tuple[TimelineEntry, ...]:
        if rule_id is not None:
            self._check_rule(rule_id)
        return tuple(
            e
            for e in self._entries()
            if e.change.direction is direction and (rule_id is None or _touches(e.change, rule_id))
        )

    def _check_rule(self, rule_id: str) -> None:
        known = sorted({i for v in self.versions for i in v.rule_ids})
        if rule_id in known:
            return
        close = difflib.get_close_matches(rule_id, known, n=1)
        detail = (
            f"; did you mean {close[0]!r}?" if close else f" (rules: {', '.join(known) or 'none'})"
        )
        message = f"no version of {self.policy!r} has a rule {rule_id!r}{detail}"
        raise HistoryError([Problem(file=self.name, path="", message=message)])

    # -- output ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The history's log as SPEC section 6 gives it: one diff per consecutive pair."""
        return {
            "policydiff": 1,
            "policy": self.policy,
            "diffs": [d.to_dict() for d in self._changes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (the same bytes on every run)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_store(self) -> dict[str, Any]:
        """The history in compact form: plain JSON data.

        The first version's document plus one bidirectional DeepDiff delta per
        later version; :meth:`from_store` rebuilds an equal history from it.
        """
        from policydiff._store import to_store

        return to_store(self)

    @classmethod
    def from_store(cls, data: Any, *, name: str = "<store>") -> PolicyHistory:
        """Rebuild a history from :meth:`to_store`'s form, validating it first.

        Raises:
            StoreError: The payload is not a valid stored history.
        """
        from policydiff._store import from_store

        return from_store(data, name=name)


def _touches(change: Change, rule_id: str) -> bool:
    if change.rule == rule_id:
        return True
    before = change.before
    return (
        change.kind is Kind.RULE_RENAMED
        and isinstance(before, Mapping)
        and before.get("id") == rule_id
    )


# -- checking that versions form a history ---------------------------------------


def check_versions(
    versions: Sequence[PolicyVersion], places: Sequence[_Place], *, name: str
) -> list[Problem]:
    """Problems that keep ``versions`` from forming one history.

    Args:
        versions: The versions, in the order they were found.
        places: Where each version came from.
        name: The history's name, for a problem about all of it.
    """
    if not versions:
        return [Problem(file=name, path="", message="a history needs at least one version")]
    problems: list[Problem] = []
    first, first_place = versions[0], places[0]
    for version, where in zip(versions[1:], places[1:], strict=True):
        if version.policy != first.policy:
            message = (
                f"policy {version.policy!r} differs from {first.policy!r}"
                f" in {first_place.label}; a history holds one policy"
            )
            problems.append(where.problem("policy", message))
    labels: dict[str, _Place] = {}
    instants: dict[pendulum.DateTime, tuple[PolicyVersion, _Place]] = {}
    for version, where in zip(versions, places, strict=True):
        earlier = labels.setdefault(version.version, where)
        if earlier is not where:
            message = f"label {version.version!r} is already used by {earlier.label}"
            problems.append(where.problem("version", message))
        # Instants compare in absolute time, whatever their zones.
        instant = version.effective.instant
        if instant in instants:
            other, other_place = instants[instant]
            message = (
                f"takes effect at the same instant ({instant.isoformat()}) as"
                f" {other.version!r} in {other_place.label}; each version needs its own moment"
            )
            problems.append(where.problem("effective", message))
        else:
            instants[instant] = (version, where)
    if not problems:
        problems.extend(_removal_problems(versions, places))
    return problems


def _removal_problems(versions: Sequence[PolicyVersion], places: Sequence[_Place]) -> Iterator[Problem]:
    """A removal must name a rule of the version just before its own."""
    ordered = sorted(zip(versions, places, strict=True), key=lambda pair: pair[0].effective.instant)
    for (before, _), (version, where) in itertools.pairwise(ordered):
        for index, removal in enumerate(version.removals):
            if removal.rule in before.rule_ids:
                continue
            close = difflib.get_close_matches(removal.rule, sorted(before.rule_ids), n=1)
            detail = f"; did you mean {close[0]!r}?" if close else ""
            message = f"the version before, {before.version!r}, has no rule {removal.rule!r}{detail}"
            yield where.problem_at(("removals", index, "rule"), message)


# -- loading ---------------------------------------------------------------------


def load_history(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> PolicyHistory:
    """Read a history from a folder of version documents or from one document.

    A folder holds one version per file (``.yaml``, ``.yml``, ``.json``,
    ``.toml``; any names, any order). One document holds ``policy``, the
    metadata its versions share (any version field but ``version``,
    ``effective`` and ``rules``) and ``versions:``, a list of version bodies;
    each body inherits the shared fields it does not set. A single version
    document is a history of one version, and a stored history (see
    :func:`policydiff._store.save_deltas`) is read back from its deltas.

    Args:
        path: A folder or a file.
        limits: Bounds on each file's size and nesting.

    Returns:
        The history, oldest version first.

    Raises:
        DocumentError: A file is unreadable or a version is invalid; the
            error lists the problems of every file.
        HistoryError: The versions do not form one history (several
            policies, a label or an effective instant used twice, no versions).

    >>> history = policydiff.load_history("examples/us-ukraine-strikes/history")
    >>> history.first.version
    'no-strikes-inside-russia'
    """
    name = os.fspath(path)
    target = Path(name)
    if target.is_dir():
        return _load_folder(target, name, limits)
    if not target.exists():
        message = "no such file or folder"
        raise DocumentError([Problem(file=name, path="", message=message)])
    fmt = format_of(name)
    text = read_text(name, limits)
    data, duplicates = parse(text, fmt, name, limits)
    if isinstance(data, dict) and "versions" in data:
        return _load_document(data, text=text, fmt=fmt, name=name, limits=limits, extra=duplicates)
    if isinstance(data, dict) and "deltas" in data:
        from policydiff._store import from_store

        if duplicates:
            raise StoreError(place(duplicates, text=text, format=fmt, name=name))
        return from_store(data, name=name, text=text, format=fmt, limits=limits)
    version = build(data, text=text, format=fmt, name=name, limits=limits, extra=duplicates)
    return PolicyHistory(versions=(version,), name=name)


#: Documents in subfolders named in one message, at most.
_NESTED_SHOWN = 5


def _nested_documents(folder: Path) -> list[str]:
    """Version documents below the folder's top level (hidden folders skipped).

    A history folder's versions sit at its top level; documents further down
    are not read, so their presence is an error rather than a silent gap.
    """
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if Path(root) == folder:
            continue
        for file in sorted(files):
            if Path(file).suffix.lower() in SUFFIXES and not file.startswith("."):
                found.append(os.path.relpath(os.path.join(root, file), folder))
                if len(found) > _NESTED_SHOWN:
                    return found
    return found


def _load_folder(folder: Path, name: str, limits: Limits) -> PolicyHistory:
    nested = _nested_documents(folder)
    if nested:
        listed = ", ".join(nested[:_NESTED_SHOWN]) + (" and more" if len(nested) > _NESTED_SHOWN else "")
        message = (
            f"documents in subfolders are not part of the history: {listed};"
            " a history folder holds its versions at its top level"
        )
        hint = "move them up, or read each subfolder as a history of its own"
        raise HistoryError([Problem(file=name, path="", message=message, hint=hint)])
    files = list(iter_files(folder))
    if not files:
        message = "no version documents in this folder (expected .json, .toml, .yaml or .yml files)"
        raise HistoryError([Problem(file=name, path="", message=message)])
    versions: list[PolicyVersion] = []
    places: list[_Place] = []
    problems: list[Problem] = []
    # Each file's parse and build pause the collector, as load() does.
    with sharing_rules(), paused_collector():
        for file in files:
            file_name = os.fspath(file)
            try:
                fmt = format_of(file_name)
                text = read_text(file_name, limits)
                data, duplicates = parse(text, fmt, file_name, limits)
                if isinstance(data, dict) and ("versions" in data or "deltas" in data):
                    problems.append(_whole_history(file_name))
                    continue
                version = build(
                    data, text=text, format=fmt, name=file_name, limits=limits, extra=duplicates
                )
            except DocumentError as exc:
                problems.extend(exc.problems)
                continue
            versions.append(version)
            places.append(_Place(file=file_name, text=text, format=fmt))
    if problems:
        raise DocumentError(problems)
    history_problems = check_versions(versions, places, name=name)
    if history_problems:
        raise HistoryError(history_problems)
    return PolicyHistory(versions=versions, name=name)


def _whole_history(name: str) -> Problem:
    message = "this file holds a whole history, but a history folder holds one version per file"
    return Problem(file=name, path="", message=message, hint="load the file on its own")


def _load_document(
    data: dict[str, Any],
    *,
    text: str,
    fmt: Format,
    name: str,
    limits: Limits,
    extra: list[RawProblem],
) -> PolicyHistory:
    shared = {k: v for k, v in data.items() if k != "versions"}
    raw: list[RawProblem] = list(extra)
    for key in _OWN_FIELDS:
        if key in shared:
            del shared[key]
            raw.append(
                RawProblem(
                    (key,),
                    f"{key!r} belongs in each version body, not in the shared fields",
                    at_key=True,
                    hint="move it into the entries of 'versions'",
                )
            )
    bodies = data["versions"]
    if not isinstance(bodies, list) or not bodies:
        got = "an empty list" if bodies == [] else f"{bodies!r} that is a {type(bodies).__name__}"
        raw.append(
            RawProblem(("versions",), f"expected a non-empty list of version bodies (got {got})")
        )
        bodies = []
    problems = place(raw, text=text, format=fmt, name=name)
    problems.extend(_shared_problems(shared, bodies, text=text, fmt=fmt, name=name, limits=limits))

    versions: list[PolicyVersion] = []
    places: list[_Place] = []
    with sharing_rules(), paused_collector():
        for index, body in enumerate(bodies):
            prefix = ("versions", index)
            merged, own_sources = _merged_body(shared, body)
            try:
                version = build(
                    merged, text=text, format=fmt, name=name, limits=limits, prefix=prefix
                )
            except DocumentError as exc:
                # Inherited fields were checked once, at the top: report only
                # what this body says (or fails to say) itself.
                own = set(body) | set(_OWN_FIELDS) if isinstance(body, dict) else set()
                problems.extend(
                    p
                    for p in exc.problems
                    if _in_body(p.path, prefix, own) and not _shared_source(p.path, prefix, own_sources)
                )
                continue
            versions.append(version)
            places.append(_Place(file=name, prefix=prefix, text=text, format=fmt))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
        raise DocumentError(problems)
    history_problems = check_versions(versions, places, name=name)
    if history_problems:
        raise HistoryError(history_problems)
    return PolicyHistory(versions=versions, name=name)


def _merged_body(shared: dict[str, Any], body: Any) -> tuple[Any, int]:
    """A version body completed with the shared fields it does not set.

    A body's ``sources`` add to the shared ones (a body's source replaces a
    shared one of the same id): its own come first, so that problems in
    them keep their places in the body. Returns the merged data and how
    many of its sources are the body's own.
    """
    if not isinstance(body, dict):
        return body, 0
    merged = {**shared, **body}
    own, common = body.get("sources"), shared.get("sources")
    if isinstance(own, list) and isinstance(common, list):
        ids = {s.get("id") for s in own if isinstance(s, dict)}
        kept = [s for s in common if not (isinstance(s, dict) and s.get("id") in ids)]
        merged["sources"] = [*own, *kept]
        return merged, len(own)
    return merged, len(own) if isinstance(own, list) else 0


def _shared_source(path: str, prefix: tuple[str | int, ...], own: int) -> bool:
    """Whether ``path`` is inside a shared source merged into a body (reported once, at the top)."""
    head = render_path((*prefix, "sources"))
    if not path.startswith(head + "["):
        return False
    index = path[len(head) + 1 :].split("]", 1)[0]
    return index.isdigit() and int(index) >= own


def _shared_problems(
    shared: dict[str, Any],
    bodies: list[Any],
    *,
    text: str,
    fmt: Format,
    name: str,
    limits: Limits,
) -> list[Problem]:
    """Problems in the shared fields, located where they are written.

    The shared fields are checked as a version of their own, completed with
    placeholder values for the fields only bodies hold (and for ``policy``
    when every body names its own).
    """

    def set_everywhere(key: str) -> bool:
        return bool(bodies) and all(isinstance(b, dict) and key in b for b in bodies)

    probe = {**shared, "version": "shared", "effective": "2000", "rules": []}
    if "policy" not in shared and set_everywhere("policy"):
        probe["policy"] = "shared"
    try:
        build(probe, text=text, format=fmt, name=name, limits=limits)
    except DocumentError as exc:
        return list(exc.problems)
    return []


def _in_body(path: str, prefix: tuple[str | int, ...], own: set[str]) -> bool:
    head = render_path(prefix)
    if path == head:
        return True
    for key in own:
        start = render_path((*prefix, key))
        if path == start or path.startswith((start + ".", start + "[")):
            return True
    return False
