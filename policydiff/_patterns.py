"""The classes of values of a pattern dimension, and the words for a set of them.

The evaluator splits every dimension into classes of values that all rules
treat alike. On a dimension whose values are glob patterns (``patterns:``
in a document) the classes come from the *atoms* of the patterns that the
versions' rules name (see :mod:`policydiff._glob`): the sets of strings that
match exactly some of the patterns and none of the others. Atoms that the
same rules cover are one class; the atom of strings that match no pattern
is class 0, "any other value", which is empty when some rule names ``*``.

A version that does not declare the dimension as holding patterns reads its
values literally, so a ``*`` there is a character like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set

from policydiff._decisions import Span
from policydiff._glob import Pattern, atoms
from policydiff.model import Case, PolicyVersion

__all__ = ["PatternClasses", "any_matches", "compare_values", "compile_value", "has_wildcard"]


def has_wildcard(value: str) -> bool:
    """Whether a value of a pattern dimension stands for more than one string."""
    return "*" in value or "?" in value


def compile_value(version: PolicyVersion, dimension: str, value: str) -> Pattern:
    """Return the set of strings ``value`` stands for on ``dimension`` of ``version``."""
    case = version.patterns.get(dimension)
    if case is None:
        return Pattern(value, literal=True)
    return Pattern(value, fold=case is Case.INSENSITIVE)


def any_matches(version: PolicyVersion, dimension: str, values: Iterable[str], value: str) -> bool:
    """Whether one of a rule's ``values`` on a pattern dimension matches the string ``value``."""
    return any(compile_value(version, dimension, v).matches(value) for v in values)


def compare_values(
    dimension: str,
    old: tuple[PolicyVersion, frozenset[str] | None, bool],
    new: tuple[PolicyVersion, frozenset[str] | None, bool],
) -> tuple[bool, bool]:
    """Compare what a rule's values on a pattern dimension match, before and after.

    Args:
        dimension: The dimension.
        old: The old version, the rule's values there (``None``: the rule
            did not name the dimension, so any value) and whether they are
            exceptions (``{not: [...]}``).
        new: The same for the new version.

    Returns:
        Whether some string only the old values match, and whether some
        string only the new values match.

    Raises:
        DiffError: The patterns exceed the automaton's work budget.
    """
    sides = [
        [compile_value(version, dimension, v) for v in sorted(values)]
        if values is not None
        else [Pattern("*")]
        for version, values, _ in (old, new)
    ]
    everything = [*sides[0], *sides[1]]
    before = frozenset(range(len(sides[0])))
    after = frozenset(range(len(sides[0]), len(everything)))
    lost = gained = False
    for atom in atoms(everything):
        # A side's values cover an atom when one matches it (none, for exceptions).
        was = atom.signature.isdisjoint(before) is old[2]
        now = atom.signature.isdisjoint(after) is new[2]
        lost = lost or (was and not now)
        gained = gained or (now and not was)
    return lost, gained


