"""Kubernetes RBAC manifests in: Roles, ClusterRoles and their bindings as a version.

The input is what ``helm template`` or ``kubectl get -o yaml`` prints: YAML
documents separated by ``---``, ``List`` objects holding ``items``, or the
same already parsed. Objects of other kinds (Deployments, Services, custom
resources) are passed over; an RBAC object that is malformed is an error
naming its document, line and field.

Every RBAC rule is a permit and the version's ``default`` is ``prohibit``:
RBAC grants, never denies. A rule's dimensions:

- ``action``: ``access resources`` (a rule with ``resources``) or
  ``access non-resource URLs`` (a rule with ``nonResourceURLs``), the two
  kinds of request Kubernetes authorizes;
- ``verb``, ``apiGroup`` (the core group ``""`` is written ``core``),
  ``resource`` (subresources as ``pods/log``), ``resourceName``,
  ``nonResourceURL``: a dimension whose list holds ``*`` is left out, which
  means any value; a path ending in ``*`` and ``*/scale`` are pattern values;
- ``namespace``: where a Role (or a RoleBinding) applies;
- ``role`` (``ClusterRole/NAME``, ``Role/NAMESPACE/NAME``) in the role view;
  ``subject`` (``User:alice``, ``Group:system:masters``,
  ``ServiceAccount:NAMESPACE/NAME``) in the subject view.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs
import yaml

from policydiff._documents import (
    DEFAULT_LIMITS,
    Limits,
    check_shape,
    decode,
    screen,
    yaml_error,
)
from policydiff._locate import node_duplicates, node_place, render_path
from policydiff._parse import YamlLoader, yaml_nodes
from policydiff._problems import capped
from policydiff._text import a_type, joined, shown
from policydiff.errors import DocumentError, Problem
from policydiff.importers._common import build_version, content_id
from policydiff.model import PolicyVersion

__all__ = ["from_k8s_rbac", "from_k8s_rbac_subjects"]

View = Literal["role", "subject"]
Path = tuple[str | int, ...]

_GROUP = "rbac.authorization.k8s.io"
_ROLE_KINDS = ("Role", "ClusterRole")
_BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
_SUBJECT_KINDS = ("User", "Group", "ServiceAccount")
_OPERATORS = ("DoesNotExist", "Exists", "In", "NotIn")
_RULE_KEYS = ("apiGroups", "nonResourceURLs", "resourceNames", "resources", "verbs")
RESOURCE_REQUEST = "access resources"
NON_RESOURCE_REQUEST = "access non-resource URLs"


@attrs.frozen
class _Object:
    """One Kubernetes object of the input, and where it is."""

    data: dict[str, Any]
    document: int  # 1-based, in the order of the input
    path: Path  # from the document's top (``items[3]`` inside a List)
    node: Any  # the composed YAML node, when the input was text

    @property
    def kind(self) -> str:
        kind = self.data.get("kind")
        return kind if isinstance(kind, str) else ""


@attrs.frozen
class _Grant:
    """What one RBAC rule allows, ``None`` standing for any value."""

    action: str  # RESOURCE_REQUEST or NON_RESOURCE_REQUEST
    verbs: frozenset[str] | None
    groups: frozenset[str] | None
    resources: frozenset[str] | None
    names: frozenset[str] | None
    urls: frozenset[str] | None

    def what(self) -> tuple[Any, ...]:
        """Everything but the verbs: rules alike in it are one rule with the verbs of both."""
        return (
            self.action,
            *(
                None if values is None else sorted(values)
                for values in (self.groups, self.resources, self.names, self.urls)
            ),
        )

    def scope(self) -> dict[str, list[str]]:
        dims = {
            "verb": self.verbs,
            "apiGroup": self.groups,
            "resource": self.resources,
            "resourceName": self.names,
            "nonResourceURL": self.urls,
        }
        return {dim: sorted(values) for dim, values in dims.items() if values is not None}

    def label(self) -> str:
        """Say in a few characters what the rule is about, for its id."""
        values = self.urls if self.action == NON_RESOURCE_REQUEST else self.resources
        text = ",".join(sorted(values)) if values is not None else "*"
        return text if len(text) <= 40 else text[:37] + "..."


def _merged(grants: Sequence[_Grant]) -> list[_Grant]:
    """Fold rules that differ only in their verbs into one rule with every verb."""
    by_what: dict[str, _Grant] = {}
    for grant in grants:
        key = json.dumps(grant.what())
        seen = by_what.get(key)
        if seen is None:
            by_what[key] = grant
        else:
            both = None if seen.verbs is None or grant.verbs is None else seen.verbs | grant.verbs
            by_what[key] = attrs.evolve(seen, verbs=both)
    return [by_what[key] for key in sorted(by_what)]


@attrs.frozen
class _Role:
    kind: str
    namespace: str | None
    name: str
    labels: Mapping[str, str]
    grants: tuple[_Grant, ...]
    selectors: tuple[_Selector, ...] | None  # an aggregation rule's, or None

    @property
    def ref(self) -> str:
        if self.namespace is None:
            return f"{self.kind}/{self.name}"
        return f"{self.kind}/{self.namespace}/{self.name}"


@attrs.frozen
class _Selector:
    """A label selector: ``matchLabels`` and ``matchExpressions``, all of which must hold."""

    labels: Mapping[str, str]
    expressions: tuple[tuple[str, str, frozenset[str]], ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        if any(labels.get(key) != value for key, value in self.labels.items()):
            return False
        for key, operator, values in self.expressions:
            present = key in labels
            if operator == "In" and not (present and labels[key] in values):
                return False
            if operator == "NotIn" and present and labels[key] in values:
                return False
            if operator == "Exists" and not present:
                return False
            if operator == "DoesNotExist" and present:
                return False
        return True


@attrs.frozen
class _Binding:
    kind: str
    namespace: str | None
    name: str
    role_kind: str
    role_name: str
    subjects: tuple[str, ...]

    @property
    def role_ref(self) -> str:
        if self.role_kind == "Role":
            return f"Role/{self.namespace}/{self.role_name}"
        return f"ClusterRole/{self.role_name}"


class _Problems:
    """Problems found in the objects, placed in the input when it was text."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[Problem] = []

    def add(self, obj: _Object, path: Path, message: str, *, at_key: bool = False) -> None:
        line = column = None
        if obj.node is not None:
            line, column = node_place(obj.node, path, at_key=at_key)
        where = f"document {obj.document}"
        metadata = obj.data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if obj.kind and isinstance(name, str) and name:
            where = f"{obj.kind} {shown(name)}, {where}"
        elif obj.kind:
            where = f"{obj.kind}, {where}"
        self.found.append(
            Problem(
                file=self.name,
                path=render_path((*obj.path, *path)),
                message=f"{message} ({where})",
                line=line,
                column=column,
            )
        )

    def raise_any(self, limit: int) -> None:
        if self.found:
            self.found.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
            raise DocumentError(capped(self.found, limit, self.name))


