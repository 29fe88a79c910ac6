"""The hooks of ``.pre-commit-hooks.yaml``, run by pre-commit itself on a temporary repository.

pre-commit would install a ``language: python`` hook from its repository
into a virtual environment, which needs the network. The test runs the
manifest's own hooks (entry, files, exclude, pass_filenames, ...) as
``repo: local`` hooks of ``language: system``, with the policydiff already
installed here first on PATH: everything but the installation is pre-commit's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, git

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.slow


def manifest() -> list[dict[str, object]]:
    hooks: list[dict[str, object]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return hooks


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def hooked(repo: Path) -> Path:
    """The repository, with the manifest's hooks configured as local system hooks."""
    hooks = [{**hook, "language": "system"} for hook in manifest()]
    for hook in hooks:
        if hook["id"] == "policydiff-check":
            hook["args"] = ["--fail-on", "loosened"]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "Hooks")
    return repo


def test_pre_commit_accepts_the_manifest() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
    assert [hook["id"] for hook in manifest()] == ["policydiff-validate", "policydiff-check"]
    assert {hook["language"] for hook in manifest()} == {"python"}


def test_a_staged_loosening_is_stopped_by_the_check_hook(
    hooked: Path,
) -> None:
    shutil.copy(KHARKIV, hooked / "policies" / "weapons.yaml")
    git(hooked, "add", "-A")
    result = pre_commit(hooked, "run")
    assert result.returncode == 1
    assert "policydiff validate" in result.stdout
    assert "policydiff check against the base" in result.stdout
    assert "== policies/weapons.yaml (changed) ==" in result.stdout
    assert "Check failed: situations loosened in 1 of the 1 policy change since HEAD" in (
        result.stdout
    )


def test_a_waived_loosening_passes_the_hooks(hooked: Path) -> None:
    shutil.copy(KHARKIV, hooked / "policies" / "weapons.yaml")
    (hooked / ".policydiff-waivers.yaml").write_text(
        "waivers:\n  - {fingerprint: bbcf5d094f45926a, reason: Reviewed., approved_by: Board,"
        " expires: 2999-12-31}\n",
        encoding="utf-8",
    )
    git(hooked, "add", "-A")
    result = pre_commit(hooked, "run")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("Passed") == 2


def test_an_invalid_document_is_stopped_by_the_validate_hook(hooked: Path) -> None:
    weapons = hooked / "policies" / "weapons.yaml"
    weapons.write_text(
        weapons.read_text(encoding="utf-8").replace("effect: prohibit", "effect: forbid"), "utf-8"
    )
    git(hooked, "add", "-A")
    result = pre_commit(hooked, "run", "policydiff-validate")
    assert result.returncode == 1
    assert "policies/weapons.yaml:" in result.stdout
    assert "unknown effect 'forbid'" in result.stdout


def test_a_change_to_no_policy_file_skips_the_hooks(hooked: Path) -> None:
    (hooked / "README.md").write_text("Policies.\n", encoding="utf-8")
    git(hooked, "add", "-A")
    result = pre_commit(hooked, "run")
    assert result.returncode == 0
    assert result.stdout.count("(no files to check)Skipped") == 2
