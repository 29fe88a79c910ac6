"""The gate's Markdown fits a GitHub comment (65,536 characters) and says where the rest is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policydiff._render_decisions import MARKDOWN_LIMIT
from tests.test_cli import run


def write_pair(folder: Path, rules: int) -> tuple[Path, Path]:
    """A policy that prohibits by default, and a version granting ``rules`` long permissions."""
    head = {"policy": "export-list", "default": "prohibit", "rules": []}
    old = folder / "old.json"
    old.write_text(json.dumps({**head, "version": "v1", "effective": "2024-01-01"}), "utf-8")
    granted = [
        {
            "id": f"permit-{n:04d}",
            "effect": "permit",
            "subject": "exporters",
            "action": "ship",
            "scope": {"item": [f"controlled item number {n:04d} " + "with a long name " * 6]},
        }
        for n in range(rules)
    ]
    new = folder / "new.json"
    new.write_text(
        json.dumps({**head, "version": "v2", "effective": "2024-06-01", "rules": granted}), "utf-8"
    )
    return old, new


@pytest.mark.slow
def test_a_long_gate_report_is_cut_to_fit_a_comment_and_points_to_the_full_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = write_pair(tmp_path, 400)
    code, out, _ = run(["check", old, new, "--fail-on", "loosened", "-f", "markdown"], capsys)
    assert code == 1
    assert len(out) <= MARKDOWN_LIMIT
    assert "not shown here, to keep the report short enough for a review comment." in out
    assert f"`policydiff check {old} {new} --fail-on loosened --format json`" in out
    assert out.rstrip().endswith("(verdict: loosened; --fail-on loosened).**")
    _, full, _ = run(["check", old, new, "--fail-on", "loosened", "-f", "text"], capsys)
    assert len(full) > MARKDOWN_LIMIT


def test_a_short_gate_report_is_not_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write_pair(tmp_path, 3)
    _, out, _ = run(["check", old, new, "--fail-on", "loosened", "-f", "markdown"], capsys)
    assert "not shown here" not in out
    assert out.count("Permission granted") == 3
