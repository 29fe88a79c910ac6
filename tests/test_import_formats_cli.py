"""Cedar and ODRL files on the command line: import, and --input-format on every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import policydiff
from policydiff._cli import main
from policydiff.importers import from_cedar, from_odrl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CEDAR = EXAMPLES / "cedar" / "photoflash"
ODRL = EXAMPLES / "odrl" / "offer-6163"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_import_cedar_writes_the_version_from_cedar_reads(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "january.yaml"
    source = CEDAR / "january@2024-01-01.cedar"
    labels = ("--policy", "photoflash", "--version", "january", "--effective", "2024-01-01")
    code, _, err = run("import", "cedar", str(source), *labels, "-o", str(out))
    assert (code, err) == (0, "")
    expected = from_cedar(
        source.read_text(encoding="utf-8"),
        policy="photoflash",
        version="january",
        effective="2024-01-01",
    )
    assert policydiff.load(out) == expected


def test_import_odrl_prints_the_version_document(run: Run) -> None:
    source = ODRL / "june@2024-06-01.jsonld"
    code, out, _ = run(
        "import", "odrl", str(source), "--policy", "offer", "--version", "june",
        "--effective", "2024-06", "--format", "json",
    )  # fmt: skip
    assert code == 0
    expected = from_odrl(
        source.read_text(encoding="utf-8"), policy="offer", version="june", effective="2024-06"
    )
    assert policydiff.loads(out, format="json") == expected


def test_check_of_two_cedar_files_fails_on_the_forbid_added(run: Run) -> None:
    old, new = CEDAR / "january@2024-01-01.cedar", CEDAR / "june@2024-06-01.cedar"
    code, out, _ = run(
        "check", str(old), str(new), "--input-format", "cedar", "--fail-on", "tightened"
    )
    assert code == 1
    assert "mfa-for-changes" in out


def test_a_folder_of_cedar_files_is_a_history(run: Run) -> None:
    code, out, err = run("log", str(CEDAR), "--input-format", "cedar", "--format", "json")
    assert (code, err) == (0, "")
    (step,) = json.loads(out)["diffs"]
    assert step["verdict"] == "mixed"
    assert [change["rule"] for change in step["changes"]] == [
        "family-views-vacation",
        "mfa-for-changes",
    ]


def test_diff_of_two_odrl_offers_says_where_distribution_ended(run: Run) -> None:
    old, new = ODRL / "january@2024-01-01.jsonld", ODRL / "june@2024-06-01.jsonld"
    code, out, _ = run("diff", str(old), str(new), "--input-format", "odrl", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["verdict"] == "tightened"
    assert {tuple(change["removed"]) for change in result["changes"]} == {
        ("https://www.wikidata.org/wiki/Q39",)
    }


def test_a_policy_with_an_open_action_imports_on_the_command_line(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "v1@2024-01-01.cedar"
    source.write_text('forbid (principal == User::"eve", action, resource);\n', encoding="utf-8")
    code, out, err = run("import", "cedar", str(source), "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert (document["patterns"], document["rules"][0]["action"]) == ({"action": {}}, ["*"])


def test_a_bad_cedar_file_is_one_line_per_problem_and_exit_2(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "v1@2024-01-01.cedar"
    bad.write_text("permit (principal, action, resource) when { ;\n", encoding="utf-8")
    code, out, err = run("import", "cedar", str(bad))
    assert (code, out) == (2, "")
    assert err.startswith(f"{bad}: not valid Cedar: ")
    assert "Traceback" not in err


def test_without_cedarpy_the_command_line_names_the_extra(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cedarpy", None)
    code, _, err = run("log", str(CEDAR), "--input-format", "cedar")
    assert code == 2
    assert "pip install 'policydiff[cedar]'" in err
