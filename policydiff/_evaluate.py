"""The one decision evaluator (SPEC section 11): what a version decides, and why.

Every answer about what a policy allows comes from here: :func:`decide`,
impact analysis, a diff's verdict, each change's effect and the review gate.

The rules, for one *situation* (one value per dimension):

- A rule *covers* the situation when, for each dimension it names, the value
  is one of the rule's values or lies below one of them in the version's own
  vocabulary tree; a dimension the rule does not name matches anything.
- A rule *applies* when it covers the situation and every one of its
  conditions holds. Conditions are opaque propositions named by their text,
  so a situation's outcome is a function of the truth of the conditions of
  the rules covering it, and is worked out under every assignment of them.
- The applicable ``permit`` and ``prohibit`` rules are combined by the
  version's ``conflict`` strategy; with none applicable the version's
  ``default`` decides (``none`` leaves the situation undecided).
- Each applicable ``oblige`` rule adds its obligation, named by the rule's
  text (or a sentence made from its content), never by its id.

The evaluator never enumerates the cross product of values. Per dimension,
values that every rule treats alike form one *class* (values that no rule
names are one more, "any other value"); a set of situations is a *cube*, one
class mask per dimension, and a cube is split only where some rule covers
part of it, until every rule left covers the whole piece. Each piece is
decided once.

Work is bounded: at most :data:`MAX_CONDITIONS` conditions may meet in one
situation (their assignments are enumerated), and one question explores at
most the pieces its work budget allows
(:func:`~policydiff._decisions.pieces_allowed`: by default a number that
grows with the rules read, from :data:`MAX_PIECES`). Past either limit a
:class:`~policydiff.errors.DiffError` says so instead of exhausting memory.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from policydiff._decisions import (
    MAX_CONDITIONS,
    MAX_PIECES,
    Answer,
    Group,
    Membership,
    Point,
    Span,
    pieces_allowed,
    too_many_conditions,
)
from policydiff._patterns import PatternClasses, any_matches, has_wildcard
from policydiff._text import joined
from policydiff.errors import DiffError, DocumentError, Problem
from policydiff.model import (
    Conflict,
    Decision,
    Default,
    Effect,
    FrozenMap,
    PolicyVersion,
    Rule,
)

__all__ = [
    "MAX_CONDITIONS",
    "MAX_PIECES",
    "Answer",
    "Group",
    "PastShare",
    "Span",
    "decide",
    "obligation_name",
]


def obligation_name(rule: Rule) -> str:
    """Name what an ``oblige`` rule requires: its text, else its content in words.

    Two ``oblige`` rules with the same name impose the same obligation, so
    renaming one changes nothing.

    Args:
        rule: An ``oblige`` rule.

    Returns:
        The rule's ``text``, or a sentence made from its subject, action,
        scope and conditions (never its id).
    """
    if rule.text:
        return rule.text

    def said(dim: str, values: frozenset[str]) -> str:
        listed = joined(sorted(values), "or")
        return f"anything but {listed}" if dim in rule.negated else listed

    who = said("subject", rule.subject) if rule.subject else "Everyone"
    sentence = f"{who} must meet a requirement to {said('action', rule.action)}"
    if rule.scope:
        where = "; ".join(f"{dim}: {said(dim, vals)}" for dim, vals in rule.scope.items())
        sentence += f" ({where})"
    if rule.conditions:
        sentence += ", " + "; ".join(sorted(rule.conditions))
    return sentence


# ---------------------------------------------------------------------------
# The space of situations: classes of values per dimension.


def dimension_names(versions: Iterable[PolicyVersion]) -> tuple[str, ...]:
    """Return the dimensions some rule names: ``subject``, ``action``, then the rest sorted."""
    names: set[str] = set()
    for version in versions:
        for rule in version.rules:
            names.update(rule.scope)
            if rule.subject:
                names.add("subject")
            names.add("action")
    first = [n for n in ("subject", "action") if n in names]
    return (*first, *sorted(names - {"subject", "action"}))


class _Dim:
    """One dimension: its values grouped into classes that every rule treats alike.

    The values are those named by a rule or a vocabulary tree of any side
    that are leaves (not parents) in at least one side's tree. Class 0 is
    "any other value" (with any named value that no rule covers and that is
    a leaf everywhere).
    """

    members: list[tuple[str, ...]]
    index: dict[str, int]
    masks: dict[int, int]
    leafs: list[int]
    full: int

    def __init__(
        self,
        name: str,
        versions: Sequence[PolicyVersion],
        naming: Sequence[dict[str, list[int]]],
        probes: Sequence[str] = (),
        negated: frozenset[int] = frozenset(),
    ) -> None:
        self.name = name
        self.trees = [v.vocabulary.trees.get(name, FrozenMap()) for v in versions]
        self.vocabularies = [v.vocabulary for v in versions]
        self.patterns: PatternClasses | None = None
        if any(v.holds_patterns(name) for v in versions):
            # Glob patterns: classes are the atoms the patterns make (_patterns).
            self.patterns = PatternClasses(name, versions, naming, probes, negated)
            self.members = [()] * len(self.patterns.members)
            self.index = {}
            self.masks = self.patterns.masks
            self.full = self.patterns.full
            self.leafs = [self.full] * len(versions)
            return
        values: set[str] = set()
        for side, tree in enumerate(self.trees):
            values.update(naming[side])
            for parent, kids in tree.items():
                values.add(parent)
                values.update(kids)
        sides = range(len(versions))
        other = ((), (True,) * len(versions))
        classes: dict[tuple[tuple[int, ...], tuple[bool, ...]], list[str]] = {other: []}
        self.space: set[str] = set()
        for value in sorted(values):
            leaf = tuple(not self.trees[s].get(value) for s in sides)
            if not any(leaf):
                continue
            self.space.add(value)
            covering: list[int] = []
            for side in sides:
                names_here = naming[side]
                if value in names_here:
                    covering.extend(names_here[value])
                for above in self.vocabularies[side].ancestors(name, value):
                    if above in names_here:
                        covering.extend(names_here[above])
            classes.setdefault((tuple(sorted(covering)), leaf), []).append(value)
        ordered = [other, *sorted(k for k in classes if k != other)]
        self.members = [tuple(classes[k]) for k in ordered]
        self.index = {}
        self.masks = {}
        self.leafs = [0] * len(versions)
        for number, key in enumerate(ordered):
            bit = 1 << number
            for value in classes[key]:
                self.index[value] = number
            for instance in key[0]:
                self.masks[instance] = self.masks.get(instance, 0) | bit
            for side in sides:
                if key[1][side]:
                    self.leafs[side] |= bit
        self.full = (1 << len(ordered)) - 1
        self._spans: dict[int, Span] = {}
        self._below: dict[str, frozenset[str]] = {}

    def below(self, value: str) -> frozenset[str]:
        """Return the space's values at or below ``value`` in any side's tree."""
        found = self._below.get(value)
        if found is None:
            seen: set[str] = set()
            for vocabulary in self.vocabularies:
                seen.update(vocabulary.descendants(self.name, value))
            seen.add(value)
            found = self._below[value] = frozenset(seen & self.space)
        return found

    def class_of(self, value: str) -> int:
        """Return the class of one full situation's value."""
        if self.patterns is not None:
            return self.patterns.class_of(value)
        return self.index.get(value, 0)

    def mask_of(self, value: str) -> int:
        """Return the classes a situation value stands for (a parent: all below it)."""
        if self.patterns is not None:
            return self.patterns.mask_of(value)
        if any(tree.get(value) for tree in self.trees):
            mask = 0
            for below in self.below(value):
                mask |= 1 << self.index[below]
            return mask
        return 1 << self.index.get(value, 0)

    def span(self, mask: int) -> Span:
        """Show a class mask as values, with vocabulary parents where complete."""
        if self.patterns is not None:
            return self.patterns.span(mask)
        found = self._spans.get(mask)
        if found is None:
            rest = self.full & ~mask
            if not rest:
                found = Span(any=True, others=True)
            elif mask & 1 and rest.bit_count() < mask.bit_count():
                found = Span(others=True, excluded=self._collapse(self._values(rest)))
            else:
                found = Span(
                    values=self._collapse(self._values(mask)),
                    others=bool(mask & 1),
                    left=self._collapse(self._values(rest)) if mask & 1 else (),
                )
            self._spans[mask] = found
        return found

    def _values(self, mask: int) -> set[str]:
        return {v for k in _bits(mask & ~1) for v in self.members[k]}

    def _collapse(self, units: set[str]) -> tuple[str, ...]:
        candidates: set[str] = set()
        for unit in units:
            for vocabulary in self.vocabularies:
                candidates.update(vocabulary.ancestors(self.name, unit))
        complete = []
        for value in candidates:
            below = self.below(value)
            if below and below <= units:
                complete.append((-len(below), value, below))
        shown: set[str] = set()
        covered: set[str] = set()
        for _, value, below in sorted(complete):
            if covered.isdisjoint(below):
                shown.add(value)
                covered |= below
        shown |= units - covered
        return tuple(sorted(shown))


