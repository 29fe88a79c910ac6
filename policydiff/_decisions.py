"""What deciding returns, as data: answers, groups, impact cubes and the gate.

The evaluator (:mod:`policydiff._evaluate`) and the comparison of two
versions' decisions (:mod:`policydiff._impact`) build these; the renderers
read them. Like :class:`~policydiff._results.PolicyDiff`, a result formats
itself no further than ``to_dict``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import attrs

from policydiff._results import PolicyDiff, change_to_dict, endpoint
from policydiff._text import joined
from policydiff.errors import DiffError
from policydiff.model import (
    Change,
    Decision,
    DecisionEffect,
    FrozenMap,
    PolicyVersion,
    Verdict,
    When,
)

__all__ = [
    "BUDGET_VARIABLE",
    "FEW",
    "FORMAT_VERSION",
    "MAX_CONDITIONS",
    "MAX_PIECES",
    "OFFENDING",
    "PIECES_CEILING",
    "PIECES_PER_RULE",
    "Answer",
    "Classes",
    "Cube",
    "Gate",
    "Group",
    "Impact",
    "Membership",
    "Point",
    "Span",
    "Waiver",
    "pieces_allowed",
    "spans_to_dict",
    "too_many_conditions",
    "verdict_of",
    "work_budget",
]

LOOSENED, TIGHTENED = "loosened", "tightened"


class Classes(Protocol):
    """One dimension's classes of values, as membership tests read them."""

    name: str
    full: int

    def class_of(self, value: str) -> int:
        """Return the class of one value."""


FORMAT_VERSION = 1

#: Up to this many values left out of a span are named ("any value except
#: A and B") rather than said as "any other value".
FEW = 5

#: The most conditions that may meet in one situation (across both versions
#: of a comparison): every assignment of them is worked out.
MAX_CONDITIONS = 12

#: The pieces of the situation space any question may explore, however few
#: rules it reads (the floor of the default work budget).
MAX_PIECES = 200_000

#: Past the floor, the default budget allows this many pieces per rule of
#: the versions a question reads (both versions, for a comparison) ...
PIECES_PER_RULE = 50

#: ... up to this many, which keeps one question's memory bounded (a piece
#: kept for impact takes about a kilobyte).
PIECES_CEILING = 500_000

#: The variable that sets the budget for a process (and the processes it
#: starts), in pieces.
BUDGET_VARIABLE = "POLICYDIFF_WORK_BUDGET"

_chosen_budget: ContextVar[int | None] = ContextVar("policydiff_work_budget", default=None)


@contextmanager
def work_budget(pieces: int) -> Iterator[None]:
    """Let every question worked out inside the block explore up to ``pieces`` pieces.

    The default budget suits realistic policies and refuses hostile ones
    quickly (see the work budget on the impact page); raise it for a large
    policy whose answer is worth the wait, or lower it to fail sooner. It
    applies to what is worked out inside the block: a diff's verdict is
    worked out when first asked for.

    Args:
        pieces: The most pieces of the situation space one question
            (an impact, a verdict with the effects, a ``decide``) may explore.

    Raises:
        ValueError: ``pieces`` is not a whole number of zero or more.

    >>> import policydiff
    >>> old = policydiff.load("examples/us-ukraine-strikes/history/2022-no-strikes-inside-russia.yaml")
    >>> new = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
    >>> with policydiff.work_budget(0):
    ...     policydiff.impact(old, new)
    Traceback (most recent call last):
    policydiff.errors.DiffError: the question needs more than 0 pieces of the situation space; ...
    >>> with policydiff.work_budget(1_000_000):
    ...     len(policydiff.impact(old, new))
    1
    """
    if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 0:
        msg = f"a work budget is a whole number of pieces, zero or more; got {pieces!r}"
        raise ValueError(msg)
    token = _chosen_budget.set(pieces)
    try:
        yield
    finally:
        _chosen_budget.reset(token)


