"""The policy model: rules, versions, sources, events, vocabularies, time.

Every class here is a frozen, keyword-only attrs class. Collections are
frozensets, tuples and read-only mappings, so versions are hashable and two
versions compare equal when their content is equal, whatever the order of
rules or values in the document they came from. Derive new versions with
:func:`attrs.evolve`.

The model does no I/O: see :func:`policydiff.load` and :func:`policydiff.dump`.
"""

from __future__ import annotations

import collections
import enum
import hashlib
import json
import operator
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from functools import cached_property
from typing import Any, TypeVar, overload

import attrs

from policydiff._text import describe, shown
from policydiff._time import Precision, When

__all__ = [
    "Case",
    "Change",
    "Conflict",
    "Decision",
    "DecisionEffect",
    "Default",
    "Direction",
    "Effect",
    "Event",
    "FrozenMap",
    "Kind",
    "PolicyVersion",
    "Precision",
    "Removal",
    "Rule",
    "Source",
    "Verdict",
    "Vocabulary",
    "When",
]

K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E", bound=enum.Enum)


class FrozenMap(Mapping[K, V]):
    """Read-only, hashable mapping; equality ignores key order.

    Iteration follows the keys' sorted order, so output built from a
    ``FrozenMap`` never depends on the order of the document or on hashing.
    """

    __slots__ = ("_data", "_hash")

    _data: dict[K, V]
    _hash: int | None

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        items = data.items() if isinstance(data, Mapping) else data
        object.__setattr__(self, "_data", dict(sorted(items, key=_first)))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    # The views of the dict held, read-only: iterating them runs at C speed,
    # where Mapping's own views would call __getitem__ once per key.
    def keys(self) -> KeysView[K]:
        return self._data.keys()

    def items(self) -> ItemsView[K, V]:
        return self._data.items()

    def values(self) -> ValuesView[V]:
        return self._data.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        return self._hash  # type: ignore[return-value]

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"{type(self).__name__} is read-only"
        raise AttributeError(msg)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))


def _first(item: tuple[Any, Any]) -> Any:
    return item[0]


class Effect(enum.Enum):
    """What a rule does to the situations it covers."""

    PERMIT = "permit"
    PROHIBIT = "prohibit"
    OBLIGE = "oblige"

    @property
    def restrictive(self) -> bool:
        """Whether the rule restricts (``prohibit`` and ``oblige`` do)."""
        return self is not Effect.PERMIT


class Default(enum.Enum):
    """The decision where no rule applies.

    ``none`` says this policy does not decide there: another layer does (as
    with IAM's implicit deny, which another policy's Allow can override).
    """

    PERMIT = "permit"
    PROHIBIT = "prohibit"
    NONE = "none"


class Decision(enum.Enum):
    """What a version decides for a situation (SPEC section 11).

    ``undecided`` is the decision of ``default: none`` where no rule applies;
    ``varies`` only answers a question that covers many situations deciding
    differently.
    """

    PERMITTED = "permitted"
    PROHIBITED = "prohibited"
    CONDITIONAL = "conditional"
    UNDECIDED = "undecided"
    VARIES = "varies"


class Verdict(enum.Enum):
    """What a diff does to the policy's decisions, taken as a whole (SPEC section 12)."""

    EQUIVALENT = "equivalent"
    LOOSENED = "loosened"
    TIGHTENED = "tightened"
    MIXED = "mixed"


class DecisionEffect(enum.Enum):
    """Which way the decisions a change takes part in moved (SPEC section 12)."""

    LOOSENED = "loosened"
    TIGHTENED = "tightened"
    MIXED = "mixed"
    NONE = "none"


class Conflict(enum.Enum):
    """How overlapping permit and prohibit rules combine (SPEC section 7)."""

    MOST_SPECIFIC = "most-specific"
    PROHIBIT_OVERRIDES = "prohibit-overrides"
    PERMIT_OVERRIDES = "permit-overrides"


class Case(enum.Enum):
    """Whether the letters of a pattern dimension's values match their other case."""

    SENSITIVE = "sensitive"
    INSENSITIVE = "insensitive"


