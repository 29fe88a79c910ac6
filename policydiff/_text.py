"""Words for messages and reports: values cut short, counts, lists.

The bottom of the package: it imports nothing from policydiff, so every
layer (time, documents, the engine, the renderers) can use it.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable

__all__ = ["a_type", "describe", "joined", "plural", "shown"]

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = _short.maxtuple = _short.maxset = _short.maxfrozenset = 4
_short.maxdict = 4
_short.maxlevel = 2


def shown(value: object) -> str:
    """Return ``repr(value)`` cut short, so a hostile value cannot flood a message."""
    return _short.repr(value)


def a_type(value: object) -> str:
    """Name the type of ``value`` with its article: ``an int``, ``a str``."""
    name = type(value).__name__
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name}"


def describe(value: object) -> str:
    """Say what arrived, for a message: ``1 that is an int``."""
    return f"{shown(value)} that is {a_type(value)}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """Count a noun: ``1 change``, ``2 changes``, ``1,000 more problems``.

    Args:
        count: How many.
        one: The noun for one.
        many: The noun for any other count; ``one`` plus ``s`` by default.
    """
    noun = one if count == 1 else many or f"{one}s"
    return f"{count:,} {noun}"


def joined(values: Iterable[str], word: str = "and") -> str:
    """Join words as a sentence does, in the order given: ``a, b and c``.

    Returns an empty string for no values.
    """
    items = list(values)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
