"""ODRL 2.2 policies in, from their compact JSON-LD form with the ODRL context.

The ODRL context's terms are known here as data, so a document is read as plain
JSON and nothing is ever fetched: a document must use the ODRL context (alone
or with prefix definitions that leave ODRL's own terms alone), and a construct
this importer does not read is refused with the place and field it is at.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from policydiff._problems import Path, RawProblem
from policydiff._text import a_type, joined, shown
from policydiff.importers._common import build_version, content_id, fail, read_source
from policydiff.model import PolicyVersion

#: The ODRL vocabulary's namespace, and the ways a document names its context.
NAMESPACE = "http://www.w3.org/ns/odrl/2/"
CONTEXTS = frozenset(("http://www.w3.org/ns/odrl.jsonld", "https://www.w3.org/ns/odrl.jsonld"))

#: The policy classes read, and the rule lists each holds with the effect they get.
POLICY_TYPES = frozenset(("Set", "Offer", "Agreement", "Policy"))
RULE_LISTS = {"permission": "permit", "prohibition": "prohibit", "obligation": "oblige"}
#: The properties that name what a rule is about, and where each goes in a rule.
#: At the policy's level they apply to every rule (ODRL's policy rule composition).
FUNCTIONS = {"assignee": "subject", "action": "action", "target": "target", "assigner": "assigner"}
#: ODRL's ``conflict`` values and policydiff's strategies.
CONFLICTS = {
    "perm": "permit-overrides",
    "prohibit": "prohibit-overrides",
    # "invalid" (ODRL's default) voids the whole policy where rules conflict:
    # nothing is permitted there, which prohibit-overrides also says.
    "invalid": "prohibit-overrides",
}
#: Operators in words, for constraints that stay conditions.
OPERATORS = {
    "eq": "is",
    "neq": "is not",
    "gt": "is greater than",
    "gteq": "is at least",
    "lt": "is less than",
    "lteq": "is at most",
    "isA": "is a",
    "hasPart": "has part",
    "isPartOf": "is part of",
    "isAllOf": "is all of",
    "isAnyOf": "is any of",
    "isNoneOf": "is none of",
}
#: Logical constraints: how their parts read, joined in words.
LOGICAL = {"or": "{}", "xone": "exactly one of {}", "andSequence": "in this order, {}"}
_JOINS = {"or": " or ", "xone": ", ", "andSequence": ", then "}

_POLICY_KEYS = frozenset(
    ("@context", "@type", "uid", "@id", "profile", "conflict", *RULE_LISTS, *FUNCTIONS)
)
_RULE_KEYS = frozenset(("@type", "uid", "@id", "constraint", "duty", *FUNCTIONS))
_CONSTRAINT_KEYS = frozenset(
    ("@type", "uid", "@id", "leftOperand", "operator", "rightOperand", "rightOperandReference",
     "unit", "dataType", "status", "and")
)  # fmt: skip
_REFUSED = {
    "inheritFrom": "policy inheritance is not read: merge the parent policy's rules in first",
    "remedy": "remedies are not read",
    "consequence": "duty consequences are not read",
    "failure": "duty consequences are not read",
    "refinement": "refinements are read on an action only",
}


def from_odrl(
    document: str | bytes | Mapping[str, Any],
    *,
    policy: str,
    version: str | None = None,
    effective: Any = None,
    name: str = "<string>",
) -> PolicyVersion:
    """Read an ODRL 2.2 policy (Set, Offer or Agreement) as one version of a policy.

    Args:
        document: The policy as JSON-LD text or parsed data, in compact form
            with the ODRL context.
        policy: The policy id.
        version: The version label.
        effective: When the version took effect (a document time value, a
            ``When``, a date or a datetime).
        name: The file name for messages.

    Returns:
        The version: permissions as ``permit`` rules, prohibitions as
        ``prohibit``, obligations and a permission's duties as ``oblige``;
        ``default: prohibit`` (what is not permitted is not granted).

    Raises:
        DocumentError: The document is not an ODRL policy this importer reads.

    >>> v = from_odrl({"@context": "http://www.w3.org/ns/odrl.jsonld", "@type": "Set",
    ...                "uid": "http://example.com/policy:1",
    ...                "permission": [{"target": "http://example.com/asset:9898",
    ...                                "action": "play"}]},
    ...               policy="player", version="1", effective="2024-05-01")
    >>> [(sorted(rule.action), dict(rule.scope)) for rule in v.rules]
    [(['play'], {'target': frozenset({'http://example.com/asset:9898'})})]
    """
    if not isinstance(document, (str, bytes, Mapping)):
        fail(name, "", f"expected ODRL JSON-LD text or data (got {a_type(document)})")
    source = read_source(document, format="json", name=name)
    data = source.data
    if not isinstance(data, Mapping):
        fail(name, "", f"expected an ODRL policy object (got {a_type(data)})")
    reader = _Reader()
    rules = reader.policy(data)
    if reader.problems:
        source.fail(reader.problems)
    body = {
        "default": "prohibit",
        "conflict": CONFLICTS[reader.conflict],
        "rules": sorted(rules.values(), key=lambda rule: str(rule["id"])),
    }
    return build_version(body, policy=policy, version=version, effective=effective, name=name)


def _term(value: Any) -> Any:
    """Return an ODRL term by its short name, however the document wrote it."""
    if isinstance(value, Mapping) and set(value) <= {"@id", "uid"} and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, str):
        for prefix in ("odrl:", NAMESPACE):
            if value.startswith(prefix):
                return value[len(prefix) :]
    return value


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _items(value: Any, path: Path) -> Iterator[tuple[Any, Path]]:
    """Yield each item of a list, or a lone value, with its path in the document."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield item, (*path, index)
    else:
        yield value, path


