"""Exploring a history from the command line: diff --from/--to, log filters and
one-line steps, what `at` says about the rest of the period, and the smaller
truths (swapped arguments, validate as JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import policydiff
from policydiff import load_history
from policydiff._cli import main
from tests.conftest import ROOT

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ANYWHERE = HISTORY / "2024-06-anywhere-across-the-border.yaml"


def run(argv: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# -- diff HISTORY --from --to ------------------------------------------------------


def test_diff_of_a_history_from_a_label_to_a_date_is_the_diff_of_those_versions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        ["diff", HISTORY, "--from", "no-strikes-inside-russia", "--to", "2024-06-15", "-f", "json"],
        capsys,
    )
    expected = policydiff.diff(policydiff.load(BEFORE), policydiff.load(ANYWHERE))
    assert (code, json.loads(out)) == (0, expected.to_dict())


def test_diff_of_a_history_alone_runs_from_its_first_to_its_last_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["diff", HISTORY, "-f", "json"], capsys)
    data = json.loads(out)
    assert (code, data["from"]["version"], data["to"]["version"]) == (
        0,
        "no-strikes-inside-russia",
        "pentagon-approval-for-atacms",
    )


def test_diff_from_what_is_neither_a_label_nor_a_date_is_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["diff", HISTORY, "--from", "kharkiv-defensive-strike"], capsys)
    assert (code, out) == (2, "")
    assert "did you mean 'kharkiv-defensive-strikes'?; nor is it a time value" in err


def test_diff_with_new_and_from_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["diff", BEFORE, KHARKIV, "--from", "2024"], capsys)
    assert code == 2
    assert "--from and --to pick versions of one history" in err


def test_diff_only_mixed_keeps_just_the_mixed_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(
        "policy: p\nversion: v1\neffective: 2024\nrules: [{id: r, effect: prohibit, action: a, scope: {x: [one]}}]\n"
    )
    new.write_text(
        "policy: p\nversion: v2\neffective: 2025\ntitle: T\nrules: [{id: r, effect: prohibit, action: a, scope: {x: [two]}}]\n"
    )
    code, out, _ = run(["diff", old, new, "--only", "mixed", "-f", "json"], capsys)
    assert (code, [c["direction"] for c in json.loads(out)["changes"]]) == (0, ["mixed"])


# -- swapped arguments -------------------------------------------------------------


@pytest.mark.parametrize("command", [["diff"], ["check", "--fail-on", "any"]])
def test_new_older_than_old_warns_that_the_order_looks_swapped(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([*command[:1], KHARKIV, BEFORE, *command[1:]], capsys)
    assert code in (0, 1)
    assert err == (
        "policydiff: warning: NEW (no-strikes-inside-russia, effective 2022) took effect"
        " before OLD (kharkiv-defensive-strikes, effective 30 May 2024); the order looks swapped\n"
    )


def test_old_before_new_gives_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["diff", BEFORE, KHARKIV], capsys)[2] == ""


# -- log filters and one line per step ---------------------------------------------


def test_log_since_and_until_keep_the_steps_in_between(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["log", HISTORY, "--since", "2024-06", "--until", "2024-12", "-f", "json"], capsys
    )
    assert (code, [d["to"]["version"] for d in json.loads(out)["diffs"]]) == (
        0,
        ["anywhere-across-the-border", "atacms-kursk"],
    )


def test_log_only_tightened_keeps_the_steps_that_tightened_and_only_those_changes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["log", HISTORY, "--only", "tightened", "-f", "json"], capsys)
    diffs = json.loads(out)["diffs"]
    assert code == 0
    assert [d["to"]["version"] for d in diffs] == [
        "anywhere-across-the-border",
        "pentagon-approval-for-atacms",
    ]
    assert {c["direction"] for d in diffs for c in d["changes"]} == {"tightened"}


def test_log_oneline_prints_one_line_per_step(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["log", HISTORY, "--oneline"], capsys)
    assert code == 0
    assert out.splitlines() == [
        "30 May 2024  no-strikes-inside-russia → kharkiv-defensive-strikes"
        "  1 loosened, 0 tightened, 0 mixed, 5 neutral  loosened",
        "June 2024  kharkiv-defensive-strikes → anywhere-across-the-border"
        "  2 loosened, 1 tightened, 0 mixed, 5 neutral  mixed",
        "17 November 2024  anywhere-across-the-border → atacms-kursk"
        "  1 loosened, 0 tightened, 0 mixed, 4 neutral  loosened",
        "June 2025  atacms-kursk → pentagon-approval-for-atacms"
        "  0 loosened, 1 tightened, 0 mixed, 5 neutral  tightened",
    ]


def test_log_oneline_in_markdown_is_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["log", HISTORY, "--oneline", "-f", "markdown", "--since", "2025"], capsys)
    assert (code, out) == (
        0,
        "- June 2025  atacms-kursk → pentagon-approval-for-atacms"
        "  0 loosened, 1 tightened, 0 mixed, 5 neutral  tightened\n",
    )


def test_log_oneline_with_json_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["log", HISTORY, "--oneline", "-f", "json"], capsys)
    assert code == 2
    assert "--oneline" in err


def test_log_with_nothing_in_the_period_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["log", HISTORY, "--since", "2030"], capsys)
    assert (code, out) == (0, "No changes to us-weapons-use-ukraine in the period asked.\n")


# -- log --rule from the start -----------------------------------------------------


def test_log_rule_of_the_first_version_shows_it_in_force_from_the_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["log", HISTORY, "--rule", "no-strikes-inside-russia"], capsys)
    assert code == 0
    assert out.splitlines()[:5] == [
        "us-weapons-use-ukraine: no-strikes-inside-russia (the first version)",
        "In force from 2022, when the history begins.",
        "",
        "In force from the start (1)",
        "  - Restriction in force from the first version (no-strikes-inside-russia, effective 2022):"
        " Ukraine may not strike (territory: Russia; weapon: U.S.-supplied weapons).",
    ]


def test_log_rule_json_lists_the_start_apart_from_the_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["log", HISTORY, "--rule", "no-strikes-inside-russia", "-f", "json"], capsys)
    data = json.loads(out)
    assert (code, data["diffs"]) == (0, [])
    assert [(e["version"], e["previous"], e["change"]["kind"]) for e in data["start"]] == [
        ("no-strikes-inside-russia", None, "restriction-imposed")
    ]


# -- at: the rest of the period ----------------------------------------------------


def test_at_a_month_that_holds_a_later_version_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["at", HISTORY, "2024-05"], capsys)
    assert code == 0
    assert (
        "Later in May 2024, kharkiv-defensive-strikes (30 May 2024) takes effect;"
        " this answer is for its first moment."
    ) in out


def test_at_a_day_when_another_version_takes_effect_later_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("policy: p\nversion: a\neffective: 2024-05-30\n")
    (tmp_path / "b.yaml").write_text("policy: p\nversion: b\neffective: 2024-05-30T14:00Z\n")
    code, out, _ = run(["at", tmp_path, "2024-05-30", "-f", "json"], capsys)
    data = json.loads(out)
    assert (code, data["version"]["version"], [v["version"] for v in data["later"]]) == (
        0,
        "a",
        ["b"],
    )


def test_at_a_day_with_no_other_version_says_nothing_more(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["at", HISTORY, "2024-06-01"], capsys)
    assert code == 0
    assert "Later" not in out


# -- validate --format json --------------------------------------------------------


def test_validate_json_lists_each_path_and_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: p\nversion: v\neffective: 2024-13\n")
    code, out, _ = run(["validate", HISTORY, bad, "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 2
    assert data["valid"] is False
    assert data["paths"] == [
        {
            "path": str(HISTORY),
            "valid": True,
            "policy": "us-weapons-use-ukraine",
            "versions": [v.version for v in load_history(HISTORY)],
        },
        {"path": str(bad), "valid": False, "policy": None, "versions": []},
    ]
    assert data["problems"] == [
        {
            "file": str(bad),
            "line": 3,
            "column": 12,
            "path": "effective",
            "message": "impossible date '2024-13' (month must be in 1..12)",
            "hint": None,
        }
    ]


def test_validate_json_of_valid_paths_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", KHARKIV, "-f", "json"], capsys)
    assert (code, json.loads(out)["valid"]) == (0, True)


def test_log_rule_of_the_first_version_in_markdown_starts_with_its_section(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        ["log", HISTORY, "--rule", "no-strikes-inside-russia", "-f", "markdown"], capsys
    )
    assert code == 0
    assert out.splitlines()[:7] == [
        "## us-weapons-use-ukraine: no-strikes-inside-russia (the first version)",
        "",
        "**In force from 2022, when the history begins.**",
        "",
        "### In force from the start (1)",
        "",
        "- Restriction in force from the first version (no-strikes-inside-russia, effective 2022):"
        " Ukraine may not strike (territory: Russia; weapon: U.S.-supplied weapons). <br>*rule"
        " no-strikes-inside-russia*",
    ]


@pytest.mark.parametrize(
    ("output_format", "last"),
    [
        (
            "text",
            "Later in 2022, a (1 March 2022) takes effect; this answer is for its first moment.",
        ),
        (
            "markdown",
            "Later in 2022, a (1 March 2022) takes effect; this answer is for its first moment.",
        ),
    ],
)
def test_at_before_the_history_names_a_version_later_in_the_period(
    output_format: str, last: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("policy: p\nversion: a\neffective: 2022-03-01\n")
    code, out, _ = run(["at", tmp_path, "2022", "-f", output_format], capsys)
    assert (code, out.splitlines()[-1]) == (0, last)
