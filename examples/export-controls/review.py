"""Review each change to Northwind's (fictional) shipping rules, oldest first.

Prints the history's log one step at a time: when it took effect, what was
lifted and what imposed, and whether the review gate
``policydiff check OLD NEW --fail-on loosened`` would let it through.

Run it from anywhere: ``python examples/export-controls/review.py``.
"""

from __future__ import annotations

from pathlib import Path

import policydiff
from policydiff import Direction, PolicyDiff

HISTORY = Path(__file__).resolve().parent / "history"


def counts(step: PolicyDiff) -> str:
    """Return how many changes go each way: ``2 loosened, 1 tightened, 6 neutral``."""
    return ", ".join(
        f"{number} {direction}" for direction, number in step.summary.items() if number
    )


def verdict(step: PolicyDiff) -> str:
    """Return what a gate failing on loosened changes says: mixed changes loosen too."""
    offending = step.where(Direction.LOOSENED) + step.where(Direction.MIXED)
    if not offending:
        return "passes the gate on loosened changes"
    noun = "change" if len(offending) == 1 else "changes"
    return f"stopped by the gate on loosened changes ({len(offending)} {noun}): needs sign-off"


def main() -> None:
    """Print every step of the export-control history with a review verdict."""
    history = policydiff.load_history(HISTORY)
    print(f"{history.first.title}: {len(history)} versions, from {history.first.effective}.")
    for step in history.changes():
        print()
        print(f"{step.old.version} → {step.new.version}")
        print(f"  effective {step.new.effective}, {step.gap}; {counts(step)}")
        if step.new.summary:
            print(f"  {step.new.summary}")
        for change in step.loosened():
            print(f"  + {change.description}")
        for change in step.tightened():
            print(f"  - {change.description}")
        for change in step.where(Direction.MIXED):
            print(f"  ± {change.description}")
        print(f"  Review: {verdict(step)}")


if __name__ == "__main__":
    main()
