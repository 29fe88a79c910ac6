"""The importers' shared plumbing: the registry, foreign files' names and sidecars,
``policydiff import`` and ``--input-format FORMAT`` on every command.

A tiny format registered for these tests, ``lines``, stands for any foreign
format: one ``EFFECT ACTION`` per line (``permit read``).
"""

from __future__ import annotations

import io
import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import policydiff
from policydiff.errors import DocumentError, HistoryError
from policydiff.importers import IMPORTERS, formats, import_file, importer

LINES_MODULE = """
from policydiff.importers._common import build_version, fail


def from_lines(source, *, policy, version, effective, name="<string>"):
    rules = []
    for number, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("version "):
            version = version or line.split()[1]
            continue
        if line.startswith("effective "):
            effective = effective or line.split()[1]
            continue
        words = line.split()
        if len(words) != 2:
            fail(name, f"line {number}", "expected EFFECT ACTION")
        rules.append({"id": f"{words[0]}-{words[1]}", "effect": words[0], "action": words[1]})
    body = {"rules": rules, "default": "none"}
    return build_version(body, policy=policy, version=version, effective=effective, name=name)
"""


@pytest.fixture(autouse=True)
def lines_format(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the ``lines`` format for the test."""
    home = tmp_path_factory.mktemp("plugins")
    (home / "policydiff_test_lines.py").write_text(LINES_MODULE, encoding="utf-8")
    (home / "policydiff_test_needs_lib.py").write_text(
        "import policydiff_no_such_library\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(home))
    monkeypatch.setitem(IMPORTERS, "lines", "policydiff_test_lines:from_lines")
    monkeypatch.setitem(IMPORTERS, "needs-lib", "policydiff_test_needs_lib:from_it")


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A history of the ``lines`` format: three versions, named three ways."""
    history = tmp_path / "reading-room"
    history.mkdir()
    write(history / "v1@2024-01-15.txt", "permit read\n")
    write(history / "2024-03-01.txt", "permit read\npermit copy\n")
    write(history / "latest.txt", "permit read\nprohibit copy\n")
    write(
        history / "latest.meta.yaml",
        """
        version: v3
        effective: 2024-06-01
        title: Reading room rules
        summary: Copying stopped after the audit.
        sources:
          - {id: audit, publisher: Library board, date: 2024-05-20}
        """,
    )
    return history


# -- the registry --------------------------------------------------------------


def test_registered_formats_are_listed_by_name() -> None:
    assert "lines" in formats()
    assert list(formats()) == sorted(formats())


def test_an_unknown_format_is_an_error_with_a_did_you_mean() -> None:
    with pytest.raises(DocumentError) as caught:
        importer("line", name="policy.txt")
    (problem,) = caught.value.problems
    assert problem.file == "policy.txt"
    assert "unknown input format 'line'" in problem.message
    assert problem.hint == "did you mean 'lines'?"


def test_a_format_whose_library_is_missing_names_the_extra_to_install() -> None:
    with pytest.raises(DocumentError) as caught:
        importer("needs-lib", name="policy.txt")
    (problem,) = caught.value.problems
    assert "needs the library 'policydiff_no_such_library'" in problem.message
    assert problem.hint == "install the extra: pip install 'policydiff[needs-lib]'"


# -- a file's labels: name, sidecar, caller, document --------------------------


def test_a_version_at_date_file_name_gives_the_label_and_the_date(folder: Path) -> None:
    version = import_file(str(folder / "v1@2024-01-15.txt"), "lines").version
    assert (version.version, str(version.effective)) == ("v1", "15 January 2024")


def test_a_date_file_name_is_both_the_label_and_the_date(folder: Path) -> None:
    version = import_file(str(folder / "2024-03-01.txt"), "lines").version
    assert (version.version, str(version.effective)) == ("2024-03-01", "1 March 2024")


def test_a_sidecar_gives_the_labels_and_the_metadata(folder: Path) -> None:
    version = import_file(str(folder / "latest.txt"), "lines").version
    assert (version.version, str(version.effective)) == ("v3", "1 June 2024")
    assert version.title == "Reading room rules"
    assert version.summary == "Copying stopped after the audit."
    assert [s.id for s in version.sources] == ["audit"]


def test_a_sidecar_wins_over_the_file_name(tmp_path: Path) -> None:
    write(tmp_path / "v1@2024-01-15.txt", "permit read\n")
    write(tmp_path / "v1@2024-01-15.meta.yaml", "effective: 2024-01-20\n")
    version = import_file(str(tmp_path / "v1@2024-01-15.txt"), "lines").version
    assert (version.version, str(version.effective)) == ("v1", "20 January 2024")


def test_the_caller_wins_over_the_sidecar(folder: Path) -> None:
    version = import_file(
        str(folder / "latest.txt"), "lines", version="final", effective="2024-07", policy="room"
    ).version
    assert (version.policy, version.version, str(version.effective)) == (
        "room",
        "final",
        "July 2024",
    )


def test_the_document_gives_its_labels_when_nothing_else_does(tmp_path: Path) -> None:
    write(tmp_path / "policy.txt", "version v9\neffective 2023-02-01\npermit read\n")
    version = import_file(str(tmp_path / "policy.txt"), "lines").version
    assert (version.policy, version.version, str(version.effective)) == (
        "policy",
        "v9",
        "1 February 2023",
    )


def test_a_sidecars_time_zone_reads_the_file_names_date(tmp_path: Path) -> None:
    write(tmp_path / "2024-05-30.txt", "permit read\n")
    write(tmp_path / "2024-05-30.meta.yaml", "timezone: America/New_York\n")
    version = import_file(str(tmp_path / "2024-05-30.txt"), "lines").version
    assert version.effective.instant.isoformat() == "2024-05-30T00:00:00-04:00"
    assert version.timezone == "America/New_York"


def test_a_file_with_no_date_anywhere_says_how_to_give_one(tmp_path: Path) -> None:
    write(tmp_path / "policy.txt", "permit read\n")
    with pytest.raises(DocumentError) as caught:
        import_file(str(tmp_path / "policy.txt"), "lines")
    (effective,) = caught.value.problems
    assert effective.file == str(tmp_path / "policy.txt")
    assert effective.path == "effective"
    assert effective.message == "cannot tell when this version took effect"
    assert "NAME.meta.yaml" in (effective.hint or "")
    assert "VERSION@DATE" in (effective.hint or "")


def test_an_impossible_date_in_a_file_name_is_an_error_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path / "v1@2024-02-30.txt", "permit read\n")
    with pytest.raises(DocumentError) as caught:
        import_file(str(tmp_path / "v1@2024-02-30.txt"), "lines")
    (problem,) = caught.value.problems
    assert problem.file == str(tmp_path / "v1@2024-02-30.txt")
    assert "the file name's date '2024-02-30' is not a time" in problem.message


