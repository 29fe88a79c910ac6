"""Many paths on the command line: log and check --each over several histories,
validate of many paths, and --jobs N printing what --jobs 1 prints."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import click
import pytest

from policydiff._batch import batch
from policydiff._cli import _OnePath, _pool, main
from tests.conftest import ROOT

UKRAINE = ROOT / "examples" / "us-ukraine-strikes" / "history"
EXPORTS = ROOT / "examples" / "export-controls" / "history"
BAD_EFFECT = (
    "policy: x\nversion: v1\neffective: 2024-01-01\nrules:\n  - {id: r, effect: alow, action: a}\n"
)
BAD_LINE = (
    "bad/v1.yaml:5:21: rules[0].effect: unknown effect 'alow'"
    " (expected one of: oblige, permit, prohibit)\n"
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding two good histories (``ukraine``, ``exports``) and a ``bad`` one."""
    shutil.copytree(UKRAINE, tmp_path / "ukraine")
    shutil.copytree(EXPORTS, tmp_path / "exports")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "v1.yaml").write_text(BAD_EFFECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        ["log", "ukraine", "bad", "exports"],
        ["log", "ukraine", "exports", "--oneline", "--format", "markdown"],
        ["log", "ukraine", "bad", "exports", "--format", "json"],
        ["check", "--each", "ukraine", "bad", "exports", "--fail-on", "loosened"],
        ["check", "--each", "ukraine", "exports", "--fail-on", "any", "--format", "markdown"],
        ["check", "--each", "exports", "bad", "--fail-on", "loosened", "--format", "json"],
        ["check", "--each", "ukraine", "bad", "exports", "--fail-on", "any", "--format", "sarif"],
        ["check", "--each", "ukraine", "exports", "--fail-on", "loosened", "--format", "github"],
        ["validate", "ukraine", "bad", "exports"],
        ["validate", "ukraine", "bad", "exports", "--format", "json"],
    ],
    ids=lambda argv: " ".join(argv[:2] + argv[-2:]),
)
def test_two_jobs_print_the_same_bytes_and_exit_as_one(
    argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*argv, "--jobs", "2"], capsys) == run([*argv, "--jobs", "1"], capsys)


