"""Benchmark pattern dimensions: impact, decide and the step budget.

Cases, each timed in one run (best of a few repeats):

- *impact*: two versions of an IAM-shaped policy (statements of literal
  action names, service wildcards such as ``s3:Get*`` and resource ARN
  patterns, ``action`` case-insensitive), the second with a few statements
  widened or narrowed; impact analysis at one size and at twice it. The
  figure to watch is the ratio of the two times (about 2 when the work
  grows with the policy, far more if it grew with the cross product).
- *decide*: ``policydiff.decide`` on concrete actions and resources.
- *budget*: how long the refusal of hostile patterns (overlapping stars)
  takes, against the larger impact run (at the full scale, with the real
  budget, ``policydiff._glob.MAX_STEPS``).

Run it with ``python benchmarks/bench_patterns.py [tiny|full]``.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import policydiff
from policydiff import DiffError, PolicyVersion
from policydiff._glob import MAX_STEPS, Pattern, atoms

SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"statements": 10, "repeat": 1, "questions": 10, "steps": 50_000},
    "full": {"statements": 60, "repeat": 3, "questions": 100, "steps": MAX_STEPS},
}
SEED = 20240530
SERVICES = ("s3", "ec2", "iam", "kms", "lambda", "dynamodb", "sqs", "sns", "logs", "sts")
VERBS = ("Get", "List", "Put", "Delete", "Describe", "Create", "Update", "Tag")
NOUNS = ("Object", "Bucket", "Policy", "Role", "Key", "Function", "Table", "Queue", "Topic")


def _best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def iam_pair(statements: int, seed: int = SEED) -> tuple[PolicyVersion, PolicyVersion]:
    """Two versions of an IAM-shaped policy with ``statements`` statements each."""
    rng = random.Random(seed)
    rules = []
    for number in range(statements):
        service = rng.choice(SERVICES)
        actions = {
            f"{service}:{rng.choice(VERBS)}{rng.choice(NOUNS)}" for _ in range(rng.randint(1, 8))
        }
        if rng.random() < 0.4:
            actions.add(f"{service}:{rng.choice(VERBS)}*")
        rules.append(
            {
                "id": f"s{number}",
                "effect": "prohibit" if rng.random() < 0.15 else "permit",
                "action": sorted(actions),
                "scope": {"resource": f"arn:aws:{service}:::{rng.choice('abcdef')}/*"},
            }
        )
    edited = [dict(rule) for rule in rules]
    for rule in rng.sample(edited, max(1, statements // 10)):
        service = rule["action"][0].split(":")[0]
        rule["action"] = [*rule["action"][1:], f"{service}:*"]

    def version(label: str, month: int, listed: list[dict[str, Any]]) -> PolicyVersion:
        return PolicyVersion(
            policy="iam-shaped",
            version=label,
            effective=policydiff.When.parse(f"2024-{month:02d}-01"),
            default="none",
            conflict="prohibit-overrides",
            patterns={"action": {"case": "insensitive"}, "resource": {}},
            rules=[policydiff.Rule(**rule) for rule in listed],
        )

    return version("v1", 1, rules), version("v2", 2, edited)


def hostile() -> list[Pattern]:
    """Patterns whose stars overlap in many ways: past the step budget."""
    return [Pattern("*" + "".join(p) + "*") for p in itertools.permutations("abcd", 3)]


def run(scale: str) -> list[dict[str, Any]]:
    """Run every case at ``scale`` and return one figure per case."""
    settings = SCALES[scale]
    repeat, size = settings["repeat"], settings["statements"]
    small = iam_pair(size)
    large = iam_pair(2 * size)
    policydiff.impact(*iam_pair(2))  # the first run also imports DeepDiff
    one = _best(repeat, lambda: policydiff.impact(*small))
    two = _best(repeat, lambda: policydiff.impact(*large))
    figures: list[dict[str, Any]] = [
        {
            "case": "impact",
            "statements": [size, 2 * size],
            "seconds": [round(one, 4), round(two, 4)],
            "ratio": round(two / one, 2) if one else None,
            "groups": len(policydiff.impact(*large).cubes),
        }
    ]
    rng = random.Random(SEED)
    version = large[1]
    questions = []
    for _ in range(settings["questions"]):
        # An action of some statement, asked on a resource of some statement.
        action = rng.choice(sorted(rng.choice(version.rules).action)).replace("*", "Thing")
        resource = rng.choice(sorted(rng.choice(version.rules).scope["resource"]))
        questions.append({"action": action, "resource": resource.replace("*", "x")})
    decisions: list[str] = []
    took = _best(
        repeat,
        lambda: decisions.extend(policydiff.decide(version, q).decision.value for q in questions),
    )
    figures.append(
        {
            "case": "decide",
            "questions": len(questions),
            "seconds_each": round(took / len(questions), 5),
            "decisions": sorted(set(decisions)),
        }
    )
    refused = False

    def refuse() -> None:
        nonlocal refused
        try:
            atoms(hostile(), limit=settings["steps"])
        except DiffError:
            refused = True

    budget = _best(1, refuse)
    figures.append(
        {
            "case": "budget",
            "refused": refused,
            "seconds": round(budget, 3),
            "ratio_to_impact": round(budget / two, 2) if two else None,
        }
    )
    return figures


def main(argv: list[str]) -> int:
    scale = argv[0] if argv else "tiny"
    print(json.dumps(run(scale), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