#: How much more a changed entry covering part of a cube weighs than another
#: when choosing the dimension to split (more than any count of entries).
_HEAVY = 1 << 30


def _bits(mask: int) -> Iterator[int]:
    """Return the positions of the set bits of ``mask``, lowest first."""
    text = bin(mask)[:1:-1]
    position = text.find("1")
    while position >= 0:
        yield position
        position = text.find("1", position + 1)


class Entry:
    """A rule as the evaluator sees it: class masks, and the side(s) holding it.

    In a comparison, a rule that both versions hold alike (same effect,
    conditions, obligation and coverage) is one unchanged entry; any other
    rule is an entry of one side only, a *changed* one.
    """

    __slots__ = ("changed", "index", "masks", "named", "rules", "settles")

    def __init__(
        self, index: int, named: tuple[tuple[int, int], ...], rules: tuple[Rule | None, ...]
    ) -> None:
        self.index = index
        self.named = named
        self.masks = dict(named)
        self.rules = rules
        self.changed = any(rule is None for rule in rules)
        rule = next(r for r in rules if r is not None)
        self.settles = not self.changed and rule.effect is not Effect.OBLIGE and not rule.conditions


class PastShare(Exception):
    """Raised by :meth:`Space.explore` past ``Space.limit`` while the budget is not spent.

    A comparison that shares its budget out between regions catches it and
    comes back to the region later; it never leaves the package.
    """


