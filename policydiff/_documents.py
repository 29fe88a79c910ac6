"""Reading and writing version documents in YAML, JSON and TOML.

Valid documents take the fast path: the format's own parser, then the cattrs
converter. Only when something is wrong does policydiff collect every problem
(cattrs' detailed validation plus the checks that span fields) and look up
where each one is in the file, so line numbers cost nothing on valid input.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import select
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, get_args

import attrs
import yaml

from policydiff._convert import (
    reading,
    structure_problems,
    structure_version,
    unstructure_version,
)
from policydiff._locate import (
    json_duplicates,
    offset_place,
    placer,
    yaml_duplicates,
)
from policydiff._parse import Format, json_load, yaml_load, yaml_nodes
from policydiff._problems import RawProblem, capped, place
from policydiff._semantics import check_document
from policydiff._text import a_type, shown
from policydiff._time import zone
from policydiff.errors import DocumentError, Problem, WriteError
from policydiff.model import PolicyVersion

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["Format", "Limits", "dump", "dumps", "load", "loads"]

_FORMATS = frozenset(get_args(Format))
#: The formats of policydiff's own documents (others are read by importers).
NATIVE_FORMATS: tuple[Format, ...] = ("yaml", "json", "toml")
SUFFIXES: dict[str, Format] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
}


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds that keep hostile documents from costing time or memory.

    Args:
        max_bytes: The largest file read (default 64 MiB).
        max_depth: The deepest nesting of lists and mappings (default 64).
        max_nodes: The most values and keys a document may hold, YAML
            aliases expanded (default 5,000,000; stops floods of tiny
            values and "billion laughs").
        max_string: The longest string, in characters (default 100,000).
        max_problems: The most problems reported for one document (default
            1,000); a last line says how many more there were.
    """

    __module__ = "policydiff"

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 5_000_000
    max_string: int = 100_000
    max_problems: int = 1_000


DEFAULT_LIMITS = Limits()


#: Files are read in pieces of this size, never more than the limit at once.
_CHUNK = 1024 * 1024
_DEEP_BRACKETS = re.compile(r"[\[{](?:\s*[\[{]){%d}")
#: For ASCII text: opening brackets become "(", every other byte "x" ...
_OPENERS = bytes(0x28 if byte in b"[{" else 0x78 for byte in range(256))
#: ... and the ASCII characters the pattern's \s matches are dropped.
_ASCII_SPACE = bytes(byte for byte in range(128) if chr(byte).isspace())
_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def load(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> PolicyVersion:
    """Read one version document (``.yaml``, ``.yml``, ``.json`` or ``.toml``).

    Args:
        path: The document's path; its suffix picks the format.
        limits: Bounds on size and nesting.

    Returns:
        The version the document describes.

    Raises:
        DocumentError: The file is unreadable or not a valid version; the
            error lists every problem with its line, column and field.

    >>> version = policydiff.load("examples/us-ukraine-strikes/history/2024-05-30-kharkiv.yaml")
    >>> version.version
    'kharkiv-defensive-strikes'
    """
    name = os.fspath(path)
    fmt = format_of(name)
    text = read_text(name, limits)
    return loads(text, format=fmt, name=name, limits=limits)


def format_of(name: str) -> Format:
    """Return the format a file name's suffix names.

    Raises:
        DocumentError: The suffix is not one policydiff reads.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(sorted(SUFFIXES))
        message = f"unsupported file type {suffix or '(none)'!r} (expected one of: {known})"
        raise DocumentError([Problem(file=name, path="", message=message)])
    return SUFFIXES[suffix]


def read_text(name: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read a file as UTF-8 text within ``limits``.

    Raises:
        DocumentError: Unreadable, too large, binary or not UTF-8.
    """

    def fail(message: str, line: int | None = None, column: int | None = None) -> DocumentError:
        return DocumentError(
            [Problem(file=name, path="", message=message, line=line, column=column)]
        )

    too_large = f"file is larger than the limit of {limits.max_bytes:,} bytes"
    try:
        with _opened(name) as handle:
            if handle is None:
                silent = f"nothing was written to this pipe within {PIPE_WAIT:g} seconds"
                raise fail(silent)
            # The size a file claims is checked first, so a huge file costs
            # nothing; the bounded read still catches pipes and growing files.
            if os.fstat(handle.fileno()).st_size > limits.max_bytes:
                raise fail(too_large)
            chunks, size = [], 0
            while chunk := handle.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise fail(too_large)
                chunks.append(chunk)
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        raise fail(message) from None
    return decode(b"".join(chunks), name)


#: How long a named pipe may stay silent before reading it gives up.
PIPE_WAIT = 10.0


@contextlib.contextmanager
def _opened(name: str) -> Iterator[BinaryIO | None]:
    """Open a file to read; ``None`` for a named pipe that nothing writes to.

    Opening a named pipe waits, without end, for a writer: it is opened
    without waiting, then given :data:`PIPE_WAIT` seconds to have something
    to read.
    """
    if not stat.S_ISFIFO(os.stat(name).st_mode):
        with open(name, "rb") as handle:
            yield handle
        return
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)
    try:
        ready, _, _ = select.select([fd], [], [], PIPE_WAIT)
        if not ready:
            yield None
            return
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            yield handle
    finally:
        os.close(fd)


