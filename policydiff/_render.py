"""Reports as text and Markdown: what was lifted and when comes first.

Renderers only format; they never compare. Each returns a string, so the
command line, a web page or a test can use the same output.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from policydiff._time import describe_gap
from policydiff.model import Change, Direction, PolicyVersion, Precision, Source, When

if TYPE_CHECKING:
    from collections.abc import Sequence

    from policydiff._diff import PolicyDiff
    from policydiff._history import PolicyHistory, TimelineEntry
    from policydiff.errors import Problem

#: Sections in reading order, with their headings.
SECTIONS = (
    (Direction.LOOSENED, "Lifted or loosened"),
    (Direction.TIGHTENED, "Imposed or tightened"),
    (Direction.MIXED, "Mixed"),
    (Direction.NEUTRAL, "Wording and metadata"),
)
_MARKS = {
    Direction.LOOSENED: "+",
    Direction.TIGHTENED: "-",
    Direction.MIXED: "~",
    Direction.NEUTRAL: "·",
}


def source_label(source: Source) -> str:
    """``Politico, 30 May 2024`` (publisher or id, then the date)."""
    label = source.publisher or source.id
    if source.date is not None:
        label += f", {source.date}"
    return label


def headline(d: PolicyDiff) -> str:
    """``us-weapons-use-ukraine: no-strikes-inside-russia → kharkiv-defensive-strikes``."""
    return f"{d.policy}: {d.old.version} → {d.new.version}"


def when_line(d: PolicyDiff) -> str:
    """When the new version took effect, how long after the old one, and who decided."""
    line = f"Effective {d.new.effective}, {d.gap}"
    extras = []
    if d.new.announced is not None:
        extras.append(f"announced {d.new.announced}")
    if d.new.approved_by:
        extras.append(f"approved by {', '.join(d.new.approved_by)}")
    if extras:
        line += f" ({'; '.join(extras)})"
    return line + "."


def _counts(d: PolicyDiff) -> str:
    summary = d.summary
    return ", ".join(f"{summary[direction.value]} {direction.value}" for direction, _ in SECTIONS)


def _plural(count: int) -> str:
    return f"{count} change" if count == 1 else f"{count} changes"


def _grouped(changes: Iterable[Change]) -> list[tuple[Direction, str, list[Change]]]:
    changes = list(changes)
    return [
        (direction, title, [c for c in changes if c.direction is direction])
        for direction, title in SECTIONS
        if any(c.direction is direction for c in changes)
    ]


def _steps(version: PolicyVersion) -> list[str]:
    lines = []
    for event in version.events:
        gap = describe_gap(version.effective, event.date)
        relation = (
            ""
            if gap.startswith(("at the same", "in the same"))
            else f" ({gap.replace('after', 'after it took effect').replace('before', 'before it took effect')})"
        )
        lines.append(f"{event.date}: {event.what}{relation}")
    return lines


def diff_text(d: PolicyDiff) -> str:
    """The diff as plain text."""
    out = [headline(d), when_line(d)]
    if d.new.summary:
        out.append(d.new.summary)
    if not d:
        out += ["", "No changes."]
        return "\n".join(out) + "\n"
    out.append(f"{_plural(len(d))}: {_counts(d)}.")
    for direction, title, changes in _grouped(d):
        out += ["", f"{title} ({len(changes)})"]
        for change in changes:
            out.append(f"  {_MARKS[direction]} {change.description}")
            detail = _detail(change)
            if detail:
                out.append(f"    {detail}")
    steps = _steps(d.new)
    if steps:
        out += ["", "Decision steps"]
        out += [f"  {step}" for step in steps]
    return "\n".join(out) + "\n"


def _detail(change: Change) -> str:
    parts = []
    if change.rule is not None:
        parts.append(f"rule {change.rule}")
    if change.sources and change.direction is not Direction.NEUTRAL:
        parts.append("sources: " + "; ".join(source_label(s) for s in change.sources))
    if change.note:
        parts.append(f"why: {change.note}")
    return " · ".join(parts)


def diff_markdown(d: PolicyDiff) -> str:
    """The diff as Markdown."""
    out = [f"## {markdown_escape(headline(d))}", "", f"**{markdown_escape(when_line(d))}**"]
    if d.new.summary:
        out += ["", markdown_escape(d.new.summary)]
    if not d:
        out += ["", "No changes."]
        return "\n".join(out) + "\n"
    out += ["", f"{_plural(len(d))}: {_counts(d)}."]
    for _, title, changes in _grouped(d):
        out += ["", f"### {title} ({len(changes)})", ""]
        for change in changes:
            line = f"- {markdown_escape(change.description)}"
            detail = _detail(change)
            if detail:
                line += f" <br>*{markdown_escape(detail)}*"
            out.append(line)
    steps = _steps(d.new)
    if steps:
        out += ["", "### Decision steps", ""]
        out += [f"- {markdown_escape(step)}" for step in steps]
    return "\n".join(out) + "\n"


def markdown_escape(text: str) -> str:
    """Escape the characters Markdown would read as formatting."""
    for char in ("\\", "*", "_", "`", "[", "]", "<", ">", "|"):
        text = text.replace(char, "\\" + char)
    return text


def step_verdict(d: PolicyDiff) -> str:
    """One word for which way a step moved the policy.

    For now this is read off the rule-level changes: ``loosened`` or
    ``tightened`` when every change that is not neutral goes that way,
    ``mixed`` when they go both ways, ``neutral`` when only wording and
    metadata changed, ``unchanged`` when nothing did. This is the one place
    to give the decision-level verdict instead, once diffs carry it.
    """
    ways = {c.direction for c in d.changes} - {Direction.NEUTRAL}
    if not d.changes:
        return "unchanged"
    if not ways:
        return "neutral"
    if len(ways) == 1:
        return next(iter(ways)).value
    return Direction.MIXED.value


def step_oneline(d: PolicyDiff) -> str:
    """One line for one step of a history: date, labels, counts, verdict.

    ``June 2024  kharkiv-defensive-strikes → anywhere-across-the-border  2 loosened, 1 tightened, 0 mixed, 1 neutral  mixed``
    """
    summary = d.summary
    counts = ", ".join(f"{summary[direction.value]} {direction.value}" for direction, _ in SECTIONS)
    return f"{d.new.effective}  {d.old.version} → {d.new.version}  {counts}  {step_verdict(d)}"


def log_oneline(steps: Sequence[PolicyDiff], *, markdown: bool = False) -> str:
    """Each step on one line (a Markdown list item each, with ``markdown``)."""
    if markdown:
        return "".join(f"- {markdown_escape(step_oneline(step))}\n" for step in steps)
    return "".join(step_oneline(step) + "\n" for step in steps)


def start_text(entries: Sequence[TimelineEntry]) -> str:
    """The rules in force from a history's first version, as plain text."""
    if not entries:
        return ""
    first = entries[0].version
    out = [
        f"{first.policy}: {first.version} (the first version)",
        f"In force from {first.effective}, when the history begins.",
        "",
        f"In force from the start ({len(entries)})",
    ]
    for entry in entries:
        out.append(f"  {_MARKS[entry.change.direction]} {entry.change.description}")
        detail = _detail(entry.change)
        if detail:
            out.append(f"    {detail}")
    return "\n".join(out) + "\n"