def _member(cls: type[E], value: E | str, what: str) -> E:
    """``value`` if it is a member of ``cls``, the member it is the value of, or an error."""
    if isinstance(value, cls):
        return value
    for member in cls:
        if member.value == value:
            return member
    allowed = ", ".join(sorted(str(member.value) for member in cls))
    msg = f"unknown {what} {shown(value)} (expected one of: {allowed})"
    raise ValueError(msg)


def _effect(value: Effect | str) -> Effect:
    return _member(Effect, value, "effect")


def _default(value: Default | str) -> Default:
    return _member(Default, value, "default")


def _conflict(value: Conflict | str) -> Conflict:
    return _member(Conflict, value, "conflict strategy")


def _case(value: Case | str | Mapping[str, Any] | None) -> Case:
    if value is None:
        return Case.SENSITIVE
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"case"})
        if unknown:
            msg = f"unknown pattern option {unknown[0]!r} (expected: case)"
            raise ValueError(msg)
        chosen: Case | str = value.get("case", Case.SENSITIVE)
        return _member(Case, chosen, "case")
    return _member(Case, value, "case")


def _patterns(
    value: Mapping[str, Case | str | Mapping[str, Any] | None] | Iterable[str],
) -> FrozenMap[str, Case]:
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping):
        return FrozenMap({dim: _case(options) for dim, options in value.items()})
    return FrozenMap(dict.fromkeys(value, Case.SENSITIVE))


def _is_when(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, When) and not (value is None and attribute.default is None):
        msg = (
            f"{attribute.name!r} must be a When, such as When.parse('2024-05-30')"
            f" (got {describe(value)})"
        )
        raise TypeError(msg)


def _strings(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _values(value: str | Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)


def _scope(value: Mapping[str, str | Iterable[str]]) -> FrozenMap[str, frozenset[str]]:
    if isinstance(value, FrozenMap):
        return value
    return FrozenMap({dim: _values(vals) for dim, vals in value.items()})


@attrs.frozen(kw_only=True)
class Rule:
    """One rule: an effect on who (``subject``) does what (``action``), where.

    An empty ``subject`` and a dimension absent from ``scope`` mean any value.
    ``negated`` names the dimensions (of ``subject``, ``action`` and
    ``scope``) whose values the rule lists as exceptions: it covers the
    values that match none of them (``{not: [...]}`` in a document, such as
    IAM's ``NotAction``); only a pattern dimension may be negated.
    """

    id: str
    effect: Effect = attrs.field(converter=_effect)
    action: frozenset[str] = attrs.field(converter=_values)
    subject: frozenset[str] = attrs.field(default=frozenset(), converter=_values)
    scope: FrozenMap[str, frozenset[str]] = attrs.field(factory=FrozenMap, converter=_scope)
    conditions: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    text: str | None = None
    sources: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    negated: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)

    def __attrs_post_init__(self) -> None:
        unnamed = sorted(self.negated - self.dimensions.keys()) if self.negated else ()
        if unnamed:
            msg = f"rule {self.id!r} negates dimensions it does not name: {', '.join(unnamed)}"
            raise ValueError(msg)

    @property
    def dimensions(self) -> dict[str, frozenset[str]]:
        """Every dimension the rule names, ``subject`` and ``action`` included."""
        dims: dict[str, frozenset[str]] = {}
        if self.subject:
            dims["subject"] = self.subject
        dims["action"] = self.action
        dims.update(self.scope.items())
        return dims

    def values_on(self, dimension: str) -> frozenset[str] | None:
        """Return the rule's values on one dimension, ``None`` where it means any value.

        The same as ``dimensions.get(dimension)``, without building every dimension.
        """
        if dimension == "subject":
            return self.subject or None
        if dimension == "action":
            return self.action
        return self.scope.get(dimension)


@attrs.frozen(kw_only=True)
class Source:
    """A public source a version or rule rests on."""

    id: str
    publisher: str | None = None
    title: str | None = None
    date: When | None = None
    url: str | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class Event:
    """A step in the decision behind a version (a meeting, an approval)."""

    date: When
    what: str
    sources: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)


