"""The one cattrs converter between documents (plain data) and the model.

Structuring reads time values in the document's ``timezone``, which is held in
a context variable while a document is being converted. Unstructuring writes
sets as sorted lists and drops empty and ``None`` fields, so the output never
depends on hash order and stays as short as the document it came from.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import enum
from collections.abc import Iterator, Mapping
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from policydiff._problems import Path, RawProblem
from policydiff._text import describe, shown
from policydiff._time import parse_when, write_when
from policydiff.model import (
    Case,
    Conflict,
    Default,
    Effect,
    Event,
    FrozenMap,
    PolicyVersion,
    Removal,
    Rule,
    Source,
    Vocabulary,
    When,
)

#: The zone that time values without an offset are read in.
_timezone: contextvars.ContextVar[str] = contextvars.ContextVar("timezone", default="UTC")
#: The longest string a document may hold.
_max_string: contextvars.ContextVar[int] = contextvars.ContextVar("max_string", default=100_000)

#: While a history loads: each rule id's last parsed data and the rule built from it.
_shared_rules: contextvars.ContextVar[dict[str, tuple[Any, Rule]] | None] = contextvars.ContextVar(
    "shared_rules", default=None
)

_ENUM_NAMES = {Effect: "effect", Default: "default", Conflict: "conflict strategy", Case: "case"}

#: Key order of written documents.
VERSION_KEYS = (
    "policydiff", "policy", "version", "title", "effective", "timezone",
    "announced", "approved_by", "summary", "default", "conflict", "sources",
    "events", "vocabulary", "open", "patterns", "removals", "rules",
)  # fmt: skip
RULE_KEYS = ("id", "effect", "subject", "action", "scope", "conditions", "text", "sources")


@contextlib.contextmanager
def reading(*, timezone: str = "UTC", max_string: int = 100_000) -> Iterator[None]:
    """Convert within one document's settings."""
    tz_token = _timezone.set(timezone)
    len_token = _max_string.set(max_string)
    try:
        yield
    finally:
        _timezone.reset(tz_token)
        _max_string.reset(len_token)


@contextlib.contextmanager
def sharing_rules() -> Iterator[None]:
    """Build each rule once across the versions converted within.

    A rule whose parsed data equals the data an earlier rule of the same id
    was built from is that earlier rule object. The versions of a history
    then share their unchanged rules, as versions made with ``attrs.evolve``
    do: loading skips building them again, and comparing consecutive
    versions skips them by identity. Parsed data that compares equal builds
    equal rules: every rule field takes only strings, lists of strings and
    mappings of them (no time value, so no document's zone matters), and a
    value that is not one fails the same way in every version.
    """
    token = _shared_rules.set({})
    try:
        yield
    finally:
        _shared_rules.reset(token)


def _sharing(hook: Any) -> Any:
    def structure(value: Any, cls: type) -> Any:
        shared = _shared_rules.get()
        if shared is None:
            return hook(value, cls)
        rule_id = value.get("id") if isinstance(value, dict) else None
        if type(rule_id) is not str:
            return hook(value, cls)
        seen = shared.get(rule_id)
        if seen is not None and seen[0] == value:
            return seen[1]
        rule = hook(value, cls)
        shared[rule_id] = (value, rule)
        return rule

    return structure


_EFFECTS = {effect.value: effect for effect in Effect}
_RULE_FIELDS = frozenset(RULE_KEYS)


def _quick_values(value: Any, limit: int) -> frozenset[str] | None:
    """``value`` as a set of strings if it plainly is one, else ``None``."""
    if type(value) is list:
        try:
            # join() checks every item is a string at C speed.
            "".join(value)
        except TypeError:
            return None
        if value and max(map(len, value)) > limit:
            return None
        return frozenset(value)
    if type(value) is str and len(value) <= limit:
        return frozenset((value,))
    return None


def _quick(hook: Any) -> Any:
    """Build a plainly valid rule directly; leave anything else to ``hook``.

    Nearly every rule of a large document is a mapping of strings and lists
    of strings: this builds it without cattrs' per-field calls. Whatever it
    does not recognise at once (a wrong type, an unknown field, a string
    over the limit) goes to ``hook``, which accepts or refuses it exactly as
    before, so the two paths never disagree.
    """

    def structure(value: Any, cls: type) -> Any:
        if type(value) is not dict or not value.keys() <= _RULE_FIELDS:
            return hook(value, cls)
        limit = _max_string.get()
        rule_id, effect = value.get("id"), value.get("effect")
        if type(rule_id) is not str or len(rule_id) > limit or type(effect) is not str:
            return hook(value, cls)
        text = value.get("text")
        if text is not None and (type(text) is not str or len(text) > limit):
            return hook(value, cls)
        chosen = _EFFECTS.get(effect)
        if chosen is None or "action" not in value:
            return hook(value, cls)
        fields: dict[str, Any] = {"id": rule_id, "effect": chosen, "text": text}
        for name in ("action", "subject", "conditions", "sources"):
            if name in value:
                values = _quick_values(value[name], limit)
                if values is None:
                    return hook(value, cls)
                fields[name] = values
        scope = value.get("scope", {})
        if type(scope) is not dict:
            return hook(value, cls)
        dims = {}
        for dim, listed in scope.items():
            values = _quick_values(listed, limit)
            if type(dim) is not str or len(dim) > limit or values is None:
                return hook(value, cls)
            dims[dim] = values
        return Rule(scope=FrozenMap(dims), **fields)

    return structure


