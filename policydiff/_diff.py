"""Comparing two versions: DeepDiff finds the differences, we name them.

Rules that are equal in both versions are set aside first, at C speed (a
rule object both versions share is not even compared); only the facets of
rules that differ, and the version fields that differ, are handed to
DeepDiff (tree view), as one flat mapping per side, one text per facet or
field. Its results are then mapped to the kinds of change of SPEC section
5, each with its direction.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from operator import attrgetter, is_not, ne
from typing import Any

import attrs

from policydiff._convert import unstructure_field
from policydiff._describe import describe
from policydiff._impact import Judge
from policydiff._patterns import compare_values
from policydiff._results import PolicyDiff
from policydiff.errors import DiffError
from policydiff.model import (
    Change,
    Default,
    Direction,
    Effect,
    Kind,
    PolicyVersion,
    Rule,
    Source,
    Vocabulary,
    When,
)

__all__ = ["PolicyDiff", "diff"]

#: Version fields reported as metadata, in the order they are listed.
METADATA_FIELDS = (
    "title",
    "summary",
    "announced",
    "timezone",
    "approved_by",
    "sources",
    "events",
    "vocabulary",
    "open",
)

_DEFAULT_RANK = {Default.PROHIBIT: 0, Default.NONE: 1, Default.PERMIT: 2}

_KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}

_rule_id = attrgetter("id")


def diff(old: PolicyVersion, new: PolicyVersion) -> PolicyDiff:
    """Compare two versions of one policy.

    Args:
        old: The version before.
        new: The version after. It may be the earlier one: ``from`` and
            ``to`` stay as given, and the directions read from ``old`` to
            ``new``.

    Returns:
        The changes, in a stable order.

    Raises:
        DiffError: The versions belong to different policies.

    >>> d = policydiff.diff(old, new)
    >>> d.summary
    {'loosened': 1, 'tightened': 0, 'neutral': 5, 'mixed': 0}
    """
    if old.policy != new.policy:
        msg = (
            f"cannot compare versions of different policies: {old.policy!r}"
            f" ({old.version}) and {new.policy!r} ({new.version})"
        )
        raise DiffError(msg)
    differ = _Differ(old, new)
    changes = tuple(differ.changes())
    differ.judge.changes = changes
    return PolicyDiff(old=old, new=new, changes=changes, judge=differ.judge)


def _facets(rule: Rule, other: Rule | None = None) -> dict[tuple[str, ...], Any]:
    """Return a rule's facets, keyed by where each sits (see :func:`_encoded` for DeepDiff).

    The keys are ``(id, "effect")``, ``(id, "subject")``, ``(id, "action")``,
    ``(id, "scope", dimension)``, ``(id, "conditions")``, ``(id, "text")`` and
    ``(id, "sources")``, and ``(id, "not", dimension)`` for a dimension whose
    values are exceptions; a dimension the rule leaves open ("any") has no key.
    Flat keys spare DeepDiff a level of its tree per step of nesting.

    With ``other``, the same rule in the other version, only the facets that
    ``other`` does not hold equal are returned: DeepDiff would report
    nothing for the others.
    """
    rule_id = rule.id
    facets: dict[tuple[str, ...], Any] = {}
    if other is None or rule.effect is not other.effect:
        facets[(rule_id, "effect")] = rule.effect.value
    if rule.subject and (other is None or rule.subject != other.subject):
        facets[(rule_id, "subject")] = rule.subject
    if other is None or rule.action != other.action:
        facets[(rule_id, "action")] = rule.action
    if other is None or rule.scope != other.scope:
        for dim, values in rule.scope.items():
            if other is None or other.scope.get(dim) != values:
                facets[(rule_id, "scope", dim)] = values
    if other is None or rule.conditions != other.conditions:
        facets[(rule_id, "conditions")] = rule.conditions
    if other is None or rule.text != other.text:
        facets[(rule_id, "text")] = rule.text
    if other is None or rule.sources != other.sources:
        facets[(rule_id, "sources")] = rule.sources
    for dim in rule.negated:
        if other is None or dim not in other.negated:
            facets[(rule_id, "not", dim)] = True
    return facets


def _encoded(facets: dict[tuple[str, ...], Any]) -> dict[tuple[str, ...], str]:
    """Return each facet as DeepDiff is handed it: one text, its ``repr``.

    A facet that differs is then one leaf of DeepDiff's tree, whatever its
    values: what a set of values gained and lost is read off the two rules,
    so DeepDiff need not report (and build a level of its tree for) every
    value. Sets of values are written sorted, so equal sets are equal texts,
    and ``repr`` quotes every string, so no two different facets read alike
    (``['a, b']`` is not ``['a', 'b']``, ``'None'`` is not ``None``).
    """
    return {
        key: repr(sorted(value)) if isinstance(value, frozenset) else repr(value)
        for key, value in facets.items()
    }


def split_rules(
    old: PolicyVersion, new: PolicyVersion, *, keep_equal: bool = False
) -> tuple[list[tuple[Rule, Rule]], list[Rule], list[Rule]]:
    """Return the rules that differ: ``(old, new)`` pairs kept under one id, removed, added.

    Every step runs at C speed: only attrs' ``__eq__`` is Python, and it runs
    only for rule objects the two versions do not share (versions made with
    ``attrs.evolve``, and versions read together as a history, share their
    unchanged rules). With ``keep_equal`` every pair under a shared id is
    returned.

    Both rule tuples are sorted by id, so no step sorts: versions holding the
    same ids position by position are compared pair by pair, and others are
    merged in id order a run at a time (:func:`_merged`).
    """
    before, after = old.rules, new.rules
    probes = _probes(before)
    if not keep_equal and _sharing(before, after, probes):
        return _merged(before, after, shared=True)
    if len(before) == len(after) and all(before[i].id == after[i].id for i in probes):
        # When every pair is equal (so under one id) or holds one id,
        # the versions hold the same ids, pair by pair: only the few unequal
        # pairs need their ids compared.
        edited = _unequal(before, after)
        if all(a.id == b.id for a, b in edited):
            if keep_equal:
                return list(zip(before, after, strict=True)), [], []
            return edited, [], []
    return _merged(before, after, keep_equal=keep_equal)


#: How many rules, evenly spread, are looked up to tell whether two versions
#: share their rule objects (as a history's versions do).
_PROBES = 16


def _probes(rules: tuple[Rule, ...]) -> range:
    """Positions of up to ``_PROBES`` rules, evenly spread, last included."""
    return range(len(rules) - 1, -1, -max(1, len(rules) // _PROBES))


def _sharing(before: tuple[Rule, ...], after: tuple[Rule, ...], probes: range) -> bool:
    """Whether most of the probed rules of ``before`` are the very objects ``after`` holds.

    Each is looked up by id in ``after`` (a bisection, both tuples being in
    id order): a few dozen rules looked at, whatever the versions' sizes.
    """
    shared = 0
    for i in probes:
        rule = before[i]
        j = bisect.bisect_left(after, rule.id, key=_rule_id)
        shared += j < len(after) and after[j] is rule
    return shared * 2 > len(probes)


#: The fewest and the most rules :func:`_merged` compares at once.
_FIRST_RUN = 8
_LONGEST_RUN = 1 << 14


def _merged(
    before: tuple[Rule, ...],
    after: tuple[Rule, ...],
    *,
    shared: bool = False,
    keep_equal: bool = False,
) -> tuple[list[tuple[Rule, Rule]], list[Rule], list[Rule]]:
    """Return what :func:`split_rules` does, merging both tuples in id order a run at a time.

    A run starts at a pair holding one id and ends at one, a bisection by
    id finding where the pairing shifts when its last pair does not. Its
    pairs are marked in one pass at C speed: with ``shared`` (versions
    holding the same objects for unchanged rules) those that are not one
    object, else those that are not equal (the pass that finds the edits
    anyway), or with ``keep_equal`` those whose ids differ. A marked pair
    under two ids is a rule added or removed inside the run: the run ends
    there. A run that ends where it was meant to makes the next one twice
    as long. So each rule is looked at about once, however many rules a
    step adds or removes, no list of ids is built, and a run two versions
    share object for object compares equal without calling ``__eq__`` (a
    tuple compares its items by identity first).
    """
    edited: list[tuple[Rule, Rule]] = []
    removed: list[Rule] = []
    added: list[Rule] = []
    i = j = 0
    run = _FIRST_RUN
    while i < len(before) and j < len(after):
        first, second = before[i].id, after[j].id
        if first != second:
            # Added or removed: the pairs after this one are shifted.
            if first < second:
                removed.append(before[i])
                i += 1
            else:
                added.append(after[j])
                j += 1
            continue
        size = min(run, len(before) - i, len(after) - j)
        if before[i + size - 1].id != after[j + size - 1].id:
            size = _shift(before, after, i, j, size)
        olds, news = before[i : i + size], after[j : j + size]
        if keep_equal:
            differ = bytes(map(ne, map(_rule_id, olds), map(_rule_id, news)))
        elif shared:
            # A run shared object for object is equal at C speed: no pass.
            differ = b"" if olds == news else bytes(map(is_not, olds, news))
        else:
            differ = bytes(map(ne, zip(olds), zip(news)))
        at = differ.find(1)
        while at >= 0 and olds[at].id == news[at].id:
            if olds[at] != news[at]:
                edited.append((olds[at], news[at]))
            at = differ.find(1, at + 1)
        paired = size if at < 0 else at
        if keep_equal:
            edited.extend(zip(olds[:paired], news[:paired], strict=True))
        i += paired
        j += paired
        run = min(run * 2, _LONGEST_RUN) if paired == run else max(_FIRST_RUN, 2 * paired)
    removed.extend(before[i:])
    added.extend(after[j:])
    return edited, removed, added


def _shift(before: tuple[Rule, ...], after: tuple[Rule, ...], i: int, j: int, size: int) -> int:
    """Return how many pairs from ``(i, j)`` to compare: up to where the ids stop matching.

    The pairs at ``(i, j)`` hold one id and those ``size - 1`` further on do
    not: a bisection finds two neighbouring pairs, the first under one id,
    the second not. Only the ids of the pairs bisected are read.
    """
    low, high = 0, size - 1
    while high - low > 1:
        middle = (low + high) // 2
        if before[i + middle].id == after[j + middle].id:
            low = middle
        else:
            high = middle
    return high


def _unequal(olds: Sequence[Rule], news: Sequence[Rule]) -> list[tuple[Rule, Rule]]:
    """Return the pairs ``(olds[i], news[i])`` that are not equal, found in one pass at C speed.

    Each pair is compared as two one-item tuples: a tuple compares its items
    by identity first, so a rule object both sides share is not compared at
    all, and attrs' ``__eq__`` runs only for the others.
    """
    # One byte per pair, 1 where they differ: the few 1s are found by
    # ``find`` (a memchr), not by walking every pair again.
    differ = bytes(map(ne, zip(olds), zip(news)))
    pairs = []
    at = differ.find(1)
    while at >= 0:
        pairs.append((olds[at], news[at]))
        at = differ.find(1, at + 1)
    return pairs


def in_force_from_start(version: PolicyVersion, rule: Rule) -> Change:
    """Return the change that brought ``rule`` in, as far as a history can tell.

    A rule of a history's first version has no version before it: it is in
    force from that version's ``effective``, on that version's sources (or
    the rule's own, when it cites some).
    """
    from policydiff._describe import start_sentence

    appeared = _Differ(version, version)._appeared(rule)
    # No version before it: what it did to decisions has nothing to compare with.
    return attrs.evolve(appeared, description=start_sentence(version, rule), judge=None)


def rule_document(rule: Rule) -> dict[str, Any]:
    """Return a rule as a document writes it (sorted lists), for ``before``/``after``."""
    doc: dict[str, Any] = {"id": rule.id, "effect": rule.effect.value}
    if rule.subject:
        doc["subject"] = sorted(rule.subject)
    doc["action"] = sorted(rule.action)
    if rule.scope:
        doc["scope"] = {dim: sorted(values) for dim, values in rule.scope.items()}
    for dim in rule.negated:
        if dim in ("subject", "action"):
            doc[dim] = {"not": doc[dim]}
        else:
            doc["scope"][dim] = {"not": doc["scope"][dim]}
    if rule.conditions:
        doc["conditions"] = sorted(rule.conditions)
    if rule.text is not None:
        doc["text"] = rule.text
    if rule.sources:
        doc["sources"] = sorted(rule.sources)
    return doc


def _values_document(rule: Rule, dim: str, values: frozenset[str] | None) -> Any:
    """Return a rule's values on one dimension as a document writes them, or ``None``."""
    if values is None:
        return None
    return {"not": sorted(values)} if dim in rule.negated else sorted(values)


def _field_document(version: PolicyVersion, field: str) -> Any:
    value = getattr(version, field)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, When):
        return value.isoformat()
    return unstructure_field(version, field)


