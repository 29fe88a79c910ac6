"""Bad documents: every single-document problem of SPEC section 10, line by line.

Each file under ``tests/data/bad/`` is one bad input; the table says the exact
lines a user sees for it, ``FILE:LINE:COLUMN: field.path: message``.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

import policydiff
from policydiff._cli import main
from policydiff.errors import (
    DiffError,
    DocumentError,
    HistoryError,
    PolicyDiffError,
    Problem,
    StoreError,
)

BAD = Path(__file__).parent / "data" / "bad"

EXPECTED: dict[str, list[str]] = {
    "binary.yaml": [
        "binary.yaml: binary file, not a policy document",
    ],
    "duplicate-keys.json": [
        "duplicate-keys.json:6:67: rules[0].effect: duplicate key 'effect' (first at line 6)",
        "duplicate-keys.json:8:3: policy: duplicate key 'policy' (first at line 2)",
    ],
    "duplicate-keys.yaml": [
        "duplicate-keys.yaml:8:5: rules[0].effect: duplicate key 'effect' (first at line 6)",
        "duplicate-keys.yaml:9:1: policy: duplicate key 'policy' (first at line 1)",
    ],
    "duplicate-rule-ids.yaml": [
        "duplicate-rule-ids.yaml:11:9: rules[2].id: duplicate rule id 'no-export' (first used by rules[0])",
    ],
    "empty-scope.yaml": [
        "empty-scope.yaml:9:18: rules[0].scope.territory: empty scope: give at least one value, or leave the dimension out to mean any value",
        "empty-scope.yaml:13:13: rules[1].action: empty action: give at least one value",
    ],
    "empty.json": [
        "empty.json:1:1: invalid JSON: Expecting value",
    ],
    "empty.toml": [
        "empty.toml:1:1: effective: required field is missing",
        "empty.toml:1:1: policy: required field is missing",
        "empty.toml:1:1: version: required field is missing",
    ],
    "empty.yaml": [
        "empty.yaml:1:1: expected a mapping of version fields (got an empty document)",
    ],
    "five-problems.yaml": [
        "five-problems.yaml:3:12: effective: impossible date '2024-02-30' (day is out of range for month)",
        "five-problems.yaml:4:11: timezone: unknown time zone 'Mars/Olympus_Mons' (expected an IANA name such as 'Europe/Kyiv')",
        "five-problems.yaml:7:13: rules[0].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)",
        "five-problems.yaml:10:18: rules[0].scope.territory: empty scope: give at least one value, or leave the dimension out to mean any value",
        "five-problems.yaml:11:9: rules[1].id: duplicate rule id 'no-export' (first used by rules[0])",
    ],
    "format-version.yaml": [
        "format-version.yaml:1:13: policydiff: unsupported format version 2 (this release reads 1)",
    ],
    "impossible-date.yaml": [
        "impossible-date.yaml:3:12: effective: impossible date '2023-02-29' (day is out of range for month)",
        "impossible-date.yaml:4:12: announced: impossible date '2024-13' (month must be in 1..12)",
        "impossible-date.yaml:7:11: sources[0].date: impossible date '2024-04-31' (day is out of range for month)",
    ],
    "invalid-date.yaml": [
        "invalid-date.yaml:3:12: effective: invalid date 'May 30, 2024' (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][offset])",
        "invalid-date.yaml:4:12: announced: impossible date '2024-5-31T25:00' (hour must be in 0..23)",
        "invalid-date.yaml:6:11: events[0].date: invalid date '30/05/2024' (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][offset])",
    ],
    "latin-1.yaml": [
        "latin-1.yaml:4:11: not UTF-8 text (byte 0xe9 cannot be decoded); save the file as UTF-8",
    ],
    "missing-fields.json": [
        "missing-fields.json:1:1: policy: required field is missing",
        "missing-fields.json:5:5: rules[0].id: required field is missing",
    ],
    "missing-fields.yaml": [
        "missing-fields.yaml:1:1: effective: required field is missing",
        "missing-fields.yaml:1:1: version: required field is missing",
        "missing-fields.yaml:4:5: rules[0].action: required field is missing",
        "missing-fields.yaml:4:5: rules[0].effect: required field is missing",
    ],
    "not-a-mapping.json": [
        "not-a-mapping.json:1:1: expected a mapping of version fields (got a str)",
    ],
    "not-a-mapping.yaml": [
        "not-a-mapping.yaml:1:1: expected a mapping of version fields (got a list)",
    ],
    "syntax.json": [
        "syntax.json:6:66: invalid JSON: Expecting property name enclosed in double quotes",
    ],
    "syntax.toml": [
        "syntax.toml:5:1: invalid TOML: Invalid value at the end of the document",
    ],
    "syntax.yaml": [
        "syntax.yaml:7:4: invalid YAML: while parsing a block collection did not find expected '-' indicator",
    ],
    "unknown-effect.json": [
        "unknown-effect.json:6:35: rules[0].effect: unknown effect 'forbid' (expected one of: oblige, permit, prohibit)",
    ],
    "unknown-effect.toml": [
        "unknown-effect.toml:7:1: rules[0].effect: unknown effect 'deny' (expected one of: oblige, permit, prohibit)",
    ],
    "unknown-effect.yaml": [
        "unknown-effect.yaml:4:10: default: unknown default 'maybe' (expected one of: none, permit, prohibit)",
        "unknown-effect.yaml:5:11: conflict: unknown conflict strategy 'newest-wins' (expected one of: most-specific, permit-overrides, prohibit-overrides)",
        "unknown-effect.yaml:8:13: rules[0].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)",
    ],
    "unknown-keys.yaml": [
        "unknown-keys.yaml:1:1: effective: required field is missing",
        "unknown-keys.yaml:3:1: efective: unknown key 'efective'; did you mean 'effective'?",
        "unknown-keys.yaml:4:1: flavour: unknown key 'flavour' (expected one of: announced, approved_by, conflict, default, effective, events, open, patterns, policy, policydiff, removals, rules, sources, summary, timezone, title, version, vocabulary)",
        "unknown-keys.yaml:9:5: rules[0].scpoe: unknown key 'scpoe'; did you mean 'scope'?",
    ],
    "unknown-source.yaml": [
        "unknown-source.yaml:11:15: rules[0].sources[0]: unknown source id 'politco-2024-05-30'; did you mean 'politico-2024-05-30'?",
        "unknown-source.yaml:11:35: rules[0].sources[1]: unknown source id 'reuters' (known sources: 'politico-2024-05-30')",
    ],
    "unknown-timezone.yaml": [
        "unknown-timezone.yaml:4:11: timezone: unknown time zone 'America/Kyiv' (expected an IANA name such as 'Europe/Kyiv')",
    ],
    "wrong-types.json": [
        "wrong-types.json:4:16: effective: expected a date such as 2024-05-30 (got True that is a bool)",
        "wrong-types.json:5:12: rules: expected a list (got {'id': 'no-export'} that is a dict)",
    ],
    "wrong-types.toml": [
        "wrong-types.toml:4:1: default: unknown default 1 (expected one of: none, permit, prohibit)",
        "wrong-types.toml:9:1: rules[0].action: expected a string or a list of strings (got 3 that is an int)",
    ],
    "wrong-types.yaml": [
        "wrong-types.yaml:2:10: version: expected a string (got 2 that is an int)",
        "wrong-types.yaml:4:8: title: expected a string (got ['not', 'a', 'title'] that is a list)",
        "wrong-types.yaml:5:14: approved_by: expected a string or a list of strings (got 17 that is an int)",
        "wrong-types.yaml:11:18: rules[0].scope.territory: expected a string or a list of strings (got 5 that is an int)",
    ],
    "bad-labels.yaml": [
        "bad-labels.yaml:1:9: policy: the policy id must be non-empty without surrounding white space (got ' demo')",
        "bad-labels.yaml:2:10: version: the version label must be non-empty without surrounding white space (got '')",
        "bad-labels.yaml:5:9: rules[0].id: a rule id must be non-empty without surrounding white space (got 'no-export ')",
    ],
    "scope-names-a-rule-field.yaml": [
        "scope-names-a-rule-field.yaml:9:16: rules[0].scope.subject: 'subject' is a rule field, not a scope dimension",
    ],
    "duplicate-source-ids.yaml": [
        "duplicate-source-ids.yaml:7:9: sources[1].id: duplicate source id 'politico' (first used by sources[0])",
        "duplicate-source-ids.yaml:12:15: events[0].sources[0]: unknown source id 'reuters' (known sources: 'politico')",
    ],
    "vocabulary-not-a-tree.yaml": [
        "vocabulary-not-a-tree.yaml:6:14: vocabulary.territory.Russia[0]: 'Russia' cannot be its own child",
        "vocabulary-not-a-tree.yaml:7:14: vocabulary.territory.Europe[0]: 'Kursk Oblast' already sits under 'Russia'; a value has one parent",
        "vocabulary-not-a-tree.yaml:9:5: vocabulary.weapon.long-range: cycle in the vocabulary through 'long-range'",
    ],
    "unknown-vocabulary-values.yaml": [
        "unknown-vocabulary-values.yaml:14:16: rules[0].scope.region[0]: 'Southern Africa' is not in the vocabulary of 'region'; did you mean 'southern Africa'?",
        "unknown-vocabulary-values.yaml:19:15: rules[1].scope.region: 'Eurpoe' is not in the vocabulary of 'region'; did you mean 'Europe'?",
        "unknown-vocabulary-values.yaml:24:16: rules[2].scope.region[0]: 'Moon' is not in the vocabulary of 'region' (known values: 'Africa', 'Europe', 'Ireland', 'Schengen Area', 'United Kingdom', 'southern Africa')",
    ],
    "misspelt-dimensions.yaml": [
        "misspelt-dimensions.yaml:14:7: rules[0].scope.regoin: no vocabulary names the dimension 'regoin'; did you mean 'region'?",
        "misspelt-dimensions.yaml:15:7: rules[0].scope[\"recent presense\"]: no vocabulary names the dimension 'recent presense'; did you mean 'recent presence'?",
    ],
    "bad-patterns.yaml": [
        "bad-patterns.yaml:8:18: patterns.action.case: unknown case 'insenstive' (expected one of: insensitive, sensitive)",
        "bad-patterns.yaml:9:3: patterns.resource: 'resource' has a vocabulary, so its values are names, not patterns",
        "bad-patterns.yaml:10:15: patterns.principal.cas: unknown key 'cas'; did you mean 'case'?",
    ],
    "open-and-removals.yaml": [
        "open-and-removals.yaml:7:8: open[0]: 'regoin' has no vocabulary; did you mean 'region'?",
        "open-and-removals.yaml:7:16: open[1]: 'purpose' has no vocabulary (a dimension without one is open already)",
        "open-and-removals.yaml:12:11: removals[0].rule: rule 'vaccination-required' is still in this version's rules; a removal explains a rule that is gone",
        "open-and-removals.yaml:14:15: removals[1].sources[0]: unknown source id 'proclamation-1029'; did you mean 'proclamation-10294'?",
        "open-and-removals.yaml:15:11: removals[2].rule: rule 'schengen-ban' is already explained by removals[1]",
    ],
}


@pytest.fixture
def in_bad_folder(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work inside the bad documents' folder, so messages name files briefly."""
    monkeypatch.chdir(BAD)
    return BAD


