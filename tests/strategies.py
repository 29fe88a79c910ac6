"""Hypothesis strategies that build random, valid policy versions.

The public face, for every test module that needs random policies:

- :func:`versions` builds one valid :class:`PolicyVersion` (optionally of a
  given policy, in a given zone, with a bounded number of rules).
- :func:`version_pairs` builds two versions of the same policy, the second
  often derived from the first by small edits, so that diffs between them
  hold every kind of change rather than "everything replaced".
- :func:`version_sequences` builds several versions of one policy with
  distinct labels and strictly increasing effective instants (a history).
- :func:`small_versions`, :func:`small_version_pairs` and
  :func:`small_histories` build tiny policies whose every situation can be
  enumerated (the decision oracle's tests).
- :func:`whens`, :func:`rules`, :func:`vocabularies`, :func:`sources` and
  :func:`events` build the parts.

Values are drawn from small alphabets (:data:`SUBJECTS`, :data:`ACTIONS`,
:data:`DIMENSIONS`, :data:`VALUES`, :data:`RULE_IDS`) so that two random
versions share rule ids and values; arbitrary text shows up now and then to
exercise quoting and escaping in every format.
"""

from __future__ import annotations

from typing import Any

import attrs
import pendulum
from hypothesis import strategies as st

from policydiff._semantics import near_dimension
from policydiff._time import absolute
from policydiff.model import (
    Case,
    Conflict,
    Default,
    Effect,
    Event,
    PolicyVersion,
    Precision,
    Removal,
    Rule,
    Source,
    Vocabulary,
    When,
)

__all__ = [
    "ACTIONS",
    "DIMENSIONS",
    "POLICIES",
    "RULE_IDS",
    "SMALL_CONDITIONS",
    "SMALL_OBLIGATIONS",
    "SMALL_VALUES",
    "SUBJECTS",
    "VALUES",
    "ZONES",
    "events",
    "free_text",
    "labels",
    "rules",
    "small_histories",
    "small_pattern_pairs",
    "small_pattern_versions",
    "small_version_pairs",
    "small_versions",
    "sources",
    "version_pairs",
    "version_sequences",
    "versions",
    "vocabularies",
    "whens",
]

POLICIES = ("us-weapons-use-ukraine", "export-controls")
#: Zones with daylight saving at odd hours, half-hour offsets and midnight
#: transitions, next to UTC.
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/Kyiv",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
)
SUBJECTS = ("Ukraine", "Poland", "NATO")
ACTIONS = ("strike", "export", "overfly")
DIMENSIONS = ("territory", "weapon", "purpose")
VALUES: dict[str, tuple[str, ...]] = {
    "territory": ("Russia", "Belgorod Oblast", "Kursk Oblast", "Crimea", "Kharkiv Oblast"),
    "weapon": ("U.S.-supplied weapons", "ATACMS", "GMLRS", "artillery"),
    "purpose": ("defensive", "counter-fire", "long-range"),
}
RULE_IDS = (
    "no-strikes-inside-russia",
    "kharkiv-defensive-strikes",
    "atacms-kursk",
    "permit:s3:GetObject",
    "r1",
)
SOURCE_IDS = ("politico-2024-05-30", "reuters-2024-05-30", "ap-2024-05-31")

_ANY_CHAR = st.characters(exclude_categories=("Cs",))


def free_text(max_size: int = 24) -> st.SearchStrategy[str]:
    """Text as a title, note or condition holds: usually plain, sometimes anything."""
    tricky = st.sampled_from(
        ("NO", "yes", "null", "~", "2024-05-30", "1e3", "0x1F", "- a", "a: b", "#x", "'q'", '"')
    )
    return st.one_of(
        st.sampled_from(("Defensive strikes allowed.", "confirmed by four officials", "")),
        tricky,
        st.text(_ANY_CHAR, max_size=max_size),
    )


