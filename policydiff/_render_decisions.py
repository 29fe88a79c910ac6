"""Decisions as text and Markdown: answers, timelines, impact and the gate.

Renderers only format results the evaluator produced; they never decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from policydiff._phrases import decision_words, join, situation_words
from policydiff.model import Decision, DecisionEffect

if TYPE_CHECKING:
    from policydiff._evaluate import Answer
    from policydiff._history import Period
    from policydiff._impact import Cube, Impact

__all__ = [
    "answer_markdown",
    "answer_text",
    "cube_sentence",
    "impact_markdown",
    "impact_text",
    "markdown_text",
    "timeline_markdown",
    "timeline_text",
]


def markdown_text(text: str) -> str:
    """Escape the characters Markdown would read as formatting."""
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _cell(text: str) -> str:
    return markdown_text(text).replace("|", "\\|").replace("\n", " ")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


_SAME = {
    DecisionEffect.LOOSENED: "may more freely",
    DecisionEffect.TIGHTENED: "may less freely",
    DecisionEffect.MIXED: "may, under changed conditions,",
    DecisionEffect.NONE: "may still",
}


def _modal(cube: Cube) -> str:
    before, after = cube.before.decision, cube.after.decision
    if after is Decision.PROHIBITED:
        return "still may not" if before is Decision.PROHIBITED else "may no longer"
    if after is Decision.UNDECIDED:
        return "is no longer decided whether to" if before is not after else "is still undecided whether to"
    if before is after:
        return _SAME[cube.direction]
    if after is Decision.PERMITTED:
        return "may now unconditionally" if before is Decision.CONDITIONAL else "may now"
    if before is Decision.PERMITTED:
        return "may now only under conditions"
    return "may now under conditions"


def cube_sentence(cube: Cube) -> str:
    """One plain sentence saying what changed for a cube's situations.

    Such as "Ukraine may now under conditions strike, where territory is
    Belgorod Oblast (was prohibited by no-strikes-inside-russia; now
    permitted by kharkiv-defensive-strikes when "..."; otherwise prohibited
    by no-strikes-inside-russia)".
    """
    text = situation_words(cube.values).format(modal=_modal(cube))
    return f"{text} (was {decision_words(cube.before)}; now {decision_words(cube.after)})"


def _headline(result: Impact) -> str:
    old, new = result.old, result.new
    span = f"from {old.version} ({old.effective}) to {new.version} ({new.effective})"
    if not result.cubes:
        return f"Impact on {new.policy} {span}: no situation changed decision."
    groups = _plural(len(result.cubes), "group", "groups")
    return (
        f"Impact on {new.policy} {span}: {groups} of situations changed decision"
        f" (verdict: {result.verdict.value})."
    )


def impact_text(result: Impact) -> str:
    """A plain-text impact report: a heading line, then one line per cube."""
    lines = [_headline(result)]
    if result.cubes:
        lines.append("")
        lines.extend(f"- {cube_sentence(cube)}" for cube in result.cubes)
    return "\n".join(lines) + "\n"


def impact_markdown(result: Impact) -> str:
    """A Markdown impact report: a heading, a sentence per cube and a table."""
    title = f"## Impact on {result.new.policy}: {result.old.version} → {result.new.version}"
    lines = [title, "", markdown_text(_headline(result))]
    if not result.cubes:
        return "\n".join(lines) + "\n"
    lines.append("")
    lines.extend(f"- {markdown_text(cube_sentence(cube))}" for cube in result.cubes)
    header = [*result.dimensions, "before", "after"]
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for cube in result.cubes:
        cells = [str(cube.values[dim]) for dim in result.dimensions]
        cells += [decision_words(cube.before), decision_words(cube.after)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _situation(answer: Answer) -> str:
    return ", ".join(f"{dim}={value}" for dim, value in answer.situation.items()) or "any situation"


def _answer_lines(answer: Answer) -> list[str]:
    lines = [f"Decision: {answer.decision.value}"]
    if answer.decision is Decision.VARIES:
        lines.append(f"The situations it covers decide in {_plural(len(answer.groups), 'way', 'ways')}:")
        for group in answer.groups:
            where = "; ".join(f"{dim}: {span}" for dim, span in group.values.items())
            lines.append(f"- {where}: {decision_words(group.answer)}")
        return lines
    lines.append(f"Why: {decision_words(answer)}")
    if answer.conditions:
        lines.append(f"Conditions: {'; '.join(answer.conditions)}")
    if answer.obligations:
        lines.append(f"Obligations: {'; '.join(answer.obligations)}")
    return lines


def answer_text(answer: Answer) -> str:
    """What a version decides for a situation, in plain text."""
    head = f"{answer.policy}, version {answer.version} (effective {answer.effective})"
    lines = [head, f"Situation: {_situation(answer)}", *_answer_lines(answer)]
    if answer.since is not None:
        lines.append(f"Since: {answer.since}")
    return "\n".join(lines) + "\n"


def answer_markdown(answer: Answer) -> str:
    """What a version decides for a situation, in Markdown."""
    lines = [
        f"## {markdown_text(answer.policy)}: {markdown_text(answer.version)}",
        "",
        f"Effective {answer.effective}. Situation: {markdown_text(_situation(answer))}.",
        "",
    ]
    for line in _answer_lines(answer):
        lines.append(markdown_text(line) if line.startswith("- ") else f"- {markdown_text(line)}")
    if answer.since is not None:
        lines.append(f"- Since: {answer.since}")
    return "\n".join(lines) + "\n"


def _period_line(period: Period) -> str:
    end = "now" if period.end is None else str(period.end)
    return f"{period.start} – {end} ({period.version}): {decision_words(period.answer)}"


def timeline_text(policy: str, situation: str, periods: Sequence[Period]) -> str:
    """A decision timeline in plain text, oldest first."""
    lines = [f"{policy}: decisions for {situation or 'any situation'}"]
    if not periods:
        lines.append("No version decides it yet.")
    lines.extend(f"- {_period_line(p)}" for p in periods)
    return "\n".join(lines) + "\n"


def timeline_markdown(policy: str, situation: str, periods: Sequence[Period]) -> str:
    """A decision timeline in Markdown, oldest first."""
    lines = [f"## {markdown_text(policy)}: decisions for {markdown_text(situation or 'any situation')}", ""]
    lines.extend(f"- {markdown_text(_period_line(p))}" for p in periods)
    return "\n".join(lines) + "\n"


def effect_note(effect: DecisionEffect, covered_by: Sequence[str]) -> str:
    """What a change did to decisions, in words."""
    if effect is DecisionEffect.NONE:
        if covered_by:
            return f"no decision changed: covered by {join(list(covered_by), 'and')}"
        return "no decision changed"
    return f"decisions {effect.value}"