def _negation(value: Any) -> list[str] | None:
    """Return the patterns of a ``{not: [...]}`` value, or ``None`` when it is not one."""
    if type(value) is not dict or value.keys() != {"not"}:
        return None
    listed = value["not"]
    listed = [listed] if type(listed) is str else listed
    if type(listed) is not list or not all(type(item) is str for item in listed):
        return None
    return listed


def _negating(hook: Any) -> Any:
    """Read ``{not: [...]}`` values of a rule into its ``negated`` dimensions."""

    def structure(value: Any, cls: type) -> Any:
        if type(value) is not dict or "negated" in value:
            return hook(value, cls)
        negated = []
        fields = dict(value)
        for field in ("subject", "action"):
            listed = _negation(fields.get(field))
            if listed is not None:
                fields[field] = listed
                negated.append(field)
        scope = fields.get("scope")
        if type(scope) is dict:
            dims = dict(scope)
            for dim, values in scope.items():
                listed = _negation(values)
                if listed is not None:
                    dims[dim] = listed
                    negated.append(dim)
            fields["scope"] = dims
        if negated:
            fields["negated"] = negated
            return hook(fields, cls)
        return hook(value, cls)

    return structure


def _written_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Write a rule's ``negated`` dimensions back as ``{not: [...]}`` values."""
    negated = data.pop("negated", None)
    for dim in negated or ():
        if dim in ("subject", "action"):
            data[dim] = {"not": data[dim]}
        else:
            data["scope"] = {**data["scope"], dim: {"not": data["scope"][dim]}}
    return data


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        msg = f"expected a string (got {describe(value)})"
        raise TypeError(msg)
    if len(value) > _max_string.get():
        msg = (
            f"string of {len(value):,} characters is longer than the limit of {_max_string.get():,}"
        )
        raise ValueError(msg)
    return value


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"expected a whole number (got {describe(value)})"
        raise TypeError(msg)
    return value


def _structure_values(value: Any, _: type) -> frozenset[str]:
    quick = _quick_values(value, _max_string.get())
    if quick is not None:
        return quick
    if isinstance(value, str):
        return frozenset((_structure_str(value, str),))  # too long: refused
    if type(value) is list and all(type(item) is str for item in value):
        _structure_str(max(value, key=len), str)  # one is too long: refused
    if not isinstance(value, list | tuple | set | frozenset):
        msg = f"expected a string or a list of strings (got {describe(value)})"
        raise TypeError(msg)
    errors = []
    for index, item in enumerate(value):
        try:
            _structure_str(item, str)
        except (TypeError, ValueError) as exc:
            exc.__notes__ = [IterableValidationNote(f"index {index}", index, str)]  # type: ignore[union-attr]
            errors.append(exc)
    if errors:
        msg = "While structuring a list of strings"
        raise IterableValidationError(msg, errors, frozenset)
    return frozenset(value)


def _structure_strings(value: Any, _: type) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_structure_str(value, str),)
    _structure_values(value, frozenset)
    return tuple(value)


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(sorted(str(m.value) for m in cls))
        name = _ENUM_NAMES.get(cls, cls.__name__.lower())
        msg = f"unknown {name} {shown(value)} (expected one of: {allowed})"
        raise ValueError(msg) from None


def _structure_when(value: Any, _: type) -> When:
    return parse_when(value, _timezone.get())


def _is_set(t: Any) -> bool:
    return t in (set, frozenset) or get_origin(t) in (set, frozenset)


def _is_frozenmap(t: Any) -> bool:
    return get_origin(t) is FrozenMap or t is FrozenMap


@attrs.frozen
class _PatternOptions:
    """A pattern dimension's options as a document writes them (``{case: insensitive}``)."""

    case: Case = Case.SENSITIVE


def _mapping_check(value: Any) -> None:
    if not isinstance(value, Mapping):
        msg = f"expected a mapping (got {describe(value)})"
        raise TypeError(msg)


