"""Project settings for the review gate: ``[tool.policydiff]`` in ``pyproject.toml``.

The nearest ``pyproject.toml`` from the working folder up (as ruff and black
find theirs) holds them; one without a ``[tool.policydiff]`` table means no
settings. Keys: ``fail-on``, ``by``, ``format``, ``paths`` (what ``check
--base`` looks under) and ``waivers`` (the waivers file); paths are read
from the folder of ``pyproject.toml``. Options on the command line win.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import Any

import attrs

from policydiff._documents import read_text
from policydiff._locate import locate
from policydiff.errors import DocumentError, Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["Settings", "find_settings", "read_settings"]

#: Each setting's allowed values (``None``: any text).
_CHOICES: dict[str, tuple[str, ...] | None] = {
    "fail-on": ("any", "loosened", "tightened"),
    "by": ("decisions", "rules"),
    "format": ("text", "markdown", "json", "sarif", "github"),
    "waivers": None,
}
_LISTS = ("paths",)


@attrs.frozen(kw_only=True)
class Settings:
    """The gate's settings from ``pyproject.toml``; ``None`` or empty where not set.

    Attributes:
        file: The ``pyproject.toml`` they came from, if any.
        fail_on: The default ``--fail-on``.
        by: The default ``--by``.
        format: The default ``--format`` of ``check``.
        paths: What ``check --base`` looks under, from the current folder.
        waivers: The waivers file, from the current folder.
    """

    file: str | None = None
    fail_on: str | None = None
    by: str | None = None
    format: str | None = None
    paths: tuple[str, ...] = ()
    waivers: str | None = None


def find_settings(start: str | os.PathLike[str] = ".") -> Settings:
    """Return the settings of the nearest ``pyproject.toml`` at or above ``start``.

    Raises:
        DocumentError: The file is not valid TOML, or its ``[tool.policydiff]``
            holds an unknown key or a bad value.
    """
    folder = Path(os.path.abspath(start))
    for candidate in (folder, *folder.parents):
        found = candidate / "pyproject.toml"
        if found.is_file():
            return read_settings(found, relative_to=folder)
    return Settings()


def read_settings(
    path: str | os.PathLike[str], *, relative_to: str | os.PathLike[str] = "."
) -> Settings:
    """Read ``[tool.policydiff]`` of one ``pyproject.toml``.

    Args:
        path: The file.
        relative_to: The folder the returned paths are relative to.

    Raises:
        DocumentError: As for :func:`find_settings`; each problem names the
            file, the line and the key.
    """
    name = os.fspath(path)
    text = read_text(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(
            [Problem(file=name, path="", message=f"not valid TOML: {exc}")]
        ) from None
    table = data.get("tool", {}).get("policydiff") if isinstance(data.get("tool"), dict) else None
    if table is None:
        return Settings(file=name)
    problems: list[Problem] = []

    def problem(key: str | None, message: str, hint: str | None = None) -> None:
        where: tuple[str, ...] = (
            ("tool", "policydiff") if key is None else ("tool", "policydiff", key)
        )
        line, column = locate(text, "toml", where, at_key=True)
        field = ".".join(where)
        problems.append(
            Problem(file=name, path=field, message=message, line=line, column=column, hint=hint)
        )

    if not isinstance(table, dict):
        problem(None, 'expected a table of settings, such as fail-on = "loosened"')
        raise DocumentError(problems)
    known = sorted([*_CHOICES, *_LISTS])
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            message = f"unknown key {key!r}"
            message += (
                f"; did you mean {close[0]!r}?"
                if close
                else f" (expected one of: {', '.join(known)})"
            )
            problem(key, message)
        elif key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                problem(key, f'expected a list of paths, such as ["policies"] (got {value!r})')
            else:
                values[key] = value
        elif not isinstance(value, str):
            problem(key, f"expected a string (got {value!r})")
        elif (choices := _CHOICES[key]) is not None and value not in choices:
            problem(key, f"unknown value {value!r} (expected one of: {', '.join(choices)})")
        else:
            values[key] = value
    if problems:
        raise DocumentError(problems)
    base = Path(name).parent

    def near(value: str) -> str:
        return os.path.relpath(base / value, relative_to)

    return Settings(
        file=name,
        fail_on=values.get("fail-on"),
        by=values.get("by"),
        format=values.get("format"),
        paths=tuple(near(p) for p in values.get("paths", ())),
        waivers=near(values["waivers"]) if "waivers" in values else None,
    )
