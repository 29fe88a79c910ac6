"""Show which situations changed decision at each step of the flagship history.

A diff lists the rules that changed; impact analysis says what that meant:
which strikes, with which weapons, where, went from prohibited to allowed (or
the other way), and which rules decide on each side.

Run it from anywhere: ``python examples/us-ukraine-strikes/impact_of_each_step.py``.
"""

from __future__ import annotations

from pathlib import Path

import policydiff
from policydiff import Cube

HISTORY = Path(__file__).resolve().parent / "history"


def cube_lines(cube: Cube) -> list[str]:
    """Return the lines for one group of situations: what changed, then the decisions."""
    before, after = cube.before, cube.after
    line = f"  {before.decision.value} → {after.decision.value}"
    if before.decision is after.decision:
        what = []
        if before.conditions != after.conditions:
            what.append("other conditions")
        if before.obligations != after.obligations:
            what.append(f"obligations now: {'; '.join(after.obligations) or 'none'}")
        line += f" (same decision, {cube.direction.value}; {', '.join(what)})"
    return [f"- {cube.describe()}", line]


def main() -> None:
    """Print the impact of each step of the flagship history, oldest first."""
    history = policydiff.load_history(HISTORY)
    steps = [(step.old, step.new) for step in history.changes()]
    for number, (old, new) in enumerate(steps, start=1):
        found = policydiff.impact(old, new)
        print(
            f"Step {number} of {len(steps)}: {old.version} → {new.version}, effective {new.effective}"
        )
        print(f"{len(found)} group{'' if len(found) == 1 else 's'} of situations changed decision.")
        for cube in found:
            print("\n".join(cube_lines(cube)))
        print()


if __name__ == "__main__":
    main()