def from_k8s_rbac(
    manifests: str | bytes | Mapping[str, Any] | Sequence[Any],
    *,
    policy: str,
    version: str | None,
    effective: Any,
    view: View = "role",
    namespace: str = "default",
    name: str = "<string>",
    limits: Limits = DEFAULT_LIMITS,
) -> PolicyVersion:
    """Read Kubernetes RBAC manifests as one version of a policy.

    Args:
        manifests: YAML text of one or more documents (``---`` between
            them), as ``helm template`` or ``kubectl get -o yaml`` print it,
            or the same parsed: one object, a ``List``, or a list of objects.
        policy: The policy's id.
        version: This version's label (manifests carry none: ``None`` is
            an error that says how to give one).
        effective: When this version took effect: a date such as
            ``2024-05-30``, a month ``2024-05``, or a pendulum DateTime.
        view: ``"role"``: one rule per role and rule, scoped by ``role``;
            ``"subject"``: the bindings resolved, one rule per subject, so a
            diff says who gained or lost what.
        namespace: The namespace of a Role or RoleBinding whose metadata
            names none (``helm template`` often leaves it to install time).
        name: The file name for error messages.
        limits: Bounds on size and nesting for text.

    Returns:
        A version with ``default: prohibit`` whose rules are all permits.

    Raises:
        DocumentError: The text is not YAML, or an RBAC object is malformed;
            every problem names the document, its line and the field.
        ValueError: ``view`` is neither ``"role"`` nor ``"subject"``.

    >>> from policydiff.importers import from_k8s_rbac
    >>> version = from_k8s_rbac('''
    ... apiVersion: rbac.authorization.k8s.io/v1
    ... kind: Role
    ... metadata: {name: pod-reader, namespace: default}
    ... rules:
    ...   - {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list]}
    ... ''', policy="cluster-rbac", version="v1", effective="2026-11")
    >>> [rule] = version.rules
    >>> sorted(rule.scope["verb"]), sorted(rule.scope["resource"]), sorted(rule.scope["namespace"])
    (['get', 'list'], ['pods', 'pods/log'], ['default'])
    """
    if view not in ("role", "subject"):
        msg = f"unknown view {shown(view)} (expected one of: role, subject)"
        raise ValueError(msg)
    problems = _Problems(name)
    objects = list(_flattened(_objects(manifests, name, limits), problems))
    roles, bindings = _read(objects, namespace, problems)
    problems.raise_any(limits.max_problems)
    _aggregate(roles)
    rules = _role_rules(roles) if view == "role" else _subject_rules(roles, bindings)
    body: dict[str, Any] = {"default": "prohibit", "rules": rules}
    wild = _wildcards(rules)
    if wild:
        body["patterns"] = wild
    return build_version(body, policy=policy, version=version, effective=effective, name=name)


