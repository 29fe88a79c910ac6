"""Plain-text reports: what was lifted and when comes first.

Each function returns the whole report, ending with a newline.
"""

from __future__ import annotations

from collections.abc import Sequence

from policydiff._history import PolicyHistory
from policydiff._render_decisions import verdict_line
from policydiff._render_shared import (
    counts,
    decision_steps,
    detail,
    grouped,
    headline,
    in_force,
    no_steps,
    nothing_in_force,
    plural,
    rule_lines,
    rules_in_force,
    source_line,
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


def log_text(history: PolicyHistory, steps: Sequence[PolicyDiff], rule_id: str | None) -> str:
    """Render a history's log (one diff per step) as plain text.

    Args:
        history: The history the steps come from.
        steps: The diffs to show, oldest first.
        rule_id: The rule the log was asked about, if any.
    """
    if not steps:
        return no_steps(history, rule_id) + "\n"
    return "\n".join(diff_text(step) for step in steps)


def at_text(history: PolicyHistory, when: str, version: PolicyVersion | None) -> str:
    """Render the version in force at ``when``, and its rules, as plain text.

    Args:
        history: The history asked.
        when: The moment, as the user wrote it.
        version: The version in force then, or ``None``.
    """
    if version is None:
        return nothing_in_force(history, when) + "\n"
    out = [f"{history.policy} at {when}: {version.version}", in_force(history, version)]
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
