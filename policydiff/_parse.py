"""Text to plain data: the safe YAML loader, and JSON that notices repeated keys.

Only parsing lives here; checking the data and placing problems in the text
is the business of :mod:`policydiff._documents` and :mod:`policydiff._locate`,
which both read YAML through :class:`YamlLoader`.
"""

from __future__ import annotations

import collections
import itertools
import json
import re
import types
from typing import Any, Literal

import yaml

from policydiff._text import shown

__all__ = [
    "Format",
    "YamlLoader",
    "event_nodes",
    "json_load",
    "yaml_bound",
    "yaml_load",
    "yaml_nodes",
]

#: The formats a document may be written in.
Format = Literal["yaml", "json", "toml"]


class YamlLoader(yaml.CSafeLoader):
    """Safe YAML that keeps dates as text and reads only true/false as booleans.

    Dates stay strings so ``2024-05`` and ``2024-05-30`` keep their precision
    and are read in the document's time zone; ``no``, ``on`` and ``yes`` stay
    strings so a value such as Norway's code ``NO`` is not turned into false.
    Only plain data is built: explicit tags for binary data, timestamps, sets
    and ordered pairs are refused like any unknown tag.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        # A scalar tagged !!map is refused by the base class, not taken apart here.
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        for key_node, _ in pairs:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicates = True
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _guarded(construct: Any) -> Any:
    """Turn a scalar constructor's plain exceptions into a placed YAML error.

    ``!!int abc``, ``!!bool maybe``, an empty ``!!float`` or an integer of
    more digits than Python converts raise ``ValueError``, ``KeyError`` or
    ``IndexError`` inside PyYAML.
    """

    def guarded(loader: YamlLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
            detail = (
                "too many digits"
                if "digits" in str(exc)
                else f"not a valid {node.tag.rsplit(':', 1)[-1]}"
            )
            problem = f"cannot read {shown(node.value)} ({detail})"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    return guarded


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# Only plain decimal numbers are integers: YAML 1.1 would read 0500 as the
# octal 320 and 1:30 as the sexagesimal 90, so `effective: 0500` would be
# the year 320. Other spellings stay text.
YamlLoader.add_implicit_resolver(
    _INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
YamlLoader.yaml_constructors = {
    tag: construct
    for tag, construct in yaml.SafeLoader.yaml_constructors.items()
    if tag is None
    or tag.rsplit(":", 1)[-1] in ("null", "bool", "int", "float", "str", "seq", "map")
}
for _tag in ("bool", "int", "float"):
    _full = f"tag:yaml.org,2002:{_tag}"
    YamlLoader.add_constructor(_full, _guarded(YamlLoader.yaml_constructors[_full]))


def json_load(text: str) -> tuple[Any, bool]:
    """Parse JSON text; say whether an object repeated a key."""
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        found = dict(items)
        if len(found) != len(items):
            repeated = True
        return found

    return json.loads(text, object_pairs_hook=pairs), repeated


def yaml_load(text: str) -> tuple[Any, bool]:
    """Parse YAML text safely; say whether a mapping repeated a key.

    The data is built straight from the parser's events, as
    PyYAML's loader would build it with ``YamlLoader``, but without composing
    a node for every value first: that graph costs hundreds of bytes per
    value and most of the time. Errors are the loader's, with its marks.
    """
    loader = YamlLoader(text)
    try:
        return _Builder(loader).load()
    except _Unusual:
        pass
    finally:
        loader.dispose()
    # A merge that needs the composed graph: read it the loader's way.
    loader = YamlLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


class _Unusual(Exception):
    """Merge keys in a shape only the composed graph reproduces exactly.

    Merging a mapping that is still open (it holds the merge), a key that
    more than one merged mapping holds, a merged mapping that merged or
    repeated keys itself, a merge key that is a list or a mapping, and any
    error in a document that merges: PyYAML merges nodes, not values, and
    of keys merged twice keeps the first only when they are the same string
    object, so what is built or refused first depends on its workings.
    """


#: Where a node starts, as the parser marks it (the C parser's marks are their own class).
Mark = Any
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
#: Stands for a merge key (``<<``) until its value comes.
_MERGE_KEY = object()


class _Open:
    """A list or mapping whose end event has not come yet."""

    __slots__ = (
        "depth",
        "key",
        "key_mark",
        "keyed",
        "mapping",
        "mark",
        "merges",
        "repeated",
        "seen",
        "value",
    )

    def __init__(self, value: Any, mapping: bool, depth: int, mark: Mark) -> None:
        self.value = value
        self.mapping = mapping
        self.depth = depth
        self.mark = mark
        self.key: Any = None
        self.key_mark = mark
        self.keyed = False
        self.seen: set[str] = set()
        self.merges: list[dict[Any, Any]] = []
        self.repeated = False


class _Builder:
    """Plain data from the events of a :class:`YamlLoader`, with one stack of open containers.

    PyYAML composes the whole document (so syntax errors come first), then
    constructs it level by level: the root, then everything directly in it,
    and so on. A refused value is therefore remembered with its level and
    place, and the first in that order is raised once the document is read.
    A value is ranked where its anchor is: of two refused values, one
    anchored deep but also reached through a shallower alias may be named
    second where PyYAML names it first (either is a refusal of the document).
    """

    def __init__(self, loader: YamlLoader) -> None:
        self.loader = loader
        # An anchor's value, its node kind, its start and, for a scalar, its text.
        self.anchors: dict[str, tuple[Any, str, Mark, str | None]] = {}
        self.error: tuple[tuple[int, int, int], Exception] | None = None
        self.duplicates = False
        self.merged = False
        # Mappings that merged or repeated a key: merging them is left to PyYAML.
        self.irregular: set[int] = set()
        resolvers = YamlLoader.yaml_implicit_resolvers
        wild: list[tuple[str, re.Pattern[str]]] = list(resolvers.get(None) or [])
        self.resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {
            first: [*rules, *wild] for first, rules in resolvers.items() if first is not None
        }
        self.wild = wild

    def refuse(self, level: int, mark: Mark, rank: int, exc: Exception) -> None:
        """Remember ``exc`` if PyYAML would raise it before those already found."""
        order = (level, mark.index, rank)
        if self.error is None or order < self.error[0]:
            self.error = (order, exc)

    def load(self) -> tuple[Any, bool]:
        get: Any = self.loader.get_event
        get()  # the stream's start
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None, False
        data, start = self.document()
        get()  # the document's end
        event = get()
        if not isinstance(event, yaml.StreamEndEvent):
            context = "expected a single document in the stream"
            problem = "but found another document"
            raise yaml.composer.ComposerError(context, start, problem, event.start_mark)
        if self.error is not None:
            if self.merged:
                raise _Unusual
            raise self.error[1]
        return data, self.duplicates

    def scalar(self, event: Any, level: int, key: bool) -> tuple[Any, str]:
        """Construct a scalar as the loader does; return it and its node kind."""
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            tag = _STR
            if event.implicit[0]:
                rules = self.resolvers.get(value[:1], self.wild)
                for candidate, pattern in rules:
                    if pattern.match(value):
                        tag = candidate
                        break
        if tag == _STR:
            return value, "scalar"
        if tag == _NULL:
            return None, "scalar"
        if key and tag == _MERGE:
            return _MERGE_KEY, "scalar"
        if key and tag == _VALUE:
            return value, "scalar"
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        return self.construct(node, level, empty=None)

    def construct(self, node: Any, level: int, empty: Any) -> tuple[Any, str]:
        """Run the loader's constructor for an explicitly tagged node.

        Returns the value (for a list or mapping, the empty one its events
        then fill) and the kind of node it is built as.
        """
        constructors: dict[Any, Any] = YamlLoader.yaml_constructors
        construct = constructors.get(node.tag, constructors[None])
        kind = node.id
        try:
            built = construct(self.loader, node)
            if isinstance(built, types.GeneratorType):
                # Lists and mappings: the empty one now, its contents a level later.
                value = next(built)
                try:
                    for _ in built:
                        pass
                except yaml.MarkedYAMLError as exc:
                    self.refuse(level + 1, node.start_mark, 0, exc)
                return (value if empty is None else empty), kind
        except yaml.MarkedYAMLError as exc:
            self.refuse(level, node.start_mark, 1, exc)
            return empty, kind
        return built, kind

    def merge(self, into: _Open, value: Any, stack: list[_Open]) -> None:
        """Note the mappings a merge key (``<<``) brings into ``into``.

        They come first and its own keys override them; of a list of
        mappings, the earlier override the later, as in PyYAML.
        """
        self.merged = True
        sources = value if isinstance(value, list) else [value]
        keys: set[Any] = set()
        for source in sources:
            if (
                not isinstance(source, dict)
                or id(source) in self.irregular
                or any(source is open_.value for open_ in stack)
                or not keys.isdisjoint(source)
            ):
                raise _Unusual
            keys.update(source)
        if not keys.isdisjoint(key for merged in into.merges for key in merged):
            raise _Unusual
        into.merges.extend(reversed(sources))

    def document(self) -> tuple[Any, Mark]:
        """Build the document's root from its events."""
        get: Any = self.loader.get_event  # events of many kinds, told apart by type
        anchors = self.anchors
        stack: list[_Open] = []
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        sequence_start, mapping_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
        while True:
            event = get()
            kind = type(event)
            raw: str | None = None
            if kind is scalar_event or kind is sequence_start or kind is mapping_start:
                mark = event.start_mark
                anchor = event.anchor
                if anchor is not None and anchor in anchors:
                    first = "found duplicate anchor; first occurrence"
                    raise yaml.composer.ComposerError(
                        first, anchors[anchor][2], "second occurrence", mark
                    )
                top = stack[-1] if stack else None
                key = top is not None and top.mapping and not top.keyed
                level = len(stack)
                if kind is scalar_event:
                    value, node_kind = self.scalar(event, level, key)
                    raw = event.value
                    if anchor is not None:
                        anchors[anchor] = (value, node_kind, mark, raw)
                else:
                    mapping = kind is mapping_start
                    tag = event.tag
                    default = _MAP if mapping else _SEQ
                    if tag is None or tag == "!" or tag == default:
                        value = {} if mapping else []
                    elif key and tag in (_MERGE, _VALUE):
                        raise _Unusual
                    else:
                        node = (yaml.MappingNode if mapping else yaml.SequenceNode)(
                            tag, [], mark, mark
                        )
                        value, _ = self.construct(node, level, empty={} if mapping else [])
                    if anchor is not None:
                        anchors[anchor] = (value, "mapping" if mapping else "sequence", mark, None)
                    stack.append(_Open(value, mapping, level, mark))
                    continue
            elif kind is alias_event:
                mark = event.start_mark
                if event.anchor not in anchors:
                    undefined = "found undefined alias"
                    raise yaml.composer.ComposerError(None, None, undefined, mark)
                value, _, _, raw = anchors[event.anchor]
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                done = stack.pop()
                value, mark = done.value, done.mark
                if done.merges or done.repeated:
                    self.irregular.add(id(value))
                if done.merges:
                    merged: dict[Any, Any] = {}
                    for source in done.merges:
                        merged.update(source)
                    merged.update(value)
                    value.clear()
                    value.update(merged)
            else:  # pragma: no cover - the parser sends nothing else inside a document
                raise AssertionError(event)
            if not stack:
                return value, mark
            top = stack[-1]
            if not top.mapping:
                top.value.append(value)
            elif not top.keyed:
                top.keyed = True
                top.key = value
                top.key_mark = mark
                if raw is not None:
                    if raw in top.seen:
                        self.duplicates = True
                    top.seen.add(raw)
                if isinstance(value, list | dict):
                    self.refuse(
                        top.depth + 1,
                        mark,
                        2,
                        yaml.constructor.ConstructorError(
                            "while constructing a mapping", top.mark, "found unhashable key", mark
                        ),
                    )
            else:
                top.keyed = False
                if top.key is _MERGE_KEY:
                    self.merge(top, value, stack)
                elif not isinstance(top.key, list | dict):
                    if top.key in top.value:
                        top.repeated = True
                    top.value[top.key] = value


