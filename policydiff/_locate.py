"""Finding where a field path sits in a document's text.

Only used once something is wrong: valid documents never pay for it.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

import yaml

from policydiff._parse import YamlLoader

Step = str | int
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()
#: How YAML writes the keys that are not text, once named as text.
_SPELLINGS = {
    "None": {"None", "null", "Null", "NULL", "~", ""},
    "True": {"True", "true", "TRUE"},
    "False": {"False", "false", "FALSE"},
}


def render_path(path: tuple[Step, ...]) -> str:
    """``("rules", 2, "effect")`` as ``rules[2].effect``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
            continue
        if len(step) > 60:  # a hostile key must not flood the message
            step = f"{step[:27]}...{step[-28:]}"
        if _IDENT.fullmatch(step):
            out += f".{step}" if out else step
        else:
            out += f"[{json.dumps(step, ensure_ascii=False)}]"
    return out


def locate(
    text: str, fmt: str, path: tuple[Step, ...], *, at_key: bool = False
) -> tuple[int | None, int | None]:
    """Return the 1-based line and column of ``path`` in ``text``.

    Args:
        text: The document.
        fmt: ``"yaml"``, ``"json"`` or ``"toml"``.
        path: Keys and indexes from the top of the document.
        at_key: Point at the key rather than its value (unknown or missing
            keys); a missing key points at the mapping that lacks it.
    """
    try:
        if fmt == "json":
            return offset_place(text, _json_offset(text, path, at_key))
        if fmt == "toml":
            return _toml_place(text, path)
        return _yaml_place(text, path, at_key)
    except (ValueError, IndexError, KeyError, yaml.YAMLError, RecursionError):
        return None, None


def locate_many(
    text: str, fmt: str, wanted: list[tuple[tuple[Step, ...], bool]]
) -> list[tuple[int | None, int | None]]:
    """Return the line and column of each ``(path, at_key)``, as :func:`locate` gives them.

    A JSON document with many problems is indexed once instead of scanned
    once per problem, so a document with thousands of bad rules is placed
    in linear time.
    """
    if fmt != "json" or len(wanted) < _MANY:
        return [locate(text, fmt, path, at_key=at_key) for path, at_key in wanted]
    try:
        index = _json_index(text, max(len(path) for path, _ in wanted))
    except (ValueError, IndexError, RecursionError):
        return [(None, None)] * len(wanted)
    place = placer(text)
    return [place(_indexed(index, path, at_key)) for path, at_key in wanted]


#: From this many problems on, a JSON document is indexed whole.
_MANY = 16


def _indexed(
    index: dict[tuple[Step, ...], tuple[int, int]], path: tuple[Step, ...], at_key: bool
) -> int:
    if path in index:
        key_pos, value_pos = index[path]
        return key_pos if at_key else value_pos
    # Missing: point at the deepest container that exists on the way.
    for end in range(len(path) - 1, -1, -1):
        if path[:end] in index:
            return index[path[:end]][1]
    return 0


def _json_index(text: str, depth: int) -> dict[tuple[Step, ...], tuple[int, int]]:
    """Where each member sits (key offset, value offset), ``depth`` levels down."""
    root = _skip(text, 0)
    index: dict[tuple[Step, ...], tuple[int, int]] = {(): (root, root)}
    for _, path, step, key_pos, value_pos in _json_members(text, depth):
        here = (*path, step)
        index[here] = (key_pos, value_pos)
    return index


def _json_members(
    text: str, depth: int | None = None
) -> Iterator[tuple[int, tuple[Step, ...], Step, int, int]]:
    """Every member of the objects and lists of valid JSON ``text``.

    Yields, container by container, the container's offset and path, then
    the member's key (or index), key offset and value offset; only
    containers less than ``depth`` levels down are entered. An explicit
    stack walks it: the document may be nested as deep as json allows.
    """
    stack: list[tuple[int, tuple[Step, ...]]] = [(_skip(text, 0), ())]
    while stack:
        start, path = stack.pop()
        if depth is not None and len(path) >= depth:
            continue
        opener = text[start]
        if opener not in "{[":
            continue
        pos = _skip(text, start + 1)
        index_in_list = 0
        while text[pos] not in "}]":
            key_pos = pos
            step: Step
            if opener == "{":
                step, pos = scanstring(text, pos + 1)
                pos = _skip(text, _skip(text, pos) + 1)  # past the colon
            else:
                step, index_in_list = index_in_list, index_in_list + 1
            yield start, path, step, key_pos, pos
            if text[pos] in "{[":
                stack.append((pos, (*path, step)))
            _, pos = _decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            if text[pos] == ",":
                pos = _skip(text, pos + 1)