@attrs.frozen(kw_only=True)
class Removal:
    """Why a version removed a rule the version before it had.

    A removed rule's own sources are why it was imposed, not why it went;
    a removal names the sources (and a note) behind its going.

    Args:
        rule: The id of the rule removed.
        sources: Ids of entries in the version's ``sources``.
        note: Why, in words.
    """

    rule: str
    sources: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    note: str | None = None


def _tree(
    value: Mapping[str, Mapping[str, Iterable[str]]],
) -> FrozenMap[str, FrozenMap[str, frozenset[str]]]:
    if isinstance(value, FrozenMap):
        return value
    return FrozenMap(
        {
            dim: FrozenMap({parent: frozenset(kids) for parent, kids in tree.items()})
            for dim, tree in value.items()
        }
    )


@attrs.frozen(kw_only=True)
class Vocabulary:
    """Per dimension, a tree of values: a value covers its descendants.

    ``trees[dimension][parent]`` is the set of the parent's children; a child
    may be a parent in turn. Values the vocabulary does not name are leaves.

    >>> v = Vocabulary(trees={"territory": {"Russia": ["Belgorod Oblast"]}})
    >>> v.covers("territory", "Russia", "Belgorod Oblast")
    True
    """

    trees: FrozenMap[str, FrozenMap[str, frozenset[str]]] = attrs.field(
        factory=FrozenMap, converter=_tree
    )

    @cached_property
    def _parents(self) -> dict[str, dict[str, str]]:
        return {
            dim: {kid: parent for parent, kids in tree.items() for kid in kids}
            for dim, tree in self.trees.items()
        }

    def __bool__(self) -> bool:
        return bool(self.trees)

    def parent(self, dimension: str, value: str) -> str | None:
        """Return the value's parent in the dimension's tree, or ``None``."""
        return self._parents.get(dimension, {}).get(value)

    def ancestors(self, dimension: str, value: str) -> list[str]:
        """Return the value's ancestors, nearest first."""
        parents = self._parents.get(dimension, {})
        found: list[str] = []
        while value in parents and len(found) <= len(parents):
            value = parents[value]
            found.append(value)
        return found

    def children(self, dimension: str, value: str) -> frozenset[str]:
        """Return the value's direct children."""
        tree = self.trees.get(dimension)
        return tree.get(value, frozenset()) if tree is not None else frozenset()

    def descendants(self, dimension: str, value: str) -> set[str]:
        """Every value below ``value`` in the tree."""
        found: set[str] = set()
        stack = list(self.children(dimension, value))
        while stack:
            kid = stack.pop()
            if kid not in found:
                found.add(kid)
                stack.extend(self.children(dimension, kid))
        return found

    def leaves(self, dimension: str, value: str) -> set[str]:
        """Return the leaves ``value`` covers (itself, when it has no children)."""
        return set(self.leaf_set(dimension, value))

    @cached_property
    def _leaf_sets(self) -> dict[tuple[str, str], frozenset[str]]:
        return {}

    def leaf_set(self, dimension: str, value: str) -> frozenset[str]:
        """Return the leaves ``value`` covers, as :meth:`leaves`, worked out once per vocabulary.

        Versions that share a vocabulary (as a history's versions do) share
        what it has worked out, so comparing many changed rules walks each
        value's subtree once.
        """
        key = (dimension, value)
        found = self._leaf_sets.get(key)
        if found is None:
            below = self.descendants(dimension, value)
            found = frozenset(v for v in below if not self.children(dimension, v)) or frozenset(
                (value,)
            )
            self._leaf_sets[key] = found
        return found

    def covers(self, dimension: str, general: str, specific: str) -> bool:
        """Whether ``general`` is ``specific`` or one of its ancestors."""
        return general == specific or general in self.ancestors(dimension, specific)

    def values(self, dimension: str) -> set[str]:
        """Every value the dimension's tree names."""
        tree = self.trees.get(dimension, FrozenMap())
        return set(tree) | {kid for kids in tree.values() for kid in kids}


def _sorted_rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(sorted(value, key=lambda r: r.id))


_rule_id = operator.attrgetter("id")


def _vocabulary(value: Vocabulary | Mapping[str, Any]) -> Vocabulary:
    return value if isinstance(value, Vocabulary) else Vocabulary(trees=value)


