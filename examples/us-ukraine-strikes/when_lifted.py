"""Ask the flagship history when each restriction and permission changed.

For every rule, oldest first: when it came into force, and each time it was
lifted, imposed, granted, broadened or narrowed, dated at the precision the
sources give ("June 2024" where they give only the month). Then the two
questions people ask first: when were restrictions lifted, and when imposed?

Run it from anywhere: ``python examples/us-ukraine-strikes/when_lifted.py``.
"""

from __future__ import annotations

from pathlib import Path

import policydiff
from policydiff import Direction, Effect, PolicyHistory, Precision, TimelineEntry, When

HISTORY = Path(__file__).resolve().parent / "history"

#: Dates coarser than a day say so, so no reader takes a month for a day.
KNOWN_TO = {Precision.YEAR: " (year only)", Precision.MONTH: " (month only)"}


def dated(when: When) -> str:
    """Return a time value at the precision the sources give, saying when it is coarse."""
    return f"{when}{KNOWN_TO.get(when.precision, '')}"


def entry_line(entry: TimelineEntry, width: int) -> str:
    """Return one line for a change: when, what happened, which way, in which version."""
    change = entry.change
    if entry.from_start:
        return f"  {dated(entry.effective):<{width}}  in force from the first version"
    what = change.kind.value.replace("-", " ")
    if change.dimension is not None:
        parts = [f"{', '.join(sorted(change.added))} added"] if change.added else []
        if change.removed:
            parts.append(f"{', '.join(sorted(change.removed))} removed")
        what += f" ({change.dimension}: {', '.join(parts)})"
    return (
        f"  {dated(entry.effective):<{width}}  {what}, {change.direction.value},"
        f" in {entry.version.version}"
    )


def rule_by_rule(history: PolicyHistory, width: int) -> None:
    """Print, for each rule in order of first appearance, every change to it."""
    last = history.last
    ids: list[str] = []
    for version in history:
        ids += [rule.id for rule in version.rules if rule.id not in ids]
    for rule_id in ids:
        rule = next(version.rule(rule_id) for version in history if rule_id in version.rule_ids)
        print(f"{rule_id} ({rule.effect.value}): {rule.text}")
        timeline = [
            entry
            for entry in history.rule_timeline(rule_id)
            if entry.change.direction is not Direction.NEUTRAL
        ]
        for entry in timeline:
            print(entry_line(entry, width))
        if rule_id in last.rule_ids:
            never = rule.effect is not Effect.PERMIT and not any(
                entry.change.direction is Direction.LOOSENED for entry in timeline
            )
            print(f"  {'':<{width}}  {'never lifted; ' if never else ''}in force in {last.version}")
        print()


def main() -> None:
    """Print when each restriction and permission of the flagship history changed."""
    history = policydiff.load_history(HISTORY)
    width = max(len(dated(version.effective)) for version in history)
    print(f"{history.policy}: {len(history)} versions,")
    print(f"from {history.first.effective} to {history.last.effective}.")
    print()

    print("Rule by rule, oldest first")
    print()
    rule_by_rule(history, width)

    print("Restrictions lifted (every loosened change), oldest first")
    for entry in history.lifted():
        print(
            f"  {dated(entry.effective):<{width}}  {entry.change.rule}: {entry.change.kind.value}"
        )
    print()
    print("Restrictions imposed (every tightened change), oldest first")
    for entry in history.imposed():
        what = "in force from the first version" if entry.from_start else entry.change.kind.value
        print(f"  {dated(entry.effective):<{width}}  {entry.change.rule}: {what}")


if __name__ == "__main__":
    main()