def _canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


class _Differ:
    """One comparison; holds what the mapping from DeepDiff needs."""

    def __init__(self, old: PolicyVersion, new: PolicyVersion, *, prefilter: bool = True) -> None:
        self.old = old
        self.new = new
        self.effective = new.effective
        #: Works out the verdict and each change's effect, when first asked.
        self.judge = Judge(old, new)
        # Setting equal rules aside is an optimisation; tests turn it off to
        # check that it never changes the answer.
        self.prefilter = prefilter
        #: The document form of each version field compared, before and after.
        self.fields: dict[str, tuple[Any, Any]] = {}

    def changes(self) -> list[Change]:
        edited, removed, added = split_rules(self.old, self.new, keep_equal=not self.prefilter)
        found: list[Change] = []
        renames = _renames(removed, added)
        new_by_id = {rule.id: rule for rule in added}
        for rule in removed:
            if rule.id in renames:
                found.append(self._renamed(rule, new_by_id[renames[rule.id]]))
        renamed_new = set(renames.values())

        # DeepDiff sees one flat mapping per side: a key per rule facet that
        # differs (see _facets and _encoded), a one-item key per rule added or removed,
        # and a text key per version field that differs. A field's value is
        # its document form as canonical JSON text: a change to a field is
        # reported for the field as a whole (what a list gained and lost is
        # read off the documents), so DeepDiff need not walk into its lists.
        t1: dict[Any, Any] = {}
        t2: dict[Any, Any] = {}
        for before_rule, after_rule in edited:
            if self.prefilter:
                before, after = _facets(before_rule, after_rule), _facets(after_rule, before_rule)
            else:
                before, after = _facets(before_rule), _facets(after_rule)
            t1.update(_encoded(before))
            t2.update(_encoded(after))
        for rule in removed:
            if rule.id not in renames:
                t1[(rule.id,)] = rule.effect.value
        for rule in added:
            if rule.id not in renamed_new:
                t2[(rule.id,)] = rule.effect.value
        for field in ("default", "conflict", *METADATA_FIELDS):
            if getattr(self.old, field) != getattr(self.new, field) or not self.prefilter:
                before, after = _field_document(self.old, field), _field_document(self.new, field)
                self.fields[field] = (before, after)
                t1[field], t2[field] = _canonical(before), _canonical(after)

        if t1 != t2:
            old_rules = {rule.id: rule for rule, _ in edited}
            old_rules.update((rule.id, rule) for rule in removed)
            new_rules = {rule.id: rule for _, rule in edited}
            new_rules.update(new_by_id)
            # Imported here, not at the top: reading and validating documents
            # never need DeepDiff, and the command line starts faster without it.
            from deepdiff import DeepDiff

            tree = DeepDiff(t1, t2, view="tree", threshold_to_diff_deeper=0)
            found.extend(self._from_tree(tree, old_rules, new_rules))
        found.sort(key=_order)
        return found

    # -- mapping DeepDiff's report ------------------------------------------

    def _from_tree(
        self, tree: Any, old_rules: dict[str, Rule], new_rules: dict[str, Rule]
    ) -> Iterator[Change]:
        scoped: set[tuple[str, str]] = set()
        conditioned: set[str] = set()
        reworded: set[str] = set()
        effect_changed: set[str] = set()
        fields: set[str] = set()

        for report, levels in tree.items():
            for level in levels:
                path = [step for step in level.path(output_format="list") if step is not None]
                key = path[0]
                if isinstance(key, str):
                    fields.add(key)
                    continue
                rule_id = key[0]
                if len(key) == 1:
                    if report == "dictionary_item_added":
                        yield self._appeared(new_rules[rule_id])
                    else:
                        yield self._disappeared(old_rules[rule_id])
                    continue
                part = key[1]
                if part == "effect":
                    effect_changed.add(rule_id)
                elif part in ("text", "sources"):
                    reworded.add(rule_id)
                elif part == "conditions":
                    conditioned.add(rule_id)
                else:
                    # subject and action sit on the rule; other dimensions in
                    # scope; values turned into exceptions, or back ("not"),
                    # are a scope change too.
                    scoped.add((rule_id, part if len(key) == 2 else key[2]))

        for rule_id in effect_changed:
            yield self._effect(old_rules[rule_id], new_rules[rule_id])
        for rule_id, dim in scoped:
            yield self._scope(old_rules[rule_id], new_rules[rule_id], dim)
        for rule_id in conditioned:
            yield from self._conditions(old_rules[rule_id], new_rules[rule_id])
        for rule_id in reworded:
            yield self._reworded(old_rules[rule_id], new_rules[rule_id])
        for field in fields:
            yield self._version_field(field)

    # -- building changes -----------------------------------------------------

    def _change(self, old_rule: Rule | None, new_rule: Rule | None, **fields: Any) -> Change:
        fields.update(effective=self.effective, judge=self.judge, policy=self.new.policy)
        # The sentence reads the change's other fields: it is worded from a
        # draft, and the change made once more with it (cheaper than evolve).
        draft = Change(description="", **fields)
        return Change(description=describe(draft, self.old, self.new, old_rule, new_rule), **fields)

    def _sources(self, version: PolicyVersion, rule: Rule | None) -> tuple[Source, ...]:
        if rule is not None and rule.sources:
            return tuple(s for s in version.sources if s.id in rule.sources)
        return version.sources

    def _appeared(self, rule: Rule) -> Change:
        permit = rule.effect is Effect.PERMIT
        return self._change(
            None,
            rule,
            kind=Kind.PERMISSION_GRANTED if permit else Kind.RESTRICTION_IMPOSED,
            direction=Direction.LOOSENED if permit else Direction.TIGHTENED,
            rule=rule.id,
            before=None,
            after=rule_document(rule),
            path=_rule_path(rule.id),
            sources=self._sources(self.new, rule),
        )

    def _disappeared(self, rule: Rule) -> Change:
        # Only the new version's own word on the removal backs it: the rule's
        # sources say why it was imposed, the version's why it changed.
        permit = rule.effect is Effect.PERMIT
        removal = self.new.removal(rule.id)
        cited = removal.sources if removal is not None else frozenset()
        return self._change(
            rule,
            None,
            kind=Kind.PERMISSION_REVOKED if permit else Kind.RESTRICTION_LIFTED,
            direction=Direction.TIGHTENED if permit else Direction.LOOSENED,
            rule=rule.id,
            before=rule_document(rule),
            after=None,
            path=_rule_path(rule.id),
            sources=tuple(s for s in self.new.sources if s.id in cited),
            note=removal.note if removal is not None else None,
        )

    def _renamed(self, old: Rule, new: Rule) -> Change:
        return self._change(
            old,
            new,
            kind=Kind.RULE_RENAMED,
            direction=Direction.NEUTRAL,
            rule=new.id,
            before=rule_document(old),
            after=rule_document(new),
            path=_rule_path(new.id),
            sources=self._sources(self.new, new),
        )

    def _effect(self, old: Rule, new: Rule) -> Change:
        if new.effect is Effect.PERMIT:
            direction = Direction.LOOSENED
        elif old.effect is Effect.PERMIT:
            direction = Direction.TIGHTENED
        else:
            direction = Direction.MIXED
        return self._change(
            old,
            new,
            kind=Kind.EFFECT_CHANGED,
            direction=direction,
            rule=new.id,
            before=old.effect.value,
            after=new.effect.value,
            path=_rule_path(new.id, "effect"),
            sources=self._sources(self.new, new),
        )

    def _scope(self, old: Rule, new: Rule, dim: str) -> Change:
        before = old.values_on(dim)
        after = new.values_on(dim)
        if self.old.holds_patterns(dim) or self.new.holds_patterns(dim):
            # Glob patterns compare by the strings they match ("s3:Get*" within "s3:*").
            lost, gained = compare_values(
                dim, (self.old, before, dim in old.negated), (self.new, after, dim in new.negated)
            )
            kind = _PATTERN_KINDS[lost, gained]
            if kind is Kind.SCOPE_CHANGED:
                direction = Direction.MIXED if lost else Direction.NEUTRAL
            else:
                direction = _direction(gained=gained, old=old, new=new)
        else:
            kind = _scope_kind(before, after, dim, self.old.vocabulary, self.new.vocabulary)
            if kind is Kind.SCOPE_CHANGED:
                same = _coverage(before or frozenset(), dim, self.old.vocabulary) == _coverage(
                    after or frozenset(), dim, self.new.vocabulary
                )
                direction = Direction.NEUTRAL if same else Direction.MIXED
            else:
                direction = _direction(gained=kind is Kind.SCOPE_BROADENED, old=old, new=new)
        if dim in ("subject", "action"):
            path = _rule_path(new.id, dim)
        else:
            path = _rule_path(new.id, "scope", dim)
        return self._change(
            old,
            new,
            kind=kind,
            direction=direction,
            rule=new.id,
            dimension=dim,
            added=(after or frozenset()) - (before or frozenset()),
            removed=(before or frozenset()) - (after or frozenset()),
            before=_values_document(old, dim, before),
            after=_values_document(new, dim, after),
            path=path,
            sources=self._sources(self.new, new),
        )

    def _conditions(self, old: Rule, new: Rule) -> Iterator[Change]:
        for kind, values in (
            (Kind.CONDITION_ADDED, new.conditions - old.conditions),
            (Kind.CONDITION_REMOVED, old.conditions - new.conditions),
        ):
            if not values:
                continue
            # A condition narrows what its rule covers: removing one widens it.
            yield self._change(
                old,
                new,
                kind=kind,
                direction=_direction(gained=kind is Kind.CONDITION_REMOVED, old=old, new=new),
                rule=new.id,
                added=values if kind is Kind.CONDITION_ADDED else (),
                removed=values if kind is Kind.CONDITION_REMOVED else (),
                before=sorted(old.conditions),
                after=sorted(new.conditions),
                path=_rule_path(new.id, "conditions"),
                sources=self._sources(self.new, new),
            )

    def _reworded(self, old: Rule, new: Rule) -> Change:
        return self._change(
            old,
            new,
            kind=Kind.RULE_REWORDED,
            direction=Direction.NEUTRAL,
            rule=new.id,
            before={"text": old.text, "sources": sorted(old.sources)},
            after={"text": new.text, "sources": sorted(new.sources)},
            path=_rule_path(new.id, "text" if old.text != new.text else "sources"),
            sources=self._sources(self.new, new),
        )

    def _version_field(self, field: str) -> Change:
        before, after = self.fields[field]
        added: frozenset[str] = frozenset()
        removed: frozenset[str] = frozenset()
        if field == "default":
            kind = Kind.DEFAULT_CHANGED
            # permit ranks above none, none above prohibit (SPEC section 11).
            loosens = _DEFAULT_RANK[self.new.default] > _DEFAULT_RANK[self.old.default]
            direction = Direction.LOOSENED if loosens else Direction.TIGHTENED
        elif field == "conflict":
            kind, direction = Kind.CONFLICT_CHANGED, Direction.MIXED
        else:
            kind, direction = Kind.METADATA_CHANGED, Direction.NEUTRAL
            added, removed = _listed_difference(field, before, after)
        return self._change(
            None,
            None,
            kind=kind,
            direction=direction,
            rule=None,
            dimension=None if field in ("default", "conflict") else field,
            added=added,
            removed=removed,
            before=before,
            after=after,
            path=f"root[{field!r}]",
            sources=self.new.sources if field in ("default", "conflict") else (),
        )


