"""Histories: the versions of one policy, in the order they took effect.

:class:`PolicyHistory` holds the versions and answers questions about them;
:mod:`policydiff._history_load` reads one from files, and
:mod:`policydiff._store` from its compact stored form.

Lookups by time use :mod:`bisect` over the versions' first instants, so
:meth:`PolicyHistory.at` costs O(log n) however long the history is.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, overload

import attrs

from policydiff._decisions import Answer
from policydiff._diff import diff, in_force_from_start
from policydiff._evaluate import check_situation
from policydiff._evaluate import decide as _decide
from policydiff._locate import locate, render_path
from policydiff._parse import Format
from policydiff._results import PolicyDiff, change_to_dict
from policydiff._semantics import normalized
from policydiff._text import shown
from policydiff._time import absolute, parse_when
from policydiff.errors import DocumentError, HistoryError, Problem
from policydiff.model import Change, Direction, Kind, PolicyVersion, Precision, When

__all__ = [
    "Period",
    "Place",
    "PolicyHistory",
    "TimelineEntry",
    "check_versions",
    "checked_history",
    "rule_steps",
    "share_fields",
]

#: What :meth:`PolicyHistory.at` accepts: a SPEC section 3 string or year,
#: a date, a datetime (naive ones read in the history's zone) or a When.
Moment = str | int | dt.date | When


@attrs.frozen(kw_only=True)
class Place:
    """Where a version came from, to point at it in a message.

    A version read from a file of its own gives ``read``, which reads the
    file again, instead of its ``text``: a folder's texts are not all held
    while it loads, only read back for the rare version found in conflict
    with another.
    """

    file: str
    prefix: tuple[str | int, ...] = ()
    text: str | None = None
    format: Format = "yaml"
    read: Callable[[], str] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def label(self) -> str:
        """How another problem refers to this version: a file or ``versions[i]``."""
        return render_path(self.prefix) if self.prefix else self.file

    def problem(self, field: str, message: str) -> Problem:
        """Return a problem at ``field`` of this version, with its line and column."""
        return self.problem_at((field,), message)

    def problem_at(self, steps: tuple[str | int, ...], message: str) -> Problem:
        """Return a problem at the path ``steps`` inside this version."""
        path = (*self.prefix, *steps)
        line, column = (None, None)
        text = self.text
        if text is None and self.read is not None:
            try:
                text = self.read()
            except DocumentError:
                text = None  # gone or changed since: the problem goes without a line
        if text is not None:
            line, column = locate(text, self.format, path)
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

    __module__ = "policydiff"

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
        """Return the entry as plain JSON data: both version labels and the change."""
        return {
            "version": self.version.version,
            "previous": None if self.previous is None else self.previous.version,
            "effective": self.effective.isoformat(),
            "change": change_to_dict(self.change),
        }


@attrs.frozen(kw_only=True)
class Period:
    """A stretch of a history during which a situation's answer held.

    Attributes:
        start: When the period began (its first version's ``effective``).
        end: When the next period began, or ``None`` for the last.
        version: The label of the period's first version.
        answer: The answer throughout the period (its first version's, with
            ``since`` set to ``start``).
    """

    __module__ = "policydiff"

    start: When
    end: When | None
    version: str
    answer: Answer

    def to_dict(self) -> dict[str, Any]:
        """Return the period as SPEC section 11's timeline entry."""
        return {
            "from": self.start.isoformat(),
            "to": None if self.end is None else self.end.isoformat(),
            "version": self.version,
            "decision": self.answer.decision.value,
            "conditions": list(self.answer.conditions),
            "obligations": list(self.answer.obligations),
            "rules": list(self.answer.rules),
            "default": self.answer.default,
        }


def _as_tuple(versions: Iterable[PolicyVersion]) -> tuple[PolicyVersion, ...]:
    return tuple(versions)


@attrs.frozen(kw_only=True)
class PolicyHistory:
    """The versions of one policy, oldest first.

    Build one with :func:`~policydiff.load_history`, or directly from versions in any
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

    __module__ = "policydiff"

    def __attrs_post_init__(self) -> None:
        places = [Place(file=self.name, prefix=("versions", i)) for i in range(len(self.versions))]
        problems = check_versions(self.versions, places, name=self.name)
        if problems:
            raise HistoryError(problems)
        object.__setattr__(self, "versions", _in_order(self.versions))

    @classmethod
    def _checked(cls, versions: Sequence[PolicyVersion], name: str) -> PolicyHistory:
        """Return a history of versions that :func:`check_versions` has passed.

        The readers check the versions once, where each came from; building
        through ``__init__`` would check them all again.
        """
        history = object.__new__(cls)
        object.__setattr__(history, "versions", _in_order(versions))
        object.__setattr__(history, "name", name)
        return history

    # -- the versions ------------------------------------------------------------

    @cached_property
    def _starts(self) -> list[int]:
        return [_start(v) for v in self.versions]

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
        """Return the version with this label, or at this position (oldest is 0).

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
            return f"no version labelled {shown(label)}; did you mean {shown(close[0])}?"
        known = ", ".join(self._by_label)
        return f"no version labelled {shown(label)} (versions: {known})"

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
        try:
            return parse_when(moment, self.timezone)
        except ValueError as exc:
            raise DocumentError(
                [Problem(file="<argument>", path="when", message=str(exc))]
            ) from None

    def at(self, moment: Moment) -> PolicyVersion | None:
        """Return the version in force at ``moment``.

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
        instant = absolute(self.when(moment).instant)
        index = bisect.bisect_right(self._starts, instant) - 1
        return self.versions[index] if index >= 0 else None

    def find(self, ref: str | Moment) -> PolicyVersion:
        """Return the version a label names, or else the one in force at a moment.

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
        return self._in_force(moment)

    def _in_force(self, moment: When) -> PolicyVersion:
        """Return the version in force at ``moment``, or refuse a moment before the history."""
        found = self.at(moment)
        if found is None:
            message = (
                f"no version of {shown(self.policy)} was in force at {moment};"
                f" the history begins {self.first.effective} ({self.first.version})"
            )
            raise HistoryError([Problem(file=self.name, path="", message=message)])
        return found

    def taking_effect(self, moment: Moment) -> tuple[PolicyVersion, ...]:
        """Return the versions that take effect within the period ``moment`` names.

        ``"2024-06"`` names all of June 2024 and ``"2024-05-30"`` the whole
        day, while :meth:`at` answers for their first instant; this says
        which versions that answer does not cover. An instant names no
        period, so nothing takes effect within it.

        Raises:
            DocumentError: ``moment`` is not a time value.
        """
        when = self.when(moment)
        start = bisect.bisect_right(self._starts, absolute(when.instant))
        end = bisect.bisect_left(self._starts, absolute(when.end))
        return self.versions[start:end]

    # -- decisions ---------------------------------------------------------------

    def _answers(self, situation: Mapping[str, str], upto: int) -> list[Answer]:
        check_situation(self.versions[upto], situation)
        return [_decide(v, situation, check=False) for v in self.versions[: upto + 1]]

    def decide(self, situation: Mapping[str, str], *, at: Moment) -> Answer | None:
        """Say what the version in force at ``at`` decides for ``situation``, and since when.

        Args:
            situation: As for :func:`policydiff.decide`.
            at: See :meth:`when`.

        Returns:
            The answer, with ``since`` the effective instant of the first
            version of the unbroken run of versions (ending at the one in
            force) that decide alike; ``None`` before the first version.

        Raises:
            DocumentError: ``at`` is not a time value, or a value unknown to
                a dimension that has a vocabulary.

        >>> answer = history.decide({"subject": "Ukraine", "action": "strike",
        ...     "territory": "Kursk Oblast", "weapon": "ATACMS"}, at="2025-01-01")
        >>> answer.decision.value, str(answer.since)
        ('permitted', '17 November 2024')
        """
        version = self.at(at)
        if version is None:
            return None
        upto = self.versions.index(version)
        answers = self._answers(situation, upto)
        start = upto
        while start > 0 and answers[start - 1].same_decision(answers[upto]):
            start -= 1
        return answers[upto].with_since(self.versions[start].effective)

    def decision_timeline(self, situation: Mapping[str, str]) -> tuple[Period, ...]:
        """How a situation's answer changed over the history, oldest first.

        Consecutive versions that decide alike (same decision and obligations
        under every truth of the conditions) merge into one period.

        Raises:
            DocumentError: A value unknown to a dimension that has a
                vocabulary in the latest version.
        """
        answers = self._answers(situation, len(self.versions) - 1)
        starts: list[int] = []
        for i, answer in enumerate(answers):
            if not starts or not answers[starts[-1]].same_decision(answer):
                starts.append(i)
        periods = []
        for n, i in enumerate(starts):
            following = starts[n + 1] if n + 1 < len(starts) else None
            first = self.versions[i]
            periods.append(
                Period(
                    start=first.effective,
                    end=None if following is None else self.versions[following].effective,
                    version=first.version,
                    answer=answers[i].with_since(first.effective),
                )
            )
        return tuple(periods)

    # -- changes -----------------------------------------------------------------

    def diff(self, old: str | PolicyVersion, new: str | PolicyVersion) -> PolicyDiff:
        """Return the changes from one version to another, by label.

        Raises:
            HistoryError: No version has one of the labels.
        """
        return diff(self._version(old), self._version(new))

    @cached_property
    def _changes(self) -> tuple[PolicyDiff, ...]:
        return tuple(diff(a, b) for a, b in itertools.pairwise(self.versions))

    def changes(
        self, *, since: Moment | None = None, until: Moment | None = None
    ) -> tuple[PolicyDiff, ...]:
        """One diff per consecutive pair of versions, oldest first.

        Each knows the time since the version before it
        (:attr:`PolicyDiff.interval`, and :attr:`PolicyDiff.gap` in words).

        Args:
            since: Only the steps whose new version takes effect at or after
                this moment (``"2024-06"``: from the first instant of June).
            until: Only the steps whose new version takes effect within or
                before the period this names (``"2024-06"``: up to the end of
                June).

        Raises:
            DocumentError: ``since`` or ``until`` is not a time value.
        """
        steps = self._changes
        if since is not None:
            start = absolute(self.when(since).instant)
            steps = tuple(s for s in steps if _start(s.new) >= start)
        if until is not None:
            bound = self.when(until)
            steps = tuple(s for s in steps if _within(s.new.effective, bound))
        return steps

    def between(self, start: Moment, end: Moment) -> PolicyDiff:
        """Return the net changes from the version in force at ``start`` to the one at ``end``.

        Changes made and undone in between cancel out. When the same version
        is in force at both times, the diff is empty.

        Raises:
            HistoryError: No version was in force at ``start`` (the history
                begins later: ask from its first version's ``effective``), or
                ``end`` is before ``start``.
            DocumentError: ``start`` or ``end`` is not a time value.
        """
        begin, finish = self.when(start), self.when(end)
        if absolute(finish.instant) < absolute(begin.instant):
            message = f"the end ({finish}) is before the start ({begin}); swap them"
            raise HistoryError([Problem(file=self.name, path="", message=message)])
        return self.diff(self._in_force(begin), self._in_force(finish))

    def _entries(self) -> Iterator[TimelineEntry]:
        yield from self.start()
        for step in self._changes:
            for change in step.changes:
                yield TimelineEntry(change=change, version=step.new, previous=step.old)

    def start(self) -> tuple[TimelineEntry, ...]:
        """Return the rules in force from the first version, by id, as entries.

        Each is a ``permission-granted`` or ``restriction-imposed`` change
        effective at the first version, backed by the rule's own sources or,
        when it cites none, the first version's; its ``previous`` is ``None``.
        """
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
        return self._opening(rule_id) + tuple(self._by_rule.get(rule_id, ()))

    @cached_property
    def _openings(self) -> dict[str, tuple[TimelineEntry, ...]]:
        return {}

    def _opening(self, rule_id: str) -> tuple[TimelineEntry, ...]:
        """Return the entry of a rule in force from the first version (none for another), made once."""
        found = self._openings.get(rule_id)
        if found is None:
            first = self.first
            rule = first.rule(rule_id, None)
            found = ()
            if rule is not None:
                change = in_force_from_start(first, rule)
                found = (TimelineEntry(change=change, version=first, previous=None),)
            self._openings[rule_id] = found
        return found

    @cached_property
    def _by_rule(self) -> dict[str, list[TimelineEntry]]:
        """The entries of every step's changes, by each rule id they touch, oldest first.

        Built once from the cached changes, so asking about one rule costs
        what changed to it, not a walk of every version's rules.
        """
        found: dict[str, list[TimelineEntry]] = {}
        for step in self._changes:
            for change in step.changes:
                if change.rule is None:
                    continue
                entry = TimelineEntry(change=change, version=step.new, previous=step.old)
                found.setdefault(change.rule, []).append(entry)
                renamed = _renamed_from(change)
                if renamed is not None and renamed != change.rule:
                    found.setdefault(renamed, []).append(entry)
        return found

    @cached_property
    def _rule_ids(self) -> frozenset[str]:
        """Every rule id of every version.

        A rule a later version has and the one before it lacks came in with
        that step, as an added or renamed rule: the first version's ids and
        the ids the changes name are all the ids there are.
        """
        return self.first.rule_ids | self._by_rule.keys()

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
        entries = self._entries() if rule_id is None else iter(self.rule_timeline(rule_id))
        return tuple(e for e in entries if e.change.direction is direction)

    def _check_rule(self, rule_id: str) -> None:
        if rule_id in self._rule_ids:
            return
        known = sorted(self._rule_ids)
        close = difflib.get_close_matches(rule_id, known, n=1)
        detail = (
            f"; did you mean {shown(close[0])}?"
            if close
            else f" (rules: {', '.join(known) or 'none'})"
        )
        message = f"no version of {shown(self.policy)} has a rule {shown(rule_id)}{detail}"
        raise HistoryError([Problem(file=self.name, path="", message=message)])


def _in_order(versions: Iterable[PolicyVersion]) -> tuple[PolicyVersion, ...]:
    return tuple(sorted(versions, key=_start))


def _start(version: PolicyVersion) -> int:
    """When ``version`` took effect, in absolute time."""
    return absolute(version.effective.instant)


def _within(effective: When, bound: When) -> bool:
    """Whether ``effective`` starts no later than the period ``bound`` names."""
    if bound.precision is Precision.INSTANT:
        return absolute(effective.instant) <= absolute(bound.instant)
    return absolute(effective.instant) < absolute(bound.end)


def _renamed_from(change: Change) -> str | None:
    """Return the old id of a renamed rule, or ``None`` for any other change."""
    before = change.before
    if change.kind is Kind.RULE_RENAMED and isinstance(before, Mapping):
        old_id = before.get("id")
        return old_id if isinstance(old_id, str) else None
    return None


# -- checking that versions form a history ---------------------------------------


def check_versions(
    versions: Sequence[PolicyVersion], places: Sequence[Place], *, name: str
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
                f"policy {shown(version.policy)} differs from {shown(first.policy)}"
                f" in {first_place.label}; a history holds one policy"
            )
            problems.append(where.problem("policy", message))
    labels: dict[str, Place] = {}
    instants: dict[int, tuple[PolicyVersion, Place]] = {}
    for version, where in zip(versions, places, strict=True):
        # Labels that look alike (café written two ways) are one label.
        earlier = labels.setdefault(normalized(version.version), where)
        if earlier is not where:
            message = f"label {shown(version.version)} is already used by {earlier.label}"
            problems.append(where.problem("version", message))
        # Instants compare in absolute time, whatever their zones (and
        # whichever of two repeated hours they name).
        instant = _start(version)
        if instant in instants:
            other, other_place = instants[instant]
            message = (
                f"takes effect at the same instant ({version.effective.isoformat()}) as"
                f" {shown(other.version)} in {other_place.label}; each version needs its own moment"
            )
            problems.append(where.problem("effective", message))
        else:
            instants[instant] = (version, where)
    if not problems:
        problems.extend(_removal_problems(versions, places))
    return problems


def _removal_problems(
    versions: Sequence[PolicyVersion], places: Sequence[Place]
) -> Iterator[Problem]:
    """Check that each removal names a rule of the version just before its own."""
    ordered = sorted(zip(versions, places, strict=True), key=lambda pair: _start(pair[0]))
    for (before, _), (version, where) in itertools.pairwise(ordered):
        for index, removal in enumerate(version.removals):
            if removal.rule in before.rule_ids:
                continue
            close = difflib.get_close_matches(removal.rule, sorted(before.rule_ids), n=1)
            detail = f"; did you mean {close[0]!r}?" if close else ""
            message = (
                f"the version before, {before.version!r}, has no rule {removal.rule!r}{detail}"
            )
            yield where.problem_at(("removals", index, "rule"), message)


#: Version fields whose value a later version often repeats unchanged.
_SHARED_FIELDS = ("sources", "events", "vocabulary", "approved_by", "open", "removals", "title")


def share_fields(version: PolicyVersion, before: PolicyVersion | None) -> PolicyVersion:
    """Return ``version`` holding ``before``'s value of each field the two hold equal.

    A history read from files builds each version's sources, events and
    vocabulary anew; one copy of an unchanged value is kept for every
    version that repeats it, as unchanged rules are (and a shared vocabulary
    keeps what it has worked out). ``version`` must be newly built and not
    yet seen by anyone: its fields are set in place.
    """
    if before is None:
        return version
    for field in _SHARED_FIELDS:
        mine, theirs = getattr(version, field), getattr(before, field)
        if mine is not theirs and mine == theirs:
            object.__setattr__(version, field, theirs)
    return version


def checked_history(
    versions: Sequence[PolicyVersion], places: Sequence[Place], *, name: str
) -> PolicyHistory:
    """Return the history of ``versions``, checked once with where each came from.

    Raises:
        HistoryError: The versions do not form one history; each problem
            points at the file (or entry) of the version concerned.
    """
    problems = check_versions(versions, places, name=name)
    if problems:
        raise HistoryError(problems)
    return PolicyHistory._checked(versions, name)


def rule_steps(history: PolicyHistory, rule_id: str) -> list[PolicyDiff]:
    """One diff per version that changed a rule, holding only that rule's changes.

    The rule's entry from the first version, if it has one, has no version
    before it and so no diff: see :meth:`PolicyHistory.start`.

    Raises:
        HistoryError: No version has a rule with this id.
    """
    steps: list[PolicyDiff] = []
    for entry in history.rule_timeline(rule_id):
        if entry.previous is None:
            continue
        if steps and steps[-1].new is entry.version:
            last = steps[-1]
            steps[-1] = attrs.evolve(last, changes=(*last.changes, entry.change))
        else:
            steps.append(PolicyDiff(old=entry.previous, new=entry.version, changes=(entry.change,)))
    return steps
