"""Glob patterns as exact sets of strings: matching, containment, atoms.

A pattern dimension (``patterns:`` in a document) holds glob patterns:
``*`` matches any run of characters (the empty one too), ``?`` exactly one
character, and every other character itself (or, with case folding, its
upper- and lower-case forms). Nothing else is special and nothing escapes.

Everything here is exact. A pattern is a small automaton over its
positions; a set of patterns is read by one automaton whose states are the
sets of (pattern, position) pairs reachable by some string, explored
breadth first. Characters that no pattern names behave alike, so one of
them stands for all, which keeps the alphabet finite. Each reachable state
tells which patterns accept the strings that lead to it, so the states'
*signatures* are exactly the non-empty *atoms* of the Boolean algebra the
patterns generate ("matches these, not those"), each with a shortest
string in it as a witness.

The exploration is bounded by :data:`MAX_STEPS`, the (pattern position,
character) steps it may take; past it a
:class:`~policydiff.errors.DiffError` names the limit instead of running on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from policydiff.errors import DiffError

__all__ = ["MAX_STEPS", "Atom", "Pattern", "atoms", "contains", "intersects"]

#: The most steps (one pattern position read against one character) taken
#: for one set of patterns: a few seconds of work.
MAX_STEPS = 2_000_000

_STAR, _ANY = "*", "?"

#: One step of a pattern: ``*``, ``?``, or the characters that match here.
Token = str | frozenset[str]


def _forms(char: str, fold: bool) -> frozenset[str]:
    """Return the characters that match ``char``: itself, and with ``fold`` its cases."""
    if not fold:
        return frozenset(char)
    forms = {char}
    for other in (char.lower(), char.upper()):
        if len(other) == 1:
            forms.add(other)
    return frozenset(forms)


class Pattern:
    """One glob pattern, compiled.

    Args:
        text: The pattern as written.
        fold: Whether letters match their upper- and lower-case forms.
        literal: Read every character as itself (``*`` and ``?`` included):
            the value of a dimension that a version does not declare as
            holding patterns.
    """

    __slots__ = ("_hash", "fold", "literal", "text", "tokens")

    def __init__(self, text: str, *, fold: bool = False, literal: bool = False) -> None:
        self.text = text
        self.fold = fold
        self.literal = literal
        tokens: list[Token] = []
        for char in text:
            if literal or char not in (_STAR, _ANY):
                tokens.append(_forms(char, fold))
            elif char == _STAR and tokens and tokens[-1] == _STAR:
                continue  # "**" matches what "*" matches
            else:
                tokens.append(char)
        self.tokens: tuple[Token, ...] = tuple(tokens)
        self._hash = hash(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and self.tokens == other.tokens

    def __hash__(self) -> int:
        return self._hash

    def matches(self, value: str) -> bool:
        """Whether the concrete string ``value`` is one the pattern matches."""
        states = _closure(self.tokens, {0})
        for char in value:
            states = _closure(self.tokens, _step(self.tokens, states, char))
            if not states:
                return False
        return len(self.tokens) in states


def _closure(tokens: tuple[Token, ...], states: Iterable[int]) -> set[int]:
    """Add the positions reachable by letting a ``*`` match nothing."""
    found = set(states)
    for position in sorted(found):
        while position < len(tokens) and tokens[position] == _STAR:
            position += 1
            found.add(position)
    return found


def _step(tokens: tuple[Token, ...], states: Iterable[int], char: str) -> set[int]:
    found = set()
    for position in states:
        if position == len(tokens):
            continue
        token = tokens[position]
        if token == _STAR:
            found.add(position)
        elif token == _ANY or char in token:
            found.add(position + 1)
    return found


class Atom:
    """A non-empty set of strings: those matching exactly the patterns of ``signature``.

    Attributes:
        signature: The indexes (into the patterns given to :func:`atoms`) of
            the patterns its strings match.
        witness: A shortest string in it.
    """

    __slots__ = ("signature", "witness")

    def __init__(self, signature: frozenset[int], witness: str) -> None:
        self.signature = signature
        self.witness = witness


def _outsider(patterns: Sequence[Pattern]) -> str:
    """Return a character that no pattern names, to stand for all such characters."""
    named = {c for p in patterns for t in p.tokens if isinstance(t, frozenset) for c in t}
    code = 0x10FFFF
    while chr(code) in named:
        code -= 1
    return chr(code)


def atoms(patterns: Sequence[Pattern], *, limit: int | None = None) -> list[Atom]:
    """Return every non-empty atom of the Boolean algebra that ``patterns`` generate.

    Each atom is the set of strings matching exactly some of the patterns
    and none of the others; together they partition all strings. The atom of
    strings matching no pattern is included when it is not empty.

    Args:
        patterns: The patterns.
        limit: The most steps to take; :data:`MAX_STEPS` when not given.

    Returns:
        The atoms, in order of their shortest witness (shortest first, then
        alphabetically).

    Raises:
        DiffError: The patterns need more than ``limit`` steps.
    """
    limit = MAX_STEPS if limit is None else limit
    tokens = [p.tokens for p in patterns]
    outsider = _outsider(patterns)
    start = frozenset(
        (i, position) for i, ts in enumerate(tokens) for position in _closure(ts, {0})
    )
    seen = {start: ""}
    queue = deque([start])
    found: dict[frozenset[int], str] = {}
    steps = 0
    while queue:
        state = queue.popleft()
        text = seen[state]
        signature = frozenset(i for i, position in state if position == len(tokens[i]))
        found.setdefault(signature, text)
        named: set[str] = set()
        for i, position in state:
            if position < len(tokens[i]):
                token = tokens[i][position]
                if isinstance(token, frozenset):
                    named |= token
        steps += len(state) * (len(named) + 1)
        if steps > limit:
            msg = (
                f"the patterns of one dimension need more than {limit:,} steps"
                " to compare; too many patterns overlap"
                " (see the limits of pattern values on the format page)"
            )
            raise DiffError(msg)
        for char in (*sorted(named), outsider):
            following = frozenset(
                (i, after)
                for i, position in state
                for after in _closure(tokens[i], _step(tokens[i], (position,), char))
            )
            if following not in seen:
                seen[following] = text + char
                queue.append(following)
    return [Atom(sig, found[sig]) for sig in sorted(found, key=lambda s: (len(found[s]), found[s]))]


def contains(outer: Pattern | Sequence[Pattern], inner: Pattern | Sequence[Pattern]) -> bool:
    """Whether every string ``inner`` matches, ``outer`` matches too.

    Args:
        outer: A pattern, or patterns read as their union.
        inner: A pattern, or patterns read as their union.

    Returns:
        ``True`` when the strings of ``inner`` are a subset of those of ``outer``.
    """
    outers = [outer] if isinstance(outer, Pattern) else list(outer)
    inners = [inner] if isinstance(inner, Pattern) else list(inner)
    inside = frozenset(range(len(outers), len(outers) + len(inners)))
    return all(
        atom.signature.isdisjoint(inside) or not atom.signature.isdisjoint(range(len(outers)))
        for atom in atoms([*outers, *inners])
    )


def intersects(one: Pattern, other: Pattern) -> bool:
    """Whether some string matches both patterns."""
    return any(atom.signature == {0, 1} for atom in atoms([one, other]))