class PatternClasses:
    """One pattern dimension's values, grouped into classes that every rule treats alike.

    Args:
        name: The dimension.
        versions: The versions compared (one for a question about one version).
        naming: Per version, each value a rule names and the numbers of the
            rule instances naming it.
        probes: Patterns a question asks about beyond those the rules name;
            each is split out so :meth:`mask_of` is exact for it.
        negated: The rule instances whose values on this dimension are
            exceptions (``{not: [...]}``): they cover what matches none.
    """

    def __init__(
        self,
        name: str,
        versions: Sequence[PolicyVersion],
        naming: Sequence[Mapping[str, list[int]]],
        probes: Sequence[str] = (),
        negated: Set[int] = frozenset(),
    ) -> None:
        self.name = name
        self.versions = tuple(versions)
        compiled: dict[Pattern, int] = {}
        named: list[tuple[int, list[int]]] = []
        excepting: dict[int, set[int]] = {}
        for side, names in enumerate(naming):
            for value, instances in names.items():
                pattern = compile_value(versions[side], name, value)
                index = compiled.setdefault(pattern, len(compiled))
                named.append((index, [i for i in instances if i not in negated]))
                for instance in instances:
                    if instance in negated:
                        excepting.setdefault(instance, set()).add(index)
        self._probes: dict[str, int] = {}
        for text in probes:
            pattern = compile_value(versions[0], name, text)
            self._probes[text] = compiled.setdefault(pattern, len(compiled))
        self.patterns = list(compiled)
        self.atoms = atoms(self.patterns)
        covering: dict[int, list[int]] = {}
        for index, instances in named:
            covering.setdefault(index, []).extend(instances)
        probe_indexes = frozenset(self._probes.values())
        other: tuple[tuple[int, ...], frozenset[int]] = ((), frozenset())
        keyed: dict[tuple[tuple[int, ...], frozenset[int]], list[int]] = {other: []}
        for number, atom in enumerate(self.atoms):
            covers = {i for p in atom.signature for i in covering.get(p, ())}
            covers.update(i for i, held in excepting.items() if held.isdisjoint(atom.signature))
            key = (tuple(sorted(covers)), atom.signature & probe_indexes)
            keyed.setdefault(key, []).append(number)
        ordered = [other, *sorted(k for k in keyed if k != other)]
        #: Per class, the atoms (indexes into ``atoms``) it holds.
        self.members: list[tuple[int, ...]] = [tuple(keyed[k]) for k in ordered]
        self._class: dict[frozenset[int], int] = {}
        self.masks: dict[int, int] = {}
        for number, key in enumerate(ordered):
            for held in keyed[key]:
                self._class[self.atoms[held].signature] = number
            for instance in key[0]:
                self.masks[instance] = self.masks.get(instance, 0) | 1 << number
        self.full = (1 << len(ordered)) - 1
        if not self.members[0]:
            # Some pattern (such as "*") matches every string: no "other value" exists.
            self.full &= ~1
        self._spans: dict[int, Span] = {}

    def class_of(self, value: str) -> int:
        """Return the class of one concrete string."""
        signature = frozenset(i for i, p in enumerate(self.patterns) if p.matches(value))
        return self._class[signature]

    def mask_of(self, value: str) -> int:
        """Return the classes ``value`` stands for: a pattern's (a probe), else one string's."""
        index = self._probes.get(value)
        if index is None:
            return 1 << self.class_of(value)
        mask = 0
        for atom in self.atoms:
            if index in atom.signature:
                mask |= 1 << self._class[atom.signature]
        return mask

    def span(self, mask: int) -> Span:
        """Say a class mask as patterns: ``s3:Get*`` except ``s3:GetObjectAcl``, or ..."""
        mask &= self.full
        found = self._spans.get(mask)
        if found is None:
            if mask == self.full:
                found = Span(any=True, others=True, patterns=True)
            else:
                held = {a for k in _bits(mask) for a in self.members[k]}
                inside = {a for a in held if self.atoms[a].signature}
                # The strings no pattern matches: class 0, unless a {not: ...} covers them.
                others = len(inside) < len(held)
                found = Span(
                    matching=self._terms(inside),
                    others=others,
                    left=tuple(sorted({p.text for p in self.patterns})) if others else (),
                    patterns=True,
                )
            self._spans[mask] = found
        return found

    # -- words -------------------------------------------------------------------

    def _terms(self, inside: set[int]) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """Cover exactly the atoms ``inside`` with terms "matching P except E1 or E2".

        A term made of one pattern is tried first (greedily, the one covering
        most of what is left), its exceptions being patterns that match
        nothing inside; where no such term fits, an atom is said on its own
        as the patterns it matches (all of them) except those it does not.
        """
        matching = self._matching()
        outside = {a for a, atom in enumerate(self.atoms) if atom.signature} - inside
        clear = [p for p, held in enumerate(matching) if held and held.isdisjoint(inside)]
        left = set(inside)
        terms: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        while left:
            best: tuple[tuple[int, int, str], tuple[int, ...], list[int], Set[int]] | None = None
            for p, held in enumerate(matching):
                gain = held & left
                if not gain:
                    continue
                cut = _cover(held & outside, clear, matching)
                if cut is None:
                    continue
                rank = (-len(gain), len(cut), self.patterns[p].text)
                if best is None or rank < best[0]:
                    best = (rank, (p,), cut, gain)
            if best is None:
                atom = self.atoms[min(left)]
                positives = self._fewest(atom.signature, matching)
                shared: set[int] = set.intersection(*(set(matching[p]) for p in positives))
                others = [p for p in range(len(self.patterns)) if p not in atom.signature]
                cut = _cover(shared - {min(left)}, others, matching) or []
                best = ((0, 0, ""), positives, cut, {min(left)})
            _, chosen, excepted, covered = best
            terms.append(
                (
                    tuple(sorted(self.patterns[p].text for p in chosen)),
                    tuple(sorted(self.patterns[e].text for e in excepted)),
                )
            )
            left -= covered
        return tuple(sorted(terms))

    def _matching(self) -> list[frozenset[int]]:
        """Per pattern, the atoms it matches."""
        held: list[set[int]] = [set() for _ in self.patterns]
        for number, atom in enumerate(self.atoms):
            for p in atom.signature:
                held[p].add(number)
        return [frozenset(h) for h in held]

    def _fewest(self, signature: frozenset[int], matching: list[frozenset[int]]) -> tuple[int, ...]:
        """Drop from ``signature`` each pattern that another one of it lies within."""
        kept = sorted(signature)
        for p in sorted(signature):
            if any(q != p and q in kept and matching[q] <= matching[p] for q in kept):
                kept.remove(p)
        return tuple(kept)


def _cover(
    cut: set[int] | frozenset[int], candidates: Sequence[int], matching: list[frozenset[int]]
) -> list[int] | None:
    """Choose a few ``candidates`` whose atoms together hold every atom of ``cut``, else ``None``."""
    left = set(cut)
    chosen: list[int] = []
    while left:
        best = max(candidates, key=lambda e: (len(matching[e] & left), -e), default=None)
        if best is None or not matching[best] & left:
            return None
        chosen.append(best)
        left -= matching[best]
    return chosen


def _bits(mask: int) -> list[int]:
    return [k for k in range(mask.bit_length()) if mask >> k & 1]
