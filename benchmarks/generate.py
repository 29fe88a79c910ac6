"""Seeded synthetic policies for the benchmarks.

Every function takes a seed, so the same arguments give the same policy on
every machine. A policy is built as plain data first (the document form that
SPEC section 2 describes), and the model objects, the plain dicts handed to
raw DeepDiff and the JSON and YAML files are all derived from that one
description, so every contender sees the same content.

Run it to write a pair of documents somewhere and look at them::

    python benchmarks/generate.py --rules 1000 --out /tmp/policies
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

from policydiff.model import Effect, PolicyVersion, Rule, When

__all__ = [
    "Shape",
    "change_documents",
    "history_versions",
    "keyed",
    "make_document",
    "to_version",
    "write_documents",
]

EFFECTS = ("prohibit", "permit", "oblige")
ACTIONS = ("export", "import", "transfer", "strike", "sell", "lease", "train", "deploy")
SUBJECTS = tuple(f"party-{i:02d}" for i in range(40))
CONDITIONS = tuple(f"only with licence class {c}" for c in "ABCDEFGH")


@attrs.frozen(kw_only=True)
class Shape:
    """The size and make-up of a synthetic policy.

    Args:
        rules: How many rules a version has.
        dimensions: How many scope dimensions exist (each rule names some).
        values: How many values each dimension has.
        max_dimensions: The most dimensions one rule names.
        max_values: The most values one rule names per dimension.
        min_dimensions: The fewest dimensions one rule names.
        subjects: How many subjects the rules pick theirs from.
    """

    rules: int
    dimensions: int = 8
    values: int = 50
    max_dimensions: int = 3
    max_values: int = 4
    min_dimensions: int = 1
    subjects: int = len(SUBJECTS)

    def dimension(self, index: int) -> str:
        """The name of dimension ``index``."""
        return f"dim{index:02d}"

    def value(self, dimension: int, index: int) -> str:
        """The name of value ``index`` of dimension ``dimension``."""
        return f"d{dimension:02d}-v{index:03d}"


def _rule_id(index: int) -> str:
    return f"rule-{index:07d}"


def _rule(rng: random.Random, shape: Shape, index: int) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": _rule_id(index),
        "effect": rng.choice(EFFECTS),
        "subject": rng.choice(SUBJECTS[: shape.subjects]),
        "action": sorted(rng.sample(ACTIONS, rng.randint(1, 2))),
    }
    dims = rng.sample(
        range(shape.dimensions), rng.randint(shape.min_dimensions, shape.max_dimensions)
    )
    rule["scope"] = {
        shape.dimension(d): sorted(
            shape.value(d, v)
            for v in rng.sample(range(shape.values), rng.randint(1, shape.max_values))
        )
        for d in sorted(dims)
    }
    if rng.random() < 0.25:
        rule["conditions"] = [rng.choice(CONDITIONS)]
    if rng.random() < 0.5:
        rule["text"] = f"Synthetic rule {index} of a generated policy."
    return rule


def make_document(shape: Shape, *, seed: int = 0, version: str = "v0001") -> dict[str, Any]:
    """A version document (plain data) with ``shape.rules`` random rules.

    Args:
        shape: How many rules, dimensions and values.
        seed: The random seed.
        version: The version's label.
    """
    rng = random.Random(seed)
    return {
        "policydiff": 1,
        "policy": "synthetic",
        "version": version,
        "title": "A synthetic policy",
        "effective": "2024-01-01",
        "rules": [_rule(rng, shape, i) for i in range(shape.rules)],
    }


def _changed_rule(rng: random.Random, shape: Shape, rule: dict[str, Any]) -> dict[str, Any]:
    """The rule with one realistic edit: scope, effect, conditions or wording."""
    rule = {**rule, "scope": dict(rule["scope"])}
    edit = rng.random()
    if edit < 0.6:
        name = rng.choice(sorted(rule["scope"]))
        d = int(name[3:])
        values = set(rule["scope"][name])
        if len(values) > 1 and rng.random() < 0.5:
            values.discard(rng.choice(sorted(values)))
        else:
            values.add(shape.value(d, rng.randrange(shape.values)))
        rule["scope"][name] = sorted(values)
    elif edit < 0.75:
        rule["effect"] = rng.choice([e for e in EFFECTS if e != rule["effect"]])
    elif edit < 0.9:
        conditions = set(rule.get("conditions", ()))
        conditions.add(rng.choice(CONDITIONS))
        rule["conditions"] = sorted(conditions)
    else:
        rule["text"] = f"{rule.get('text') or 'Synthetic rule'} (reworded {rng.randrange(10**6)})"
    return rule


def change_documents(
    document: dict[str, Any],
    shape: Shape,
    *,
    changed: int,
    seed: int = 1,
    version: str = "v0002",
    next_index: int | None = None,
    churn: float = 0.2,
) -> dict[str, Any]:
    """A later version of ``document`` with ``changed`` rules touched.

    A ``churn`` fraction of the touched rules is split evenly between rules
    removed and new rules added; the rest are edited in place.

    Args:
        document: The earlier version (plain data); it is not modified.
        shape: The shape the document was made with.
        changed: How many rules to touch.
        seed: The random seed.
        version: The new version's label.
        next_index: The index for new rule ids (default: past the last one).
        churn: The fraction of touched rules removed or added rather than
            edited.
    """
    rng = random.Random(seed)
    rules = list(document["rules"])
    touched = sorted(rng.sample(range(len(rules)), min(changed, len(rules))))
    removed: set[int] = set()
    added: list[dict[str, Any]] = []
    index = next_index if next_index is not None else len(rules) + 1_000_000
    for position in touched:
        roll = rng.random()
        if roll >= churn:
            rules[position] = _changed_rule(rng, shape, rules[position])
        elif roll < churn / 2:
            removed.add(position)
        else:
            added.append(_rule(rng, shape, index))
            index += 1
    rules = [rule for i, rule in enumerate(rules) if i not in removed] + added
    return {**document, "version": version, "effective": "2024-02-01", "rules": rules}


def to_version(document: dict[str, Any]) -> PolicyVersion:
    """Build the model object straight from the constructors (no loader)."""
    return PolicyVersion(
        policy=document["policy"],
        version=document["version"],
        title=document.get("title"),
        effective=When.parse(document["effective"]),
        rules=[_to_rule(rule) for rule in document["rules"]],
    )


def _to_rule(rule: dict[str, Any]) -> Rule:
    return Rule(
        id=rule["id"],
        effect=Effect(rule["effect"]),
        subject=rule.get("subject", ()),
        action=rule["action"],
        scope=rule.get("scope", {}),
        conditions=rule.get("conditions", ()),
        text=rule.get("text"),
    )


def keyed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its rules keyed by id: what raw DeepDiff is given."""
    return {**document, "rules": {rule["id"]: rule for rule in document["rules"]}}