def _wildcards(rules: list[dict[str, Any]]) -> list[str]:
    """Name the dimensions where a ``*`` is part of a value, a wildcard.

    Kubernetes matches a URL ending in ``*`` (``/healthz/*``) by its prefix
    and ``*/scale`` as that subresource of any resource: glob patterns on
    those dimensions say the same. A ``*`` alone was left out of the rule.
    """
    return [
        dim
        for dim in ("nonResourceURL", "resource")
        if any("*" in value for rule in rules for value in rule["scope"].get(dim, ()))
    ]


def from_k8s_rbac_subjects(
    manifests: str | bytes | Mapping[str, Any] | Sequence[Any],
    *,
    policy: str,
    version: str | None,
    effective: Any,
    name: str = "<string>",
) -> PolicyVersion:
    """Read Kubernetes RBAC manifests in the subject view: ``from_k8s_rbac(..., view="subject")``.

    The command line's format ``k8s-rbac-subjects``.
    """
    return from_k8s_rbac(
        manifests, policy=policy, version=version, effective=effective, name=name, view="subject"
    )


# ---------------------------------------------------------------------------
# Text and parsed data to objects.


def _objects(manifests: object, name: str, limits: Limits) -> Iterator[_Object]:
    if isinstance(manifests, bytes):
        manifests = decode(manifests, name)
    if isinstance(manifests, str):
        yield from _yaml_objects(manifests, name, limits)
        return
    if isinstance(manifests, Mapping):
        yield _Object(dict(manifests), 1, (), None)
        return
    if not isinstance(manifests, Sequence):
        msg = f"expected YAML text, an object or a list of objects (got {a_type(manifests)})"
        raise TypeError(msg)
    for index, item in enumerate(manifests):
        if item is None:
            continue
        if not isinstance(item, Mapping):
            message = f"expected a Kubernetes object (got {a_type(item)})"
            problem = Problem(file=name, path=f"[{index}]", message=message)
            raise DocumentError([problem])
        yield _Object(dict(item), index + 1, (index,), None)


