"""``log --git`` and ``load_git_history``: a policy's committed revisions as its history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import policydiff
from tests.conftest import ROOT, git
from tests.test_cli import run

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
KHARKIV = HISTORY / "2024-05-30-kharkiv.yaml"
ATACMS = HISTORY / "2024-11-17-atacms-kursk.yaml"
POLICY = "policies/weapons.yaml"


def commit(repo: Path, monkeypatch: pytest.MonkeyPatch, when: str, message: str = "Edit") -> str:
    """Commit everything at the committer time ``when``; return the commit's hash."""
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def edit_in_place(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document at policies/weapons.yaml, edited to each later version and committed."""
    for source, when in (
        (KHARKIV, "2024-05-31T09:00:00+00:00"),
        (ATACMS, "2024-11-18T09:00:00+00:00"),
    ):
        shutil.copy(source, repo / POLICY)
        commit(repo, monkeypatch, when)


def log_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    code, out, err = run(["log", "--git", *argv, "--format", "json"], capsys)
    assert code == 0, err
    return json.loads(out)


def test_each_commit_of_a_file_edited_in_place_is_a_version(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_in_place(repo, monkeypatch)
    data = log_json([POLICY], capsys)
    assert [(d["from"]["version"], d["to"]["version"]) for d in data["diffs"]] == [
        ("no-strikes-inside-russia", "kharkiv-defensive-strikes"),
        ("kharkiv-defensive-strikes", "atacms-kursk"),
    ]
    revisions = data["git"]["revisions"]
    assert [r["effective_from"] for r in revisions] == ["document"] * 3
    assert revisions[-1]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert jsonschema_errors(data) == []


def jsonschema_errors(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(policydiff.schema("log"))
    return [e.message for e in validator.iter_errors(data)]


def test_a_revision_without_an_effective_takes_its_commit_time_and_says_so(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = KHARKIV.read_text(encoding="utf-8")
    undated = "\n".join(line for line in text.splitlines() if not line.startswith("effective:"))
    (repo / POLICY).write_text(undated + "\n", encoding="utf-8")
    sha = commit(repo, monkeypatch, "2024-06-02T08:30:00+00:00")
    history = policydiff.load_git_history(repo / POLICY)
    assert history.last.version == "kharkiv-defensive-strikes"
    assert (
        history.last.effective.instant == policydiff.When.parse("2024-06-02T08:30:00+00:00").instant
    )
    code, out, _ = run(["log", "--git", POLICY], capsys)
    assert code == 0
    assert out.splitlines()[:3] == [
        f"Read from git: 2 revisions of {POLICY} in HEAD, oldest first.",
        f"  no-strikes-inside-russia (commit {git(repo, 'rev-parse', 'HEAD~1').strip()[:12]} of"
        f" {git(repo, 'log', '-1', '--format=%cI', 'HEAD~1').strip()}, {POLICY}):"
        " effective as the document says",
        f"  kharkiv-defensive-strikes (commit {sha[:12]} of 2024-06-02T08:30:00+00:00, {POLICY}):"
        " effective at the commit time, 2024-06-02T08:30:00+00:00 (the document gives no effective)",
    ]


def test_a_range_reads_only_its_commits(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_in_place(repo, monkeypatch)
    data = log_json(["HEAD~1..HEAD", POLICY], capsys)
    assert [r["version"] for r in data["git"]["revisions"]] == ["atacms-kursk"]
    assert (data["git"]["range"], data["diffs"]) == ("HEAD~1..HEAD", [])


def test_a_revision_keeping_its_label_amends_that_version(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (repo / POLICY).read_text(encoding="utf-8")
    (repo / POLICY).write_text(
        text.replace("title: U.S. policy", "title: The U.S. policy"), "utf-8"
    )
    commit(repo, monkeypatch, "2024-01-02T00:00:00+00:00")
    history = policydiff.load_git_history(repo / POLICY)
    assert [v.version for v in history] == ["no-strikes-inside-russia"]
    assert history.last.title.startswith("The U.S. policy")


def test_a_folder_gives_every_committed_version_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ATACMS, repo / "history")
    commit(repo, monkeypatch, "2024-11-18T09:00:00+00:00")
    data = log_json(["history"], capsys)
    assert [r["version"] for r in data["git"]["revisions"]] == [
        "no-strikes-inside-russia",
        "kharkiv-defensive-strikes",
        "atacms-kursk",
    ]


def test_a_bad_revision_is_named_by_its_commit_and_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / POLICY).write_text("policy: [\n", encoding="utf-8")
    sha = commit(repo, monkeypatch, "2024-02-01T00:00:00+00:00")
    code, _, err = run(["log", "--git", POLICY], capsys)
    assert code == 2
    assert err.startswith(f"{sha[:12]}:{POLICY}:")


def test_a_path_no_commit_touches_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "policies" / "draft.yaml").write_text("policy: draft\n", encoding="utf-8")
    code, _, err = run(["log", "--git", "policies/draft.yaml"], capsys)
    assert (code, err) == (2, "policydiff: no commit in HEAD touches policies/draft.yaml\n")


def test_log_takes_a_range_only_with_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Without --git every argument is a history: a range is one that is not there.
    code, _, err = run(["log", "HEAD", POLICY], capsys)
    assert code == 2
    assert err.startswith("HEAD: no such file or folder\n")


def test_a_revision_without_a_label_is_labelled_by_its_commit(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (repo / POLICY).read_text(encoding="utf-8")
    unlabelled = "\n".join(line for line in text.splitlines() if not line.startswith("version:"))
    (repo / POLICY).write_text(unlabelled.replace("effective: 2022", "effective: 2023"), "utf-8")
    sha = commit(repo, monkeypatch, "2023-01-02T00:00:00+00:00")
    history = policydiff.load_git_history(repo / POLICY)
    assert [v.version for v in history] == ["no-strikes-inside-russia", sha[:12]]


def test_a_revision_holding_a_whole_history_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / POLICY).write_text(
        "policy: p\nversions:\n  - {version: v1, effective: 2024, rules: []}\n", "utf-8"
    )
    sha = commit(repo, monkeypatch, "2024-03-01T00:00:00+00:00")
    code, _, err = run(["log", "--git", POLICY], capsys)
    assert (code, err) == (
        2,
        f"{sha[:12]}:{POLICY}: this revision holds a whole history;"
        " log --git reads one version per revision\n",
    )


def test_an_unknown_range_is_named_with_what_git_said(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["log", "--git", "nope..HEAD", POLICY], capsys)
    assert code == 2
    assert err.startswith(f"policydiff: cannot read the history of {POLICY} in 'nope..HEAD': ")


def test_a_range_that_looks_like_an_option_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["log", "--git", "--", "--output=x", POLICY], capsys)
    assert (code, err) == (
        2,
        "policydiff: '--output=x' is not a revision range (such as main~10..main)\n",
    )