def test_an_unknown_sidecar_field_is_placed_with_a_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path / "v1@2024-01-15.txt", "permit read\n")
    sidecar = write(tmp_path / "v1@2024-01-15.meta.yaml", "title: Rules\nsumary: typo\n")
    with pytest.raises(DocumentError) as caught:
        import_file(str(tmp_path / "v1@2024-01-15.txt"), "lines")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(sidecar), 2, "sumary")
    assert problem.hint == "did you mean 'summary'?"


def test_a_bad_sidecar_value_is_placed_in_the_sidecar(tmp_path: Path) -> None:
    write(tmp_path / "draft.txt", "permit read\n")
    sidecar = write(tmp_path / "draft.meta.yaml", "version: v1\neffective: 2024-13-01\n")
    with pytest.raises(DocumentError) as caught:
        import_file(str(tmp_path / "draft.txt"), "lines")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(sidecar), 2, "effective")


def test_a_sidecar_that_is_no_mapping_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "draft.txt", "permit read\n")
    write(tmp_path / "draft.meta.yaml", "- v1\n")
    with pytest.raises(DocumentError, match="expected a mapping of version fields"):
        import_file(str(tmp_path / "draft.txt"), "lines")


# -- history folders -------------------------------------------------------------


def test_a_folder_of_foreign_files_is_a_history_named_for_the_folder(folder: Path) -> None:
    history = policydiff.load_history(folder, input_format="lines")
    assert [v.version for v in history.versions] == ["v1", "2024-03-01", "v3"]
    assert {v.policy for v in history.versions} == {"reading-room"}


