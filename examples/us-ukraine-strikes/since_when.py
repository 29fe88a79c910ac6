"""Ask the flagship history what was allowed, under which rule, and since when.

Three situations people ask about, each answered by the one evaluator that
also drives impact analysis and the review gate:

- counter-fire with GMLRS into Belgorod Oblast, across from Kharkiv;
- counter-fire with GMLRS into Kursk Oblast;
- an ATACMS strike on Kursk Oblast.

For each: the answer on 1 June 2024 and on 1 January 2025, since when it has
held, and the whole timeline. A conditional answer says under which
condition the strike is permitted and what holds otherwise.

Run it from anywhere: ``python examples/us-ukraine-strikes/since_when.py``.
"""

from __future__ import annotations

from pathlib import Path

import policydiff
from policydiff import Answer, Decision

HISTORY = Path(__file__).resolve().parent / "history"

STRIKE = {"subject": "Ukraine", "action": "strike"}
QUESTIONS = {
    "Counter-fire with GMLRS into Belgorod Oblast": {
        **STRIKE,
        "territory": "Belgorod Oblast",
        "weapon": "GMLRS",
        "purpose": "counter-fire",
    },
    "Counter-fire with GMLRS into Kursk Oblast": {
        **STRIKE,
        "territory": "Kursk Oblast",
        "weapon": "GMLRS",
        "purpose": "counter-fire",
    },
    "An ATACMS strike on Kursk Oblast": {
        **STRIKE,
        "territory": "Kursk Oblast",
        "weapon": "ATACMS",
    },
}
MOMENTS = ("2024-06-01", "2025-01-01")


def words(answer: Answer) -> str:
    """Say a decision and the rules behind it; a conditional one, both ways."""
    if answer.decision is not Decision.CONDITIONAL:
        return f"{answer.decision.value} by {', '.join(answer.rules) or 'default'}"
    met, unmet = answer.given(answer.conditions), answer.given(())
    conditions = "; ".join(answer.conditions)
    return (
        f"{met.decision.value} by {', '.join(met.rules)} {conditions},"
        f" otherwise {unmet.decision.value} by {', '.join(unmet.rules) or 'default'}"
    )


def answer_line(moment: str, answer: Answer | None) -> str:
    """Return one line: the moment, the decision in words, and since when it held."""
    if answer is None:
        return f"  {moment}: no version in force"
    return f"  {moment}: {words(answer)} (since {answer.since})"


def main() -> None:
    """Print each question's answers and timeline."""
    history = policydiff.load_history(HISTORY)
    for title, situation in QUESTIONS.items():
        print(title)
        for moment in MOMENTS:
            print(answer_line(moment, history.decide(situation, at=moment)))
        print("  Timeline:")
        for period in history.decision_timeline(situation):
            until = "now" if period.end is None else str(period.end)
            print(f"    {period.start} to {until}: {period.answer.decision.value}")
        print()


if __name__ == "__main__":
    main()
