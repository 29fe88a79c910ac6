"""What the text, Markdown and JSON renderers share: wording, grouping, escaping.

Renderers only format; they never compare. Everything here takes results and
returns strings (or plain data), the same for every output format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from policydiff._describe import rule_sentence
from policydiff._history import PolicyHistory
from policydiff._render_decisions import effect_note
from policydiff._results import PolicyDiff, Validated, endpoint
from policydiff._text import joined, plural
from policydiff._time import describe_gap
from policydiff.errors import DiffError
from policydiff.model import Change, Direction, Effect, PolicyVersion, Precision, Source, When

__all__ = [
    "SECTIONS",
    "check_verdict",
    "counts",
    "decision_steps",
    "detail",
    "endpoint",
    "grouped",
    "headline",
    "in_force",
    "joined",
    "later_in_period",
    "markdown_escape",
    "no_steps",
    "nothing_in_force",
    "ok_line",
    "plural",
    "rule_lines",
    "rules_in_force",
    "source_label",
    "source_line",
    "start_heading",
    "step_oneline",
    "step_verdict",
    "valid_line",
    "when_line",
]

#: Sections in reading order, with their headings.
SECTIONS = (
    (Direction.LOOSENED, "Lifted or loosened"),
    (Direction.TIGHTENED, "Imposed or tightened"),
    (Direction.MIXED, "Mixed"),
    (Direction.NEUTRAL, "Wording and metadata"),
)

#: Characters Markdown would read as formatting (``|`` splits table cells).
_MARKDOWN_SPECIAL = ("\\", "*", "_", "`", "[", "]", "<", ">", "|")


def markdown_escape(text: str) -> str:
    """Escape the characters Markdown would read as formatting.

    Safe in running text and inside table cells alike.
    """
    for char in _MARKDOWN_SPECIAL:
        text = text.replace(char, "\\" + char)
    return text


def source_label(source: Source) -> str:
    """Name a source: ``Politico, 30 May 2024`` (publisher or id, then the date)."""
    label = source.publisher or source.id
    if source.date is not None:
        label += f", {source.date}"
    return label


def source_line(source: Source) -> str:
    """Name a source with its title: ``Politico, 30 May 2024: Biden quietly ...``."""
    line = source_label(source)
    if source.title:
        line += f": {source.title}"
    return line


def headline(d: PolicyDiff) -> str:
    """Say what was compared: ``policy: old-label → new-label``."""
    return f"{d.policy}: {d.old.version} → {d.new.version}"


def _decided(version: PolicyVersion) -> str:
    extras = []
    if version.announced is not None:
        extras.append(f"announced {version.announced}")
    if version.approved_by:
        extras.append(f"approved by {', '.join(version.approved_by)}")
    return f" ({'; '.join(extras)})" if extras else ""


def when_line(d: PolicyDiff) -> str:
    """Say when the new version took effect, how long after the old one, and who decided."""
    return f"Effective {d.new.effective}, {d.gap}{_decided(d.new)}."


def counts(d: PolicyDiff) -> str:
    """Count the changes of each direction: ``1 loosened, 0 tightened, ...``."""
    summary = d.summary
    return ", ".join(f"{summary[direction.value]} {direction.value}" for direction, _ in SECTIONS)


def grouped(changes: Iterable[Change]) -> list[tuple[Direction, str, list[Change]]]:
    """Group changes by direction, in :data:`SECTIONS` order, leaving out empty groups."""
    changes = list(changes)
    return [
        (direction, title, [c for c in changes if c.direction is direction])
        for direction, title in SECTIONS
        if any(c.direction is direction for c in changes)
    ]


def decision_steps(version: PolicyVersion) -> list[str]:
    """List the version's events, each with when it came relative to the version."""
    lines = []
    for event in version.events:
        gap = describe_gap(version.effective, event.date)
        if gap.startswith(("at the same", "in the same")):
            relation = ""
        else:
            relation = (
                " ("
                + gap.replace("after", "after it took effect").replace(
                    "before", "before it took effect"
                )
                + ")"
            )
        lines.append(f"{event.date}: {event.what}{relation}")
    return lines