def _yaml_objects(text: str, name: str, limits: Limits) -> Iterator[_Object]:
    screen(text, "yaml", name, limits)
    if yaml_nodes(text, limits.max_nodes) > limits.max_nodes:
        message = f"more than {limits.max_nodes:,} values and keys (aliases counted expanded)"
        raise DocumentError([Problem(file=name, path="", message=message)])
    loader = YamlLoader(text)
    found: list[_Object] = []
    repeated: list[Problem] = []
    try:
        document = 0
        while loader.check_node():
            node = loader.get_node()
            assert node is not None  # check_node said one comes
            document += 1
            data = loader.construct_document(node)
            if loader.duplicates:
                # Kubernetes' own YAML reader refuses a repeated key; so do we.
                repeated.extend(_repeated(node, document, name))
                loader.duplicates = False
            if data is None:
                continue  # an empty document, as ``---`` twice makes
            shape = check_shape(data, limits, shared=True) if "*" in text else None
            if shape:
                # Aliases may share one list many times over: counted expanded.
                [raw] = shape
                line, column = node_place(node, raw.path)
                where = render_path(raw.path)
                message = f"{raw.message} (document {document})"
                problem = Problem(file=name, path=where, message=message, line=line, column=column)
                raise DocumentError([problem])
            if not isinstance(data, dict):
                mark = node.start_mark
                message = f"expected a Kubernetes object (got {a_type(data)}) (document {document})"
                problem = Problem(
                    file=name, path="", message=message, line=mark.line + 1, column=mark.column + 1
                )
                raise DocumentError([problem])
            found.append(_Object(data, document, (), node))
    except yaml.YAMLError as exc:
        raise yaml_error(exc, text, name) from None
    except RecursionError:
        message = f"nested deeper than the limit of {limits.max_depth} levels"
        raise DocumentError([Problem(file=name, path="", message=message)]) from None
    finally:
        loader.dispose()
    if repeated:
        raise DocumentError(repeated)
    yield from found


def _repeated(node: Any, document: int, name: str) -> Iterator[Problem]:
    for path, key, line, column, first in node_duplicates(node):
        message = f"duplicate key {shown(key)} (first at line {first}) (document {document})"
        yield Problem(file=name, path=render_path(path), message=message, line=line, column=column)


def _flattened(objects: Iterator[_Object], problems: _Problems) -> Iterator[_Object]:
    """Each object, with the items of ``List`` objects (``RoleList`` and the like) in its place."""
    for obj in objects:
        items = obj.data.get("items")
        if obj.kind.endswith("List") and isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    node = _item_node(obj.node, index)
                    yield _Object(item, obj.document, (*obj.path, "items", index), node)
                elif item is not None:
                    message = f"expected a Kubernetes object (got {a_type(item)})"
                    problems.add(obj, ("items", index), message)
        else:
            yield obj


def _item_node(node: Any, index: int) -> Any:
    if node is None:
        return None
    for key, value in node.value:
        if key.value == "items" and isinstance(value, yaml.SequenceNode):
            return value.value[index]
    return None  # pragma: no cover - the data came from this node


# ---------------------------------------------------------------------------
# Objects to roles and bindings, checked field by field.


def _read(
    objects: list[_Object], namespace: str, problems: _Problems
) -> tuple[dict[str, _Role], list[_Binding]]:
    roles: dict[str, _Role] = {}
    bindings: list[_Binding] = []
    first: dict[str, _Object] = {}
    for obj in objects:
        if obj.kind not in (*_ROLE_KINDS, *_BINDING_KINDS):
            continue
        api = obj.data.get("apiVersion")
        if api is None:
            problems.add(obj, ("kind",), f"an RBAC {obj.kind} needs apiVersion: {_GROUP}/v1")
            continue
        if not (isinstance(api, str) and api.startswith(f"{_GROUP}/")):
            continue  # a kind of the same name in another API group
        found = _metadata(obj, namespace, problems)
        if found is None:
            continue
        ns, name, labels = found
        key = f"{obj.kind}/{ns}/{name}" if ns is not None else f"{obj.kind}/{name}"
        if key in first:
            problems.add(
                obj,
                ("metadata", "name"),
                f"{obj.kind} {shown(name)} is defined twice (first in document"
                f" {first[key].document})",
            )
            continue
        first[key] = obj
        if obj.kind in _ROLE_KINDS:
            role = _role(obj, ns, name, labels, problems)
            if role is not None:
                roles[role.ref] = role
        else:
            binding = _binding(obj, ns, name, problems)
            if binding is not None:
                bindings.append(binding)
    return roles, bindings