def start_markdown(entries: Sequence[TimelineEntry]) -> str:
    """The rules in force from a history's first version, as Markdown."""
    if not entries:
        return ""
    first = entries[0].version
    out = [
        f"## {markdown_escape(f'{first.policy}: {first.version} (the first version)')}",
        "",
        f"**{markdown_escape(f'In force from {first.effective}, when the history begins.')}**",
        "",
        f"### In force from the start ({len(entries)})",
        "",
    ]
    for entry in entries:
        line = f"- {markdown_escape(entry.change.description)}"
        detail = _detail(entry.change)
        if detail:
            line += f" <br>*{markdown_escape(detail)}*"
        out.append(line)
    return "\n".join(out) + "\n"


def later_in_period(asked: When, versions: Sequence[PolicyVersion]) -> str:
    """Which versions take effect later in the period asked about, if any.

    ``at 2024-06`` answers for the first moment of June; this line says
    that the month holds other versions, so the answer is not taken for
    the whole month. Empty when there are none.
    """
    if not versions:
        return ""
    word = "on" if asked.precision is Precision.DAY else "in"
    names = ", ".join(f"{v.version} ({v.effective})" for v in versions)
    verb = "takes" if len(versions) == 1 else "take"
    return f"Later {word} {asked}, {names} {verb} effect; this answer is for its first moment."


def validate_line(path: str, history: PolicyHistory) -> str:
    """``PATH: valid: history of POLICY (5 versions)``, or the one version's label."""
    if len(history) == 1:
        only = history.first
        rules = "1 rule" if len(only.rules) == 1 else f"{len(only.rules)} rules"
        return f"{path}: valid: version {only.version} of {only.policy} ({rules})"
    return f"{path}: valid: history of {history.policy} ({len(history)} versions)"


def validate_document(
    results: Sequence[tuple[str, PolicyHistory | None]], problems: Sequence[Problem]
) -> dict[str, Any]:
    """``validate --format json``: each path with its policy and versions, then every problem."""
    return {
        "policydiff": 1,
        "valid": not problems,
        "paths": [
            {
                "path": path,
                "valid": history is not None,
                "policy": None if history is None else history.policy,
                "versions": [] if history is None else [v.version for v in history],
            }
            for path, history in results
        ],
        "problems": [
            {
                "file": problem.file,
                "line": problem.line,
                "column": problem.column,
                "path": problem.path,
                "message": problem.message,
                "hint": problem.hint,
            }
            for problem in problems
        ],
    }
