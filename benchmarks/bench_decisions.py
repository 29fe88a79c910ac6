"""Benchmark the decision evaluator: verdicts, impact and decide.

Cases, each timed in one run in CPU time (``time.process_time``, as the
machine may be shared), reported as figures and ratios:

- *verdict*: ``diff`` alone against ``diff`` plus its verdict and every
  change's effect, on the benchmark generator's policies (``generate.py``)
  with 1% of the rules edited (best of a few repeats). The figure to watch
  is the ratio.
- *dense*: two versions of 40 rules over 8 dimensions where every rule names
  a random half of the dimensions with a few of six values each, so the
  rules overlap one another along different dimensions (about 15 KB as
  JSON). Impact analysis on it, and its peak memory as tracemalloc sees it
  (in a second run). With 60 rules the same needs nearly as many pieces of
  the situation space as the work budget allows; past it, the figure is how
  long it takes to say so (a ``DiffError``), and the peak memory until then.
- *decide*: ``policydiff.decide`` on full situations of a generated policy
  (each takes one rule's values and a random value in every other
  dimension).
- *embargo*: a general licence and, on each of five dimensions, sixteen
  embargo lists (prohibits naming that dimension only); the second version
  adds a value to one list. Impact, the verdict with every effect, ``decide``
  on full situations, and ``decide`` on the whole space (the action alone).
- *wide*: random policies of 1,000 to 5,000 rules whose rules name four to
  six of eight dimensions of ten values each, among four subjects, 1% of
  the rules edited: impact, the verdict with every effect, ``decide`` on
  full situations, and ``decide`` on a situation giving only the subject
  and the action. A question past the work budget is reported as the
  ``DiffError`` it raises, with the time taken to say so.

Run it with ``python benchmarks/bench_decisions.py [tiny|full] [--only CASE]...``
(cases: verdict, dense, decide, embargo, wide). The work budget applies as
it does to any caller: ``POLICYDIFF_WORK_BUDGET`` raises it for a run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate  # noqa: E402 (the benchmarks folder is not a package)

import policydiff  # noqa: E402
from policydiff import DiffError, Effect, PolicyVersion, Rule, When  # noqa: E402

SCALES: dict[str, dict[str, Any]] = {
    "tiny": {
        "verdict_rules": (200,),
        "repeat": 1,
        "dense_rules": (12,),
        "decide_rules": 200,
        "questions": 20,
        "embargo": (3, 4),
        "wide_rules": (100,),
    },
    "full": {
        "verdict_rules": (1_000, 3_000, 10_000, 100_000),
        "repeat": 3,
        "dense_rules": (40, 60),
        "decide_rules": 10_000,
        "questions": 200,
        "embargo": (5, 16),
        "wide_rules": (1_000, 2_000, 3_000, 5_000),
    },
}
SEED = 20240530
#: From this many rules on, the verdict case is timed once.
LARGE = 100_000


def dense_pair(
    rules: int = 40, dimensions: int = 8, values: int = 6, changed: int = 10, seed: int = SEED
) -> tuple[PolicyVersion, PolicyVersion]:
    """Two versions whose rules overlap one another along different dimensions.

    Args:
        rules: How many rules each version has.
        dimensions: How many scope dimensions there are.
        values: How many values each dimension has.
        changed: How many rules the second version redraws.
        seed: The random seed.
    """
    rng = random.Random(seed)

    def draw(index: int) -> Rule:
        scope = {
            f"d{d}": sorted(
                rng.sample([f"v{k}" for k in range(values)], rng.randint(1, values // 2))
            )
            for d in range(dimensions)
            if rng.random() < 0.5
        }
        conditions = [f"with licence {rng.randrange(4)}"] if rng.random() < 0.2 else []
        return Rule(
            id=f"r{index:03d}",
            effect=rng.choice(list(Effect)),
            action="act",
            scope=scope,
            conditions=conditions,
        )

    olds = [draw(i) for i in range(rules)]
    news = list(olds)
    for i in rng.sample(range(rules), changed):
        news[i] = draw(i)
    old = PolicyVersion(policy="dense", version="a", effective=When.parse("2024"), rules=olds)
    new = PolicyVersion(policy="dense", version="b", effective=When.parse("2025"), rules=news)
    return old, new


def _best(run: Callable[[Any], object], setup: Callable[[], Any], repeat: int) -> float:
    """Return the best time of ``run`` over ``repeat`` runs, each on a fresh ``setup()``."""
    times = []
    for _ in range(repeat):
        argument = setup()
        start = time.process_time()
        run(argument)
        times.append(time.process_time() - start)
    return min(times)


def _generated(rules: int) -> tuple[dict[str, Any], dict[str, Any]]:
    shape = generate.Shape(rules=rules)
    old = generate.make_document(shape, seed=rules)
    new = generate.change_documents(
        old, shape, changed=max(1, rules // 100), seed=rules + 1, churn=0
    )
    return old, new


def _verdict(rules: int, repeat: int) -> dict[str, Any]:
    old_doc, new_doc = _generated(rules)

    def fresh() -> tuple[PolicyVersion, PolicyVersion]:
        return generate.to_version(old_doc), generate.to_version(new_doc)

    def plain(pair: tuple[PolicyVersion, PolicyVersion]) -> object:
        return policydiff.diff(*pair)

    def judged(pair: tuple[PolicyVersion, PolicyVersion]) -> str:
        found = policydiff.diff(*pair)
        # Past the work budget the verdict or some effects are not worked
        # out; what was is still answered.
        try:
            verdict = found.verdict.value
        except DiffError:
            verdict = "not worked out"
        known = 0
        for change in found:
            try:
                _ = change.effect
            except DiffError:
                continue
            known += 1
        return f"{verdict}, {known} of {len(found)} effects"

    outcomes: list[str] = []
    if rules < LARGE:
        # Imports DeepDiff and warms every cache outside the timings.
        outcomes.append(judged(fresh()))
    else:
        # Once is enough at this size (smaller cases ran first and warmed up).
        repeat = 1
    diff_s = _best(plain, fresh, repeat)
    judged_s = _best(lambda pair: outcomes.append(judged(pair)), fresh, repeat)
    outcome = outcomes[0]
    return {
        "case": "verdict",
        "rules": rules,
        "diff_seconds": round(diff_s, 4),
        "diff_verdict_effects_seconds": round(judged_s, 4),
        "ratio": round(judged_s / diff_s, 2) if diff_s > 0 else None,
        "outcome": outcome,
    }


def _attempt(run: Callable[[], object]) -> str:
    try:
        result = run()
    except DiffError as exc:
        return f"DiffError: {str(exc)[:60]}"
    if isinstance(result, str):
        return result
    return f"{len(result)} groups" if hasattr(result, "__len__") else str(result)


def _measured(run: Callable[[], object]) -> tuple[float, float, str]:
    """Time one run, then measure its peak memory in another (tracemalloc slows it)."""
    start = time.process_time()
    outcome = _attempt(run)
    seconds = time.process_time() - start
    tracemalloc.start()
    _attempt(run)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 1e6, outcome


def _dense(rules: int) -> dict[str, Any]:
    old, new = dense_pair(rules=rules)
    size = len(policydiff.dumps(old, format="json"))
    seconds, megabytes, outcome = _measured(lambda: policydiff.impact(old, new))
    return {
        "case": "dense",
        "rules": rules,
        "document_bytes": size,
        "impact_seconds": round(seconds, 3),
        "peak_mb": round(megabytes, 1),
        "outcome": outcome,
    }


def _decide(rules: int, questions: int) -> dict[str, Any]:
    document, _ = _generated(rules)
    version = generate.to_version(document)
    rng = random.Random(SEED)
    shape = generate.Shape(rules=rules)
    situations = []
    for _ in range(questions):
        # A full situation: the values of one rule, and a random value elsewhere.
        rule = rng.choice(version.rules)
        situation = {
            "subject": rng.choice(generate.SUBJECTS),
            "action": rng.choice(generate.ACTIONS),
            **{
                shape.dimension(d): shape.value(d, rng.randrange(shape.values))
                for d in range(shape.dimensions)
            },
        }
        situation.update({dim: sorted(values)[0] for dim, values in rule.dimensions.items()})
        situations.append(situation)
    start = time.process_time()
    decided = [policydiff.decide(version, situation).decision.value for situation in situations]
    seconds = time.process_time() - start
    return {
        "case": "decide",
        "rules": rules,
        "questions": questions,
        "seconds_per_question": round(seconds / questions, 5),
        "decisions": sorted(set(decided)),
    }


def embargo_pair(
    dimensions: int = 5, lists: int = 16, values: int = 40, seed: int = SEED
) -> tuple[PolicyVersion, PolicyVersion]:
    """A general licence with embargo lists on each dimension; one list grows.

    Args:
        dimensions: How many dimensions carry embargo lists.
        lists: How many lists each dimension has (one prohibit each).
        values: How many values each dimension has.
        seed: The random seed.
    """
    rng = random.Random(seed)
    rules = [Rule(id="licence", effect=Effect.PERMIT, action="export", text="General licence")]
    for d in range(dimensions):
        for i in range(lists):
            listed = rng.sample([f"v{k:02d}" for k in range(values)], rng.randint(1, 4))
            rules.append(
                Rule(
                    id=f"embargo-d{d}-{i:02d}",
                    effect=Effect.PROHIBIT,
                    action="export",
                    scope={f"d{d}": listed},
                )
            )
    grown = rules[1]
    scope = {dim: [*names, f"v{values:02d}"] for dim, names in grown.scope.items()}
    later = [*rules[:1], Rule(id=grown.id, effect=grown.effect, action="export", scope=scope)]
    later += rules[2:]
    old = PolicyVersion(policy="embargo", version="a", effective=When.parse("2024"), rules=rules)
    new = PolicyVersion(policy="embargo", version="b", effective=When.parse("2025"), rules=later)
    return old, new


def wide_pair(rules: int, seed: int = SEED) -> tuple[PolicyVersion, PolicyVersion]:
    """Random versions whose rules name four to six of eight dimensions, 1% edited."""
    shape = _wide_shape(rules)
    old = generate.make_document(shape, seed=seed + rules)
    new = generate.change_documents(
        old, shape, changed=max(1, rules // 100), seed=seed + rules + 1, churn=0
    )
    return generate.to_version(old), generate.to_version(new)


def _wide_shape(rules: int) -> generate.Shape:
    return generate.Shape(rules=rules, values=10, subjects=4, min_dimensions=4, max_dimensions=6)


def _timed(run: Callable[[], object]) -> tuple[float, str]:
    """CPU seconds of one run, and what it gave (or the budget error it raised)."""
    start = time.process_time()
    outcome = _attempt(run)
    return time.process_time() - start, outcome


def _judged(old: PolicyVersion, new: PolicyVersion) -> str:
    found = policydiff.diff(old, new)
    effects = sorted({change.effect.value for change in found})
    return f"{found.verdict.value}; effects {', '.join(effects)}"


def _answered(answer: policydiff.Answer) -> str:
    if answer.groups:
        return f"{answer.decision.value}, {len(answer.groups)} groups"
    return answer.decision.value


def _questions(
    version: PolicyVersion, dimensions: dict[str, list[str]], count: int
) -> list[dict[str, str]]:
    """Full situations: one rule's values, and a random value in every other dimension."""
    rng = random.Random(SEED)
    situations = []
    for _ in range(count):
        rule = rng.choice(version.rules)
        situation = {dim: rng.choice(values) for dim, values in dimensions.items()}
        situation.update({dim: sorted(values)[0] for dim, values in rule.dimensions.items()})
        situations.append(situation)
    return situations


