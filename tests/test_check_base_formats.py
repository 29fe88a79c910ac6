"""``check --base`` over foreign formats (``--input-format``) and with ``--jobs N``.

Each test builds on the ``repo`` fixture: a commit holds the base state,
then the working tree changes.
"""

from __future__ import annotations

import functools
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest

from policydiff._batch import values_or_errors
from policydiff._git_changes import changes_since, judge_changes
from tests.conftest import ROOT, git
from tests.test_check_base import check_json, steps
from tests.test_cli import run
from tests.test_gate_scan import SARIF_SCHEMA

IAM = ROOT / "examples" / "aws-iam" / "DataLakeReadOnlyAccess"
RBAC = ROOT / "examples" / "k8s-rbac" / "acme-operator"
HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ATACMS = HISTORY / "2024-11-17-atacms-kursk.yaml"
BAD_IAM = ROOT / "tests" / "data" / "bad-aws-iam" / "effect-lower-case.json"


def commit(repo: Path, message: str = "More policies") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def iam(repo: Path) -> Path:
    """The repository with an IAM history folder (v1 to v3) and one IAM policy edited in place."""
    folder = repo / "iam" / "DataLakeReadOnlyAccess"
    folder.mkdir(parents=True)
    for name in ("v1@2019-03-01.json", "v2@2021-06-15.json", "v3@2023-02-20.json"):
        shutil.copy(IAM / name, folder)
    shutil.copy(IAM / "v1@2019-03-01.json", repo / "iam" / "read.json")
    commit(repo)
    return repo


# -- foreign formats ------------------------------------------------------------------