@attrs.frozen(kw_only=True)
class PolicyVersion:
    """One version of a policy: its rules and the moment they took effect.

    ``rules`` are kept in id order, and every rule holds sets, so equality and
    hashing ignore the order a document listed rules and values in.
    ``sources`` and ``events`` keep the document's order, which their authors
    choose for the reader.

    ``open`` names the vocabulary dimensions whose rules may use values the
    vocabulary does not name; every other dimension with a vocabulary is
    closed (SPEC section 13). ``patterns`` names the dimensions whose values
    are glob patterns (``*`` any run of characters, ``?`` one character),
    each with whether letters match regardless of case; it accepts a list
    of names (case-sensitive) or a mapping of name to :class:`Case` (or
    ``{"case": "insensitive"}``). ``removals`` say why rules of the version
    before were removed, and on which sources.
    """

    policy: str
    version: str
    effective: When = attrs.field(validator=_is_when)
    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_sorted_rules)
    title: str | None = None
    summary: str | None = None
    timezone: str = "UTC"
    announced: When | None = attrs.field(default=None, validator=_is_when)
    approved_by: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    default: Default = attrs.field(default=Default.PERMIT, converter=_default)
    conflict: Conflict = attrs.field(default=Conflict.MOST_SPECIFIC, converter=_conflict)
    sources: tuple[Source, ...] = attrs.field(default=(), converter=tuple)
    events: tuple[Event, ...] = attrs.field(default=(), converter=tuple)
    vocabulary: Vocabulary = attrs.field(factory=Vocabulary, converter=_vocabulary)
    open: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    patterns: FrozenMap[str, Case] = attrs.field(factory=FrozenMap, converter=_patterns)
    removals: tuple[Removal, ...] = attrs.field(default=(), converter=tuple)
    policydiff: int = 1

    def __attrs_post_init__(self) -> None:
        ids = [rule.id for rule in self.rules]
        if len(set(ids)) != len(ids):
            dupes = sorted(i for i, n in collections.Counter(ids).items() if n > 1)
            msg = f"duplicate rule ids: {', '.join(dupes)}"
            raise ValueError(msg)
        for rule in self.rules:
            plain = sorted(rule.negated - self.patterns.keys())
            if plain:
                msg = (
                    f"rule {rule.id!r} negates {', '.join(plain)}, which the version does not"
                    " declare under 'patterns'"
                )
                raise ValueError(msg)

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        # Built at C speed: histories build one per version.
        return dict(zip(map(_rule_id, self.rules), self.rules, strict=True))

    @overload
    def rule(self, rule_id: str) -> Rule: ...
    @overload
    def rule(self, rule_id: str, default: V) -> Rule | V: ...

    def rule(self, rule_id: str, default: Any = attrs.NOTHING) -> Any:
        """Return the rule with this id.

        Raises:
            KeyError: No such rule and no ``default`` given.
        """
        try:
            return self._by_id[rule_id]
        except KeyError:
            if default is attrs.NOTHING:
                raise
            return default

    @property
    def rule_ids(self) -> frozenset[str]:
        """The ids of every rule."""
        return frozenset(self._by_id)

    def source(self, source_id: str) -> Source | None:
        """Return the source with this id, or ``None``."""
        return next((s for s in self.sources if s.id == source_id), None)

    def removal(self, rule_id: str) -> Removal | None:
        """Return what the version says about removing the rule ``rule_id``, or ``None``."""
        return next((r for r in self.removals if r.rule == rule_id), None)

    def closed(self, dimension: str) -> bool:
        """Whether rules may use on ``dimension`` only values its vocabulary names."""
        return dimension in self.vocabulary.trees and dimension not in self.open

    def holds_patterns(self, dimension: str) -> bool:
        """Whether the values of ``dimension`` are glob patterns."""
        return dimension in self.patterns


class Direction(enum.Enum):
    """Which way a change moves the policy."""

    LOOSENED = "loosened"
    TIGHTENED = "tightened"
    NEUTRAL = "neutral"
    MIXED = "mixed"


