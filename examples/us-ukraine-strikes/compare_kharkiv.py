"""Compare the versions before and after the Kharkiv decision of May 2024.

Prints what the decision lifted and when it took effect, the sources behind
each change, what still stands, and the steps of the decision.

Run it from anywhere: ``python examples/us-ukraine-strikes/compare_kharkiv.py``.
"""

from __future__ import annotations

from pathlib import Path

import policydiff
from policydiff import Change, Effect, Event, PolicyVersion, Precision

HISTORY = Path(__file__).resolve().parent / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
AFTER = HISTORY / "2024-05-30-kharkiv.yaml"


def source_lines(change: Change) -> list[str]:
    """Return one line per source of a change: publisher, date, title, note."""
    lines = []
    for source in change.sources:
        line = source.publisher or source.id
        if source.date is not None:
            line += f", {source.date}"
        if source.title:
            line += f': "{source.title}"'
        if source.note:
            line += f" ({source.note})"
        lines.append(line)
    return lines


def relative(event: Event, version: PolicyVersion) -> str:
    """Say how many days before or after the version an event came, when both are days."""
    if (
        event.date.precision is not Precision.DAY
        or version.effective.precision is not Precision.DAY
    ):
        return ""
    days = (version.effective.instant.date() - event.date.instant.date()).days
    if days == 0:
        return " (the day it took effect)"
    unit = "day" if abs(days) == 1 else "days"
    return f" ({abs(days)} {unit} {'before' if days > 0 else 'after'} it took effect)"


def main() -> None:
    """Print what the Kharkiv decision changed, and how it was reached."""
    before = policydiff.load(BEFORE)
    after = policydiff.load(AFTER)
    changes = policydiff.diff(before, after)

    print(after.title)
    print(f"From {before.version} (in force from {before.effective})")
    print(f"  to {after.version} (effective {after.effective}, {changes.gap})")
    if after.announced is not None:
        print(f"Announced: {after.announced}")
    if after.approved_by:
        print(f"Approved by: {', '.join(after.approved_by)}")
    if after.summary:
        print(f"In short: {after.summary}")
    print()

    lifted = changes.loosened()
    print(f"Lifted or loosened: {len(lifted)}")
    for change in lifted:
        print(f"- Effective {change.effective}, rule {change.rule}:")
        print(f"  {change.description}")
        for line in source_lines(change):
            print(f"  Source: {line}")
    imposed = changes.tightened()
    print(f"Imposed or tightened: {len(imposed)}")
    for change in imposed:
        print(f"- Effective {change.effective}: {change.description}")
    print()

    changed = {change.rule for change in changes}
    print("Still in force, unchanged:")
    for rule in after.rules:
        if rule.id not in changed and rule.effect is not Effect.PERMIT:
            print(f"- {rule.id} ({rule.effect.value}): {rule.text}")
    print()

    print("Decision steps:")
    for event in after.events:
        print(f"- {event.date}: {event.what}{relative(event, after)}")


if __name__ == "__main__":
    main()
