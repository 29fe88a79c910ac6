"""Cedar policy sets in: each policy one rule, read through cedarpy's JSON form.

Cedar decides a request by its policies alone: where no ``permit`` applies the
answer is deny, and any applicable ``forbid`` overrides every ``permit``. A
version therefore gets ``default: prohibit`` and ``conflict:
prohibit-overrides``.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from policydiff._documents import decode
from policydiff._locate import offset_place
from policydiff._text import a_type, shown
from policydiff.errors import DocumentError, Problem
from policydiff.importers._common import build_version, content_id, fail, read_source
from policydiff.model import PolicyVersion

_EFFECTS = {"permit": "permit", "forbid": "prohibit"}
#: Where each scope's entity goes: its dimension, and the dimension of its type.
_SCOPES = {
    "principal": ("subject", "principal-type"),
    "action": ("action", None),
    "resource": ("resource", "resource-type"),
}


def from_cedar(
    source: str | bytes | Mapping[str, Any],
    *,
    policy: str,
    version: str | None = None,
    effective: Any = None,
    actions: Iterable[str] | None = None,
    entities: str | bytes | list[Any] | None = None,
    schema: str | bytes | Mapping[str, Any] | None = None,
    name: str = "<string>",
) -> PolicyVersion:
    """Read a Cedar policy set as one version of a policy.

    Args:
        source: Cedar policy text (read with the optional ``cedarpy``
            package), or Cedar's JSON policy set format as text or parsed
            data (read without it).
        policy: The policy id.
        version: The version label.
        effective: When the version took effect (a document time value, a
            ``When``, a date or a datetime).
        actions: Every action of the application (its Cedar schema's
            actions, such as ``Action::"view"``); needed only when a policy
            leaves ``action`` unconstrained, which means each of them.
        entities: Cedar entities (JSON text or parsed: a list of ``uid``
            and ``parents``), so that ``in`` covers a group's members: each
            entity's parent becomes its parent in the vocabulary of
            ``subject``, ``action`` or ``resource``, whichever names the
            entity or another in its tree. An entity may have one parent.
        schema: The application's Cedar schema in Cedar's JSON schema
            format (text or parsed), instead of ``actions``: its actions are
            every action, and its action groups (``memberOf``) put actions
            under their group in the vocabulary of ``action``.
        name: The file name for messages.

    Returns:
        The version: one rule per distinct policy, ``default: prohibit`` and
        ``conflict: prohibit-overrides``, as Cedar decides.

    Raises:
        DocumentError: The text is not Cedar or nests beyond the limits, a
            policy uses what this importer does not read (templates), two
            policies share an ``@id``, the entities are not a forest, the
            labels are missing or bad, or ``cedarpy`` is needed and missing.

    >>> v = from_cedar('@id("view") permit(principal, action == Action::"view", resource);',
    ...                policy="photos", version="1", effective="2024-05-01")
    >>> [(rule.id, rule.effect.value, sorted(rule.action)) for rule in v.rules]
    [('view', 'permit', ['Action::"view"'])]
    """
    data = _policy_set(source, name)
    groups: list[dict[str, Any]] = []
    if schema is not None:
        if actions is not None:
            fail(name, "", "give the actions either as actions= or as schema=, not both")
        actions, groups = _schema(schema, f"{name} (schema)")
    known = sorted({str(action) for action in actions}) if actions is not None else None
    problems: list[Problem] = []
    rules: dict[str, dict[str, Any]] = {}
    hashed: set[str] = set()
    for key in ("templates", "templateLinks"):
        if data.get(key):
            message = "policy templates are not read: link them into static policies first"
            problems.append(problem(name, key, message))
    policies = data.get("staticPolicies", {})
    if not isinstance(policies, Mapping):
        fail(name, "staticPolicies", f"expected a mapping of policies (got {a_type(policies)})")
    for key, body in policies.items():
        try:
            rule = _rule(body, known, name, str(key))
        except DocumentError as error:
            problems.extend(error.problems)
            continue
        rule_id, from_content = rule["id"], rule.pop("hashed")
        if rule_id in rules and not (from_content and rule_id in hashed):
            message = f"@id {shown(rule_id)} names another policy too"
            problems.append(problem(name, f"{key}.annotations.id", message))
        # Identical policies without an @id are one rule: repeating a policy changes nothing.
        rules[rule_id] = rule
        if from_content:
            hashed.add(rule_id)
    if problems:
        raise DocumentError(problems)
    place = f"{name} (entities)"
    listed = [] if entities is None else _entity_list(entities, place)
    trees = _vocabulary([*listed, *groups], rules.values(), place) if listed or groups else {}
    patterns = _open_actions(rules, trees, data, name) if known is None else {}
    for rule_id in list(rules):
        if not _resolve_within(rules[rule_id], trees):
            del rules[rule_id]  # it never applies: its principal is in none of the groups
    if trees:
        _check_equalities(policies, trees, name)
    document: dict[str, Any] = {
        "default": "prohibit",
        "conflict": "prohibit-overrides",
        "rules": sorted(rules.values(), key=lambda rule: str(rule["id"])),
    }
    if trees:
        # Entities the data does not list (a user of no group) stay values of their own.
        document.update(vocabulary=trees, open=sorted(trees))
    document.update(patterns)
    return build_version(document, policy=policy, version=version, effective=effective, name=name)


def _open_actions(
    rules: Mapping[str, dict[str, Any]],
    trees: Mapping[str, Any],
    data: Mapping[str, Any],
    name: str,
) -> dict[str, Any]:
    """Return the ``patterns`` declaration that lets ``*`` stand for every action.

    Without ``actions=`` or ``schema=``, a policy that leaves ``action`` open
    has the action ``*``, and ``action`` is declared a pattern dimension of
    the version (only then: a version without one compares with it as
    exactly). Entity ids with ``*`` or ``?`` would then be patterns too, and
    action groups from entities cannot sit on a pattern dimension: both are
    refused.
    """
    opened = [rule_id for rule_id, rule in rules.items() if ANY_ACTION in rule["action"]]
    if "action" in trees:
        if opened:
            message = "an open action cannot be read beside action groups from the entities"
            fail(name, "", message, "give the actions as actions= or schema=")
        return {}
    if not opened:
        return {}
    for rule in rules.values():
        for action in rule["action"]:
            if action != ANY_ACTION and ("*" in action or "?" in action):
                message = f"the action {action} holds * or ?, which would match other actions"
                fail(name, "", message, "give the actions as actions= or schema=")
    return {"patterns": {"action": {}}}


def _entity_list(entities: str | bytes | list[Any], place: str) -> list[Any]:
    """Return Cedar entities as the list of their JSON objects."""
    if isinstance(entities, (str, bytes)):
        entities = read_source(entities, format="json", name=place).data
    if not isinstance(entities, list):
        fail(place, "", f"expected a list of entities (got {a_type(entities)})")
    return entities


def _schema(schema: str | bytes | Mapping[str, Any], place: str) -> tuple[list[str], list[Any]]:
    """Return a JSON schema's actions, and its action groups as entities with their parent."""
    if isinstance(schema, (str, bytes)):
        text = decode(schema, place) if isinstance(schema, bytes) else schema
        if not text.lstrip().startswith("{"):
            hint = "write it in Cedar's JSON schema format (cedar translate-schema converts it)"
            fail(place, "", "only Cedar's JSON schema format is read", hint)
        schema = read_source(text, format="json", name=place).data
    if not isinstance(schema, Mapping):
        fail(place, "", f"expected a mapping of namespaces (got {a_type(schema)})")
    actions: list[str] = []
    groups: list[Any] = []
    for namespace, body in schema.items():
        declared = body.get("actions", {}) if isinstance(body, Mapping) else None
        # The empty namespace is the schema's top level.
        where = f"{namespace}.actions" if namespace else "actions"
        if not isinstance(declared, Mapping):
            message = f"expected a mapping of actions (got {a_type(declared)})"
            fail(place, where, message)
        kind = f"{namespace}::Action" if namespace else "Action"
        for action, spec in declared.items():
            actions.append(f"{kind}::{_string(str(action))}")
            member_of = spec.get("memberOf", []) if isinstance(spec, Mapping) else []
            if not isinstance(member_of, list) or not all(
                isinstance(group, Mapping) for group in member_of
            ):
                message = f"expected a list of action groups (got {shown(member_of)})"
                fail(place, f"{where}.{action}.memberOf", message)
            if len(member_of) > 1:
                message = "an action may belong to one group here (a vocabulary is a tree)"
                fail(place, f"{where}.{action}.memberOf", message)
            parents = [
                {"type": group.get("type", kind), "id": group.get("id")} for group in member_of
            ]
            groups.append({"uid": {"type": kind, "id": str(action)}, "parents": parents})
    if not actions:
        fail(place, "", "the schema declares no action")
    return actions, groups