def _decisions(
    name: str,
    old: PolicyVersion,
    new: PolicyVersion,
    dimensions: dict[str, list[str]],
    partial: dict[str, str],
    questions: int,
) -> dict[str, Any]:
    """Impact, verdict and decide on one pair, each timed once."""
    impact_s, impact = _timed(lambda: policydiff.impact(old, new))
    verdict_s, verdict = _timed(lambda: _judged(old, new))
    situations = _questions(old, dimensions, questions)
    decide_s, _ = _timed(lambda: [policydiff.decide(old, s) for s in situations])
    partial_s, answer = _timed(lambda: _answered(policydiff.decide(old, partial)))
    return {
        "case": name,
        "rules": len(old.rules),
        "impact_seconds": round(impact_s, 3),
        "impact": impact,
        "verdict_effects_seconds": round(verdict_s, 3),
        "verdict": verdict,
        "decide_seconds_per_question": round(decide_s / questions, 5),
        "decide_partial": partial,
        "decide_partial_seconds": round(partial_s, 3),
        "decide_partial_answer": answer,
    }


def _embargo(dimensions: int, lists: int, questions: int) -> dict[str, Any]:
    old, new = embargo_pair(dimensions, lists)
    values = [f"v{k:02d}" for k in range(41)]
    dims = {"action": ["export"], **{f"d{d}": values for d in range(dimensions)}}
    return _decisions("embargo", old, new, dims, {"action": "export"}, questions)


