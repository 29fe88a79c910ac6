"""What ``check`` and ``diff`` accept as OLD and NEW where reviews happen.

History folders (their newest version), standard input, files without a
suffix and the null device git passes for an added or deleted file.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from policydiff._inputs import NO_POLICY
from tests.conftest import ROOT
from tests.test_cli import run

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ATACMS = HISTORY / "2024-11-17-atacms-kursk.yaml"
REVIEW = HISTORY / "2025-06-pentagon-review.yaml"


def as_json(argv: list[str | Path], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run([*argv, "--format", "json"], capsys)
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(out)
    return data


def labels(data: dict[str, Any]) -> tuple[str, str]:
    return data["from"]["version"], data["to"]["version"]


def test_check_of_two_history_folders_compares_their_newest_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for source in (BEFORE, KHARKIV):
        shutil.copy(source, old)
    data = as_json(["diff", old, HISTORY], capsys)
    assert labels(data) == ("kharkiv-defensive-strikes", "pentagon-approval-for-atacms")
    code, _, _ = run(["check", old, HISTORY, "--fail-on", "loosened"], capsys)
    assert code == 1


def test_check_of_one_history_folder_checks_its_newest_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = as_json(["check", HISTORY, "--fail-on", "any"], capsys)
    assert labels(data) == ("atacms-kursk", "pentagon-approval-for-atacms")
    assert data["verdict"] == "tightened"
    assert run(["check", HISTORY, "--fail-on", "loosened"], capsys)[0] == 0


def test_check_of_a_history_of_one_version_checks_it_as_a_new_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(KHARKIV, tmp_path)
    data = as_json(["check", tmp_path, "--fail-on", "any"], capsys)
    assert labels(data) == (NO_POLICY, "kharkiv-defensive-strikes")
    assert data["verdict"] == "tightened"
    assert {c["kind"] for c in data["changes"]} == {"restriction-imposed"}


def test_check_from_the_null_device_grants_and_imposes_what_new_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = as_json(["diff", os.devnull, KHARKIV], capsys)
    assert labels(data) == (NO_POLICY, "kharkiv-defensive-strikes")
    assert data["policy"] == "us-weapons-use-ukraine"
    rules = {c["rule"] for c in data["changes"] if c["kind"] != "metadata-changed"}
    assert rules == {"no-strikes-inside-russia", "kharkiv-defensive-strikes"}
    assert "restriction-lifted" not in {c["kind"] for c in data["changes"]}


def test_check_to_the_null_device_lifts_what_old_had(capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(["diff", BEFORE, os.devnull], capsys)
    assert labels(data) == ("no-strikes-inside-russia", NO_POLICY)
    assert {c["kind"] for c in data["changes"]} == {"metadata-changed", "restriction-lifted"}
    # Deleting a prohibition lifts it: a --fail-on loosened gate stops it.
    assert run(["check", BEFORE, os.devnull, "--fail-on", "loosened"], capsys)[0] == 1


def test_check_with_the_null_device_on_both_sides_is_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["check", os.devnull, os.devnull, "--fail-on", "any"], capsys)
    assert (code, out) == (2, "")
    assert "no policy to compare" in err


def test_check_reads_new_from_standard_input_in_the_format_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(
        __import__("yaml").safe_load(KHARKIV.read_text(encoding="utf-8")), default=str
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    data = as_json(
        ["check", BEFORE, "-", "--input-format", "json", "--fail-on", "loosened"], capsys
    )
    assert labels(data) == ("no-strikes-inside-russia", "kharkiv-defensive-strikes")
    assert data["check"]["failed"] is True


def test_standard_input_without_a_format_is_bad_input_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(KHARKIV.read_bytes())))
    code, out, err = run(["check", BEFORE, "-", "--fail-on", "loosened"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("<stdin>: cannot tell the format of standard input\n")
    assert "--input-format" in err


def test_a_file_without_a_suffix_is_read_in_the_format_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "policy"
    shutil.copy(KHARKIV, new)
    argv: list[str | Path] = [
        "check",
        BEFORE,
        new,
        "--fail-on",
        "loosened",
        "--input-format",
        "yaml",
    ]
    assert run(argv, capsys)[0] == 1


def test_a_file_without_a_suffix_and_no_format_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "policy"
    shutil.copy(KHARKIV, new)
    code, out, err = run(["diff", BEFORE, new], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{new}: cannot tell the format of a file without .yaml, .json or .toml",
        "  hint: name it: yaml, json or toml (--input-format on the command line)",
    ]


def test_a_known_suffix_wins_over_the_format_named(capsys: pytest.CaptureFixture[str]) -> None:
    argv: list[str | Path] = ["check", BEFORE, KHARKIV, "--fail-on", "loosened"]
    assert run([*argv, "--input-format", "json"], capsys)[0] == 1


def test_standard_input_on_both_sides_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diff", "-", "-", "--input-format", "yaml"], capsys)
    assert (code, out) == (2, "")
    assert "standard input can be only one side" in err