def decode(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without a byte order mark), refusing binary data."""
    if b"\x00" in data[:8192]:
        raise DocumentError(
            [Problem(file=name, path="", message="binary file, not a policy document")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        message = f"not UTF-8 text (byte 0x{byte:02x} cannot be decoded); save the file as UTF-8"
        raise DocumentError(
            [Problem(file=name, path="", message=message, line=line, column=column)]
        ) from None


def loads(
    text: str | bytes,
    *,
    format: Format = "yaml",
    name: str = "<string>",
    limits: Limits = DEFAULT_LIMITS,
) -> PolicyVersion:
    """Read one version document from text.

    Args:
        text: The document.
        format: ``"yaml"`` (the default), ``"json"`` or ``"toml"``.
        name: What to call the document in error messages.
        limits: Bounds on size and nesting.

    Raises:
        DocumentError: The text is not a valid version document.

    >>> v = policydiff.loads('''
    ... policy: demo
    ... version: v1
    ... effective: 2024-05
    ... rules:
    ...   - {id: no-export, effect: prohibit, action: export}
    ... ''')
    >>> str(v.effective)
    'May 2024'
    """
    _known_format(format, name)
    if isinstance(text, bytes):
        text = decode(text, name)
    if len(text) > limits.max_bytes:
        message = f"document is larger than the limit of {limits.max_bytes:,} bytes"
        raise DocumentError([Problem(file=name, path="", message=message)])
    # Parsing makes as many small objects as structuring does, and none in
    # cycles worth collecting mid-parse: pause the collector for both.
    with paused_collector():
        data, duplicates = parse(text, format, name, limits)
        return build(data, text=text, format=format, name=name, limits=limits, extra=duplicates)


def parse(
    text: str, fmt: Format, name: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[Any, list[RawProblem]]:
    """Parse text into plain data, with any duplicate keys found on the way.

    Raises:
        DocumentError: A syntax error, or nesting or aliases beyond ``limits``.
    """

    def fail(message: str, line: int | None = None, column: int | None = None) -> DocumentError:
        return DocumentError(
            [Problem(file=name, path="", message=message, line=line, column=column)]
        )

    screen(text, fmt, name, limits)
    duplicates: list[RawProblem] = []
    crowded = False
    try:
        if fmt == "yaml":
            crowded = yaml_nodes(text, limits.max_nodes) > limits.max_nodes
        if crowded:
            data = None
        elif fmt == "json":
            data, repeated = json_load(text)
            if repeated:
                duplicates = _json_duplicates(text)
        elif fmt == "toml":
            data = tomllib.loads(text)
        else:
            data, repeated = yaml_load(text)
            if repeated:
                duplicates = _yaml_duplicates(text)
    except RecursionError:
        raise fail(_too_deep(limits)) from None
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg}"
        raise fail(message, exc.lineno, exc.colno) from None
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_PLACE.search(str(exc))
        message = _TOML_PLACE.sub("", str(exc)).strip()
        if found:
            where: tuple[int | None, int | None] = (int(found[1]), int(found[2]))
        elif "(at end of document)" in str(exc):
            message = message.replace("(at end of document)", "at the end of the document")
            where = offset_place(text, len(text))
        else:
            where = (None, None)
        raise fail("invalid TOML: " + message, *where) from None
    except yaml.YAMLError as exc:
        raise yaml_error(exc, text, name) from None
    except ValueError as exc:
        # json and tomllib refuse integers of more digits than Python converts.
        detail = "a number with too many digits" if "digits" in str(exc) else str(exc)
        message = f"invalid {fmt.upper()}: " + " ".join(detail.split())
        raise fail(message) from None
    if crowded:
        raise fail(_too_many(limits))
    if fmt == "json" and _SURROGATE_ESCAPE.search(text):
        # JSON may spell half of a character as \ud800: no file or terminal can hold it.
        lone = _lone_surrogates(data)
        if lone:
            raise DocumentError(place(lone, text=text, format=fmt, name=name))
    if fmt == "yaml" and "*" in text:
        # Aliases may share one list many times over: count it expanded.
        problem = check_shape(data, limits, shared=True)
        if problem is not None:
            raise DocumentError(place(problem, text=text, format=fmt, name=name))
    return data, duplicates


def screen(text: str, fmt: Format, name: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse text no parser should be given: lone surrogates, deep nesting, floods.

    Raises:
        DocumentError: The text holds a lone surrogate, nests deeper than
            ``limits.max_depth`` or has more than ``limits.max_nodes`` values.
    """

    def fail(message: str, line: int | None = None, column: int | None = None) -> DocumentError:
        return DocumentError(
            [Problem(file=name, path="", message=message, line=line, column=column)]
        )

    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        # Only text given as a str can hold one: UTF-8 files cannot.
        code = f"U+{ord(surrogate[0]):04X}"
        message = f"a lone surrogate ({code}) is not a character"
        raise fail(message, *offset_place(text, surrogate.start()))
    if fmt != "toml":
        start = _deep_start(text, limits.max_depth)
        if start is not None:
            line, column = offset_place(text, start)
            raise fail(_too_deep(limits), line, column)
    if _over_budget(text, fmt, limits.max_nodes):
        raise fail(_too_many(limits))


