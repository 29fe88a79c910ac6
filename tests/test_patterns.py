"""Pattern dimensions (``patterns:``): the document field, coverage, diff directions, words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import policydiff
from policydiff import Case, PolicyVersion
from policydiff._cli import main
from policydiff._schemas import schema


def version(
    *rules: dict[str, Any],
    label: str = "v1",
    patterns: Any = None,
    default: str = "none",
    **fields: Any,
) -> PolicyVersion:
    data: dict[str, Any] = {
        "policy": "s3-readers",
        "version": label,
        "effective": "2024-01-01" if label == "v1" else "2024-06-01",
        "default": default,
        "rules": list(rules),
        **fields,
    }
    if patterns is not None:
        data["patterns"] = patterns
    return policydiff.loads(json.dumps(data), format="json")


IAM = {"action": {"case": "insensitive"}, "resource": {}}


def reader(action: Any, resource: Any = "arn:aws:s3:::logs/*", **more: Any) -> dict[str, Any]:
    return {
        "id": "read",
        "effect": "permit",
        "action": action,
        "scope": {"resource": resource},
        **more,
    }


DENY_ACL = {"id": "no-acl", "effect": "prohibit", "action": "s3:GetObjectAcl"}


# -- the document field ------------------------------------------------------------


def test_patterns_with_options_read_into_a_case_per_dimension() -> None:
    v = version(reader("s3:Get*"), patterns=IAM)
    assert dict(v.patterns) == {"action": Case.INSENSITIVE, "resource": Case.SENSITIVE}


def test_a_list_of_names_declares_case_sensitive_pattern_dimensions() -> None:
    v = version(reader("s3:Get*"), patterns=["action", "resource"])
    assert dict(v.patterns) == {"action": Case.SENSITIVE, "resource": Case.SENSITIVE}


def test_a_dimension_named_with_nothing_after_it_is_case_sensitive() -> None:
    v = policydiff.loads(
        "policy: p\nversion: v\neffective: 2024-01-01\npatterns:\n  resource:\nrules: []\n"
    )
    assert dict(v.patterns) == {"resource": Case.SENSITIVE}


def test_patterns_write_back_as_options_and_read_back_equal() -> None:
    v = version(reader("s3:Get*"), patterns=IAM)
    text = policydiff.dumps(v)
    assert "patterns:\n  action:\n    case: insensitive\n  resource: {}\n" in text
    assert policydiff.loads(text) == v


def test_a_history_with_patterns_rebuilds_from_its_stored_form() -> None:
    history = policydiff.PolicyHistory(
        versions=[
            version(reader("s3:Get*"), patterns=IAM),
            version(reader("s3:*"), patterns=IAM, label="v2"),
        ]
    )
    stored = json.loads(json.dumps(policydiff.to_store(history)))
    assert policydiff.from_store(stored) == history


def test_the_version_schema_accepts_both_ways_of_declaring_patterns() -> None:
    for declared in (IAM, ["action"], {"resource": None}):
        document = policydiff._convert.unstructure_version(version(reader("s3:*")))
        document["patterns"] = declared
        jsonschema.validate(json.loads(json.dumps(document)), schema("version"))


def test_a_pattern_dimension_needs_no_vocabulary_even_when_a_near_name_has_one() -> None:
    v = version(
        reader("s3:Get*", resource="arn:*"),
        patterns=["resource"],
        vocabulary={"resources": {"all": ["logs"]}},
    )
    assert v.holds_patterns("resource")


# -- deciding ------------------------------------------------------------------------


def test_a_concrete_action_is_covered_by_a_pattern_that_matches_it() -> None:
    v = version(reader("s3:Get*"), DENY_ACL, patterns=IAM)
    answer = policydiff.decide(v, {"action": "s3:GetObject", "resource": "arn:aws:s3:::logs/a"})
    assert (answer.decision.value, answer.rules) == ("permitted", ("read",))


def test_an_action_matches_whatever_the_case_of_its_letters_when_the_case_is_insensitive() -> None:
    v = version(reader("s3:Get*"), patterns=IAM)
    answer = policydiff.decide(v, {"action": "S3:GETOBJECT", "resource": "arn:aws:s3:::logs/a"})
    assert answer.decision.value == "permitted"


def test_a_resource_is_compared_with_its_case_when_the_case_is_sensitive() -> None:
    v = version(reader("s3:Get*"), patterns=IAM)
    answer = policydiff.decide(v, {"action": "s3:GetObject", "resource": "arn:aws:s3:::LOGS/a"})
    assert answer.decision.value == "undecided"


def test_the_most_specific_pattern_wins() -> None:
    v = version(reader("s3:Get*", resource="*"), DENY_ACL, patterns=IAM, conflict="most-specific")
    answer = policydiff.decide(v, {"action": "s3:GetObjectAcl", "resource": "x"})
    assert (answer.decision.value, answer.rules) == ("prohibited", ("no-acl",))


def test_a_question_with_a_pattern_varies_by_the_classes_it_covers() -> None:
    v = version(reader("s3:Get*", resource="*"), DENY_ACL, patterns=IAM)
    answer = policydiff.decide(v, {"action": "s3:Get*"})
    words = sorted((str(g.values["action"]), g.answer.decision.value) for g in answer.groups)
    assert words == [
        ("any value matching s3:Get* except s3:GetObjectAcl", "permitted"),
        ("any value matching s3:GetObjectAcl", "prohibited"),
    ]


def test_a_star_leaves_no_other_value() -> None:
    v = version(reader("s3:*", resource="*"), patterns=IAM)
    answer = policydiff.decide(v, {"action": "s3:GetObject"})
    assert answer.decision.value == "permitted"
    everything = policydiff.decide(version(reader("*", resource="*"), patterns=IAM), {})
    assert (everything.decision.value, everything.groups) == ("permitted", ())


def test_a_group_contains_the_concrete_values_its_patterns_match() -> None:
    v = version(reader("s3:Get*", resource="*"), DENY_ACL, patterns=IAM)
    groups = policydiff.decide(v, {}).groups
    placed = [g.answer.decision.value for g in groups if g.contains({"action": "s3:GetBucket"})]
    assert placed == ["permitted"]


# -- diff directions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "kind", "direction"),
    [
        ("s3:Get*", "s3:*", "scope-broadened", "loosened"),
        ("s3:*", "s3:GetObject", "scope-narrowed", "tightened"),
        ("s3:Get*", "s3:List*", "scope-changed", "mixed"),
        ("s3:Get*", "S3:GET*", "scope-changed", "neutral"),
        (["s3:GetObject", "s3:GetObjectAcl"], "s3:GetObject*", "scope-broadened", "loosened"),
    ],
)
def test_a_permission_on_patterns_changes_by_what_the_patterns_match(
    before: Any, after: Any, kind: str, direction: str
) -> None:
    old = version(reader(before), patterns=IAM)
    new = version(reader(after), patterns=IAM, label="v2")
    (change,) = policydiff.diff(old, new).changes
    assert (change.kind.value, change.direction.value) == (kind, direction)


def test_widening_a_prohibition_pattern_tightens() -> None:
    old = version({**DENY_ACL, "action": "s3:GetObjectAcl"}, patterns=IAM)
    new = version({**DENY_ACL, "action": "s3:GetObject*"}, patterns=IAM, label="v2")
    (change,) = policydiff.diff(old, new).changes
    assert (change.kind.value, change.direction.value) == ("scope-broadened", "tightened")


def test_a_star_is_any_value_so_naming_it_changes_no_coverage() -> None:
    old = version({"id": "read", "effect": "permit", "action": "s3:GetObject"}, patterns=IAM)
    new = version(reader("s3:GetObject", resource="*"), patterns=IAM, label="v2")
    diff = policydiff.diff(old, new)
    assert [(c.kind.value, c.direction.value) for c in diff.changes] == [
        ("scope-changed", "neutral")
    ]
    assert diff.verdict.value == "equivalent"


def test_a_star_that_was_a_plain_value_becomes_a_pattern_when_declared() -> None:
    old = version(reader("s3:*"))
    new = version(reader("s3:*"), patterns=IAM, label="v2")
    assert policydiff.diff(old, new).verdict.value == "loosened"


# -- impact in words ---------------------------------------------------------------------


def test_impact_says_which_actions_moved_as_patterns_with_exceptions() -> None:
    old = version(reader("s3:Get*"), DENY_ACL, patterns=IAM)
    new = version(reader("s3:*"), DENY_ACL, patterns=IAM, label="v2")
    (cube,) = policydiff.impact(old, new).cubes
    assert cube.description == (
        "Anyone may now take any action matching s3:* except s3:Get*,"
        " where resource is any value matching arn:aws:s3:::logs/*"
        " (was undecided by default; now permitted by read)"
    )


def test_impact_json_gives_pattern_terms_and_validates() -> None:
    old = version(reader("s3:Get*"), DENY_ACL, patterns=IAM)
    new = version(reader("s3:GetObject"), DENY_ACL, patterns=IAM, label="v2")
    data = json.loads(policydiff.render(policydiff.impact(old, new), "json"))
    jsonschema.validate(data, schema("impact"))
    (cube,) = data["cubes"]
    assert cube["values"]["action"] == {
        "matching": [{"all": ["s3:Get*"], "except": ["s3:GetObject", "s3:GetObjectAcl"]}]
    }


def test_span_words_group_plain_patterns_and_set_terms_with_exceptions_apart() -> None:
    span = policydiff.Span(
        matching=((("a*",), ()), (("b*",), ()), (("s3:*",), ("s3:Get*", "s3:List*"))),
        others=True,
        left=("x",),
        patterns=True,
    )
    assert str(span) == (
        "any value matching a* or b*, or matching s3:* except s3:Get* or s3:List*,"
        " or not matching x"
    )


def test_values_only_both_of_two_patterns_match_are_said_as_matching_both() -> None:
    v = version(
        {"id": "first", "effect": "oblige", "action": "a*", "text": "log it"},
        {"id": "last", "effect": "oblige", "action": "*b", "text": "ask first"},
        {"id": "all", "effect": "permit", "action": "*"},
        patterns=["action"],
    )
    words = {g.answer.obligations: str(g.values["action"]) for g in policydiff.decide(v, {}).groups}
    assert words == {
        ("ask first", "log it"): "any value matching *b and a*",
        ("log it",): "any value matching a* except *b",
        ("ask first",): "any value matching *b except a*",
        (): "any value matching * except *b or a*",
    }


# -- exceptions: {not: [...]} --------------------------------------------------------------


def everything_but_iam(**more: Any) -> dict[str, Any]:
    return {"id": "all-but-iam", "effect": "permit", "action": {"not": ["iam:*"]}, **more}


def test_a_not_value_covers_the_values_matching_none_of_its_patterns() -> None:
    v = version(everything_but_iam(), patterns=IAM)
    asked = [policydiff.decide(v, {"action": a}).decision.value for a in ("s3:GetObject", "IAM:X")]
    assert asked == ["permitted", "undecided"]


def test_a_not_value_reads_into_negated_dimensions_and_writes_back_the_same() -> None:
    v = version(
        everything_but_iam(scope={"resource": {"not": "arn:aws:s3:::secret/*"}}), patterns=IAM
    )
    assert v.rules[0].negated == {"action", "resource"}
    assert "    not:\n    - iam:*\n" in policydiff.dumps(v)
    assert policydiff.loads(policydiff.dumps(v)) == v


def test_a_not_value_on_a_dimension_without_patterns_is_refused_where_it_is() -> None:
    with pytest.raises(policydiff.DocumentError) as caught:
        policydiff.loads(
            "policy: p\nversion: v\neffective: 2024-01-01\n"
            "rules:\n  - {id: r, effect: permit, action: {not: [iam:*]}}\n",
            name="p.yaml",
        )
    assert str(caught.value) == (
        "p.yaml:5:37: rules[0].action: {not: [...]} needs a pattern dimension; 'action' is not one"
    )


def test_adding_an_exception_narrows_a_permission() -> None:
    old = version(everything_but_iam(), patterns=IAM)
    new = version(everything_but_iam(action={"not": ["iam:*", "sts:*"]}), patterns=IAM, label="v2")
    (change,) = policydiff.diff(old, new).changes
    assert (change.kind.value, change.direction.value, change.effect.value) == (
        "scope-narrowed",
        "tightened",
        "tightened",
    )
    assert change.description == (
        "Permission narrowed (action: anything but iam:* and sts:*, was anything but iam:*):"
        " Anyone may do anything but iam:* or sts:*."
    )


def test_a_rule_whose_exceptions_match_every_value_covers_no_situation() -> None:
    old = version(
        {"id": "never", "effect": "prohibit", "action": {"not": ["*"]}},
        patterns=IAM,
        default="prohibit",
    )
    new = version(
        {"id": "never", "effect": "prohibit", "action": ["*"]},
        patterns=IAM,
        default="permit",
        label="v2",
    )
    found = policydiff.diff(old, new)
    assert found.verdict.value == "equivalent"
    assert {c.kind.value: c.effect.value for c in found} == {
        "scope-broadened": "none",
        "default-changed": "none",
    }
    assert list(policydiff.impact(old, new)) == []


def test_a_changed_default_moves_only_situations_that_some_rule_leaves_to_it() -> None:
    old = version({"id": "never", "effect": "prohibit", "action": {"not": ["*"]}}, patterns=IAM)
    new = version(
        {"id": "never", "effect": "prohibit", "action": "*"},
        patterns=IAM,
        default="permit",
        label="v2",
    )
    assert policydiff.diff(old, new).verdict.value == "tightened"
    (cube,) = policydiff.impact(old, new)
    assert cube.description == (
        "Anyone may no longer act (was undecided by default; now prohibited by never)"
    )


def test_turning_values_into_exceptions_is_a_mixed_scope_change() -> None:
    old = version(reader("iam:*", resource="*"), patterns=IAM)
    new = version(reader({"not": ["iam:*"]}, resource="*"), patterns=IAM, label="v2")
    (change,) = policydiff.diff(old, new).changes
    assert (change.kind.value, change.direction.value) == ("scope-changed", "mixed")
    assert (change.before, change.after) == (["iam:*"], {"not": ["iam:*"]})


def test_patterns_past_the_step_budget_are_one_clear_line_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("policydiff._glob.MAX_STEPS", 1_000)
    overlapping = [f"*{a}{b}*" for a in "abc" for b in "abc"]
    path = tmp_path / "stars.yaml"
    path.write_text(policydiff.dumps(version(reader(overlapping, resource="*"), patterns=IAM)))
    assert main(["decide", str(path), "action=abc"]) == 2
    printed = capsys.readouterr().err
    assert printed.splitlines() == [
        "policydiff: the patterns of one dimension need more than 1,000 steps to compare;"
        " too many patterns overlap (see the limits of pattern values on the format page)"
    ]


# -- building versions in Python ---------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("action", {"action": Case.SENSITIVE}),
        (["action", "resource"], {"action": Case.SENSITIVE, "resource": Case.SENSITIVE}),
        ({"action": None}, {"action": Case.SENSITIVE}),
        ({"action": "insensitive"}, {"action": Case.INSENSITIVE}),
        ({"action": {"case": "insensitive"}}, {"action": Case.INSENSITIVE}),
    ],
)
def test_a_version_built_in_python_takes_patterns_as_names_or_options(
    declared: Any, expected: dict[str, Case]
) -> None:
    v = PolicyVersion(
        policy="p", version="v", effective=policydiff.When.parse("2024"), patterns=declared
    )
    assert dict(v.patterns) == expected


def test_an_unknown_pattern_option_is_refused_in_python() -> None:
    with pytest.raises(ValueError, match="unknown pattern option 'cas'"):
        PolicyVersion(
            policy="p",
            version="v",
            effective=policydiff.When.parse("2024"),
            patterns={"action": {"cas": "insensitive"}},
        )


def test_a_rule_cannot_negate_a_dimension_it_does_not_name() -> None:
    with pytest.raises(ValueError, match="negates dimensions it does not name: resource"):
        policydiff.Rule(id="r", effect="permit", action="s3:*", negated={"resource"})


def test_a_version_cannot_hold_a_negated_dimension_it_does_not_declare() -> None:
    rule = policydiff.Rule(id="r", effect="permit", action="iam:*", negated={"action"})
    with pytest.raises(ValueError, match="does not declare under 'patterns'"):
        PolicyVersion(
            policy="p", version="v", effective=policydiff.When.parse("2024"), rules=[rule]
        )


def test_a_not_value_that_is_not_a_list_of_strings_is_refused() -> None:
    with pytest.raises(policydiff.DocumentError, match=r"expected a string or a list of strings"):
        version(everything_but_iam(action={"not": 5}), patterns=IAM)
