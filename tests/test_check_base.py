"""``check --base REV [PATH...]``: every policy changed since a git revision, gated.

Each test builds a small repository with ``git init`` in a temporary folder:
a commit holds the base state, then the working tree changes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import policydiff
from policydiff._git_changes import changes_since
from tests.conftest import ROOT, git
from tests.test_cli import run
from tests.test_gate_scan import SARIF_SCHEMA

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
BEFORE = HISTORY / "2022-no-strikes-inside-russia.yaml"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ATACMS = HISTORY / "2024-11-17-atacms-kursk.yaml"
KHARKIV_PERMISSION = "bbcf5d094f45926a"


def check_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code, out, err = run(["check", *argv, "--format", "json"], capsys)
    assert code in (0, 1), err
    return code, json.loads(out)


def steps(data: Any) -> list[tuple[str, str, str, str]]:
    return [
        (s["path"], s["status"], s["from"]["version"], s["to"]["version"]) for s in data["steps"]
    ]


def test_a_version_added_to_a_history_folder_is_compared_with_the_one_before_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    code, data = check_json(["--base", "main", "--fail-on", "loosened"], capsys)
    assert steps(data) == [
        (
            "history/2024-11-17-atacms-kursk.yaml",
            "version added",
            "kharkiv-defensive-strikes",
            "atacms-kursk",
        )
    ]
    assert (code, data["check"]["failed"], data["base"]) == (1, True, "main")
    assert data["commit"] == git(repo, "rev-parse", "main").strip()


def test_an_edited_document_is_compared_with_its_state_at_the_base(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    code, data = check_json(["--base", "main", "--fail-on", "loosened"], capsys)
    assert steps(data) == [
        (
            "policies/weapons.yaml",
            "changed",
            "no-strikes-inside-russia",
            "kharkiv-defensive-strikes",
        )
    ]
    assert [c["fingerprint"] for c in data["steps"][0]["changes"]] == [KHARKIV_PERMISSION]
    assert code == 1


def test_a_renamed_and_edited_document_is_one_step_from_its_old_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "mv", "policies/weapons.yaml", "policies/ukraine.yaml")
    text = (repo / "policies" / "ukraine.yaml").read_text(encoding="utf-8")
    edited = text.replace("title: U.S. policy", "title: Renamed U.S. policy", 1)
    (repo / "policies" / "ukraine.yaml").write_text(edited, encoding="utf-8")
    code, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    (step,) = data["steps"]
    assert (step["path"], step["status"], step["renamed_from"]) == (
        "policies/ukraine.yaml",
        "renamed",
        "policies/weapons.yaml",
    )
    assert (code, step["verdict"]) == (0, "equivalent")


def test_a_deleted_document_lifts_what_it_imposed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", "policies/weapons.yaml")
    code, data = check_json(["--base", "main", "--fail-on", "loosened"], capsys)
    assert steps(data) == [
        ("policies/weapons.yaml", "deleted", "no-strikes-inside-russia", "(no policy)")
    ]
    assert [c["kind"] for c in data["steps"][0]["changes"]] == ["restriction-lifted"]
    assert code == 1


def test_an_untracked_policy_is_reported_as_a_new_policy(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ATACMS.read_text(encoding="utf-8").replace(
        "policy: us-weapons-use-ukraine", "policy: atacms-only", 1
    )
    (repo / "policies" / "atacms.yaml").write_text(text, encoding="utf-8")
    code, data = check_json(["--base", "main", "--fail-on", "tightened"], capsys)
    assert steps(data) == [("policies/atacms.yaml", "new policy", "(no policy)", "atacms-kursk")]
    # Under its default (permit), the new policy's prohibition is what tightens.
    assert (code, data["steps"][0]["verdict"]) == (1, "tightened")
    code, out, _ = run(["check", "--base", "main", "--fail-on", "any"], capsys)
    assert "== policies/atacms.yaml (new policy) ==" in out


def test_files_that_hold_no_policy_are_left_alone(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: pull_request\n", "utf-8")
    (repo / "notes.json").write_text('{"not": "a policy"}\n', "utf-8")
    code, out, err = run(["check", "--base", "main", "--fail-on", "any"], capsys)
    assert (code, out, err) == (0, "OK: no policy document changed since main.\n", "")


def test_paths_limit_what_is_checked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(ATACMS, repo / "history")
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    _, data = check_json(["--base", "main", "policies", "--fail-on", "any"], capsys)
    assert [s["path"] for s in data["steps"]] == ["policies/weapons.yaml"]


def test_a_bad_document_at_the_base_is_named_by_revision_and_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "policies" / "weapons.yaml").write_text(
        BEFORE.read_text(encoding="utf-8").replace("effect: prohibit", "effect: prohibt"), "utf-8"
    )
    git(repo, "commit", "-q", "-am", "A typo")
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    code, _, err = run(["check", "--base", "HEAD", "--fail-on", "any"], capsys)
    assert code == 2
    assert err.startswith("HEAD:policies/weapons.yaml:")
    assert "unknown effect 'prohibt'" in err


def test_a_bad_document_in_the_working_tree_is_named_by_its_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "history" / "2025.yaml").write_text("policy: us-weapons-use-ukraine\nversion: [\n")
    code, _, err = run(["check", "--base", "main", "--fail-on", "any"], capsys)
    assert code == 2
    assert err.startswith("history/2025.yaml:")


def test_waivers_apply_to_every_step_and_an_expired_one_is_reported_once(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    (repo / ".policydiff-waivers.yaml").write_text(
        "waivers:\n"
        f"  - {{fingerprint: {KHARKIV_PERMISSION}, reason: Reviewed., approved_by: Board,"
        " expires: 2999-12-31}\n"
        "  - {fingerprint: 0123456789abcdef, reason: Old., approved_by: Board,"
        " expires: 2000-01-01}\n",
        "utf-8",
    )
    code, data = check_json(["--base", "main", "--fail-on", "loosened"], capsys)
    assert code == 0
    assert [w["fingerprint"] for w in data["check"]["expired_waivers"]] == ["0123456789abcdef"]
    (step,) = data["steps"]
    assert [w["fingerprint"] for w in step["waived"]] == [KHARKIV_PERMISSION]
    _, out, _ = run(["check", "--base", "main", "--fail-on", "loosened"], capsys)
    assert out.count("0123456789abcdef expired 2000-01-01") == 1


def test_sarif_of_a_base_check_is_valid_and_points_at_the_added_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    git(repo, "rm", "-q", "policies/weapons.yaml")
    code, out, _ = run(["check", "--base", "main", "--fail-on", "loosened", "-f", "sarif"], capsys)
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    located = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert (code, located) == (1, {"history/2024-11-17-atacms-kursk.yaml", "policies/weapons.yaml"})


def test_github_commands_of_a_base_check_name_each_file_and_close_with_the_outcome(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    code, out, _ = run(["check", "--base", "main", "--fail-on", "loosened", "-f", "github"], capsys)
    first, last = out.splitlines()
    assert first.startswith("::error file=policies/weapons.yaml,line=")
    assert last == (
        "::notice::Check failed: situations loosened in 1 of the 1 policy change since main"
        " (--fail-on loosened)."
    )
    assert code == 1


def test_markdown_of_a_base_check_heads_each_step(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    code, out, _ = run(["check", "--base", "main", "--fail-on", "any", "-f", "markdown"], capsys)
    assert code == 1
    assert "### history/2024-11-17-atacms-kursk.yaml (version added)" in out
    assert "#### Situations that moved" in out
    assert out.rstrip().endswith("(--fail-on any).**")


def test_outside_a_repository_the_error_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run(["check", "--base", "main", "--fail-on", "any"], capsys)
    assert code == 2
    assert err == (
        f"policydiff: {tmp_path} is not inside a git repository; --base compares the working"
        " tree with a git revision: run it in a clone, or compare two files with check OLD NEW\n"
    )


def test_an_unknown_revision_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--base", "origin/main", "--fail-on", "any"], capsys)
    assert code == 2
    assert err.startswith("policydiff: unknown revision 'origin/main':")


def test_a_revision_that_looks_like_an_option_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(policydiff.GitError, match="is not a revision"):
        changes_since("--output=/tmp/x")


def test_a_shallow_clone_without_the_base_says_how_to_fetch_it(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ATACMS")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    monkeypatch.chdir(clone)
    base = git(repo, "rev-parse", "HEAD~1").strip()
    code, _, err = run(["check", "--base", base, "--fail-on", "any"], capsys)
    assert code == 2
    assert "is not in this shallow clone" in err
    assert "git fetch --unshallow" in err
    assert "fetch-depth: 0" in err


def test_base_takes_no_rule_level_gate(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--base", "main", "--fail-on", "any", "--by", "rules"], capsys)
    assert code == 2
    assert "--base reports the decisions gate" in err


def test_base_reads_documents_by_their_suffix_only(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "--base", "main", "--fail-on", "any", "--input-format", "json"]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "--base reads policy documents by their suffix" in err


def test_check_without_base_needs_one_or_two_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--fail-on", "any"], capsys)
    assert code == 2
    assert "expected OLD [NEW], --each HISTORY... or --base REV [PATH...] (got 0 paths)" in err


def test_the_json_of_a_base_check_fits_its_schema(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    git(repo, "rm", "-q", "policies/weapons.yaml")
    _, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    validator = jsonschema.Draft202012Validator(policydiff.schema("check-base"))
    assert [e.message for e in validator.iter_errors(data)] == []
    del data["steps"][0]["status"]
    assert [e.message for e in validator.iter_errors(data)] == ["'status' is a required property"]


def test_each_step_of_the_base_schema_describes_what_check_prints() -> None:
    check, base = policydiff.schema("check"), policydiff.schema("check-base")
    step = base["$defs"]["step"]
    assert {k: v for k, v in step["properties"].items() if k in check["properties"]} == check[
        "properties"
    ]
    assert {k: v for k, v in base["$defs"].items() if k != "step"} == check["$defs"]


def test_a_version_edited_in_a_history_folder_is_compared_with_its_old_state(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = repo / "history" / "2022-no-strikes-inside-russia.yaml"
    version.write_text(
        version.read_text(encoding="utf-8").replace(
            "territory: [Russia]", "territory: [Kursk Oblast]"
        ),
        encoding="utf-8",
    )
    _, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    assert steps(data) == [
        (
            "history/2022-no-strikes-inside-russia.yaml",
            "version changed",
            "no-strikes-inside-russia",
            "no-strikes-inside-russia",
        )
    ]


def test_a_version_removed_from_a_history_is_compared_with_the_one_that_takes_its_place(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ATACMS")
    git(repo, "rm", "-q", "history/2024-05-30-kharkiv.yaml")
    code, data = check_json(["--base", "HEAD", "--fail-on", "loosened"], capsys)
    assert steps(data) == [
        (
            "history/2024-05-30-kharkiv.yaml",
            "version removed",
            "kharkiv-defensive-strikes",
            "no-strikes-inside-russia",
        )
    ]
    assert (code, data["steps"][0]["verdict"]) == (0, "tightened")


def test_head_in_a_repository_without_commits_makes_every_policy_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    shutil.copy(KHARKIV, fresh / "weapons.yaml")
    monkeypatch.chdir(fresh)
    code, data = check_json(["--base", "HEAD", "--fail-on", "any"], capsys)
    assert steps(data) == [
        ("weapons.yaml", "new policy", "(no policy)", "kharkiv-defensive-strikes")
    ]
    assert code == 1


def test_sarif_of_a_bad_document_at_the_base_points_at_its_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "policies" / "weapons.yaml").write_text("policy: x\nversion: [\n", "utf-8")
    git(repo, "commit", "-q", "-am", "Broken")
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    code, out, err = run(["check", "--base", "HEAD", "--fail-on", "any", "-f", "sarif"], capsys)
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert (code, result["ruleId"], location) == (2, "bad-input", "policies/weapons.yaml")
    assert err.startswith("HEAD:policies/weapons.yaml:")


def test_a_path_that_exists_neither_here_nor_at_the_base_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", "policies/weapons.yaml")
    code, _, err = run(["check", "--base", "main", "polices", "--fail-on", "any"], capsys)
    assert (code, err) == (2, "polices: no such file or folder, here or at main\n")
    # A file deleted since the base is still a path to check.
    code, _, _ = run(
        ["check", "--base", "main", "policies/weapons.yaml", "--fail-on", "any"], capsys
    )
    assert code == 1


def test_without_git_the_error_says_so(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-folder"))
    code, _, err = run(["check", "--base", "main", "--fail-on", "any"], capsys)
    assert (code, err) == (
        2,
        "policydiff: git is not installed (or not on PATH); --base and --git need it\n",
    )


def test_a_version_appended_to_a_history_document_is_compared_with_the_one_before_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = repo / "policies" / "exports.yaml"
    first = (
        "policy: export-list\ndefault: prohibit\nversions:\n"
        "  - {version: v1, effective: 2024-01-01, rules: []}\n"
    )
    document.write_text(first, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Exports")
    document.write_text(
        first + "  - version: v2\n    effective: 2024-06-01\n    rules:\n"
        "      - {id: ship, effect: permit, subject: exporters, action: ship}\n",
        encoding="utf-8",
    )
    code, data = check_json(["--base", "HEAD", "--fail-on", "loosened"], capsys)
    assert steps(data) == [("policies/exports.yaml", "version added", "v1", "v2")]
    assert code == 1


def test_a_new_history_folder_is_one_new_policy_at_its_newest_version(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(repo / "history", repo / "copy")
    _, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    assert steps(data) == [("copy", "new policy", "(no policy)", "kharkiv-defensive-strikes")]


def test_a_deleted_history_folder_lifts_its_newest_version(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", "-r", "history")
    _, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    assert steps(data) == [("history", "deleted", "kharkiv-defensive-strikes", "(no policy)")]


def test_a_version_file_relabelled_in_place_is_one_changed_version(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = repo / "history" / "2024-05-30-kharkiv.yaml"
    version.write_text(
        version.read_text(encoding="utf-8").replace(
            "version: kharkiv-defensive-strikes", "version: kharkiv"
        ),
        encoding="utf-8",
    )
    _, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    assert steps(data) == [
        (
            "history/2024-05-30-kharkiv.yaml",
            "version changed",
            "kharkiv-defensive-strikes",
            "kharkiv",
        )
    ]


def test_the_text_report_names_a_renamed_document_with_its_old_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "mv", "policies/weapons.yaml", "policies/ukraine.yaml")
    renamed = repo / "policies" / "ukraine.yaml"
    text = renamed.read_text(encoding="utf-8")
    renamed.write_text(text.replace("title: U.S. policy", "title: The U.S. policy", 1), "utf-8")
    code, out, _ = run(["check", "--base", "main", "--fail-on", "any"], capsys)
    assert out.startswith("== policies/ukraine.yaml (renamed, from policies/weapons.yaml) ==\n")
    assert code == 0


def test_a_staged_new_policy_is_reported_as_new(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(KHARKIV, repo / "kharkiv.yaml")
    git(repo, "add", "kharkiv.yaml")
    _, data = check_json(["--base", "main", "--fail-on", "any"], capsys)
    assert steps(data) == [
        ("kharkiv.yaml", "new policy", "(no policy)", "kharkiv-defensive-strikes")
    ]


def test_a_path_outside_the_repository_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["check", "--base", "main", "..", "--fail-on", "any"], capsys)
    assert (code, err) == (2, f"policydiff: .. is outside the repository at {repo}\n")
