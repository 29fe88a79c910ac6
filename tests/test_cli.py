"""The command line: each command through ``main(argv)`` and through a real process."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import policydiff
from policydiff import load_history, render
from policydiff._cli import main
from policydiff._impact import impact
from policydiff.errors import DocumentError, Problem
from tests.conftest import ROOT

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ANYWHERE = HISTORY / "2024-06-anywhere-across-the-border.yaml"
COMMANDS = ("diff", "log", "at", "impact", "check", "validate", "report")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

BAD_EFFECT = """\
policy: demo
version: v1
effective: 2024-05-30
rules:
  - id: no-export
    effect: alow
    action: export
"""
BAD_EFFECT_LINE = (
    "rules[0].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)"
)


def run(argv: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``main`` and return its exit code, stdout and stderr."""
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def version(
    policy: str = "demo", label: str = "v1", effective: str = "2024-01-01", rules: str = "[]"
) -> str:
    """A small version document in YAML."""
    return f"policy: {policy}\nversion: {label}\neffective: {effective}\nrules: {rules}\n"


def flagship_diff() -> policydiff.PolicyDiff:
    return policydiff.diff(policydiff.load(BEFORE), policydiff.load(KHARKIV))


# -- the group -------------------------------------------------------------------


def test_version_option_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)

    assert (code, out) == (0, f"policydiff {policydiff.__version__}\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_shows_an_example_on_the_flagship_files(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([command, "--help"], capsys)

    assert code == 0
    assert "Example:\n    cd examples/us-ukraine-strikes/history\n    policydiff " + command in out


def test_group_help_documents_a_ci_job_and_a_pre_commit_hook(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["--help"], capsys)

    assert code == 0
    assert "runs-on: ubuntu-latest" in out
    assert "--fail-on loosened" in out
    assert ".pre-commit-config.yaml" in out
    assert "id: policydiff-validate" in out
    assert "policydiff check --base" in out
    for command in COMMANDS:
        assert f"\n  {command} " in out


def _help_examples(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The ``policydiff ...`` lines of every help text, but for the CI and hook recipes."""
    examples = []
    for command in ("", *COMMANDS):
        _, text, _ = run([*([command] if command else []), "--help"], capsys)
        examples += [
            line.strip()
            for line in text.splitlines()
            if line.strip().startswith("policydiff ") and "$" not in line
        ]
    return examples


def test_every_example_in_the_help_runs_on_the_example_history(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    examples = _help_examples(capsys)
    # A copy, so that the reports the examples write land outside the repository.
    monkeypatch.chdir(shutil.copytree(HISTORY, tmp_path / "history"))

    assert len(examples) >= 2 * len(COMMANDS)
    for example in examples:
        argv = shlex.split(example)[1:]
        code, out, err = run(argv, capsys)
        expected = 1 if argv[0] == "check" and "loosened" in argv else 0
        written = argv[argv.index("-o") + 1] if "-o" in argv else None
        said = f"Wrote {written}: open it in a browser.\n" if written else ""
        assert (example, code, err) == (example, expected, said)
        assert out or Path(written or "").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["blame"], capsys)

    assert (code, out) == (2, "")
    assert err.endswith("Error: No such command 'blame'.\n")
    assert err.startswith("Usage: policydiff [OPTIONS] COMMAND [ARGS]...\n")


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diff", BEFORE, KHARKIV, "--format", "yaml"], capsys)

    assert (code, out) == (2, "")
    assert "Invalid value for '--format' / '-f': 'yaml' is not one of" in err


# -- diff ------------------------------------------------------------------------


def test_diff_json_reports_the_kharkiv_permission_as_one_loosened_change(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["diff", BEFORE, KHARKIV, "--format", "json"], capsys)
    data = json.loads(out)
    loosened = [c for c in data["changes"] if c["direction"] == "loosened"]

    assert (code, err) == (0, "")
    assert data["policydiff"] == 1
    assert data["policy"] == "us-weapons-use-ukraine"
    assert data["from"]["version"] == "no-strikes-inside-russia"
    assert data["to"] == {
        "version": "kharkiv-defensive-strikes",
        "effective": "2024-05-30T00:00:00-04:00",
        "precision": "day",
    }
    assert data["summary"]["loosened"] == 1
    assert data["summary"]["tightened"] == 0
    assert [(c["kind"], c["rule"], c["effective"]) for c in loosened] == [
        ("permission-granted", "kharkiv-defensive-strikes", "2024-05-30T00:00:00-04:00")
    ]


def test_diff_json_is_the_library_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["diff", BEFORE, KHARKIV, "-f", "json"], capsys)

    assert out == render(flagship_diff(), "json")


def test_diff_text_is_the_plain_report_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diff", BEFORE, KHARKIV], capsys)

    assert (code, out) == (0, render(flagship_diff()))


def test_diff_markdown_is_the_markdown_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diff", BEFORE, KHARKIV, "--format", "markdown"], capsys)

    assert (code, out) == (0, render(flagship_diff(), "markdown"))


def test_diff_only_loosened_keeps_just_the_loosened_changes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(["diff", BEFORE, ANYWHERE, "--only", "loosened", "-f", "json"], capsys)
    data = json.loads(out)

    assert data["changes"]
    assert {c["direction"] for c in data["changes"]} == {"loosened"}
    assert data["summary"] == {
        "loosened": len(data["changes"]),
        "tightened": 0,
        "neutral": 0,
        "mixed": 0,
    }


def test_diff_only_tightened_on_the_kharkiv_step_finds_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["diff", BEFORE, KHARKIV, "--only", "tightened", "-f", "json"], capsys)

    assert code == 0
    assert json.loads(out)["changes"] == []


def test_diff_of_a_bad_file_prints_its_problem_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", BAD_EFFECT)

    code, out, err = run(["diff", BEFORE, bad], capsys)

    assert (code, out, err) == (2, "", f"{bad}:6:13: {BAD_EFFECT_LINE}\n")


def test_diff_of_a_missing_file_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.yaml"

    code, _, err = run(["diff", missing, KHARKIV], capsys)

    assert (code, err) == (2, f"{missing}: cannot read file: No such file or directory\n")


def test_diff_of_two_policies_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path, "old.yaml", version("demo", "v0"))
    new = write(tmp_path, "new.yaml", version("other", "v2", "2024-06-01"))

    code, _, err = run(["diff", old, new], capsys)

    assert (code, err) == (
        2,
        "policydiff: cannot compare versions of different policies: 'demo' (v0) and 'other' (v2)\n",
    )


def test_a_problem_with_a_hint_prints_the_hint_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = write(tmp_path, "newer.yaml", "policydiff: 9\n" + version())

    code, _, err = run(["diff", newer, newer], capsys)

    assert (code, err) == (
        2,
        f"{newer}:1:13: policydiff: unsupported format version 9 (this release reads 1)\n"
        "  hint: upgrade policydiff to read newer documents\n",
    )


# -- log -------------------------------------------------------------------------


def test_log_json_is_the_history_object_oldest_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["log", HISTORY, "--format", "json"], capsys)
    data = json.loads(out)
    steps = [(d["from"]["version"], d["to"]["version"]) for d in data["diffs"]]
    effective = [d["to"]["effective"] for d in data["diffs"]]

    assert (code, err) == (0, "")
    assert set(data) == {"policydiff", "policy", "diffs"}
    assert (data["policydiff"], data["policy"]) == (1, "us-weapons-use-ukraine")
    assert steps == [
        ("no-strikes-inside-russia", "kharkiv-defensive-strikes"),
        ("kharkiv-defensive-strikes", "anywhere-across-the-border"),
        ("anywhere-across-the-border", "atacms-kursk"),
        ("atacms-kursk", "pentagon-approval-for-atacms"),
    ]
    assert effective == sorted(effective, key=lambda v: policydiff.When.parse(v).instant)
    assert data == json.loads(render(load_history(HISTORY), "json"))


def test_log_text_reports_every_step_with_when(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["log", HISTORY], capsys)

    assert code == 0
    assert out == "\n".join(render(d) for d in load_history(HISTORY).changes())
    assert "Effective 30 May 2024, 2 years after the previous version" in out


def test_log_rule_keeps_only_that_rules_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["log", HISTORY, "--rule", "kharkiv-defensive-strikes", "-f", "json"], capsys
    )
    data = json.loads(out)
    timeline = load_history(HISTORY).rule_timeline("kharkiv-defensive-strikes")

    assert code == 0
    assert {c["rule"] for d in data["diffs"] for c in d["changes"]} == {"kharkiv-defensive-strikes"}
    assert [c["kind"] for d in data["diffs"] for c in d["changes"]] == [
        e.change.kind.value for e in timeline
    ]
    assert data["diffs"][0]["to"]["version"] == "kharkiv-defensive-strikes"


def test_log_unknown_rule_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["log", HISTORY, "--rule", "kharkiv-defensive-strike"], capsys)

    assert (code, out) == (2, "")
    assert err == (
        f"{HISTORY}: no version of 'us-weapons-use-ukraine' has a rule"
        " 'kharkiv-defensive-strike'; did you mean 'kharkiv-defensive-strikes'?\n"
    )


def test_log_of_one_version_says_nothing_changed_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "v1.yaml", version())

    code, out, _ = run(["log", tmp_path], capsys)

    assert (code, out) == (
        0,
        "demo has one version, v1, effective 1 January 2024: nothing has changed yet.\n",
    )


def test_log_of_a_history_mixing_policies_reports_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.yaml", version("demo", "v1"))
    other = write(tmp_path, "b.yaml", version("other", "v2", "2024-06-01"))

    code, out, err = run(["log", tmp_path], capsys)

    assert (code, out) == (2, "")
    assert err.startswith(f"{other}:1:9: policy: policy 'other' differs from 'demo'")
    assert err.count("\n") == 1


# -- at --------------------------------------------------------------------------


def test_at_shows_the_version_in_force_and_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["at", HISTORY, "2024-05-31"], capsys)
    lines = out.splitlines()

    assert code == 0
    assert lines[0] == "us-weapons-use-ukraine at 2024-05-31: kharkiv-defensive-strikes"
    assert lines[1].startswith(
        "In force from 30 May 2024 until June 2024, when anywhere-across-the-border took effect"
    )
    assert "Rules (2)" in lines
    assert "  - no-strikes-inside-russia (prohibit): Ukraine may not strike" in out
    assert "  + kharkiv-defensive-strikes (permit): Ukraine may strike" in out


def test_at_json_names_the_version_and_lists_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["at", HISTORY, "2024-05-30", "--format", "json"], capsys)
    data = json.loads(out)

    assert code == 0
    assert data["policy"] == "us-weapons-use-ukraine"
    assert data["when"] == "2024-05-30T00:00:00-04:00"
    assert data["version"] == {
        "version": "kharkiv-defensive-strikes",
        "effective": "2024-05-30T00:00:00-04:00",
        "precision": "day",
    }
    assert [r["id"] for r in data["rules"]] == [
        "kharkiv-defensive-strikes",
        "no-strikes-inside-russia",
    ]


def test_at_markdown_is_a_section_with_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["at", HISTORY, "2025", "-f", "markdown"], capsys)

    assert code == 0
    assert out.startswith("## us-weapons-use-ukraine at 2025: atacms-kursk\n")
    assert "### Rules (" in out


def test_at_before_the_first_version_says_nothing_was_in_force(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["at", HISTORY, "2021-12-31"], capsys)

    assert (code, out) == (
        0,
        "No version of us-weapons-use-ukraine was in force at 2021-12-31: the history"
        " begins with no-strikes-inside-russia, effective 2022.\n",
    )


def test_at_before_the_first_version_in_json_has_no_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["at", HISTORY, "2021", "-f", "json"], capsys)
    data = json.loads(out)

    assert code == 0
    assert (data["version"], data["rules"]) == (None, [])


@pytest.mark.parametrize("when", ["2024-13", "yesterday", "2024-02-30"])
def test_at_with_a_bad_moment_is_a_usage_error(
    when: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["at", HISTORY, when], capsys)

    assert (code, out) == (2, "")
    assert "Error: Invalid value for 'WHEN': " in err
    assert repr(when) in err
    assert "YYYY-MM-DD" in err


# -- impact ----------------------------------------------------------------------


def test_impact_prints_the_library_report(capsys: pytest.CaptureFixture[str]) -> None:
    found = impact(policydiff.load(BEFORE), policydiff.load(KHARKIV))

    code, out, err = run(["impact", BEFORE, KHARKIV], capsys)

    assert (code, err) == (0, "")
    assert out == render(found)


def test_impact_json_is_the_library_json(capsys: pytest.CaptureFixture[str]) -> None:
    found = impact(policydiff.load(BEFORE), policydiff.load(KHARKIV))

    code, out, _ = run(["impact", BEFORE, KHARKIV, "--format", "json"], capsys)

    assert code == 0
    assert json.loads(out) == json.loads(render(found, "json"))
    assert len(json.loads(out)["cubes"]) == len(found) == 1


def test_impact_markdown_is_the_library_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    found = impact(policydiff.load(BEFORE), policydiff.load(KHARKIV))

    _, out, _ = run(["impact", BEFORE, KHARKIV, "-f", "markdown"], capsys)

    assert out == render(found, "markdown")


def test_impact_of_a_bad_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "bad.yaml", BAD_EFFECT)

    code, _, err = run(["impact", bad, KHARKIV], capsys)

    assert (code, err) == (2, f"{bad}:6:13: {BAD_EFFECT_LINE}\n")


# -- check -----------------------------------------------------------------------


def test_check_fails_on_the_kharkiv_loosening_and_prints_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["check", BEFORE, KHARKIV, "--fail-on", "loosened"], capsys)

    assert (code, err) == (1, "")
    assert out.startswith("Situations that moved:\n  - Ukraine may now under conditions strike")
    assert "  - Permission granted: Ukraine may strike" in out
    assert "Announced" not in out
    assert out.endswith(
        "\nCheck failed: 1 group of situations loosened in us-weapons-use-ukraine from"
        " no-strikes-inside-russia to kharkiv-defensive-strikes (verdict: loosened;"
        " --fail-on loosened).\n"
    )


def test_check_by_rules_keeps_the_rule_level_gate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["check", BEFORE, KHARKIV, "--fail-on", "loosened", "--by", "rules"], capsys
    )

    assert (code, err) == (1, "")
    assert "  + Permission granted: Ukraine may strike" in out
    assert "Wording and metadata" not in out
    assert out.endswith("\nCheck failed: 1 change (--fail-on loosened --by rules).\n")


def test_check_passes_with_one_ok_line_when_nothing_offends(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["check", BEFORE, KHARKIV, "--fail-on", "tightened"], capsys)

    assert (code, out) == (
        0,
        "OK: no situation's decision tightened in us-weapons-use-ukraine from"
        " no-strikes-inside-russia to kharkiv-defensive-strikes (verdict: loosened;"
        " 6 changes in all).\n",
    )


def test_check_any_fails_on_loosened_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["check", BEFORE, KHARKIV, "--fail-on", "any"], capsys)

    assert code == 1


def test_check_json_lists_only_the_offending_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", KHARKIV, ANYWHERE, "--fail-on", "tightened", "-f", "json"], capsys)
    data = json.loads(out)

    assert code == 1
    assert data["verdict"] == "mixed"
    assert data["check"] == {
        "fail_on": "tightened",
        "by": "decisions",
        "failed": True,
        "warn_only": False,
        "expired_waivers": [],
    }
    # A reworded condition is a new proposition: every edit of the rule takes part.
    assert [(c["kind"], c["effect"]) for c in data["changes"]] == [
        ("scope-broadened", "mixed"),
        ("condition-added", "mixed"),
        ("condition-removed", "mixed"),
        ("rule-reworded", "mixed"),
    ]
    assert len(data["situations"]) == 1


def test_check_json_with_nothing_offending_is_an_empty_diff(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["check", BEFORE, KHARKIV, "--fail-on", "tightened", "-f", "json"], capsys)

    assert code == 0
    assert json.loads(out)["changes"] == []


def test_check_counts_a_mixed_change_as_both_loosened_and_tightened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(
        tmp_path,
        "old.yaml",
        version(rules="[{id: r, effect: prohibit, action: export, scope: {country: [A]}}]"),
    )
    new = write(
        tmp_path,
        "new.yaml",
        version(
            label="v2",
            effective="2024-02-01",
            rules="[{id: r, effect: prohibit, action: export, scope: {country: [B]}}]",
        ),
    )

    codes = [
        run(["check", old, new, "--fail-on", side], capsys)[0]
        for side in ("loosened", "tightened", "any")
    ]

    assert codes == [1, 1, 1]


def test_check_never_fails_on_wording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(
        tmp_path,
        "old.yaml",
        version(rules="[{id: r, effect: prohibit, action: export, text: Old.}]"),
    )
    new = write(
        tmp_path,
        "new.yaml",
        version(
            label="v2",
            effective="2024-02-01",
            rules="[{id: r, effect: prohibit, action: export, text: New.}]",
        ),
    )

    code, out, _ = run(["check", old, new, "--fail-on", "any"], capsys)

    assert (code, out) == (
        0,
        "OK: no situation's decision changed in demo from v1 to v2"
        " (verdict: equivalent; 1 change in all).\n",
    )


def test_check_without_fail_on_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", BEFORE, KHARKIV], capsys)

    assert code == 2
    assert "Missing option '--fail-on'" in err


def test_check_of_a_bad_file_exits_2_not_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", BAD_EFFECT)

    code, _, err = run(["check", BEFORE, bad, "--fail-on", "any"], capsys)

    assert (code, err) == (2, f"{bad}:6:13: {BAD_EFFECT_LINE}\n")


# -- validate --------------------------------------------------------------------


def test_validate_accepts_the_example_history_and_its_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["validate", HISTORY, KHARKIV], capsys)

    assert (code, err) == (0, "")
    assert out == (
        f"{HISTORY}: valid: history of us-weapons-use-ukraine (5 versions)\n"
        f"{KHARKIV}: valid: version kharkiv-defensive-strikes of us-weapons-use-ukraine (2 rules)\n"
    )


def test_validate_reports_every_problem_of_every_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", BAD_EFFECT)
    bad_date = write(tmp_path, "date.yaml", version(effective="2024-13-01"))
    missing = tmp_path / "missing.yaml"

    code, out, err = run(["validate", bad, KHARKIV, bad_date, missing], capsys)

    assert code == 2
    assert (
        out
        == f"{KHARKIV}: valid: version kharkiv-defensive-strikes of us-weapons-use-ukraine (2 rules)\n"
    )
    assert err == (
        f"{bad}:6:13: {BAD_EFFECT_LINE}\n"
        f"{bad_date}:3:12: effective: impossible date '2024-13-01' (month must be in 1..12)\n"
        f"{missing}: no such file or folder\n"
    )


def test_validate_checks_a_folder_as_one_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.yaml", version("demo", "v1"))
    write(tmp_path, "b.yaml", version("demo", "v1", "2024-06-01"))

    code, _, err = run(["validate", tmp_path], capsys)

    assert code == 2
    assert "v1" in err
    assert err.startswith(str(tmp_path / "b.yaml"))


def test_validate_needs_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate"], capsys)

    assert code == 2
    assert "Missing argument 'PATH...'" in err


# -- errors, interrupts, terminals -----------------------------------------------


def test_interrupt_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("policydiff._inputs.load", interrupted)

    code, out, err = run(["diff", BEFORE, KHARKIV], capsys)

    assert (code, out) == (130, "")
    assert err.endswith("policydiff: interrupted\n")


def test_every_problem_of_an_error_gets_its_own_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = [
        Problem(file="a.yaml", line=2, column=3, path="rules[0].id", message="first"),
        Problem(file="b.yaml", path="", message="second", hint="do this"),
    ]

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise DocumentError(problems)

    monkeypatch.setattr("policydiff._inputs.load", failing)

    code, _, err = run(["diff", BEFORE, KHARKIV], capsys)

    assert (code, err) == (2, "a.yaml:2:3: rules[0].id: first\nb.yaml: second\n  hint: do this\n")


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_text_on_a_terminal_is_coloured_but_says_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")

    code = main(["diff", str(BEFORE), str(KHARKIV)])
    out = terminal.getvalue()

    assert code == 0
    assert "\x1b[" in out
    assert ANSI.sub("", out) == render(flagship_diff())


def test_no_color_keeps_a_terminal_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setenv("NO_COLOR", "1")

    code = main(["diff", str(BEFORE), str(KHARKIV)])

    assert (code, terminal.getvalue()) == (0, render(flagship_diff()))


def test_json_on_a_terminal_is_never_coloured(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.delenv("NO_COLOR", raising=False)

    main(["diff", str(BEFORE), str(KHARKIV), "-f", "json"])

    assert terminal.getvalue() == render(flagship_diff(), "json")


# -- the installed command, in a real process ------------------------------------


def _entry_point() -> list[str]:
    script = Path(sys.executable).with_name("policydiff")
    if not script.exists():
        pytest.fail(
            f"the console script is not installed beside {sys.executable}; run pip install -e ."
        )
    return [str(script)]


RUNNERS = {
    "entry point": _entry_point,
    "python -m": lambda: [sys.executable, "-m", "policydiff"],
}


def spawn(
    runner: str, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command in a child process with piped output."""
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env or {})
    result = subprocess.run(
        [*RUNNERS[runner](), *(str(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("runner", RUNNERS)
def test_process_diff_json_reports_the_flagship_change(runner: str) -> None:
    result = spawn(runner, "diff", BEFORE, KHARKIV, "--format", "json")
    data = json.loads(result.stdout)

    assert (result.returncode, result.stderr) == (0, "")
    assert [(c["kind"], c["rule"]) for c in data["changes"] if c["direction"] == "loosened"] == [
        ("permission-granted", "kharkiv-defensive-strikes")
    ]


@pytest.mark.parametrize("runner", RUNNERS)
def test_process_piped_text_is_plain(runner: str) -> None:
    result = spawn(runner, "diff", BEFORE, KHARKIV)

    assert (result.returncode, result.stdout) == (0, render(flagship_diff()))


def test_process_with_no_color_is_plain() -> None:
    result = spawn("entry point", "log", HISTORY, env={"NO_COLOR": "1"})

    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert result.stdout == "\n".join(render(d) for d in load_history(HISTORY).changes())


def test_process_check_exits_1_on_loosening() -> None:
    result = spawn("entry point", "check", BEFORE, KHARKIV, "--fail-on", "loosened")

    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.endswith("(verdict: loosened; --fail-on loosened).\n")


def test_process_bad_file_exits_2_with_its_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", BAD_EFFECT)

    result = spawn("entry point", "validate", bad)

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"{bad}:6:13: {BAD_EFFECT_LINE}\n",
    )


def test_process_bad_usage_exits_2() -> None:
    result = spawn("entry point", "at", HISTORY)

    assert result.returncode == 2
    assert "Missing argument 'WHEN'" in result.stderr


def test_process_closed_pipe_ends_quietly() -> None:
    # Close the only reading end before the child writes: its first write
    # fails with EPIPE, as when the output is piped into `head`.
    child = subprocess.Popen(
        [*_entry_point(), "log", str(HISTORY)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    child.stdout.close()
    _, err = child.communicate(timeout=120)

    assert (child.returncode, err) == (141, b"")


# -- more renderings -------------------------------------------------------------


def test_log_markdown_is_each_steps_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["log", HISTORY, "-f", "markdown"], capsys)

    assert code == 0
    assert out == "\n".join(render(d, "markdown") for d in load_history(HISTORY).changes())


def test_check_markdown_ends_with_a_bold_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["check", BEFORE, KHARKIV, "--fail-on", "loosened", "-f", "markdown"], capsys
    )

    assert code == 1
    assert out.startswith("### Situations that moved\n")
    assert out.endswith("(verdict: loosened; --fail-on loosened).**\n")


def test_at_the_latest_version_says_it_is_the_latest(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["at", HISTORY, "2026-01-01"], capsys)

    assert out.splitlines()[1].startswith(
        "In force from June 2025, the latest version in this history"
    )


def test_at_markdown_before_the_first_version_says_nothing_was_in_force(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(["at", HISTORY, "2021", "-f", "markdown"], capsys)

    assert out.startswith("No version of us-weapons-use-ukraine was in force at 2021")


def test_at_lists_sources_with_their_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = version(rules="[{id: r, effect: prohibit, action: export, text: No exports.}]") + (
        "summary: Exports stop.\n"
        "sources:\n"
        "  - {id: gazette, publisher: Gazette, title: Export order, date: 2024-01-01,"
        " url: 'https://example.org/order'}\n"
    )
    write(tmp_path, "v1.yaml", document)

    _, text, _ = run(["at", tmp_path, "2024-02"], capsys)
    _, markdown, _ = run(["at", tmp_path, "2024-02", "-f", "markdown"], capsys)

    assert "  Gazette, 1 January 2024: Export order <https://example.org/order>\n" in text
    assert "  - r (prohibit): No one may export.\n    “No exports.”\n" in text
    assert "- Gazette, 1 January 2024: Export order <https://example.org/order>\n" in markdown
    assert "- r (prohibit): No one may export. <br>*No exports.*\n" in markdown
    assert "\n\nExports stop.\n\n" in markdown


def test_long_work_shows_progress_on_stderr_only_when_it_is_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")

    code = main(["log", str(HISTORY), "-f", "json"])
    out = capsys.readouterr().out

    assert code == 0
    assert "Reading the history" in terminal.getvalue()
    assert json.loads(out) == json.loads(render(load_history(HISTORY), "json"))


def test_colour_follows_the_text_renderer_headings_and_marks() -> None:
    from policydiff._cli import _styled

    report = render(flagship_diff())
    styled = _styled(report)
    styles = {
        styled.plain[span.start : span.end].rstrip("\n"): str(span.style) for span in styled.spans
    }
    assert styles["Lifted or loosened (1)"] == "bold green"
    assert styles["Wording and metadata (5)"] == "bold"
    lifted = next(line for line in report.splitlines() if line.startswith("  + "))
    assert styles[lifted] == "green"
    neutral = next(line for line in report.splitlines() if line.startswith("  · "))
    assert styles[neutral] == "dim"


# -- output that cannot be written, and start-up ---------------------------------


def _spawn_with_stdout(stdout: Any, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        [*_entry_point(), *(str(a) for a in args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        timeout=120,
    )
    assert b"Traceback" not in result.stderr
    return result


def test_a_full_output_device_is_reported_and_exits_2() -> None:
    with open("/dev/full", "w") as full:
        result = _spawn_with_stdout(full, "log", HISTORY)
    assert (result.returncode, result.stderr) == (
        2,
        b"policydiff: cannot write the output: No space left on device\n",
    )


def test_a_closed_standard_output_is_reported_and_exits_2() -> None:
    result = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *_entry_point(), "log", str(HISTORY)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert b"Traceback" not in result.stderr
    assert (result.returncode, result.stderr) == (
        2,
        b"policydiff: cannot write the output: standard output is closed\n",
    )


def test_an_output_encoding_without_the_characters_gets_them_escaped() -> None:
    result = subprocess.run(
        [*_entry_point(), "log", str(HISTORY)],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        check=False,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode("latin-1").splitlines()[0] == (
        "us-weapons-use-ukraine: no-strikes-inside-russia \\u2192 kharkiv-defensive-strikes"
    )


def test_ctrl_c_during_start_up_ends_the_program_without_a_traceback() -> None:
    # Importing the command line hands SIGINT to the system (which ends the
    # process quietly) until main() runs and hands it back to Python.
    probe = (
        "import signal, sys; sys.argv[0] = '/usr/local/bin/policydiff';"
        "import policydiff._cli as cli;"
        "print(signal.getsignal(signal.SIGINT) is signal.SIG_DFL);"
        "cli.main(['--version']);"
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.splitlines() == ["True", f"policydiff {policydiff.__version__}", "True"]


# -- documents cannot drive the terminal -------------------------------------------


def _hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    def document(label: str, effective: str, text: str) -> dict[str, Any]:
        return {
            "policy": "p\u202e",
            "version": label,
            "effective": effective,
            "title": "clear \u001b[2J screen",
            "rules": [{"id": "r\u001b[31m", "effect": "permit", "action": "a", "text": text}],
        }

    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps(document("v1", "2024", "before\rhidden")), encoding="utf-8")
    new.write_text(
        json.dumps(document("v2", "2025", "after\u0085next\u2028line")), encoding="utf-8"
    )
    return old, new


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_control_characters_in_a_document_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    old, new = _hostile_pair(tmp_path)
    for argv in (["diff", old, new], ["log", tmp_path], ["at", tmp_path, "2025"]):
        code, out, _ = run([*argv, "-f", output_format], capsys)
        assert code == 0
        assert all(char.isprintable() for char in out.replace("\n", ""))
        assert "\\x1b" in out
        assert "\\u202e" in out
    code, out, _ = run(["validate", tmp_path], capsys)
    assert (code, out) == (0, f"{tmp_path}: valid: history of p\\u202e (2 versions)\n")


def test_json_output_keeps_the_values_as_they_are(tmp_path: Path) -> None:
    old, new = _hostile_pair(tmp_path)
    found = json.loads(render(policydiff.diff(policydiff.load(old), policydiff.load(new)), "json"))
    assert found["policy"] == "p\u202e"


def test_validating_many_bad_files_reports_at_most_the_limit_in_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for index in range(40):
        path = tmp_path / f"v{index:02d}.json"
        rules = [{"id": f"r{i}", "effect": "alow", "action": "x"} for i in range(30)]
        path.write_text(
            json.dumps({"policy": "p", "version": "v", "effective": "2024", "rules": rules})
        )
        paths.append(path)
    code, _, err = run(["validate", *paths], capsys)
    lines = err.splitlines()
    assert (code, len(lines)) == (2, 1_001)
    assert lines[-1] == "policydiff: 200 more problems not shown (at most 1,000 are reported)"


def test_importing_the_command_line_elsewhere_leaves_ctrl_c_alone() -> None:
    # Python's own handler first: a child started in the background inherits
    # Ctrl-C ignored, whatever the command line does.
    probe = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler);"
        " import policydiff._cli; print(signal.getsignal(signal.SIGINT).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "default_int_handler\n"


def test_check_refuses_a_date_at_the_end_of_the_calendar_instead_of_failing_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path, "old.yaml", version(label="v1", effective="2024-01-01"))
    new = write(tmp_path, "new.yaml", version(label="v2", effective="9999-12-31T23:00-05:00"))
    code, out, err = run(["check", old, new, "--fail-on", "loosened"], capsys)
    assert (code, out) == (2, "")
    assert "is outside the dates policydiff handles" in err
