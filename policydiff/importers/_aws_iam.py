"""AWS IAM JSON policies (identity-based and resource-based) as policydiff versions.

Each statement becomes one rule:

- ``Effect``: ``Allow`` is ``permit``, ``Deny`` is ``prohibit``; the version
  says ``default: none`` (IAM's implicit deny is another policy's to
  override) and ``conflict: prohibit-overrides`` (an explicit deny wins).
- ``Action`` is the rule's ``action``; ``Resource`` and ``Principal`` are the
  ``resource`` and ``principal`` dimensions. All three are declared pattern
  dimensions (``*`` and ``?`` are wildcards; actions ignore case), and
  ``NotAction``, ``NotResource`` and ``NotPrincipal`` are written
  ``{"not": [...]}``: every value that matches none of them. ``"*"`` in
  ``Resource`` or ``Principal`` (and ``{"AWS": "*"}``) means any value: the
  dimension is left out. A principal is written with its type,
  ``AWS:...``, ``Service:...``, ``Federated:...`` or ``CanonicalUser:...``;
  an account id is the account's root ARN
  (``AWS:arn:aws:iam::123456789012:root``), as IAM reads it.
- ``Condition``: a key (with its service prefix, as ``aws:SourceVpc``)
  tested by ``StringEquals``, ``StringLike``, ``ArnEquals`` or ``ArnLike``
  alone (no other operator on it in the statement) is a pattern dimension
  named for the key in lower case (``aws:sourcevpc``): the request's value
  must match one of the listed ones (a ``StringEquals`` value holding a
  wildcard character, which it reads as itself, keeps the test a
  condition). Every other operator and key is a condition whose text is
  the operator, the key and the values, sorted (``IpAddress aws:SourceIp
  [198.51.100.0/24, 203.0.113.0/24]``).
- The rule id is the statement's ``Sid``; without one, ``allow-`` or
  ``deny-`` and a hash of what the statement applies to (principals,
  resources, conditions), so that actions added to or removed from it are
  changes of one rule; when several unnamed statements apply to the same,
  the hash covers their actions too. Order never matters.
"""

from __future__ import annotations

import difflib
import json
import typing
import urllib.parse
from typing import Any

import attrs

from policydiff._locate import render_path
from policydiff._problems import Path, RawProblem
from policydiff._text import a_type, describe, shown
from policydiff.importers._common import Source, build_version, content_id, read_source
from policydiff.model import PolicyVersion

__all__ = ["from_aws_iam"]

#: The top-level keys of a policy document.
DOCUMENT_KEYS = ("Version", "Id", "Statement")
#: The keys of a statement.
STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
#: The policy language versions IAM accepts.
LANGUAGE_VERSIONS = ("2012-10-17", "2008-10-17")
#: The kinds of principal a ``Principal`` mapping names.
PRINCIPAL_TYPES = ("AWS", "CanonicalUser", "Federated", "Service")
#: The keys of an ``aws iam get-policy-version`` answer's ``PolicyVersion``.
WRAPPER_KEYS = ("Document", "VersionId", "IsDefaultVersion", "CreateDate")
#: Condition operators whose values are patterns (``*`` and ``?`` wildcards), as IAM reads them.
PATTERN_OPERATORS = ("StringLike", "ArnLike", "ArnEquals")
#: Condition operators whose key becomes a dimension (the request's value matches one of these).
DIMENSION_OPERATORS = ("StringEquals", *PATTERN_OPERATORS)
#: The dimensions every imported version declares as patterns, with their case.
PATTERN_DIMENSIONS: dict[str, dict[str, str]] = {
    "action": {"case": "insensitive"},
    "principal": {},
    "resource": {},
}
_EFFECTS = {"Allow": "permit", "Deny": "prohibit"}
_NEGATED = {"NotAction": "Action", "NotResource": "Resource", "NotPrincipal": "Principal"}

#: A dimension's values as a rule writes them: patterns, or ``{"not": [patterns]}``.
Values = list[str] | dict[str, list[str]]