def yaml_error(exc: yaml.YAMLError, text: str, name: str) -> DocumentError:
    """Say what PyYAML refused in ``text``, where, in one problem."""
    where: tuple[int | None, int | None] = (None, None)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(" ".join(p.split()) for p in (exc.context, exc.problem) if p)
        if mark is not None:
            where = (mark.line + 1, mark.column + 1)
        tab = _tab_at(text, mark) if mark is not None and "\t" in text else None
        if mark is not None and tab is not None:
            # PyYAML meets a tab as "a character that cannot start any token"
            # or as one "that violates indentation": either way, one cause.
            message = "tabs cannot indent YAML; use spaces"
            where = (mark.line + 1, tab + 1)
    elif isinstance(exc, yaml.reader.ReaderError):
        # A character YAML forbids (a control character, say): no mark, a position.
        message = f"{exc.reason} (found {shown(chr(exc.character))})"
        where = offset_place(text, exc.position)
    else:
        message = " ".join(str(exc).split())
    problem = Problem(
        file=name, path="", message="invalid YAML: " + message, line=where[0], column=where[1]
    )
    return DocumentError([problem])


def _tab_at(text: str, mark: Any) -> int | None:
    """Find the column of the tab in a line's indentation where YAML stopped, if any."""
    index = getattr(mark, "index", None)
    if not isinstance(index, int) or not 0 <= index <= len(text):
        return None
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", start)
    row = text[start : end if end >= 0 else len(text)]
    column = index - start
    if column < len(row) and row[column] == "\t":
        return column
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    return indent.index("\t") if "\t" in indent else None


