"""The JSON Schemas: shipped, printed, and true to the documents and outputs."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import policydiff
from policydiff._cli import main
from policydiff._parse import yaml_load
from policydiff._schemas import SCHEMAS
from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the older Pythons read TOML with tomli
    import tomli as tomllib

HISTORY = ROOT / "examples" / "us-ukraine-strikes" / "history"
OLD = HISTORY / "2022-no-strikes-inside-russia.yaml"
NEW = HISTORY / "2024-05-30-kharkiv.yaml"
SUFFIXES = (".yaml", ".yml", ".json", ".toml")

EXAMPLE_DOCUMENTS = sorted(
    path for path in (ROOT / "examples").glob("*/history/*") if path.suffix in SUFFIXES
)
FIXTURE_DOCUMENTS = sorted(
    [
        ROOT / "tests" / "data" / "kharkiv.yaml",
        *(ROOT / "tests" / "data" / "histories" / "steps").iterdir(),
    ]
)


def plain(value: Any) -> Any:
    """The data as a JSON reader (or an editor's YAML language server) sees it."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def read(path: Path) -> Any:
    """Read a document's data without building a version from it."""
    text = path.read_text("utf-8")
    if path.suffix == ".toml":
        return plain(tomllib.loads(text))
    if path.suffix == ".json":
        return json.loads(text)
    data, _ = yaml_load(text)
    return plain(data)


def errors(name: str, data: Any) -> list[str]:
    """Each way ``data`` breaks the schema called ``name``, with where."""
    validator = jsonschema.Draft202012Validator(policydiff.schema(name))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def output(argv: list[str | Path], capsys: pytest.CaptureFixture[str]) -> Any:
    """Run a command and return its JSON output."""
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return json.loads(out)


# -- the schemas themselves ---------------------------------------------------


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_each_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    found = policydiff.schema(name)
    jsonschema.Draft202012Validator.check_schema(found)
    assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert found["$id"] == f"urn:policydiff:schema:{name}"
    assert found["title"]
    assert found["description"]


def test_every_shipped_schema_file_has_a_name() -> None:
    shipped = {path.stem for path in (ROOT / "policydiff" / "schemas").glob("*.json")}
    assert shipped == set(SCHEMAS)


def test_an_unknown_schema_name_is_a_value_error_listing_the_names() -> None:
    with pytest.raises(ValueError, match=r"unknown schema 'verison' \(expected one of: version,"):
        policydiff.schema("verison")


# -- documents ----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_DOCUMENTS + FIXTURE_DOCUMENTS, ids=lambda p: p.name)
def test_every_example_and_fixture_document_fits_the_version_schema(path: Path) -> None:
    policydiff.load(path)  # a document the library reads ...
    assert errors("version", read(path)) == []  # ... the schema accepts


def test_a_history_in_one_document_fits_the_history_schema() -> None:
    path = ROOT / "tests" / "data" / "histories" / "single.yaml"
    policydiff.load_history(path)
    assert errors("history", read(path)) == []


def test_a_history_document_with_a_shared_effective_is_refused() -> None:
    data = read(ROOT / "tests" / "data" / "histories" / "single.yaml")
    data["effective"] = "2024-01-01"
    assert errors("history", data) == [
        ": Additional properties are not allowed ('effective' was unexpected)"
    ]


def test_a_document_written_by_dumps_fits_the_version_schema() -> None:
    version = policydiff.load(NEW)
    assert errors("version", json.loads(policydiff.dumps(version, format="json"))) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown-keys.yaml", "Additional properties are not allowed"),
        ("unknown-effect.yaml", "rules/0/effect: 'alow' is not one of"),
        ("unknown-effect.json", "rules/0/effect: 'forbid' is not one of"),
        ("unknown-effect.toml", "rules/0/effect: 'deny' is not one of"),
        ("missing-fields.yaml", "'version' is a required property"),
        ("empty-scope.yaml", "rules/0/scope/territory: [] is not valid"),
        ("format-version.yaml", "policydiff: 1 was expected"),
        ("scope-names-a-rule-field.yaml", "should not be valid under"),
    ],
)
def test_a_bad_document_is_refused_by_the_version_schema(name: str, expected: str) -> None:
    path = ROOT / "tests" / "data" / "bad" / name
    with pytest.raises(policydiff.DocumentError):
        policydiff.load(path)
    found = errors("version", read(path))
    assert any(expected in line for line in found), found


RULE = "{id: r, effect: permit, action: go"


@pytest.mark.parametrize(
    "lines",
    [
        # Optional fields left empty: the loader reads them as absent.
        "title:",
        "summary:",
        "announced:",
        "rules:",
        f"rules: [{RULE}, text: }}]",
        "sources: [{id: s, publisher: , title: , date: , url: , note: }]",
        "removals: [{rule: gone, note: }]",
        # One value where a list may stand.
        "approved_by: Council",
        f"rules: [{RULE}, conditions: only at night, subject: Ukraine}}]",
        "vocabulary: {t: {Russia: Kursk}}\nopen: t",
        "vocabulary: {t: {Russia: []}}\nopen: []",
        "effective: 2024\npolicydiff: 1",
        # Shapes the loader refuses.
        "timezone:",
        "default:",
        "default: deny",
        "conflict: first-match",
        "sources:",
        "open:",
        "approved_by:",
        "title: 5",
        "policydiff: 2",
        "sources: [{id: s, url: 5}]",
        "vocabulary: {t: []}",
        "vocabulary: {t: {Russia: }}",
        "rules: {}",
        f"rules: [{RULE}, subject: []}}]",
        f"rules: [{RULE}, scope: {{port: [443]}}}}]",
        f"rules: [{RULE}, scope: {{t: }}}}]",
        f"rules: [{RULE}, sources: }}]",
        "events: [{date: 2020, what: }]",
        "events: [{date: 2020}]",
        "rules: [{id: r, effect: permit}]",
        "rules: [{id: '', effect: permit, action: go}]",
    ],
)
def test_the_version_schema_accepts_what_the_loader_reads_and_refuses_bad_shapes(
    lines: str,
) -> None:
    text = "policy: demo\nversion: v1\n" + lines + "\n"
    if not lines.startswith("effective"):
        text += "effective: 2024-01-01\n"
    try:
        policydiff.loads(text)
    except policydiff.DocumentError:
        loads = False
    else:
        loads = True
    data, _ = yaml_load(text)
    assert (errors("version", plain(data)) == []) is loads


