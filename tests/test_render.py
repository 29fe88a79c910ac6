"""policydiff.render: one function turns any result into text, Markdown or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import policydiff
from policydiff import Direction

HISTORY = Path(__file__).parent.parent / "examples" / "us-ukraine-strikes" / "history"


@pytest.fixture(scope="module")
def history() -> policydiff.PolicyHistory:
    return policydiff.load_history(HISTORY)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_every_format_ends_with_one_newline(history: policydiff.PolicyHistory, fmt: str) -> None:
    for result in (history.changes()[0], history, policydiff.impact(history[0], history[1])):
        out = policydiff.render(result, fmt)  # type: ignore[arg-type]
        assert out.endswith("\n")
        assert not out.endswith("\n\n")


def test_a_history_renders_as_its_log_one_diff_per_step(
    history: policydiff.PolicyHistory,
) -> None:
    assert policydiff.render(history) == "\n".join(policydiff.render(d) for d in history.changes())
    log = json.loads(policydiff.render(history, "json"))
    assert log["diffs"] == [d.to_dict() for d in history.changes()]


def test_an_unknown_format_is_refused_with_the_known_ones(
    history: policydiff.PolicyHistory,
) -> None:
    with pytest.raises(
        ValueError, match=r"^unknown format 'html' \(expected one of: text, markdown, json\)$"
    ):
        policydiff.render(history, "html")  # type: ignore[arg-type]


def test_something_that_is_not_a_result_is_refused() -> None:
    with pytest.raises(TypeError, match=r"^cannot render dict \(expected a PolicyDiff"):
        policydiff.render({}, "text")  # type: ignore[arg-type]


def test_markdown_escapes_what_a_document_says(history: policydiff.PolicyHistory) -> None:
    step = history.changes()[0]
    odd = policydiff.PolicyDiff(
        old=step.old,
        new=step.new.__class__(
            policy=step.new.policy,
            version="v_*2*",
            effective=step.new.effective,
            rules=step.new.rules,
        ),
        changes=(),
    )
    first = policydiff.render(odd, "markdown").splitlines()[0]
    assert first == f"## {step.old.policy}: {step.old.version} → v\\_\\*2\\*"


def test_only_keeps_the_changes_that_go_the_ways_asked(history: policydiff.PolicyHistory) -> None:
    step = history.changes()[1]
    kept = step.only("loosened", Direction.MIXED)
    assert kept.changes == step.where(Direction.LOOSENED, "mixed")
    assert {c.direction for c in kept} <= {Direction.LOOSENED, Direction.MIXED}
    assert (kept.old, kept.new) == (step.old, step.new)


def test_lists_of_changes_are_tuples_everywhere(history: policydiff.PolicyHistory) -> None:
    step = history.changes()[1]
    for found in (step.loosened(), step.tightened(), step.where("neutral"), history.lifted()):
        assert isinstance(found, tuple)