def test_a_foreign_version_added_to_a_history_folder_is_compared_with_the_one_before_it(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("v4@2024-05-30.json", "v4@2024-05-30.meta.yaml"):
        shutil.copy(IAM / name, iam / "iam" / "DataLakeReadOnlyAccess")
    argv = ["--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "tightened"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [
        ("iam/DataLakeReadOnlyAccess/v4@2024-05-30.json", "version added", "v3", "v4")
    ]
    assert (code, data["steps"][0]["verdict"]) == (1, "tightened")


def test_a_foreign_document_edited_in_place_is_compared_with_its_state_at_the_base(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(IAM / "v3@2023-02-20.json", iam / "iam" / "read.json")
    argv = ["--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "loosened"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [("iam/read.json", "changed", "read", "read")]
    assert (code, data["steps"][0]["verdict"]) == (1, "mixed")
    # Nothing dates either side: both take one date, so the date is no change.
    assert data["steps"][0]["from"]["effective"] == data["steps"][0]["to"]["effective"]


def test_a_deleted_foreign_document_lifts_what_it_granted(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(iam, "rm", "-q", "iam/read.json")
    argv = ["--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "tightened"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [("iam/read.json", "deleted", "read", "(no policy)")]
    assert [c["kind"] for c in data["steps"][0]["changes"]] == ["permission-revoked"]
    assert code == 1


def test_a_new_foreign_document_is_a_new_policy(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(IAM / "v2@2021-06-15.json", iam / "iam" / "write.json")
    argv = ["--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "loosened"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [("iam/write.json", "new policy", "(no policy)", "write")]
    assert code == 1


def test_a_changed_sidecar_is_a_change_of_its_document(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sidecar = iam / "iam" / "read.meta.yaml"
    sidecar.write_text("version: v1\neffective: 2019-03-01\n", encoding="utf-8")
    commit(iam)
    sidecar.write_text("version: v1\neffective: 2019-03-01\ntitle: Reads\n", encoding="utf-8")
    argv = ["--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "any"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [("iam/read.json", "changed", "v1", "v1")]
    assert (code, data["steps"][0]["verdict"]) == (0, "equivalent")


def test_kubernetes_rbac_edited_in_place_is_judged_by_decisions(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "rbac").mkdir()
    shutil.copy(RBAC / "1.4.0@2026-11-02.yaml", repo / "rbac" / "operator.yaml")
    commit(repo)
    shutil.copy(RBAC / "1.5.0@2026-11-20.yaml", repo / "rbac" / "operator.yaml")
    argv = ["--base", "main", "rbac", "--input-format", "k8s-rbac", "--fail-on", "tightened"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [("rbac/operator.yaml", "changed", "operator", "operator")]
    assert (code, data["steps"][0]["verdict"]) == (1, "mixed")
    assert [c["fingerprint"] for c in data["steps"][0]["changes"]] == ["abab12bc32a127f9"]


def test_hidden_files_are_not_read_in_the_foreign_format(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (iam / ".github" / "workflows" / "ci.yml").write_text("on: pull_request\n", "utf-8")
    shutil.copy(IAM / "v3@2023-02-20.json", iam / "iam" / "read.json")
    argv = ["--base", "main", ".", "--input-format", "aws-iam", "--fail-on", "any"]
    _, data = check_json(argv, capsys)
    assert [s["path"] for s in data["steps"]] == ["iam/read.json"]


def test_a_bad_foreign_document_is_named_with_its_place(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(BAD_IAM, iam / "iam" / "read.json")
    argv = ["check", "--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "any"]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err == (
        "iam/read.json:4:15: Statement.Effect: expected Allow or Deny (got 'allow')\n"
        "  hint: Effect is case-sensitive\n"
    )


def test_without_the_input_format_foreign_documents_are_left_alone(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(IAM / "v3@2023-02-20.json", iam / "iam" / "read.json")
    code, out, _ = run(["check", "--base", "main", "iam", "--fail-on", "any"], capsys)
    assert (code, out) == (0, "OK: no policy document under iam changed since main.\n")


def test_base_with_a_foreign_format_needs_the_paths_that_hold_its_files(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "--base", "main", "--input-format", "aws-iam", "--fail-on", "any"]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "--input-format aws-iam with --base reads every changed file under PATH..." in err


def test_base_refuses_a_native_input_format_naming_the_foreign_ones(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "--base", "main", "--fail-on", "any", "--input-format", "yaml"]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "--input-format names a foreign format (aws-iam, cedar, k8s-rbac," in err


# -- --jobs ---------------------------------------------------------------------------


@pytest.fixture
def several(repo: Path) -> Path:
    """The repository with three policy steps since main, and one that cannot be judged."""
    shutil.copy(ATACMS, repo / "history")
    shutil.copy(KHARKIV, repo / "policies" / "weapons.yaml")
    (repo / "other").mkdir()
    text = KHARKIV.read_text(encoding="utf-8").replace(
        "policy: us-weapons-use-ukraine", "policy: kharkiv-only", 1
    )
    (repo / "other" / "kharkiv.yaml").write_text(text, encoding="utf-8")
    return repo


def rename_the_edited_policy(repo: Path) -> None:
    """Change the policy id in the edited document: its two states are not one policy."""
    weapons = repo / "policies" / "weapons.yaml"
    weapons.write_text(
        weapons.read_text(encoding="utf-8").replace(
            "policy: us-weapons-use-ukraine", "policy: renamed", 1
        ),
        encoding="utf-8",
    )


@pytest.mark.parametrize("output_format", ["text", "markdown", "json", "sarif", "github"])
def test_two_jobs_print_the_same_bytes_and_exit_as_one(
    several: Path, output_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "--base", "main", "--fail-on", "loosened", "--format", output_format]
    one = run([*argv, "--jobs", "1"], capsys)
    assert one[0] == 1
    assert run([*argv, "--jobs", "2"], capsys) == one


def test_two_jobs_judge_foreign_documents_as_one_does(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(IAM / "v4@2024-05-30.json", iam / "iam" / "DataLakeReadOnlyAccess")
    shutil.copy(IAM / "v3@2023-02-20.json", iam / "iam" / "read.json")
    argv = ["check", "--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "any"]
    one = run([*argv, "--format", "json"], capsys)
    assert [s["path"] for s in json.loads(one[1])["steps"]] == [
        "iam/DataLakeReadOnlyAccess/v4@2024-05-30.json",
        "iam/read.json",
    ]
    assert run([*argv, "--format", "json", "-j", "2"], capsys) == one


def test_a_step_that_cannot_be_judged_is_named_and_the_others_still_reported(
    several: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rename_the_edited_policy(several)
    argv = ["check", "--base", "main", "--fail-on", "loosened", "--jobs", "2"]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err == (
        "policies/weapons.yaml: cannot judge this step (changed): cannot compare versions of"
        " different policies: 'us-weapons-use-ukraine' (no-strikes-inside-russia) and"
        " 'renamed' (kharkiv-defensive-strikes)\n"
    )
    assert "== history/2024-11-17-atacms-kursk.yaml (version added) ==" in out
    assert "== other/kharkiv.yaml (new policy) ==" in out
    assert run(argv[:-2], capsys) == (code, out, err)


def test_a_step_that_cannot_be_judged_is_a_run_of_its_own_in_sarif(
    several: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rename_the_edited_policy(several)
    argv = ["check", "--base", "main", "--fail-on", "loosened", "--format", "sarif", "-j", "2"]
    code, out, _ = run(argv, capsys)
    log = json.loads(out)
    assert code == 2
    assert [e.message for e in jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log)] == []
    (bad,) = log["runs"][1]["results"]
    assert bad["ruleId"] == "bad-input"
    assert bad["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "policies/weapons.yaml"
    )
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"permission-granted"}


def test_judge_changes_through_an_executor_equals_a_serial_judgement(several: Path) -> None:
    changes = changes_since("main")
    serial = judge_changes(changes, "any", today="2026-01-01")
    with ThreadPoolExecutor(2) as pool:
        each = functools.partial(values_or_errors, executor=pool)
        pooled = judge_changes(changes, "any", today="2026-01-01", judge_each=each)
    assert pooled == serial
    assert [step.path for step, _ in serial.gates] == [
        "history/2024-11-17-atacms-kursk.yaml",
        "other/kharkiv.yaml",
        "policies/weapons.yaml",
    ]


def test_a_step_that_cannot_be_judged_is_an_error_command_after_the_others(
    several: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rename_the_edited_policy(several)
    argv = ["check", "--base", "main", "--fail-on", "loosened", "--format", "github"]
    code, out, _ = run(argv, capsys)
    assert code == 2
    *_, summary, bad = out.splitlines()
    assert summary.startswith("::notice::Check failed: situations loosened in 1 of the 2 policy")
    assert bad.startswith("::error file=policies/weapons.yaml::cannot judge this step (changed)")


def test_judge_changes_names_a_step_it_cannot_judge_and_judges_the_others(
    several: Path,
) -> None:
    rename_the_edited_policy(several)
    judged = judge_changes(changes_since("main"), "loosened", today="2026-01-01")
    assert [step.path for step, _ in judged.gates] == [
        "history/2024-11-17-atacms-kursk.yaml",
        "other/kharkiv.yaml",
    ]
    (problem,) = judged.problems
    assert (problem.file, problem.message.split(":")[0]) == (
        "policies/weapons.yaml",
        "cannot judge this step (changed)",
    )


def test_a_new_foreign_history_folder_is_a_new_policy(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(IAM, repo / "iam" / "DataLakeReadOnlyAccess")
    argv = ["--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "loosened"]
    code, data = check_json(argv, capsys)
    assert steps(data) == [("iam/DataLakeReadOnlyAccess", "new policy", "(no policy)", "v4")]
    assert code == 1


def test_a_bad_version_in_a_foreign_history_folder_is_named_with_its_place(
    iam: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(BAD_IAM, iam / "iam" / "DataLakeReadOnlyAccess" / "v4@2024-05-30.json")
    argv = ["check", "--base", "main", "iam", "--input-format", "aws-iam", "--fail-on", "any"]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err.startswith(
        "iam/DataLakeReadOnlyAccess/v4@2024-05-30.json:4:15: Statement.Effect: expected Allow"
    )