#: A uniform piece: its class masks and the entries covering all of it.
Piece = tuple[tuple[int, ...], list[Entry]]


class Space:
    """The situations of one version, or of two compared, as classes and entries."""

    def __init__(
        self,
        versions: Sequence[PolicyVersion],
        probes: Mapping[str, Sequence[str]] = FrozenMap(),
        *,
        share: bool = False,
        budget: int | None = None,
    ) -> None:
        """Build the classes and entries of ``versions`` (one or two).

        Args:
            versions: The versions.
            probes: Per pattern dimension, strings a question asks about.
            share: With two versions of the same vocabulary and patterns,
                take a rule both hold equal as one instance instead of one
                per side: the same entries, found with half the work, but
                classes numbered otherwise (so only where no cubes are
                shown).
            budget: The pieces the question may explore; by default as
                :func:`~policydiff._decisions.pieces_allowed` says for the
                rules of ``versions``.
        """
        self.versions = tuple(versions)
        self.names = dimension_names(self.versions)
        position = {name: i for i, name in enumerate(self.names)}
        instances, both = self._instances(share)
        # Each rule's dimensions once (the property builds a new dict on every call).
        named_dims = [rule.dimensions for _, rule in instances]
        naming: list[list[dict[str, list[int]]]] = [[{} for _ in self.versions] for _ in self.names]
        for number, ((side, _), dims) in enumerate(zip(instances, named_dims, strict=True)):
            for dim, values in dims.items():
                at = naming[position[dim]][side]
                for value in values:
                    at.setdefault(value, []).append(number)
                if number in both:
                    at = naming[position[dim]][1]
                    for value in values:
                        at.setdefault(value, []).append(number)
        # Rules whose values on a pattern dimension are exceptions ({not: [...]}).
        negated: list[set[int]] = [set() for _ in self.names]
        for number, (_, rule) in enumerate(instances):
            for dim in rule.negated:
                negated[position[dim]].add(number)
        self.dims = [
            _Dim(name, self.versions, naming[i], probes.get(name, ()), frozenset(negated[i]))
            for i, name in enumerate(self.names)
        ]
        self.full = tuple(dim.full for dim in self.dims)
        named = [
            tuple(
                (d, self.dims[d].masks.get(number, 0))
                for d in sorted(position[dim] for dim in dims)
            )
            for number, dims in enumerate(named_dims)
        ]
        self.entries = self._pair(instances, named, both)
        self._within: dict[tuple[int, int, int], bool] = {}
        self._obligations: dict[int, tuple[Rule, str]] = {}
        self.work = 0
        if budget is None:
            budget = pieces_allowed(sum(len(version.rules) for version in self.versions))
        self.budget = budget
        #: The work allowed so far, up to the budget (a comparison may share
        #: the budget out: see PastShare).
        self.limit = self.budget
        self._index()

    def _instances(self, share: bool) -> tuple[list[tuple[int, Rule]], dict[int, Rule]]:
        """Return ``(side, rule)`` per instance, and the instances standing for both sides.

        With ``share``, an old rule that the new version holds equal (the
        same object, in a history) is one instance of side 0, and the second
        value maps its number to the new version's rule.
        """
        versions = self.versions
        if not share or len(versions) != 2:
            return [(side, rule) for side, v in enumerate(versions) for rule in v.rules], {}
        old, new = versions
        if old.vocabulary != new.vocabulary or old.patterns != new.patterns:
            return [(side, rule) for side, v in enumerate(versions) for rule in v.rules], {}
        instances: list[tuple[int, Rule]] = []
        both: dict[int, Rule] = {}
        kept: set[str] = set()
        for rule in old.rules:
            other = new.rule(rule.id, None)
            if other is not None and (other is rule or other == rule):
                both[len(instances)] = other
                kept.add(rule.id)
            instances.append((0, rule))
        instances.extend((1, rule) for rule in new.rules if rule.id not in kept)
        return instances, both

    def _pair(
        self,
        instances: list[tuple[int, Rule]],
        named: list[tuple[tuple[int, int], ...]],
        both: Mapping[int, Rule],
    ) -> list[Entry]:
        sides = len(self.versions)
        if sides == 1:
            return [Entry(i, named[i], (rule,)) for i, (_, rule) in enumerate(instances)]
        pending: dict[str, tuple[Rule, tuple[tuple[int, int], ...]]] = {}
        pairs: list[tuple[tuple[tuple[int, int], ...], tuple[Rule | None, Rule | None]]] = []
        for number, ((side, rule), masks) in enumerate(zip(instances, named, strict=True)):
            twin = both.get(number)
            if twin is not None:
                pairs.append((masks, (rule, twin)))
                continue
            if side == 0:
                pending[rule.id] = (rule, masks)
                continue
            before = pending.get(rule.id)
            if before is not None and self._alike(before[0], rule, before[1], masks):
                del pending[rule.id]
                pairs.append((masks, (before[0], rule)))
            else:
                pairs.append((masks, (None, rule)))
        pairs.extend((masks, (rule, None)) for rule, masks in pending.values())
        pairs.sort(key=lambda pair: _pair_key(pair[1]))
        return [Entry(i, masks, rules) for i, (masks, rules) in enumerate(pairs)]

    def _alike(
        self,
        old: Rule,
        new: Rule,
        old_masks: tuple[tuple[int, int], ...],
        new_masks: tuple[tuple[int, int], ...],
    ) -> bool:
        """Whether two rules of one id decide every situation alike in both versions."""
        if (old.effect, old.conditions) != (new.effect, new.conditions) or old_masks != new_masks:
            return False
        if old.effect is Effect.OBLIGE and obligation_name(old) != obligation_name(new):
            return False
        # Most-specific compares leaf sets in each version's own space.
        return all(
            mask & self.dims[d].leafs[0] == mask & self.dims[d].leafs[1] for d, mask in old_masks
        )

    def _index(self) -> None:
        """Build, per dimension, bit sets over entries for fast intersection."""
        self.naming = [0] * len(self.dims)
        covering: list[list[int]] = [[0] * len(dim.members) for dim in self.dims]
        for entry in self.entries:
            bit = 1 << entry.index
            for d, mask in entry.named:
                self.naming[d] |= bit
                row = covering[d]
                for k in _bits(mask):
                    row[k] |= bit
        self.covering = covering
        self.all_entries = (1 << len(self.entries)) - 1

    def meeting(self, cube: Sequence[int]) -> list[Entry]:
        """Return the entries whose coverage intersects ``cube``, in index order."""
        found = self.all_entries
        for d, mask in enumerate(cube):
            if mask == self.full[d]:
                continue
            meets = 0
            row = self.covering[d]
            for k in _bits(mask):
                meets |= row[k]
            found &= ~self.naming[d] | meets
        return [self.entries[i] for i in _bits(found)]

    # -- exploring ---------------------------------------------------------------

    def explore(
        self,
        cube: list[int],
        entries: list[Entry],
        visit: Callable[[tuple[int, ...], list[Entry]], None],
        *,
        rank: float = float("inf"),
        settled: bool = False,
        prune: Callable[[list[Entry], list[Entry]], bool] | None = None,
        seen: set[tuple[Any, ...]] | None = None,
        thin: Callable[[list[Entry]], list[Entry]] | None = None,
        changed_first: bool = False,
    ) -> None:
        """Split ``cube`` until every entry covers a piece whole; visit each piece.

        Args:
            cube: Class masks, one per dimension; a cube with an empty mask
                holds no situation and is not visited.
            entries: The entries that meet the cube.
            visit: Called with each uniform piece and its covering entries.
            rank: Visit only the pieces that no changed entry of lower index
                covers whole, so no situation is visited twice by the roots
                of a comparison.
            settled: Skip pieces that an unchanged, unconditional permit or
                prohibit covers whole (where a changed default cannot show).
            prune: Called with the entries covering the cube whole and those
                covering part of it; skip the cube when it returns true.
            changed_first: Split first along a dimension that a changed entry
                covers part of (else along the one most entries cover part
                of), so the situations no changed rule covers come apart
                early.

        Raises:
            DiffError: More pieces were explored than the work budget allows.
        """
        if not all(cube):
            # No situation: a rule whose values match nothing ({not: ["*"]})
            # covers an empty region, and nothing there can be decided.
            return
        self.work += 1
        if self.work > self.limit:
            if self.limit < self.budget:
                raise PastShare
            msg = (
                f"the question needs more than {self.budget:,} pieces of the situation space;"
                " too many rules overlap each other along different dimensions"
                " (see the work budget on the impact page: policydiff.work_budget()"
                " or POLICYDIFF_WORK_BUDGET raises it)"
            )
            raise DiffError(msg)
        if thin is not None:
            entries = thin(entries)
        partial = [0] * len(cube)
        heavy = _HEAVY if changed_first else 1
        ruled = False
        wholes: list[Entry] = []
        parts: list[Entry] = []
        for entry in entries:
            whole = True
            for d, mask in entry.named:
                if mask & cube[d] != cube[d]:
                    partial[d] += heavy if entry.changed else 1
                    whole = False
            if whole:
                if entry.changed and entry.index < rank:
                    return
                ruled = ruled or entry.settles
                wholes.append(entry)
            else:
                parts.append(entry)
        if settled and ruled:
            return
        if seen is not None:
            key = (
                tuple(e.index for e in entries),
                tuple(mask if count else -1 for mask, count in zip(cube, partial, strict=True)),
            )
            if key in seen:
                return
            seen.add(key)
        if prune is not None and parts and prune(wholes, parts):
            return
        count = max(partial, default=0)
        if count == 0:
            visit(tuple(cube), entries)
            return
        d = partial.index(count)
        pieces = [cube[d]]
        for entry in entries:
            cut = entry.masks.get(d)
            if cut is None:
                continue
            refined: list[int] = []
            for piece in pieces:
                inside = piece & cut
                if inside and inside != piece:
                    refined += [inside, piece ^ inside]
                else:
                    refined.append(piece)
            pieces = refined
        for piece in pieces:
            child = list(cube)
            child[d] = piece
            kept = [e for e in entries if e.masks.get(d, piece) & piece]
            self.explore(
                child,
                kept,
                visit,
                rank=rank,
                settled=settled,
                prune=prune,
                seen=seen,
                thin=thin,
                changed_first=changed_first,
            )

    # -- deciding ----------------------------------------------------------------

    def within(self, side: int, a: Entry, b: Entry) -> bool:
        """Whether ``a``'s leaf sets lie in ``b``'s in every dimension, in ``side``'s space."""
        key = (side, a.index, b.index)
        found = self._within.get(key)
        if found is None:
            found = True
            for d, theirs in b.named:
                leafs = self.dims[d].leafs[side]
                mine = a.masks.get(d, self.full[d]) & leafs
                if mine & ~(theirs & leafs):
                    found = False
                    break
            self._within[key] = found
        return found

    def obligation(self, rule: Rule) -> str:
        """Return the obligation an ``oblige`` rule imposes (memoised per rule object)."""
        # Keyed by identity: hashing a rule hashes every field. The rule is
        # kept with its name, so its id cannot be reused meanwhile.
        found = self._obligations.get(id(rule))
        if found is None:
            found = self._obligations[id(rule)] = (rule, obligation_name(rule))
        return found[1]

    def table(self, side: int, entries: Sequence[Entry]) -> Table:
        """Decide a uniform piece on one side, under every assignment of its conditions.

        Args:
            side: 0 for the first version, 1 for the second.
            entries: The entries covering the whole piece.

        Returns:
            The conditions involved and the outcome under each assignment.

        Raises:
            DiffError: More than :data:`MAX_CONDITIONS` conditions meet.
        """
        version = self.versions[side]
        present = [(e, r) for e in entries if (r := e.rules[side]) is not None]
        conditions = sorted({c for _, r in present for c in r.conditions})
        if len(conditions) > MAX_CONDITIONS:
            raise DiffError(too_many_conditions(conditions))
        bit = {c: 1 << i for i, c in enumerate(conditions)}
        needs = [(e, r, sum(bit[c] for c in r.conditions)) for e, r in present]
        points: list[Point] = []
        parts: list[Part] = []
        for assignment in range(1 << len(conditions)):
            applicable = [(e, r) for e, r, need in needs if need & assignment == need]
            point, part = self._decide(side, version, applicable)
            points.append(point)
            parts.append(part)
        return Table(tuple(conditions), tuple(points), tuple(parts))

    def _decide(
        self, side: int, version: PolicyVersion, applicable: list[tuple[Entry, Rule]]
    ) -> tuple[Point, Part]:
        permits = [(e, r) for e, r in applicable if r.effect is Effect.PERMIT]
        prohibits = [(e, r) for e, r in applicable if r.effect is Effect.PROHIBIT]
        duties = [r for _, r in applicable if r.effect is Effect.OBLIGE]
        obligations = tuple(sorted({self.obligation(r) for r in duties}))
        duty_ids = frozenset(r.id for r in duties)
        if not permits and not prohibits:
            decision = _BY_DEFAULT[version.default]
            return (decision, obligations, (), True), (duty_ids, True, False)
        deciding = self._deciding(side, version.conflict, permits, prohibits)
        decision = (
            Decision.PROHIBITED if deciding[0][1].effect is Effect.PROHIBIT else Decision.PERMITTED
        )
        ids = tuple(sorted(r.id for _, r in deciding))
        conflict = len(permits) + len(prohibits) >= 2
        return (decision, obligations, ids, False), (duty_ids | frozenset(ids), False, conflict)

    def _deciding(
        self,
        side: int,
        conflict: Conflict,
        permits: list[tuple[Entry, Rule]],
        prohibits: list[tuple[Entry, Rule]],
    ) -> list[tuple[Entry, Rule]]:
        if conflict is Conflict.PROHIBIT_OVERRIDES:
            return prohibits or permits
        if conflict is Conflict.PERMIT_OVERRIDES:
            return permits or prohibits
        candidates = permits + prohibits
        specific = [
            (a, r)
            for a, r in candidates
            if all(self.within(side, a, b) for b, _ in candidates if b is not a)
        ]
        if specific:
            return [(e, r) for e, r in specific if r.effect is Effect.PROHIBIT] or specific
        return prohibits or permits

    def answer(self, side: int, table: Table, situation: Mapping[str, str] | None = None) -> Answer:
        """Make an :class:`Answer` of one side's table."""
        version = self.versions[side]
        return make_answer(version, table.conditions, table.points, situation)


