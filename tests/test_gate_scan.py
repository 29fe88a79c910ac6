"""The review gate for code scanners: SARIF 2.1.0 and GitHub workflow commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policydiff._inputs import rule_lines
from tests.conftest import ROOT
from tests.test_cli import run

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ATACMS = HISTORY / "2024-11-17-atacms-kursk.yaml"
REVIEW = HISTORY / "2025-06-pentagon-review.yaml"
KHARKIV_PERMISSION = "bbcf5d094f45926a"

#: The official SARIF 2.1.0 schema (OASIS, errata 01), as the specification's
#: repository publishes it at Schemata/sarif-schema-2.1.0.json; the tests
#: never fetch it.
SARIF_SCHEMA = json.loads(
    (ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` holding ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def sarif(argv: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code, out, _ = run([*argv, "--format", "sarif"], capsys)
    return code, json.loads(out)


def assert_sarif_shape(log: Any) -> list[Any]:
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (only_run,) = log["runs"]
    assert only_run["tool"]["driver"]["name"] == "policydiff"
    results: list[Any] = only_run["results"]
    assert {r["ruleId"] for r in results} <= {
        rule["id"] for rule in only_run["tool"]["driver"]["rules"]
    }
    return results


def test_sarif_has_one_error_per_offending_change_at_its_rules_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, log = sarif(["check", BEFORE, KHARKIV, "--fail-on", "loosened"], capsys)
    assert code == 1
    (result,) = assert_sarif_shape(log)
    assert result["ruleId"] == "permission-granted"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("Permission granted: Ukraine may strike")
    assert result["partialFingerprints"] == {"policydiff/v1": KHARKIV_PERMISSION}
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == str(KHARKIV)
    assert physical["region"]["startLine"] == line_of(KHARKIV, "- id: kharkiv-defensive-strikes")


def test_sarif_of_a_passing_gate_has_no_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, log = sarif(["check", ATACMS, REVIEW, "--fail-on", "loosened"], capsys)
    assert code == 0
    assert assert_sarif_shape(log) == []


def test_sarif_marks_waived_and_warn_only_changes_as_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        f"waivers:\n  - fingerprint: {KHARKIV_PERMISSION}\n    reason: Reviewed.\n"
        "    approved_by: Board\n    expires: 2999-01-01\n",
        encoding="utf-8",
    )
    argv: list[str | Path] = ["check", BEFORE, KHARKIV, "--fail-on", "loosened"]
    code, log = sarif([*argv, "--waivers", waivers], capsys)
    (result,) = assert_sarif_shape(log)
    assert (code, result["level"]) == (0, "warning")
    assert result["suppressions"][0]["justification"].startswith("waived until 2999-01-01")
    code, log = sarif([*argv, "--warn-only"], capsys)
    assert (code, assert_sarif_shape(log)[0]["level"]) == (0, "warning")


def test_sarif_places_a_removed_rule_in_the_old_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, log = sarif(["check", BEFORE, "/dev/null", "--fail-on", "loosened"], capsys)
    assert code == 1
    results = assert_sarif_shape(log)
    assert results
    lifted = [r for r in results if r["ruleId"] == "restriction-lifted"]
    physical = lifted[0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == str(BEFORE)
    assert physical["region"]["startLine"] == line_of(BEFORE, "- id: no-strikes-inside-russia")


def test_sarif_is_valid_when_an_input_is_bad_with_one_result_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "policy: demo\nversion: v1\neffective: 2024-05-30\nrules:\n"
        "  - id: a\n    effect: alow\n    action: export\n",
        encoding="utf-8",
    )
    code, out, err = run(["check", BEFORE, bad, "--fail-on", "any", "-f", "sarif"], capsys)
    assert code == 2
    results = assert_sarif_shape(json.loads(out))
    assert [r["ruleId"] for r in results] == ["bad-input"]
    assert "rules[0].effect: unknown effect 'alow'" in results[0]["message"]["text"]
    physical = results[0]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": str(bad)},
        "region": {"startLine": 6, "startColumn": 13},
    }
    assert f"{bad}:6:13: rules[0].effect" in err


def test_github_format_is_one_error_command_per_offending_change(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["check", BEFORE, KHARKIV, "--fail-on", "loosened", "-f", "github"], capsys)
    assert code == 1
    error, notice = out.splitlines()
    line = line_of(KHARKIV, "- id: kharkiv-defensive-strikes")
    assert error.startswith(f"::error file={KHARKIV},line={line}::Permission granted: ")
    assert error.endswith(f"[fingerprint {KHARKIV_PERMISSION}]")
    assert notice.startswith("::notice::Check failed: 1 group of situations loosened")


def test_github_commands_escape_what_would_end_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "a,b:c.yaml"
    shutil.copy(KHARKIV, odd)
    code, out, _ = run(["check", BEFORE, odd, "--fail-on", "loosened", "-f", "github"], capsys)
    assert code == 1
    assert out.startswith(f"::error file={str(tmp_path).replace(':', '%3A')}/a%2Cb%3Ac.yaml,")


def test_github_format_reports_bad_input_as_errors_at_their_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "policy"
    shutil.copy(KHARKIV, new)
    code, out, _ = run(["check", BEFORE, new, "--fail-on", "loosened", "-f", "github"], capsys)
    assert code == 2
    assert out.startswith(f"::error file={new}::cannot tell the format")


def test_scanner_formats_report_the_decisions_gate_only(capsys: pytest.CaptureFixture[str]) -> None:
    argv: list[str | Path] = ["check", BEFORE, KHARKIV, "--fail-on", "loosened", "--by", "rules"]
    code, out, err = run([*argv, "-f", "sarif"], capsys)
    assert (code, out) == (2, "")
    assert "without --by rules" in err


def test_rule_lines_find_each_rule_in_yaml_json_and_toml(tmp_path: Path) -> None:
    lines = rule_lines(str(KHARKIV))
    assert lines["kharkiv-defensive-strikes"] == line_of(KHARKIV, "- id: kharkiv-defensive-strikes")
    as_json = tmp_path / "v.json"
    as_json.write_text('{"rules": [\n  {"id": "a"},\n  {"id": "b"}\n]}\n', encoding="utf-8")
    assert rule_lines(str(as_json)) == {"a": 2, "b": 3}
    as_toml = tmp_path / "v.toml"
    as_toml.write_text('[[rules]]\nid = "a"\n\n[[rules]]\nid = "b"\n', encoding="utf-8")
    assert rule_lines(str(as_toml)) == {"a": 2, "b": 5}
    assert rule_lines("/dev/null") == rule_lines(str(HISTORY)) == {}
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", encoding="utf-8")
    assert rule_lines(str(broken)) == {}


def test_sarif_places_a_revoked_rule_at_its_line_in_the_old_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, log = sarif(["check", KHARKIV, BEFORE, "--fail-on", "tightened"], capsys)
    assert code == 1
    (result,) = assert_sarif_shape(log)
    assert result["ruleId"] == "permission-revoked"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == str(KHARKIV)
    assert physical["region"]["startLine"] == line_of(KHARKIV, "- id: kharkiv-defensive-strikes")


def test_sarif_on_a_history_folder_points_into_its_newest_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, log = sarif(["check", HISTORY, "--fail-on", "tightened"], capsys)
    assert code == 1
    results = assert_sarif_shape(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {str(REVIEW)}
    (line,) = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results}
    assert line == line_of(REVIEW, "- id: atacms-strikes-need-approval")


def test_the_shipped_sarif_schema_refuses_what_code_scanning_would(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, log = sarif(["check", BEFORE, KHARKIV, "--fail-on", "loosened"], capsys)
    (result,) = log["runs"][0]["results"]
    result["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError, match="'fatal' is not one of"):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
