"""Decisions as text and Markdown: answers, timelines, impact and the gate.

Renderers only format results the evaluator produced; they never decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from policydiff._phrases import decision_words, join
from policydiff.errors import DiffError
from policydiff.model import Change, Decision, DecisionEffect, Direction, Verdict

if TYPE_CHECKING:
    from policydiff._decisions import Answer, Gate, Impact
    from policydiff._history import Period
    from policydiff._results import PolicyDiff

__all__ = [
    "answer_markdown",
    "answer_text",
    "effect_note",
    "impact_markdown",
    "impact_text",
    "markdown_text",
    "timeline_markdown",
    "timeline_text",
    "verdict_line",
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


def _headline(result: Impact) -> list[str]:
    """Return the heading line, the count by kind of move, and what a filter left out."""
    old, new = result.old, result.new
    span = f"from {old.version} ({old.effective}) to {new.version} ({new.effective})"
    total = len(result.cubes) + len(result.left_out)
    if not total:
        return [f"Impact on {new.policy} {span}: no situation changed decision."]
    groups = _plural(total, "group", "groups")
    lines = [
        f"Impact on {new.policy} {span}: {groups} of situations changed decision"
        f" (verdict: {result.verdict.value}).",
        "By kind of move: " + ", ".join(f"{n} {way}" for way, n in result.summary().items()) + ".",
    ]
    if result.left_out:
        ways = [cube.direction.value for cube in result.left_out]
        counted = ", ".join(f"{ways.count(way)} {way}" for way in sorted(set(ways)))
        lines.append(
            f"Left out by the filter: {_plural(len(ways), 'group', 'groups')} ({counted})."
        )
    return lines


def impact_text(result: Impact) -> str:
    """Return a plain-text impact report: heading lines, then one line per cube."""
    lines = _headline(result)
    if result.cubes:
        lines.append("")
        lines.extend(f"- {cube.describe()}" for cube in result.cubes)
    return "\n".join(lines) + "\n"


#: GitHub refuses a comment longer than this many characters.
MARKDOWN_LIMIT = 65_536

#: What the listed groups of a Markdown impact report may take, leaving room
#: for the heading and the closing line.
_MARKDOWN_BUDGET = 60_000


def impact_markdown(
    result: Impact, *, command: str = "policydiff impact OLD NEW --format json"
) -> str:
    """Return a Markdown impact report: a heading, a sentence per cube and a table.

    The report stays under :data:`MARKDOWN_LIMIT` characters (a GitHub
    comment): past the budget it lists the first groups that fit, then says
    how many more there are and that ``command`` gives the full report.
    """
    title = f"## Impact on {result.new.policy}: {result.old.version} → {result.new.version}"
    lines = [title]
    for line in _headline(result):
        lines += ["", markdown_text(line)]
    if not result.cubes:
        return "\n".join(lines) + "\n"
    bullets: list[str] = []
    rows: list[str] = []
    used = 0
    for cube in result.cubes:
        bullet = f"- {markdown_text(cube.describe())}"
        cells = [str(cube.values[dim]) for dim in result.dimensions]
        cells += [decision_words(cube.before), decision_words(cube.after)]
        row = "| " + " | ".join(_cell(c) for c in cells) + " |"
        used += len(bullet) + len(row) + 2
        if used > _MARKDOWN_BUDGET:
            break
        bullets.append(bullet)
        rows.append(row)
    header = [*result.dimensions, "before", "after"]
    lines += ["", *bullets]
    if rows:
        lines += [
            "",
            "| " + " | ".join(_cell(h) for h in header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += rows
    more = len(result.cubes) - len(rows)
    if more:
        lines += [
            "",
            f"{_plural(more, 'more group is', 'more groups are')} not listed here, to keep the"
            f" report short enough for a review comment. For every group: `{command}`.",
        ]
    return "\n".join(lines) + "\n"


def _situation(answer: Answer) -> str:
    return ", ".join(f"{dim}={value}" for dim, value in answer.situation.items()) or "any situation"


def _answer_lines(answer: Answer) -> list[str]:
    lines = [f"Decision: {answer.decision.value}"]
    if answer.decision is Decision.VARIES:
        lines.append(
            f"The situations it covers decide in {_plural(len(answer.groups), 'way', 'ways')}:"
        )
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
    """Say what a version decides for a situation, in plain text."""
    head = f"{answer.policy}, version {answer.version} (effective {answer.effective})"
    lines = [head, f"Situation: {_situation(answer)}", *_answer_lines(answer)]
    if answer.since is not None:
        lines.append(f"Since: {answer.since}")
    return "\n".join(lines) + "\n"


def answer_markdown(answer: Answer) -> str:
    """Say what a version decides for a situation, in Markdown."""
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
    """Return a decision timeline in plain text, oldest first."""
    lines = [f"{policy}: decisions for {situation or 'any situation'}"]
    if not periods:
        lines.append("No version decides it yet.")
    lines.extend(f"- {_period_line(p)}" for p in periods)
    return "\n".join(lines) + "\n"


def timeline_markdown(policy: str, situation: str, periods: Sequence[Period]) -> str:
    """Return a decision timeline in Markdown, oldest first."""
    lines = [
        f"## {markdown_text(policy)}: decisions for {markdown_text(situation or 'any situation')}",
        "",
    ]
    lines.extend(f"- {markdown_text(_period_line(p))}" for p in periods)
    return "\n".join(lines) + "\n"


_VERDICT_WORDS = {
    Verdict.EQUIVALENT: "equivalent (no situation's decision changed)",
    Verdict.LOOSENED: "loosened (every situation that changed is now more permissive)",
    Verdict.TIGHTENED: "tightened (every situation that changed is now less permissive)",
    Verdict.MIXED: "mixed (some situations are more permissive, some less)",
}


def verdict_line(d: PolicyDiff) -> str:
    """Return the diff's verdict by decisions, or why it could not be worked out."""
    try:
        return f"Verdict by decisions: {_VERDICT_WORDS[d.verdict]}."
    except (DiffError, ValueError) as exc:
        return f"Verdict by decisions: not worked out ({exc})."