def test_hidden_files_are_not_versions_of_a_foreign_folder(folder: Path) -> None:
    write(folder / ".notes.txt", "not a policy at all\n")
    history = policydiff.load_history(folder, input_format="lines")
    assert len(history.versions) == 3


def test_a_sidecar_without_its_file_is_an_error(folder: Path) -> None:
    write(folder / "gone.meta.yaml", "version: v0\n")
    with pytest.raises(DocumentError) as caught:
        policydiff.load_history(folder, input_format="lines")
    (problem,) = caught.value.problems
    assert problem.file == str(folder / "gone.meta.yaml")
    assert "a sidecar without its file" in problem.message


def test_every_bad_file_of_a_foreign_folder_is_reported_together(folder: Path) -> None:
    write(folder / "undated.txt", "permit read\n")
    write(folder / "2024-08-01.txt", "permit\n")
    with pytest.raises(DocumentError) as caught:
        policydiff.load_history(folder, input_format="lines")
    assert {p.file for p in caught.value.problems} == {
        str(folder / "undated.txt"),
        str(folder / "2024-08-01.txt"),
    }


def test_two_foreign_files_taking_effect_together_are_a_history_error(folder: Path) -> None:
    write(folder / "again@2024-03-01.txt", "permit read\n")
    with pytest.raises(HistoryError, match="effective"):
        policydiff.load_history(folder, input_format="lines")


def test_an_empty_foreign_folder_is_a_history_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="no lines documents in this folder"):
        policydiff.load_history(tmp_path, input_format="lines")