def yaml_bound(text: str) -> int:
    """Return a bound on the values and keys of YAML ``text``, from its punctuation.

    Every node but the root comes in after a character that says so: a
    colon brings a key and its value (``a: b``), a question mark a key and
    perhaps an empty value, an opening brace or a comma a flow mapping's key
    and perhaps an empty value, or a flow sequence's item; a dash brings a
    block sequence's item and an opening bracket a flow sequence's first.
    Block documents have about one such character per node, so the bound
    is close for real documents; the same characters inside text only add.
    """
    pairs = text.count(":") + text.count("?") + text.count("{") + text.count(",")
    return 1 + 2 * pairs + text.count("-") + text.count("[")


def yaml_nodes(text: str, budget: int) -> int:
    """Count the values and keys of YAML ``text``, up to past ``budget``.

    Only a document over the budget by :func:`yaml_bound` has its parser's
    events counted, at C speed, before anything is composed: composing
    costs hundreds of bytes per value.
    """
    bound = yaml_bound(text)
    if bound <= budget:
        return bound
    # At most two events per node and four more: past that, over budget.
    found = event_nodes(text, most=2 * budget + 4)
    return budget + 1 if found is None else found


def event_nodes(text: str, most: int) -> int | None:
    """Count the nodes among the parser's events, or ``None`` past ``most`` events."""
    loader = YamlLoader(text)
    try:
        events = itertools.islice(iter(loader.get_event, None), most + 1)
        counted = collections.Counter(map(type, events))
    finally:
        loader.dispose()
    if sum(counted.values()) > most:
        return None
    return sum(counted[kind] for kind in _NODE_EVENTS)


_NODE_EVENTS = (
    yaml.ScalarEvent,
    yaml.SequenceStartEvent,
    yaml.MappingStartEvent,
    yaml.AliasEvent,
)
