"""Decisions in words: what an answer says, and under which conditions.

A conditional answer reads as the outcomes it takes and when: "permitted
when "A" or "B"; otherwise prohibited". Several permits that decide
together are alternatives, never a conjunction: the words come from the
outcome under every truth of the conditions, reduced to as few terms as the
conditions allow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policydiff._decisions import Answer, Point, Span
from policydiff.model import Decision, DecisionEffect

__all__ = ["cube_sentence", "decision_words", "join", "situation_words"]

#: Beyond this many conditions, the words list the conditions instead of
#: every combination.
_SPELLED = 6


def join(values: Sequence[str], word: str) -> str:
    """Join values as a phrase: ``["a", "b", "c"]`` as ``"a, b or c"``."""
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {word} {values[-1]}"


def _why(decision: Decision, obligations: tuple[str, ...], points: Sequence[Point]) -> str:
    rules = sorted({r for p in points for r in p[2]})
    text = decision.value
    if rules:
        text += f" by {', '.join(rules)}"
    if any(p[3] for p in points):
        text += " or by default" if rules else " by default"
    if obligations:
        text += f", with obligations: {'; '.join(obligations)}"
    return text


def decision_words(answer: Answer, *, rules: bool = True) -> str:
    """Say an answer's decision, its conditions and obligations in words.

    Outcomes are told apart by decision and obligations only; each names
    the rules that decide it under some truth of the conditions.

    Args:
        answer: A single situation's answer (not ``varies``).
        rules: Whether to name the deciding rules.

    Returns:
        Such as ``permitted by p`` or ``permitted by p when "A" or "B";
        otherwise prohibited by q``.
    """
    if answer.decision is Decision.VARIES:
        return f"varies ({len(answer.groups)} groups)"
    points = [
        answer.outcome(_holds(answer.conditions, i)) for i in range(1 << len(answer.conditions))
    ]
    if not rules:
        points = [(p[0], p[1], (), False) for p in points]
    keys = [(p[0], p[1]) for p in points]
    # "Otherwise" is what holds when no condition does.
    outcomes = sorted(set(keys), key=lambda k: (k != keys[0], k[0].value, k[1]))
    if len(outcomes) == 1:
        return _why(*outcomes[0], points)
    if len(answer.conditions) > _SPELLED:
        listed = "; ".join(f'"{c}"' for c in answer.conditions)
        return f"depends on {len(answer.conditions)} conditions ({listed})"
    parts = []
    for key in outcomes[1:]:
        minterms = [i for i, k in enumerate(keys) if k == key]
        words = _why(*key, [points[i] for i in minterms])
        parts.append(f"{words} when {_formula(answer.conditions, minterms)}")
    first = [p for p, k in zip(points, keys, strict=True) if k == outcomes[0]]
    return "; ".join(parts) + f"; otherwise {_why(*outcomes[0], first)}"


def _holds(conditions: Sequence[str], assignment: int) -> list[str]:
    return [c for i, c in enumerate(conditions) if assignment >> i & 1]


def _formula(conditions: Sequence[str], minterms: list[int]) -> str:
    """Return a short sum of products for the assignments in ``minterms``."""
    width = len(conditions)
    full = (1 << width) - 1
    # Implicants as (value, care mask); combine pairs differing in one cared bit.
    current = {(m, full) for m in minterms}
    primes: set[tuple[int, int]] = set()
    while current:
        used: set[tuple[int, int]] = set()
        nxt: set[tuple[int, int]] = set()
        items = sorted(current)
        for i, (value, care) in enumerate(items):
            for other, care2 in items[i + 1 :]:
                if care != care2:
                    continue
                differ = value ^ other
                if differ.bit_count() == 1:
                    nxt.add((value & ~differ, care & ~differ))
                    used.add((value, care))
                    used.add((other, care2))
        primes |= current - used
        current = nxt
    chosen: list[tuple[int, int]] = []
    left = set(minterms)
    while left:
        best = max(
            sorted(primes),
            key=lambda p: (sum(1 for m in left if m & p[1] == p[0]), -p[1].bit_count()),
        )
        chosen.append(best)
        left = {m for m in left if m & best[1] != best[0]}
    terms = []
    for value, care in chosen:
        literals = [
            f'"{c}"' if value >> i & 1 else f'not "{c}"'
            for i, c in enumerate(conditions)
            if care >> i & 1
        ]
        terms.append(" and ".join(literals) if literals else "always")
    return " or ".join(terms)


def situation_words(values: Mapping[str, Span], *, modal: str) -> str:
    """Say a group of situations: ``Ukraine may strike, where territory is ...``.

    Returns the subject, ``modal`` (the verb the caller supplies), the action
    and the other dimensions as one phrase. The values are a document's own
    text, braces included: nothing in them is read as a template.
    """
    subject = _phrase(values.get("subject"), "Anyone", "anyone else", "Anyone")
    action = _phrase(values.get("action"), "act", "take any other action", "take any action")
    subject = subject[:1].upper() + subject[1:]
    where = [
        f"{dim} is {span}"
        for dim, span in values.items()
        if dim not in ("subject", "action") and not span.any
    ]
    text = f"{subject} {modal} {action}"
    if where:
        text += f", where {join(where, 'and')}"
    return text


def _phrase(span: Span | None, anything: str, other: str, every: str) -> str:
    """Say a subject or action span in a sentence ("Anyone except Ukraine")."""
    if span is None or span.any:
        return anything
    if span.patterns:
        return f"{every} {span.pattern_words}"
    if span.named_exceptions:
        return f"{every} except {join(span.named_exceptions, 'and')}"
    shown = list(span.values)
    if span.others:
        shown.append(other)
    return join(shown, "or")


_SAME = {
    DecisionEffect.LOOSENED: "may more freely",
    DecisionEffect.TIGHTENED: "may less freely",
    DecisionEffect.MIXED: "may, under changed conditions,",
    DecisionEffect.NONE: "may still",
}


def _modal(before: Decision, after: Decision, direction: DecisionEffect) -> str:
    if after is Decision.PROHIBITED:
        return "still may not" if before is Decision.PROHIBITED else "may no longer"
    if after is Decision.UNDECIDED:
        return (
            "is no longer decided whether to"
            if before is not after
            else "is still undecided whether to"
        )
    if before is after:
        return _SAME[direction]
    if after is Decision.PERMITTED:
        return "may now unconditionally" if before is Decision.CONDITIONAL else "may now"
    if before is Decision.PERMITTED:
        return "may now only under conditions"
    return "may now under conditions"


def cube_sentence(
    values: Mapping[str, Span], before: Answer, after: Answer, direction: DecisionEffect
) -> str:
    """One plain sentence saying what changed for a group of situations.

    Such as "Ukraine may now under conditions strike, where territory is
    Belgorod Oblast (was prohibited by no-strikes-inside-russia; now
    permitted by kharkiv-defensive-strikes when "..."; otherwise prohibited
    by no-strikes-inside-russia)".
    """
    text = situation_words(values, modal=_modal(before.decision, after.decision, direction))
    return f"{text} (was {decision_words(before)}; now {decision_words(after)})"
