"""Errors raised by policydiff.

Everything policydiff raises on purpose derives from one root::

    PolicyDiffError
    ├── DocumentError (also ValueError)   a document, history or store is bad
    │   ├── HistoryError                  versions that do not make a history
    │   └── StoreError                    a stored history (deltas) is bad
    ├── DiffError (also ValueError)       versions that cannot be compared
    ├── GitError                          git could not answer (no repository, no revision)
    └── WriteError (also OSError)         a file could not be written

A :class:`DocumentError` carries every problem found, not just the first; each
:class:`Problem` names the file, line, column and field path::

    before.yaml:14:9: rules[2].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "DiffError",
    "DocumentError",
    "GitError",
    "HistoryError",
    "PolicyDiffError",
    "Problem",
    "StoreError",
    "WriteError",
]


def visible(text: str) -> str:
    """Return ``text`` with every character a terminal would act on escaped.

    Line breaks (``\\n``, U+0085, U+2028), control characters, escape
    sequences, bidirectional overrides and lone surrogates are written as
    Python writes them in a ``repr`` (``\\n``, ``\\x1b``, ``\\u202e``), so a
    message stays one line and shows what the document holds.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with an input, and where.

    Args:
        file: The file's path as given, or ``"<string>"`` for text.
        line: 1-based line, when known.
        column: 1-based column, when known.
        path: The field path, such as ``rules[2].effect``; empty for the
            whole document.
        message: What is wrong, with what was expected and what arrived.
        hint: A next step, when one exists.
    """

    file: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        head = f"{place}: {self.path}: " if self.path else f"{place}: "
        # One problem, one line, whatever a file name or a value holds.
        return visible(head + self.message)


class PolicyDiffError(Exception):
    """The root of every error policydiff raises on purpose."""


class DocumentError(PolicyDiffError, ValueError):
    """A document (or a set of them) is not valid.

    Attributes:
        problems: Every problem found, in document order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class HistoryError(DocumentError):
    """Versions that do not form one history (mixed policies, duplicates)."""


class StoreError(DocumentError):
    """A stored history is unreadable or its deltas are not safe to apply."""


class DiffError(PolicyDiffError, ValueError):
    """Two versions that cannot be compared (different policies)."""


class GitError(PolicyDiffError):
    """git could not answer: no repository here, an unknown revision, a shallow clone.

    The message says what went wrong and what to do next.
    """


class WriteError(PolicyDiffError, OSError):
    """A file could not be written; a file it would have replaced is left as it was.

    Attributes:
        path: The file that was being written.
        reason: What the system said, such as ``No space left on device``.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(visible(f"{path}: cannot write file: {reason}"))
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.reason))
