"""A brute-force reading of SPEC sections 11 and 12, to check the engine against.

Nothing here is clever, and nothing here comes from the package's evaluator:
every function enumerates. It lists every situation of a small policy, every
truth assignment of the conditions that meet there, and reads each rule the
way the SPEC words it. It only works for small policies (a few values per
dimension, a few conditions), which is what the property tests draw.

Words quoted in the comments are the SPEC's (section 11 unless said) or the
decisions contract's (notes shared by the engine and these tests).

Outcomes use plain strings for decisions: ``"permitted"``, ``"prohibited"``,
``"undecided"``; answers over several assignments add ``"conditional"``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policydiff.model import Change, PolicyVersion, Rule

__all__ = [
    "OTHER",
    "Answer",
    "Move",
    "Outcome",
    "all_situations",
    "ancestors",
    "answer",
    "assignments",
    "below",
    "change_effect",
    "compare",
    "covers",
    "covers_value",
    "decide_many",
    "dimensions_of",
    "expand",
    "involved",
    "is_parent",
    "matches",
    "moved_situations",
    "moves",
    "named_by_tree",
    "obligation_key",
    "outcome",
    "pair_space",
    "pattern_strings",
    "relevant_dimensions",
    "timeline",
    "verdict",
    "version_space",
]

#: The stand-in for "any other value": a value that no rule and no vocabulary
#: names. "'Any other value' is one class per dimension", so one concrete
#: value that nobody names speaks for all of them.
OTHER = "(some value nobody names)"

PERMITTED, PROHIBITED, UNDECIDED = "permitted", "prohibited", "undecided"
CONDITIONAL, VARIES = "conditional", "varies"
LOOSENED, TIGHTENED = "loosened", "tightened"

#: "PROHIBITED < UNDECIDED < PERMITTED" ("`none` ranks between prohibited and
#: permitted").
RANK = {PROHIBITED: 0, UNDECIDED: 1, PERMITTED: 2}


# --- the vocabulary, read plainly --------------------------------------------


def _parents(version: PolicyVersion, dim: str) -> dict[str, str]:
    """Child -> parent in the version's own tree for ``dim``."""
    tree = version.vocabulary.trees.get(dim, {})
    return {kid: parent for parent, kids in tree.items() for kid in kids}


def is_parent(version: PolicyVersion, dim: str, value: str) -> bool:
    """Whether ``value`` has children in the version's tree ("a value covers its descendants")."""
    return bool(version.vocabulary.trees.get(dim, {}).get(value))


def ancestors(version: PolicyVersion, dim: str, value: str) -> set[str]:
    """Every value above ``value`` in the version's tree."""
    up = _parents(version, dim)
    found: set[str] = set()
    while value in up and up[value] not in found:
        value = up[value]
        found.add(value)
    return found


def named_by_tree(version: PolicyVersion, dim: str) -> set[str]:
    """Every value the version's tree for ``dim`` names, parents and children."""
    tree = version.vocabulary.trees.get(dim, {})
    return set(tree) | {kid for kids in tree.values() for kid in kids}


def below(version: PolicyVersion, dim: str, value: str) -> set[str]:
    """The values under ``value`` that are not parents themselves (its leaves)."""
    return {
        v
        for v in named_by_tree(version, dim)
        if value in ancestors(version, dim, v) and not is_parent(version, dim, v)
    }


# --- one version, one situation, one assignment ------------------------------


def dimensions_of(rule: Rule) -> dict[str, frozenset[str]]:
    """The dimensions a rule names. An empty ``subject`` names nothing ("subject is optional")."""
    dims: dict[str, frozenset[str]] = dict(rule.scope)
    dims["action"] = rule.action
    if rule.subject:
        dims["subject"] = rule.subject
    return dims


# --- pattern dimensions, read plainly --------------------------------------------
#
# The format page: a dimension listed under ``patterns`` holds glob patterns;
# "``*`` matches any run of characters (none too), ``?`` exactly one
# character, and every other character itself"; with ``case: insensitive`` "a
# letter also matches its upper- and lower-case forms". A version that does
# not list the dimension reads its values as plain strings.