def test_a_missing_path_is_an_error_with_a_foreign_format(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file or folder"):
        policydiff.load_history(tmp_path / "nowhere", input_format="lines")


def test_a_single_foreign_file_is_a_history_of_one_version(folder: Path) -> None:
    history = policydiff.load_history(folder / "2024-03-01.txt", input_format="lines")
    assert [v.version for v in history.versions] == ["2024-03-01"]


def test_a_native_input_format_reads_a_file_without_a_suffix(tmp_path: Path) -> None:
    write(tmp_path / "POLICY", "policy: p\nversion: v1\neffective: 2024\nrules: []\n")
    history = policydiff.load_history(tmp_path / "POLICY", input_format="yaml")
    assert history.last.version == "v1"


# -- the command line ------------------------------------------------------------


@pytest.fixture
def stdin_permits_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input holds a ``lines`` document that permits reading."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"permit read\n")))


def test_import_writes_a_version_document_that_loads_back(
    folder: Path, tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    out = tmp_path / "room.json"
    code, _, err = run(
        "import", "lines", str(folder / "2024-03-01.txt"), "--policy", "room", "-o", str(out)
    )
    assert (code, err) == (0, "")
    written = policydiff.load(out)
    assert written.policy == "room"
    assert sorted(r.id for r in written.rules) == ["permit-copy", "permit-read"]
    assert json.loads(out.read_text(encoding="utf-8"))["default"] == "none"


def test_import_prints_yaml_by_default_with_the_labels_given(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, _ = run(
        "import",
        "lines",
        str(folder / "2024-03-01.txt"),
        "--policy",
        "room",
        "--version",
        "march",
        "--effective",
        "2024-03-02",
    )
    assert code == 0
    version = policydiff.loads(out)
    assert (version.version, str(version.effective)) == ("march", "2 March 2024")


def test_import_with_a_bad_effective_is_a_usage_error(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, err = run("import", "lines", str(folder / "latest.txt"), "--effective", "soon")
    assert code == 2
    assert "--effective" in err


def test_import_of_an_unknown_format_is_a_usage_error(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, err = run("import", "nope", str(folder / "latest.txt"))
    assert code == 2
    assert "'nope' is not one of" in err


def test_import_reads_standard_input_with_a_policy_id(
    stdin_permits_read: None, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = run(
        "import", "lines", "-", "--policy", "room", "--version", "v1", "--effective", "2024"
    )
    assert (code, err) == (0, "")
    assert policydiff.loads(out).rule_ids == frozenset({"permit-read"})


def test_import_from_standard_input_needs_a_policy_id(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    code, _, err = run("import", "lines", "-", "--version", "v1", "--effective", "2024")
    assert code == 2
    assert "give --policy" in err


def test_diff_reads_two_foreign_files_as_one_policy(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    write(tmp_path / "before.txt", "permit read\n")
    write(tmp_path / "before.meta.yaml", "version: v1\neffective: 2024-01-15\n")
    write(tmp_path / "after.txt", "permit read\npermit copy\n")
    write(tmp_path / "after.meta.yaml", "version: v2\neffective: 2024-03-01\n")
    old, new = tmp_path / "before.txt", tmp_path / "after.txt"
    code, out, err = run("diff", str(old), str(new), "--input-format", "lines", "--format", "json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert found["policy"] == "after"
    assert [c["kind"] for c in found["changes"]] == ["permission-granted"]
    assert found["verdict"] == "loosened"


def test_files_named_for_their_version_belong_to_their_folders_policy(folder: Path) -> None:
    version = import_file(str(folder / "v1@2024-01-15.txt"), "lines").version
    assert version.policy == "reading-room"


def test_a_file_named_otherwise_is_a_policy_of_its_own_name(tmp_path: Path) -> None:
    write(tmp_path / "policy.txt", "version v9\neffective 2023-02-01\npermit read\n")
    assert import_file(str(tmp_path / "policy.txt"), "lines").version.policy == "policy"


def test_log_reads_a_foreign_folder(folder: Path, run: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run("log", str(folder), "--input-format", "lines", "--format", "json")
    assert code == 0
    diffs = json.loads(out)["diffs"]
    assert [(d["from"]["version"], d["to"]["version"]) for d in diffs] == [
        ("v1", "2024-03-01"),
        ("2024-03-01", "v3"),
    ]


def test_at_reads_a_foreign_folder(folder: Path, run: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run("at", str(folder), "2024-04", "--input-format", "lines", "--format", "json")
    assert code == 0
    assert json.loads(out)["version"]["version"] == "2024-03-01"


def test_check_fails_on_a_foreign_folders_newest_step(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, _ = run("check", str(folder), "--input-format", "lines", "--fail-on", "tightened")
    assert code == 1
    code, _, _ = run("check", str(folder), "--input-format", "lines", "--fail-on", "loosened")
    assert code == 0


def test_impact_reads_foreign_files(folder: Path, run: Callable[..., tuple[int, str, str]]) -> None:
    old, new = folder / "2024-03-01.txt", folder / "latest.txt"
    code, out, _ = run("impact", str(old), str(new), "--input-format", "lines", "--format", "json")
    assert code == 0
    assert json.loads(out)["verdict"] == "tightened"


def test_decide_reads_a_foreign_folder(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, _ = run(
        "decide", str(folder), "action=copy", "--input-format", "lines", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["decision"] == "prohibited"


def test_bad_foreign_input_on_the_command_line_is_one_line_per_problem(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    write(tmp_path / "policy.txt", "permit read\n")
    code, out, err = run("log", str(tmp_path / "policy.txt"), "--input-format", "lines")
    assert (code, out) == (2, "")
    assert f"{tmp_path / 'policy.txt'}: effective: cannot tell when" in err
    assert "Traceback" not in err


def test_an_unknown_input_format_is_a_usage_error(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, err = run("log", str(folder), "--input-format", "nope")
    assert code == 2
    assert "'nope' is not one of" in err


def test_the_importers_all_lists_exactly_their_public_names() -> None:
    import inspect

    import policydiff.importers as importers

    public = {
        name
        for name in dir(importers)
        if not name.startswith("_") and not inspect.ismodule(getattr(importers, name))
    }
    assert sorted(public) == importers.__all__


# -- labels nothing gives ----------------------------------------------------------


def test_a_version_nothing_labels_is_labelled_with_its_file_name(tmp_path: Path) -> None:
    write(tmp_path / "draft.txt", "permit read\n")
    write(tmp_path / "draft.meta.yaml", "effective: 2024-02-01\n")
    assert import_file(str(tmp_path / "draft.txt"), "lines").version.version == "draft"


def _undated(folder: Path, name: str, text: str, stamp: int) -> Path:
    path = write(folder / name, text)
    os.utime(path, (stamp, stamp))
    return path


#: 1 March 2024, 12:00 UTC, and a day later.
_MARCH_1, _MARCH_2 = 1_709_294_400, 1_709_380_800


def test_compared_files_that_nothing_dates_take_the_new_files_time(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    old = _undated(tmp_path, "old.txt", "permit read\n", _MARCH_2)
    new = _undated(tmp_path, "new.txt", "permit read\npermit copy\n", _MARCH_1)
    code, out, err = run("diff", str(old), str(new), "--input-format", "lines", "--format", "json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert (found["from"]["version"], found["to"]["version"]) == ("old", "new")
    assert found["from"]["effective"] == found["to"]["effective"] == "2024-03-01T12:00:00+00:00"
    assert found["verdict"] == "loosened"


def test_a_compared_side_that_nothing_dates_takes_the_other_sides_date(
    folder: Path, tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    undated = _undated(tmp_path, "working-copy.txt", "permit read\n", _MARCH_2)
    dated = folder / "2024-03-01.txt"
    code, out, _ = run(
        "diff", str(dated), str(undated), "--input-format", "lines", "--format", "json"
    )
    assert code == 0
    found = json.loads(out)
    assert found["to"]["effective"] == found["from"]["effective"] == "2024-03-01T00:00:00+00:00"
    assert found["policy"] == "working-copy"


def test_standard_input_compared_with_a_file_takes_its_date_and_policy(
    folder: Path, stdin_permits_read: None, run: Callable[..., tuple[int, str, str]]
) -> None:
    new = folder / "2024-03-01.txt"
    code, out, _ = run("check", "-", str(new), "--input-format", "lines", "--fail-on", "loosened")
    assert code == 1
    assert "reading-room from stdin to 2024-03-01" in out


def test_standard_input_with_nothing_to_date_it_is_an_error(
    stdin_permits_read: None, run: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, err = run("diff", "/dev/null", "-", "--input-format", "lines")
    assert code == 2
    assert err.startswith("<stdin>: effective: cannot tell when this version took effect")


def test_a_foreign_file_compared_with_no_policy_is_a_new_policy(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    new = folder / "2024-03-01.txt"
    code, out, _ = run("diff", "/dev/null", str(new), "--input-format", "lines", "--format", "json")
    assert code == 0
    assert sorted(c["kind"] for c in json.loads(out)["changes"]) == [
        "permission-granted",
        "permission-granted",
    ]


def test_a_foreign_history_folder_is_one_side_of_a_comparison(
    folder: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    old = folder / "v1@2024-01-15.txt"
    code, out, _ = run("diff", str(old), str(folder), "--input-format", "lines", "--format", "json")
    assert code == 0
    assert json.loads(out)["to"]["version"] == "v3"
