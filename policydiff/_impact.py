"""Change-impact analysis: which situations changed decision (SPEC section 7).

A *situation* picks one value in every dimension that some rule of either
version names (``subject``, ``action`` and the scope dimensions). Its
decision under a version comes from the permit and prohibit rules that cover
it, combined by the version's ``conflict`` strategy, or from the version's
``default`` where none does; the ``oblige`` rules that cover it attach their
obligations.

The analysis never enumerates situations. It works in four steps:

1. *Units.* Per dimension, each rule value is expanded through its own
   version's vocabulary (falling back to the other version's where its own
   says nothing about a value) until it reaches values below which no rule
   names anything and both vocabularies agree. Such a value is a *unit*: it
   stands for all of its leaves, however many there are.
2. *Classes.* Units covered by exactly the same rules form one class; values
   that no rule names form one more, "any other value". A rule's coverage in
   a dimension is then a bit mask over classes, and a set of situations is a
   *cube*: one class mask per dimension.
3. *Splitting.* Only situations that a changed rule covers can change
   decision (unless the default or the conflict strategy changed). For each
   changed rule, the rules that intersect its cube are found with bit-set
   indexes, and its cube is split one dimension at a time, only where those
   rules cover part of it, until every rule left covers the whole piece.
   Each piece is decided once under each version.
4. *Grouping.* Changed pieces with the same outcomes are merged while two of
   them differ in one dimension only, and each dimension is shown with
   vocabulary parents wherever all of a parent's values are in the cube.

The cost therefore follows the number of classes and of rule overlaps inside
the changed rules' coverage, not the number of values. Where many rules
overlap a changed rule, each along a different dimension, the pieces (and the
exact report, whose responsible rules differ from piece to piece) can grow
with every combination of them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from policydiff._documents import paused_collector
from policydiff.errors import DiffError
from policydiff.model import (
    Conflict,
    Default,
    Effect,
    FrozenMap,
    PolicyVersion,
    Rule,
    Vocabulary,
)

__all__ = ["Cube", "Decision", "Impact", "Outcome", "Span", "impact"]

FORMAT_VERSION = 1


class Decision(enum.Enum):
    """What a version decides for a situation."""

    PERMITTED = "permitted"
    PROHIBITED = "prohibited"
    CONDITIONAL = "conditional"


@attrs.frozen(kw_only=True)
class Outcome:
    """A version's decision for a set of situations, and why.

    Attributes:
        decision: Permitted, prohibited, or conditional (permitted only under
            ``conditions``).
        rules: The ids of the rules that decide, sorted; empty when the
            version's ``default`` decides.
        conditions: The conditions of the deciding rules, sorted.
        obligations: The ids of the ``oblige`` rules that apply, sorted.
    """

    decision: Decision
    rules: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()

    @property
    def by_default(self) -> bool:
        """Whether the version's ``default`` decides (no rule applies)."""
        return not self.rules

    def same_decision(self, other: Outcome) -> bool:
        """Whether ``other`` decides alike: same decision, conditions and obligations.

        Args:
            other: The outcome to compare with.

        Returns:
            ``True`` when only the responsible rules differ, if anything.
        """
        return (self.decision, self.conditions, self.obligations) == (
            other.decision,
            other.conditions,
            other.obligations,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as plain data for JSON.

        Returns:
            ``{"decision", "rules", "conditions", "obligations"}``.
        """
        return {
            "decision": self.decision.value,
            "rules": list(self.rules),
            "conditions": list(self.conditions),
            "obligations": list(self.obligations),
        }


@attrs.frozen(kw_only=True)
class Span:
    """The values a cube takes in one dimension.

    Attributes:
        values: The values, sorted. A vocabulary parent stands for all of its
            descendants.
        others: Whether the span also holds every value that no rule names.
        any: Whether the span holds every value of the dimension (then
            ``values`` is empty and ``others`` is true).
        excluded: When not empty, the span holds every value except these
            (then ``values`` is empty and ``others`` is true); used where
            that is the shorter way to say it.
    """

    values: tuple[str, ...] = ()
    others: bool = False
    any: bool = False
    excluded: tuple[str, ...] = ()

    def to_data(self) -> str | list[str] | dict[str, list[str]]:
        """Return the span for JSON.

        Returns:
            ``"any"`` for a span over everything, ``{"except": [...]}`` for
            every value but those, else the sorted values (whether it also
            holds unnamed values is listed in the cube's ``others``).
        """
        if self.any:
            return "any"
        if self.excluded:
            return {"except": list(self.excluded)}
        return list(self.values)

    def __str__(self) -> str:
        if self.any:
            return "any"
        if self.excluded:
            return f"any value except {_join(self.excluded, 'and')}"
        shown = list(self.values)
        if self.others:
            shown.append("any other value")
        return _join(shown, "or")


@attrs.frozen(kw_only=True)
class Cube:
    """A set of situations that changed decision alike.

    Attributes:
        values: Per dimension, the values the situations take.
        before: The old version's outcome for all of them.
        after: The new version's outcome for all of them.
    """

    values: FrozenMap[str, Span]
    before: Outcome
    after: Outcome

    def describe(self) -> str:
        """Return one plain sentence saying what changed for these situations.

        Returns:
            Such as "Ukraine may now strike, where territory is Belgorod
            Oblast, ... (was prohibited by no-strikes-inside-russia; now
            conditional under kharkiv-defensive-strikes)".
        """
        return _sentence(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the cube as plain data for JSON.

        Returns:
            ``{"values", "others", "before", "after", "description"}``:
            ``values`` maps each dimension to ``"any"``, its sorted values,
            or ``{"except": [...]}`` (every value but those); ``others`` lists the dimensions whose span also holds every value
            that no rule names.
        """
        return {
            "values": {dim: span.to_data() for dim, span in self.values.items()},
            "others": [
                dim
                for dim, span in self.values.items()
                if span.others and not span.any and not span.excluded
            ],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "description": self.describe(),
        }


@attrs.frozen(kw_only=True)
class Impact:
    """Every situation whose decision changed between two versions.

    Iterating yields the :class:`Cube` objects; an impact is true when any
    situation changed.

    Attributes:
        old: The version compared from.
        new: The version compared to.
        dimensions: The dimensions analysed: ``subject`` (when a rule names
            it), ``action``, then the scope dimensions in sorted order.
        cubes: The changed situations, grouped, in a stable order.
    """

    old: PolicyVersion
    new: PolicyVersion
    dimensions: tuple[str, ...] = ()
    cubes: tuple[Cube, ...] = ()

    def __iter__(self) -> Iterator[Cube]:
        return iter(self.cubes)

    def __len__(self) -> int:
        return len(self.cubes)

    def __bool__(self) -> bool:
        return bool(self.cubes)

    def to_dict(self) -> dict[str, Any]:
        """Return the impact as plain data, shaped like the diff's JSON.

        Returns:
            ``{"policydiff", "policy", "from", "to", "dimensions", "cubes"}``
            with ISO 8601 effective instants.
        """
        return {
            "policydiff": FORMAT_VERSION,
            "policy": self.new.policy,
            "from": _endpoint(self.old),
            "to": _endpoint(self.new),
            "dimensions": list(self.dimensions),
            "cubes": [cube.to_dict() for cube in self.cubes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return :meth:`to_dict` as JSON text.

        Args:
            indent: Passed to :func:`json.dumps`; ``None`` for one line.

        Returns:
            The JSON document; equal impacts give identical text.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        """Return a plain-text report: a heading line, then one line per cube.

        Returns:
            The report, ending with a newline.
        """
        lines = [_headline(self)]
        if self.cubes:
            lines.append("")
            lines.extend(f"- {cube.describe()}" for cube in self.cubes)
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """Return a Markdown report: a heading, a sentence per cube and a table.

        Returns:
            The report, ending with a newline.
        """
        title = f"## Impact on {self.new.policy}: {self.old.version} → {self.new.version}"
        lines = [title, "", _headline(self)]
        if not self.cubes:
            return "\n".join(lines) + "\n"
        lines.append("")
        lines.extend(f"- {_md(cube.describe())}" for cube in self.cubes)
        header = [*self.dimensions, "before", "after"]
        lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for cube in self.cubes:
            cells = [str(cube.values[dim]) for dim in self.dimensions]
            cells += [_brief(cube.before), _brief(cube.after)]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        return "\n".join(lines) + "\n"


def impact(old: PolicyVersion, new: PolicyVersion) -> Impact:
    """Find every situation whose decision changed from ``old`` to ``new``.

    Args:
        old: The earlier version.
        new: The later version, of the same policy.

    Returns:
        The changed situations, grouped into as few cubes as the analysis
        finds, each with its decision before and after.

    Raises:
        DiffError: The versions belong to different policies, or their two
            vocabularies nest values in a cycle (each alone is a tree).

    >>> import policydiff
    >>> from policydiff._impact import impact
    >>> old = policydiff.load("examples/us-ukraine-strikes/history/2022-no-strikes-inside-russia.yaml")
    >>> new = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
    >>> [str(cube.values["territory"]) for cube in impact(old, new)]
    ['Belgorod Oblast']
    """
    if old.policy != new.policy:
        msg = (
            f"cannot analyse the impact between different policies:"
            f" {old.policy!r} (version {old.version!r}) and {new.policy!r} (version {new.version!r})"
        )
        raise DiffError(msg)
    with paused_collector():
        space = _Space(old, new)
        cubes = space.changed_cubes()
    return Impact(old=old, new=new, dimensions=space.names, cubes=cubes)


# ---------------------------------------------------------------------------
# Step 1 and 2: units and classes per dimension.

_OLD, _NEW = 0, 1
_OTHER = 1  # bit 0: the class of values no rule names


def _trees(
    old: Vocabulary, new: Vocabulary, dim: str
) -> tuple[FrozenMap[str, frozenset[str]], ...]:
    empty: FrozenMap[str, frozenset[str]] = FrozenMap()
    return (old.trees.get(dim, empty), new.trees.get(dim, empty))


def _shared(versions: tuple[PolicyVersion, PolicyVersion]) -> tuple[Vocabulary, Vocabulary]:
    """Both versions' vocabularies, one object when they are equal.

    Each vocabulary builds its index of parents on first use, at a cost that
    grows with its size; equal vocabularies then build it once.
    """
    old, new = versions[_OLD].vocabulary, versions[_NEW].vocabulary
    return (old, old if new is old or new == old else new)


class _Dimension:
    """One dimension's units, classes and the class masks of rule values."""

    def __init__(
        self,
        name: str,
        vocabularies: tuple[Vocabulary, Vocabulary],
        labels: tuple[str, str],
        named: set[str],
    ) -> None:
        self.name = name
        self.trees = _trees(vocabularies[_OLD], vocabularies[_NEW], name)
        self.vocabularies = vocabularies
        self.labels = labels
        self.tainted = self._taint(named)
        self._memo: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = ({}, {})
        self._spans: dict[int, Span] = {}
        self._above: dict[str, tuple[str, ...]] = {}
        self._wholes: dict[str, frozenset[str] | None] = {}
        # Filled by classify():
        self.class_units: list[tuple[str, ...]] = [()]
        self.full = _OTHER

    def _parents(self, value: str) -> list[str]:
        found = [v.parent(self.name, value) for v in self.vocabularies]
        return sorted({p for p in found if p is not None})

    def _taint(self, named: set[str]) -> set[str]:
        """Mark the values that cannot stand for all their leaves.

        A value is tainted when a rule names something below it, or when the
        two vocabularies disagree below it (different children, or a value
        placed under different parents). Every other value reached while
        expanding a rule value is a unit.
        """
        starts: set[str] = set()
        for value in named:
            starts.update(self._parents(value))
        old_tree, new_tree = self.trees
        if old_tree != new_tree:
            for parent in set(old_tree) & set(new_tree):
                if old_tree[parent] != new_tree[parent]:
                    starts.add(parent)
            for kid in set().union(*old_tree.values(), *new_tree.values()):
                if len(self._parents(kid)) > 1:
                    starts.update(self._parents(kid))
        tainted: set[str] = set()
        stack = sorted(starts)
        while stack:
            value = stack.pop()
            if value not in tainted:
                tainted.add(value)
                stack.extend(self._parents(value))
        return tainted

    def children(self, side: int, value: str) -> frozenset[str]:
        """The value's children in the side's vocabulary, else in the other's."""
        own = self.trees[side].get(value)
        if own:
            return own
        return self.trees[1 - side].get(value, frozenset())

    def units(self, side: int, value: str) -> tuple[str, ...]:
        """The units a value covers, in the side's vocabulary, sorted."""
        memo = self._memo[side]
        if value not in memo:
            found: set[str] = set()
            self._expand(side, value, found, set())
            memo[value] = tuple(sorted(found))
        return memo[value]

    def _expand(self, side: int, value: str, found: set[str], path: set[str]) -> None:
        if value not in self.tainted:
            found.add(value)
            return
        if value in path:
            old, new = self.labels
            msg = (
                f"the vocabularies of versions {old!r} and {new!r} together nest"
                f" {self.name!r} values in a cycle through {value!r}"
            )
            raise DiffError(msg)
        path.add(value)
        for kid in self.children(side, value):
            if kid in self._memo[side]:
                found.update(self._memo[side][kid])
            else:
                self._expand(side, kid, found, path)
        path.discard(value)

    def classify(self, coverage: Sequence[tuple[int, set[str]]]) -> dict[int, int]:
        """Group units into classes and return each rule instance's class mask.

        Args:
            coverage: ``(instance, units)`` for every rule instance naming the
                dimension, in instance order.

        Returns:
            Instance number to class mask (bit 0 is "any other value").
        """
        signature: dict[str, list[int]] = {}
        for instance, units in coverage:
            for unit in units:
                signature.setdefault(unit, []).append(instance)
        groups: dict[tuple[int, ...], list[str]] = {}
        for unit, instances in signature.items():
            groups.setdefault(tuple(instances), []).append(unit)
        ordered = sorted((sorted(members), key) for key, members in groups.items())
        masks: dict[int, int] = {instance: 0 for instance, _ in coverage}
        self.class_units = [()]
        for number, (members, key) in enumerate(ordered, start=1):
            self.class_units.append(tuple(members))
            bit = 1 << number
            for instance in key:
                masks[instance] |= bit
        self.full = (1 << len(self.class_units)) - 1
        return masks

    def span(self, mask: int) -> Span:
        """Show a class mask as values, with vocabulary parents where complete."""
        found = self._spans.get(mask)
        if found is None:
            rest = self.full & ~mask
            if not rest:
                found = Span(any=True, others=True)
            elif mask & _OTHER and rest.bit_count() < mask.bit_count():
                units = {u for k in _bits(rest) for u in self.class_units[k]}
                found = Span(others=True, excluded=self._collapse(units))
            else:
                units = {u for k in _bits(mask) for u in self.class_units[k]}
                found = Span(values=self._collapse(units), others=bool(mask & _OTHER))
            self._spans[mask] = found
        return found

    def _ancestors(self, value: str) -> tuple[str, ...]:
        found = self._above.get(value)
        if found is None:
            seen: set[str] = set()
            stack = self._parents(value)
            while stack:
                parent = stack.pop()
                if parent not in seen:
                    seen.add(parent)
                    stack.extend(self._parents(parent))
            found = self._above[value] = tuple(sorted(seen))
        return found

    def _whole(self, value: str) -> frozenset[str] | None:
        """The units below ``value``, when both vocabularies agree on them."""
        if value not in self._wholes:
            below = self.units(_OLD, value)
            agreed = below == self.units(_NEW, value) and below
            self._wholes[value] = frozenset(below) if agreed else None
        return self._wholes[value]

    def _collapse(self, units: set[str]) -> tuple[str, ...]:
        counts: dict[str, int] = {}
        for unit in units:
            for value in self._ancestors(unit):
                counts[value] = counts.get(value, 0) + 1
        complete: list[tuple[int, str, frozenset[str]]] = []
        for value, count in counts.items():
            below = self._whole(value)
            if below is not None and len(below) == count and below <= units:
                complete.append((-count, value, below))
        shown: set[str] = set()
        covered: set[str] = set()
        for _, value, below in sorted(complete):
            if covered.isdisjoint(below):
                shown.add(value)
                covered |= below
        shown |= units - covered
        return tuple(sorted(shown))


def _bits(mask: int) -> Iterator[int]:
    """The positions of the set bits of ``mask``, lowest first."""
    text = bin(mask)[:1:-1]
    position = text.find("1")
    while position >= 0:
        yield position
        position = text.find("1", position + 1)


# ---------------------------------------------------------------------------
# Rule entries: one per rule, or one for a rule both versions hold alike.


class _Entry:
    """A rule as the analysis sees it: class masks and the version(s) holding it."""

    __slots__ = ("changed", "decides", "index", "masks", "named", "rules")

    def __init__(
        self, index: int, named: tuple[tuple[int, int], ...], rules: tuple[Rule | None, Rule | None]
    ) -> None:
        self.index = index
        self.named = named
        self.masks = dict(named)
        self.rules = rules
        self.changed = rules[_OLD] is None or rules[_NEW] is None
        rule = rules[_OLD] or rules[_NEW]
        self.decides = rule is not None and rule.effect is not Effect.OBLIGE

    def within(self, other: _Entry) -> bool:
        """Whether this rule's coverage is contained in ``other``'s."""
        for dim, theirs in other.named:
            mine = self.masks.get(dim)
            if mine is None or mine & ~theirs:
                return False
        return True


def _outcome(version: PolicyVersion, side: int, entries: Iterable[_Entry]) -> Outcome:
    """Decide a piece where every entry covers the whole piece."""
    deciding: list[_Entry] = []
    obligations: list[str] = []
    for entry in entries:
        rule = entry.rules[side]
        if rule is None:
            continue
        if rule.effect is Effect.OBLIGE:
            obligations.append(rule.id)
        else:
            deciding.append(entry)
    duties = tuple(sorted(obligations))
    if not deciding:
        decision = Decision.PERMITTED if version.default is Default.PERMIT else Decision.PROHIBITED
        return Outcome(decision=decision, obligations=duties)
    winners = _winners(version.conflict, side, deciding)
    rules = [entry.rules[side] for entry in winners]
    chosen = [rule for rule in rules if rule is not None]
    if chosen[0].effect is Effect.PROHIBIT:
        decision = Decision.PROHIBITED
        # An unconditional prohibition leaves no condition that could lift it.
        unconditional = any(not rule.conditions for rule in chosen)
        conditions: set[str] = (
            set() if unconditional else set().union(*(rule.conditions for rule in chosen))
        )
    elif any(not rule.conditions for rule in chosen):
        decision, conditions = Decision.PERMITTED, set()
    else:
        decision = Decision.CONDITIONAL
        conditions = set().union(*(rule.conditions for rule in chosen))
    return Outcome(
        decision=decision,
        rules=tuple(sorted(rule.id for rule in chosen)),
        conditions=tuple(sorted(conditions)),
        obligations=duties,
    )


def _effect(entry: _Entry, side: int) -> Effect:
    rule = entry.rules[side]
    if rule is None:
        msg = "an entry without a rule on this side was selected"
        raise AssertionError(msg)
    return rule.effect


def _winners(conflict: Conflict, side: int, deciding: list[_Entry]) -> list[_Entry]:
    """The rules that decide, among permit and prohibit rules that all apply."""
    prohibits = [e for e in deciding if _effect(e, side) is Effect.PROHIBIT]
    permits = [e for e in deciding if _effect(e, side) is Effect.PERMIT]
    if conflict is Conflict.PROHIBIT_OVERRIDES:
        return prohibits or permits
    if conflict is Conflict.PERMIT_OVERRIDES:
        return permits or prohibits
    specific = [
        entry
        for entry in deciding
        if all(entry.within(other) for other in deciding if other is not entry)
    ]
    if specific:
        # Rules with the same coverage tie; a prohibition among them wins.
        return [e for e in specific if _effect(e, side) is Effect.PROHIBIT] or specific
    return prohibits or permits


# ---------------------------------------------------------------------------
# Step 3: splitting cubes where rules differ.

_EVERYWHERE = float("inf")

_Leaf = tuple[tuple[int, ...], Outcome, Outcome]


class _Space:
    """The situations of two versions, as classes, rule entries and indexes."""

    def __init__(self, old: PolicyVersion, new: PolicyVersion) -> None:
        self.versions = (old, new)
        names: set[str] = set()
        for version in self.versions:
            for rule in version.rules:
                names.update(rule.dimensions)
        first = [n for n in ("subject", "action") if n in names]
        self.names: tuple[str, ...] = (*first, *sorted(names - {"subject", "action"}))
        self.same_conflict = old.conflict is new.conflict
        self.entries = self._entries()
        self.full = tuple(dim.full for dim in self.dims)
        self._index()

    def _entries(self) -> list[_Entry]:
        instances: list[tuple[int, Rule]] = [
            (side, rule) for side, version in enumerate(self.versions) for rule in version.rules
        ]
        given = [rule.dimensions for _, rule in instances]
        named: dict[str, set[str]] = {name: set() for name in self.names}
        for dims in given:
            for name, values in dims.items():
                named[name].update(values)
        vocabularies = _shared(self.versions)
        labels = (self.versions[_OLD].version, self.versions[_NEW].version)
        self.dims = [_Dimension(name, vocabularies, labels, named[name]) for name in self.names]
        position = {name: i for i, name in enumerate(self.names)}
        coverage: list[list[tuple[int, set[str]]]] = [[] for _ in self.dims]
        for number, ((side, _), dims) in enumerate(zip(instances, given, strict=True)):
            for name, values in dims.items():
                dimension = self.dims[position[name]]
                units: set[str] = set()
                for value in values:
                    units.update(dimension.units(side, value))
                coverage[position[name]].append((number, units))
        masks: list[list[tuple[int, int]]] = [[] for _ in instances]
        for at, dimension in enumerate(self.dims):
            for number, mask in dimension.classify(coverage[at]).items():
                masks[number].append((at, mask))
        pending: dict[str, tuple[Rule, tuple[tuple[int, int], ...]]] = {}
        pairs: list[tuple[tuple[tuple[int, int], ...], tuple[Rule | None, Rule | None]]] = []
        for (side, rule), named_masks in zip(instances, masks, strict=True):
            found = tuple(named_masks)
            if side == _OLD:
                pending[rule.id] = (rule, found)
                continue
            before = pending.get(rule.id)
            if before is not None and _alike(before[0], rule) and before[1] == found:
                del pending[rule.id]
                pairs.append((found, (before[0], rule)))
            else:
                pairs.append((found, (None, rule)))
        pairs.extend((found, (rule, None)) for rule, found in pending.values())
        pairs.sort(key=lambda pair: _pair_key(pair[1]))
        return [_Entry(index, found, rules) for index, (found, rules) in enumerate(pairs)]

    def _index(self) -> None:
        """Build, per dimension, bit sets over entries for fast intersection."""
        self.naming: list[int] = [0] * len(self.dims)
        self.covering: list[list[list[int]]] = [[[] for _ in dim.class_units] for dim in self.dims]
        for entry in self.entries:
            bit = 1 << entry.index
            for dim, mask in entry.named:
                self.naming[dim] |= bit
                lists = self.covering[dim]
                for k in _bits(mask):
                    lists[k].append(entry.index)
        self.cover_sets: list[list[int]] = [
            [_bitset(members) for members in lists] for lists in self.covering
        ]
        self.all_entries = (1 << len(self.entries)) - 1

    def _meeting(self, cube: Sequence[int]) -> list[_Entry]:
        """The entries whose coverage intersects ``cube``, in index order."""
        found = self.all_entries
        for dim, mask in enumerate(cube):
            if mask == self.full[dim]:
                continue
            meets = 0
            for k in _bits(mask):
                meets |= self.cover_sets[dim][k]
            found &= ~self.naming[dim] | meets
        return [self.entries[i] for i in _bits(found)]

    def changed_cubes(self) -> tuple[Cube, ...]:
        old, new = self.versions
        leaves: list[_Leaf] = []
        for entry in self.entries:
            if entry.changed:
                cube = list(self.full)
                for dim, mask in entry.named:
                    cube[dim] = mask
                self._split(cube, self._meeting(cube), entry.index, leaves)
        if old.default is not new.default or not self.same_conflict:
            self._split(list(self.full), self.entries, _EVERYWHERE, leaves)
        return tuple(sorted((self._cube(*leaf) for leaf in _merge(leaves)), key=_cube_key))

    def _split(
        self, cube: list[int], entries: list[_Entry], rank: float, leaves: list[_Leaf]
    ) -> None:
        """Decide every piece of ``cube`` that the root ``rank`` owns.

        A piece belongs to the changed rule of lowest index that covers it
        (``rank``), or, for the whole-space root, to no changed rule at all,
        so no situation is reported twice.
        """
        partial = [0] * len(cube)
        ruled = False
        for entry in entries:
            whole = True
            for dim, mask in entry.named:
                if mask & cube[dim] != cube[dim]:
                    partial[dim] += 1
                    whole = False
            if whole:
                if entry.changed and entry.index < rank:
                    return
                ruled = ruled or entry.decides
        if rank == _EVERYWHERE and ruled and self.same_conflict:
            return  # unchanged rules decide here, and decide alike
        count = max(partial, default=0)
        if count == 0:
            before = _outcome(self.versions[_OLD], _OLD, entries)
            after = _outcome(self.versions[_NEW], _NEW, entries)
            if not before.same_decision(after):
                leaves.append((tuple(cube), before, after))
            return
        dim = partial.index(count)
        pieces = [cube[dim]]
        for entry in entries:
            cut = entry.masks.get(dim)
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
            child[dim] = piece
            kept = [e for e in entries if e.masks.get(dim, piece) & piece]
            self._split(child, kept, rank, leaves)

    def _cube(self, masks: tuple[int, ...], before: Outcome, after: Outcome) -> Cube:
        spans = {dim.name: dim.span(mask) for dim, mask in zip(self.dims, masks, strict=True)}
        return Cube(values=FrozenMap(spans), before=before, after=after)


def _alike(old: Rule, new: Rule) -> bool:
    return (old.effect, old.conditions) == (new.effect, new.conditions)


def _pair_key(rules: tuple[Rule | None, Rule | None]) -> tuple[str, int]:
    rule = rules[_OLD] or rules[_NEW]
    if rule is None:
        msg = "an entry holds no rule"
        raise AssertionError(msg)
    return (rule.id, 0 if rules[_OLD] is not None else 1)


def _bitset(members: list[int]) -> int:
    if not members:
        return 0
    data = bytearray(members[-1] // 8 + 1)
    for i in members:
        data[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(data, "little")


# ---------------------------------------------------------------------------
# Step 4: grouping.


def _merge(leaves: list[_Leaf]) -> list[_Leaf]:
    """Merge pieces with the same outcomes that differ in one dimension only."""
    groups: dict[tuple[Outcome, Outcome], set[tuple[int, ...]]] = {}
    for masks, before, after in leaves:
        groups.setdefault((before, after), set()).add(masks)
    merged: list[_Leaf] = []
    for (before, after), cubes in groups.items():
        first = next(iter(cubes))
        # Only the dimensions where the pieces differ take part; the others
        # stay as they are, which keeps the tuples hashed here short.
        varying = [d for d, mask in enumerate(first) if any(c[d] != mask for c in cubes)]
        pieces = {tuple(c[d] for d in varying) for c in cubes}
        stable = turn = 0
        while stable < len(varying) and len(pieces) > 1:
            joined: dict[tuple[int, ...], int] = {}
            for piece in pieces:
                rest = (*piece[:turn], 0, *piece[turn + 1 :])
                joined[rest] = joined.get(rest, 0) | piece[turn]
            if len(joined) < len(pieces):
                pieces = {(*rest[:turn], m, *rest[turn + 1 :]) for rest, m in joined.items()}
                stable = 0
            else:
                stable += 1
            turn = (turn + 1) % len(varying)
        for piece in pieces:
            rebuilt = list(first)
            for d, mask in zip(varying, piece, strict=True):
                rebuilt[d] = mask
            merged.append((tuple(rebuilt), before, after))
    return merged


def _outcome_key(outcome: Outcome) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return (outcome.decision.value, outcome.rules, outcome.conditions, outcome.obligations)


def _cube_key(cube: Cube) -> tuple[Any, ...]:
    spans = tuple(
        (span.any, span.excluded, span.values, span.others) for span in cube.values.values()
    )
    return (spans, _outcome_key(cube.before), _outcome_key(cube.after))


# ---------------------------------------------------------------------------
# Rendering.


def _endpoint(version: PolicyVersion) -> dict[str, str]:
    return {"version": version.version, "effective": version.effective.isoformat()}


def _join(values: Sequence[str], word: str) -> str:
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {word} {values[-1]}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _headline(result: Impact) -> str:
    old, new = result.old, result.new
    span = f"from {old.version} ({old.effective}) to {new.version} ({new.effective})"
    if not result.cubes:
        return f"Impact on {new.policy} {span}: no situation changed decision."
    groups = _plural(len(result.cubes), "group", "groups")
    return f"Impact on {new.policy} {span}: {groups} of situations changed decision."


_CONDITION_WORDS = ("only", "if", "when", "unless", "provided", "while", "as long as")


def _conditions(conditions: Sequence[str]) -> str:
    text = "; ".join(conditions)
    if text.lower().startswith(_CONDITION_WORDS):
        return text
    return f"on condition: {text}"


def _modal(before: Decision, after: Decision) -> str:
    if after is Decision.PROHIBITED:
        return "still may not" if before is Decision.PROHIBITED else "may no longer"
    if before is after:
        return "may still"
    if before is Decision.PROHIBITED:
        return "may now"
    if after is Decision.CONDITIONAL:
        return "may now only conditionally"
    return "may now unconditionally"


def _because(outcome: Outcome) -> str:
    if outcome.by_default:
        return f"{outcome.decision.value} by default"
    word = "under" if outcome.decision is Decision.CONDITIONAL else "by"
    return f"{outcome.decision.value} {word} {', '.join(outcome.rules)}"


def _phrase(span: Span | None, anything: str, other: str, every: str) -> str:
    """Say a subject or action span in a sentence ("Anyone except Ukraine")."""
    if span is None or span.any:
        return anything
    if span.excluded:
        return f"{every} except {_join(span.excluded, 'and')}"
    shown = list(span.values)
    if span.others:
        shown.append(other)
    return _join(shown, "or")


def _sentence(cube: Cube) -> str:
    spans = cube.values
    subject = _phrase(spans.get("subject"), "Anyone", "anyone else", "Anyone")
    action = _phrase(spans.get("action"), "act", "take any other action", "take any action")
    subject = subject[:1].upper() + subject[1:]
    where = [
        f"{dim} is {span}"
        for dim, span in spans.items()
        if dim not in ("subject", "action") and not span.any
    ]
    text = f"{subject} {_modal(cube.before.decision, cube.after.decision)} {action}"
    if where:
        text += f", where {_join(where, 'and')}"
    if cube.after.decision is Decision.CONDITIONAL:
        text += f", {_conditions(cube.after.conditions)}"
    why = [f"was {_because(cube.before)}", f"now {_because(cube.after)}"]
    if cube.before.conditions != cube.after.conditions and cube.before.conditions:
        why.append(f"conditions were: {'; '.join(cube.before.conditions)}")
    if cube.before.obligations != cube.after.obligations:
        was = ", ".join(cube.before.obligations) or "none"
        now = ", ".join(cube.after.obligations) or "none"
        why.append(f"obligations were {was}, now {now}")
    return f"{text} ({'; '.join(why)})"


def _brief(outcome: Outcome) -> str:
    text = _because(outcome)
    if outcome.conditions:
        text += f": {'; '.join(outcome.conditions)}"
    if outcome.obligations:
        text += f"; obligations: {', '.join(outcome.obligations)}"
    return text


def _md(text: str) -> str:
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")