def _wide(rules: int, questions: int) -> dict[str, Any]:
    old, new = wide_pair(rules)
    shape = _wide_shape(rules)
    dims = {
        "subject": list(generate.SUBJECTS[: shape.subjects]),
        "action": list(generate.ACTIONS),
        **{
            shape.dimension(d): [shape.value(d, v) for v in range(shape.values)]
            for d in range(shape.dimensions)
        },
    }
    partial = {"subject": generate.SUBJECTS[0], "action": generate.ACTIONS[0]}
    return _decisions("wide", old, new, dims, partial, questions)


CASES = ("verdict", "dense", "decide", "embargo", "wide")


def run(scale: str = "tiny", only: Iterable[str] = CASES) -> list[dict[str, Any]]:
    """Run the cases in ``only`` (all by default) at ``scale`` and return their figures."""
    settings = SCALES[scale]
    chosen = set(only)
    figures: list[dict[str, Any]] = []
    if "verdict" in chosen:
        figures.extend(_verdict(rules, settings["repeat"]) for rules in settings["verdict_rules"])
    if "dense" in chosen:
        figures.extend(_dense(rules) for rules in settings["dense_rules"])
    if "decide" in chosen:
        figures.append(_decide(settings["decide_rules"], settings["questions"]))
    if "embargo" in chosen:
        dimensions, lists = settings["embargo"]
        figures.append(_embargo(dimensions, lists, questions=settings["questions"]))
    if "wide" in chosen:
        figures.extend(_wide(rules, settings["questions"]) for rules in settings["wide_rules"])
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print the figures of one run as JSON."""
    parser = argparse.ArgumentParser(description="Benchmark verdicts, impact and decide.")
    parser.add_argument("scale", nargs="?", default="tiny", choices=sorted(SCALES))
    parser.add_argument(
        "--only", action="append", choices=CASES, help="run only this case (repeatable)"
    )
    args = parser.parse_args(argv)
    print(json.dumps(run(args.scale, args.only or CASES), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
