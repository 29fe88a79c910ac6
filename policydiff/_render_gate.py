"""The review gate over every policy changed since a git revision (``check --base``).

Text and Markdown give one section per step (its file and what happened to
it) holding the gate's report for that step, then expired waivers once and
a closing line. Markdown is kept within a GitHub comment: past the limit it
is cut at a line, says how much was left out and which command prints all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policydiff._render_decisions import (
    MARKDOWN_LIMIT,
    gate_markdown,
    gate_text,
    markdown_text,
)

if TYPE_CHECKING:
    from policydiff._decisions import Waiver
    from policydiff._git_changes import ChangesGate

__all__ = ["changes_head", "changes_markdown", "changes_text", "fit_markdown"]

#: What the kept lines of a cut Markdown report may take, leaving room for
#: the note about what was cut and the closing line.
_BUDGET = 60_000


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def changes_head(run: ChangesGate) -> str:
    """Return the outcome in one line: OK, or how many steps failed."""
    base = run.changes.base
    where = "" if run.changes.paths == (".",) else f" under {', '.join(run.changes.paths)}"
    what = "changed" if run.fail_on == "any" else run.fail_on
    steps = _count(len(run.gates), "policy change", "policy changes")
    if not run.gates:
        return f"OK: no policy document{where} changed since {base}."
    failed = sum(gate.failed for _, gate in run.gates)
    if not failed:
        return f"OK: no situation's decision {what} in the {steps} since {base}{where}."
    word = "Check failed (--warn-only: not failing)" if run.warn_only else "Check failed"
    return (
        f"{word}: situations {what} in {failed} of the {steps} since {base}{where}"
        f" (--fail-on {run.fail_on})."
    )


def _expired_lines(expired: tuple[Waiver, ...]) -> list[str]:
    return [
        f"{w.fingerprint} expired {w.expires} ({w.file}:{w.line}; approved by {w.approved_by}:"
        f" {w.reason})"
        for w in expired
    ]


def changes_text(run: ChangesGate) -> str:
    """Return ``check --base``'s report in plain text."""
    lines: list[str] = []
    for step, gate in run.gates:
        lines += [f"== {step.what} ==", gate_text(gate).rstrip("\n"), ""]
    expired = _expired_lines(run.expired)
    if expired:
        lines += ["Expired waivers (they waive nothing):", *(f"  - {e}" for e in expired), ""]
    lines.append(changes_head(run))
    return "\n".join(lines) + "\n"


def changes_markdown(run: ChangesGate, *, command: str) -> str:
    """Return ``check --base``'s report in Markdown, within a GitHub comment.

    Args:
        run: The judgement.
        command: The command that prints the full report, named when the
            report had to be cut.
    """
    lines = [f"## policydiff check since `{run.changes.base}`", ""]
    for step, gate in run.gates:
        lines += [f"### {markdown_text(step.what)}", ""]
        body = gate_markdown(gate).rstrip("\n").replace("\n### ", "\n#### ")
        lines += [("####" + body[3:]) if body.startswith("### ") else body, ""]
    expired = _expired_lines(run.expired)
    if expired:
        lines += ["### Expired waivers", "", *(f"- {markdown_text(e)}" for e in expired), ""]
    lines.append(f"**{markdown_text(changes_head(run))}**")
    return fit_markdown("\n".join(lines) + "\n", command=command)


def fit_markdown(text: str, *, command: str) -> str:
    """Return ``text``, or its first lines and its last, within a GitHub comment.

    A report longer than :data:`MARKDOWN_LIMIT` keeps the lines that fit in
    a budget, then says how many lines were left out and that ``command``
    prints the full report, then its last line (the outcome).
    """
    if len(text) <= MARKDOWN_LIMIT:
        return text
    lines = text.rstrip("\n").split("\n")
    last = lines.pop()
    kept: list[str] = []
    used = 0
    for line in lines:
        used += len(line) + 1
        if used > _BUDGET:
            break
        kept.append(line)
    left = len(lines) - len(kept)
    note = (
        f"{_count(left, 'more line is', 'more lines are')} not shown here, to keep the report"
        f" short enough for a review comment. The full report: `{command}`"
    )
    return "\n".join([*kept, "", note, "", last]) + "\n"
