"""Reports as text and Markdown: what was lifted and when comes first.

Renderers only format; they never compare. Each returns a string, so the
command line, a web page or a test can use the same output.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from policydiff._time import describe_gap
from policydiff.model import Change, Direction, PolicyVersion, Source

if TYPE_CHECKING:
    from policydiff._diff import PolicyDiff

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
