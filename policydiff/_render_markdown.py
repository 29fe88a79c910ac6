"""Markdown reports, for reviews and pull requests.

Each function returns the whole report, ending with a newline; every value
that comes from a document is escaped.
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
from policydiff._render_shared import markdown_escape as md
from policydiff._results import PolicyDiff
from policydiff.model import PolicyVersion

__all__ = ["at_markdown", "diff_markdown", "log_markdown"]


def diff_markdown(d: PolicyDiff) -> str:
    """Render a diff as Markdown."""
    out = [f"## {md(headline(d))}", "", f"**{md(when_line(d))}**"]
    if d.new.summary:
        out += ["", md(d.new.summary)]
    if not d:
        out += ["", "No changes."]
        return "\n".join(out) + "\n"
    out += ["", f"{plural(len(d), 'change')}: {counts(d)}.", "", md(verdict_line(d))]
    for _, title, changes in grouped(d):
        out += ["", f"### {title} ({len(changes)})", ""]
        for change in changes:
            line = f"- {md(change.description)}"
            said = detail(change)
            if said:
                line += f" <br>*{md(said)}*"
            out.append(line)
    steps = decision_steps(d.new)
    if steps:
        out += ["", "### Decision steps", ""]
        out += [f"- {md(step)}" for step in steps]
    return "\n".join(out) + "\n"


def log_markdown(
    history: PolicyHistory,
    steps: Sequence[PolicyDiff],
    rule_id: str | None,
    *,
    start: Sequence[TimelineEntry] = (),
    oneline: bool = False,
    filtered: bool = False,
) -> str:
    """Render a history's log (one diff per step) as Markdown.

    Args:
        history: The history the steps come from.
        steps: The diffs to show, oldest first.
        rule_id: The rule the log was asked about, if any.
        start: Entries of rules in force from the first version, shown first.
        oneline: One list item per step instead of its report.
        filtered: The steps were picked by period or direction.
    """
    if not steps and not start:
        return md(no_steps(history, rule_id, filtered=filtered)) + "\n"
    if oneline:
        return "".join(f"- {md(step_oneline(step))}\n" for step in steps)
    parts = [_start_markdown(start)] if start else []
    parts += [diff_markdown(step) for step in steps]
    return "\n".join(parts)


def _start_markdown(entries: Sequence[TimelineEntry]) -> str:
    title, when = start_heading(entries[0].version)
    out = [
        f"## {md(title)}",
        "",
        f"**{md(when)}**",
        "",
        f"### In force from the start ({len(entries)})",
        "",
    ]
    for entry in entries:
        line = f"- {md(entry.change.description)}"
        said = detail(entry.change)
        if said:
            line += f" <br>*{md(said)}*"
        out.append(line)
    return "\n".join(out) + "\n"


def at_markdown(
    history: PolicyHistory,
    when: str,
    version: PolicyVersion | None,
    later: Sequence[PolicyVersion] = (),
) -> str:
    """Render the version in force at ``when``, and its rules, as Markdown.

    Args:
        history: The history asked.
        when: The moment, as the user wrote it.
        version: The version in force then, or ``None``.
        later: The versions that take effect later in the period ``when`` names.
    """
    note = later_in_period(history.when(when), later)
    if version is None:
        return md(nothing_in_force(history, when)) + (f"\n\n{md(note)}" if note else "") + "\n"
    out = [
        f"## {md(f'{history.policy} at {when}: {version.version}')}",
        "",
        f"**{md(in_force(history, version))}**",
    ]
    if note:
        out += ["", md(note)]
    if version.summary:
        out += ["", md(version.summary)]
    out += ["", md(rules_in_force(version)), "", f"### Rules ({len(version.rules)})", ""]
    for _, line, text in rule_lines(version):
        item = f"- {md(line)}"
        if text:
            item += f" <br>*{md(text)}*"
        out.append(item)
    if version.sources:
        out += ["", "### Sources", ""]
        for source in version.sources:
            url = f" <{source.url}>" if source.url else ""
            out.append(f"- {md(source_line(source))}{url}")
    return "\n".join(out) + "\n"
