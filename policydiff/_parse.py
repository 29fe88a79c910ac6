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
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicates = True
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _guarded(construct: Any) -> Any:
    """Turn a scalar constructor's plain exceptions into a placed YAML error.

    ``!!int abc``, ``!!bool maybe`` or an integer of more digits than Python
    converts raise ``ValueError`` or ``KeyError`` inside PyYAML.
    """

    def guarded(loader: YamlLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
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
    """Parse YAML text safely; say whether a mapping repeated a key."""
    loader = YamlLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


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
