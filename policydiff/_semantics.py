"""Checks that span fields, run on a document's plain data.

cattrs checks each field's type; these check what no single field can: the
format version, unique ids, known source ids, non-empty scopes, a time zone
that exists, a vocabulary that is a tree whose closed dimensions rules keep
to (SPEC section 13), and removals that name rules this version no longer
has. They skip whatever has the wrong type, which cattrs reports on its own.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from policydiff._problems import RawProblem
from policydiff._text import shown
from policydiff._time import zone

FORMAT_VERSION = 1
#: Known source ids named in one message, at most.
_LISTED = 10
#: Unknown source ids given a "did you mean" per document, at most ...
_SUGGESTED = 100
#: ... and so many ids compared with them in all.
_COMPARED = 10_000


def check_document(
    data: dict[str, Any], *, semantic: bool = True, max_depth: int = 64
) -> list[RawProblem]:
    """Problems in a version document's plain data.

    Args:
        data: The parsed document.
        semantic: ``False`` checks only the format version (when that is
            wrong, nothing else can be judged).
        max_depth: The most levels a vocabulary tree may have.
    """
    if not semantic:
        return list(_format(data))
    return [
        *_identity(data),
        *_zone(data),
        *_rules(data),
        *_sources(data),
        *_vocabulary(data.get("vocabulary"), max_depth),
        *_discipline(data),
        *_pattern_dimensions(data),
        *_removals(data),
    ]


def _format(data: dict[str, Any]) -> Iterator[RawProblem]:
    value = data.get("policydiff", FORMAT_VERSION)
    if value != FORMAT_VERSION or isinstance(value, bool):
        yield RawProblem(
            ("policydiff",),
            f"unsupported format version {shown(value)} (this release reads {FORMAT_VERSION})",
            hint="upgrade policydiff to read newer documents",
        )


def _label(value: Any, path: tuple[str | int, ...], what: str) -> Iterator[RawProblem]:
    if isinstance(value, str) and (not value or value != value.strip()):
        yield RawProblem(
            path, f"{what} must be non-empty without surrounding white space (got {shown(value)})"
        )


def _identity(data: dict[str, Any]) -> Iterator[RawProblem]:
    yield from _label(data.get("policy"), ("policy",), "the policy id")
    yield from _label(data.get("version"), ("version",), "the version label")


#: Zone names that are abbreviations of a fixed offset or of one rule set,
#: with the geographic zone a document most likely means. "EST" is UTC-5 all
#: year, so a New York date in July read with it is an hour off.
ABBREVIATED_ZONES = {
    "EST": "America/New_York",
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST": "America/Denver",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
    "HST": "Pacific/Honolulu",
    "CET": "Europe/Paris",
    "MET": "Europe/Paris",
    "EET": "Europe/Athens",
    "WET": "Europe/Lisbon",
}


def _zone(data: dict[str, Any]) -> Iterator[RawProblem]:
    name = data.get("timezone")
    if isinstance(name, str):
        try:
            zone(name)
        except ValueError as exc:
            yield RawProblem(("timezone",), str(exc))
            return
        if name.upper() in ABBREVIATED_ZONES:
            meant = ABBREVIATED_ZONES[name.upper()]
            yield RawProblem(
                ("timezone",),
                f"{shown(name)} is an abbreviation, not a geographic zone;"
                f" name the place's zone, such as {shown(meant)}",
                hint="a Region/City zone follows the place's daylight saving time; an abbreviation may not",
            )


def _source_ids(data: dict[str, Any]) -> frozenset[str]:
    sources = data.get("sources")
    if not isinstance(sources, list):
        return frozenset()
    return frozenset(
        s["id"] for s in sources if isinstance(s, dict) and isinstance(s.get("id"), str)
    )


def normalized(name: str) -> str:
    """``name`` in Unicode's compatibility form (NFKC), to compare ids.

    Two ids that look alike (a composed é and an e with a combining accent,
    the ligature ﬁ and the letters fi, a full-width Ａ and A) are one id:
    a reviewer could not tell them apart.
    """
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def _as_written(first: str, again: str) -> str:
    return "" if first == again else f" as {shown(first)}, the same once Unicode-normalised"


def _rules(data: dict[str, Any]) -> Iterator[RawProblem]:
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    known = _Known(_source_ids(data))
    first_at: dict[str, tuple[int, str]] = {}
    # Runs once per rule of documents with 100k rules: paths are built, and
    # generators started, only where there is something to look at.
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        here: tuple[str | int, ...] = ("rules", index)
        rule_id = rule.get("id")
        if isinstance(rule_id, str):
            if not rule_id or rule_id != rule_id.strip():
                yield from _label(rule_id, (*here, "id"), "a rule id")
            first, written = first_at.setdefault(normalized(rule_id), (index, rule_id))
            if first != index:
                yield RawProblem(
                    (*here, "id"),
                    f"duplicate rule id {shown(rule_id)} (first used by rules[{first}]"
                    f"{_as_written(written, rule_id)})",
                )
        for field in ("subject", "action"):
            if rule.get(field) == []:
                yield RawProblem((*here, field), f"empty {field}: give at least one value")
        scope = rule.get("scope")
        if isinstance(scope, dict):
            for dim, values in scope.items():
                if dim in ("subject", "action"):
                    yield RawProblem(
                        (*here, "scope", dim),
                        f"{shown(dim)} is a rule field, not a scope dimension",
                        hint=f"move it up to the rule's own {shown(dim)}",
                    )
                elif values == [] or values == "":
                    yield RawProblem(
                        (*here, "scope", dim),
                        "empty scope: give at least one value, or leave the dimension out to mean any value",
                    )
        if "sources" in rule:
            yield from _refs(rule["sources"], known, (*here, "sources"))


class _Known:
    """The names a document lists (source ids, say), and what to say about an unknown one.

    Suggesting the closest id compares it with every id the document lists,
    so suggestions are looked for only while the comparisons stay within a
    budget: a hostile file of many sources and many unknown references is
    refused as quickly as any other. Beyond that, messages list known ids.
    """

    def __init__(
        self,
        ids: frozenset[str],
        *,
        noun: str = "sources",
        empty: str = " (the version lists no sources)",
    ) -> None:
        self.ids = ids
        self.noun = noun
        self.empty = empty
        self._names: list[str] | None = None
        self._said: dict[str, str] = {}

    @property
    def names(self) -> list[str]:
        if self._names is None:
            self._names = sorted(self.ids)
        return self._names

    def detail(self, ref: str) -> str:
        """Return what follows "unknown source id 'ref'" in a message."""
        if ref not in self._said:
            self._said[ref] = self._detail(ref)
        return self._said[ref]

    def _detail(self, ref: str) -> str:
        if not self.ids:
            return self.empty
        if len(self._said) < min(_SUGGESTED, _COMPARED // len(self.ids)):
            close = difflib.get_close_matches(ref, self.names, n=1)
            if close:
                return f"; did you mean {shown(close[0])}?"
        return self._listing

    @cached_property
    def _listing(self) -> str:
        listed = ", ".join(shown(name) for name in self.names[:_LISTED])
        if len(self.names) > _LISTED:
            listed += f" and {len(self.names) - _LISTED:,} more"
        return f" (known {self.noun}: {listed})"


def _refs(refs: Any, known: _Known, path: tuple[str | int, ...]) -> Iterator[RawProblem]:
    if isinstance(refs, str):
        refs = [refs]
    if not isinstance(refs, list):
        return
    for index, ref in enumerate(refs):
        if isinstance(ref, str) and ref not in known.ids:
            yield RawProblem((*path, index), f"unknown source id {shown(ref)}{known.detail(ref)}")


def _sources(data: dict[str, Any]) -> Iterator[RawProblem]:
    sources = data.get("sources")
    if isinstance(sources, list):
        seen: dict[str, tuple[int, str]] = {}
        for index, source in enumerate(sources):
            if not isinstance(source, dict):
                continue
            source_id = source.get("id")
            yield from _label(source_id, ("sources", index, "id"), "a source id")
            if isinstance(source_id, str):
                first, written = seen.setdefault(normalized(source_id), (index, source_id))
                if first != index:
                    yield RawProblem(
                        ("sources", index, "id"),
                        f"duplicate source id {shown(source_id)} (first used by sources[{first}]"
                        f"{_as_written(written, source_id)})",
                    )
    events = data.get("events")
    if isinstance(events, list):
        known = _Known(_source_ids(data))
        for index, event in enumerate(events):
            if isinstance(event, dict):
                yield from _refs(event.get("sources"), known, ("events", index, "sources"))


def _vocabulary(vocabulary: Any, max_depth: int) -> Iterator[RawProblem]:
    if not isinstance(vocabulary, dict):
        return
    for dim, tree in vocabulary.items():
        if not isinstance(tree, dict):
            continue
        parent_of: dict[str, str] = {}
        for parent, kids in tree.items():
            kids = [kids] if isinstance(kids, str) else kids
            if not isinstance(kids, list):
                continue
            for index, kid in enumerate(kids):
                if not isinstance(kid, str):
                    continue
                path = ("vocabulary", dim, parent, index)
                if kid == parent:
                    yield RawProblem(path, f"{shown(kid)} cannot be its own child")
                    continue
                if kid in parent_of and parent_of[kid] != parent:
                    yield RawProblem(
                        path,
                        f"{shown(kid)} already sits under {shown(parent_of[kid])}; a value has one parent",
                    )
                parent_of.setdefault(kid, parent)
        firsts, deep = _walk_up(tree, parent_of, max_depth)
        for first in firsts:
            yield RawProblem(
                ("vocabulary", dim, first),
                f"cycle in the vocabulary through {shown(first)}",
                at_key=True,
            )
        if deep is not None:
            yield RawProblem(
                ("vocabulary", dim, deep),
                f"{shown(deep)} has children deeper than the limit of {max_depth} levels of a vocabulary",
                at_key=True,
            )


def _walk_up(
    tree: dict[str, Any], parent_of: dict[str, str], max_depth: int
) -> tuple[list[str], str | None]:
    """Find the cycles of ``parent_of`` and the first parent too deep in the tree.

    Returns the first value (in the tree's order) of each cycle, and the
    first parent whose children lie deeper than ``max_depth`` levels, if any.
    Every value is walked up from once: a walk stops at a value an earlier
    walk passed, so a long chain costs its length, not its length squared.
    """
    walked: dict[str, int] = {}
    #: Levels from the top of the tree; absent for values on or below a cycle.
    level: dict[str, int] = {}
    firsts: list[str] = []
    deep: str | None = None
    order = {value: index for index, value in enumerate(tree)}
    for walk, start in enumerate(tree):
        path: list[str] = []
        value: str | None = start
        while value is not None and value not in walked:
            walked[value] = walk
            path.append(value)
            value = parent_of.get(value)
        if value is not None and walked[value] == walk:
            # This walk came back to itself: from there on, a cycle.
            cycle = path[path.index(value) :]
            firsts.append(min(cycle, key=order.__getitem__))
            continue
        if value is None:
            top = 0
        elif value in level:
            top = level[value]
        else:
            continue  # below a cycle, reported there
        for steps, passed in enumerate(reversed(path), start=1):
            level[passed] = top + steps
        if deep is None and top + len(path) >= max_depth:
            # The children of this walk's start lie past the limit.
            deep = start
    firsts.sort(key=order.__getitem__)
    return firsts, deep


# -- vocabulary discipline (SPEC section 13) ---------------------------------------

#: How alike two dimension names must be (difflib's ratio, ignoring case) for
#: one to be taken as a misspelling of the other.
_NEAR_DIMENSION = 0.8
_OPEN_HINT = "if other values are meant to be allowed, list the dimension under 'open'"


def vocabulary_values(vocabulary: Any) -> dict[str, frozenset[str]]:
    """Every value each dimension's tree names, from a document's plain data."""
    if not isinstance(vocabulary, dict):
        return {}
    found: dict[str, frozenset[str]] = {}
    for dim, tree in vocabulary.items():
        if not isinstance(dim, str) or not isinstance(tree, dict):
            continue
        values = {parent for parent in tree if isinstance(parent, str)}
        for kids in tree.values():
            kids = [kids] if isinstance(kids, str) else kids
            if isinstance(kids, list):
                values.update(kid for kid in kids if isinstance(kid, str))
        found[dim] = frozenset(values)
    return found


def near_dimension(name: str, dimensions: Iterator[str] | list[str]) -> str | None:
    """Return the dimension ``name`` looks like a misspelling of, or ``None``."""
    lowered = name.lower()
    best, best_ratio = None, _NEAR_DIMENSION
    for dim in dimensions:
        if dim == name:
            return None
        ratio = difflib.SequenceMatcher(None, lowered, dim.lower()).ratio()
        if ratio >= best_ratio:
            best, best_ratio = dim, ratio
    return best


class _Vocabulary:
    """The values of one closed dimension, and what to say about an unknown one."""

    def __init__(self, dimension: str, values: frozenset[str]) -> None:
        self.dimension = dimension
        self.values = values
        self._lowered: dict[str, str] | None = None
        self._names = _Known(values, noun="values", empty=" (the vocabulary names no values)")

    def problem(self, value: str, path: tuple[str | int, ...]) -> RawProblem:
        if self._lowered is None:
            self._lowered = {v.lower(): v for v in sorted(self.values)}
        same = self._lowered.get(value.lower())
        detail = f"; did you mean {shown(same)}?" if same is not None else self._names.detail(value)
        message = f"{shown(value)} is not in the vocabulary of {shown(self.dimension)}{detail}"
        return RawProblem(path, message, hint=_OPEN_HINT)


def _negations(
    rule: dict[str, Any], path: tuple[str | int, ...], declared: dict[str, Any]
) -> Iterator[RawProblem]:
    """Check a rule's ``{not: [...]}`` values: on pattern dimensions only, never empty."""
    if "negated" in rule:
        yield RawProblem(
            (*path, "negated"),
            "unknown key 'negated'",
            at_key=True,
            hint="write excepted values as {not: [patterns]} on the dimension",
        )
    places: list[tuple[str, Any, tuple[str | int, ...]]] = [
        (field, rule[field], (*path, field)) for field in ("subject", "action") if field in rule
    ]
    scope = rule.get("scope")
    if isinstance(scope, dict):
        places += [
            (dim, values, (*path, "scope", dim))
            for dim, values in scope.items()
            if isinstance(dim, str)
        ]
    for dim, values, here in places:
        if not isinstance(values, dict) or values.keys() != {"not"}:
            continue
        if dim not in declared:
            yield RawProblem(
                here,
                f"{{not: [...]}} needs a pattern dimension; {shown(dim)} is not one",
                hint=f"declare it under 'patterns' (patterns: [{dim}])",
            )
        elif values["not"] == []:
            yield RawProblem((*here, "not"), "{not: [...]} needs at least one pattern")


def declared_patterns(data: dict[str, Any]) -> dict[str, tuple[str | int, ...]]:
    """Return the dimensions a document declares as holding patterns, and where."""
    declared = data.get("patterns")
    if isinstance(declared, str):
        return {declared: ("patterns",)}
    if isinstance(declared, list):
        return {d: ("patterns", i) for i, d in enumerate(declared) if isinstance(d, str)}
    if isinstance(declared, dict):
        return {d: ("patterns", d) for d in declared if isinstance(d, str)}
    return {}


def _pattern_dimensions(data: dict[str, Any]) -> Iterator[RawProblem]:
    trees = vocabulary_values(data.get("vocabulary"))
    declared = declared_patterns(data)
    rules = data.get("rules")
    for index, rule in enumerate(rules if isinstance(rules, list) else ()):
        if isinstance(rule, dict):
            yield from _negations(rule, ("rules", index), declared)
    for dim, path in declared.items():
        if dim in trees:
            yield RawProblem(
                path,
                f"{shown(dim)} has a vocabulary, so its values are names, not patterns",
                at_key=isinstance(data.get("patterns"), dict),
                hint="a dimension holds either a vocabulary's values or glob patterns",
            )


def _discipline(data: dict[str, Any]) -> Iterator[RawProblem]:
    trees = vocabulary_values(data.get("vocabulary"))
    opened = data.get("open")
    opened = [opened] if isinstance(opened, str) else opened
    declared_open: set[str] = set()
    if isinstance(opened, list):
        for index, dim in enumerate(opened):
            if not isinstance(dim, str):
                continue
            declared_open.add(dim)
            if dim not in trees:
                close = near_dimension(dim, sorted(trees))
                detail = (
                    f"; did you mean {shown(close)}?"
                    if close
                    else " (a dimension without one is open already)"
                )
                yield RawProblem(
                    ("open", index) if isinstance(data.get("open"), list) else ("open",),
                    f"{shown(dim)} has no vocabulary{detail}",
                )
    if not trees:
        return
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    closed = {
        dim: _Vocabulary(dim, values) for dim, values in trees.items() if dim not in declared_open
    }
    names = sorted(trees)
    misspelt: dict[str, str | None] = dict.fromkeys(declared_patterns(data))
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        for field in ("subject", "action"):
            if field in closed and field in rule:
                yield from _values_in(rule[field], closed[field], ("rules", index, field))
        scope = rule.get("scope")
        if not isinstance(scope, dict):
            continue
        for dim, values in scope.items():
            if not isinstance(dim, str):
                continue
            if dim in closed:
                yield from _values_in(values, closed[dim], ("rules", index, "scope", dim))
            elif dim not in trees and dim not in ("subject", "action"):
                if dim not in misspelt:
                    misspelt[dim] = near_dimension(dim, names)
                close = misspelt[dim]
                if close is not None:
                    yield RawProblem(
                        ("rules", index, "scope", dim),
                        f"no vocabulary names the dimension {shown(dim)}; did you mean {shown(close)}?",
                        at_key=True,
                        hint="dimensions are matched by their exact names",
                    )


def _values_in(
    values: Any, vocabulary: _Vocabulary, path: tuple[str | int, ...]
) -> Iterator[RawProblem]:
    if isinstance(values, str):
        if values not in vocabulary.values:
            yield vocabulary.problem(values, path)
        return
    if not isinstance(values, list):
        return
    for index, value in enumerate(values):
        if isinstance(value, str) and value not in vocabulary.values:
            yield vocabulary.problem(value, (*path, index))


# -- removals ----------------------------------------------------------------------


def _removals(data: dict[str, Any]) -> Iterator[RawProblem]:
    removals = data.get("removals")
    if not isinstance(removals, list):
        return
    rules = data.get("rules")
    kept = {r.get("id") for r in rules if isinstance(r, dict)} if isinstance(rules, list) else set()
    known = _Known(_source_ids(data))
    seen: dict[str, int] = {}
    for index, removal in enumerate(removals):
        if not isinstance(removal, dict):
            continue
        here = ("removals", index)
        rule_id = removal.get("rule")
        if isinstance(rule_id, str):
            yield from _label(rule_id, (*here, "rule"), "a rule id")
            if rule_id in kept:
                yield RawProblem(
                    (*here, "rule"),
                    f"rule {shown(rule_id)} is still in this version's rules; a removal explains a rule that is gone",
                )
            if rule_id in seen:
                yield RawProblem(
                    (*here, "rule"),
                    f"rule {shown(rule_id)} is already explained by removals[{seen[rule_id]}]",
                )
            seen.setdefault(rule_id, index)
        if "sources" in removal:
            yield from _refs(removal["sources"], known, (*here, "sources"))