def _metadata(
    obj: _Object, namespace: str, problems: _Problems
) -> tuple[str | None, str, dict[str, str]] | None:
    metadata = obj.data.get("metadata")
    if not isinstance(metadata, dict):
        problems.add(obj, ("metadata",), f"expected a mapping with a name (got {_got(metadata)})")
        return None
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        problems.add(obj, ("metadata", "name"), f"expected a non-empty name (got {_got(name)})")
        return None
    ns: str | None = None
    if obj.kind in ("Role", "RoleBinding"):
        ns = metadata.get("namespace", namespace)
        if not isinstance(ns, str) or not ns:
            got = _got(ns)
            problems.add(obj, ("metadata", "namespace"), f"expected a namespace (got {got})")
            return None
    labels = _labels(obj, ("metadata", "labels"), metadata.get("labels"), problems)
    if labels is None:
        return None
    return ns, name, labels


def _labels(obj: _Object, here: Path, value: Any, problems: _Problems) -> dict[str, str] | None:
    """Return labels (or a selector's ``matchLabels``) as text, or ``None`` with a problem added."""
    labels = _given(value, {})
    if not isinstance(labels, dict):
        problems.add(obj, here, f"expected a mapping of label names to text (got {_got(labels)})")
        return None
    ok = True
    for key, text in labels.items():
        if not isinstance(text, str):
            hint = "; quote it" if isinstance(text, bool | int | float) else ""
            message = f"a label's value is text (got {_got(text)}){hint}"
            problems.add(obj, (*here, str(key)), message)
            ok = False
    return labels if ok else None


def _given(value: Any, empty: Any) -> Any:
    """Return ``value``, or ``empty`` when the field is absent or null (YAML's ``key:``)."""
    return empty if value is None else value


def _got(value: Any) -> str:
    if value is None:
        return "nothing"
    return f"{shown(value)} that is {a_type(value)}"