@functools.cache
def _regex(pattern: str, insensitive: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        elif insensitive and char.lower() != char.upper():
            forms = {char, char.lower(), char.upper()}
            parts.append("[" + "".join(re.escape(f) for f in sorted(forms) if len(f) == 1) + "]")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def matches(version: PolicyVersion, dim: str, pattern: str, value: str) -> bool:
    """Whether ``value`` is a string ``pattern`` stands for on ``dim`` of ``version``."""
    if dim not in version.patterns:
        return pattern == value
    insensitive = version.patterns[dim].value == "insensitive"
    return _regex(pattern, insensitive).fullmatch(value) is not None


#: The character that stands for every character no pattern names.
_UNNAMED = "z"


def pattern_strings(
    versions: Iterable[PolicyVersion], dim: str, longest: int = 3, asked: Iterable[str] = ()
) -> list[str]:
    """Every string up to ``longest`` characters over the characters the patterns name.

    A letter of a case-insensitive dimension comes in both cases, and one
    more character stands for all the characters no pattern names; strings
    this short meet every class of strings that patterns of up to three
    characters tell apart. ``asked`` adds the characters of patterns a
    question names.
    """
    versions = list(versions)
    chars = {_UNNAMED} | {c for value in asked for c in value if c not in "*?"}
    for version in versions:
        insensitive = dim in version.patterns and version.patterns[dim].value == "insensitive"
        for rule in version.rules:
            for value in dimensions_of(rule).get(dim, ()):
                for char in value:
                    if char not in "*?":
                        chars |= {char, char.swapcase()} if insensitive else {char}
    alphabet = sorted(c for c in chars if len(c) == 1)
    found = {
        "".join(p) for size in range(longest + 1) for p in itertools.product(alphabet, repeat=size)
    }
    for version in versions:
        if dim not in version.patterns:
            # Where a version reads its values as plain strings, each is one.
            for rule in version.rules:
                found |= dimensions_of(rule).get(dim, frozenset())
    return sorted(found)


@functools.lru_cache(maxsize=64)
def _strings_of(version: PolicyVersion, dim: str) -> set[str]:
    """The strings of one version's pattern dimension (remembered: most-specific asks often)."""
    return set(pattern_strings([version], dim))


def _holds_patterns(versions: Iterable[PolicyVersion], dim: str) -> bool:
    return any(dim in v.patterns for v in versions)


def covers_value(version: PolicyVersion, rule: Rule, dim: str, value: str) -> bool:
    """Coverage in one dimension.

    "for each dimension it names, the situation's value is one of the rule's
    values or lies below one of them *in the version's own vocabulary*. A
    dimension the rule does not name matches any value." On a pattern
    dimension, "one of the rule's values" is a pattern matching it, and a
    ``{not: [...]}`` value covers what matches none of its patterns.
    """
    named = dimensions_of(rule)
    if dim not in named:
        return True
    if dim in version.patterns:
        matched = any(matches(version, dim, pattern, value) for pattern in named[dim])
        # {not: [...]}: "any value matching none of them".
        return not matched if dim in rule.negated else matched
    return value in named[dim] or bool(named[dim] & ancestors(version, dim, value))


def covers(version: PolicyVersion, rule: Rule, situation: Mapping[str, str]) -> bool:
    """Whether ``rule`` covers the full ``situation`` in ``version``."""
    return all(
        dim in situation and covers_value(version, rule, dim, situation[dim])
        for dim in dimensions_of(rule)
    )


def involved(version: PolicyVersion, situation: Mapping[str, str]) -> frozenset[str]:
    """The conditions involved: "those of the rules covering the situation" (contract)."""
    return frozenset(
        c for rule in version.rules if covers(version, rule, situation) for c in rule.conditions
    )


def obligation_key(rule: Rule) -> Any:
    """What identifies an obligation: "its content, not its id".

    The contract names it by the rule's ``text`` when there is one, else by a
    sentence made from the rule's content; here the content itself stands
    for that sentence (everything but ``id``, ``effect``, ``text`` and
    ``sources``).
    """
    if rule.text is not None:
        return rule.text
    return (
        "content",
        tuple(sorted(rule.subject)),
        tuple(sorted(rule.action)),
        tuple(sorted((dim, tuple(sorted(vals))) for dim, vals in rule.scope.items())),
        tuple(sorted(rule.conditions)),
        tuple(sorted(rule.negated)),
    )


@dataclass(frozen=True)
class Outcome:
    """What one version decides for one full situation under one truth assignment."""

    decision: str  # permitted | prohibited | undecided
    obligations: frozenset[Any]  # obligation keys (see obligation_key)
    deciding: frozenset[str]  # ids of the deciding permit/prohibit rules
    default: bool  # the default decided
    obliging: frozenset[str]  # ids of the applicable oblige rules
    applicable: int  # how many permit/prohibit rules apply

    @property
    def point(self) -> tuple[str, frozenset[Any]]:
        """What a user sees: the decision and its obligations (rule ids aside)."""
        return self.decision, self.obligations


def _leaf_set(version: PolicyVersion, rule: Rule, dim: str, universe: set[str]) -> frozenset[str]:
    """The rule's leaf set in ``dim`` (contract, most-specific).

    "the values of V's own space that it covers, where V's space = values that
    are not parents in V's vocabulary, plus 'any other value'; a dimension the
    rule does not name = the whole space".
    """
    space = {v for v in universe if not is_parent(version, dim, v)} | {OTHER}
    return frozenset(v for v in space if covers_value(version, rule, dim, v))


@functools.lru_cache(maxsize=4096)
def _within(version: PolicyVersion, a: Rule, b: Rule) -> bool:
    """Rule ``a`` is within rule ``b``: in every dimension, a's leaf set is a subset of b's.

    Remembered, since every situation two rules meet in asks again.
    """
    for dim in dimensions_of(a).keys() | dimensions_of(b).keys():
        universe = named_by_tree(version, dim)
        for rule in version.rules:
            universe |= dimensions_of(rule).get(dim, frozenset())
        if dim in version.patterns:
            universe = _strings_of(version, dim)
        if not _leaf_set(version, a, dim, universe) <= _leaf_set(version, b, dim, universe):
            return False
    return True


def _deciding(version: PolicyVersion, applicable: list[Rule]) -> list[Rule]:
    """The deciding rules among the applicable permit/prohibit rules (SPEC 7, contract)."""
    permits = [r for r in applicable if r.effect.value == "permit"]
    prohibits = [r for r in applicable if r.effect.value == "prohibit"]
    strategy = version.conflict.value
    if strategy == "prohibit-overrides":
        # "the applicable prohibits if any, else the applicable permits"
        return prohibits or permits
    if strategy == "permit-overrides":
        # "the applicable permits if any, else the applicable prohibits"
        return permits or prohibits
    assert strategy == "most-specific", strategy
    # "the rule whose coverage is contained in every other applicable rule's
    # wins; where none is, prohibit wins."
    most = [a for a in applicable if all(_within(version, a, b) for b in applicable if b is not a)]
    if most:
        # "when one of them is a prohibit, the deciding rules are the most
        # specific prohibits; else the most specific (permits)"
        return [r for r in most if r.effect.value == "prohibit"] or most
    return prohibits or permits


def outcome(version: PolicyVersion, situation: Mapping[str, str], holds: Iterable[str]) -> Outcome:
    """The decision of one full situation when exactly the conditions ``holds`` are true.

    "A rule applies to a situation only when the situation is covered and
    every one of its conditions holds."
    """
    true = set(holds)
    applicable = [
        r for r in version.rules if covers(version, r, situation) and r.conditions <= true
    ]
    deciders = [r for r in applicable if r.effect.value in ("permit", "prohibit")]
    obliging = [r for r in applicable if r.effect.value == "oblige"]
    chosen = _deciding(version, deciders)
    if chosen:
        decision = PERMITTED if chosen[0].effect.value == "permit" else PROHIBITED
        default = False
    else:
        # "No applicable rule means the version's default"; `none` leaves it undecided.
        decision = {"permit": PERMITTED, "prohibit": PROHIBITED, "none": UNDECIDED}[
            version.default.value
        ]
        default = True
    return Outcome(
        decision=decision,
        obligations=frozenset(obligation_key(r) for r in obliging),
        deciding=frozenset(r.id for r in chosen),
        default=default,
        obliging=frozenset(r.id for r in obliging),
        applicable=len(deciders),
    )


def assignments(conditions: Iterable[str]) -> Iterator[frozenset[str]]:
    """Every truth assignment of ``conditions``, as the set of those that hold."""
    names = sorted(set(conditions))
    for bits in itertools.product((False, True), repeat=len(names)):
        yield frozenset(n for n, bit in zip(names, bits, strict=True) if bit)


@dataclass(frozen=True)
class Answer:
    """A full situation's answer: its outcome under every assignment of the conditions involved."""

    conditions: frozenset[str]
    table: Mapping[frozenset[str], Outcome]

    def given(self, holds: Iterable[str]) -> Outcome:
        """The outcome when exactly ``holds`` are true (names not involved are ignored)."""
        return self.table[frozenset(holds) & self.conditions]

    @property
    def decision(self) -> str:
        """ "*permitted* or *prohibited* when that function is constant, and *conditional* otherwise"."""
        decisions = {o.decision for o in self.table.values()}
        return decisions.pop() if len(decisions) == 1 else CONDITIONAL

    @property
    def obligations(self) -> frozenset[Any]:
        """ "every obligation that applies under some assignment" (contract)."""
        return frozenset(k for o in self.table.values() for k in o.obligations)

    @property
    def rules(self) -> frozenset[str]:
        """ "ids of the deciding rules under any assignment" (contract)."""
        return frozenset(r for o in self.table.values() for r in o.deciding)

    @property
    def default(self) -> bool:
        """ "the default decides under some assignment" (contract)."""
        return any(o.default for o in self.table.values())

    def same_decision(self, other: Answer) -> bool:
        """Same (decision, obligations) under every assignment of both answers' conditions."""
        return all(
            self.given(h).point == other.given(h).point
            for h in assignments(self.conditions | other.conditions)
        )


def answer(version: PolicyVersion, situation: Mapping[str, str]) -> Answer:
    """The answer for one full situation."""
    conditions = involved(version, situation)
    return Answer(
        conditions=conditions,
        table={h: outcome(version, situation, h) for h in assignments(conditions)},
    )


# --- the situations of one version ------------------------------------------


def relevant_dimensions(*versions: PolicyVersion) -> list[str]:
    """Dimensions some rule names: "A dimension no rule names is irrelevant" (contract)."""
    return sorted({dim for v in versions for r in v.rules for dim in dimensions_of(r)})


def version_space(version: PolicyVersion) -> dict[str, list[str]]:
    """Per relevant dimension, one value for each class of values the version can be asked.

    "A value is a vocabulary leaf, or a value that no vocabulary names (a leaf
    of its own). 'Any other value' is one class per dimension." A dimension
    with a vocabulary is closed (SPEC 13): it has no values beyond those named.
    """
    space: dict[str, list[str]] = {}
    for dim in relevant_dimensions(version):
        if dim in version.patterns:
            space[dim] = pattern_strings([version], dim)
            continue
        named = named_by_tree(version, dim)
        for rule in version.rules:
            named |= dimensions_of(rule).get(dim, frozenset())
        values = {v for v in named if not is_parent(version, dim, v)}
        if dim not in version.vocabulary.trees:
            values.add(OTHER)
        space[dim] = sorted(values)
    return space


def all_situations(space: Mapping[str, list[str]]) -> Iterator[dict[str, str]]:
    """Every situation of a space: one value per dimension."""
    dims = sorted(space)
    for values in itertools.product(*(space[d] for d in dims)):
        yield dict(zip(dims, values, strict=True))


def expand(version: PolicyVersion, situation: Mapping[str, str]) -> list[dict[str, str]]:
    """The full situations a situation covers.

    "A situation that leaves dimensions out, or names an inner vocabulary
    value, covers many situations." Dimensions no rule names are ignored.
    """
    space = version_space(version)
    choices: dict[str, list[str]] = {}
    for dim, values in space.items():
        if dim not in situation:
            choices[dim] = values
        elif dim in version.patterns and ("*" in situation[dim] or "?" in situation[dim]):
            # A value with a wildcard asks about every string it matches.
            strings = pattern_strings([version], dim, asked=[situation[dim]])
            choices[dim] = [v for v in strings if matches(version, dim, situation[dim], v)]
        elif is_parent(version, dim, situation[dim]):
            choices[dim] = sorted(below(version, dim, situation[dim]))
        else:
            choices[dim] = [situation[dim]]
    return list(all_situations(choices))


def decide_many(
    version: PolicyVersion, situation: Mapping[str, str]
) -> tuple[str, list[tuple[dict[str, str], Answer]]]:
    """The decision of a situation covering many, with every full situation's answer.

    "when they all decide alike the answer is that one decision, otherwise it
    is `varies`".
    """
    found = [(full, answer(version, full)) for full in expand(version, situation)]
    first = found[0][1]
    if all(first.same_decision(a) for _, a in found):
        return first.decision, found
    return VARIES, found


# --- two versions --------------------------------------------------------------


def pair_space(old: PolicyVersion, new: PolicyVersion) -> dict[str, list[str]]:
    """The situation space of a pair (contract, "Judging a diff").

    "per dimension named by a rule of either version, every value that is a
    leaf in at least one of the two vocabularies (a value a vocabulary does not
    name is a leaf of its own) among all values named by either version's
    rules or trees, plus one 'any other value'."
    """
    space: dict[str, list[str]] = {}
    for dim in relevant_dimensions(old, new):
        if _holds_patterns((old, new), dim):
            space[dim] = pattern_strings((old, new), dim)
            continue
        named = named_by_tree(old, dim) | named_by_tree(new, dim)
        for version in (old, new):
            for rule in version.rules:
                named |= dimensions_of(rule).get(dim, frozenset())
        leaves = {v for v in named if not (is_parent(old, dim, v) and is_parent(new, dim, v))}
        space[dim] = sorted(leaves | {OTHER})
    return space


def compare(before: Outcome, after: Outcome) -> frozenset[str]:
    """Which ways one outcome moved: loosened, tightened, both, or neither.

    "permitted above prohibited; between two permitted outcomes, fewer
    obligations above more (obligations on a prohibited outcome do not count)".
    Obligation sets neither inside the other move both ways (contract).
    """
    if before.decision != after.decision:
        up = RANK[after.decision] > RANK[before.decision]
        return frozenset({LOOSENED if up else TIGHTENED})
    if before.decision != PERMITTED or before.obligations == after.obligations:
        return frozenset()
    found = set()
    if not before.obligations <= after.obligations:  # some obligation dropped
        found.add(LOOSENED)
    if not after.obligations <= before.obligations:  # some obligation added
        found.add(TIGHTENED)
    return frozenset(found)


@dataclass(frozen=True)
class Move:
    """One (situation, assignment) of a pair and how its outcome moved."""

    situation: Mapping[str, str]
    holds: frozenset[str]
    before: Outcome
    after: Outcome
    directions: frozenset[str]


@functools.lru_cache(maxsize=8)
def moves(old: PolicyVersion, new: PolicyVersion) -> tuple[Move, ...]:
    """Every (situation, assignment) of the pair, moved or not.

    "Compare two decisions of one situation over every truth assignment of the
    conditions involved" in either version. Remembered for the last few
    pairs, since a verdict and every change's effect read the same list.
    """
    found = []
    for situation in all_situations(pair_space(old, new)):
        conditions = involved(old, situation) | involved(new, situation)
        for holds in assignments(conditions):
            before, after = outcome(old, situation, holds), outcome(new, situation, holds)
            found.append(Move(situation, holds, before, after, compare(before, after)))
    return tuple(found)


def moved_situations(
    old: PolicyVersion, new: PolicyVersion
) -> dict[tuple[tuple[str, str], ...], frozenset[str]]:
    """Per situation (as sorted items), the union of its directions; only those that moved."""
    found: dict[tuple[tuple[str, str], ...], frozenset[str]] = {}
    for move in moves(old, new):
        if move.directions:
            key = tuple(sorted(move.situation.items()))
            found[key] = found.get(key, frozenset()) | move.directions
    return found


def _direction_word(directions: Iterable[str], *, nothing: str) -> str:
    found = set(directions)
    if not found:
        return nothing
    return found.pop() if len(found) == 1 else "mixed"


def verdict(old: PolicyVersion, new: PolicyVersion) -> str:
    """ "EQUIVALENT when no situation moved; LOOSENED/TIGHTENED when every moved
    situation moved that way; else MIXED." """
    found: set[str] = set()
    for move in moves(old, new):
        found |= move.directions
    return _direction_word(found, nothing="equivalent")


def _takes_part(outcome_: Outcome, rule_id: str) -> bool:
    """ "takes part = among the deciding rules, or an applicable oblige rule" """
    return rule_id in outcome_.deciding or rule_id in outcome_.obliging


def _rule_ids(change: Change) -> tuple[str | None, str | None]:
    """The change's rule before and after: "before: its old id; after: its new id"."""
    if change.kind.value == "rule-renamed":
        return change.before["id"], change.after["id"]
    return change.rule, change.rule


def change_effect(
    old: PolicyVersion, new: PolicyVersion, change: Change, changes: Iterable[Change]
) -> str:
    """The effect a change should carry (contract, ``Change.effect``)."""
    kind = change.kind.value
    all_moves = [m for m in moves(old, new) if m.directions]
    if change.rule is not None:
        before_id, after_id = _rule_ids(change)
        part = [
            m
            for m in all_moves
            if (before_id is not None and _takes_part(m.before, before_id))
            or (after_id is not None and _takes_part(m.after, after_id))
        ]
    elif kind == "default-changed":
        # "moved outcomes decided by default on either side"
        part = [m for m in all_moves if m.before.default or m.after.default]
    elif kind == "conflict-changed":
        # "moved outcomes where at least two permit/prohibit rules apply on a side"
        part = [m for m in all_moves if m.before.applicable >= 2 or m.after.applicable >= 2]
    elif kind == "metadata-changed" and change.dimension == "vocabulary":
        # "moved outcomes that no rule-level change takes part in"
        pairs = [_rule_ids(c) for c in changes if c.rule is not None]
        part = [
            m
            for m in all_moves
            if not any(
                (b is not None and _takes_part(m.before, b))
                or (a is not None and _takes_part(m.after, a))
                for b, a in pairs
            )
        ]
    else:
        part = []  # "other metadata -> NONE"
    return _direction_word((d for m in part for d in m.directions), nothing="none")


# --- histories -----------------------------------------------------------------


def timeline(
    versions: list[PolicyVersion], situation: Mapping[str, str]
) -> list[tuple[int, int | None]]:
    """The periods of a full situation over versions (oldest first), as index ranges.

    Each period is (index of its first version, index of the next period's
    first version or None): "consecutive versions with the same answer merged
    into one period".
    """
    answers = [answer(v, situation) for v in versions]
    starts = [0] + [
        i for i in range(1, len(versions)) if not answers[i].same_decision(answers[i - 1])
    ]
    return [(s, starts[n + 1] if n + 1 < len(starts) else None) for n, s in enumerate(starts)]
