"""Plain-text reports: what was lifted and when comes first.

Each function returns the whole report, ending with a newline.
"""

from __future__ import annotations

from collections.abc import Sequence

from policydiff._history import PolicyHistory, TimelineEntry
from policydiff._render_decisions import verdict_line
from policydiff._render_shared import (
    counts,
    decision_steps,
    detail,
    grouped,
    headline,
    in_force,
    later_in_period,
    no_steps,
    nothing_in_force,
    plural,
    rule_lines,
    rules_in_force,
    source_line,
    start_heading,
    step_oneline,
    when_line,
)
from policydiff._results import PolicyDiff
from policydiff.model import Direction, PolicyVersion

__all__ = ["at_text", "diff_text", "log_text"]

#: The mark before each change, by direction (the CLI colours by it).
MARKS = {
    Direction.LOOSENED: "+",
    Direction.TIGHTENED: "-",
    Direction.MIXED: "~",
    Direction.NEUTRAL: "·",
}


def diff_text(d: PolicyDiff) -> str:
    """Render a diff as plain text."""
    out = [headline(d), when_line(d)]
    if d.new.summary:
        out.append(d.new.summary)
    if not d:
        out += ["", "No changes."]
        return "\n".join(out) + "\n"
    out.append(f"{plural(len(d), 'change')}: {counts(d)}.")
    out.append(verdict_line(d))
    for direction, title, changes in grouped(d):
        out += ["", f"{title} ({len(changes)})"]
        for change in changes:
            out.append(f"  {MARKS[direction]} {change.description}")
            said = detail(change)
            if said:
                out.append(f"    {said}")
    steps = decision_steps(d.new)
    if steps:
        out += ["", "Decision steps"]
        out += [f"  {step}" for step in steps]
    return "\n".join(out) + "\n"


def log_text(
    history: PolicyHistory,
    steps: Sequence[PolicyDiff],
    rule_id: str | None,
    *,
    start: Sequence[TimelineEntry] = (),
    oneline: bool = False,
    filtered: bool = False,
) -> str:
    """Render a history's log (one diff per step) as plain text.

    Args:
        history: The history the steps come from.
        steps: The diffs to show, oldest first.
        rule_id: The rule the log was asked about, if any.
        start: Entries of rules in force from the first version, shown first.
        oneline: One line per step instead of its report.
        filtered: The steps were picked by period or direction (for the
            message when there are none).
    """
    if not steps and not start:
        return no_steps(history, rule_id, filtered=filtered) + "\n"
    if oneline:
        return "".join(step_oneline(step) + "\n" for step in steps)
    parts = [_start_text(start)] if start else []
    parts += [diff_text(step) for step in steps]
    return "\n".join(parts)


def _start_text(entries: Sequence[TimelineEntry]) -> str:
    out = [*start_heading(entries[0].version), "", f"In force from the start ({len(entries)})"]
    for entry in entries:
        out.append(f"  {MARKS[entry.change.direction]} {entry.change.description}")
        said = detail(entry.change)
        if said:
            out.append(f"    {said}")
    return "\n".join(out) + "\n"


def at_text(
    history: PolicyHistory,
    when: str,
    version: PolicyVersion | None,
    later: Sequence[PolicyVersion] = (),
) -> str:
    """Render the version in force at ``when``, and its rules, as plain text.

    Args:
        history: The history asked.
        when: The moment, as the user wrote it.
        version: The version in force then, or ``None``.
        later: The versions that take effect later in the period ``when`` names.
    """
    note = later_in_period(history.when(when), later)
    if version is None:
        return nothing_in_force(history, when) + (f"\n{note}" if note else "") + "\n"
    out = [f"{history.policy} at {when}: {version.version}", in_force(history, version)]
    if note:
        out.append(note)
    if version.summary:
        out.append(version.summary)
    out.append(rules_in_force(version))
    out += ["", f"Rules ({len(version.rules)})"]
    for mark, line, text in rule_lines(version):
        out.append(f"  {mark} {line}")
        if text:
            out.append(f"    “{text}”")
    if version.sources:
        out += ["", "Sources"]
        for source in version.sources:
            url = f" <{source.url}>" if source.url else ""
            out.append(f"  {source_line(source)}{url}")
    return "\n".join(out) + "\n"