def _lone_surrogates(data: Any) -> list[RawProblem]:
    """Every string of ``data`` (keys too) that holds half of a character."""
    found: list[RawProblem] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                if _SURROGATE.search(key):
                    found.append(RawProblem((*path, key), _SURROGATE_KEY, at_key=True))
                stack.append((inner, (*path, key)))
        elif isinstance(value, list):
            stack.extend((inner, (*path, index)) for index, inner in enumerate(value))
        elif isinstance(value, str) and _SURROGATE.search(value):
            found.append(RawProblem(path, _SURROGATE_VALUE))
    return found


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_VALUE = "holds a lone surrogate escape (half of a character, such as \\ud800)"
_SURROGATE_KEY = "key holds a lone surrogate escape (half of a character, such as \\ud800)"


def _json_duplicates(text: str) -> list[RawProblem]:
    problems = []
    place = placer(text)
    for path, key, offset, first in json_duplicates(text):
        line, column = place(offset)
        message = f"duplicate key {shown(key)} (first at line {place(first)[0]})"
        problems.append(RawProblem(path, message, line=line, column=column))
    return problems


def _yaml_duplicates(text: str) -> list[RawProblem]:
    return [
        RawProblem(
            path, f"duplicate key {shown(key)} (first at line {first})", line=line, column=column
        )
        for path, key, line, column, first in yaml_duplicates(text)
    ]


def check_shape(
    data: Any, limits: Limits = DEFAULT_LIMITS, *, shared: bool = False
) -> list[RawProblem] | None:
    """Refuse data nested deeper than ``limits.max_depth`` or holding more
    than ``limits.max_nodes`` values and keys.

    Args:
        data: Parsed data.
        limits: The bounds.
        shared: Whether lists and mappings may be shared (YAML aliases): they
            are then counted as often as they appear, each measured once, so
            an alias bomb costs as little to refuse as it took to parse, and
            a list that holds itself counts as nested too deep.

    Returns:
        The one problem found, or ``None``.
    """
    if not isinstance(data, dict | list):
        return None
    if not shared:
        return _tree_shape(data, limits)
    heights: dict[int, int] = {}
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, tuple[str | int, ...], bool]] = [(data, (), False)]
    while stack:
        value, path, done = stack.pop()
        key = id(value)
        children = list(value.values()) if isinstance(value, dict) else value
        if done:
            active.discard(key)
            heights[key] = 1 + max((heights.get(id(c), 0) for c in children), default=0)
            keys = len(value) if isinstance(value, dict) else 0
            sizes[key] = 1 + keys + sum(sizes.get(id(c), 1) for c in children)
            if sizes[key] > limits.max_nodes:
                message = (
                    f"aliases expand to more than {limits.max_nodes:,} values;"
                    " refusing a possible alias bomb"
                )
                return [RawProblem(path, message)]
            continue
        if key in heights:
            height = heights[key]
        elif key in active:
            height = limits.max_depth + 1  # it holds itself
        else:
            height = 1
        if len(path) + height > limits.max_depth:
            return [RawProblem(path, _too_deep(limits))]
        if key in heights:
            continue
        active.add(key)
        stack.append((value, path, True))
        steps = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend(
            (child, (*path, step if isinstance(step, int | str) else str(step)), False)
            for step, child in steps
            if isinstance(child, dict | list)
        )
    return None


def _tree_shape(data: dict[str, Any] | list[Any], limits: Limits) -> list[RawProblem] | None:
    """:func:`check_shape` for data without sharing: each value once, depth-first.

    Only the path to the value at hand is held, never a list of values to
    visit: measuring a document costs next to nothing beside it.
    """
    count = 1 + _members(data)
    path: list[str | int] = []
    stack: list[Iterator[tuple[Any, Any]]] = [_steps(data)]
    while stack:
        for step, child in stack[-1]:
            if isinstance(child, dict | list):
                path.append(step if isinstance(step, int | str) else str(step))
                if len(path) >= limits.max_depth:
                    return [RawProblem(tuple(path), _too_deep(limits))]
                count += _members(child)
                if count > limits.max_nodes:
                    return [RawProblem((), _too_many(limits))]
                stack.append(_steps(child))
                break
        else:
            stack.pop()
            if path:
                path.pop()
    return None


def _members(value: dict[Any, Any] | list[Any]) -> int:
    return 2 * len(value) if isinstance(value, dict) else len(value)