_BY_DEFAULT = {
    Default.PERMIT: Decision.PERMITTED,
    Default.PROHIBIT: Decision.PROHIBITED,
    Default.NONE: Decision.UNDECIDED,
}

#: Who takes part in one outcome: (ids of the deciding and applicable oblige
#: rules, whether the default decided, whether two or more permit/prohibit
#: rules applied).
Part = tuple[frozenset[str], bool, bool]


@attrs.frozen
class Table:
    """One side's outcomes for a uniform piece, under every assignment."""

    conditions: tuple[str, ...]
    points: tuple[Point, ...]
    parts: tuple[Part, ...]


def make_answer(
    version: PolicyVersion,
    conditions: tuple[str, ...],
    points: Sequence[Point],
    situation: Mapping[str, str] | None = None,
) -> Answer:
    """Summarise a table of outcomes as an :class:`Answer`."""
    decisions = {point[0] for point in points}
    decision = points[0][0] if len(decisions) == 1 else Decision.CONDITIONAL
    return Answer(
        decision=decision,
        situation=FrozenMap(situation or {}),
        conditions=conditions,
        obligations=tuple(sorted({o for p in points for o in p[1]})),
        rules=tuple(sorted({r for p in points for r in p[2]})),
        default=any(p[3] for p in points),
        policy=version.policy,
        version=version.version,
        effective=version.effective,
        table=tuple(points),
    )