class _Reader:
    """Collects the rules of one document, and every problem on the way."""

    def __init__(self) -> None:
        self.problems: list[RawProblem] = []
        #: The policy's ``conflict`` term, once read and known.
        self.conflict = "invalid"

    def fail(
        self, path: Path, message: str, *, at_key: bool = False, hint: str | None = None
    ) -> None:
        self.problems.append(RawProblem(path, message, at_key=at_key, hint=hint))

    def keys(self, node: Mapping[str, Any], path: Path, allowed: frozenset[str]) -> dict[str, Any]:
        """Return ``node`` by ODRL term, refusing keys ODRL does not define here."""
        found: dict[str, Any] = {}
        for key, value in node.items():
            term = _term(key)
            if term in _REFUSED:
                self.fail((*path, key), _REFUSED[term], at_key=True)
            elif term in allowed:
                found[term] = value
            elif ":" in str(term) and not str(key).startswith("odrl:"):
                continue  # another vocabulary's property: it decides nothing here
            else:
                expected = ", ".join(sorted(allowed - {"@context"}))
                message = f"unknown ODRL property (expected one of: {expected})"
                close = difflib.get_close_matches(str(term), sorted(allowed), n=1)
                hint = f"did you mean {close[0]!r}?" if close else None
                self.fail((*path, key), message, at_key=True, hint=hint)
        return found

    # -- the policy --------------------------------------------------------

    def policy(self, data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        self.context(data.get("@context"))
        node = self.keys(data, (), _POLICY_KEYS)
        kind = _term(node.get("@type"))
        if kind not in POLICY_TYPES:
            expected = ", ".join(sorted(POLICY_TYPES - {"Policy"}))
            self.fail(("@type",), f"expected an ODRL policy type ({expected}), got {shown(kind)}")
        conflict = _term(node.get("conflict", "invalid"))
        if conflict in CONFLICTS:
            self.conflict = conflict
        else:
            self.fail(
                ("conflict",),
                f"unknown conflict {shown(conflict)} (expected one of: invalid, perm, prohibit)",
            )
        shared = {term: node[term] for term in FUNCTIONS if term in node}
        rules: dict[str, dict[str, Any]] = {}
        for key, effect in RULE_LISTS.items():
            for rule, path in _items(node.get(key, []), (key,)):
                for made in self.rule(rule, path, effect, shared):
                    self.add(rules, made, path)
        return rules

    def context(self, context: Any) -> None:
        """Check the document uses the ODRL context and redefines none of its terms."""
        # Only text can name a context; a mapping defines terms in place.
        entries = _listed(context)
        named = [entry for entry in entries if isinstance(entry, str)]
        if not any(entry in CONTEXTS for entry in named):
            self.fail(
                ("@context",),
                f"expected the ODRL context http://www.w3.org/ns/odrl.jsonld (got {shown(context)})",
            )
            return
        for index, entry in enumerate(entries):
            if isinstance(entry, str) and entry in CONTEXTS:
                continue
            place = ("@context", index) if isinstance(context, list) else ("@context",)
            if not isinstance(entry, Mapping):
                self.fail(
                    place,
                    f"only the ODRL context is read, and no other context is fetched (got {shown(entry)})",
                )
                continue
            redefined = sorted(
                set(entry) & (_POLICY_KEYS | _RULE_KEYS | _CONSTRAINT_KEYS | {"odrl"})
            )
            if redefined:
                self.fail(place, f"redefines ODRL terms: {', '.join(redefined)}")

    def add(self, rules: dict[str, dict[str, Any]], rule: dict[str, Any], path: Path) -> None:
        given = rule.pop("given")
        if rule["id"] in rules and given:
            self.fail((*path, "uid"), f"uid {shown(rule['id'])} names another rule too")
        # Identical rules without a uid are one rule: repeating one changes nothing.
        rules[rule["id"]] = rule

    # -- rules ---------------------------------------------------------------

    def rule(
        self, rule: Any, path: Path, effect: str, shared: Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """Yield the rule at ``path`` and, for a permission, one ``oblige`` rule per duty."""
        if not isinstance(rule, Mapping):
            self.fail(path, f"expected a rule object (got {a_type(rule)})")
            return
        node = self.keys(rule, path, _RULE_KEYS)
        if "duty" in node and effect != "permit":
            self.fail((*path, "duty"), "only a permission has duties here")
        dims: dict[str, set[str]] = {}
        conditions: set[str] = set()
        for term, dim in FUNCTIONS.items():
            value = node.get(term, shared.get(term))
            if value is None:
                continue
            # A policy-level value is reported where the policy gives it.
            where = (*path, term) if term in node else (term,)
            values = self.values(value, where, dims, conditions)
            if values:
                dims[dim] = values
        if "action" not in dims:
            if not any(p.path[: len(path) + 1] == (*path, "action") for p in self.problems):
                self.fail(path, "a rule needs an action (in the rule or the policy)")
            return
        for constraint, where in _items(node.get("constraint", []), (*path, "constraint")):
            self.constraint(constraint, where, dims, conditions)
        made = self.made(effect, dims, conditions, node)
        yield made
        for duty, where in _items(node.get("duty", []), (*path, "duty")):
            yield from self.duty(duty, where, made)

    def values(
        self, value: Any, path: Path, dims: dict[str, set[str]], conditions: set[str]
    ) -> set[str]:
        """Return the values an action, target, assignee or assigner names."""
        found: set[str] = set()
        for item, place in _items(value, path):
            if isinstance(item, Mapping) and path[-1] == "action" and "refinement" in item:
                named = {_term(k): v for k, v in item.items()}
                base = named.get("rdf:value", named.get("value"))
                for refinement, where in _items(named["refinement"], (*place, "refinement")):
                    self.constraint(refinement, where, dims, conditions)
                item = base
            elif isinstance(item, Mapping) and not {"source", "refinement"} & set(item):
                # A party or asset object: its uid names it; its other properties decide nothing.
                item = item.get("uid", item.get("@id", item))
            term = _term(item)
            if isinstance(term, str) and term:
                found.add(term)
            elif isinstance(item, Mapping) and {"source", "refinement"} & set(item):
                self.fail(place, "collections defined by a source and refinements are not read")
            else:
                self.fail(place, f"expected a name or an object with a uid (got {shown(item)})")
        return found

    def made(
        self, effect: str, dims: dict[str, set[str]], conditions: set[str], node: Mapping[str, Any]
    ) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "effect": effect,
            "action": sorted(dims["action"]),
            "scope": {
                d: sorted(v) for d, v in sorted(dims.items()) if d not in ("action", "subject")
            },
            "conditions": sorted(conditions),
        }
        if "subject" in dims:
            rule["subject"] = sorted(dims["subject"])
        given = node.get("uid", node.get("@id"))
        rule["id"] = given if isinstance(given, str) and given else content_id("odrl", rule)
        rule["given"] = isinstance(given, str) and bool(given)
        return rule

    def duty(
        self, duty: Any, path: Path, permission: Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """Yield the obligation a permission's duty puts on those who use it."""
        if not isinstance(duty, Mapping):
            self.fail(path, f"expected a duty object (got {a_type(duty)})")
            return
        node = self.keys(duty, path, _RULE_KEYS - {"duty"})
        dims: dict[str, set[str]] = {}
        conditions: set[str] = set()
        if "action" not in node:
            self.fail(path, "a duty needs an action")
            return
        required = joined(sorted(self.values(node["action"], (*path, "action"), dims, conditions)))
        for constraint, where in _items(node.get("constraint", []), (*path, "constraint")):
            self.constraint(constraint, where, dims, conditions)
        words = [f"{key} {joined(sorted(values), 'or')}" for key, values in sorted(dims.items())]
        words.extend(sorted(conditions))
        for term in ("target", "assignee"):
            if term in node:
                words.append(
                    f"{term} {joined(sorted(self.values(node[term], (*path, term), {}, set())), 'or')}"
                )
        text = f"duty: {required}" + (f" ({'; '.join(words)})" if words else "")
        rule = {
            key: value for key, value in permission.items() if key not in ("id", "text", "given")
        }
        rule.update(effect="oblige", text=text)
        given = node.get("uid", node.get("@id"))
        rule["id"] = given if isinstance(given, str) and given else content_id("odrl", rule)
        rule["given"] = isinstance(given, str) and bool(given)
        yield rule

    # -- constraints ---------------------------------------------------------

    def constraint(
        self, constraint: Any, path: Path, dims: dict[str, set[str]], conditions: set[str]
    ) -> None:
        """Add a constraint as a dimension (``eq``, ``isAnyOf``) or a condition in words."""
        if not isinstance(constraint, Mapping):
            self.fail(path, f"expected a constraint object (got {a_type(constraint)})")
            return
        node = self.keys(constraint, path, _CONSTRAINT_KEYS | frozenset(LOGICAL))
        logical = [term for term in ("and", *LOGICAL) if term in node]
        if logical:
            self.logical(node, logical[0], path, dims, conditions)
            return
        missing = [t for t in ("leftOperand", "operator") if t not in node]
        if "rightOperand" not in node and "rightOperandReference" not in node:
            missing.append("rightOperand")
        if missing:
            self.fail(path, f"a constraint needs {joined(missing)}")
            return
        left, operator = _term(node["leftOperand"]), _term(node["operator"])
        if not isinstance(left, str) or not left:
            self.fail((*path, "leftOperand"), f"expected an operand name (got {shown(left)})")
            return
        if operator not in OPERATORS:
            expected = ", ".join(sorted(OPERATORS))
            self.fail(
                (*path, "operator"),
                f"unknown operator {shown(operator)} (expected one of: {expected})",
            )
            return
        right = self.operand(node, path)
        if right is None:
            return
        simple = (
            operator in ("eq", "isAnyOf")
            and "rightOperand" in node
            and not set(node) & {"unit", "status"}
        )
        if simple and left not in dims and left not in FUNCTIONS.values():
            dims[left] = set(right)
        else:
            conditions.add(self.words(node, left, operator, right))

    def operand(self, node: Mapping[str, Any], path: Path) -> list[str] | None:
        if "rightOperandReference" in node:
            reference = _term(node["rightOperandReference"])
            return [f"the value at {reference}"]
        values: list[str] = []
        for item in _listed(node["rightOperand"]):
            if isinstance(item, Mapping) and "@value" in item:
                item = item["@value"]
            item = _term(item)
            if isinstance(item, bool):
                values.append("true" if item else "false")
            elif isinstance(item, (str, int, float)):
                values.append(str(item))
            else:
                self.fail(
                    (*path, "rightOperand"),
                    f"expected a value, an @id or an @value (got {shown(item)})",
                )
                return None
        if not values:
            self.fail((*path, "rightOperand"), "an empty list matches nothing")
            return None
        return values

    def words(self, node: Mapping[str, Any], left: str, operator: str, right: list[str]) -> str:
        value = joined(right, "or") if len(right) > 1 else right[0]
        text = f"{left} {OPERATORS[operator]} {value}"
        if "unit" in node:
            text += f" {_term(node['unit'])}"
        if "dataType" in node:
            text += f" ({_term(node['dataType'])})"
        return text

    def logical(
        self,
        node: Mapping[str, Any],
        term: str,
        path: Path,
        dims: dict[str, set[str]],
        conditions: set[str],
    ) -> None:
        value, where = node[term], (*path, term)
        if isinstance(value, Mapping) and "@list" in value:
            value, where = value["@list"], (*where, "@list")
        if term == "and":
            for part, place in _items(value, where):
                self.constraint(part, place, dims, conditions)
            return
        texts: list[str] = []
        for part, place in _items(value, where):
            inner: dict[str, set[str]] = {}
            found: set[str] = set()
            self.constraint(part, place, inner, found)
            pieces = [f"{d} is {joined(sorted(v), 'or')}" for d, v in sorted(inner.items())]
            pieces.extend(sorted(found))
            texts.append(" and ".join(pieces))
        if term != "andSequence":
            texts.sort()
        conditions.add(LOGICAL[term].format(_JOINS[term].join(f"({text})" for text in texts)))
