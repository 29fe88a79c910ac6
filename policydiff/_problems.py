"""Problems found in a document, before and after they are placed in its text.

A check names a problem by its path into the parsed data (a
:class:`RawProblem`); :func:`place` then gives it the file, line and column a
reader needs (a :class:`~policydiff.errors.Problem`). A problem found while
parsing, when the line and column are already known, carries them itself.
"""

from __future__ import annotations

import attrs

from policydiff._locate import locate_many, render_path
from policydiff._parse import Format
from policydiff._text import plural
from policydiff.errors import Problem

__all__ = ["Path", "RawProblem", "capped", "place"]

#: Keys and indexes from the top of a document.
Path = tuple[str | int, ...]


@attrs.frozen
class RawProblem:
    """A problem at a path into the data, not yet placed in a file.

    Args:
        path: Keys and indexes from the top of the data.
        message: What is wrong.
        at_key: Point at the key rather than its value (unknown or missing
            keys).
        hint: A next step, when one exists.
        line: The 1-based line, when parsing already found it.
        column: The 1-based column, when parsing already found it.
    """

    path: Path
    message: str
    at_key: bool = False
    hint: str | None = None
    line: int | None = attrs.field(default=None, kw_only=True)
    column: int | None = attrs.field(default=None, kw_only=True)


def capped(
    problems: list[Problem], limit: int, name: str, *, total: int | None = None
) -> list[Problem]:
    """Return the first ``limit`` problems, and a last line counting the rest.

    Args:
        problems: The problems found (in one document, or in a folder's).
        limit: The most reported (``Limits.max_problems``).
        name: The file or folder the last line names.
        total: How many were found, when ``problems`` holds only the first.
    """
    total = len(problems) if total is None else total
    if total <= limit:
        return problems
    hidden = total - limit
    more = plural(hidden, "more problem")
    message = f"{more} not shown (at most {limit:,} are reported)"
    return [*problems[:limit], Problem(file=name, path="", message=message)]


def place(
    problems: list[RawProblem],
    *,
    text: str,
    format: Format,
    name: str,
    prefix: Path = (),
) -> list[Problem]:
    """Give each problem its file, line and column, in document order.

    Args:
        problems: The problems, with paths relative to ``prefix``.
        text: The document's text.
        format: The text's format.
        name: The file name for messages.
        prefix: Where the checked data sits inside ``text``.
    """
    to_find = [raw for raw in problems if raw.line is None]
    found = iter(locate_many(text, format, [((*prefix, *raw.path), raw.at_key) for raw in to_find]))
    placed = []
    for raw in problems:
        line, column = (raw.line, raw.column) if raw.line is not None else next(found)
        placed.append(
            Problem(
                file=name,
                path=render_path((*prefix, *raw.path)),
                message=raw.message,
                line=line,
                column=column,
                hint=raw.hint,
            )
        )
    placed.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
    return _unique(placed)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            out.append(problem)
    return out
