"""Comparing what two versions decide: impact, verdict and each change's effect.

Everything here stands on the one evaluator (:mod:`policydiff._evaluate`).
The two versions share one situation space (SPEC section 12): per
dimension, every value that is a leaf in at least one of the two
vocabularies, plus "any other value"; each version reads every situation
through its own tree, so a value that is a leaf in one version and a parent
in the other is neither missed nor invented.

Only situations that a changed rule covers, in either version, can change
outcome (unless the default or the conflict strategy changed, when the rest
of the space is explored too). Each such region is split into uniform pieces
and decided once per version, under every truth of the conditions involved.
A piece *moved* when, under some assignment, one version is more permissive
than the other (SPEC section 11's order); the moved pieces are grouped into
cubes (:class:`Impact`), and who took part in each move gives the diff's
verdict and each change's effect (:class:`Judge`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs
import pendulum

from policydiff._decisions import (
    LOOSENED,
    MAX_CONDITIONS,
    OFFENDING,
    TIGHTENED,
    Answer,
    Cube,
    Gate,
    Impact,
    Membership,
    Point,
    Waiver,
    pieces_allowed,
    verdict_of,
)
from policydiff._documents import paused_collector
from policydiff._evaluate import (
    Entry,
    PastShare,
    Space,
    make_answer,
    merge,
    obligation_name,
)
from policydiff._phrases import cube_sentence
from policydiff._results import PolicyDiff
from policydiff.errors import DiffError
from policydiff.model import (
    Change,
    Conflict,
    Decision,
    DecisionEffect,
    Default,
    Effect,
    FrozenMap,
    Kind,
    PolicyVersion,
    Rule,
    Verdict,
)

__all__ = ["Judge", "compare", "impact", "judge_gate"]

_BY_DEFAULT = {
    Default.PERMIT: Decision.PERMITTED,
    Default.PROHIBIT: Decision.PROHIBITED,
    Default.NONE: Decision.UNDECIDED,
}
#: Beyond this many permit and prohibit rules meeting one changed rule, the
#: pairwise test for most-specific nesting is skipped (and nothing pruned by it).
_FLAT_LIMIT = 400
#: Where a region has more, the test is made per cube, once at most this many
#: meet it (cubes are many, so each must be cheap).
_CUBE_LIMIT = 100

_RANK = {Decision.PROHIBITED: 0, Decision.UNDECIDED: 1, Decision.PERMITTED: 2}


def direction(before: Point, after: Point) -> frozenset[str]:
    """Which way one outcome moved: ``loosened``, ``tightened``, both, or neither.

    Permitted ranks above undecided, undecided above prohibited; of two
    permitted outcomes, fewer obligations rank higher (obligations on an
    outcome that is not permitted do not count).
    """
    a, b = _RANK[before[0]], _RANK[after[0]]
    if a != b:
        return frozenset((LOOSENED if b > a else TIGHTENED,))
    if before[0] is Decision.PERMITTED and before[1] != after[1]:
        old, new = set(before[1]), set(after[1])
        if new < old:
            return frozenset((LOOSENED,))
        if old < new:
            return frozenset((TIGHTENED,))
        return frozenset((LOOSENED, TIGHTENED))
    return frozenset()


def effect_of(directions: Iterable[str]) -> DecisionEffect:
    """Return the :class:`DecisionEffect` of a set of directions."""
    found = set(directions)
    if not found:
        return DecisionEffect.NONE
    if len(found) == 2:
        return DecisionEffect.MIXED
    return DecisionEffect(found.pop())


def impact(old: PolicyVersion, new: PolicyVersion) -> Impact:
    """Find every situation whose outcome moved from ``old`` to ``new``.

    Args:
        old: The earlier version.
        new: The later version, of the same policy.

    Returns:
        The moved situations, grouped into cubes, each with both versions'
        answers.

    Raises:
        DiffError: The versions belong to different policies, or the
            analysis exceeds the evaluator's work budget.

    >>> import policydiff
    >>> old = policydiff.load("examples/us-ukraine-strikes/history/2022-no-strikes-inside-russia.yaml")
    >>> new = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
    >>> [str(cube.values["territory"]) for cube in policydiff.impact(old, new)]
    ['Belgorod Oblast']
    """
    return compare(old, new).impact()


def compare(
    old: PolicyVersion,
    new: PolicyVersion,
    *,
    lean: bool = False,
    named: frozenset[str] = frozenset(),
    renamed: frozenset[str] = frozenset(),
) -> Comparison:
    """Decide every situation that can have moved from ``old`` to ``new``.

    Args:
        old: The earlier version.
        new: The later version.
        lean: Work out only who took part in each move and which way it
            went, for the verdict and the changes' effects (see
            :class:`Comparison`); no cubes.
        named: With ``lean``, the rule ids whose part in the moves is asked.
        renamed: Those of them that a change reads as an old and a new id
            that differ (a renamed rule).

    Raises:
        DiffError: Different policies, or past the work budget.
    """
    if old.policy != new.policy:
        msg = (
            f"cannot compare the decisions of different policies:"
            f" {old.policy!r} (version {old.version!r}) and {new.policy!r} (version {new.version!r})"
        )
        raise DiffError(msg)
    with paused_collector():
        return Comparison(old, new, lean=lean, named=named, renamed=renamed)


#: Who took part in one moved outcome: (directions, old ids, new ids, old
#: default decided, new default decided, two or more permit/prohibit rules
#: applied on a side).
Record = tuple[frozenset[str], frozenset[str], frozenset[str], bool, bool, bool]


class Comparison:
    """The moved pieces of two versions, with who took part in each move.

    A *lean* comparison (for the verdict and the changes' effects) keeps no
    pieces, only the records, and only for versions with the same default
    and conflict strategy. It skips what cannot add a record: a cube whose
    covering entries, in the same combinations, were explored already, and
    the rules that cannot change an outcome in a cube (see :class:`_Thin`);
    then a record names only the rules in ``named`` and the changed ones,
    and says nothing true of the default or of conflicts. Conditions of the
    rules left out do not count towards :data:`MAX_CONDITIONS`.
    """

    def __init__(
        self,
        old: PolicyVersion,
        new: PolicyVersion,
        *,
        lean: bool = False,
        named: frozenset[str] = frozenset(),
        renamed: frozenset[str] = frozenset(),
    ) -> None:
        self.old, self.new = old, new
        self.lean = lean
        if lean and (old.default is not new.default or old.conflict is not new.conflict):
            msg = "a lean comparison needs the same default and conflict strategy"
            raise ValueError(msg)
        # A diff's verdict is worked out whenever the diff is shown: unless a
        # budget is set, it keeps to the floor, however large the versions.
        budget = pieces_allowed(0) if lean else None
        self.space = space = Space((old, new), share=lean, budget=budget)
        self._parts: dict[int, list[tuple[list[int], list[Entry], _Nesting]]] = {}
        self._by_id: dict[str, list[Entry]] | None = None
        self.moved: list[tuple[tuple[int, ...], tuple[Answer, Answer, DecisionEffect]]] = []
        self.records: set[Record] = set()
        self._memo: dict[tuple[int, ...], tuple[Answer, Answer, DecisionEffect] | None] = {}
        same_conflict = old.conflict is new.conflict
        same = old.default is new.default and same_conflict
        # A lean comparison stops looking where nothing it reports can change
        # any more (see _Settled); it must then see every move's rules, so not
        # when a vocabulary or pattern edit may move a situation that no rule
        # change takes part in.
        alike = old.vocabulary == new.vocabulary and old.patterns == new.patterns
        self.settled = _Settled(named, renamed, space) if lean and alike else None
        #: Why a lean comparison stopped before the end (past the work
        #: budget), and the changed entries whose regions it did not finish.
        self.stopped: DiffError | None = None
        self.unfinished: frozenset[int] = frozenset()
        seen: set[tuple[object, ...]] | None = set() if lean else None
        partners = _partners(space.entries) if same else {}
        roots = [entry for entry in space.entries if entry.changed]
        if lean:
            self._explore_shared(roots, partners, named)
        else:
            for entry in roots:
                self._explore_region(entry, partners.get(entry.index), seen, named)
        if not same:
            space.explore(list(space.full), space.entries, self._visit, settled=same_conflict)

    def _explore_region(
        self,
        entry: Entry,
        partner: Entry | None,
        seen: set[tuple[object, ...]] | None,
        named: frozenset[str],
    ) -> None:
        """Visit every piece of a changed entry's region where an outcome can move.

        A lean comparison may come back to a region (see
        :meth:`_explore_shared`); what it works out before exploring is kept
        until the region is finished.
        """
        space = self.space
        parts = self._parts.get(entry.index)
        if parts is None:
            region = list(space.full)
            for d, mask in entry.named:
                region[d] = mask
            parts = []
            for cube in self._region(entry, region, partner):
                meeting = space.meeting(cube)
                parts.append((cube, meeting, _Nesting(self, meeting)))
            if self.lean:
                self._parts[entry.index] = parts
        for cube, meeting, nesting in parts:
            still = _Still(self, nesting)
            space.explore(
                cube,
                meeting,
                self._visit,
                rank=entry.index,
                prune=still if self.settled is None else self.settled.guard(still),
                seen=seen,
                thin=_Thin(self, nesting, named) if self.lean else None,
                changed_first=self.lean,
            )
        self._parts.pop(entry.index, None)

    def _explore_shared(
        self, roots: list[Entry], partners: dict[int, Entry], named: frozenset[str]
    ) -> None:
        """Explore every changed entry's region, so that a few hard ones cannot starve the rest.

        Regions are explored in rounds. In the first, each may explore a
        small share of the budget; a region that needs more is set aside and
        explored again, afresh, in the next round with twice the share, until
        every region is finished or the budget is spent. The cheap regions
        are thus finished first, and the attempts of a region that stopped
        short cost less than twice its last one. Past the budget the
        comparison stops, and what it found still holds (see
        :meth:`finished_for`).
        """
        space = self.space
        budget = space.budget
        share = max(budget // (4 * len(roots)), 1) if roots else 0
        pending = roots
        try:
            while pending:
                # A region that stopped half way marked cubes seen that it did
                # not finish: each round starts with none seen.
                seen: set[tuple[object, ...]] = set()
                deferred: list[Entry] = []
                for position, entry in enumerate(pending):
                    space.limit = min(budget, space.work + share)
                    try:
                        self._explore_region(entry, partners.get(entry.index), seen, named)
                    except PastShare:
                        deferred.append(entry)
                    except DiffError as exc:
                        self._stop(exc, [*deferred, *pending[position:]])
                        return
                pending = deferred
                share *= 2
        finally:
            space.limit = budget

    def _stop(self, why: DiffError, unfinished: Sequence[Entry]) -> None:
        """Stop a lean comparison: what was found holds, what was not reached is not known."""
        self.stopped = why
        self.unfinished = frozenset(entry.index for entry in unfinished)

    def finished_for(self, ids: Collection[str]) -> bool:
        """Whether every moved outcome that a rule of ``ids`` can take part in was found.

        A moved situation lies in some changed entry's region and is visited
        under the first such region that covers it; a rule takes part only in
        situations it covers. So a rule's part is known when every changed
        entry meeting it had its region finished.
        """
        if not self.unfinished:
            return True
        space = self.space
        if self._by_id is None:
            self._by_id = {}
            for entry in space.entries:
                for rule_id in {rule.id for rule in entry.rules if rule is not None}:
                    self._by_id.setdefault(rule_id, []).append(entry)
        for entry in (e for rule_id in ids for e in self._by_id.get(rule_id, ())):
            cube = list(space.full)
            for d, mask in entry.named:
                cube[d] = mask
            if any(e.index in self.unfinished for e in space.meeting(cube)):
                return False
        return True

    def _region(self, entry: Entry, region: list[int], partner: Entry | None) -> list[list[int]]:
        """Return the cubes of a changed entry's region where an outcome can move.

        Where the same rule, edited only in what it covers, holds on both
        sides, the situations both versions of it cover decide alike, unless
        another changed rule meets them or, under most-specific, the edit
        changed how the rule nests with another rule there (the rule is then
        compared with the rules of each version alike, and decides alike).
        That part is left out, so what is explored is what one version of the
        rule covers and the other does not.
        """
        if partner is None:
            return [region]
        space = self.space
        other = list(space.full)
        for d, mask in partner.named:
            other[d] = mask
        shared = [a & b for a, b in zip(region, other, strict=True)]
        if not all(shared) or not self._interchangeable(entry, partner, shared):
            return [region]
        cubes: list[list[int]] = []
        rest = list(region)
        for d, mask in enumerate(other):
            outside = rest[d] & ~mask
            if outside:
                cube = list(rest)
                cube[d] = outside
                cubes.append(cube)
            rest[d] &= mask
        return cubes

    def _interchangeable(self, entry: Entry, partner: Entry, shared: list[int]) -> bool:
        """Whether two versions of one rule decide alike wherever both cover (``shared``)."""
        space = self.space
        old, new = (entry, partner) if entry.rules[0] is not None else (partner, entry)
        before, after = old.rules[0], new.rules[1]
        if before is None or after is None:
            return False
        if before.effect is not after.effect or before.conditions != after.conditions:
            return False
        if before.effect is Effect.OBLIGE and space.obligation(before) != space.obligation(after):
            return False
        meeting = [e for e in space.meeting(shared) if e is not old and e is not new]
        if any(e.changed for e in meeting):
            return False
        if (
            before.effect is Effect.OBLIGE
            or space.versions[0].conflict is not Conflict.MOST_SPECIFIC
        ):
            return True
        within = space.within
        return all(
            within(0, old, e) == within(1, new, e) and within(0, e, old) == within(1, e, new)
            for e in meeting
            if (r := e.rules[0]) is not None and r.effect is not Effect.OBLIGE
        )

    def _nested(
        self, side: int, entries: Sequence[Entry], limit: int = _FLAT_LIMIT
    ) -> list[tuple[int, int]] | None:
        """Return the pairs (permit, prohibit) of ``entries`` where the permit lies within the prohibit.

        Where no such pair applies, most-specific decides as prohibit-overrides
        does. When the most specific rules include a prohibit, a prohibit
        decides; when they are all permits, each lies within every other
        applicable rule, so without such a pair no prohibit applies; when
        there are none, the fallback is prohibit-overrides itself.

        Returns:
            The pairs (entry indices); none under another strategy; ``None``
            when more than ``limit`` rules meet to compare them pairwise.
        """
        if self.space.versions[side].conflict is not Conflict.MOST_SPECIFIC:
            return []
        permits: list[Entry] = []
        prohibits: list[Entry] = []
        for e in entries:
            rule = e.rules[side]
            if rule is not None and rule.effect is not Effect.OBLIGE:
                (permits if rule.effect is Effect.PERMIT else prohibits).append(e)
        if len(permits) + len(prohibits) > limit:
            return None
        space = self.space
        within, dims = space.within, space.dims
        # A permit lies within a prohibit only if it names every dimension
        # where the prohibit leaves out some value (a cheap test first).
        named = [(a, frozenset(a.masks)) for a in permits]
        pairs: list[tuple[int, int]] = []
        for b in prohibits:
            narrow = frozenset(d for d, mask in b.named if dims[d].leafs[side] & ~mask)
            pairs.extend(
                (a.index, b.index) for a, names in named if narrow <= names and within(side, a, b)
            )
        return pairs

    def _possible(
        self, side: int, wholes: Sequence[Entry], parts: Sequence[Entry], flat: bool
    ) -> set[Decision]:
        """Every decision the side can reach somewhere in a cube (or more)."""
        version = self.space.versions[side]
        conflict = Conflict.PROHIBIT_OVERRIDES if flat else version.conflict
        # Which effects apply somewhere, and which throughout (enums are
        # compared by identity: hashing them costs a Python call each).
        some_permit = some_prohibit = sure_permit = sure_prohibit = False
        for entries, whole in ((wholes, True), (parts, False)):
            for entry in entries:
                rule = entry.rules[side]
                if rule is None:
                    continue
                effect = rule.effect
                if effect is Effect.PERMIT:
                    some_permit = True
                    sure_permit = sure_permit or (whole and not rule.conditions)
                elif effect is Effect.PROHIBIT:
                    some_prohibit = True
                    sure_prohibit = sure_prohibit or (whole and not rule.conditions)
        found: set[Decision] = set()
        if some_permit:
            found.add(Decision.PERMITTED)
        if some_prohibit:
            found.add(Decision.PROHIBITED)
        if conflict is Conflict.PROHIBIT_OVERRIDES and sure_prohibit:
            return {Decision.PROHIBITED}
        if conflict is Conflict.MOST_SPECIFIC and sure_prohibit:
            # A prohibit applying throughout decides unless a permit lying
            # within it is the most specific rule somewhere.
            within = self.space.within
            permits = [
                e
                for e in (*wholes, *parts)
                if (r := e.rules[side]) is not None and r.effect is Effect.PERMIT
            ]
            for entry in wholes:
                rule = entry.rules[side]
                if (
                    rule is not None
                    and rule.effect is Effect.PROHIBIT
                    and not rule.conditions
                    and not any(within(side, p, entry) for p in permits)
                ):
                    return {Decision.PROHIBITED}
        if conflict is Conflict.PERMIT_OVERRIDES and sure_permit:
            return {Decision.PERMITTED}
        if not (sure_permit or sure_prohibit):
            found.add(_BY_DEFAULT[version.default])
        return found

    def _still(
        self, wholes: Sequence[Entry], parts: Sequence[Entry], flat: tuple[bool, bool]
    ) -> bool:
        """Whether no outcome can move anywhere in a cube (a sound, cheap test)."""
        before = self._possible(0, wholes, parts, flat[0])
        if len(before) == 1 and before == self._possible(1, wholes, parts, flat[1]):
            # One decision throughout: only a changed obligation could move a
            # permitted outcome.
            return before != {Decision.PERMITTED} or not self._changed(
                (*wholes, *parts), Effect.OBLIGE
            )
        return self._overridden(wholes, parts, flat)

    @staticmethod
    def _changed(entries: Sequence[Entry], effect: Effect) -> bool:
        return any(
            e.changed and (r := e.rules[0] or e.rules[1]) is not None and r.effect is effect
            for e in entries
        )

    def _overridden(
        self, wholes: Sequence[Entry], parts: Sequence[Entry], flat: tuple[bool, bool]
    ) -> bool:
        """Whether the changed rules of a cube cannot matter under an overrides strategy.

        Under prohibit-overrides (or most-specific where no rule lies within
        another), a situation is prohibited when a prohibit applies, else
        permitted when a permit applies, else the default decides. When no
        changed rule in the cube is a prohibit or an oblige, both versions
        agree on whether a prohibit applies, and where none does they agree
        on the outcome if the default permits or a permit surely applies on
        each side. Permit-overrides is the mirror.
        """
        old, new = self.space.versions
        if old.default is not new.default:
            return False
        conflicts = {
            Conflict.PROHIBIT_OVERRIDES if flat[side] else version.conflict
            for side, version in enumerate((old, new))
        }
        if len(conflicts) != 1:
            return False
        (conflict,) = conflicts
        if conflict is Conflict.MOST_SPECIFIC:
            return False
        entries = (*wholes, *parts)
        if self._changed(entries, Effect.OBLIGE):
            return False
        if conflict is Conflict.PROHIBIT_OVERRIDES:
            overriding, other, fallback = Effect.PROHIBIT, Effect.PERMIT, Default.PERMIT
        else:
            overriding, other, fallback = Effect.PERMIT, Effect.PROHIBIT, Default.PROHIBIT
        if self._changed(entries, overriding):
            return False
        if not self._changed(entries, other) or old.default is fallback:
            return True
        return all(
            any(
                (r := e.rules[side]) is not None and r.effect is other and not r.conditions
                for e in wholes
            )
            for side in (0, 1)
        )

    def moves(
        self, wholes: Sequence[Entry], parts: Sequence[Entry], flat: tuple[bool, bool]
    ) -> frozenset[str]:
        """Every way an outcome can move in a cube, by the decisions each side can reach there.

        A decision moves one way by the order of decisions; two permitted
        outcomes move only by obligations, which only a changed ``oblige``
        rule can make differ (added: tightened; dropped: loosened).
        """
        before = self._possible(0, wholes, parts, flat[0])
        after = self._possible(1, wholes, parts, flat[1])
        found: set[str] = set()
        for a in before:
            for b in after:
                if _RANK[b] > _RANK[a]:
                    found.add(LOOSENED)
                elif _RANK[b] < _RANK[a]:
                    found.add(TIGHTENED)
        if Decision.PERMITTED in before and Decision.PERMITTED in after:
            for entry in (*wholes, *parts):
                if entry.changed:
                    rule = entry.rules[1]
                    added = rule is not None
                    rule = rule or entry.rules[0]
                    if rule is not None and rule.effect is Effect.OBLIGE:
                        found.add(TIGHTENED if added else LOOSENED)
        return frozenset(found)

    def _visit(self, masks: tuple[int, ...], entries: list[Entry]) -> None:
        if self.settled is not None and self.settled.done(entries):
            return
        key = tuple(e.index for e in entries)
        if key in self._memo:
            found = self._memo[key]
        else:
            found = self._memo[key] = self._judge(entries)
        if found is not None:
            self.moved.append((masks, found))

    def _judge(self, entries: list[Entry]) -> tuple[Answer, Answer, DecisionEffect] | None:
        space = self.space
        before, after = space.table(0, entries), space.table(1, entries)
        union = sorted(set(before.conditions) | set(after.conditions))
        if len(union) > MAX_CONDITIONS:
            msg = (
                f"{len(union)} conditions meet in one situation across both versions;"
                f" the evaluator works out every combination of at most {MAX_CONDITIONS}"
            )
            raise DiffError(msg)
        old_at = _positions(union, before.conditions)
        new_at = _positions(union, after.conditions)
        moved: set[str] = set()
        for assignment in range(1 << len(union)):
            i, j = _index(assignment, old_at), _index(assignment, new_at)
            way = direction(before.points[i], after.points[j])
            if way:
                moved |= way
                (old_ids, old_default, old_many) = before.parts[i]
                (new_ids, new_default, new_many) = after.parts[j]
                record = (way, old_ids, new_ids, old_default, new_default, old_many or new_many)
                if record not in self.records:
                    self.records.add(record)
                    if self.settled is not None:
                        self.settled.add(record)
        if not moved or self.lean:
            return None
        return (
            make_answer(self.old, before.conditions, before.points),
            make_answer(self.new, after.conditions, after.points),
            effect_of(moved),
        )

    @property
    def directions(self) -> set[str]:
        """Every direction some situation moved in."""
        return {way for record in self.records for way in record[0]}

    def impact(self) -> Impact:
        """Group the moved pieces into cubes."""
        dims = self.space.dims
        cubes = []
        for masks, (before, after, way) in merge(self.moved):
            values = FrozenMap(
                {dim.name: dim.span(mask) for dim, mask in zip(dims, masks, strict=True)}
            )
            cubes.append(
                Cube(
                    values=values,
                    before=before,
                    after=after,
                    direction=way,
                    description=cube_sentence(values, before, after, way),
                    membership=Membership(dims, masks),
                )
            )
        cubes.sort(key=_cube_key)
        return Impact(old=self.old, new=self.new, dimensions=self.space.names, cubes=tuple(cubes))


class _Nesting:
    """The permits lying within prohibits among one region's rules, on each side.

    Where no such pair meets a cube, most-specific decides there as
    prohibit-overrides does (see :meth:`Comparison._nested`).
    """

    __slots__ = ("comparison", "pairs", "specific")

    def __init__(self, comparison: Comparison, meeting: Sequence[Entry]) -> None:
        self.comparison = comparison
        self.pairs = (comparison._nested(0, meeting), comparison._nested(1, meeting))
        self.specific = tuple(
            version.conflict is Conflict.MOST_SPECIFIC for version in comparison.space.versions
        )

    def present(self, side: int, entries: Sequence[Entry]) -> list[tuple[int, int]] | None:
        """Return the pairs of ``side`` both of whose rules are among ``entries``.

        Where too many rules meet the region to pair them all, the rules of
        a cube are paired once few enough meet it.
        """
        pairs = self.pairs[side]
        if pairs is None:
            return self.comparison._nested(side, entries, _CUBE_LIMIT)
        if not pairs:
            return pairs
        present = {e.index for e in entries}
        return [(a, b) for a, b in pairs if a in present and b in present]

    def flat(self, side: int, entries: Sequence[Entry]) -> bool:
        """Whether ``side`` decides as prohibit-overrides among ``entries`` by most-specific."""
        return self.specific[side] and self.present(side, entries) == []


class _Still:
    """The pruning test of one changed rule's region (see :meth:`Comparison._still`).

    Whether a side decides as prohibit-overrides is asked of each cube's own
    rules, so a cube is judged flat as soon as the nested rules that made its
    region otherwise are split away from it.
    """

    __slots__ = ("comparison", "nesting")

    def __init__(self, comparison: Comparison, nesting: _Nesting) -> None:
        self.comparison = comparison
        self.nesting = nesting

    def flat(self, entries: Sequence[Entry]) -> tuple[bool, bool]:
        """Whether each side decides as prohibit-overrides among ``entries`` by most-specific."""
        return (self.nesting.flat(0, entries), self.nesting.flat(1, entries))

    def __call__(self, wholes: list[Entry], parts: list[Entry]) -> bool:
        return self.comparison._still(wholes, parts, self.flat((*wholes, *parts)))


class _Settled:
    """What a lean comparison has learnt, to stop looking where nothing more can be.

    A lean comparison answers the verdict (which ways some situation moved)
    and, for each rule in ``named``, which ways the moves it takes part in
    went. A cube is skipped when every way an outcome in it can move (see
    :func:`_ways`) is known already, for the verdict and for every named
    rule of the cube.
    """

    __slots__ = ("named", "news", "olds", "renamed", "space", "ways")

    def __init__(self, named: frozenset[str], renamed: frozenset[str], space: Space) -> None:
        self.named = named
        self.renamed = renamed
        self.space = space if space.versions[0].conflict is Conflict.MOST_SPECIFIC else None
        self.ways: set[str] = set()
        self.olds: dict[str, set[str]] = {}
        self.news: dict[str, set[str]] = {}

    def add(self, record: Record) -> None:
        """Learn one moved outcome's direction and who took part in it."""
        way = record[0]
        self.ways |= way
        for ids, known in ((record[1], self.olds), (record[2], self.news)):
            for rule_id in ids:
                if rule_id in self.named:
                    known.setdefault(rule_id, set()).update(way)

    def done(
        self,
        entries: Sequence[Entry],
        nested: tuple[list[tuple[int, int]] | None, list[tuple[int, int]] | None] = (None, None),
        bound: frozenset[str] = frozenset((LOOSENED, TIGHTENED)),
        wholes: Sequence[Entry] = (),
    ) -> bool:
        """Whether no outcome among ``entries`` can add anything to what is known.

        ``bound`` holds the ways outcomes can move there by the decisions
        each side can reach (:meth:`Comparison.moves`).
        """
        ways = _ways(entries, nested, self.space, wholes) & bound
        if not ways <= self.ways:
            return False
        named, renamed, olds, news = self.named, self.renamed, self.olds, self.news
        nothing: set[str] = set()
        for entry in entries:
            for rule, known in zip(entry.rules, (olds, news), strict=False):
                if rule is None or rule.id not in named:
                    continue
                # A change's effect joins its rule's part on both sides.
                found = known.get(rule.id, nothing)
                if rule.id not in renamed:
                    found = found | olds.get(rule.id, nothing) | news.get(rule.id, nothing)
                if not ways <= found:
                    return False
        return True

    def guard(self, still: _Still) -> Callable[[list[Entry], list[Entry]], bool]:
        """Return ``still`` that also skips a cube where everything is known."""
        nesting = still.nesting

        comparison = still.comparison
        specific = nesting.specific

        def prune(wholes: list[Entry], parts: list[Entry]) -> bool:
            entries = (*wholes, *parts)
            nested = (nesting.present(0, entries), nesting.present(1, entries))
            flat = (specific[0] and nested[0] == [], specific[1] and nested[1] == [])
            # No way to move at all covers what ``still`` finds without the
            # override strategies' reasoning.
            bound = comparison.moves(wholes, parts, flat)
            return (
                not bound
                or self.done(entries, nested, bound, wholes)
                or comparison._overridden(wholes, parts, flat)
            )

        return prune


_BOTH = frozenset((LOOSENED, TIGHTENED))


def _ways(
    entries: Sequence[Entry],
    nested: tuple[list[tuple[int, int]] | None, list[tuple[int, int]] | None],
    space: Space | None,
    wholes: Sequence[Entry] = (),
) -> frozenset[str]:
    """Every way an outcome can move among ``entries`` (same default and conflict strategy).

    Only the changed entries differ between the versions, and each moves an
    outcome one way at most, whatever else applies: a prohibit or an
    obligation one version adds can only tighten, one it drops only loosen
    (obligations count only between permitted outcomes, which a prohibit
    cannot make); a permit added can only loosen and one dropped only
    tighten, except under most-specific where some permit lying within a
    prohibit does not lie within it: adding it can then take that permit's
    place as the most specific rule away and let the prohibit decide.
    Several changes that each move one way move that way together.

    That other permit has to be the most specific rule somewhere on the side
    without the changed one, so it has to lie within every rule that covers
    the whole cube there unconditionally; the others are not counted.

    The two versions of one edited rule, alike in effect and obligation,
    apply alike where they both cover the same situations: when they cover
    the same values (so nest alike), or both cover the whole cube where each
    side decides as an override strategy does. There they move nothing with
    the same conditions; where one version's conditions include the
    other's, it applies in fewer cases, as if dropped from some of them (or
    added to them); otherwise each counts on its own.

    Args:
        entries: The entries meeting a cube.
        nested: Per side, the pairs (permit, prohibit) of ``entries`` where
            the permit lies within the prohibit; ``None`` when not known.
        space: The space, under most-specific; ``None`` under the override
            strategies.
    """
    found: set[str] = set()
    acting = _acting(entries, wholes, space, flat=space is None or nested == ([], []))
    for entry in entries:
        if not entry.changed:
            continue
        role = acting.get(entry.index)
        if role is None:
            added = entry.rules[1] is not None
        elif role == "skip":
            continue
        else:
            added = role == "added"
        rule = entry.rules[1] or entry.rules[0]
        assert rule is not None
        if rule.effect is Effect.PERMIT:
            if space is not None:
                side = 1 if added else 0
                pairs = nested[side]
                if pairs is None:
                    return _BOTH
                within, every = space.within, space.entries
                other = 1 - side
                sure = [
                    w
                    for w in wholes
                    if (r := w.rules[other]) is not None
                    and r.effect is not Effect.OBLIGE
                    and not r.conditions
                ]
                for a, _ in pairs:
                    inner = every[a]
                    if not within(side, inner, entry) and all(
                        w is inner or within(other, inner, w) for w in sure
                    ):
                        return _BOTH
            found.add(LOOSENED if added else TIGHTENED)
        else:
            found.add(TIGHTENED if added else LOOSENED)
        if len(found) == 2:
            return _BOTH
    return frozenset(found)


def _acting(
    entries: Sequence[Entry], wholes: Sequence[Entry], space: Space | None, *, flat: bool
) -> dict[int, str]:
    """How the two versions of one edited rule meeting a cube count there (see :func:`_ways`).

    Returns:
        Per entry index: ``"skip"`` (moves nothing), ``"added"`` or
        ``"dropped"`` (counts as a rule one version adds or drops); entries
        not named count on their own.
    """
    found: dict[int, str] = {}
    covering = {entry.index for entry in wholes}
    for index, partner in _partners(entries).items():
        if partner.rules[1] is None:
            continue  # each pair once, from its old entry's partner (the new one)
        old_entry = next(e for e in entries if e.index == index)
        before, after = old_entry.rules[0], partner.rules[1]
        assert before is not None
        if before.effect is not after.effect or (
            before.effect is Effect.OBLIGE and obligation_name(before) != obligation_name(after)
        ):
            continue
        whole = index in covering and partner.index in covering
        if not (
            old_entry.named == partner.named
            or (whole and (flat or _nests_alike(space, old_entry, partner, entries)))
        ):
            continue
        if before.conditions == after.conditions:
            found[index] = found[partner.index] = "skip"
        elif before.conditions < after.conditions:
            found[index], found[partner.index] = "dropped", "skip"
        elif after.conditions < before.conditions:
            found[index], found[partner.index] = "skip", "added"
    return found


def _nests_alike(space: Space | None, old: Entry, new: Entry, entries: Sequence[Entry]) -> bool:
    """Whether the two versions of a rule lie within, and hold, the same rules of a cube."""
    if space is None:
        return True
    within = space.within
    for entry in entries:
        if entry is old or entry is new:
            continue
        if all(r is None or r.effect is Effect.OBLIGE for r in entry.rules):
            continue
        if within(0, entry, old) != within(1, entry, new) or within(0, old, entry) != within(
            1, new, entry
        ):
            return False
    return True


def _partners(entries: Sequence[Entry]) -> dict[int, Entry]:
    """Pair each changed entry with the other side's changed entry of the same rule id."""
    sides: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.changed:
            rule = entry.rules[0] or entry.rules[1]
            assert rule is not None
            sides.setdefault(rule.id, []).append(entry)
    found: dict[int, Entry] = {}
    for pair in sides.values():
        if len(pair) == 2:
            found[pair[0].index], found[pair[1].index] = pair[1], pair[0]
    return found


class _Thin:
    """Drop the rules that cannot change any outcome of a cube.

    Only who decided would differ without them, so a rule is dropped only
    when both versions hold it alike, no change names it, and leaving it out
    changes no named rule's part in a moved outcome:

    - an ``oblige`` rule whose obligation no changed rule in the cube
      imposes: both versions add it alike, so it makes one set of
      obligations a subset of the other exactly when it was before;
    - a permit, under prohibit-overrides with a permitting default: a
      prohibit still overrides it, without it the default permits, and the
      other applicable permits decide with or without it. Permit-overrides
      with a prohibiting default is the mirror.
    - the same under most-specific where no permit of the cube lies within a
      prohibit of it (so it decides as prohibit-overrides), but only where no
      named permit is in the cube and each version has at most one changed
      prohibit there: a permit can keep another rule from being the most
      specific one, and so change who decides, but where a decision moves,
      the prohibited side's applicable prohibits are all changed ones (an
      unchanged one would prohibit on both sides), and a single one decides
      with or without the permit.
    """

    __slots__ = ("drop", "named", "nesting", "space", "specific")

    def __init__(self, comparison: Comparison, nesting: _Nesting, named: frozenset[str]) -> None:
        self.space = comparison.space
        self.named = named
        self.nesting = nesting
        drops = {_idle(version) for version in comparison.space.versions}
        self.drop = drops.pop() if len(drops) == 1 else None
        self.specific = comparison.space.versions[0].conflict is Conflict.MOST_SPECIFIC

    def __call__(self, entries: list[Entry]) -> list[Entry]:
        obligation = self.space.obligation
        duties = {
            obligation(r)
            for e in entries
            if e.changed
            and (r := e.rules[0] or e.rules[1]) is not None
            and r.effect is Effect.OBLIGE
        }
        drop = self.drop if self.drop is not None and self._idle(entries) else None
        named = self.named
        kept = [
            e
            for e in entries
            if e.changed
            or (r := e.rules[0]) is None
            or r.id in named
            or not (r.effect is drop or (r.effect is Effect.OBLIGE and obligation(r) not in duties))
        ]
        return kept if len(kept) != len(entries) else entries

    def _idle(self, entries: list[Entry]) -> bool:
        """Whether the unnamed, unchanged permits of a cube can be left out."""
        if not self.specific:
            return True
        nesting = self.nesting
        if not (nesting.flat(0, entries) and nesting.flat(1, entries)):
            return False
        prohibits = [0, 0]
        for e in entries:
            for side, rule in enumerate(e.rules):
                if rule is None:
                    continue
                if rule.effect is Effect.PERMIT and (e.changed or rule.id in self.named):
                    return False
                if e.changed and rule.effect is Effect.PROHIBIT:
                    prohibits[side] += 1
        return max(prohibits) <= 1


def _idle(version: PolicyVersion) -> Effect | None:
    """Return the effect whose unchanged rules change no decision where ``version`` decides as an override."""
    if version.conflict is not Conflict.PERMIT_OVERRIDES and version.default is Default.PERMIT:
        return Effect.PERMIT
    if version.conflict is Conflict.PERMIT_OVERRIDES and version.default is Default.PROHIBIT:
        return Effect.PROHIBIT
    return None


def _positions(union: Sequence[str], names: Sequence[str]) -> list[int]:
    at = {name: i for i, name in enumerate(union)}
    return [at[name] for name in names]


def _index(assignment: int, positions: Sequence[int]) -> int:
    index = 0
    for own, bit in enumerate(positions):
        if assignment >> bit & 1:
            index |= 1 << own
    return index


def _answer_key(answer: Answer) -> tuple[Any, ...]:
    return (answer.decision.value, answer.rules, answer.conditions, answer.obligations)


def _cube_key(cube: Cube) -> tuple[Any, ...]:
    spans = tuple(
        (span.any, span.excluded, span.values, span.matching, span.others)
        for span in cube.values.values()
    )
    return (spans, _answer_key(cube.before), _answer_key(cube.after))


class Judge:
    """A diff's verdict and each change's effect, worked out on first use.

    One judge is shared by a :class:`~policydiff.PolicyDiff` and its changes,
    so a plain diff costs nothing more until one of them is asked.
    """

    def __init__(self, old: PolicyVersion, new: PolicyVersion) -> None:
        self.old, self.new = old, new
        self._comparison: Comparison | None = None
        self._lean: Comparison | None = None
        self.changes: tuple[Change, ...] = ()

    @property
    def comparison(self) -> Comparison:
        """The comparison of the two versions' decisions (computed once)."""
        if self._comparison is None:
            self._comparison = compare(self.old, self.new)
        return self._comparison

    @property
    def judging(self) -> Comparison:
        """Who took part in each move: the comparison, or a lean one (computed once).

        A lean comparison answers the verdict and every change's effect alike
        at a fraction of the work; a changed default or conflict strategy
        needs the full one.
        """
        if self._comparison is not None:
            return self._comparison
        old, new = self.old, self.new
        if old.default is not new.default or old.conflict is not new.conflict:
            return self.comparison
        if self._lean is None:
            olds, news = self._rule_ids()
            renamed = {
                rule_id
                for change in self.changes
                if change.rule is not None and (ids := rule_ids(change))[0] != ids[1]
                for rule_id in ids
            }
            # Trees and patterns cover values a rule does not name ("s3:Get*").
            if not (old.vocabulary or new.vocabulary or old.patterns or new.patterns):
                old, new = nearby(old, new, olds | news if self.changes else None)
            self._lean = compare(
                old, new, lean=True, named=frozenset(olds | news), renamed=frozenset(renamed)
            )
        return self._lean

    @property
    def verdict(self) -> Verdict:
        """``equivalent``, ``loosened``, ``tightened`` or ``mixed``.

        Past the work budget the verdict is still known once some situation
        loosened and another tightened: ``mixed``, whatever the rest does.
        """
        judging = self.judging
        directions = judging.directions
        if judging.stopped is not None and len(directions) < 2:
            raise judging.stopped
        return verdict_of(directions)

    def effect(self, change: Change) -> DecisionEffect:
        """Return the direction of the moved outcomes ``change`` takes part in."""
        judging = self.judging
        records = judging.records
        kind = change.kind
        if kind is Kind.DEFAULT_CHANGED:
            chosen = [r for r in records if r[3] or r[4]]
        elif kind is Kind.CONFLICT_CHANGED:
            chosen = [r for r in records if r[5]]
        elif kind is Kind.METADATA_CHANGED:
            if change.dimension != "vocabulary":
                return DecisionEffect.NONE
            if judging.stopped is not None:
                raise judging.stopped
            olds, news = self._rule_ids()
            chosen = [r for r in records if r[1].isdisjoint(olds) and r[2].isdisjoint(news)]
        else:
            old_id, new_id = rule_ids(change)
            if judging.stopped is not None and not judging.finished_for({old_id, new_id}):
                raise judging.stopped
            chosen = [r for r in records if old_id in r[1] or new_id in r[2]]
        return effect_of(way for record in chosen for way in record[0])

    def covered_by(self, change: Change) -> tuple[str, ...]:
        """Return the rules that decide, in the other version, the situations a change's rule covers.

        For a rule added, what decided its situations before; for a rule
        removed or edited, what decides them now. Empty past the work budget.
        """
        if change.rule is None:
            return ()
        old_id, new_id = rule_ids(change)
        rule = self.new.rule(new_id, None)
        other = self.old
        if rule is None:
            rule, other = self.old.rule(old_id, None), self.new
        if rule is None:
            return ()
        try:
            found = deciding_rules(other, rule.dimensions, rule.negated)
        except DiffError:
            return ()
        return tuple(sorted(found - {old_id, new_id}))

    def _rule_ids(self) -> tuple[set[str], set[str]]:
        olds: set[str] = set()
        news: set[str] = set()
        for change in self.changes:
            if change.rule is not None:
                old_id, new_id = rule_ids(change)
                olds.add(old_id)
                news.add(new_id)
        return olds, news


def nearby(
    old: PolicyVersion, new: PolicyVersion, edited: Collection[str] | None = None
) -> tuple[PolicyVersion, PolicyVersion]:
    """Return the two versions with only the rules that meet a rule one of them lacks.

    Only situations a changed rule covers can move (with the default and the
    conflict strategy unchanged), and a rule that meets no changed rule
    covers none of them; leaving it out leaves every outcome there as it
    was. For versions without vocabulary trees or pattern dimensions, where
    a rule covers exactly the values it names.

    Args:
        old: The earlier version.
        new: The later version.
        edited: The ids of every rule the two versions do not hold equal,
            when the diff has found them already; else they are found here.
    """
    if edited is None:
        changed = [r for r in old.rules if new.rule(r.id, None) != r]
        changed += [r for r in new.rules if old.rule(r.id, None) != r]
        edited = {r.id for r in changed}
    else:
        changed = [r for v in (old, new) for i in sorted(edited) if (r := v.rule(i, None))]
    if len(changed) * 4 > len(old.rules) + len(new.rules):
        return old, new
    by_subject: dict[str, list[Rule]] = {}
    everyone: list[Rule] = []
    for rule in changed:
        if not rule.subject:
            everyone.append(rule)
        for value in rule.subject:
            by_subject.setdefault(value, []).append(rule)

    def meets(rule: Rule) -> bool:
        if rule.subject:
            near = [c for value in rule.subject for c in by_subject.get(value, ())]
            near += everyone
        else:
            near = changed
        for other in near:
            if rule.action.isdisjoint(other.action):
                continue
            scope = other.scope
            if all(
                dim not in scope or not values.isdisjoint(scope[dim])
                for dim, values in rule.scope.items()
            ):
                return True
        return False

    near = {rule.id: meets(rule) for rule in old.rules}
    kept_old = [rule for rule in old.rules if near[rule.id]]
    # A rule the new version holds unchanged meets what it met in the old one.
    kept_new = [rule for rule in new.rules if (meets(rule) if rule.id in edited else near[rule.id])]
    return attrs.evolve(old, rules=kept_old), attrs.evolve(new, rules=kept_new)


def deciding_rules(
    version: PolicyVersion,
    values: Mapping[str, Iterable[str]],
    negated: frozenset[str] = frozenset(),
) -> set[str]:
    """Every rule of ``version`` that decides some situation among ``values``.

    Args:
        version: The version asked.
        values: Per dimension, the values (a dimension not given: any).
        negated: Dimensions of ``values`` whose values are exceptions: the
            situations there match none of them.
    """
    probes = {dim: tuple(given) for dim, given in values.items() if version.holds_patterns(dim)}
    space = Space((version,), probes)
    cube = []
    for dim in space.dims:
        given = values.get(dim.name)
        if given is None:
            cube.append(dim.full)
            continue
        mask = 0
        for value in given:
            mask |= dim.mask_of(value)
        cube.append(dim.full & ~mask if dim.name in negated else mask)
    found: set[str] = set()

    def visit(_: tuple[int, ...], entries: list[Entry]) -> None:
        for point in space.table(0, entries).points:
            found.update(point[2])

    space.explore(cube, space.meeting(cube), visit)
    return found


def rule_ids(change: Change) -> tuple[str, str]:
    """Return a rule-level change's rule id in the old and in the new version."""
    rule = change.rule or ""
    if change.kind is Kind.RULE_RENAMED and isinstance(change.before, Mapping):
        return (str(change.before.get("id", rule)), rule)
    return (rule, rule)


def today_utc() -> str:
    """Return the current UTC day, ``YYYY-MM-DD``: the clock waivers are judged by."""
    return pendulum.now("UTC").to_date_string()


def judge_gate(
    found: PolicyDiff,
    fail_on: str,
    *,
    waivers: Sequence[Waiver] = (),
    today: str | None = None,
    warn_only: bool = False,
) -> Gate:
    """Judge a diff for ``check --fail-on`` by what the two versions decide.

    Args:
        found: The diff to judge.
        fail_on: ``loosened``, ``tightened`` or ``any``.
        waivers: Approved exceptions, by change fingerprint; a waiver whose
            ``expires`` day is before ``today`` waives nothing and is reported.
        today: The day waivers are judged on (``YYYY-MM-DD``); the current
            UTC day when ``None``.
        warn_only: Mark the gate as reporting only.

    Raises:
        DiffError: The comparison exceeds the evaluator's work budget.
    """
    offending = OFFENDING[fail_on]
    cubes = tuple(cube for cube in found.impact() if cube.direction in offending)
    moved = tuple(c for c in found.changes if c.effect in offending)
    day = today if today is not None else today_utc()
    expired = tuple(w for w in waivers if w.expires < day)
    valid = {w.fingerprint: w for w in waivers if w.expires >= day}
    waived = tuple((c, valid[c.fingerprint]) for c in moved if c.fingerprint in valid)
    changes = tuple(c for c in moved if c.fingerprint not in valid)
    return Gate(
        diff=found,
        fail_on=fail_on,
        verdict=found.verdict,
        cubes=cubes,
        changes=changes,
        waived=waived,
        expired=expired,
        warn_only=warn_only,
    )
