"""The review gate for code-scanning tools: SARIF 2.1.0 and GitHub workflow commands.

Each offending change becomes one result (SARIF) or one ``::error`` command
(GitHub), located at its rule's line when the caller could find it; waived
changes, and every change under ``--warn-only``, are warnings. Bad input
gets the same treatment, one result per problem at its place, so a scanner
always receives a valid report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

from policydiff._decisions import Gate
from policydiff._render_decisions import effect_note
from policydiff._render_json import json_text
from policydiff.errors import Problem
from policydiff.model import Change

__all__ = [
    "Place",
    "gate_github",
    "gate_sarif",
    "gates_github",
    "gates_sarif",
    "problems_github",
    "problems_sarif",
]

#: Where a change sits: the file, and its rule's line when known.
Place = tuple[str, int | None]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The key of the fingerprint in ``partialFingerprints``.
FINGERPRINT_KEY = "policydiff/v1"
#: The ruleId of a problem with an input.
BAD_INPUT = "bad-input"


def _entries(gate: Gate) -> list[tuple[Change, str, str | None]]:
    """Each offending change, with its level and, when waived, the waiver's reason."""
    level = "warning" if gate.warn_only else "error"
    found: list[tuple[Change, str, str | None]] = [(c, level, None) for c in gate.changes]
    found += [
        (c, "warning", f"waived until {w.expires} by {w.approved_by}: {w.reason}")
        for c, w in gate.waived
    ]
    return found


def _message(change: Change) -> str:
    note = effect_note(change)
    return f"{change.description} ({note})" if note else change.description


def _location(file: str, line: int | None, column: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": file}}
    if line is not None:
        region: dict[str, int] = {"startLine": line}
        if column is not None:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _sarif(results: list[dict[str, Any]], rule_ids: Sequence[str]) -> str:
    try:
        version = metadata.version("policydiff")
    except metadata.PackageNotFoundError:  # pragma: no cover (run from a checkout)
        version = "0"
    driver = {
        "name": "policydiff",
        "version": version,
        "rules": [{"id": rule_id} for rule_id in sorted(set(rule_ids))],
    }
    return json_text(
        {
            "$schema": SARIF_SCHEMA,
            "version": SARIF_VERSION,
            "runs": [{"tool": {"driver": driver}, "results": results}],
        }
    )


def gate_sarif(gate: Gate, places: Mapping[str, Place]) -> str:
    """Return the gate as a SARIF 2.1.0 log: one result per offending change.

    Args:
        gate: The gate's judgement.
        places: Where each change sits, by fingerprint; a change not found
            there is reported without a location.
    """
    return gates_sarif([(gate, places)])


def gates_sarif(gates: Sequence[tuple[Gate, Mapping[str, Place]]]) -> str:
    """Return several gates (``check --base``) as one SARIF 2.1.0 log, one run.

    Args:
        gates: Each gate with where its changes sit, by fingerprint.
    """
    results = []
    for gate, places in gates:
        for change, level, waived in _entries(gate):
            result: dict[str, Any] = {
                "ruleId": change.kind.value,
                "level": level,
                "message": {"text": _message(change)},
                "partialFingerprints": {FINGERPRINT_KEY: change.fingerprint},
            }
            if change.fingerprint in places:
                result["locations"] = [_location(*places[change.fingerprint])]
            if waived is not None:
                result["suppressions"] = [{"kind": "external", "justification": waived}]
            results.append(result)
    return _sarif(results, [r["ruleId"] for r in results])


def problems_sarif(problems: Sequence[Problem]) -> str:
    """Return a SARIF 2.1.0 log of bad input: one error per problem, at its place."""
    results = [
        {
            "ruleId": BAD_INPUT,
            "level": "error",
            "message": {"text": _problem_text(p)},
            "locations": [_location(p.file, p.line, p.column)],
        }
        for p in problems
    ]
    return _sarif(results, [BAD_INPUT] if results else [])


def _problem_text(problem: Problem) -> str:
    text = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return f"{text} (hint: {problem.hint})" if problem.hint else text


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, file: str | None, line: int | None) -> str:
    props = []
    if file is not None:
        props.append(f"file={_escape_property(file)}")
    if line is not None:
        props.append(f"line={line}")
    joined = f" {','.join(props)}" if props else ""
    return f"::{level}{joined}::{_escape_data(message)}"


def gate_github(gate: Gate, places: Mapping[str, Place], summary: str) -> str:
    """Return the gate as GitHub workflow commands: one per offending change, then a notice.

    Args:
        gate: The gate's judgement.
        places: Where each change sits, by fingerprint.
        summary: The gate's one-line outcome, for the closing ``::notice``.
    """
    return gates_github([(gate, places)], summary)


def gates_github(gates: Sequence[tuple[Gate, Mapping[str, Place]]], summary: str) -> str:
    """Return several gates (``check --base``) as workflow commands, then one notice."""
    lines = []
    for gate, places in gates:
        for change, level, waived in _entries(gate):
            file, line = places.get(change.fingerprint, (None, None))
            message = f"{_message(change)} [fingerprint {change.fingerprint}]"
            if waived is not None:
                message += f" ({waived})"
            lines.append(_command(level, message, file, line))
    lines.append(_command("notice", summary, None, None))
    return "\n".join(lines) + "\n"


def problems_github(problems: Sequence[Problem]) -> str:
    """Return bad input as GitHub ``::error`` commands, one per problem, at its place."""
    return "".join(_command("error", _problem_text(p), p.file, p.line) + "\n" for p in problems)
