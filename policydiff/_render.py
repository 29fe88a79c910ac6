"""Rendering results: one function, three formats.

:func:`render` turns a result into text for people (``"text"``), Markdown for
reviews (``"markdown"``) or JSON for programs (``"json"``). The formats live
in :mod:`policydiff._render_text`, :mod:`policydiff._render_markdown` and
:mod:`policydiff._render_json`; what they share in
:mod:`policydiff._render_shared`. A new output format is one new module.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Literal, get_args

from policydiff._decisions import Answer, Gate, Impact
from policydiff._git_changes import ChangesGate
from policydiff._history import Period, PolicyHistory, TimelineEntry
from policydiff._history_git import FROM_COMMIT, GitHistory
from policydiff._render_decisions import (
    answer_markdown,
    answer_text,
    gate_head,
    gate_markdown,
    gate_text,
    impact_markdown,
    impact_text,
    situation_words_plain,
    timeline_markdown,
    timeline_text,
)
from policydiff._render_gate import changes_head, changes_markdown, changes_text, fit_markdown
from policydiff._render_json import at_json, diff_json, json_text, log_json, validate_json
from policydiff._render_markdown import at_markdown, diff_markdown, log_markdown
from policydiff._render_scan import (
    Place,
    gate_github,
    gate_sarif,
    gates_github,
    gates_sarif,
    problems_github,
    problems_sarif,
)
from policydiff._render_shared import (
    check_verdict,
    markdown_escape,
    nothing_in_force,
    ok_line,
    valid_line,
)
from policydiff._render_text import at_text, diff_text, log_text
from policydiff._results import PolicyDiff, Validated
from policydiff._text import shown
from policydiff.errors import Problem, visible
from policydiff.model import PolicyVersion

__all__ = [
    "FORMATS",
    "GATE_FORMATS",
    "GateFormat",
    "OutputFormat",
    "render",
    "render_answer",
    "render_at",
    "render_changes",
    "render_check",
    "render_gate",
    "render_gate_problems",
    "render_impact",
    "render_log",
    "render_timeline",
    "render_validate",
    "with_revisions",
]

OutputFormat = Literal["text", "markdown", "json"]
#: The output formats, in the order the command line lists them.
FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
GateFormat = Literal["text", "markdown", "json", "sarif", "github"]
#: The review gate's formats: the three, and two for code-scanning tools.
GATE_FORMATS: tuple[GateFormat, ...] = get_args(GateFormat)


def render(result: PolicyDiff | PolicyHistory | Impact, format: OutputFormat = "text") -> str:
    """Render a result as plain text, Markdown or JSON.

    Args:
        result: A diff, a history (rendered as its log: one diff per
            consecutive pair of versions) or an impact analysis.
        format: ``"text"`` (the default), ``"markdown"`` or ``"json"``
            (SPEC section 6; the same bytes on every run).

    Returns:
        The report, ending with a newline.

    Raises:
        ValueError: An unknown format.
        TypeError: A result that is none of these.

    >>> print(policydiff.render(policydiff.diff(old, new)).splitlines()[0])
    us-weapons-use-ukraine: no-strikes-inside-russia → kharkiv-defensive-strikes
    """
    _known(format)
    # Checked at run time as well: the caller may not be type-checked.
    found: object = result
    if isinstance(found, PolicyDiff):
        if format == "json":
            return diff_json(found)
        return _plain((diff_markdown if format == "markdown" else diff_text)(found))
    if isinstance(found, PolicyHistory):
        return render_log(found, found.changes(), None, format)
    if isinstance(found, Impact):
        if format == "json":
            return json_text(found.to_dict())
        return _plain(impact_markdown(found) if format == "markdown" else impact_text(found))
    msg = f"cannot render {type(found).__name__} (expected a PolicyDiff, PolicyHistory or Impact)"
    raise TypeError(msg)


def render_log(
    history: PolicyHistory,
    steps: Sequence[PolicyDiff],
    rule_id: str | None,
    format: OutputFormat = "text",
    *,
    start: Sequence[TimelineEntry] = (),
    oneline: bool = False,
    filtered: bool = False,
) -> str:
    """Render the steps of a history's log, or say why there are none.

    Args:
        history: The history the steps come from.
        steps: One diff per step, oldest first.
        rule_id: The rule the log was asked about, if any.
        format: The output format.
        start: For a log of one rule: its entry from the first version, when
            it was in force there (JSON: ``"start"``).
        oneline: One line per step (text and Markdown).
        filtered: The steps were picked by period or direction.

    Raises:
        ValueError: ``oneline`` with JSON, which has no lines to choose.
    """
    _known(format)
    if format == "json":
        if oneline:
            msg = "one line per step is a layout for people, not for JSON"
            raise ValueError(msg)
        return log_json(history, steps, start if rule_id is not None else None)
    render = log_markdown if format == "markdown" else log_text
    return _plain(render(history, steps, rule_id, start=start, oneline=oneline, filtered=filtered))


def render_at(
    history: PolicyHistory,
    when: str,
    version: PolicyVersion | None,
    format: OutputFormat = "text",
    *,
    later: Sequence[PolicyVersion] = (),
) -> str:
    """Render the version in force at ``when`` (or its absence) and its rules.

    Args:
        history: The history asked.
        when: The moment, as the user wrote it.
        version: The version in force then, or ``None``.
        format: The output format.
        later: The versions that take effect later in the period ``when``
            names (see :meth:`PolicyHistory.taking_effect`).
    """
    _known(format)
    if format == "json":
        return at_json(history, when, version, later)
    render = at_markdown if format == "markdown" else at_text
    return _plain(render(history, when, version, later))


def render_validate(
    results: Sequence[tuple[str, Validated | None]],
    problems: Sequence[Problem],
    format: OutputFormat = "text",
) -> str:
    """Render what ``validate`` found: a line per valid path, or the JSON of everything.

    Args:
        results: Each path with what it holds, or ``None`` when it is not valid.
        problems: Every problem found (text and Markdown leave them to stderr).
        format: The output format.
    """
    _known(format)
    if format == "json":
        return validate_json(results, problems)
    lines = "".join(valid_line(path, found) + "\n" for path, found in results if found is not None)
    return _plain(markdown_escape(lines) if format == "markdown" else lines)


def render_check(
    found: PolicyDiff, offending: PolicyDiff, fail_on: str, format: OutputFormat = "text"
) -> str:
    """Render a review gate's outcome: the offending changes and a verdict, or OK.

    Args:
        found: Every change between the two versions.
        offending: The changes the check fails on.
        fail_on: ``loosened``, ``tightened`` or ``any``, as asked.
        format: The output format; JSON gives the offending changes alone.
    """
    _known(format)
    if format == "json":
        return diff_json(offending)
    if not offending:
        return _plain(ok_line(found, fail_on) + "\n")
    verdict = check_verdict(offending, fail_on)
    if format == "markdown":
        verdict = f"**{markdown_escape(verdict)}**"
    return render(offending, format) + "\n" + _plain(verdict) + "\n"


def _plain(text: str) -> str:
    """``text`` with what a terminal or a Markdown viewer would act on escaped.

    Documents are untrusted: a title or a rule's text may hold an escape
    sequence that recolours or clears a terminal, a carriage return that
    hides the start of a line, or a bidirectional override that shows
    another text than the one there. Each is written as an escape
    (``\\x1b``, ``\\r``, ``\\u202e``); the report's own line breaks stay.
    """
    return "\n".join(map(visible, text.split("\n")))


def _known(format: str) -> None:
    if format not in FORMATS:
        msg = f"unknown format {shown(format)} (expected one of: {', '.join(FORMATS)})"
        raise ValueError(msg)


def render_impact(found: Impact, format: OutputFormat, old: str, new: str) -> str:
    """Render an impact analysis of two files, naming them where Markdown points to the JSON.

    Args:
        found: The impact analysis.
        format: The output format.
        old: The old version's path, as given on the command line.
        new: The new version's path.
    """
    _known(format)
    if format != "markdown":
        return render(found, format)
    command = f"policydiff impact {shlex.join([old, new])} --format json"
    return _plain(impact_markdown(found, command=command))


def render_gate(
    gate: Gate,
    format: GateFormat = "text",
    *,
    places: Mapping[str, Place] | None = None,
    command: str = "policydiff check OLD NEW --format json",
) -> str:
    """Render a review gate judged by decisions: the situations that moved, or OK.

    Args:
        gate: The gate's judgement.
        format: The output format; JSON gives the diff's JSON with only the
            offending changes, plus ``check`` and ``situations``; ``sarif``
            a SARIF 2.1.0 log and ``github`` workflow commands, one result or
            command per offending change.
        places: For ``sarif`` and ``github``: each change's file and rule
            line, by fingerprint.
        command: For ``markdown``: the command printing the full report,
            named when the report is cut to fit a review comment.
    """
    _known_gate(format)
    if format == "sarif":
        return gate_sarif(gate, places or {})
    if format == "github":
        return gate_github(gate, places or {}, gate_head(gate))
    if format == "json":
        return json_text(gate.to_dict())
    if format == "markdown":
        return _plain(fit_markdown(gate_markdown(gate), command=command))
    return _plain(gate_text(gate))


def render_changes(
    run: ChangesGate,
    format: GateFormat = "text",
    *,
    places: Sequence[Mapping[str, Place]] = (),
    command: str = "policydiff check --base REV --format json",
) -> str:
    """Render ``check --base``: the gate of every policy changed since a revision.

    Args:
        run: The judgement.
        format: The output format; JSON is ``run.to_dict()``, ``sarif`` one
            log and ``github`` one list of commands for every step.
        places: For ``sarif`` and ``github``: for each step (in order), each
            change's file and rule line, by fingerprint.
        command: For ``markdown``: the command printing the full report.
    """
    _known_gate(format)
    if format in ("sarif", "github"):
        located = [(gate, where) for (_, gate), where in zip(run.gates, places, strict=True)]
        if format == "sarif":
            return gates_sarif(located)
        return gates_github(located, changes_head(run))
    if format == "json":
        return json_text(run.to_dict())
    if format == "markdown":
        return _plain(changes_markdown(run, command=command))
    return _plain(changes_text(run))


def _known_gate(format: str) -> None:
    if format not in GATE_FORMATS:
        msg = f"unknown format {shown(format)} (expected one of: {', '.join(GATE_FORMATS)})"
        raise ValueError(msg)


def render_gate_problems(problems: Sequence[Problem], format: GateFormat) -> str:
    """Render bad input for a scanner: ``sarif`` or ``github``; ``""`` for the other formats.

    The other formats report problems on standard error only.
    """
    if format == "sarif":
        return problems_sarif(problems)
    if format == "github":
        return problems_github(problems)
    return ""


def render_answer(
    history: PolicyHistory,
    situation: Mapping[str, str],
    when: str | None,
    answer: Answer | None,
    format: OutputFormat = "text",
) -> str:
    """Render what a history decides for a situation (or that nothing was in force).

    Args:
        history: The history asked.
        situation: The situation, as asked.
        when: The moment, as the user wrote it (``None``: the latest version).
        answer: The answer, or ``None`` before the first version.
        format: The output format; JSON is SPEC section 11's.
    """
    _known(format)
    if answer is None:
        if format == "json":
            return json_text(
                {
                    "policydiff": 1,
                    "policy": history.policy,
                    "situation": dict(situation),
                    "version": None,
                    "decision": None,
                }
            )
        return _plain(nothing_in_force(history, when or "") + "\n")
    if format == "json":
        return json_text(answer.to_dict())
    return _plain(answer_markdown(answer) if format == "markdown" else answer_text(answer))


def render_timeline(
    history: PolicyHistory,
    situation: Mapping[str, str],
    periods: Sequence[Period],
    format: OutputFormat = "text",
) -> str:
    """Render a situation's decision timeline over a history, oldest first.

    Args:
        history: The history asked.
        situation: The situation, as asked.
        periods: :meth:`PolicyHistory.decision_timeline`'s periods.
        format: The output format; JSON is SPEC section 11's ``timeline``.
    """
    _known(format)
    if format == "json":
        return json_text(
            {
                "policydiff": 1,
                "policy": history.policy,
                "situation": dict(situation),
                "timeline": [period.to_dict() for period in periods],
            }
        )
    words = situation_words_plain(dict(situation))
    render = timeline_markdown if format == "markdown" else timeline_text
    return _plain(render(history.policy, words, periods))


def with_revisions(text: str, read: GitHistory, format: OutputFormat = "text") -> str:
    """Add to a log read from git the revision behind each version and its effective time's origin.

    Args:
        text: The log, as :func:`render_log` returned it.
        read: The history read from git, with its revisions.
        format: The log's format; JSON gains ``"git"``: the range, the path
            and each revision (``commit``, ``time``, ``path``, ``version``,
            ``effective_from``: ``document`` or ``commit``).
    """
    _known(format)
    if format == "json":
        data = json.loads(text)
        data["git"] = {
            "range": read.range,
            "path": read.path,
            "revisions": [r.to_dict() for r in read.revisions],
        }
        return json_text(data)
    count = len(read.revisions)
    head = (
        f"Read from git: {count} {'revision' if count == 1 else 'revisions'} of {read.path}"
        f" in {read.range}, oldest first."
    )
    lines = []
    for r in read.revisions:
        origin = (
            f"effective at the commit time, {r.time} (the document gives no effective)"
            if r.effective_from == FROM_COMMIT
            else "effective as the document says"
        )
        lines.append(f"{r.version} (commit {r.commit[:12]} of {r.time}, {r.path}): {origin}")
    if format == "markdown":
        block = [markdown_escape(head), "", *(f"- {markdown_escape(line)}" for line in lines)]
    else:
        block = [head, *(f"  {line}" for line in lines)]
    return _plain("\n".join(block)) + "\n\n" + text