def offset_place(text: str, offset: int) -> tuple[int, int]:
    """Return the line and column (from 1) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def placer(text: str) -> Callable[[int], tuple[int, int]]:
    """:func:`offset_place` for many offsets: the lines are found once.

    Placing each of many offsets on its own scans the text up to it every
    time, which for thousands of problems in a large file is quadratic.
    """
    starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def place(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    return place


@functools.lru_cache(maxsize=1)
def _compose(text: str) -> Any:
    loader = YamlLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _yaml_place(text: str, path: tuple[Step, ...], at_key: bool) -> tuple[int, int]:
    if not path:
        # The whole document (a flood that is no policy, say): where its
        # first value starts, without composing the rest.
        return _yaml_start(text)
    node = _compose(text)
    if node is None:  # an empty document
        return 1, 1
    return node_place(node, path, at_key=at_key)


def node_place(node: Any, path: tuple[Step, ...], *, at_key: bool = False) -> tuple[int, int]:
    """Return the 1-based line and column of ``path`` below a composed YAML node.

    A path that leaves the document points at the deepest node on the way.

    Args:
        node: A node as PyYAML composes it.
        path: Keys and indexes from ``node``.
        at_key: Point at the key rather than its value.
    """
    mark = node.start_mark
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, yaml.MappingNode):
            spellings = _SPELLINGS.get(str(step), {str(step)})
            pair = next((kv for kv in node.value if kv[0].value in spellings), None)
            if pair is None:
                break
            key, node = pair
            mark = key.start_mark if (last and at_key) else node.start_mark
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                break
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _yaml_start(text: str) -> tuple[int, int]:
    loader = YamlLoader(text)
    try:
        for event in iter(loader.get_event, None):
            if isinstance(event, yaml.NodeEvent):
                mark: Any = event.start_mark
                return mark.line + 1, mark.column + 1
    finally:
        loader.dispose()
    return 1, 1


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _json_offset(text: str, path: tuple[Step, ...], at_key: bool) -> int:
    pos = _skip(text, 0)
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        opener = text[pos]
        if opener == "{":
            found = _json_member(text, pos, str(step))
            if found is None:
                return pos
            key_pos, pos = found
            if last and at_key:
                return key_pos
        elif opener == "[" and isinstance(step, int):
            found_item = _json_item(text, pos, step)
            if found_item is None:
                return pos
            pos = found_item
        else:
            return pos
    return pos


def _json_member(text: str, pos: int, wanted: str) -> tuple[int, int] | None:
    pos = _skip(text, pos + 1)
    while text[pos] == '"':
        key_pos = pos
        key, pos = scanstring(text, pos + 1)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        if key == wanted:
            return key_pos, pos
        _, pos = _decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return None


def _json_item(text: str, pos: int, index: int) -> int | None:
    pos = _skip(text, pos + 1)
    for _ in range(index):
        if text[pos] == "]":
            return None
        _, pos = _decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return None if text[pos] == "]" else pos


_TOML_KEY = re.compile(r'\s*(?:"([^"\\]*)"|([A-Za-z0-9_-]+))\s*=')
_TOML_ARRAY_TABLE = re.compile(r"\s*\[\[\s*([^\]]*?)\s*\]\]")


@functools.lru_cache(maxsize=1)
def _toml_lines(text: str) -> tuple[list[str], dict[str, list[int]], dict[str, list[int]]]:
    """Return the lines, and where each key and each array-of-tables header sits.

    Built once per document, so placing many problems stays linear.
    """
    lines = text.splitlines()
    keys: dict[str, list[int]] = {}
    headers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        key = _TOML_KEY.match(line)
        if key:
            keys.setdefault(key[1] if key[1] is not None else key[2], []).append(number)
        header = _TOML_ARRAY_TABLE.match(line)
        if header:
            headers.setdefault(header[1], []).append(number)
    return lines, keys, headers


def _toml_place(text: str, path: tuple[Step, ...]) -> tuple[int | None, int | None]:
    """Return a best effort for TOML: the key's line within the right table."""
    lines, keys, headers = _toml_lines(text)
    start, end = 0, len(lines)
    table: list[str] = []
    steps = list(path)
    # Follow arrays of tables ([[rules]]) and tables ([rules.scope]) by name.
    while steps:
        step = steps[0]
        if isinstance(step, int) and table:
            all_hits = headers.get(".".join(table), [])
            hits = all_hits[bisect.bisect_left(all_hits, start) : bisect.bisect_left(all_hits, end)]
            if step >= len(hits):
                break
            start = hits[step]
            end = hits[step + 1] if step + 1 < len(hits) else end
            steps.pop(0)
            continue
        found = keys.get(str(step), [])
        at = bisect.bisect_left(found, start)
        if at < len(found) and found[at] < end:
            line = lines[found[at]]
            return found[at] + 1, len(line) - len(line.lstrip()) + 1
        table.append(str(step))
        steps.pop(0)
    return start + 1, 1


def json_duplicates(text: str) -> list[tuple[tuple[Step, ...], str, int, int]]:
    """Every key repeated within one JSON object, with where it repeats.

    ``text`` must be valid JSON. Returns, in document order, the path to the
    repeated key, the offset of the repeat and the offset of the first use.
    """
    found: list[tuple[tuple[Step, ...], str, int, int]] = []
    container, first = -1, dict[str, int]()
    for start, path, step, key_pos, _ in _json_members(text):
        if start != container:
            container, first = start, {}
        if isinstance(step, str):
            seen = first.setdefault(step, key_pos)
            if seen != key_pos:
                found.append(((*path, step), step, key_pos, seen))
    found.sort(key=lambda item: item[2])
    return found


def yaml_duplicates(text: str) -> list[tuple[tuple[Step, ...], str, int, int, int]]:
    """Every key repeated within one YAML mapping, with where it repeats.

    Returns, in document order, the path to the repeated key, the key, and
    the 1-based line and column of the repeat and the line of the first use.
    """
    loader = YamlLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    return node_duplicates(root)


def node_duplicates(root: Any) -> list[tuple[tuple[Step, ...], str, int, int, int]]:
    """Every key repeated within one mapping below a composed YAML node, as :func:`yaml_duplicates`."""
    found: list[tuple[tuple[Step, ...], str, int, int, int]] = []
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[Step, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                    mark = key_node.start_mark
                    if key in first:
                        found.append(
                            ((*path, key), key, mark.line + 1, mark.column + 1, first[key])
                        )
                    else:
                        first[key] = mark.line + 1
                    stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))
    found.sort(key=lambda item: (item[2], item[3]))
    return found