def _vocabulary(
    entities: list[Any], rules: Iterable[dict[str, Any]], place: str
) -> dict[str, dict[str, list[str]]]:
    """Return the entity trees that the rules' subjects, actions and resources lie in."""
    parent: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    for index, entity in enumerate(entities):
        try:
            uid = _uid(entity.get("uid") if isinstance(entity, Mapping) else None)
            parents = [_uid(p) for p in entity.get("parents", [])]
        except (ValueError, TypeError) as error:
            fail(place, f"[{index}]", str(error))
        if len(parents) > 1:
            message = f"{uid} has {len(parents)} parents; a vocabulary value has at most one"
            fail(place, f"[{index}].parents", message)
        if parents:
            parent[uid] = parents[0]
            children.setdefault(parents[0], []).append(uid)
    trees: dict[str, dict[str, list[str]]] = {}
    for dim in ("subject", "action", "resource"):
        used = {value for rule in rules for value in _named(rule, dim)}
        roots = {_root(value, parent, place) for value in used}
        tree: dict[str, list[str]] = {}
        todo = [root for root in roots if root in children]
        while todo:
            node = todo.pop()
            tree[node] = sorted(children[node])
            todo.extend(child for child in children[node] if child in children)
        if tree:
            trees[dim] = tree
    return trees