class Kind(enum.Enum):
    """What kind of change a :class:`Change` is (SPEC section 5)."""

    RESTRICTION_IMPOSED = "restriction-imposed"
    RESTRICTION_LIFTED = "restriction-lifted"
    PERMISSION_GRANTED = "permission-granted"
    PERMISSION_REVOKED = "permission-revoked"
    EFFECT_CHANGED = "effect-changed"
    SCOPE_BROADENED = "scope-broadened"
    SCOPE_NARROWED = "scope-narrowed"
    SCOPE_CHANGED = "scope-changed"
    CONDITION_ADDED = "condition-added"
    CONDITION_REMOVED = "condition-removed"
    RULE_RENAMED = "rule-renamed"
    RULE_REWORDED = "rule-reworded"
    DEFAULT_CHANGED = "default-changed"
    CONFLICT_CHANGED = "conflict-changed"
    METADATA_CHANGED = "metadata-changed"


@attrs.frozen(kw_only=True)
class Change:
    """One difference between two versions, in the policy's own terms.

    Attributes:
        kind: What happened.
        direction: Whether the policy now allows more, less, or the same.
        rule: The rule's id (the new id for a rename), or ``None`` for a
            version-level change.
        dimension: The scope dimension (``subject`` and ``action`` included)
            for scope changes, the field name for metadata changes, else
            ``None``.
        added: Values added to the dimension, or conditions added.
        removed: Values removed from the dimension, or conditions removed.
        before: The rule or field before (plain data), ``None`` if new.
        after: The rule or field after (plain data), ``None`` if gone.
        path: DeepDiff's path to what changed, such as
            ``root['rules']['kharkiv-defensive-strikes']``.
        effective: When the change took effect (the new version's
            ``effective``).
        sources: The sources that back the change.
        description: One plain sentence saying what changed.
        note: Why, when the version said so (a removal's ``note``).
        policy: The policy compared (set by :func:`policydiff.diff`).

    Its :attr:`fingerprint` names it stably, for waivers. Its :attr:`effect` says which way the decisions it takes part in moved
    (SPEC section 12), worked out on first use.
    """

    kind: Kind
    direction: Direction
    rule: str | None
    path: str
    effective: When
    description: str
    dimension: str | None = None
    added: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    removed: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    before: Any = None
    after: Any = None
    sources: tuple[Source, ...] = attrs.field(default=(), converter=tuple)
    note: str | None = None
    policy: str | None = attrs.field(default=None, eq=False)
    _judge: Any = attrs.field(default=None, eq=False, repr=False, alias="judge")

    @property
    def fingerprint(self) -> str:
        """A short hex digest naming this change across runs and machines.

        It is made of the policy, rule, kind, dimension and the sorted values
        added and removed, so it does not depend on the order of rules or
        values, nor on wording, sources or dates: a waiver written for it
        keeps matching the same change.

        >>> from policydiff._time import When
        >>> a = Change(kind=Kind.SCOPE_BROADENED, direction=Direction.LOOSENED, rule="r",
        ...            path="", effective=When.parse("2024"), description="",
        ...            dimension="weapon", added={"GMLRS", "HIMARS"}, policy="p")
        >>> b = attrs.evolve(a, added={"HIMARS", "GMLRS"}, description="other words")
        >>> a.fingerprint == b.fingerprint, len(a.fingerprint)
        (True, 16)
        """
        identity = [
            self.policy,
            self.rule,
            self.kind.value,
            self.dimension,
            sorted(self.added),
            sorted(self.removed),
        ]
        text = json.dumps(identity, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]

    @property
    def effect(self) -> DecisionEffect:
        """Which way the decisions this change takes part in moved (``none``: no decision).

        Raises:
            ValueError: The change was not made by :func:`policydiff.diff`.
        """
        if self._judge is None:
            msg = "only a change made by policydiff.diff knows its effect on decisions"
            raise ValueError(msg)
        effect: DecisionEffect = self._judge.effect(self)
        return effect

    @property
    def covered_by(self) -> tuple[str, ...]:
        """The other rules that decide the situations this change's rule covers."""
        if self._judge is None:
            return ()
        found: tuple[str, ...] = self._judge.covered_by(self)
        return found