def pieces_allowed(rules: int) -> int:
    """Return how many pieces a question reading ``rules`` rules may explore.

    The innermost :func:`work_budget` block decides; outside any, the
    ``POLICYDIFF_WORK_BUDGET`` variable; without it, :data:`PIECES_PER_RULE`
    per rule, at least :data:`MAX_PIECES` and at most :data:`PIECES_CEILING`.

    Raises:
        DiffError: The variable is set to something other than a whole
            number of zero or more.
    """
    chosen = _chosen_budget.get()
    if chosen is not None:
        return chosen
    text = os.environ.get(BUDGET_VARIABLE, "").strip()
    if text:
        digits = text.replace("_", "")
        if not digits.isdigit() or not digits.isascii():
            msg = f"{BUDGET_VARIABLE} must be a whole number of pieces, zero or more; got {text!r}"
            raise DiffError(msg)
        return int(digits)
    return min(PIECES_CEILING, max(MAX_PIECES, PIECES_PER_RULE * rules))


#: One outcome under one assignment: (decision, obligations, deciding rule
#: ids, whether the default decided).
Point = tuple[Decision, tuple[str, ...], tuple[str, ...], bool]


@attrs.frozen(kw_only=True)
class Span:
    """The values a group of situations takes in one dimension.

    Attributes:
        values: The values, sorted. A vocabulary parent stands for all of its
            descendants.
        others: Whether the span also holds every value that no rule names.
        any: Whether the span holds every value of the dimension (then
            ``values`` is empty and ``others`` is true).
        excluded: When not empty, the span holds every value except these
            (then ``values`` is empty and ``others`` is true); used where
            that is the shorter way to say it.
        left: When the span holds unnamed values but not every value, the
            values the versions name that it leaves out; its words name
            them instead of saying "any other value" when there are at most
            :data:`FEW` of them.
        matching: On a pattern dimension (``patterns``), the span's values
            as terms ``(all of, except)``: the values matching every pattern
            of the first part and none of the second; ``others`` then means
            the values that match no pattern at all.
        patterns: Whether the dimension holds patterns.
    """

    __module__ = "policydiff"

    values: tuple[str, ...] = ()
    others: bool = False
    any: bool = False
    excluded: tuple[str, ...] = ()
    left: tuple[str, ...] = attrs.field(default=(), eq=False)
    matching: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    patterns: bool = False

    @property
    def named_exceptions(self) -> tuple[str, ...]:
        """The values to say "any value except ..." with; empty when not so said."""
        if self.excluded:
            return self.excluded
        if self.others and not self.any and not self.patterns and 0 < len(self.left) <= FEW:
            return self.left
        return ()

    def to_data(
        self,
    ) -> str | list[str] | dict[str, list[str]] | dict[str, list[dict[str, list[str]]]]:
        """Return the span for JSON.

        Returns:
            ``"any"`` for a span over everything, ``{"except": [...]}`` for
            every value but those, else the sorted values (whether it also
            holds unnamed values is listed in the group's ``others``).
        """
        if self.any:
            return "any"
        if self.patterns:
            return {
                "matching": [
                    {"all": list(every), "except": list(excepted)}
                    for every, excepted in self.matching
                ]
            }
        if self.excluded:
            return {"except": list(self.excluded)}
        return list(self.values)

    @property
    def pattern_words(self) -> str:
        """Say a pattern span after "any value": ``matching s3:Get* except s3:GetObjectAcl``."""
        plain = [every[0] for every, excepted in self.matching if len(every) == 1 and not excepted]
        shown = [f"matching {joined(plain, 'or')}"] if plain else []
        for every, excepted in self.matching:
            if len(every) == 1 and not excepted:
                continue
            term = "matching " + joined(every, "and")
            if excepted:
                term += " except " + joined(excepted, "or")
            shown.append(term)
        if self.others and len(self.left) == 1:
            shown.append(f"not matching {self.left[0]}")
        elif self.others and 0 < len(self.left) <= FEW:
            shown.append(f"matching none of {joined(self.left, 'or')}")
        elif self.others:
            shown.append("matching none of the patterns")
        # Each part may hold "or" already: set the parts apart with commas.
        return ", or ".join(shown)

    def __str__(self) -> str:
        if self.any:
            return "any"
        if self.patterns:
            return f"any value {self.pattern_words}"
        if self.named_exceptions:
            return f"any value except {joined(self.named_exceptions, 'and')}"
        shown = list(self.values)
        if self.others:
            shown.append("any other value")
        return joined(shown, "or")