def _listed_difference(
    field: str, before: Any, after: Any
) -> tuple[frozenset[str], frozenset[str]]:
    """Return what a list-valued metadata field gained and lost, by name or id."""

    def names(value: Any) -> set[str]:
        if not isinstance(value, list):
            return set()
        if field == "sources":
            return {item["id"] for item in value}
        if field == "events":
            return {f"{item['date']}: {item['what']}" for item in value}
        return {str(item) for item in value}

    if field not in ("approved_by", "sources", "events", "open"):
        return frozenset(), frozenset()
    old, new = names(before), names(after)
    return frozenset(new - old), frozenset(old - new)


def _direction(*, gained: bool, old: Rule, new: Rule) -> Direction:
    """Return the direction of a rule covering more (``gained``) or less.

    What a rule gains takes its new effect; what it loses had its old one.
    Judging each side by its own effect keeps ``diff(b, a)`` the mirror of
    ``diff(a, b)`` even when the effect changed too.
    """
    effect = new.effect if gained else old.effect
    loosens = gained if effect is Effect.PERMIT else not gained
    return Direction.LOOSENED if loosens else Direction.TIGHTENED


def _rule_path(rule_id: str, *steps: str) -> str:
    return "root['rules']" + "".join(f"[{step!r}]" for step in (rule_id, *steps))