def _pair_key(rules: tuple[Rule | None, ...]) -> tuple[str, int]:
    rule = next(r for r in rules if r is not None)
    return (rule.id, 0 if rules[0] is not None else 1)


# ---------------------------------------------------------------------------
# Grouping pieces into as few cubes as possible.


def merge(pieces: Iterable[tuple[tuple[int, ...], Any]]) -> list[tuple[tuple[int, ...], Any]]:
    """Merge pieces with the same label that differ in one dimension only.

    Args:
        pieces: ``(class masks, label)``; the labels must be hashable.

    Returns:
        Fewer, larger ``(class masks, label)`` covering the same situations.
    """
    groups: dict[Any, set[tuple[int, ...]]] = {}
    for masks, label in pieces:
        groups.setdefault(label, set()).add(masks)
    merged: list[tuple[tuple[int, ...], Any]] = []
    for label, cubes in groups.items():
        first = next(iter(cubes))
        varying = [d for d, mask in enumerate(first) if any(c[d] != mask for c in cubes)]
        parts = {tuple(c[d] for d in varying) for c in cubes}
        stable = turn = 0
        while stable < len(varying) and len(parts) > 1:
            joined: dict[tuple[int, ...], int] = {}
            for part in parts:
                rest = (*part[:turn], 0, *part[turn + 1 :])
                joined[rest] = joined.get(rest, 0) | part[turn]
            if len(joined) < len(parts):
                parts = {(*rest[:turn], m, *rest[turn + 1 :]) for rest, m in joined.items()}
                stable = 0
            else:
                stable += 1
            turn = (turn + 1) % len(varying)
        for part in parts:
            rebuilt = list(first)
            for d, mask in zip(varying, part, strict=True):
                rebuilt[d] = mask
            merged.append((tuple(rebuilt), label))
    return merged