def make_converter(*, detailed_validation: bool = False) -> cattrs.Converter:
    """Build the converter (``detailed_validation`` to collect every problem)."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed_validation)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook_func(lambda t: t == frozenset[str], _structure_values)
    converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_strings)
    converter.register_structure_hook(When, _structure_when)
    for cls in _ENUM_NAMES:
        converter.register_structure_hook(cls, _structure_enum)

    def structure_frozenmap(value: Any, t: Any) -> FrozenMap[Any, Any]:
        _mapping_check(value)
        key_type, value_type = get_args(t)
        if not detailed_validation and value_type == frozenset[str]:
            # The hot path (every rule's scope): no per-item bookkeeping.
            return FrozenMap(
                {_structure_str(k, str): _structure_values(v, value_type) for k, v in value.items()}
            )
        return FrozenMap(converter.structure(value, dict[key_type, value_type]))  # type: ignore[valid-type]

    converter.register_structure_hook_func(_is_frozenmap, structure_frozenmap)

    def structure_vocabulary(value: Any, _: type) -> Vocabulary:
        _mapping_check(value)
        trees = converter.structure(value, dict[str, FrozenMap[str, frozenset[str]]])
        return Vocabulary(trees=FrozenMap(trees))

    converter.register_structure_hook(Vocabulary, structure_vocabulary)

    converter.register_structure_hook(
        _PatternOptions, _mapping_first(converter.get_structure_hook(_PatternOptions))
    )

    def structure_patterns(value: Any, _: type) -> FrozenMap[str, Case]:
        # A list of names means case-sensitive patterns; a mapping gives options.
        if isinstance(value, str | list):
            return FrozenMap(dict.fromkeys(_structure_values(value, frozenset), Case.SENSITIVE))
        if not isinstance(value, Mapping):
            msg = f"expected a mapping or a list of dimension names (got {describe(value)})"
            raise TypeError(msg)
        options = converter.structure(
            {k: {} if v is None else v for k, v in value.items()}, dict[str, _PatternOptions]
        )
        return FrozenMap({dim: option.case for dim, option in options.items()})

    patterns_type = FrozenMap[str, Case]
    converter.register_structure_hook_func(_same(patterns_type), structure_patterns)

    model_classes: tuple[Any, ...] = (Rule, Source, Event, Removal, PolicyVersion)
    for model_cls in model_classes:
        hook = _mapping_first(converter.get_structure_hook(model_cls))
        if model_cls is Rule:
            hook = _negating(hook)
        if model_cls is Rule and not detailed_validation:
            hook = _sharing(_quick(hook))
        converter.register_structure_hook(model_cls, hook)
        if model_cls is not PolicyVersion:
            # Before PolicyVersion's hook is made, so that it calls this one.
            many = tuple[model_cls, ...]  # type: ignore[valid-type]
            converter.register_structure_hook_func(
                _same(many), _list_first(converter.get_structure_hook(many))
            )

    # Writing: sets sorted, enums by value, times in the document's zone.
    converter.register_unstructure_hook_func(_is_set, sorted)
    converter.register_unstructure_hook_func(
        _is_frozenmap, lambda m: {k: converter.unstructure(v) for k, v in m.items()}
    )
    converter.register_unstructure_hook(When, lambda w: write_when(w, _timezone.get()))
    converter.register_unstructure_hook(Vocabulary, lambda v: converter.unstructure(v.trees))
    converter.register_unstructure_hook_func(
        _same(patterns_type),
        lambda m: {
            dim: {} if case is Case.SENSITIVE else {"case": case.value} for dim, case in m.items()
        },
    )
    for cls in _ENUM_NAMES:
        converter.register_unstructure_hook(cls, lambda e: e.value)
    return converter


def _same(wanted: Any) -> Any:
    def predicate(t: Any) -> bool:
        return bool(t == wanted)

    return predicate


def _list_first(hook: Any) -> Any:
    def structure(value: Any, cls: type) -> Any:
        if not isinstance(value, list | tuple):
            msg = f"expected a list (got {describe(value)})"
            raise TypeError(msg)
        return hook(value, cls)

    return structure


def _mapping_first(hook: Any) -> Any:
    def structure(value: Any, cls: type) -> Any:
        _mapping_check(value)
        return hook(value, cls)

    return structure


_fast = make_converter()
_detailed = make_converter(detailed_validation=True)


def structure_version(data: Any) -> PolicyVersion:
    """Structure a valid document quickly; any exception means it is not valid."""
    return _fast.structure(data, PolicyVersion)


def unstructure_version(version: PolicyVersion) -> dict[str, Any]:
    """Return the document form of ``version``, keys in canonical order."""
    with reading(timezone=version.timezone):
        data = _fast.unstructure(version)
    data["rules"] = [_ordered(_written_rule(rule), RULE_KEYS) for rule in data["rules"]]
    data["sources"] = [_drop_empty(s) for s in data["sources"]]
    data["events"] = [_drop_empty(e) for e in data["events"]]
    data["removals"] = [_drop_empty(r) for r in data["removals"]]
    return _ordered(data, VERSION_KEYS)


def unstructure_rule(rule: Rule) -> dict[str, Any]:
    """Return one rule's document form, as :func:`unstructure_version` writes it."""
    data: dict[str, Any] = _fast.unstructure(rule)
    return _ordered(data, RULE_KEYS)