def spans_to_dict(values: Mapping[str, Span]) -> dict[str, Any]:
    """Return a group's values as JSON: ``{"values": ..., "others": [...]}``."""
    return {
        "values": {dim: span.to_data() for dim, span in values.items()},
        "others": [
            dim
            for dim, span in values.items()
            if span.others and not span.any and not span.excluded
        ],
    }


@attrs.frozen(kw_only=True)
class Group:
    """Situations of one question that all decide alike.

    Attributes:
        values: Per dimension, the values the situations take.
        answer: Their answer.
    """

    __module__ = "policydiff"

    values: FrozenMap[str, Span]
    answer: Answer
    _membership: Membership = attrs.field(eq=False, repr=False, alias="membership")

    def contains(self, situation: Mapping[str, str]) -> bool:
        """Whether the full ``situation`` is one of the group's.

        Args:
            situation: One value per dimension.

        Returns:
            ``True`` when every dimension's value lies in the group's span.
        """
        return self._membership(situation)

    def to_dict(self) -> dict[str, Any]:
        """Return the group as plain data: its values and its answer."""
        data = spans_to_dict(self.values)
        data["answer"] = self.answer.outcome_dict()
        return data


class Membership:
    """Whether a full situation lies in a cube of classes (for ``contains``)."""

    __slots__ = ("_dims", "_masks")

    def __init__(self, dims: Sequence[Classes], masks: Sequence[int]) -> None:
        self._dims = tuple(dims)
        self._masks = tuple(masks)

    def __call__(self, situation: Mapping[str, str]) -> bool:
        for dim, mask in zip(self._dims, self._masks, strict=True):
            value = situation.get(dim.name)
            if value is None:
                if mask != dim.full:
                    return False
                continue
            if not mask >> dim.class_of(value) & 1:
                return False
        return True