def test_log_of_several_histories_prints_each_log_under_its_name(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ukraine, _ = run(["log", "ukraine"], capsys)
    _, exports, _ = run(["log", "exports"], capsys)
    code, out, err = run(["log", "ukraine", "exports", "-j", "2"], capsys)
    assert (code, err) == (0, "")
    assert out == f"==> ukraine <==\n{ukraine}\n==> exports <==\n{exports}"


def test_a_bad_history_among_many_is_reported_and_the_others_still_printed(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, exports, _ = run(["check", "exports", "--fail-on", "loosened"], capsys)
    code, out, err = run(
        ["check", "--each", "bad", "exports", "--fail-on", "loosened", "--jobs", "2"], capsys
    )
    assert code == 2
    assert err == BAD_LINE
    assert out == f"==> bad <==\n\n==> exports <==\n{exports}"


def test_check_each_exits_1_when_one_history_fails_and_none_is_bad(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "--each", "ukraine", "exports", "--fail-on", "loosened"], capsys)
    assert code == 1
    assert out.startswith("==> ukraine <==\nOK: no situation's decision loosened")
    assert run(["check", "--each", "ukraine", "--fail-on", "loosened"], capsys)[0] == 0


def test_check_each_of_one_history_prints_what_check_of_it_alone_prints(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = run(["check", "ukraine", "--fail-on", "tightened"], capsys)
    assert run(["check", "--each", "ukraine", "--fail-on", "tightened", "-j", "2"], capsys) == alone


def test_check_of_three_paths_without_each_is_a_usage_error(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["check", "ukraine", "exports", "bad", "--fail-on", "loosened"], capsys)
    assert code == 2
    assert "expected OLD [NEW], --each HISTORY... or --base REV [PATH...] (got 3 paths)" in err


def test_json_of_several_histories_holds_each_report_and_the_problems_of_the_bad(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, exports, _ = run(["log", "exports", "--format", "json"], capsys)
    code, out, _ = run(["log", "bad", "exports", "--format", "json", "-j", "2"], capsys)
    assert code == 2
    document = json.loads(out)
    assert document["policydiff"] == 1
    bad, good = document["paths"]
    assert (bad["path"], bad["status"], bad["report"]) == ("bad", 2, None)
    assert [problem["message"] for problem in bad["problems"]] == [
        "unknown effect 'alow' (expected one of: oblige, permit, prohibit)"
    ]
    assert (good["path"], good["status"], good["problems"]) == ("exports", 0, [])
    assert good["report"] == json.loads(exports)


def test_sarif_of_several_histories_is_one_log_with_a_run_for_each(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--fail-on", "loosened", "--format", "sarif"]
    _, exports, _ = run(["check", "exports", *argv], capsys)
    code, out, err = run(["check", "--each", "ukraine", "bad", "exports", *argv, "-j", "2"], capsys)
    assert (code, err) == (2, BAD_LINE)
    runs = json.loads(out)["runs"]
    assert len(runs) == 3
    assert [result["ruleId"] for result in runs[1]["results"]] == ["bad-input"]
    assert runs[2] == json.loads(exports)["runs"][0]


def test_github_commands_of_several_histories_follow_one_another(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--fail-on", "loosened", "--format", "github"]
    _, ukraine, _ = run(["check", "ukraine", *argv], capsys)
    _, exports, _ = run(["check", "exports", *argv], capsys)
    assert run(["check", "--each", "ukraine", "exports", *argv], capsys)[1] == ukraine + exports


def test_a_usage_error_for_each_path_is_reported_once(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["log", "ukraine", "exports", "--oneline", "-f", "json", "-j", "2"], capsys)
    assert code == 2
    assert err.count("--oneline is a layout for people") == 1


@pytest.mark.parametrize("jobs", ["0", "auto", "AUTO", "3"])
def test_jobs_takes_a_count_or_auto(
    jobs: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["validate", "ukraine", "exports", "--jobs", jobs], capsys)
    assert code == 0
    assert out.splitlines() == [
        "ukraine: valid: history of us-weapons-use-ukraine (5 versions)",
        "exports: valid: history of northwind-export-rules (3 versions)",
    ]


@pytest.mark.parametrize("jobs", ["-1", "two", ""])
def test_jobs_that_is_no_count_is_a_usage_error(
    jobs: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["validate", "ukraine", "--jobs", jobs], capsys)
    assert code == 2
    assert "Invalid value for '--jobs'" in err


def _end_this_process(path: str) -> str:
    os._exit(1)


def test_a_worker_that_dies_is_one_error_line_not_a_traceback() -> None:
    message = "a worker process ended before its work"
    with pytest.raises(click.ClickException, match=message), _pool(2, 2) as executor:
        batch(_end_this_process, ["a", "b"], executor=executor)


def test_reports_made_in_workers_are_coloured_when_the_output_is_a_terminal(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    params = {"fail_on": "loosened", "by": None, "waivers_file": None, "warn_only": False}
    params |= {"output_format": None, "input_format": None, "each": False, "jobs": 1}
    params |= {"inputs": (), "base": None}
    coloured = _OnePath(command="check", params=params, argument="inputs", colour=True)("exports")
    plain = _OnePath(command="check", params=params, argument="inputs", colour=False)("exports")
    assert "\x1b[" in coloured.out
    assert "\x1b[" not in plain.out
    assert coloured.status == plain.status == 1


def test_validate_with_jobs_reads_each_path_in_the_input_format_given(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "policy").write_text((EXPORTS / "2023-01-baseline.yaml").read_text())
    argv = ["validate", "policy", "bad/v1.yaml", "--input-format", "yaml"]
    code, out, err = run([*argv, "--jobs", "2"], capsys)
    assert (code, err) == (2, BAD_LINE)
    assert out == "policy: valid: version baseline of northwind-export-rules (2 rules)\n"
    assert run([*argv, "--jobs", "1"], capsys) == (code, out, err)