def unstructure_field(version: PolicyVersion, field: str) -> Any:
    """One version field's document form, as :func:`unstructure_version` writes it.

    Converts only that field, so comparing the metadata of a large policy
    does not convert its rules.
    """
    with reading(timezone=version.timezone):
        value = _fast.unstructure(getattr(version, field))
    if field in ("sources", "events", "removals"):
        return [_drop_empty(item) for item in value]
    return list(value) if isinstance(value, tuple) else value


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def _ordered(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    data = _drop_empty(data)
    return {k: data[k] for k in keys if k in data}


# -- collecting every problem -------------------------------------------------


#: Rules structured at a time when looking for problems in a long list.
_CHUNK = 256


def structure_problems(data: Any, limit: int | None = None) -> tuple[list[RawProblem], bool]:
    """Find the problems cattrs finds structuring ``data``, with field paths.

    Args:
        data: A version document's data.
        limit: Stop looking through the rules once this many problems are
            found (each costs cattrs an exception, so a flood of bad rules
            would cost time and memory with every one); ``None`` looks
            through all of them.

    Returns:
        The problems, and whether every rule was looked at.
    """
    rules = data.get("rules") if isinstance(data, dict) else None
    if limit is None or not isinstance(rules, list) or len(rules) <= _CHUNK:
        return _problems_of(data), True
    found = _problems_of({**data, "rules": []})
    for start in range(0, len(rules), _CHUNK):
        if len(found) >= limit:
            return found, False
        for problem in _problems_of({**data, "rules": rules[start : start + _CHUNK]}):
            if problem.path[:1] == ("rules",) and len(problem.path) > 1:
                index = problem.path[1]
                if isinstance(index, int):
                    path = ("rules", index + start, *problem.path[2:])
                    found.append(attrs.evolve(problem, path=path))
    return found, True


def _problems_of(data: Any) -> list[RawProblem]:
    try:
        _detailed.structure(data, PolicyVersion)
    except Exception as exc:  # every failure becomes a problem
        return list(_walk(exc, (), PolicyVersion))
    return []


def _walk(exc: BaseException, path: Path, cls: Any) -> Iterator[RawProblem]:
    if isinstance(exc, ForbiddenExtraKeysError):
        known = sorted(a.name for a in attrs.fields(exc.cl))
        # YAML keys may be numbers, booleans or null: name them as written.
        for count, key in enumerate(sorted(exc.extra_fields, key=str)):
            text = key if isinstance(key, str) else str(key)
            # Suggestions cost time; past the first few hundred keys of one
            # mapping nobody reads them (and a flood of keys is hostile).
            suggest = isinstance(key, str) and count < _SUGGESTIONS
            close = difflib.get_close_matches(key, known, n=1) if suggest else []
            hint = f"did you mean {close[0]!r}?" if close else None
            message = f"unknown key {shown(key)}"
            if hint:
                message += f"; {hint}"
            else:
                message += f" (expected one of: {', '.join(known)})"
            yield RawProblem((*path, text), message, at_key=True)
        return
    if isinstance(exc, ClassValidationError | IterableValidationError):
        for sub in exc.exceptions:
            step, sub_cls = _step(sub, cls)
            yield from _walk(sub, path if step is None else (*path, step), sub_cls)
        return
    if isinstance(exc, KeyError) and isinstance(exc.args[0] if exc.args else None, str):
        # A missing attribute: the note already extended the path with it.
        yield RawProblem(path, "required field is missing", at_key=True)
        return
    message = str(exc) if isinstance(exc, ValueError | TypeError) else repr(exc)
    yield RawProblem(path, _plain(message))


#: Unknown keys of one mapping that get a "did you mean".
_SUGGESTIONS = 200


def _step(exc: BaseException, cls: Any) -> tuple[str | int | None, Any]:
    for note in getattr(exc, "__notes__", ()):
        name = getattr(note, "name", None)
        if name is not None:
            return name, getattr(note, "type", None)
        if hasattr(note, "index"):
            return note.index, getattr(note, "type", None)
    return None, cls


def _plain(message: str) -> str:
    # cattrs and attrs phrase some errors for developers; keep ours as they are.
    if message.startswith("__init__() missing"):
        return "required field is missing"
    return message