def _renames(removed: list[Rule], added: list[Rule]) -> dict[str, str]:
    """Pairs of (old id, new id) for rules identical but for their id."""
    if not removed or not added:
        return {}
    by_content: dict[Rule, list[str]] = defaultdict(list)
    for rule in added:
        by_content[attrs.evolve(rule, id="")].append(rule.id)
    renames = {}
    for rule in removed:
        candidates = by_content.get(attrs.evolve(rule, id=""))
        if candidates:
            renames[rule.id] = candidates.pop(0)
    return renames


def _coverage(values: frozenset[str], dim: str, vocabulary: Vocabulary) -> set[str]:
    if dim not in vocabulary.trees:
        return set(values)  # every value is a leaf of its own
    covered: set[str] = set()
    for value in values:
        covered |= vocabulary.leaf_set(dim, value)
    return covered


#: A pattern dimension's scope change by (some string lost, some string gained).
_PATTERN_KINDS = {
    (False, True): Kind.SCOPE_BROADENED,
    (True, False): Kind.SCOPE_NARROWED,
    (True, True): Kind.SCOPE_CHANGED,
    (False, False): Kind.SCOPE_CHANGED,
}


def _scope_kind(
    before: frozenset[str] | None,
    after: frozenset[str] | None,
    dim: str,
    old_vocabulary: Vocabulary,
    new_vocabulary: Vocabulary,
) -> Kind:
    if before is None:
        return Kind.SCOPE_NARROWED  # from any value to some values
    if after is None:
        return Kind.SCOPE_BROADENED  # from some values to any value
    old = _coverage(before, dim, old_vocabulary)
    new = _coverage(after, dim, new_vocabulary)
    if old < new:
        return Kind.SCOPE_BROADENED
    if new < old:
        return Kind.SCOPE_NARROWED
    return Kind.SCOPE_CHANGED


def _order(change: Change) -> tuple[bool, str, int, str]:
    return (
        change.rule is None,
        change.rule or "",
        _KIND_ORDER[change.kind],
        change.dimension or "",
    )
