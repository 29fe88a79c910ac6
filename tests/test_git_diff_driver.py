"""The git diff-driver recipe of docs/ci.md, run as written in a temporary repository."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, git

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
PAGE = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.slow


def recipe() -> tuple[str, str]:
    """The page's ``git config`` command and its ``.gitattributes`` line."""
    command = re.search(r"^git config diff\.policydiff\.command .*$", PAGE, re.MULTILINE)
    attributes = re.search(r"^policies/\*\* diff=policydiff$", PAGE, re.MULTILINE)
    assert command is not None
    assert attributes is not None
    return command.group(0), attributes.group(0)


@pytest.fixture
def driven(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository with the page's driver configured and policydiff on PATH."""
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    program = bin_folder / "policydiff"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m policydiff "$@"\n', "utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NO_COLOR", "1")
    command, attributes = recipe()
    subprocess.run(["bash", "-c", command], cwd=repo, check=True)
    (repo / ".gitattributes").write_text(attributes + "\n", encoding="utf-8")
    return repo


def test_git_diff_shows_what_a_policy_change_lifted(driven: Path) -> None:
    shutil.copy(HISTORY / "2024-05-30-kharkiv.yaml", driven / "policies" / "weapons.yaml")
    out = git(driven, "diff")
    assert out.startswith("us-weapons-use-ukraine: no-strikes-inside-russia → kharkiv-defensive")
    assert "+ Permission granted: Ukraine may strike" in out


def test_git_diff_of_a_deleted_policy_lifts_its_restrictions(driven: Path) -> None:
    git(driven, "rm", "-q", "policies/weapons.yaml")
    out = git(driven, "diff", "--cached")
    assert "no-strikes-inside-russia → (no policy)" in out
    assert "Restriction lifted" in out