def labels(common: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """A non-empty label without surrounding white space, often a common one."""
    odd = st.text(_ANY_CHAR, min_size=1, max_size=16).filter(lambda s: s == s.strip() and s)
    if not common:
        return odd
    return st.one_of(st.sampled_from(common), st.sampled_from(common), odd)


@st.composite
def whens(
    draw: st.DrawFn,
    *,
    timezone: str = "UTC",
    precisions: tuple[Precision, ...] = tuple(Precision),
) -> When:
    """A time value consistent with a document whose zone is ``timezone``.

    Year, month and day values sit in ``timezone`` at the first moment of
    their period; instants sit in ``timezone``, in another named zone or at
    a fixed offset, on either side of a clock change's repeated hour.
    """
    precision = draw(st.sampled_from(precisions))
    # Now and then a year where dates are written and zoned unusually: before
    # 1000 (four digits with leading zeros), in local mean time (Kyiv kept
    # +02:02:04 until 1924), at the ends of the range policydiff handles.
    year = draw(st.integers(1990, 2060) | st.sampled_from((2, 999, 1900, 9990)))
    month = draw(st.integers(1, 12)) if precision is not Precision.YEAR else 1
    day = draw(st.integers(1, 28)) if precision in (Precision.DAY, Precision.INSTANT) else 1
    if precision is not Precision.INSTANT:
        return When(instant=pendulum.datetime(year, month, day, tz=timezone), precision=precision)
    hour = draw(st.integers(0, 23))
    minute = draw(st.integers(0, 59))
    second = draw(st.sampled_from((0, 0, 30, 59)))
    micro = draw(st.sampled_from((0, 0, 0, 500_000, 1)))
    kind = draw(st.sampled_from(("document", "document", "fixed", "named")))
    if kind == "fixed":
        minutes = draw(st.integers(-(23 * 60 + 59), 23 * 60 + 59))
        tz: Any = pendulum.FixedTimezone(minutes * 60)
    elif kind == "named":
        tz = draw(st.sampled_from(ZONES))
    else:
        tz = timezone
    fold = draw(st.sampled_from((1, 0)))
    instant = pendulum.datetime(year, month, day, hour, minute, second, micro, tz=tz, fold=fold)
    return When(instant=instant, precision=Precision.INSTANT)


def _dimension_names() -> st.SearchStrategy[str]:
    """A scope dimension: a common one, or another that is no misspelling of one."""
    return labels(DIMENSIONS).filter(
        lambda d: (
            d not in ("subject", "action")
            and (d in DIMENSIONS or near_dimension(d, list(DIMENSIONS)) is None)
        )
    )


def disciplined(version: PolicyVersion, opened: frozenset[str] = frozenset()) -> PolicyVersion:
    """``version`` with its vocabulary dimensions opened where its rules need it.

    Random rules use values no vocabulary names; a document keeps to its
    closed dimensions (SPEC section 13), so a dimension whose rules stray is
    declared open, as its author would, and ``opened`` adds a few more.
    """
    trees = version.vocabulary.trees
    needed = set(opened & trees.keys())
    for rule in version.rules:
        for dim, values in rule.dimensions.items():
            if dim in trees and not values <= version.vocabulary.values(dim):
                needed.add(dim)
    return attrs.evolve(version, open=frozenset(needed))


def _value_sets(dimension: str) -> st.SearchStrategy[frozenset[str]]:
    pool = VALUES.get(dimension, ())
    return st.frozensets(labels(pool), min_size=1, max_size=3)


@st.composite
def scopes(draw: st.DrawFn) -> dict[str, frozenset[str]]:
    """A rule's scope: a few dimensions, each with at least one value."""
    dims = draw(
        st.lists(
            _dimension_names(),
            max_size=3,
            unique=True,
        )
    )
    return {dim: draw(_value_sets(dim)) for dim in dims}


@st.composite
def rules(draw: st.DrawFn, *, rule_id: str | None = None, source_ids: tuple[str, ...] = ()) -> Rule:
    """A valid rule, citing only ``source_ids``."""
    return Rule(
        id=rule_id if rule_id is not None else draw(labels(RULE_IDS)),
        effect=draw(st.sampled_from(Effect)),
        subject=draw(st.frozensets(labels(SUBJECTS), max_size=2)),
        action=draw(st.frozensets(labels(ACTIONS), min_size=1, max_size=2)),
        scope=draw(scopes()),
        conditions=draw(st.frozensets(free_text(), max_size=2)),
        text=draw(st.none() | free_text(60)),
        sources=draw(st.frozensets(st.sampled_from(source_ids), max_size=2))
        if source_ids
        else frozenset(),
    )


@st.composite
def vocabularies(draw: st.DrawFn) -> Vocabulary:
    """Value trees: each value has at most one parent and no value is its own ancestor."""
    trees: dict[str, dict[str, set[str]]] = {}
    for dim in draw(st.lists(st.sampled_from(DIMENSIONS), max_size=2, unique=True)):
        values = draw(st.lists(labels(VALUES.get(dim, ())), min_size=2, max_size=6, unique=True))
        tree: dict[str, set[str]] = {}
        # Each value may hang under an earlier one: that makes a forest, never a cycle.
        for index, value in enumerate(values[1:], start=1):
            parent = draw(st.none() | st.sampled_from(values[:index]))
            if parent is not None:
                tree.setdefault(parent, set()).add(value)
        if tree:
            trees[dim] = tree
    return Vocabulary(trees=trees)


@st.composite
def sources(draw: st.DrawFn, *, timezone: str = "UTC", max_size: int = 3) -> tuple[Source, ...]:
    """Sources with distinct ids."""
    ids = draw(st.lists(labels(SOURCE_IDS), max_size=max_size, unique=True))
    optional = st.none() | free_text()
    return tuple(
        Source(
            id=source_id,
            publisher=draw(optional),
            title=draw(optional),
            date=draw(st.none() | whens(timezone=timezone)),
            url=draw(
                st.none() | st.sampled_from(("https://example.org/a", "http://x.test/?q=1&r"))
            ),
            note=draw(optional),
        )
        for source_id in ids
    )


@st.composite
def events(
    draw: st.DrawFn, *, timezone: str = "UTC", source_ids: tuple[str, ...] = ()
) -> tuple[Event, ...]:
    """A version's decision steps, citing only ``source_ids``."""
    cited = (
        st.frozensets(st.sampled_from(source_ids), max_size=2)
        if source_ids
        else st.just(frozenset())
    )
    return tuple(
        draw(
            st.lists(
                st.builds(
                    Event,
                    date=whens(timezone=timezone),
                    what=free_text(),
                    sources=cited,
                ),
                max_size=3,
            )
        )
    )


@st.composite
def versions(
    draw: st.DrawFn,
    *,
    policy: str | None = None,
    timezone: str | None = None,
    min_rules: int = 0,
    max_rules: int = 6,
    metadata: bool = True,
) -> PolicyVersion:
    """A valid version.

    Args:
        policy: The policy id (random from :data:`POLICIES` if ``None``).
        timezone: The document's zone (random from :data:`ZONES` if ``None``).
        min_rules: The fewest rules.
        max_rules: The most rules.
        metadata: ``False`` leaves out sources, events, approvers, titles and
            the vocabulary, for tests that only care about rules.
    """
    zone = timezone if timezone is not None else draw(st.sampled_from(ZONES))
    found_sources = draw(sources(timezone=zone)) if metadata else ()
    source_ids = tuple(s.id for s in found_sources)
    ids = draw(st.lists(labels(RULE_IDS), min_size=min_rules, max_size=max_rules, unique=True))
    optional = st.none() | free_text()
    made = PolicyVersion(
        policy=policy if policy is not None else draw(labels(POLICIES)),
        version=draw(labels(("before-kharkiv", "kharkiv-defensive-strikes", "v1", "v2"))),
        effective=draw(whens(timezone=zone)),
        timezone=zone,
        rules=tuple(draw(rules(rule_id=rule_id, source_ids=source_ids)) for rule_id in ids),
        title=draw(optional) if metadata else None,
        summary=draw(optional) if metadata else None,
        announced=draw(st.none() | whens(timezone=zone)) if metadata else None,
        approved_by=tuple(draw(st.lists(free_text(), max_size=2))) if metadata else (),
        default=draw(st.sampled_from(Default)),
        conflict=draw(st.sampled_from(Conflict)),
        sources=found_sources,
        events=draw(events(timezone=zone, source_ids=source_ids)) if metadata else (),
        vocabulary=draw(vocabularies()) if metadata else Vocabulary(),
    )
    return disciplined(made, draw(st.frozensets(st.sampled_from(DIMENSIONS), max_size=1)))


@st.composite
def _edited_rule(draw: st.DrawFn, rule: Rule, source_ids: tuple[str, ...]) -> Rule:
    """``rule`` with one small edit: effect, a dimension, a condition or its text."""
    edit = draw(st.sampled_from(("effect", "scope", "subject", "action", "condition", "text")))
    if edit == "effect":
        return attrs.evolve(rule, effect=draw(st.sampled_from(Effect)))
    if edit == "subject":
        return attrs.evolve(rule, subject=draw(st.frozensets(labels(SUBJECTS), max_size=2)))
    if edit == "action":
        return attrs.evolve(
            rule, action=draw(st.frozensets(labels(ACTIONS), min_size=1, max_size=2))
        )
    if edit == "condition":
        return attrs.evolve(rule, conditions=rule.conditions ^ {draw(free_text())})
    if edit == "text":
        return attrs.evolve(rule, text=draw(st.none() | free_text(60)))
    scope = dict(rule.scope)
    dim = draw(_dimension_names())
    values = set(scope.get(dim, frozenset())) ^ {draw(labels(VALUES.get(dim, ())))}
    if values:
        scope[dim] = frozenset(values)
    else:
        scope.pop(dim, None)
    return attrs.evolve(rule, scope=scope)


def _later(when: When, before: When) -> When:
    """``when``, moved on by whole periods until it starts after ``before``."""
    if absolute(when.instant) <= absolute(before.instant):
        if when.precision is Precision.INSTANT:
            gap = (before.instant - when.instant).total_seconds()
            when = attrs.evolve(when, instant=when.instant.add(hours=7 * (int(gap // 25_200) + 1)))
        else:
            # Jump to the period holding ``before``, then step period by period.
            there = before.instant.in_timezone(when.instant.timezone_name)
            month = there.month if when.precision is not Precision.YEAR else 1
            day = there.day if when.precision is Precision.DAY else 1
            start = pendulum.datetime(there.year, month, day, tz=when.instant.timezone_name)
            when = attrs.evolve(when, instant=start)
    while absolute(when.instant) <= absolute(before.instant):
        if when.precision is Precision.INSTANT:
            step = when.instant.add(hours=7)
        else:
            # Start the next period afresh: in a zone whose clocks skip
            # midnight, the period's first moment is not always 00:00.
            end = when.end
            step = pendulum.datetime(end.year, end.month, end.day, tz=when.instant.timezone_name)
        when = attrs.evolve(when, instant=step)
    return when


@st.composite
def _successor(draw: st.DrawFn, old: PolicyVersion) -> PolicyVersion:
    """A later version of ``old``'s policy made by editing ``old``."""
    source_ids = tuple(s.id for s in old.sources)
    kept: list[Rule] = []
    dropped: list[str] = []
    for rule in old.rules:
        fate = draw(st.sampled_from(("keep", "keep", "edit", "edit", "drop", "rename")))
        if fate == "drop":
            dropped.append(rule.id)
        if fate == "keep":
            kept.append(rule)
        elif fate == "edit":
            kept.append(draw(_edited_rule(rule, source_ids)))
        elif fate == "rename":
            kept.append(attrs.evolve(rule, id=draw(labels(RULE_IDS))))
    added = draw(st.lists(rules(source_ids=source_ids), max_size=2))
    by_id: dict[str, Rule] = {}
    for rule in [*kept, *added]:
        by_id.setdefault(rule.id, rule)
    effective = _later(draw(whens(timezone=old.timezone)), old.effective)
    # Some removals say why, on some of the version's sources.
    cited = (
        st.frozensets(st.sampled_from(source_ids), max_size=2)
        if source_ids
        else st.just(frozenset())
    )
    removals = tuple(
        Removal(rule=rule_id, sources=draw(cited), note=draw(st.none() | free_text()))
        for rule_id in dropped
        if rule_id not in by_id and draw(st.booleans())
    )
    made = attrs.evolve(
        old,
        removals=removals,
        version=draw(
            labels(("v2", "v3", "anywhere-across-border")).filter(lambda v: v != old.version)
        ),
        effective=effective,
        rules=tuple(by_id.values()),
        default=draw(st.sampled_from((old.default, old.default, *Default))),
        conflict=draw(st.sampled_from((old.conflict, old.conflict, *Conflict))),
        summary=draw(st.sampled_from((old.summary, "Scope broadened to the whole border area."))),
    )
    return disciplined(made, old.open)


@st.composite
def version_pairs(
    draw: st.DrawFn, *, policy: str | None = None, max_rules: int = 6
) -> tuple[PolicyVersion, PolicyVersion]:
    """Two versions of one policy, with distinct labels, the second effective later.

    Usually the second is an edit of the first (rules kept, edited, dropped,
    renamed and added); sometimes it is drawn independently.
    """
    name = policy if policy is not None else draw(labels(POLICIES))
    old = draw(versions(policy=name, max_rules=max_rules))
    if draw(st.integers(0, 3)) > 0:
        return old, draw(_successor(old))
    new = draw(
        versions(policy=name, max_rules=max_rules).filter(lambda v: v.version != old.version)
    )
    return old, attrs.evolve(new, effective=_later(new.effective, old.effective))


@st.composite
def version_sequences(
    draw: st.DrawFn, *, policy: str | None = None, min_size: int = 1, max_size: int = 4
) -> list[PolicyVersion]:
    """Versions of one policy, oldest first: distinct labels, strictly later instants."""
    first = draw(versions(policy=policy))
    found = [first]
    size = draw(st.integers(min_size, max_size))
    labels_seen = {first.version}
    while len(found) < size:
        nxt = draw(_successor(found[-1]))
        label, suffix = nxt.version, 1
        while label in labels_seen:
            label, suffix = f"{nxt.version}-{suffix}", suffix + 1
        nxt = attrs.evolve(nxt, version=label)
        labels_seen.add(nxt.version)
        found.append(nxt)
    return found


# --- small policies, for tests that enumerate every situation ----------------------
#
# The decision properties compare the evaluator with a brute-force oracle that
# lists every situation and every truth assignment, so these policies stay
# tiny: two subjects, two actions, at most three scope dimensions of a few
# values each, at most three conditions. Within that, they reach every effect,
# conflict strategy and default, trees two and three levels deep that grow,
# shrink and vanish between versions, renames, shadowed rules and obligations
# that share their text.

SMALL_SUBJECTS = ("A", "B")
SMALL_ACTIONS = ("go", "stay")
#: Scope dimensions and every value they may take. "x" and "k" are named by no
#: tree shape, so they exercise values that no vocabulary names; "p" never
#: has a tree.
SMALL_VALUES: dict[str, tuple[str, ...]] = {
    "t": ("R", "R1", "R2", "R11", "R12", "x"),
    "w": ("W", "W1", "W2", "W21", "k"),
    "p": ("d", "c"),
}
#: Tree shapes per dimension: none, two levels, three levels, a leaf moved up,
#: a subtree alone. Versions of one pair draw their shapes independently, so a
#: leaf turns into a parent (R1), back again, or the whole tree disappears.
SMALL_TREES: dict[str, tuple[dict[str, tuple[str, ...]] | None, ...]] = {
    "t": (
        None,
        {"R": ("R1", "R2")},
        {"R": ("R1", "R2"), "R1": ("R11", "R12")},
        {"R": ("R1", "R2", "R11")},
        {"R1": ("R11", "R12")},
    ),
    "w": (
        None,
        {"W": ("W1", "W2")},
        {"W": ("W1", "W2"), "W2": ("W21",)},
        {"W2": ("W21", "W1")},
    ),
    "p": (None,),
}
SMALL_CONDITIONS = ("c1", "c2", "c3")
#: Obligation texts: few, so oblige rules share them.
SMALL_OBLIGATIONS = ("report the strike", "notify allies")
SMALL_RULE_IDS = ("r1", "r2", "r3", "r4", "r5", "r6", "r7")


def _tree_values(tree: dict[str, tuple[str, ...]]) -> set[str]:
    return set(tree) | {kid for kids in tree.values() for kid in kids}


def _allowed(vocabulary: dict[str, dict[str, tuple[str, ...]]], dim: str) -> tuple[str, ...]:
    """The values a rule may name: a dimension with a tree is closed (SPEC 13)."""
    if dim in vocabulary:
        return tuple(sorted(_tree_values(vocabulary[dim])))
    return SMALL_VALUES[dim]


@st.composite
def small_vocabularies(
    draw: st.DrawFn, dims: tuple[str, ...]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """A tree shape (or none) for each of ``dims``."""
    found = {}
    for dim in dims:
        shape = draw(st.sampled_from(SMALL_TREES[dim]))
        if shape is not None:
            found[dim] = shape
    return found


@st.composite
def small_rules(
    draw: st.DrawFn,
    *,
    rule_id: str,
    dims: tuple[str, ...],
    vocabulary: dict[str, dict[str, tuple[str, ...]]],
) -> Rule:
    """A rule over ``dims`` naming only values ``vocabulary`` allows."""
    effect = draw(st.sampled_from(Effect))
    scope = {}
    for dim in dims:
        if draw(st.booleans()):
            scope[dim] = draw(
                st.frozensets(st.sampled_from(_allowed(vocabulary, dim)), min_size=1, max_size=2)
            )
    if effect is Effect.OBLIGE:
        # Mostly a shared text; now and then none, so the obligation is named by its content.
        text = draw(st.sampled_from((*SMALL_OBLIGATIONS, *SMALL_OBLIGATIONS, None)))
    else:
        text = draw(st.sampled_from((None, "Wording.")))
    return Rule(
        id=rule_id,
        effect=effect,
        subject=draw(st.frozensets(st.sampled_from(SMALL_SUBJECTS), max_size=1)),
        action=draw(st.frozensets(st.sampled_from(SMALL_ACTIONS), min_size=1, max_size=2)),
        scope=scope,
        conditions=draw(st.frozensets(st.sampled_from(SMALL_CONDITIONS), max_size=2)),
        text=text,
    )


def _small_version(
    label: str,
    month: int,
    rules_: list[Rule],
    vocabulary: dict[str, dict[str, tuple[str, ...]]],
    default: Default,
    conflict: Conflict,
) -> PolicyVersion:
    return PolicyVersion(
        policy="small",
        version=label,
        effective=When(instant=pendulum.datetime(2024, month, 1), precision=Precision.MONTH),
        rules=tuple(rules_),
        default=default,
        conflict=conflict,
        vocabulary=vocabulary,
    )


@st.composite
def small_versions(draw: st.DrawFn, *, max_rules: int = 4) -> PolicyVersion:
    """A tiny version: 1-3 scope dimensions, up to ``max_rules`` rules."""
    dims = tuple(
        sorted(draw(st.sets(st.sampled_from(tuple(SMALL_VALUES)), min_size=1, max_size=3)))
    )
    vocabulary = draw(small_vocabularies(dims))
    ids = draw(
        st.lists(st.sampled_from(SMALL_RULE_IDS), min_size=1, max_size=max_rules, unique=True)
    )
    return _small_version(
        "v1",
        1,
        [draw(small_rules(rule_id=i, dims=dims, vocabulary=vocabulary)) for i in ids],
        vocabulary,
        draw(st.sampled_from(Default)),
        draw(st.sampled_from(Conflict)),
    )


def _fit(rule: Rule, vocabulary: dict[str, dict[str, tuple[str, ...]]]) -> Rule | None:
    """``rule`` keeping only values the new vocabulary allows; ``None`` if a dimension empties."""
    scope = {}
    for dim, values in rule.scope.items():
        kept = values & set(_allowed(vocabulary, dim))
        if not kept:
            return None
        scope[dim] = kept
    return attrs.evolve(rule, scope=scope)


@st.composite
def _small_successor(draw: st.DrawFn, old: PolicyVersion, label: str, month: int) -> PolicyVersion:
    """A later version made by small edits of ``old``, its tree shapes included."""
    dims = tuple(sorted({d for r in old.rules for d in r.scope} | set(old.vocabulary.trees)))
    dims = dims or (draw(st.sampled_from(tuple(SMALL_VALUES))),)
    if draw(st.booleans()):
        vocabulary = {
            d: {p: tuple(k) for p, k in t.items()} for d, t in old.vocabulary.trees.items()
        }
    else:
        vocabulary = draw(small_vocabularies(dims))
    used = {r.id for r in old.rules}
    fresh = [i for i in SMALL_RULE_IDS if i not in used]
    found: list[Rule] = []
    for rule in old.rules:
        fate = draw(st.sampled_from(("keep", "keep", "edit", "drop", "rename", "shadow")))
        if fate == "drop":
            continue
        if fate == "rename" and fresh:
            rule = attrs.evolve(rule, id=fresh.pop(0))
        elif fate == "edit":
            rule = draw(_small_edit(rule, dims, vocabulary))
        elif fate == "shadow" and fresh:
            # A copy made narrower by one more condition: redundant beside its original.
            extra = draw(st.sampled_from(SMALL_CONDITIONS))
            found.append(attrs.evolve(rule, id=fresh.pop(0), conditions=rule.conditions | {extra}))
        found.append(rule)
    for _ in range(draw(st.integers(0, 1))):
        if fresh:
            found.append(draw(small_rules(rule_id=fresh.pop(0), dims=dims, vocabulary=vocabulary)))
    fitted = [r for r in (_fit(rule, vocabulary) for rule in found) if r is not None]
    return _small_version(
        label,
        month,
        fitted,
        vocabulary,
        draw(st.sampled_from((old.default, old.default, *Default))),
        draw(st.sampled_from((old.conflict, old.conflict, *Conflict))),
    )


@st.composite
def _small_edit(
    draw: st.DrawFn,
    rule: Rule,
    dims: tuple[str, ...],
    vocabulary: dict[str, dict[str, tuple[str, ...]]],
) -> Rule:
    """``rule`` with one edit: its effect, one dimension's values, a condition or its text."""
    edit = draw(st.sampled_from(("effect", "scope", "scope", "condition", "subject", "text")))
    if edit == "effect":
        return attrs.evolve(rule, effect=draw(st.sampled_from(Effect)))
    if edit == "condition":
        return attrs.evolve(
            rule, conditions=rule.conditions ^ {draw(st.sampled_from(SMALL_CONDITIONS))}
        )
    if edit == "subject":
        return attrs.evolve(
            rule, subject=draw(st.frozensets(st.sampled_from(SMALL_SUBJECTS), max_size=1))
        )
    if edit == "text":
        return attrs.evolve(rule, text=draw(st.sampled_from((*SMALL_OBLIGATIONS, None))))
    dim = draw(st.sampled_from(dims))
    values = set(rule.scope.get(dim, frozenset())) ^ {
        draw(st.sampled_from(_allowed(vocabulary, dim)))
    }
    scope = dict(rule.scope)
    if values:
        scope[dim] = frozenset(values)
    else:
        scope.pop(dim, None)
    return attrs.evolve(rule, scope=scope)


@st.composite
def small_version_pairs(draw: st.DrawFn) -> tuple[PolicyVersion, PolicyVersion]:
    """Two tiny versions of one policy, the second an edit of the first."""
    old = draw(small_versions())
    return old, draw(_small_successor(old, "v2", 2))


@st.composite
def small_histories(
    draw: st.DrawFn, *, min_size: int = 2, max_size: int = 4
) -> list[PolicyVersion]:
    """Tiny versions of one policy, oldest first, each an edit of the one before."""
    found = [draw(small_versions())]
    for n in range(2, draw(st.integers(min_size, max_size)) + 1):
        found.append(draw(_small_successor(found[-1], f"v{n}", n)))
    return found


# --- small policies on pattern dimensions ------------------------------------------------
#
# Actions and one scope dimension ("r") hold glob patterns of at most three
# characters over "a" and "b" (and "A", for the case option to matter), so the
# oracle can list every string that tells them apart.

SMALL_PATTERNS = ("a*", "ab", "*b", "a?", "*", "b*", "ab*", "?", "A*", "*a*")
#: Patterns of dimension "r": few characters, so pairs of dimensions stay few.
SMALL_SCOPE_PATTERNS = ("a*", "?", "*")


def _small_patterns(
    patterns: tuple[str, ...] = SMALL_PATTERNS,
) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(patterns), min_size=1, max_size=2)


@st.composite
def _small_pattern_rule(draw: st.DrawFn, rule_id: str) -> Rule:
    effect = draw(st.sampled_from(Effect))
    text = draw(st.sampled_from((*SMALL_OBLIGATIONS, None))) if effect is Effect.OBLIGE else None
    scope = {"r": draw(_small_patterns(SMALL_SCOPE_PATTERNS))} if draw(st.booleans()) else {}
    return Rule(
        id=rule_id,
        effect=effect,
        action=draw(_small_patterns()),
        scope=scope,
        conditions=draw(st.frozensets(st.sampled_from(SMALL_CONDITIONS), max_size=1)),
        text=text,
        negated=draw(st.frozensets(st.sampled_from(("action", *scope)), max_size=1)),
    )


def _small_declarations() -> st.SearchStrategy[dict[str, Case]]:
    """Which dimensions hold patterns, and their case; now and then none (plain values)."""
    cases = st.sampled_from(Case)
    return st.one_of(
        st.fixed_dictionaries({"action": cases, "r": st.just(Case.SENSITIVE)}),
        st.fixed_dictionaries({"action": cases}),
        st.just({}),
    )


def _pattern_version(
    draw: st.DrawFn, label: str, month: int, rules_: list[Rule], old: PolicyVersion | None
) -> PolicyVersion:
    same = old is not None and draw(st.booleans())
    patterns = old.patterns if same and old else draw(_small_declarations())
    # Only a pattern dimension may hold exceptions ({not: [...]}).
    rules_ = [attrs.evolve(r, negated=r.negated & patterns.keys()) for r in rules_]
    return PolicyVersion(
        policy="small",
        version=label,
        effective=When(instant=pendulum.datetime(2024, month, 1), precision=Precision.MONTH),
        rules=tuple(rules_),
        default=old.default if same and old else draw(st.sampled_from(Default)),
        conflict=old.conflict if same and old else draw(st.sampled_from(Conflict)),
        patterns=patterns,
    )


@st.composite
def small_pattern_versions(draw: st.DrawFn, *, max_rules: int = 3) -> PolicyVersion:
    """A tiny version whose actions (and dimension "r") mostly hold glob patterns."""
    ids = draw(
        st.lists(st.sampled_from(SMALL_RULE_IDS), min_size=1, max_size=max_rules, unique=True)
    )
    rules_ = [draw(_small_pattern_rule(i)) for i in ids]
    return _pattern_version(draw, "v1", 1, rules_, None)


@st.composite
def small_pattern_pairs(draw: st.DrawFn) -> tuple[PolicyVersion, PolicyVersion]:
    """Two tiny pattern versions of one policy, the second an edit of the first."""
    old = draw(small_pattern_versions())
    fresh = [i for i in SMALL_RULE_IDS if old.rule(i, None) is None]
    found: list[Rule] = []
    for rule in old.rules:
        fate = draw(
            st.sampled_from(("keep", "keep", "action", "scope", "effect", "negate", "drop"))
        )
        if fate == "action":
            rule = attrs.evolve(rule, action=rule.action ^ {draw(st.sampled_from(SMALL_PATTERNS))})
            if not rule.action:
                continue
        elif fate == "scope":
            scope = (
                {"r": draw(_small_patterns(SMALL_SCOPE_PATTERNS))} if draw(st.booleans()) else {}
            )
            rule = attrs.evolve(rule, scope=scope, negated=rule.negated - {"r"})
        elif fate == "negate":
            rule = attrs.evolve(rule, negated=rule.negated ^ {"action"})
        elif fate == "effect":
            rule = attrs.evolve(rule, effect=draw(st.sampled_from(Effect)))
        elif fate == "drop":
            continue
        found.append(rule)
    if fresh and draw(st.booleans()):
        found.append(draw(_small_pattern_rule(fresh[0])))
    return old, _pattern_version(draw, "v2", 2, found, old)