def test_every_bad_document_has_its_expected_lines() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)


@pytest.mark.usefixtures("in_bad_folder")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_document_prints_exact_lines(name: str) -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.load(name)
    assert str(caught.value).splitlines() == EXPECTED[name]


@pytest.mark.usefixtures("in_bad_folder")
@pytest.mark.parametrize(
    "name", sorted(n for n in EXPECTED if n.endswith((".yaml", ".json")) and n != "binary.yaml")
)
def test_yaml_and_json_problems_carry_line_and_column(name: str) -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.load(name)
    assert all(p.line is not None and p.column is not None for p in caught.value.problems)


@pytest.mark.usefixtures("in_bad_folder")
def test_every_problem_in_a_document_is_reported_not_just_the_first() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.load("five-problems.yaml")
    assert [p.path for p in caught.value.problems] == [
        "effective",
        "timezone",
        "rules[0].effect",
        "rules[0].scope.territory",
        "rules[1].id",
    ]


@pytest.mark.usefixtures("in_bad_folder")
def test_problem_fields_are_structured() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.load("unknown-effect.json")
    assert caught.value.problems == (
        Problem(
            file="unknown-effect.json",
            line=6,
            column=35,
            path="rules[0].effect",
            message="unknown effect 'forbid' (expected one of: oblige, permit, prohibit)",
        ),
    )