def _values(patterns: list[str], *, negated: bool) -> Values:
    ordered = sorted(set(patterns))
    return {"not": ordered} if negated else ordered


def _patterns(rules: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Declare the pattern dimensions: action, resource, principal and the condition keys."""
    keys = {dim for rule in rules for dim in rule.get("scope", {}) if ":" in dim}
    return {**PATTERN_DIMENSIONS, **{key: {} for key in sorted(keys)}}


def from_aws_iam(
    document: Any,
    *,
    policy: str,
    version: str | None = None,
    effective: Any = None,
    name: str = "<string>",
) -> PolicyVersion:
    """Read an AWS IAM policy document as a version.

    Args:
        document: The policy: JSON text or bytes, or the parsed mapping. An
            ``aws iam get-policy-version`` answer (``{"PolicyVersion":
            {"Document": ..., "VersionId": ..., "CreateDate": ...}}``) is
            read too, its ``VersionId`` and ``CreateDate`` standing in for
            ``version`` and ``effective`` when those are not given.
        policy: The policy id.
        version: The version label.
        effective: When the version took effect: a time value such as
            ``"2024-05-30"`` or ``"2024-05"``, or a pendulum DateTime.
        name: The file name for messages.

    Returns:
        The version: one rule per statement, ``default: none``,
        ``conflict: prohibit-overrides``, pattern dimensions declared.

    Raises:
        DocumentError: The document is not a valid IAM policy (every
            problem, with its place), or ``version`` or ``effective`` are
            missing or bad.

    >>> from policydiff.importers import from_aws_iam
    >>> v = from_aws_iam(
    ...     '{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Allow",'
    ...     ' "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}}',
    ...     policy="reports-read", version="v1", effective="2024-05-30",
    ... )
    >>> rule = v.rule("Read")
    >>> rule.effect.value, sorted(rule.action), sorted(rule.scope["resource"])
    ('permit', ['s3:GetObject'], ['arn:aws:s3:::reports/*'])
    """
    source = read_source(document, format="json", name=name)
    reader = _Reader(source)
    data, prefix = source.data, typing.cast("Path", ())
    if isinstance(data, dict) and "PolicyVersion" in data:
        data, prefix, version, effective = reader.unwrap(data, version, effective)
        if reader.problems:
            source.fail(reader.problems)
        source = reader.source
    statements = reader.document(data, prefix)
    if reader.problems:
        source.fail(reader.problems)
    rules = _rules(statements, reader)
    if reader.problems:
        source.fail(reader.problems)
    body = {
        "default": "none",
        "conflict": "prohibit-overrides",
        "patterns": _patterns(rules),
        "rules": rules,
    }
    return build_version(body, policy=policy, version=version, effective=effective, name=name)


@attrs.frozen(kw_only=True)
class _Statement:
    """One statement, read and checked: what its rule needs."""

    path: Path
    sid: str | None
    effect: str
    action: Values
    scope: dict[str, Values]
    conditions: list[str]

    def applies_to(self) -> dict[str, Any]:
        """Everything but the actions: what an unnamed statement is known by."""
        return {"effect": self.effect, "scope": self.scope, "conditions": self.conditions}

    def content(self) -> dict[str, Any]:
        return {**self.applies_to(), "action": self.action}

    def rule(self, rule_id: str) -> dict[str, Any]:
        rule: dict[str, Any] = {"id": rule_id, "effect": self.effect, "action": self.action}
        if self.scope:
            rule["scope"] = self.scope
        if self.conditions:
            rule["conditions"] = self.conditions
        return rule


class _Reader:
    """Reads a policy document, collecting every problem at its path."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[RawProblem] = []

    def problem(
        self, path: Path, message: str, *, at_key: bool = False, hint: str | None = None
    ) -> None:
        self.problems.append(RawProblem(path, message, at_key, hint))

    # -- the get-policy-version answer -------------------------------------------

    def unwrap(
        self, data: dict[str, Any], version: str | None, effective: Any
    ) -> tuple[Any, Path, str | None, Any]:
        """Open ``{"PolicyVersion": {...}}``: its document, and its labels where none are given."""
        for key in data:
            if key != "PolicyVersion":
                self.problem((key,), "unknown key beside 'PolicyVersion'", at_key=True)
        wrapper = data["PolicyVersion"]
        if not isinstance(wrapper, dict):
            self.problem(("PolicyVersion",), f"expected a mapping (got {describe(wrapper)})")
            return None, (), version, effective
        self.known_keys(wrapper, ("PolicyVersion",), WRAPPER_KEYS, "key of PolicyVersion")
        if version is None and isinstance(wrapper.get("VersionId"), str):
            version = wrapper["VersionId"]
        if effective is None:
            effective = wrapper.get("CreateDate")
        if "Document" not in wrapper:
            self.problem(("PolicyVersion",), "missing 'Document'", at_key=True)
            return None, (), version, effective
        inner = wrapper["Document"]
        if isinstance(inner, str):
            # The IAM API answers with the document URL-encoded; the CLI decodes it.
            text = urllib.parse.unquote(inner) if inner.lstrip().startswith("%") else inner
            self.source = read_source(
                text, format="json", name=f"{self.source.name} (PolicyVersion.Document)"
            )
            return self.source.data, (), version, effective
        return inner, ("PolicyVersion", "Document"), version, effective

    # -- the document --------------------------------------------------------------

    def document(self, data: Any, at: Path) -> list[_Statement]:
        if not isinstance(data, dict):
            self.problem(at, f"expected a policy document, a JSON object (got {a_type(data)})")
            return []
        self.known_keys(data, at, DOCUMENT_KEYS, "policy element")
        language = data.get("Version")
        if "Version" in data and language not in LANGUAGE_VERSIONS:
            expected = " or ".join(LANGUAGE_VERSIONS)
            self.problem((*at, "Version"), f"expected {expected} (got {shown(language)})")
        if "Id" in data and not isinstance(data["Id"], str):
            self.problem((*at, "Id"), f"expected a string (got {describe(data['Id'])})")
        if "Statement" not in data:
            self.problem(at, "missing 'Statement'", at_key=True)
            return []
        found = data["Statement"]
        if isinstance(found, dict):
            one = self.statement(found, (*at, "Statement"))
            return [one] if one is not None else []
        if not isinstance(found, list):
            got = describe(found)
            self.problem((*at, "Statement"), f"expected a statement or a list of them (got {got})")
            return []
        read = [self.statement(s, (*at, "Statement", i)) for i, s in enumerate(found)]
        return [s for s in read if s is not None]

    def known_keys(self, data: dict[str, Any], at: Path, known: tuple[str, ...], what: str) -> None:
        for key in data:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            if not close:
                close = [k for k in known if k.lower() == str(key).lower()]
            hint = f"did you mean {close[0]!r}?" if close else None
            expected = ", ".join(known)
            self.problem(
                (*at, key), f"unknown {what} (expected one of: {expected})", at_key=True, hint=hint
            )

    # -- a statement -----------------------------------------------------------------

    def statement(self, data: Any, at: Path) -> _Statement | None:
        if not isinstance(data, dict):
            self.problem(at, f"expected a statement, a JSON object (got {describe(data)})")
            return None
        before = len(self.problems)
        self.known_keys(data, at, STATEMENT_KEYS, "statement element")
        sid = self.sid(data, at)
        effect = self.effect(data, at)
        for negated, plain in _NEGATED.items():
            if negated in data and plain in data:
                message = f"{negated} and {plain} cannot both be given"
                self.problem((*at, negated), message, at_key=True)
        key = "NotAction" if "NotAction" in data else "Action"
        actions = self.strings(data, key, at, required=True)
        for value in actions:
            if value != "*" and ":" not in value:
                message = f"expected an action such as s3:GetObject, or * (got {shown(value)})"
                self.problem((*at, key), message)
        action = _values(actions, negated=key == "NotAction")
        scope: dict[str, Values] = {}
        key = "NotResource" if "NotResource" in data else "Resource"
        resources = self.strings(data, key, at, required=False)
        if key == "NotResource" or (resources and "*" not in resources):
            scope["resource"] = _values(resources, negated=key == "NotResource")
        key = "NotPrincipal" if "NotPrincipal" in data else "Principal"
        principals = self.principals(data, key, at)
        if key == "NotPrincipal" or (principals and "*" not in principals):
            scope["principal"] = _values(principals, negated=key == "NotPrincipal")
        dimensions, conditions = self.conditions(data, at)
        scope.update(dimensions)
        if len(self.problems) > before or effect is None:
            return None
        return _Statement(
            path=at,
            sid=sid,
            effect=effect,
            action=action,
            scope=scope,
            conditions=conditions,
        )

    def sid(self, data: dict[str, Any], at: Path) -> str | None:
        sid = data.get("Sid")
        if sid is None or sid == "":
            return None
        if not isinstance(sid, str):
            self.problem((*at, "Sid"), f"expected a string (got {describe(sid)})")
            return None
        if sid != sid.strip():
            self.problem((*at, "Sid"), f"a Sid cannot start or end with spaces (got {shown(sid)})")
            return None
        return sid

    def effect(self, data: dict[str, Any], at: Path) -> str | None:
        if "Effect" not in data:
            self.problem(at, "missing 'Effect' (Allow or Deny)", at_key=True)
            return None
        value = data["Effect"]
        if value in _EFFECTS:
            return _EFFECTS[value]
        hint = (
            "Effect is case-sensitive"
            if isinstance(value, str) and value.title() in _EFFECTS
            else None
        )
        self.problem((*at, "Effect"), f"expected Allow or Deny (got {shown(value)})", hint=hint)
        return None

    def strings(self, data: dict[str, Any], key: str, at: Path, *, required: bool) -> list[str]:
        """Read a string or a non-empty list of strings, as ``Action`` and ``Resource`` take."""
        if key not in data:
            if required:
                self.problem(at, f"missing {key!r}", at_key=True)
            return []
        value = data[key]
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            got = "an empty list" if items == [] else describe(value)
            self.problem(
                (*at, key), f"expected a string or a non-empty list of strings (got {got})"
            )
            return []
        good = []
        for index, item in enumerate(items):
            place = (*at, key) if isinstance(value, str) else (*at, key, index)
            if not isinstance(item, str) or not item.strip():
                self.problem(place, f"expected a non-empty string (got {describe(item)})")
            else:
                good.append(item)
        return good

    def principals(self, data: dict[str, Any], key: str, at: Path) -> list[str]:
        """Read ``Principal`` (or ``NotPrincipal``) as typed values; ``["*"]`` for anyone."""
        if key not in data:
            return []
        value = data[key]
        if value == "*":
            return ["*"]
        if not isinstance(value, dict) or not value:
            message = f'expected "*" or a mapping of principal types (got {describe(value)})'
            self.problem((*at, key), message)
            return []
        self.known_keys(value, (*at, key), PRINCIPAL_TYPES, "principal type")
        found: set[str] = set()
        for kind in PRINCIPAL_TYPES:
            if kind not in value:
                continue
            for item in self.strings(value, kind, (*at, key), required=True):
                if kind == "AWS" and item == "*":
                    return ["*"]  # {"AWS": "*"} is anyone, as "*" is
                if kind == "AWS" and item.isdigit() and len(item) == 12:
                    item = f"arn:aws:iam::{item}:root"
                found.add(f"{kind}:{item}")
        return sorted(found)

    # -- conditions ----------------------------------------------------------------

    def conditions(self, data: dict[str, Any], at: Path) -> tuple[dict[str, Values], list[str]]:
        """Return the dimensions a statement's conditions make, and its other conditions' texts."""
        if "Condition" not in data:
            return {}, []
        block = data["Condition"]
        if not isinstance(block, dict):
            self.problem(
                (*at, "Condition"), f"expected a mapping of operators (got {describe(block)})"
            )
            return {}, []
        tests: list[tuple[str, str, list[str]]] = []
        for operator, keys in block.items():
            place = (*at, "Condition", operator)
            if not isinstance(keys, dict) or not keys:
                got = "an empty mapping" if keys == {} else describe(keys)
                self.problem(place, f"expected a mapping of condition keys to values (got {got})")
                continue
            for key, values in keys.items():
                read = self.condition_values(values, (*place, key))
                if read is not None:
                    tests.append((operator, key, read))
        keys_seen: dict[str, int] = {}
        for _, key, _ in tests:
            keys_seen[key.lower()] = keys_seen.get(key.lower(), 0) + 1
        dimensions: dict[str, Values] = {}
        texts: set[str] = set()
        for operator, key, values in tests:
            if (
                operator in DIMENSION_OPERATORS
                # Real keys have a service prefix (aws:, s3:); others could
                # take the name of the rule's own dimensions.
                and ":" in key
                and keys_seen[key.lower()] == 1
                and values
                # StringEquals reads * and ? as themselves, a pattern as wildcards.
                and (operator in PATTERN_OPERATORS or not any(w in v for v in values for w in "*?"))
            ):
                dimensions[key.lower()] = sorted(set(values))
            else:
                texts.add(_condition_text(operator, key, values))
        return dimensions, sorted(texts)

    def condition_values(self, values: Any, at: Path) -> list[str] | None:
        items = values if isinstance(values, list) else [values]
        read = []
        for index, item in enumerate(items):
            if isinstance(item, bool):
                read.append("true" if item else "false")
            elif isinstance(item, str | int | float):
                read.append(str(item))
            else:
                place = at if not isinstance(values, list) else (*at, index)
                self.problem(place, f"expected a string, number or boolean (got {a_type(item)})")
                return None
        return read


def _condition_text(operator: str, key: str, values: list[str]) -> str:
    """Say one condition test as IAM writes it: operator, key and values (sorted)."""
    ordered = sorted(set(values))
    shown_values = ordered[0] if len(ordered) == 1 else f"[{', '.join(ordered)}]"
    return f"{operator} {key} {shown_values}"


def _rules(statements: list[_Statement], reader: _Reader) -> list[dict[str, Any]]:
    """One rule per statement, ids from Sids or content; identical unnamed statements are one."""
    rules: dict[str, dict[str, Any]] = {}
    first_place: dict[str, Path] = {}
    unnamed: dict[str, list[_Statement]] = {}
    for statement in statements:
        if statement.sid is None:
            key = json.dumps(statement.applies_to(), sort_keys=True)
            unnamed.setdefault(key, []).append(statement)
            continue
        if statement.sid in first_place:
            first = render_path(first_place[statement.sid])
            message = f"duplicate Sid {statement.sid!r} (first at {first})"
            reader.problem((*statement.path, "Sid"), message)
            continue
        first_place[statement.sid] = statement.path
        rules[statement.sid] = statement.rule(statement.sid)
    for group in unnamed.values():
        # The same statement written twice is one rule.
        distinct = list({json.dumps(s.content(), sort_keys=True): s for s in group}.values())
        prefix = "allow" if group[0].effect == "permit" else "deny"
        for statement in distinct:
            content = statement.applies_to() if len(distinct) == 1 else statement.content()
            rule_id = content_id(prefix, content)
            if rule_id in first_place:
                first = render_path(first_place[rule_id])
                reader.problem(statement.path, f"rule id {rule_id!r} is also the Sid at {first}")
                continue
            first_place[rule_id] = statement.path
            rules[rule_id] = statement.rule(rule_id)
    return [rules[rule_id] for rule_id in sorted(rules)]