# ---------------------------------------------------------------------------
# decide().


def decide(version: PolicyVersion, situation: Mapping[str, str], *, check: bool = True) -> Answer:
    """Say what ``version`` decides for ``situation``, under which rules.

    Args:
        version: The policy version to ask.
        situation: A value per dimension (``subject``, ``action`` and scope
            dimensions). Leaving a dimension out, or giving a vocabulary
            parent, asks about every situation it covers: when they all
            decide alike the answer is that one decision, otherwise it
            ``varies`` and lists the groups. A dimension no rule names is
            ignored; a value a dimension without vocabulary does not know
            is "any other value". On a pattern dimension a value is one
            string, or with ``*`` or ``?`` every string it matches.
        check: Refuse values a closed dimension does not know (a history
            turns this off for its earlier versions, whose vocabularies may
            have named fewer values).

    Returns:
        The :class:`Answer`.

    Raises:
        DocumentError: A value unknown to a dimension that has a vocabulary.
        DiffError: The question exceeds the evaluator's work budget.

    >>> import policydiff
    >>> v = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
    >>> answer = policydiff.decide(v, {"subject": "Ukraine", "action": "strike",
    ...     "territory": "Belgorod Oblast", "weapon": "GMLRS", "purpose": "defensive"})
    >>> answer.decision.value, answer.rules
    ('conditional', ('kharkiv-defensive-strikes', 'no-strikes-inside-russia'))
    """
    if check:
        check_situation(version, situation)
    probes = {
        dim: (value,)
        for dim, value in situation.items()
        if version.holds_patterns(dim) and has_wildcard(value)
    }
    space = Space((_relevant(version, situation),), probes)
    cube = [
        dim.mask_of(situation[dim.name]) if dim.name in situation else _whole(dim, version)
        for dim in space.dims
    ]
    pieces: list[tuple[tuple[int, ...], Answer]] = []
    tables: dict[tuple[int, ...], Answer] = {}

    def visit(masks: tuple[int, ...], entries: list[Entry]) -> None:
        key = tuple(e.index for e in entries)
        found = tables.get(key)
        if found is None:
            found = tables[key] = space.answer(0, space.table(0, entries))
        pieces.append((masks, found))

    space.explore(cube, space.meeting(cube), visit)
    return _combine(space, situation, pieces)


