"""``[tool.policydiff]`` in ``pyproject.toml``: the gate's project settings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_check_base import ATACMS, KHARKIV, KHARKIV_PERMISSION
from tests.test_cli import run

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding two versions, run from inside it."""
    shutil.copy(BEFORE, tmp_path / "old.yaml")
    shutil.copy(KHARKIV, tmp_path / "new.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings(folder: Path, text: str) -> None:
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "policies"\n\n[tool.policydiff]\n' + text, encoding="utf-8"
    )


def test_fail_on_from_pyproject_is_the_default(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(project, 'fail-on = "loosened"\n')
    code, out, _ = run(["check", "old.yaml", "new.yaml"], capsys)
    assert code == 1
    assert "--fail-on loosened" in out


def test_the_command_line_overrides_pyproject(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(project, 'fail-on = "loosened"\nformat = "json"\n')
    code, out, _ = run(["check", "old.yaml", "new.yaml", "--fail-on", "tightened"], capsys)
    assert code == 0
    assert json.loads(out)["check"]["fail_on"] == "tightened"


def test_settings_are_found_from_a_subfolder_with_paths_read_from_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(project, 'fail-on = "loosened"\nwaivers = "review/waivers.yaml"\n')
    (project / "review").mkdir()
    (project / "review" / "waivers.yaml").write_text(
        f"waivers:\n  - {{fingerprint: {KHARKIV_PERMISSION}, reason: Reviewed.,"
        " approved_by: Board, expires: 2999-12-31}\n",
        encoding="utf-8",
    )
    (project / "deep").mkdir()
    monkeypatch.chdir(project / "deep")
    code, out, _ = run(["check", "../old.yaml", "../new.yaml"], capsys)
    assert code == 0
    assert "waived until 2999-12-31" in out


def test_an_unknown_key_names_the_file_line_and_key_with_a_suggestion(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(project, 'fail_on = "loosened"\n')
    code, _, err = run(["check", "old.yaml", "new.yaml"], capsys)
    assert code == 2
    assert err == (
        f"{project / 'pyproject.toml'}:5:1: tool.policydiff.fail_on: unknown key 'fail_on';"
        " did you mean 'fail-on'?\n"
    )


def test_a_bad_value_names_what_is_allowed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(project, 'fail-on = "looser"\npaths = "policies"\n')
    code, _, err = run(["check", "old.yaml", "new.yaml"], capsys)
    assert code == 2
    assert err.splitlines() == [
        f"{project / 'pyproject.toml'}:5:1: tool.policydiff.fail-on: unknown value 'looser'"
        " (expected one of: any, loosened, tightened)",
        f"{project / 'pyproject.toml'}:6:1: tool.policydiff.paths: expected a list of paths,"
        " such as [\"policies\"] (got 'policies')",
    ]


def test_without_fail_on_anywhere_check_says_where_to_give_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["check", "old.yaml", "new.yaml"], capsys)
    assert code == 2
    assert "Missing option '--fail-on' (or fail-on in [tool.policydiff] of pyproject.toml)" in err


def test_paths_from_pyproject_limit_a_base_check(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(repo, 'fail-on = "any"\npaths = ["policies"]\n')
    shutil.copy(ATACMS, repo / "history")
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    code, out, _ = run(["check", "--base", "main", "--format", "json"], capsys)
    assert [s["path"] for s in json.loads(out)["steps"]] == ["policies/weapons.yaml"]
    assert code == 1


def test_a_pyproject_that_is_not_toml_is_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text("[tool.policydiff\n", encoding="utf-8")
    code, _, err = run(["check", "old.yaml", "new.yaml", "--fail-on", "any"], capsys)
    assert code == 2
    assert err.startswith(f"{project / 'pyproject.toml'}: not valid TOML:")


def test_settings_that_are_not_a_table_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool]\npolicydiff = "loosened"\n', "utf-8")
    code, _, err = run(["check", "old.yaml", "new.yaml", "--fail-on", "any"], capsys)
    assert code == 2
    assert "tool.policydiff: expected a table of settings" in err