def _check_equalities(
    policies: Mapping[str, Any], trees: Mapping[str, Mapping[str, list[str]]], name: str
) -> None:
    """Refuse ``==`` on an entity with members: as a parent it would cover them too."""
    problems = []
    for key, body in policies.items():
        for scope, (dim, _) in _SCOPES.items():
            if body[scope].get("op") == "==" and _uid(body[scope]["entity"]) in trees.get(dim, {}):
                entity = _uid(body[scope]["entity"])
                message = (
                    f"{scope} == {entity} names an entity with members in the entities or schema given;"
                    f" it would cover them as {scope} in {entity} does"
                )
                problems.append(problem(name, f"{key}.{scope}", message))
    if problems:
        raise DocumentError(problems)


def _named(rule: dict[str, Any], dim: str) -> list[str]:
    """Return the values a rule names on ``dim``, the groups it must be within included."""
    groups = [value for on, values, _ in rule.get("within", []) if on == dim for value in values]
    return [*_held(rule, dim), *groups]


def _held(rule: dict[str, Any], dim: str) -> list[str]:
    return list(rule.get(dim, []) if dim in ("subject", "action") else rule["scope"].get(dim, []))


def _resolve_within(rule: dict[str, Any], trees: Mapping[str, Mapping[str, list[str]]]) -> bool:
    """Narrow a rule to the groups its clauses require; ``False`` when nothing is left.

    A value is within a group when it is the group or lies below it in the
    dimension's tree, as Cedar's ``in`` reads the entities. Without a tree
    for the dimension the requirement stays a condition.
    """
    for dim, groups, text in rule.pop("within"):
        tree = trees.get(dim)
        if tree is None:
            rule["conditions"] = sorted({*rule["conditions"], text})
            continue
        parent = {kid: up for up, kids in tree.items() for kid in kids}

        def inside(value: str, group: str, parent: Mapping[str, str] = parent) -> bool:
            while value != group and value in parent:
                value = parent[value]
            return value == group

        held = _held(rule, dim)
        kept = {v for v in held if any(inside(v, g) for g in groups)}
        kept |= {g for g in groups if any(inside(g, v) for v in held)}
        if not kept:
            return False
        if dim in ("subject", "action"):
            rule[dim] = sorted(kept)
        else:
            rule["scope"][dim] = sorted(kept)
    return True


def _root(value: str, parent: Mapping[str, str], place: str) -> str:
    seen = {value}
    while value in parent:
        value = parent[value]
        if value in seen:
            fail(place, "", f"the entity hierarchy has a cycle through {value}")
        seen.add(value)
    return value


