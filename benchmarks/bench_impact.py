"""Benchmark change-impact analysis on large generated policies.

Two runs on the same rules:

- *base*: every dimension has its values (1,000 at full scale), grouped by a
  vocabulary into parents of 20; rules name values and parents.
- *refined*: the same, but every value is now a vocabulary parent of ten
  finer values that no rule names, so each dimension has ten times more
  values and no rule tells the new ones apart.

The analysis works on classes of values, so the refined run should cost
about what the base run does; the figure to watch is ``ratio`` (refined time
over base time). Only :func:`policydiff._impact.impact` is timed, best of a
few runs, base and refined alternating, each on freshly built versions so no
cache carries over.

Run it with ``python benchmarks/bench_impact.py [tiny|small|full]``.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

import attrs

from policydiff._impact import impact
from policydiff.model import Effect, PolicyVersion, Rule, When

SCALES: dict[str, dict[str, int]] = {
    "tiny": {"dimensions": 6, "values": 40, "rules": 60, "repeat": 1},
    "small": {"dimensions": 30, "values": 200, "rules": 1_000, "repeat": 7},
    "full": {"dimensions": 30, "values": 1_000, "rules": 10_000, "repeat": 5},
}
GROUP = 20  # values per vocabulary parent
REFINE = 10  # finer values per value in the refined run
SEED = 20240530


def _dimension_names(count: int) -> list[str]:
    return ["subject", "action", *(f"d{i:02d}" for i in range(2, count))]


def _zipf(rng: random.Random, count: int) -> int:
    """A value index where low indexes are far more common (a few busy values)."""
    return min(int(count ** rng.random()) - 1, count - 1)


def _pick(rng: random.Random, dim: str, values: int, group: float = 0.2) -> list[str]:
    if rng.random() < group:
        return [f"{dim}-g{rng.randrange(values // GROUP):03d}"]
    busy = dim == "action"
    picks = {
        _zipf(rng, values) if busy else rng.randrange(values) for _ in range(rng.randint(1, 3))
    }
    return [f"{dim}-v{i:05d}" for i in sorted(picks)]


def _family(names: list[str], action: str) -> list[str]:
    """The three scope dimensions an action applies to (its resource types)."""
    return random.Random(f"{SEED}:{action}").sample(names[2:], 3)


def _rule(rng: random.Random, rule_id: str, names: list[str], values: int) -> Rule:
    """A rule shaped like those of real policies.

    Most rules grant or restrict one subject (or a group) some actions, a few
    actions being far busier than the rest; a rule's scope names one to three
    of the dimensions its action applies to. A few rules are guardrails that
    name no subject and prohibit an action along one dimension.
    """
    action = _pick(rng, "action", values, group=0.05)
    family = _family(names, action[0])
    guardrail = rng.random() < 0.01
    if guardrail:
        # Guardrails bound an action along its first dimension only, as in
        # "never outside these regions".
        scope = {family[0]: _pick(rng, family[0], values)}
        effect = Effect.PROHIBIT
    else:
        scope = {dim: _pick(rng, dim, values) for dim in rng.sample(family, rng.randint(1, 3))}
        effect = rng.choices([Effect.PERMIT, Effect.PROHIBIT, Effect.OBLIGE], [6, 3, 1])[0]
    return Rule(
        id=rule_id,
        effect=effect,
        subject=[] if guardrail else _pick(rng, "subject", values, group=0.05),
        action=action,
        scope=scope,
        conditions=frozenset({f"condition {rng.randrange(20)}"} if rng.random() < 0.2 else ()),
    )


def _changed(rng: random.Random, rule: Rule, names: list[str], values: int) -> Rule:
    what = rng.randrange(3)
    if what == 0:
        flipped = Effect.PROHIBIT if rule.effect is Effect.PERMIT else Effect.PERMIT
        return attrs.evolve(rule, effect=flipped)
    if what == 1:
        conditions: frozenset[str] = rule.conditions ^ {"newly conditional"}
        return attrs.evolve(rule, conditions=conditions)
    scope = dict(rule.scope)
    dim = rng.choice(_family(names, min(rule.action)))
    scope[dim] = frozenset(_pick(rng, dim, values))
    return attrs.evolve(rule, scope=scope)


def generate(scale: str = "full", seed: int = SEED) -> tuple[list[Rule], list[Rule], int, int]:
    """Generate the old and new rules for a scale.

    Args:
        scale: ``"tiny"``, ``"small"`` or ``"full"``.
        seed: The random seed; the same seed gives the same rules.

    Returns:
        ``(old_rules, new_rules, dimensions, values)``.
    """
    size = SCALES[scale]
    rng = random.Random(seed)
    names = _dimension_names(size["dimensions"])
    values = size["values"]
    old = [_rule(rng, f"rule-{i:05d}", names, values) for i in range(size["rules"])]
    new: list[Rule] = []
    for rule in old:
        draw = rng.random()
        if draw < 0.01:
            continue  # removed
        new.append(_changed(rng, rule, names, values) if draw < 0.04 else rule)
    new += [
        _rule(rng, f"added-{i:05d}", names, values) for i in range(max(1, size["rules"] // 100))
    ]
    return old, new, size["dimensions"], values


def _vocabulary(dimensions: int, values: int, refined: bool) -> dict[str, dict[str, list[str]]]:
    trees: dict[str, dict[str, list[str]]] = {}
    for dim in _dimension_names(dimensions):
        tree = {
            f"{dim}-g{g:03d}": [f"{dim}-v{i:05d}" for i in range(g * GROUP, (g + 1) * GROUP)]
            for g in range(values // GROUP)
        }
        if refined:
            for i in range(values):
                value = f"{dim}-v{i:05d}"
                tree[value] = [f"{value}.{k}" for k in range(REFINE)]
        trees[dim] = tree
    return trees


def _versions(
    rules: tuple[list[Rule], list[Rule]], dimensions: int, values: int, refined: bool
) -> tuple[PolicyVersion, PolicyVersion]:
    made = []
    for label, version_rules in zip(("old", "new"), rules, strict=True):
        made.append(
            PolicyVersion(
                policy="generated",
                version=label,
                effective=When.parse("2024-05-30" if label == "new" else "2024-01-01"),
                rules=version_rules,
                vocabulary=_vocabulary(dimensions, values, refined),
            )
        )
    return made[0], made[1]


def _time(
    rules: tuple[list[Rule], list[Rule]], dims: int, values: int, repeat: int
) -> dict[bool, tuple[float, int]]:
    """Best time and cube count, base and refined, runs alternating to share any load."""
    best = {False: float("inf"), True: float("inf")}
    cubes = {False: 0, True: 0}
    for _ in range(repeat):
        for refined in (False, True):
            old, new = _versions(rules, dims, values, refined)
            start = time.perf_counter()
            result = impact(old, new)
            best[refined] = min(best[refined], time.perf_counter() - start)
            cubes[refined] = len(result)
    return {refined: (best[refined], cubes[refined]) for refined in (False, True)}


def run(scale: str = "full") -> dict[str, Any]:
    """Measure the impact analysis at a scale.

    Args:
        scale: ``"tiny"`` (well under two seconds), ``"small"`` or ``"full"``
            (30 dimensions, 1,000 values each, 10,000 rules per version).

    Returns:
        The figures: sizes, the base and refined times in seconds, their
        ``ratio``, and the number of changed cubes each run reported.
    """
    old_rules, new_rules, dims, values = generate(scale)
    rules = (old_rules, new_rules)
    repeat = SCALES[scale]["repeat"]
    timed = _time(rules, dims, values, repeat)
    (base, base_cubes), (refined, refined_cubes) = timed[False], timed[True]
    old_by_id = {rule.id: rule for rule in old_rules}
    changed = sum(1 for rule in new_rules if old_by_id.get(rule.id) != rule)
    changed += len(old_by_id.keys() - {rule.id for rule in new_rules})
    return {
        "scale": scale,
        "dimensions": dims,
        "values_per_dimension": values,
        "refined_values_per_dimension": values * REFINE,
        "rules_old": len(old_rules),
        "rules_new": len(new_rules),
        "rules_changed": changed,
        "base_seconds": round(base, 4),
        "refined_seconds": round(refined, 4),
        "ratio": round(refined / base, 3),
        "base_cubes": base_cubes,
        "refined_cubes": refined_cubes,
    }


if __name__ == "__main__":
    for key, value in run(sys.argv[1] if len(sys.argv) > 1 else "full").items():
        print(f"{key}: {value}")