def _whole(dim: _Dim, version: PolicyVersion) -> int:
    """Return the classes a dimension left out of a question stands for.

    On a closed dimension (SPEC section 13: it has a vocabulary and is not
    declared ``open``) only the values the vocabulary or a rule names exist,
    so "any other value" is asked about only where one of those falls in its
    class.
    """
    if not version.closed(dim.name):
        return dim.full
    mask = 0
    named = version.vocabulary.values(dim.name)
    for rule in version.rules:
        named |= rule.dimensions.get(dim.name, frozenset())
    for value in named:
        mask |= dim.mask_of(value)
    return mask


def _relevant(version: PolicyVersion, situation: Mapping[str, str]) -> PolicyVersion:
    """Return the version with only the rules that can cover some situation asked about.

    A rule is left out when a dimension it names is given a value that is no
    parent in the vocabulary and that the rule does not cover. Such a rule
    never applies, and most-specific compares only rules that apply, so the
    answer is the same; the space to explore is smaller.
    """
    vocabulary = version.vocabulary
    fixed = {
        dim: (value, {value, *vocabulary.ancestors(dim, value)})
        for dim, value in situation.items()
        if not vocabulary.children(dim, value) and not version.holds_patterns(dim)
    }
    # On a pattern dimension a concrete value meets the rules with a pattern matching it.
    strings = {
        dim: value
        for dim, value in situation.items()
        if version.holds_patterns(dim) and not has_wildcard(value)
    }
    if not fixed and not strings:
        return version
    kept = [
        rule
        for rule in version.rules
        if all(
            (dim not in fixed or not values.isdisjoint(fixed[dim][1]))
            and (
                dim not in strings
                or any_matches(version, dim, values, strings[dim]) is (dim not in rule.negated)
            )
            for dim, values in rule.dimensions.items()
        )
    ]
    if len(kept) == len(version.rules):
        return version
    return attrs.evolve(version, rules=kept)


