"""Waivers: approved exceptions to the review gate, by change fingerprint."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import policydiff
from policydiff._decisions import Gate
from policydiff._impact import judge_gate, today_utc
from policydiff._render import render_gate
from policydiff._schemas import schema
from policydiff._waivers import load_waivers, loads_waivers
from policydiff.errors import DocumentError
from tests.conftest import ROOT
from tests.test_cli import run

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
#: The fingerprint of the Kharkiv permission, the change a --fail-on loosened gate stops.
KHARKIV_PERMISSION = "bbcf5d094f45926a"


def waivers_yaml(*entries: tuple[str, str]) -> str:
    lines = ["waivers:"]
    for fingerprint, expires in entries:
        lines += [
            f"  - fingerprint: {fingerprint}",
            "    reason: Reviewed with the policy board.",
            "    approved_by: Policy board",
            f"    expires: {expires}",
        ]
    return "\n".join(lines) + "\n"


def kharkiv_gate(text: str, today: str) -> Gate:
    found = policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))
    return judge_gate(found, "loosened", waivers=loads_waivers(text), today=today)


def test_a_waived_change_does_not_fail_the_gate_and_is_reported_as_waived() -> None:
    gate = kharkiv_gate(waivers_yaml((KHARKIV_PERMISSION, "2024-12-31")), today="2024-06-01")
    assert not gate.failed
    assert gate.changes == ()
    assert [(c.fingerprint, w.approved_by) for c, w in gate.waived] == [
        (KHARKIV_PERMISSION, "Policy board")
    ]
    text = render_gate(gate, "text")
    assert text.startswith("Waived (they do not fail the check):\n")
    assert "waived until 2024-12-31, approved by Policy board" in text
    data = json.loads(render_gate(gate, "json"))
    assert data["check"]["failed"] is False
    assert data["waived"][0]["fingerprint"] == KHARKIV_PERMISSION
    assert data["waived"][0]["waiver"]["expires"] == "2024-12-31"


def test_a_waiver_still_waives_on_its_expiry_day() -> None:
    gate = kharkiv_gate(waivers_yaml((KHARKIV_PERMISSION, "2024-06-01")), today="2024-06-01")
    assert not gate.failed


def test_an_expired_waiver_does_not_waive_and_is_reported() -> None:
    gate = kharkiv_gate(waivers_yaml((KHARKIV_PERMISSION, "2024-05-31")), today="2024-06-01")
    assert gate.failed
    assert [w.expires for w in gate.expired] == ["2024-05-31"]
    text = render_gate(gate, "text")
    assert (
        f"Expired waivers (they waive nothing):\n  - {KHARKIV_PERMISSION} expired 2024-05-31"
        in text
    )
    assert "### Expired waivers" in render_gate(gate, "markdown")
    data = json.loads(render_gate(gate, "json"))
    assert data["check"]["expired_waivers"][0]["fingerprint"] == KHARKIV_PERMISSION


def test_a_waiver_for_another_change_leaves_the_gate_failing() -> None:
    gate = kharkiv_gate(waivers_yaml(("0123456789abcdef", "2099-01-01")), today="2024-06-01")
    assert gate.failed
    assert gate.waived == ()


def test_a_bad_waivers_file_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - fingerprint: BBCF\n"
        "    reason: r\n"
        "    expires: 2024-02-30\n"
        "    aproved_by: me\n",
        encoding="utf-8",
    )
    with pytest.raises(DocumentError) as caught:
        load_waivers(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:5:5: waivers[0].aproved_by: unknown field"
        " (expected fingerprint, reason, approved_by, expires)",
        f"{path}:2:5: waivers[0].approved_by: missing",
        f"{path}:2:18: waivers[0].fingerprint: expected 16 lower-case hex digits,"
        " as check prints them (got 'BBCF')",
        f"{path}:4:14: waivers[0].expires: expected a date YYYY-MM-DD (got '2024-02-30')",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n", "<waivers>:1:1: expected a mapping holding waivers:"),
        ("waiver: []\n", "<waivers>:1:1: waiver: unknown key (expected only waivers)"),
        ("waivers: 3\n", "<waivers>:1:10: waivers: expected a list of waivers"),
        ("waivers: [\n", "<waivers>:2:1: not valid YAML"),
    ],
)
def test_a_waivers_file_of_the_wrong_shape_is_a_document_error(text: str, expected: str) -> None:
    with pytest.raises(DocumentError) as caught:
        loads_waivers(text)
    assert str(caught.value.problems[0]).startswith(expected)


def test_check_reads_the_default_waivers_file_of_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".policydiff-waivers.yaml").write_text(
        waivers_yaml((KHARKIV_PERMISSION, "2030-01-01")), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    argv: list[str | Path] = ["check", BEFORE, KHARKIV, "--fail-on", "loosened"]
    monkeypatch.setattr("policydiff._impact.today_utc", lambda: "2030-01-01")
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert "1 waived" in out
    monkeypatch.setattr("policydiff._impact.today_utc", lambda: "2030-01-02")
    code, out, _ = run(argv, capsys)
    assert code == 1
    assert f"{KHARKIV_PERMISSION} expired 2030-01-01" in out


def test_the_clock_waivers_are_judged_by_is_a_utc_day() -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", today_utc())


def test_check_with_a_bad_waivers_file_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - fingerprint: 0123456789abcdef\n", encoding="utf-8")
    argv: list[str | Path] = ["check", BEFORE, KHARKIV, "--fail-on", "loosened", "--waivers", path]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert f"{path}:2:5: waivers[0].reason: missing" in err


def test_warn_only_reports_the_failure_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    argv: list[str | Path] = ["check", BEFORE, KHARKIV, "--fail-on", "loosened", "--warn-only"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert "Check failed (--warn-only: not failing)" in out
    assert f"fingerprint {KHARKIV_PERMISSION}" in out
    code, _, _ = run([*argv, "--by", "rules"], capsys)
    assert code == 0


def test_the_json_of_a_gate_with_waivers_fits_the_check_schema() -> None:
    text = waivers_yaml((KHARKIV_PERMISSION, "2024-12-31"), ("0123456789abcdef", "2024-01-01"))
    gate = kharkiv_gate(text, today="2024-06-01")
    data = json.loads(render_gate(gate, "json"))
    assert data["waived"]
    assert data["check"]["expired_waivers"]
    Draft202012Validator(schema("check")).validate(data)


def test_markdown_lists_waived_changes_with_their_approver() -> None:
    gate = kharkiv_gate(waivers_yaml((KHARKIV_PERMISSION, "2024-12-31")), today="2024-06-01")
    text = render_gate(gate, "markdown")
    assert text.startswith("### Waived\n\n- Permission granted: ")
    assert "approved by Policy board" in text
    assert text.endswith("(verdict: loosened; 6 changes in all; 1 waived).**\n")