def test_a_rule_without_an_action_is_refused_by_the_version_schema() -> None:
    data = read(NEW)
    del data["rules"][0]["action"]
    assert errors("version", data) == ["rules/0: 'action' is a required property"]


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "examples" / "us-ukraine-strikes" / "history",
        ROOT / "examples" / "export-controls" / "history",
    ],
    ids=lambda p: p.parent.name,
)
def test_a_history_stored_as_deltas_fits_the_store_schema(path: Path, tmp_path: Path) -> None:
    policydiff.save_deltas(policydiff.load_history(path), tmp_path / "stored.json")
    assert errors("store", read(tmp_path / "stored.json")) == []


def test_the_stored_history_fixture_fits_the_store_schema() -> None:
    assert errors("store", read(ROOT / "tests" / "data" / "histories" / "stored.json")) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("store-attribute-path.json", "'root.version' does not match"),
        ("store-not-root.json", "does not match"),
        ("store-unknown-action.json", "('attribute_added' was unexpected)"),
    ],
)
def test_a_stored_history_with_a_bad_delta_is_refused_by_the_store_schema(
    name: str, expected: str
) -> None:
    path = ROOT / "tests" / "data" / "histories" / "bad" / name
    with pytest.raises(policydiff.StoreError):
        policydiff.load_deltas(path)
    found = errors("store", read(path))
    assert any(expected in line for line in found), found


# -- outputs ------------------------------------------------------------------

COMMANDS = {
    "diff": ["diff", OLD, NEW],
    "log": ["log", HISTORY],
    "log --rule": ["log", HISTORY, "--rule", "kharkiv-defensive-strikes"],
    "impact": ["impact", OLD, NEW],
    "decide": ["decide", HISTORY, "subject=Ukraine", "action=strike"],
    "decide --at before the first version": [
        "decide", HISTORY, "--at", "2000", "subject=Ukraine", "action=strike",
    ],
    "decide --timeline": [
        "decide", HISTORY, "--timeline", "subject=Ukraine", "action=strike",
        "territory=Belgorod Oblast",
    ],
    "check": ["check", OLD, NEW, "--fail-on", "loosened"],
    "check --by rules": ["check", OLD, NEW, "--fail-on", "any", "--by", "rules"],
    "validate": ["validate", HISTORY, NEW],
    "validate a bad document": ["validate", ROOT / "tests" / "data" / "bad" / "five-problems.yaml"],
    "at": ["at", HISTORY, "2024-06"],
    "at before the first version": ["at", HISTORY, "2000"],
    "log of the export-control example": ["log", ROOT / "examples" / "export-controls" / "history"],
    "log of a history in one document": ["log", ROOT / "tests" / "data" / "histories" / "single.yaml"],
    "impact --only": ["impact", OLD, NEW, "--only", "mixed"],
    "paths of log": ["log", HISTORY, ROOT / "examples" / "export-controls" / "history"],
    "paths of check --each": [
        "check", "--each", HISTORY, ROOT / "tests" / "data" / "bad" / "five-problems.yaml",
        "--fail-on", "any",
    ],
}  # fmt: skip
SCHEMA_OF = {
    "decide": "answer",
    "decide --at before the first version": "answer",
    "decide --timeline": "timeline",
}


@pytest.mark.parametrize("case", list(COMMANDS))
def test_every_json_output_on_the_flagship_history_fits_its_schema(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = SCHEMA_OF.get(case, case.split()[0])
    argv = COMMANDS[case]
    if case.startswith(("validate", "paths of check")):
        # A bad document exits 2: the JSON still comes first.
        main([str(arg) for arg in [*argv, "--format", "json"]])
        data = json.loads(capsys.readouterr().out)
    else:
        data = output([*argv, "--format", "json"], capsys)
    assert errors(name, data) == []


def test_a_diff_with_an_unknown_change_kind_is_refused_by_the_diff_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = output(["diff", OLD, NEW, "--format", "json"], capsys)
    data["changes"][0]["kind"] = "permission-grnated"
    assert len(errors("diff", data)) == 1


def test_an_answer_without_its_since_is_refused_by_the_answer_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = output(
        ["decide", HISTORY, "subject=Ukraine", "action=strike", "--format", "json"], capsys
    )
    del data["since"]
    assert errors("answer", data) == [": 'since' is a required property"]


# -- the command ----------------------------------------------------------------


def test_schema_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "version"]) == 0
    out = capsys.readouterr().out
    assert out == (ROOT / "policydiff" / "schemas" / "version.json").read_text("utf-8")
    assert json.loads(out) == policydiff.schema("version")


def test_schema_without_a_name_lists_every_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(SCHEMAS)


def test_schema_with_an_unknown_name_exits_2_listing_the_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "verison"]) == 2
    err = capsys.readouterr().err
    assert "unknown schema 'verison' (expected one of: version, history, store, diff," in err