@pytest.mark.usefixtures("in_bad_folder")
def test_unsupported_format_version_carries_an_upgrade_hint() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.load("format-version.yaml")
    assert caught.value.problems[0].hint == "upgrade policydiff to read newer documents"


def test_a_missing_file_is_a_document_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(DocumentError) as caught:
        policydiff.load(missing)
    assert str(caught.value) == f"{missing}: cannot read file: No such file or directory"


def test_a_folder_given_as_a_document_is_a_document_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(DocumentError) as caught:
        policydiff.load(folder)
    assert str(caught.value) == f"{folder}: cannot read file: Is a directory"


def test_an_unknown_suffix_names_the_accepted_ones(tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_text("policy: demo\n", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        policydiff.load(path)
    assert str(caught.value) == (
        f"{path}: unsupported file type '.txt' (expected one of: .json, .toml, .yaml, .yml)"
    )


def test_text_without_a_file_is_called_string() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads("policy: demo\nversion: v1\neffective: 2024-02-30\n")
    assert str(caught.value) == (
        "<string>:3:12: effective: impossible date '2024-02-30' (day is out of range for month)"
    )


def test_loads_names_the_document_as_told() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads('{"policy": 1}', format="json", name="inline.json")
    assert (
        str(caught.value).splitlines()[0] == "inline.json:1:1: effective: required field is missing"
    )


def test_document_errors_are_value_errors_under_one_root() -> None:
    assert issubclass(DocumentError, ValueError)
    assert issubclass(DocumentError, PolicyDiffError)
    assert issubclass(HistoryError, DocumentError)
    assert issubclass(StoreError, DocumentError)
    assert issubclass(DiffError, PolicyDiffError)
    assert issubclass(DiffError, ValueError)


def test_document_error_rebuilds_from_its_reduce_value() -> None:
    problem = Problem(file="a.yaml", line=3, column=9, path="rules[0].effect", message="bad")
    error = HistoryError([problem])
    rebuild, args = error.__reduce__()
    again = rebuild(*args)
    assert type(again) is HistoryError
    assert again.problems == (problem,)
    assert str(again) == "a.yaml:3:9: rules[0].effect: bad"


def test_document_error_survives_a_deep_copy() -> None:
    error = DocumentError(
        [Problem(file="a.yaml", path="", message="empty", hint="write something")]
    )
    again = copy.deepcopy(error)
    assert (type(again), again.problems, str(again)) == (DocumentError, error.problems, str(error))


@pytest.mark.parametrize(
    ("problem", "printed"),
    [
        (Problem(file="a.yaml", path="", message="m"), "a.yaml: m"),
        (Problem(file="a.yaml", path="policy", message="m", line=2), "a.yaml:2: policy: m"),
        (Problem(file="a.yaml", path="x", message="m", line=2, column=5), "a.yaml:2:5: x: m"),
        (Problem(file="a.yaml", path="", message="m", line=1, column=1), "a.yaml:1:1: m"),
    ],
)
def test_problem_prints_only_the_places_it_knows(problem: Problem, printed: str) -> None:
    assert str(problem) == printed


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_a_file_without_read_permission_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("policy: demo\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(DocumentError) as caught:
        policydiff.load(path)
    assert str(caught.value) == f"{path}: cannot read file: Permission denied"


@pytest.mark.usefixtures("in_bad_folder")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_line_prints_the_same_lines_and_exits_2(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", name])
    printed = capsys.readouterr()
    assert status == 2
    assert printed.out == ""
    lines = [line for line in printed.err.splitlines() if not line.startswith("  hint: ")]
    assert lines == EXPECTED[name]
    assert "Traceback" not in printed.err


# -- output that stays one line per problem, and bounded ------------------------------


@pytest.mark.parametrize(
    ("key", "printed"),
    [
        ("a\nb", "a\\nb"),
        ("a\u2028b", "a\\u2028b"),
        ("a\u0085b", "a\\x85b"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("a\u202eb", "a\\u202eb"),
    ],
)
def test_line_breaks_and_controls_in_a_key_are_escaped_in_its_problem(
    key: str, printed: str
) -> None:
    text = json.dumps({"policy": "p", "version": "v", "effective": "2024", "rules": {key: 1}})
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text, format="json")
    (problem,) = caught.value.problems
    assert len(str(problem).splitlines()) == 1
    assert "rules: expected a list" in str(problem)
    assert key not in str(problem)
    line = str(Problem(file="f.json", path="", message=f"unknown key {key}"))
    assert line == f"f.json: unknown key {printed}"


def test_a_file_name_with_a_line_break_stays_on_one_line() -> None:
    line = str(Problem(file="evil\nname.yaml", path="", message="bad", line=1, column=1))
    assert line == "evil\\nname.yaml:1:1: bad"


def test_a_folder_of_many_bad_files_reports_at_most_the_limit_in_all(tmp_path: Path) -> None:
    for index in range(30):
        (tmp_path / f"v{index:02d}.yaml").write_text("policy: p\nrules: 5\nx: 1\ny: 2\n")
    limits = policydiff.Limits(max_problems=10)
    with pytest.raises(DocumentError) as caught:
        policydiff.load_history(tmp_path, limits=limits)
    lines = str(caught.value).splitlines()
    assert len(lines) == 11
    assert lines[-1] == f"{tmp_path}: 140 more problems not shown (at most 10 are reported)"


def test_a_file_that_is_not_a_document_is_not_quoted(tmp_path: Path) -> None:
    (tmp_path / "token.yaml").write_text("API_TOKEN=s3cr3t\n")
    (tmp_path / "keys.json").write_text('{"aws_secret_access_key": "s3cr3t"}')
    for name in ("token.yaml", "keys.json"):
        with pytest.raises(DocumentError) as caught:
            policydiff.load(tmp_path / name)
        assert "s3cr3t" not in str(caught.value)
        assert "aws_secret" not in str(caught.value)


def test_a_link_that_leaves_a_history_folder_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("s3cr3t: [\n")
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "v1.yaml").write_text("policy: p\nversion: v1\neffective: 2024\n")
    (folder / "v2.yaml").symlink_to(secret)
    with pytest.raises(DocumentError) as caught:
        policydiff.load_history(folder)
    assert str(caught.value) == (
        f"{folder / 'v2.yaml'}: a link to a file outside the folder;"
        " a history folder holds its own files"
    )


def test_a_link_within_a_history_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text("policy: p\nversion: v1\neffective: 2024\n")
    (tmp_path / "v2.yaml").write_text("policy: p\nversion: v2\neffective: 2025\n")
    (tmp_path / "latest.yaml").symlink_to(tmp_path / "v2.yaml")
    with pytest.raises(HistoryError, match="label 'v2' is already used"):
        policydiff.load_history(tmp_path)


@pytest.mark.parametrize(
    "payload",
    [
        {"policy": "p", "versions": "x" * 1_000_000},
        {
            "policydiff": "x" * 1_000_000,
            "history": "deltas",
            "policy": "p",
            "first": {},
            "deltas": [],
        },
        {
            "policydiff": 1,
            "history": "deltas",
            "policy": "p",
            "first": {},
            "deltas": [],
            "x" * 1_000_000: 1,
        },
    ],
    ids=["versions", "store version", "store key"],
)
def test_a_huge_value_is_quoted_cut_short(tmp_path: Path, payload: dict[str, object]) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(payload))
    with pytest.raises(DocumentError) as caught:
        policydiff.load_history(path)
    assert max(len(str(p)) for p in caught.value.problems) < 400


# -- look-alike ids ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "again"),
    [("caf\u00e9", "cafe\u0301"), ("fire", "\ufb01re"), ("A1", "\uff21\uff11")],
    ids=["composed and combining", "ligature", "full width"],
)
def test_rule_ids_equal_once_normalised_are_duplicates(first: str, again: str) -> None:
    doc = {
        "policy": "p",
        "version": "v",
        "effective": "2024",
        "rules": [
            {"id": first, "effect": "permit", "action": "a"},
            {"id": again, "effect": "permit", "action": "a"},
        ],
    }
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(json.dumps(doc), format="json")
    (problem,) = caught.value.problems
    assert problem.path == "rules[1].id"
    assert problem.message.endswith(
        f"(first used by rules[0] as {first!r}, the same once Unicode-normalised)"
    )


def test_source_ids_equal_once_normalised_are_duplicates() -> None:
    doc = {
        "policy": "p",
        "version": "v",
        "effective": "2024",
        "sources": [{"id": "s"}, {"id": "\uff53"}],
    }
    with pytest.raises(DocumentError, match=r"sources\[1\]\.id: duplicate source id"):
        policydiff.loads(json.dumps(doc), format="json")


def test_version_labels_equal_once_normalised_are_duplicates() -> None:
    first = policydiff.loads(
        '{"policy": "p", "version": "caf\\u00e9", "effective": "2024"}', format="json"
    )
    again = policydiff.loads(
        '{"policy": "p", "version": "cafe\\u0301", "effective": "2025"}', format="json"
    )
    with pytest.raises(HistoryError, match="is already used by"):
        policydiff.PolicyHistory(versions=[first, again])


def test_capping_lists_capped_before_counts_the_problems_they_hid() -> None:
    from policydiff._problems import capped

    def document(name: str, count: int) -> list[Problem]:
        found = [Problem(file=name, path=f"rules[{i}]", message="bad") for i in range(count)]
        return capped(found[:10], 10, name, total=count)

    both = capped([*document("a.json", 30), *document("b.json", 5)], 10, "policydiff")
    assert len(both) == 11
    assert str(both[-1]) == "policydiff: 25 more problems not shown (at most 10 are reported)"
    kept = capped([*document("a.json", 30)], 20, "policydiff")
    assert str(kept[-1]) == "a.json: 20 more problems not shown (at most 10 are reported)"