def problem(name: str, path: str, message: str, hint: str | None = None) -> Problem:
    """Return a problem of the file ``name`` at the field ``path``."""
    return Problem(file=name, path=path, message=message, hint=hint)


def _cedarpy(name: str) -> ModuleType:
    """Import cedarpy, or say which extra installs it."""
    try:
        return importlib.import_module("cedarpy")
    except ImportError:
        message = "reading Cedar policy text needs the cedarpy package, which is not installed"
        hint = "pip install 'policydiff[cedar]'; Cedar's JSON policy format reads without it"
        raise DocumentError([problem(name, "", message, hint)]) from None


#: The action of a policy that leaves ``action`` open, when no list of every
#: action is given: a pattern matching any action.
ANY_ACTION = "*"

#: The deepest nesting of brackets read in Cedar text; Cedar's own parser
#: crashes the process on nesting some hundreds deep.
MAX_BRACKETS = 64
#: The deepest expression read from Cedar's JSON form (a chain of ``||`` is
#: one level per operator).
MAX_DEPTH = 256


def _policy_set(source: str | bytes | Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """Return Cedar's JSON policy set for ``source``."""
    data: Mapping[str, Any]
    if isinstance(source, Mapping):
        data = source
    elif not isinstance(source, (str, bytes)):
        fail(name, "", f"expected Cedar text or its JSON policy set (got {a_type(source)})")
    else:
        text = decode(source, name) if isinstance(source, bytes) else source
        if text.lstrip().startswith("{"):
            data = read_source(text, format="json", name=name).data
        else:
            data = _parsed(text, name)
    # JSON text that starts with "{" and cedarpy's output are objects.
    if _too_deep(data):
        fail(name, "", f"an expression is nested deeper than the limit of {MAX_DEPTH} levels")
    return data


def _parsed(text: str, name: str) -> Any:
    """Parse Cedar text into its JSON form with cedarpy, refusing what would crash it."""
    deepest = _deep_bracket(text)
    if deepest is not None:
        line, column = offset_place(text, deepest)
        message = f"brackets nested deeper than the limit of {MAX_BRACKETS} levels"
        raise DocumentError(
            [Problem(file=name, path="", message=message, line=line, column=column)]
        )
    cedarpy = _cedarpy(name)
    try:
        return json.loads(cedarpy.policies_to_json_str(text))
    except ValueError as error:
        hint = "check the policy against the Cedar grammar: each policy ends with ';'"
        fail(name, "", f"not valid Cedar: {error}", hint)


def _deep_bracket(text: str) -> int | None:
    """Return the offset of the first bracket nested beyond the limit, outside strings and comments."""
    depth, index, size = 0, 0, len(text)
    while index < size:
        char = text[index]
        if char == '"':
            index += 1
            while index < size and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif text.startswith("//", index):
            index = text.find("\n", index)
            if index < 0:
                break
        elif char in "([{":
            depth += 1
            if depth > MAX_BRACKETS:
                return index
        elif char in ")]}":
            depth -= 1
        index += 1
    return None


def _too_deep(data: Any) -> bool:
    """Whether plain data nests deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    todo = [(data, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, Mapping):
            todo.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            todo.extend((item, depth + 1) for item in node)
    return False


def _rule(body: Any, actions: list[str] | None, name: str, key: str) -> dict[str, Any]:
    """Return one policy as a document rule, with ``hashed`` saying where its id came from."""
    if not isinstance(body, Mapping):
        fail(name, key, f"expected a policy object (got {a_type(body)})")
    effect = _EFFECTS.get(body.get("effect"))  # type: ignore[arg-type]
    if effect is None:
        message = f"unknown effect {shown(body.get('effect'))} (expected one of: forbid, permit)"
        fail(name, f"{key}.effect", message)
    dims: dict[str, set[str]] = {}
    problems: list[Problem] = []
    for scope, (dim, type_dim) in _SCOPES.items():
        try:
            _scope(body.get(scope), dims, dim, type_dim)
        except ValueError as error:
            problems.append(problem(name, f"{key}.{scope}", str(error)))
    conditions: set[str] = set()
    within: list[Any] = []
    clauses = body.get("conditions", [])
    for index, clause in enumerate(clauses if isinstance(clauses, list) else [clauses]):
        try:
            _clause(clause, dims, conditions, within)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            # A malformed JSON policy set reaches here as a missing or mistyped member.
            message = (
                str(error) if isinstance(error, ValueError) else f"malformed expression ({error!r})"
            )
            problems.append(problem(name, f"{key}.conditions[{index}]", message))
    if "action" not in dims and not problems:
        if actions is None:
            # Every action: the pattern that matches any value (see _open_actions).
            dims["action"] = {ANY_ACTION}
        elif actions:
            dims["action"] = set(actions)
        else:
            problems.append(problem(name, f"{key}.action", "actions= names no action"))
    if problems:
        raise DocumentError(problems)
    rule: dict[str, Any] = {
        "effect": effect,
        "action": sorted(dims.pop("action")),
        "scope": {dim: sorted(values) for dim, values in sorted(dims.items()) if dim != "subject"},
        "conditions": sorted(conditions),
        "within": sorted(within),
    }
    if "subject" in dims:
        rule["subject"] = sorted(dims["subject"])
    annotations = body.get("annotations") or {}
    given = annotations.get("id") if isinstance(annotations, Mapping) else None
    if given is None:
        rule["id"] = content_id("cedar", rule)
    elif not isinstance(given, str) or not given or given != given.strip():
        message = (
            f"an @id must be non-empty text without surrounding white space (got {shown(given)})"
        )
        fail(name, f"{key}.annotations.id", message)
    else:
        rule["id"] = given
    rule["hashed"] = given is None
    return rule


def _scope(scope: Any, dims: dict[str, set[str]], dim: str, type_dim: str | None) -> None:
    """Add the dimensions a principal, action or resource constraint names."""
    if not isinstance(scope, Mapping):
        msg = f"expected a scope constraint object (got {a_type(scope)})"
        raise ValueError(msg)
    op = scope.get("op")
    if "slot" in scope or (
        "in" in scope and isinstance(scope["in"], Mapping) and "slot" in scope["in"]
    ):
        msg = "a template slot is not read: link the template into a static policy first"
        raise ValueError(msg)
    if op == "All":
        return
    if op == "==" or (op == "in" and "entity" in scope):
        entity = _uid(scope.get("entity"))
        dims[dim] = {entity}
        if op == "==" and type_dim is not None:
            dims[type_dim] = {_type_of(scope.get("entity"))}
        return
    if op == "in" and dim == "action" and isinstance(scope.get("entities"), list):
        if not scope["entities"]:
            msg = "an empty action list matches nothing"
            raise ValueError(msg)
        dims[dim] = {_uid(entity) for entity in scope["entities"]}
        return
    if op == "is" and type_dim is not None and isinstance(scope.get("entity_type"), str):
        dims[type_dim] = {scope["entity_type"]}
        if "in" in scope:
            group = scope["in"]
            dims[dim] = {_uid(group.get("entity") if isinstance(group, Mapping) else group)}
        return
    msg = f"unsupported scope constraint {shown(dict(scope))}"
    raise ValueError(msg)


def _uid(entity: Any) -> str:
    """Return an entity reference as Cedar writes it: ``User::"alice"``."""
    if isinstance(entity, Mapping) and "__entity" in entity:
        entity = entity["__entity"]
    if (
        not isinstance(entity, Mapping)
        or not isinstance(entity.get("type"), str)
        or not isinstance(entity.get("id"), str)
    ):
        msg = f"expected an entity with a type and an id (got {shown(entity)})"
        raise ValueError(msg)
    return f"{entity['type']}::{_string(entity['id'])}"


def _type_of(entity: Any) -> str:
    if isinstance(entity, Mapping) and "__entity" in entity:
        entity = entity["__entity"]
    assert isinstance(entity, Mapping)  # checked by _uid first
    return str(entity["type"])


# ---------------------------------------------------------------------------
# Conditions: simple equalities become dimensions, the rest stay Cedar text.


def _clause(
    clause: Any, dims: dict[str, set[str]], conditions: set[str], within: list[Any]
) -> None:
    """Add one ``when``/``unless`` clause as dimensions and conditions.

    ``principal in G`` beside a principal the scope already names goes to
    ``within``, to be resolved once the entity trees are known.
    """
    if not isinstance(clause, Mapping) or clause.get("kind") not in ("when", "unless"):
        msg = f"expected a when or unless clause (got {shown(clause)})"
        raise ValueError(msg)
    body = clause.get("body")
    if clause["kind"] == "unless":
        conditions.add(expression({"!": {"arg": body}}))
        return
    for term in _conjuncts(body):
        found = _dimension(term)
        if found is not None and found[0] not in dims:
            dims[found[0]] = found[1]
        elif found is not None and found[0] in ("subject", "action", "resource"):
            within.append([found[0], sorted(found[1]), expression(term)])
        else:
            conditions.add(expression(term))


def _conjuncts(expr: Any) -> list[Any]:
    if isinstance(expr, Mapping) and set(expr) == {"&&"}:
        both = expr["&&"]
        return [*_conjuncts(both.get("left")), *_conjuncts(both.get("right"))]
    return [expr]


def _dimension(term: Any) -> tuple[str, set[str]] | None:
    """Return the dimension and values a term pins, when it is simple equality.

    ``context.purpose == "work"``, ``["a", "b"].contains(context.tier)`` and
    ``context.tier == "a" || context.tier == "b"`` pin an attribute of the
    request; ``principal in Group::"a"`` (or a list of entities) is the
    principal's scope written in a clause. Anything else is a condition.
    """
    if not isinstance(term, Mapping) or len(term) != 1:
        return None
    ((op, args),) = term.items()
    if not isinstance(args, Mapping):
        return None
    if op == "==":
        for attr, value in (
            (args.get("left"), args.get("right")),
            (args.get("right"), args.get("left")),
        ):
            path, literal = _attribute(attr), _literal(value)
            if path is not None and literal is not None:
                return path, {literal}
            # An action has no type dimension, so == reads as its scope form too.
            if attr == {"Var": "action"} and isinstance(value, Mapping) and "Value" in value:
                return _membership(attr, value)
    elif op == "contains":
        path = _attribute(args.get("right"))
        items = args.get("left", {}).get("Set") if isinstance(args.get("left"), Mapping) else None
        if path is not None and isinstance(items, list) and items:
            values = [_literal(item) for item in items]
            if all(value is not None for value in values):
                return path, {str(value) for value in values}
    elif op == "in":
        return _membership(args.get("left"), args.get("right"))
    elif op == "||":
        left, right = _dimension(args.get("left")), _dimension(args.get("right"))
        if left is not None and right is not None and left[0] == right[0]:
            return left[0], left[1] | right[1]
    return None


def _membership(variable: Any, group: Any) -> tuple[str, set[str]] | None:
    """Return the scope dimension and entities of ``principal in E`` (or a list of them)."""
    if not isinstance(variable, Mapping) or set(variable) != {"Var"}:
        return None
    dim = _SCOPES.get(str(variable["Var"]), (None, None))[0]
    items = group["Set"] if isinstance(group, Mapping) and "Set" in group else [group]
    if not isinstance(items, list):
        return None
    entities = [
        item["Value"]
        for item in items if isinstance(item, Mapping) and isinstance(item.get("Value"), Mapping)
    ]  # fmt: skip
    if dim is None or not entities or len(entities) != len(items):
        return None
    try:
        return dim, {_uid(entity) for entity in entities}
    except ValueError:
        return None


def _attribute(expr: Any) -> str | None:
    """Return ``context.a.b`` for an attribute of a request variable, else ``None``."""
    names: list[str] = []
    while isinstance(expr, Mapping) and set(expr) == {"."}:
        names.append(str(expr["."].get("attr")))
        expr = expr["."].get("left")
    if not names or not isinstance(expr, Mapping) or set(expr) != {"Var"}:
        return None
    return ".".join([str(expr["Var"]), *reversed(names)])


def _literal(expr: Any) -> str | None:
    """Return a string, number, boolean or entity literal as a dimension value."""
    if not isinstance(expr, Mapping) or set(expr) != {"Value"}:
        return None
    value = expr["Value"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, Mapping) and "__entity" in value:
        try:
            return _uid(value)
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------------------
# Cedar text from the JSON form, with only the parentheses it needs.

_IF, _OR, _AND, _REL, _ADD, _MUL, _UNARY, _MEMBER = range(8)
_BINARY = {
    "||": _OR, "&&": _AND,
    "==": _REL, "!=": _REL, "<": _REL, "<=": _REL, ">": _REL, ">=": _REL, "in": _REL,
    "+": _ADD, "-": _ADD, "*": _MUL,
}  # fmt: skip
_METHODS = {"contains", "containsAll", "containsAny", "getTag", "hasTag"}
_FUNCTIONS = {"ip", "decimal", "datetime", "duration"}
_IDENTIFIER = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*\Z")


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def expression(expr: Any, level: int = _IF) -> str:
    """Return a Cedar expression in Cedar's JSON form as Cedar text.

    Args:
        expr: The expression.
        level: The binding the context needs; weaker expressions get
            parentheses.

    Raises:
        ValueError: A construct this printer does not know.
    """
    text, own = _printed(expr)
    return f"({text})" if own < level else text


def _printed(expr: Any) -> tuple[str, int]:
    if not isinstance(expr, Mapping) or len(expr) != 1:
        msg = f"unsupported expression {shown(expr)}"
        raise ValueError(msg)
    ((op, args),) = expr.items()
    if op == "Value":
        # A negative number is written with a prefix minus, as a unary expression.
        negative = isinstance(args, int) and not isinstance(args, bool) and args < 0
        return _value(args), _UNARY if negative else _MEMBER
    if op == "Var":
        return str(args), _MEMBER
    if op in _BINARY:
        own = _BINARY[op]
        left, right = args["left"], args["right"]
        # Left-associative operators chain on the left; relations do not chain.
        left_level = own if own != _REL else _ADD
        return f"{expression(left, left_level)} {op} {expression(right, own + 1)}", own
    if op in ("!", "neg"):
        sign = "!" if op == "!" else "-"
        # Cedar's grammar does not mix ! and - in one run of prefixes.
        return f"{sign}{expression(args['arg'], _MEMBER)}", _UNARY
    if op == "isEmpty":
        return f"{expression(args['arg'], _MEMBER)}.isEmpty()", _MEMBER
    if op in _METHODS:
        return f"{expression(args['left'], _MEMBER)}.{op}({expression(args['right'])})", _MEMBER
    if op == ".":
        return f"{expression(args['left'], _MEMBER)}{_access(args['attr'])}", _MEMBER
    if op == "has":
        attr = args["attr"]
        shown_attr = attr if _IDENTIFIER.match(attr) else _string(attr)
        return f"{expression(args['left'], _ADD)} has {shown_attr}", _REL
    if op == "like":
        return f"{expression(args['left'], _ADD)} like {_pattern(args['pattern'])}", _REL
    if op == "is":
        text = f"{expression(args['left'], _ADD)} is {args['entity_type']}"
        if "in" in args:
            text += f" in {expression(args['in'], _ADD)}"
        return text, _REL
    if op == "if-then-else":
        parts = (expression(args[key]) for key in ("if", "then", "else"))
        return "if {} then {} else {}".format(*parts), _IF
    if op == "Set":
        return f"[{', '.join(expression(item) for item in args)}]", _MEMBER
    if op == "Record":
        fields = (f"{_key(key)}: {expression(value)}" for key, value in args.items())
        return f"{{{', '.join(fields)}}}", _MEMBER
    if isinstance(args, list) and re.match(r"[a-zA-Z]+\Z", op):
        if op in _FUNCTIONS:
            return f"{op}({', '.join(expression(arg) for arg in args)})", _MEMBER
        if args:
            rest = ", ".join(expression(arg) for arg in args[1:])
            return f"{expression(args[0], _MEMBER)}.{op}({rest})", _MEMBER
    msg = f"unsupported expression {shown(op)}"
    raise ValueError(msg)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return f"[{', '.join(_value(item) for item in value)}]"
    if isinstance(value, Mapping) and "__entity" in value:
        return _uid(value)
    if isinstance(value, Mapping) and "__extn" in value:
        extension = value["__extn"]
        return f"{extension['fn']}({_string(extension['arg'])})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)}: {_value(v)}" for k, v in value.items()) + "}"
    msg = f"unsupported value {shown(value)}"
    raise ValueError(msg)


def _access(attr: str) -> str:
    return f".{attr}" if _IDENTIFIER.match(attr) else f"[{_string(attr)}]"


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else _string(key)


def _pattern(elements: list[Any]) -> str:
    text = ""
    for element in elements:
        if element == "Wildcard":
            text += "*"
        else:
            literal = str(element["Literal"])
            text += literal.replace("\\", "\\\\").replace("*", "\\*").replace('"', '\\"')
    return f'"{text}"'
