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

__all__ = ["Omitted", "Path", "RawProblem", "capped", "place"]

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


@attrs.frozen(kw_only=True)
class Omitted(Problem):
    """The last line of a capped list: how many problems it does not show.

    Args:
        hidden: How many problems the line stands for, or ``None`` when the
            search stopped before finding them all.
    """

    hidden: int | None = 0


def capped(
    problems: list[Problem],
    limit: int,
    name: str,
    *,
    total: int | None = None,
    complete: bool = True,
) -> list[Problem]:
    """Return the first ``limit`` problems, and a last line counting the rest.

    Lists capped before (one per document of a folder, or per path) may be
    capped together: their own last lines count the problems they hid.

    Args:
        problems: The problems found (in one document, or in a folder's).
        limit: The most reported (``Limits.max_problems``).
        name: The file or folder the last line names.
        total: How many were found, when ``problems`` holds only the first.
        complete: ``False`` when the search stopped early, so that more
            problems exist than were counted.
    """
    shown = [p for p in problems if not isinstance(p, Omitted)]
    if complete and total is None and len(shown) <= limit:
        return problems
    found = len(shown) if total is None else total
    counts = [p.hidden for p in problems if isinstance(p, Omitted)]
    if complete and None not in counts:
        found += sum(c for c in counts if c is not None)
        if found <= limit:
            return shown
        hidden: int | None = found - limit
        more = plural(found - limit, "more problem")
    else:
        hidden, more = None, "more problems"
    message = f"{more} not shown (at most {limit:,} are reported)"
    return [*shown[:limit], Omitted(file=name, path="", message=message, hidden=hidden)]


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