def _situation(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@attrs.frozen(kw_only=True)
class Answer:
    """What a version decides for a situation (SPEC section 11).

    Attributes:
        decision: ``permitted`` or ``prohibited`` when the same under every
            truth of the conditions involved, ``conditional`` when it
            depends on them, ``undecided`` where ``default: none`` leaves it
            open, ``varies`` when the question covers situations that decide
            differently (see ``groups``).
        situation: The situation as asked.
        conditions: The conditions involved (those of the rules covering the
            situation), sorted.
        obligations: Every obligation that applies under some truth of the
            conditions, sorted.
        rules: The ids of the deciding rules under any truth of the
            conditions, sorted; empty when only the default decides.
        default: Whether the version's default decides under some truth of
            the conditions.
        since: From a history: the effective instant of the first version of
            the unbroken run of versions, ending at the one asked about,
            that answer alike; ``None`` from :func:`decide`.
        groups: When ``decision`` is ``varies``, the groups of situations
            that decide alike, each with its answer.
        policy: The policy's id.
        version: The label of the version that answered.
        effective: When that version took effect.
    """

    __module__ = "policydiff"

    decision: Decision
    situation: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=_situation)
    conditions: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    default: bool = False
    since: When | None = None
    groups: tuple[Group, ...] = ()
    policy: str = ""
    version: str = ""
    effective: When | None = None
    #: The outcome under each assignment: index bit ``i`` set when
    #: ``conditions[i]`` holds. Empty for ``varies``.
    _table: tuple[Point, ...] = attrs.field(default=(), repr=False, alias="table")

    def outcome(self, holds: Iterable[str] = ()) -> Point:
        """Return the outcome when exactly the conditions in ``holds`` are true.

        Args:
            holds: The conditions that hold; others are false, and names not
                involved are ignored.

        Returns:
            ``(decision, obligations, deciding rule ids, default decided)``.

        Raises:
            ValueError: The answer ``varies``: ask one of its groups.
        """
        if not self._table:
            msg = "an answer that varies has no single outcome; ask one of its groups"
            raise ValueError(msg)
        wanted = set(holds)
        index = sum(1 << i for i, name in enumerate(self.conditions) if name in wanted)
        return self._table[index]

    def given(self, holds: Iterable[str]) -> Answer:
        """Return the answer when exactly the conditions in ``holds`` are true.

        Args:
            holds: The conditions that hold; every other is false. Names not
                involved are ignored.

        Returns:
            An answer with no conditions left, so never ``conditional``.
        """
        decision, obligations, rules, default = self.outcome(holds)
        return attrs.evolve(
            self,
            decision=decision,
            conditions=(),
            obligations=obligations,
            rules=rules,
            default=default,
            table=((decision, obligations, rules, default),),
        )

    def same_decision(self, other: Answer) -> bool:
        """Whether ``other`` decides alike under every truth of the conditions.

        Decisions and obligations are compared under every assignment of the
        conditions of both answers; the deciding rules may differ.

        Args:
            other: The answer to compare with.

        Returns:
            ``True`` when the two never decide differently.
        """
        if self.decision is Decision.VARIES or other.decision is Decision.VARIES:
            return _same_groups(self, other)
        union = sorted(set(self.conditions) | set(other.conditions))
        if len(union) > 2 * MAX_CONDITIONS:
            raise DiffError(too_many_conditions(union))
        mine = _projection(union, self.conditions)
        theirs = _projection(union, other.conditions)
        for assignment in range(1 << len(union)):
            a = self._table[_project(assignment, mine)]
            b = other._table[_project(assignment, theirs)]
            if a[0] is not b[0] or a[1] != b[1]:
                return False
        return True

    def with_since(self, since: When | None) -> Answer:
        """Return this answer with ``since`` set."""
        return attrs.evolve(self, since=since)

    def outcome_dict(self) -> dict[str, Any]:
        """Return the decision part of the answer as plain data.

        Returns:
            ``{"decision", "conditions", "obligations", "rules", "default"}``.
        """
        return {
            "decision": self.decision.value,
            "conditions": list(self.conditions),
            "obligations": list(self.obligations),
            "rules": list(self.rules),
            "default": self.default,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the SPEC section 11 JSON object.

        Returns:
            ``{"policydiff", "policy", "version", "effective", "situation",
            "decision", "conditions", "obligations", "rules", "default",
            "since", "groups"}``.
        """
        data: dict[str, Any] = {
            "policydiff": FORMAT_VERSION,
            "policy": self.policy,
            "version": self.version,
            "effective": None if self.effective is None else self.effective.isoformat(),
            "situation": dict(self.situation),
        }
        data.update(self.outcome_dict())
        data["since"] = None if self.since is None else self.since.isoformat()
        data["groups"] = [group.to_dict() for group in self.groups]
        return data


def _same_groups(a: Answer, b: Answer) -> bool:
    if a.decision is not b.decision or len(a.groups) != len(b.groups):
        return False
    return all(
        x.values == y.values and x.answer.same_decision(y.answer)
        for x, y in zip(a.groups, b.groups, strict=True)
    )


def _projection(union: Sequence[str], names: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (bit in the union, bit in ``names``) for the names in both."""
    position = {name: i for i, name in enumerate(union)}
    return [(position[name], i) for i, name in enumerate(names)]


def _project(assignment: int, pairs: Sequence[tuple[int, int]]) -> int:
    index = 0
    for union_bit, own_bit in pairs:
        if assignment >> union_bit & 1:
            index |= 1 << own_bit
    return index


def too_many_conditions(conditions: Sequence[str]) -> str:
    shown = "; ".join(repr(c) for c in conditions[:5])
    more = f" and {len(conditions) - 5} more" if len(conditions) > 5 else ""
    return (
        f"{len(conditions)} conditions meet in one situation ({shown}{more}); the"
        f" evaluator works out every combination of at most {MAX_CONDITIONS}"
    )


@attrs.frozen(kw_only=True)
class Cube:
    """A set of situations whose outcome moved alike.

    Attributes:
        values: Per dimension, the values the situations take.
        before: The old version's answer for each of them.
        after: The new version's answer for each of them.
        direction: Whether they loosened, tightened, or both (under
            different truths of the conditions).
    """

    __module__ = "policydiff"

    values: FrozenMap[str, Span]
    before: Answer
    after: Answer
    direction: DecisionEffect
    description: str = attrs.field(eq=False)
    _membership: Membership = attrs.field(eq=False, repr=False, alias="membership")

    def contains(self, situation: Mapping[str, str]) -> bool:
        """Whether the full ``situation`` is one of the cube's."""
        return self._membership(situation)

    def describe(self) -> str:
        """Return one plain sentence saying what changed for these situations."""
        return self.description

    def to_dict(self) -> dict[str, Any]:
        """Return the cube as plain data for JSON.

        Returns:
            ``{"values", "others", "before", "after", "direction",
            "description"}``: ``values`` maps each dimension to ``"any"``, its
            sorted values, or ``{"except": [...]}``; ``others`` lists the
            dimensions whose span also holds every value that no rule names.
        """
        data = spans_to_dict(self.values)
        data["before"] = self.before.outcome_dict()
        data["after"] = self.after.outcome_dict()
        data["direction"] = self.direction.value
        data["description"] = self.describe()
        return data


@attrs.frozen(kw_only=True)
class Impact:
    """Every situation whose outcome moved between two versions.

    Iterating yields the :class:`Cube` objects; an impact is true when any
    situation moved.

    Attributes:
        old: The version compared from.
        new: The version compared to.
        dimensions: The dimensions analysed: ``subject`` (when a rule names
            it), ``action``, then the scope dimensions in sorted order.
        cubes: The moved situations, grouped, in a stable order; no
            situation is in two cubes.
    """

    __module__ = "policydiff"

    old: PolicyVersion
    new: PolicyVersion
    dimensions: tuple[str, ...] = ()
    cubes: tuple[Cube, ...] = ()
    #: The moved groups :meth:`only` left out; they still count in the verdict.
    left_out: tuple[Cube, ...] = ()

    def __iter__(self) -> Iterator[Cube]:
        return iter(self.cubes)

    def __len__(self) -> int:
        return len(self.cubes)

    def __bool__(self) -> bool:
        return bool(self.cubes)

    @property
    def verdict(self) -> Verdict:
        """``equivalent``, or which way the moved situations went."""
        found: set[str] = set()
        for cube in (*self.cubes, *self.left_out):
            found.update(_DIRECTIONS[cube.direction])
        return verdict_of(found)

    def only(self, *directions: DecisionEffect | str) -> Impact:
        """Return this impact with only the groups that moved any of these ways.

        The groups left out still count in the verdict and are listed in
        ``left_out``.

        Args:
            directions: ``loosened``, ``tightened`` or ``mixed``.

        Returns:
            An :class:`Impact` whose ``cubes`` moved one of those ways.

        Raises:
            ValueError: A direction that is not one of those three.
        """
        wanted = {DecisionEffect(d) for d in directions}
        if DecisionEffect.NONE in wanted:
            msg = "a group moved loosened, tightened or mixed; 'none' is not a move"
            raise ValueError(msg)
        everything = (*self.cubes, *self.left_out)
        return attrs.evolve(
            self,
            cubes=tuple(c for c in everything if c.direction in wanted),
            left_out=tuple(c for c in everything if c.direction not in wanted),
        )

    def summary(self) -> dict[str, int]:
        """Count every moved group by kind of move, those :meth:`only` left out included.

        Returns:
            ``{"loosened": n, "tightened": n, "mixed": n}``.
        """
        counts = dict.fromkeys(_MOVES, 0)
        for cube in (*self.cubes, *self.left_out):
            counts[cube.direction.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Return the impact as plain data, shaped like the diff's JSON.

        Returns:
            ``{"policydiff", "policy", "from", "to", "verdict", "dimensions",
            "cubes", "summary", "left_out"}`` with ISO 8601 effective
            instants; ``summary`` counts every moved group by direction and
            ``left_out`` counts the groups :meth:`only` left out.
        """
        return {
            "policydiff": FORMAT_VERSION,
            "policy": self.new.policy,
            "from": endpoint(self.old),
            "to": endpoint(self.new),
            "verdict": self.verdict.value,
            "dimensions": list(self.dimensions),
            "cubes": [cube.to_dict() for cube in self.cubes],
            "summary": self.summary(),
            "left_out": len(self.left_out),
        }


_MOVES = ("loosened", "tightened", "mixed")

_DIRECTIONS = {
    DecisionEffect.LOOSENED: (LOOSENED,),
    DecisionEffect.TIGHTENED: (TIGHTENED,),
    DecisionEffect.MIXED: (LOOSENED, TIGHTENED),
    DecisionEffect.NONE: (),
}


def verdict_of(found: set[str]) -> Verdict:
    """Return the verdict of the directions found: none, one, or both."""
    if not found:
        return Verdict.EQUIVALENT
    if len(found) == 2:
        return Verdict.MIXED
    return Verdict(found.pop())


#: The effects each ``check --fail-on`` value offends on: a mixed move goes
#: both ways, so it offends either way.
OFFENDING = {
    "loosened": frozenset({DecisionEffect.LOOSENED, DecisionEffect.MIXED}),
    "tightened": frozenset({DecisionEffect.TIGHTENED, DecisionEffect.MIXED}),
    "any": frozenset({DecisionEffect.LOOSENED, DecisionEffect.TIGHTENED, DecisionEffect.MIXED}),
}


@attrs.frozen(kw_only=True)
class Waiver:
    """An approved exception: the change with this fingerprint does not fail the gate.

    Attributes:
        fingerprint: The waived change's :attr:`~policydiff.model.Change.fingerprint`.
        reason: Why it is accepted.
        approved_by: Who accepted it.
        expires: The last day it waives (``YYYY-MM-DD``).
        file: The waivers file it came from.
        line: Its line in that file, when known.
    """

    fingerprint: str
    reason: str
    approved_by: str
    expires: str
    file: str = "<waivers>"
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the waiver as its file holds it."""
        return {
            "fingerprint": self.fingerprint,
            "reason": self.reason,
            "approved_by": self.approved_by,
            "expires": self.expires,
        }


@attrs.frozen(kw_only=True)
class Gate:
    """A review gate's judgement of a diff by decisions (SPEC section 12).

    Attributes:
        diff: The diff judged.
        fail_on: ``loosened``, ``tightened`` or ``any``.
        verdict: The diff's verdict.
        cubes: The groups of situations that moved the offending way.
        changes: The changes that took part in those moves, waived ones aside.
        waived: The changes that took part but are waived, each with its waiver.
        expired: The waivers that expired: they waive nothing.
        warn_only: Report only: a failing gate still exits 0.
    """

    diff: PolicyDiff
    fail_on: str
    verdict: Verdict
    cubes: tuple[Cube, ...]
    changes: tuple[Change, ...]
    waived: tuple[tuple[Change, Waiver], ...] = ()
    expired: tuple[Waiver, ...] = ()
    warn_only: bool = False

    @property
    def failed(self) -> bool:
        """Whether some situation moved the offending way through a change not waived."""
        return bool(self.cubes) and (bool(self.changes) or not self.waived)

    def to_dict(self) -> dict[str, Any]:
        """Return the diff's JSON with only the offending changes, plus the moved situations.

        Waived changes are listed apart under ``waived``, each with its
        ``waiver``; expired waivers under ``check.expired_waivers``.
        """
        data = self.diff.to_dict()
        data["changes"] = [change_to_dict(c) for c in self.changes]
        data["check"] = {
            "fail_on": self.fail_on,
            "by": "decisions",
            "failed": self.failed,
            "warn_only": self.warn_only,
            "expired_waivers": [w.to_dict() for w in self.expired],
        }
        data["situations"] = [cube.to_dict() for cube in self.cubes]
        data["waived"] = [{**change_to_dict(c), "waiver": w.to_dict()} for c, w in self.waived]
        return data