def _combine(
    space: Space, situation: Mapping[str, str], pieces: list[tuple[tuple[int, ...], Answer]]
) -> Answer:
    version = space.versions[0]
    answers = list({id(a): a for _, a in pieces}.values())
    first = answers[0]
    if all(first.same_decision(a) for a in answers[1:]):
        conditions = tuple(sorted({c for a in answers for c in a.conditions}))
        if len(conditions) > MAX_CONDITIONS:
            raise DiffError(too_many_conditions(conditions))
        points: list[Point] = []
        for assignment in range(1 << len(conditions)):
            holds = [c for i, c in enumerate(conditions) if assignment >> i & 1]
            outs = [a.outcome(holds) for a in answers]
            rules = tuple(sorted({r for o in outs for r in o[2]}))
            points.append((outs[0][0], outs[0][1], rules, any(o[3] for o in outs)))
        return make_answer(version, conditions, points, situation)
    groups = []
    for masks, answer in merge(pieces):
        values = FrozenMap(
            {dim.name: dim.span(mask) for dim, mask in zip(space.dims, masks, strict=True)}
        )
        groups.append(Group(values=values, answer=answer, membership=Membership(space.dims, masks)))
    groups.sort(key=lambda g: (_span_key(g.values), _answer_key(g.answer)))
    return Answer(
        decision=Decision.VARIES,
        situation=FrozenMap(situation),
        conditions=tuple(sorted({c for a in answers for c in a.conditions})),
        obligations=tuple(sorted({o for a in answers for o in a.obligations})),
        rules=tuple(sorted({r for a in answers for r in a.rules})),
        default=any(a.default for a in answers),
        groups=tuple(groups),
        policy=version.policy,
        version=version.version,
        effective=version.effective,
    )


def _span_key(values: Mapping[str, Span]) -> tuple[Any, ...]:
    return tuple((s.any, s.excluded, s.values, s.matching, s.others) for s in values.values())


def _answer_key(answer: Answer) -> tuple[Any, ...]:
    return (answer.decision.value, answer.rules, answer.conditions, answer.obligations)


def _close(value: str, known: set[str]) -> list[str]:
    """Return the known value nearest ``value``: same letters, a prefix, or a near spelling."""
    folded = value.casefold()
    ordered = sorted(known)
    same = [k for k in ordered if k.casefold() == folded]
    starts = [k for k in ordered if k.casefold().startswith(folded)]
    near = difflib.get_close_matches(value, ordered, n=1)
    return same or starts[:1] or near


def check_situation(version: PolicyVersion, situation: Mapping[str, str]) -> None:
    """Refuse values unknown to a closed dimension (one with a vocabulary, not declared open).

    Raises:
        DocumentError: One problem per unknown value, with a "did you mean".
    """
    problems = []
    given: Mapping[str, object] = situation
    for dim, value in given.items():
        if not isinstance(value, str):
            problems.append(
                Problem(
                    file="<situation>",
                    path=dim,
                    message=f"a value must be a string (got {value!r})",
                )
            )
            continue
        if not version.closed(dim):
            continue
        known = version.vocabulary.values(dim)
        if value in known:
            continue
        close = _close(value, known)
        problems.append(
            Problem(
                file="<situation>",
                path=dim,
                message=(
                    f"unknown {dim} {value!r}: the vocabulary of version"
                    f" {version.version!r} does not name it"
                    + (f"; did you mean {close[0]!r}?" if close else "")
                ),
            )
        )
    if problems:
        raise DocumentError(problems)