def effect_note(change: Change) -> str | None:
    """Say what a change did to decisions, in words; ``None`` where there is nothing to say.

    A neutral change that moved no decision says nothing; a change that
    moved none, though its kind says it should, says so and names the rules
    that decide its situations; past the work budget, a change whose effect
    was not worked out says so.
    """
    try:
        effect = change.effect
    except DiffError:
        # Past the work budget (the verdict line says why).
        return "decisions not worked out"
    except ValueError:  # a change made by hand, outside any diff
        return None
    if effect is DecisionEffect.NONE:
        if change.direction is Direction.NEUTRAL:
            return None
        covered = list(change.covered_by)
        if covered:
            return f"no decision changed: covered by {join(covered, 'and')}"
        return "no decision changed"
    return f"decisions {effect.value}"


def situation_words_plain(situation: dict[str, str]) -> str:
    """``subject=Ukraine, action=strike`` for a heading."""
    return ", ".join(f"{dim}={value}" for dim, value in situation.items())


def _gate_lines(gate: Gate) -> tuple[str, list[str], list[tuple[str, str]]]:
    d = gate.diff
    what = "changed" if gate.fail_on == "any" else gate.fail_on
    span = f"{d.policy} from {d.old.version} to {d.new.version}"
    waived = f"; {len(gate.waived)} waived" if gate.waived else ""
    if not gate.failed and gate.cubes:
        head = (
            f"OK: every change behind what {what} in {span} is waived"
            f" (verdict: {gate.verdict.value}; {_plural(len(d), 'change', 'changes')} in all"
            f"{waived})."
        )
        return head, [], []
    if not gate.failed:
        head = (
            f"OK: no situation's decision {what} in {span}"
            f" (verdict: {gate.verdict.value}; {_plural(len(d), 'change', 'changes')} in all"
            f"{waived})."
        )
        return head, [], []
    failed = "Check failed (--warn-only: not failing)" if gate.warn_only else "Check failed"
    head = (
        f"{failed}: {_plural(len(gate.cubes), 'group', 'groups')} of situations {what}"
        f" in {span} (verdict: {gate.verdict.value}; --fail-on {gate.fail_on}{waived})."
    )
    situations = [cube.describe() for cube in gate.cubes]
    return head, situations, [_change_line(c) for c in gate.changes]


def gate_head(gate: Gate) -> str:
    """Return the gate's one-line outcome: OK, or what failed."""
    return _gate_lines(gate)[0]


def _change_line(change: Change) -> tuple[str, str]:
    return f"{change.description} ({effect_note(change) or change.direction.value})", (
        change.fingerprint
    )


def _waiver_lines(gate: Gate) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the waived changes (line, waiver note) and the expired waivers, in words."""
    waived = [
        (
            _change_line(change)[0],
            f"fingerprint {change.fingerprint}; waived until {w.expires}, approved by"
            f" {w.approved_by}: {w.reason}",
        )
        for change, w in gate.waived
    ]
    expired = [
        f"{w.fingerprint} expired {w.expires} ({w.file}:{w.line}; approved by {w.approved_by}:"
        f" {w.reason})"
        for w in gate.expired
    ]
    return waived, expired


def gate_text(gate: Gate) -> str:
    """Return the review gate's report in plain text."""
    head, situations, changes = _gate_lines(gate)
    lines: list[str] = []
    if gate.failed:
        lines += ["Situations that moved:", *(f"  - {s}" for s in situations)]
    if changes:
        lines += ["", "Changes behind them:"]
        for text, fingerprint in changes:
            lines += [f"  - {text}", f"    fingerprint {fingerprint}"]
    waived, expired = _waiver_lines(gate)
    if waived:
        lines += ["", "Waived (they do not fail the check):"]
        for text, note in waived:
            lines += [f"  - {text}", f"    {note}"]
    if expired:
        lines += ["", "Expired waivers (they waive nothing):", *(f"  - {e}" for e in expired)]
    if not lines:
        return head + "\n"
    return "\n".join([*(lines[1:] if not lines[0] else lines), "", head]) + "\n"


def gate_markdown(gate: Gate) -> str:
    """Return the review gate's report in Markdown."""
    head, situations, changes = _gate_lines(gate)
    lines: list[str] = []
    if gate.failed:
        lines += ["### Situations that moved", "", *(f"- {markdown_text(s)}" for s in situations)]
    if changes:
        lines += ["", "### Changes behind them", ""]
        lines += [f"- {markdown_text(text)} (fingerprint `{fp}`)" for text, fp in changes]
    waived, expired = _waiver_lines(gate)
    if waived:
        lines += ["", "### Waived", ""]
        lines += [f"- {markdown_text(text)} ({markdown_text(note)})" for text, note in waived]
    if expired:
        lines += ["", "### Expired waivers", "", *(f"- {markdown_text(e)}" for e in expired)]
    if not lines:
        return markdown_text(head) + "\n"
    return (
        "\n".join([*(lines[1:] if not lines[0] else lines), "", f"**{markdown_text(head)}**"])
        + "\n"
    )