def _strings(obj: _Object, path: Path, value: Any, problems: _Problems) -> list[str] | None:
    """Return the list of strings, or ``None`` with a problem added."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(obj, path, f"expected a list of strings (got {_got(value)})")
        return None
    return value


def _role(
    obj: _Object, ns: str | None, name: str, labels: dict[str, str], problems: _Problems
) -> _Role | None:
    rules = _given(obj.data.get("rules"), [])
    if not isinstance(rules, list):
        problems.add(obj, ("rules",), f"expected a list of rules (got {_got(rules)})")
        return None
    grants = []
    for index, rule in enumerate(rules):
        grant = _grant(obj, ("rules", index), rule, problems)
        if grant is not None:
            grants.append(grant)
    selectors = None
    if "aggregationRule" in obj.data and obj.data["aggregationRule"] is not None:
        if obj.kind != "ClusterRole":
            problems.add(obj, ("aggregationRule",), "only a ClusterRole can aggregate", at_key=True)
            return None
        selectors = _aggregation(obj, obj.data["aggregationRule"], problems)
        if selectors is None:
            return None
    return _Role(
        kind=obj.kind,
        namespace=ns,
        name=name,
        labels=labels,
        grants=tuple(_merged(grants)),
        selectors=selectors,
    )


def _grant(obj: _Object, here: Path, rule: Any, problems: _Problems) -> _Grant | None:
    if not isinstance(rule, dict):
        problems.add(obj, here, f"expected a rule mapping (got {_got(rule)})")
        return None
    ok = True
    for key in rule:
        if key not in _RULE_KEYS:
            near = [k for k in _RULE_KEYS if k.lower().rstrip("s") == str(key).lower().rstrip("s")]
            hint = f"; did you mean {near[0]}?" if near else ""
            message = (
                f"unknown rule field {shown(key)} (expected one of: {', '.join(_RULE_KEYS)}){hint}"
            )
            problems.add(obj, (*here, key), message, at_key=True)
            ok = False
    lists: dict[str, list[str] | None] = {}
    for key in _RULE_KEYS:
        value = rule.get(key)
        if value is None:
            lists[key] = None
            continue
        found = _strings(obj, (*here, key), value, problems)
        if found is None:
            ok = False
            continue
        empty = [i for i, v in enumerate(found) if not v and key != "apiGroups"]
        if empty:
            message = f"an empty string is not a {key[:-1]}"
            problems.add(obj, (*here, key, empty[0]), message)
            ok = False
        lists[key] = found
    if not ok:
        return None
    verbs, resources, urls = lists["verbs"], lists["resources"], lists["nonResourceURLs"]
    if not verbs:
        problems.add(obj, (*here, "verbs"), 'a rule needs at least one verb ("*" for any)')
        return None
    if resources and urls:
        message = "a rule applies to resources or to nonResourceURLs, not both"
        problems.add(obj, (*here, "nonResourceURLs"), message, at_key=True)
        return None
    if urls and obj.kind == "Role":
        message = "a Role cannot grant nonResourceURLs (they are not namespaced); use a ClusterRole"
        problems.add(obj, (*here, "nonResourceURLs"), message, at_key=True)
        return None
    if not resources and not urls:
        problems.add(obj, here, "a rule needs resources or nonResourceURLs")
        return None
    if resources and not lists["apiGroups"]:
        message = 'a rule with resources needs apiGroups ("" for the core group, "*" for any)'
        problems.add(obj, here, message)
        return None
    if urls and (lists["apiGroups"] or lists["resourceNames"]):
        key = "apiGroups" if lists["apiGroups"] else "resourceNames"
        message = f"{key} do not apply to nonResourceURLs (a rule has one or the other)"
        problems.add(obj, (*here, key), message, at_key=True)
        return None
    return _Grant(
        action=RESOURCE_REQUEST if resources else NON_RESOURCE_REQUEST,
        verbs=_any(verbs),
        groups=_any(["core" if g == "" else g for g in lists["apiGroups"] or []])
        if resources
        else None,
        resources=_any(resources) if resources else None,
        names=frozenset(lists["resourceNames"]) if lists["resourceNames"] else None,
        urls=_any(urls) if urls else None,
    )


def _any(values: list[str]) -> frozenset[str] | None:
    """Return the values, or ``None`` (any value) when ``*`` is one of them."""
    return None if "*" in values else frozenset(values)


def _aggregation(obj: _Object, rule: Any, problems: _Problems) -> tuple[_Selector, ...] | None:
    here: Path = ("aggregationRule",)
    if not isinstance(rule, dict):
        problems.add(obj, here, f"expected a mapping with clusterRoleSelectors (got {_got(rule)})")
        return None
    raw = _given(rule.get("clusterRoleSelectors"), [])
    if not isinstance(raw, list):
        message = f"expected a list of label selectors (got {_got(raw)})"
        problems.add(obj, (*here, "clusterRoleSelectors"), message)
        return None
    selectors = []
    for index, selector in enumerate(raw):
        found = _selector(obj, (*here, "clusterRoleSelectors", index), selector, problems)
        if found is None:
            return None
        selectors.append(found)
    return tuple(selectors)


def _selector(obj: _Object, here: Path, selector: Any, problems: _Problems) -> _Selector | None:
    if not isinstance(selector, dict):
        problems.add(obj, here, f"expected a label selector mapping (got {_got(selector)})")
        return None
    labels = _labels(obj, (*here, "matchLabels"), selector.get("matchLabels"), problems)
    if labels is None:
        return None
    raw = _given(selector.get("matchExpressions"), [])
    if not isinstance(raw, list):
        message = f"expected a list of expressions (got {_got(raw)})"
        problems.add(obj, (*here, "matchExpressions"), message)
        return None
    expressions = []
    for index, expression in enumerate(raw):
        at: Path = (*here, "matchExpressions", index)
        if not isinstance(expression, dict) or not isinstance(expression.get("key"), str):
            problems.add(obj, at, f"expected a mapping with a key (got {_got(expression)})")
            return None
        operator = expression.get("operator")
        if operator not in _OPERATORS:
            message = (
                f"unknown operator {shown(operator)} (expected one of: {', '.join(_OPERATORS)})"
            )
            problems.add(obj, (*at, "operator"), message)
            return None
        values = _given(expression.get("values"), [])
        if _strings(obj, (*at, "values"), values, problems) is None:
            return None
        if operator in ("In", "NotIn") and not values:
            problems.add(obj, at, f"operator {operator} needs values")
            return None
        if operator in ("Exists", "DoesNotExist") and values:
            problems.add(obj, (*at, "values"), f"operator {operator} takes no values")
            return None
        expressions.append((expression["key"], operator, frozenset(values)))
    return _Selector(labels=labels, expressions=tuple(expressions))


def _binding(obj: _Object, ns: str | None, name: str, problems: _Problems) -> _Binding | None:
    ref = obj.data.get("roleRef")
    if not isinstance(ref, dict):
        problems.add(obj, ("roleRef",), f"expected a mapping with kind and name (got {_got(ref)})")
        return None
    allowed = ("Role", "ClusterRole") if obj.kind == "RoleBinding" else ("ClusterRole",)
    kind = ref.get("kind")
    if not isinstance(kind, str) or kind not in allowed:
        message = f"a {obj.kind} refers to a {joined(allowed, 'or')} (got {_got(kind)})"
        problems.add(obj, ("roleRef", "kind"), message)
        return None
    role_name = ref.get("name")
    if not isinstance(role_name, str) or not role_name:
        problems.add(obj, ("roleRef", "name"), f"expected a role name (got {_got(role_name)})")
        return None
    raw = _given(obj.data.get("subjects"), [])
    if not isinstance(raw, list):
        problems.add(obj, ("subjects",), f"expected a list of subjects (got {_got(raw)})")
        return None
    subjects = []
    for index, subject in enumerate(raw):
        found = _subject(obj, ("subjects", index), subject, ns, problems)
        if found is None:
            return None
        subjects.append(found)
    return _Binding(
        kind=obj.kind,
        namespace=ns,
        name=name,
        role_kind=kind,
        role_name=role_name,
        subjects=tuple(subjects),
    )


def _subject(
    obj: _Object, here: Path, subject: Any, ns: str | None, problems: _Problems
) -> str | None:
    if not isinstance(subject, dict):
        problems.add(obj, here, f"expected a subject mapping (got {_got(subject)})")
        return None
    kind = subject.get("kind")
    if kind not in _SUBJECT_KINDS:
        message = (
            f"unknown subject kind {shown(kind)} (expected one of: {', '.join(_SUBJECT_KINDS)})"
        )
        problems.add(obj, (*here, "kind"), message)
        return None
    name = subject.get("name")
    if not isinstance(name, str) or not name:
        problems.add(obj, (*here, "name"), f"expected a subject name (got {_got(name)})")
        return None
    if kind != "ServiceAccount":
        return f"{kind}:{name}"
    # A RoleBinding's service accounts are in its own namespace unless they say otherwise.
    sa_ns = subject.get("namespace") or ns
    if not isinstance(sa_ns, str) or not sa_ns:
        message = f"a ServiceAccount subject of a {obj.kind} needs its namespace"
        problems.add(obj, here, message)
        return None
    return f"ServiceAccount:{sa_ns}/{name}"


# ---------------------------------------------------------------------------
# Aggregation, then rules.


def _aggregate(roles: dict[str, _Role]) -> None:
    """Give each aggregated ClusterRole the rules of the ClusterRoles its selectors match.

    The control plane overwrites the rules an aggregated ClusterRole lists
    with those of the roles it selects, so those are its rules when some of
    them are in the input. When none is, the input holds the role as a
    cluster filled it (``kubectl get clusterrole admin -o yaml``) without
    its members, and its own rules are kept. Aggregates of aggregates are
    followed until nothing more is added, so the order of the input and
    cycles do not matter.
    """
    clusters = {ref: role for ref, role in roles.items() if role.kind == "ClusterRole"}
    members = {
        ref: [
            other
            for other, candidate in clusters.items()
            if other != ref and any(s.matches(candidate.labels) for s in role.selectors or ())
        ]
        for ref, role in clusters.items()
        if role.selectors is not None
    }
    members = {ref: chosen for ref, chosen in members.items() if chosen}
    held = {ref: () if ref in members else role.grants for ref, role in roles.items()}
    changed = True
    while changed:
        changed = False
        for ref, chosen in members.items():
            grants = tuple(_merged([g for other in chosen for g in held[other]]))
            if grants != held[ref]:
                held[ref] = grants
                changed = True
    for ref in members:
        roles[ref] = attrs.evolve(roles[ref], grants=held[ref])


def _role_rules(roles: dict[str, _Role]) -> list[dict[str, Any]]:
    rules = []
    for ref in sorted(roles):
        role = roles[ref]
        for grant in role.grants:
            scope = {"role": [ref], **grant.scope()}
            if role.namespace is not None:
                scope["namespace"] = [role.namespace]
            rules.append(
                {
                    "id": content_id(f"{ref}:{grant.label()}", [ref, grant.what()]),
                    "effect": "permit",
                    "action": grant.action,
                    "scope": scope,
                }
            )
    return rules


def _subject_rules(roles: dict[str, _Role], bindings: list[_Binding]) -> list[dict[str, Any]]:
    """One rule per subject, namespace and what it may do, however many bindings grant it."""
    granted: dict[tuple[str, str | None], list[_Grant]] = {}
    unresolved: set[tuple[str, str | None, str]] = set()
    for binding in bindings:
        role = roles.get(binding.role_ref)
        for subject in binding.subjects:
            where = (subject, binding.namespace)
            if role is None:
                unresolved.add((subject, binding.namespace, binding.role_ref))
                continue
            # Through a RoleBinding, non-resource URLs grant nothing: they belong to no namespace.
            granted.setdefault(where, []).extend(
                g for g in role.grants if binding.namespace is None or g.action == RESOURCE_REQUEST
            )
    rules = []
    for (subject, ns), grants in sorted(granted.items(), key=_by_place):
        for grant in _merged(grants):
            scope = grant.scope()
            if ns is not None:
                scope["namespace"] = [ns]
            rules.append(
                {
                    "id": content_id(
                        f"{subject}@{ns or '*'}:{grant.label()}", [subject, ns, grant.what()]
                    ),
                    "effect": "permit",
                    "subject": subject,
                    "action": grant.action,
                    "scope": scope,
                }
            )
    for subject, ns, ref in sorted(unresolved, key=lambda u: (u[0], u[1] or "", u[2])):
        # A role the input does not define: what it grants is unknown, so the
        # grant is of the role by name.
        by_name: dict[str, list[str]] = {"role": [ref]}
        actions = [RESOURCE_REQUEST]
        if ns is None:
            actions.append(NON_RESOURCE_REQUEST)
        else:
            by_name["namespace"] = [ns]
        rules.append(
            {
                "id": content_id(f"{subject}@{ns or '*'}:{ref}", [subject, ns, ref]),
                "effect": "permit",
                "subject": subject,
                "action": actions,
                "scope": by_name,
            }
        )
    return rules


def _by_place(item: tuple[tuple[str, str | None], list[_Grant]]) -> tuple[str, str]:
    (subject, ns), _ = item
    return subject, ns or ""