def write_documents(
    document: dict[str, Any], folder: Path, stem: str = "policy"
) -> dict[str, Path]:
    """Write the document as JSON and YAML; return the paths by format."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / f"{stem}.json", "yaml": folder / f"{stem}.yaml"}
    paths["json"].write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    paths["yaml"].write_text(
        yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False),
        encoding="utf-8",
    )
    return paths


def history_versions(
    shape: Shape, *, versions: int, changed: int, seed: int = 0, churn: float = 0.0
) -> Iterator[PolicyVersion]:
    """A history: one random version, then ``versions - 1`` edited ones.

    Each step replaces ``changed`` rules with edited copies through
    :func:`attrs.evolve`, so unchanged rules are the same objects in every
    version (as a history loaded once and kept in memory shares nothing, this
    is the kinder case for memory, not for the diff: equal rules still have
    to be recognised as equal).

    Args:
        shape: The size of each version.
        versions: How many versions.
        changed: How many rules change from one version to the next.
        seed: The random seed.
        churn: The fraction of the changed rules removed or added (half
            each) rather than edited.
    """
    rng = random.Random(seed)
    document = make_document(shape, seed=seed)
    current = to_version(document)
    start = current.effective.instant
    index = shape.rules + 1_000_000
    yield current
    for step in range(1, versions):
        rules = list(current.rules)
        gone: set[int] = set()
        for position in rng.sample(range(len(rules)), min(changed, len(rules))):
            roll = rng.random()
            if roll >= churn:
                plain = _changed_rule(rng, shape, _plain_rule(rules[position]))
                rules[position] = _to_rule(plain)
            elif roll < churn / 2:
                gone.add(position)
            else:
                rules.append(_to_rule(_rule(rng, shape, index)))
                index += 1
        rules = [rule for i, rule in enumerate(rules) if i not in gone]
        current = attrs.evolve(
            current,
            version=f"v{step + 1:06d}",
            effective=When(instant=start.add(hours=step)),
            rules=rules,
        )
        yield current


def _plain_rule(rule: Rule) -> dict[str, Any]:
    plain: dict[str, Any] = {
        "id": rule.id,
        "effect": rule.effect.value,
        "subject": sorted(rule.subject),
        "action": sorted(rule.action),
        "scope": {dim: sorted(values) for dim, values in rule.scope.items()},
    }
    if rule.conditions:
        plain["conditions"] = sorted(rule.conditions)
    if rule.text is not None:
        plain["text"] = rule.text
    return plain


def main(argv: list[str] | None = None) -> int:
    """Write a version and a changed version as JSON and YAML documents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--changed", type=float, default=0.01, help="fraction of rules changed")
    parser.add_argument("--dimensions", type=int, default=8)
    parser.add_argument("--values", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    shape = Shape(rules=args.rules, dimensions=args.dimensions, values=args.values)
    old = make_document(shape, seed=args.seed)
    new = change_documents(old, shape, changed=round(args.rules * args.changed), seed=args.seed + 1)
    for stem, document in (("old", old), ("new", new)):
        for path in write_documents(document, args.out, stem).values():
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