def detail(change: Change) -> str:
    """Say which rule a change concerns, what it did to decisions, its sources, and why."""
    parts = []
    if change.rule is not None:
        parts.append(f"rule {change.rule}")
    note = effect_note(change)
    if note is not None:
        parts.append(note)
    if change.sources and change.direction is not Direction.NEUTRAL:
        parts.append("sources: " + "; ".join(source_label(s) for s in change.sources))
    if change.note:
        parts.append(f"why: {change.note}")
    return " · ".join(parts)


def no_steps(history: PolicyHistory, rule_id: str | None, *, filtered: bool = False) -> str:
    """Say that a log has nothing to show: one version, no change to the rule, or none in the period."""
    if filtered:
        subject = f"rule {rule_id} in {history.policy}" if rule_id is not None else history.policy
        return f"No changes to {subject} in the period asked."
    if rule_id is not None:
        return f"No changes to rule {rule_id} in {history.policy}."
    first = history.first
    return (
        f"{history.policy} has one version, {first.version}, effective"
        f" {first.effective}: nothing has changed yet."
    )


def step_verdict(d: PolicyDiff) -> str:
    """Say in one word which way a step moved what the policy decides.

    The verdict by decisions (SPEC section 12): ``equivalent``,
    ``loosened``, ``tightened`` or ``mixed``; ``not worked out`` past the
    evaluator's work budget.
    """
    try:
        return d.verdict.value
    except (DiffError, ValueError):
        return "not worked out"


def step_oneline(d: PolicyDiff) -> str:
    """Put one step of a history on one line: date, labels, counts, verdict."""
    return f"{d.new.effective}  {d.old.version} → {d.new.version}  {counts(d)}  {step_verdict(d)}"


def start_heading(first: PolicyVersion) -> tuple[str, str]:
    """Head the rules in force from a history's first version: a title and a when line."""
    return (
        f"{first.policy}: {first.version} (the first version)",
        f"In force from {first.effective}, when the history begins.",
    )


def later_in_period(asked: When, versions: Sequence[PolicyVersion]) -> str:
    """Say which versions take effect later in the period asked about, if any.

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


def ok_line(d: PolicyDiff, fail_on: str) -> str:
    """Say that a check passed: ``OK: no loosened changes to ... (3 changes in all).``."""
    what = "" if fail_on == "any" else f" {fail_on}"
    return (
        f"OK: no{what} changes to {d.policy} from {d.old.version}"
        f" to {d.new.version} ({plural(len(d), 'change')} in all)."
    )


def check_verdict(offending: PolicyDiff, fail_on: str) -> str:
    """Say that a check failed, and on how many changes."""
    return f"Check failed: {plural(len(offending), 'change')} (--fail-on {fail_on} --by rules)."


def valid_line(path: str, found: Validated) -> str:
    """Say that a path is valid: one version of a policy, or a history of several."""
    if len(found.versions) == 1:
        return f"{path}: valid: version {found.versions[0]} of {found.policy} ({plural(found.rules, 'rule')})"
    return f"{path}: valid: history of {found.policy} ({plural(len(found.versions), 'version')})"


def in_force(history: PolicyHistory, version: PolicyVersion) -> str:
    """Say from when until when a version is in force, and who decided it."""
    index = history.versions.index(version)
    line = f"In force from {version.effective}"
    if index + 1 < len(history):
        following = history[index + 1]
        line += f" until {following.effective}, when {following.version} took effect"
    else:
        line += ", the latest version in this history"
    return line + _decided(version) + "."


def nothing_in_force(history: PolicyHistory, when: str) -> str:
    """Say that no version was in force at ``when``, and when the history begins."""
    first = history.first
    return (
        f"No version of {history.policy} was in force at {when}: the history"
        f" begins with {first.version}, effective {first.effective}."
    )


def rules_in_force(version: PolicyVersion) -> str:
    """Say what applies where no rule does, and how overlapping rules combine."""
    return (
        f"Where no rule applies: {version.default.value}."
        f" Overlapping rules: {version.conflict.value}."
    )


_MARK = {Effect.PERMIT: "+", Effect.PROHIBIT: "-", Effect.OBLIGE: "-"}


def rule_lines(version: PolicyVersion) -> list[tuple[str, str, str | None]]:
    """Each rule as its mark (``+`` or ``-``), its sentence, and its text if any."""
    return [
        (_MARK[rule.effect], f"{rule.id} ({rule.effect.value}): {rule_sentence(rule)}.", rule.text)
        for rule in version.rules
    ]