def _steps(value: dict[Any, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    return iter(value.items()) if isinstance(value, dict) else enumerate(value)


#: A JSON string, to be left out when counting a document's values.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
#: The white space JSON and TOML allow between tokens.
_NO_SPACE = dict.fromkeys(map(ord, " \t\r\n"))
#: TOML strings (the four kinds) and comments.
_TOML_SKIPPED = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|#[^\n]*'
)


def _over_budget(text: str, fmt: Format, budget: int) -> bool:
    """Whether JSON or TOML ``text`` surely holds more than ``budget`` values and keys.

    Counted on the text, before the parser builds anything: each value and
    key of JSON comes with a comma, a colon or an opening bracket, and in
    TOML with an equals sign (a key and its value), a comma or a bracket.
    Nearly every document is far below the budget counting every such
    character; only above it are strings and comments left out (at C
    speed) for the true count.
    """
    if fmt == "yaml":
        return False
    if fmt == "json":
        # A value follows each comma, a key each colon, and the first value
        # of a list or mapping its opening bracket.
        def marks(t: str) -> int:
            return t.count(",") + t.count(":") + t.count("[") + t.count("{") + 1

        skipped, empty = _JSON_STRING, 1
    else:
        # Keys with their values, dotted keys and table headers (a key and
        # a table each), and list items.
        def marks(t: str) -> int:
            return (
                2 * (t.count("=") + t.count(".") + t.count("[") + t.count("{")) + t.count(",") + 1
            )

        skipped, empty = _TOML_SKIPPED, 2
    if marks(text) <= budget:
        return False
    bare = skipped.sub("", text).translate(_NO_SPACE)
    # An empty list or mapping is one value, counted where it follows.
    return marks(bare) - empty * (bare.count("[]") + bare.count("{}")) > budget


def _too_many(limits: Limits) -> str:
    return f"holds more than the limit of {limits.max_nodes:,} values and keys"


def _known_format(fmt: str, name: str) -> None:
    if fmt not in _FORMATS:
        message = f"unknown format {shown(fmt)} (expected one of: {', '.join(sorted(_FORMATS))})"
        raise DocumentError([Problem(file=name, path="", message=message)])


def _deep_start(text: str, depth: int) -> int | None:
    """Where ``depth + 1`` opening brackets in a row (spaces between) start.

    This text scan refuses hostile nesting before a parser recurses into it.
    ASCII text, nearly every large document, is first checked at C speed,
    a piece at a time, on copies that keep only the brackets: most have no
    such run, and the pattern, which tries every position in turn, then
    need not run at all.
    """
    if text.isascii():
        run, carried = b"(" * (depth + 1), b""
        for start in range(0, len(text), _CHUNK):
            piece = text[start : start + _CHUNK].encode("ascii")
            squeezed = carried + piece.translate(_OPENERS, _ASCII_SPACE)
            if run in squeezed:
                break
            # A run may go on in the next piece: keep what could begin it.
            carried = squeezed[-depth:]
        else:
            return None
    found = re.compile(_DEEP_BRACKETS.pattern % depth).search(text)
    return None if found is None else found.start()


def _too_deep(limits: Limits) -> str:
    return f"nested deeper than the limit of {limits.max_depth} levels"


def build(
    data: Any,
    *,
    text: str,
    format: Format,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    extra: list[RawProblem] | None = None,
    prefix: tuple[str | int, ...] = (),
) -> PolicyVersion:
    """Turn parsed data into a version, or raise every problem it has.

    Args:
        data: The parsed document (a version body).
        text: The document's text, to place problems in it.
        format: The text's format.
        name: The file name for messages.
        limits: Bounds on string length.
        extra: Problems already found while parsing.
        prefix: Where ``data`` sits inside ``text`` (for a history's versions).
    """
    if isinstance(data, dict) and "rules" in data and data["rules"] is None:
        # YAML's "rules:" with nothing after it: the empty list it looks like.
        data = {**data, "rules": []}
    timezone = data.get("timezone", "UTC") if isinstance(data, dict) else "UTC"
    timezone = timezone if isinstance(timezone, str) else "UTC"
    problems = list(extra or ())
    complete = True
    version = None
    if not isinstance(data, dict):
        # Only the type: a file that is no document at all (a key file
        # linked into a folder, say) must not have its content shown.
        got = "an empty document" if data is None else a_type(data)
        problems.append(RawProblem((), f"expected a mapping of version fields (got {got})"))
    elif data and not data.keys() & _VERSION_MARKS:
        message = (
            "not a policy version document (it has none of the fields"
            " policy, version, effective or rules)"
        )
        problems.append(RawProblem((), message))
    else:
        format_problems = check_document(data, semantic=False)
        if format_problems:
            # A document of another format version says nothing we can check.
            problems.extend(format_problems)
        else:
            problems.extend(check_document(data, max_depth=limits.max_depth))
            with (
                reading(timezone=_usable_zone(timezone), max_string=limits.max_string),
                paused_collector(),
            ):
                try:
                    version = structure_version(data)
                except Exception:  # collected in detail below
                    shared = format == "yaml" and "*" in text
                    shape = check_shape(data, limits, shared=shared)
                    if shape is not None:
                        # Too deep to judge field by field; say only that.
                        problems = shape
                    else:
                        more, complete = structure_problems(data, limits.max_problems)
                        problems = _merged(problems, more)
    if problems:
        # Finding a place may decode large values just to pass over them.
        with paused_collector():
            placed = place(
                problems[: limits.max_problems], text=text, format=format, name=name, prefix=prefix
            )
        total = len(problems) if complete else None
        raise DocumentError(
            capped(placed, limits.max_problems, name, total=total, complete=complete)
        )
    assert version is not None
    return version


@contextlib.contextmanager
def paused_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    The model (and the impact analysis's sets and tuples) hold no reference
    cycles, so collections triggered by the sheer number of new objects would
    find nothing and cost most of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Fields of which a version document holds at least one.
_VERSION_MARKS = frozenset(("policydiff", "policy", "version", "effective", "rules"))


def _usable_zone(timezone: str) -> str:
    try:
        zone(timezone)
    except ValueError:
        return "UTC"
    return timezone


def _merged(found: list[RawProblem], more: list[RawProblem]) -> list[RawProblem]:
    """``found`` and the problems of ``more`` at places not reported yet.

    A whole-document error from the model (such as duplicate rule ids) only
    repeats what the semantic checks said more precisely.
    """
    merged = list(found)
    paths = {problem.path for problem in found}
    for problem in more:
        if (not problem.path and merged) or problem.path in paths:
            continue
        merged.append(problem)
        paths.add(problem.path)
    return merged


def dumps(version: PolicyVersion, *, format: Format = "yaml") -> str:
    """Write ``version`` as a document that :func:`loads` reads back equal.

    >>> print(policydiff.dumps(v, format="json"))  # doctest: +ELLIPSIS
    {
      "policydiff": 1,
      "policy": "demo",
    ...
    """
    _known_format(format, "<string>")
    data = unstructure_version(version)
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if format == "toml":
        import tomli_w

        return tomli_w.dumps(data)
    return yaml.dump(
        data,
        Dumper=yaml.CSafeDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def dump(
    version: PolicyVersion,
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
) -> None:
    """Write ``version`` to ``path`` atomically (the format from the suffix)."""
    name = os.fspath(path)
    write_atomic(name, dumps(version, format=format or format_of(name)))


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    A reader sees the old file or the new one, never a part of either; if
    writing fails, the old file is left as it was and the temporary file is
    removed. A file that is replaced keeps its permissions; a new one gets
    the usual ones (what the umask allows). When ``path`` is a symbolic
    link, the file it points to is replaced and the link is kept.

    Raises:
        WriteError: The file could not be written (with the system's reason).
    """
    name = os.fspath(path)
    target = Path(os.path.realpath(name))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise WriteError(name, exc.strerror or str(exc)) from None
    try:
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(name, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            os.fchmod(out.fileno(), mode)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise WriteError(name, exc.strerror or str(exc)) from None
        if isinstance(exc, UnicodeEncodeError):
            raise WriteError(name, f"the text is not UTF-8 ({exc.reason})") from None
        raise


def _umask() -> int:
    """Return the process's umask (it can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def iter_files(folder: Path) -> Iterator[Path]:
    """Return the version documents in a folder, by name."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
            yield path
