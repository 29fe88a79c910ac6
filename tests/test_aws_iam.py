"""AWS IAM policies in: from_aws_iam, its errors, and histories of managed policies.

The documents are written for these tests after the public IAM JSON policy
reference (grammar, elements, condition operators); none is fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff.errors import DocumentError
from policydiff.importers import from_aws_iam
from policydiff.model import Conflict, Default, Effect, PolicyVersion

ROOT = Path(__file__).resolve().parent.parent
MANAGED = ROOT / "examples" / "aws-iam" / "DataLakeReadOnlyAccess"
BAD = Path(__file__).parent / "data" / "bad-aws-iam"


def read(document: Any, **labels: Any) -> PolicyVersion:
    """Import ``document`` with labels that do not matter to the test."""
    return from_aws_iam(
        document,
        policy=labels.get("policy", "reports"),
        version=labels.get("version", "v1"),
        effective=labels.get("effective", "2024-05-30"),
    )


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_READ = {
    "Sid": "ReadReports",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
}


# -- what a statement becomes ------------------------------------------------------


class TestMapping:
    def test_allow_is_a_permit_with_its_actions_and_resources(self) -> None:
        rule = read(policy(ALLOW_READ)).rule("ReadReports")
        assert rule.effect is Effect.PERMIT
        assert rule.action == {"s3:GetObject", "s3:ListBucket"}
        assert rule.scope == {"resource": {"arn:aws:s3:::reports", "arn:aws:s3:::reports/*"}}

    def test_deny_is_a_prohibit(self) -> None:
        deny = {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
        assert read(policy(deny)).rule("NoDelete").effect is Effect.PROHIBIT

    def test_the_version_leaves_what_no_statement_decides_to_other_policies(self) -> None:
        version = read(policy(ALLOW_READ))
        assert version.default is Default.NONE
        assert version.conflict is Conflict.PROHIBIT_OVERRIDES

    def test_the_labels_given_are_the_versions(self) -> None:
        version = read(policy(ALLOW_READ), policy="p", version="v7", effective="2024-05")
        assert (version.policy, version.version, str(version.effective)) == ("p", "v7", "May 2024")

    def test_one_statement_object_reads_as_a_list_of_one(self) -> None:
        assert read({"Statement": ALLOW_READ}) == read({"Statement": [ALLOW_READ]})

    def test_json_text_bytes_and_parsed_data_read_alike(self) -> None:
        text = json.dumps(policy(ALLOW_READ))
        assert read(text) == read(text.encode("utf-8")) == read(policy(ALLOW_READ))

    def test_a_single_action_string_is_a_list_of_one(self) -> None:
        one = {**ALLOW_READ, "Action": "s3:GetObject"}
        assert read(policy(one)).rule("ReadReports").action == {"s3:GetObject"}

    def test_a_wildcard_resource_leaves_the_dimension_out(self) -> None:
        anywhere = {**ALLOW_READ, "Resource": "*"}
        assert "resource" not in read(policy(anywhere)).rule("ReadReports").scope

    def test_a_statement_without_resource_covers_any_resource(self) -> None:
        trust = {"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole"}
        assert read(policy(trust)).rule("Assume").scope == {}

    def test_an_empty_statement_list_is_a_version_without_rules(self) -> None:
        assert read({"Version": "2012-10-17", "Statement": []}).rules == ()

    def test_an_id_and_the_2008_language_version_are_accepted(self) -> None:
        old = {"Version": "2008-10-17", "Id": "reports-policy", "Statement": [ALLOW_READ]}
        assert read(old).rule_ids == {"ReadReports"}


class TestPrincipals:
    def rule_principals(self, principal: Any) -> frozenset[str] | None:
        statement = {**ALLOW_READ, "Principal": principal}
        return read(policy(statement)).rule("ReadReports").scope.get("principal")

    def test_principals_are_written_with_their_type(self) -> None:
        principal = {
            "AWS": ["arn:aws:iam::111122223333:role/Analyst"],
            "Service": "athena.amazonaws.com",
            "Federated": "cognito-identity.amazonaws.com",
            "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        }
        assert self.rule_principals(principal) == {
            "AWS:arn:aws:iam::111122223333:role/Analyst",
            "Service:athena.amazonaws.com",
            "Federated:cognito-identity.amazonaws.com",
            "CanonicalUser:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        }

    def test_an_account_id_is_the_accounts_root(self) -> None:
        assert self.rule_principals({"AWS": "111122223333"}) == {
            "AWS:arn:aws:iam::111122223333:root"
        }
        assert self.rule_principals({"AWS": "111122223333"}) == self.rule_principals(
            {"AWS": "arn:aws:iam::111122223333:root"}
        )

    @pytest.mark.parametrize("anyone", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
    def test_anyone_leaves_the_dimension_out(self, anyone: Any) -> None:
        assert self.rule_principals(anyone) is None


class TestConditions:
    def rule(self, condition: dict[str, Any]) -> Any:
        statement = {**ALLOW_READ, "Condition": condition}
        return read(policy(statement)).rule("ReadReports")

    def test_string_equals_on_a_key_is_a_dimension_named_for_the_key(self) -> None:
        rule = self.rule({"StringEquals": {"aws:SourceVpc": ["vpc-2", "vpc-1"]}})
        assert rule.scope["aws:sourcevpc"] == {"vpc-1", "vpc-2"}
        assert rule.conditions == frozenset()

    def test_condition_keys_name_one_dimension_whatever_their_case(self) -> None:
        upper = self.rule({"StringEquals": {"aws:SourceVpc": "vpc-1"}})
        lower = self.rule({"StringEquals": {"AWS:SOURCEVPC": "vpc-1"}})
        assert upper == lower

    def test_other_operators_are_conditions_in_iams_words(self) -> None:
        rule = self.rule(
            {
                "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]},
                "Bool": {"aws:SecureTransport": True},
                "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
            }
        )
        assert rule.conditions == {
            "IpAddress aws:SourceIp [198.51.100.0/24, 203.0.113.0/24]",
            "Bool aws:SecureTransport true",
            "NumericLessThan aws:MultiFactorAuthAge 3600",
        }
        assert set(rule.scope) == {"resource"}

    @pytest.mark.parametrize(
        "condition",
        [
            {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}},
            {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}},
            {"StringEquals": {"s3:prefix": "home/*"}},
            {"StringEquals": {"aws:SourceVpc": []}},
            {"StringEquals": {"resource": "arn:aws:s3:::other/*"}},
        ],
        ids=["if-exists", "set-operator", "wildcard-value", "no-value", "no-service-prefix"],
    )
    def test_what_a_dimension_cannot_say_stays_a_condition(self, condition: Any) -> None:
        rule = self.rule(condition)
        assert set(rule.scope) == {"resource"}
        assert len(rule.conditions) == 1

    def test_a_key_tested_by_two_operators_stays_two_conditions(self) -> None:
        rule = self.rule(
            {
                "StringEquals": {"aws:PrincipalTag/team": "data"},
                "StringNotEquals": {"aws:PrincipalTag/team": "interns"},
            }
        )
        assert rule.conditions == {
            "StringEquals aws:PrincipalTag/team data",
            "StringNotEquals aws:PrincipalTag/team interns",
        }

    def test_reordered_condition_values_are_the_same_condition(self) -> None:
        ips = ["203.0.113.0/24", "198.51.100.0/24"]
        assert self.rule({"IpAddress": {"aws:SourceIp": ips}}) == self.rule(
            {"IpAddress": {"aws:SourceIp": ips[::-1]}}
        )


class TestPatterns:
    def test_action_resource_and_principal_are_declared_pattern_dimensions(self) -> None:
        version = read(policy(ALLOW_READ))
        assert {dim: case.value for dim, case in version.patterns.items()} == {
            "action": "insensitive",
            "principal": "sensitive",
            "resource": "sensitive",
        }

    def test_a_wildcard_action_covers_the_actions_it_matches_in_any_case(self) -> None:
        statement = {**ALLOW_READ, "Action": "s3:Get*", "Resource": "*"}
        version = read(policy(statement))
        decided = [
            policydiff.decide(version, {"action": a}).decision.value
            for a in ("s3:GetObject", "S3:GETOBJECTACL", "s3:PutObject")
        ]
        assert decided == ["permitted", "permitted", "undecided"]

    def test_an_explicit_deny_wins_over_a_broader_allow(self) -> None:
        allow = {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        deny = {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
        version = read(policy(allow, deny))
        answer = policydiff.decide(version, {"action": "s3:DeleteObject"})
        assert (answer.decision.value, answer.rules) == ("prohibited", ("NoDelete",))

    def test_actions_differing_only_in_case_decide_alike(self) -> None:
        lower = read(policy({**ALLOW_READ, "Action": ["s3:getobject"]}), version="v1")
        upper = read(policy({**ALLOW_READ, "Action": ["S3:GetObject"]}), version="v2")
        assert policydiff.diff(lower, upper).verdict.value == "equivalent"

    @pytest.mark.parametrize("operator", ["StringLike", "ArnLike", "ArnEquals"])
    def test_a_pattern_operator_on_one_key_is_a_pattern_dimension(self, operator: str) -> None:
        statement = {
            **ALLOW_READ,
            "Condition": {operator: {"aws:SourceArn": "arn:aws:sns:*:111122223333:alerts-*"}},
        }
        version = read(policy(statement))
        assert version.rule("ReadReports").scope["aws:sourcearn"] == {
            "arn:aws:sns:*:111122223333:alerts-*"
        }
        assert "aws:sourcearn" in version.patterns
        situation = {
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::reports/q1.csv",
            "aws:sourcearn": "arn:aws:sns:eu-west-1:111122223333:alerts-billing",
        }
        assert policydiff.decide(version, situation).decision.value == "permitted"


class TestNegations:
    def test_not_action_covers_every_action_but_those_listed(self) -> None:
        deny = {"Sid": "OnlyIam", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"]}
        version = read(policy(deny))
        assert version.rule("OnlyIam").negated == {"action"}
        decided = [
            policydiff.decide(version, {"action": a}).decision.value
            for a in ("ec2:RunInstances", "IAM:CreateUser")
        ]
        assert decided == ["prohibited", "undecided"]

    def test_not_resource_covers_every_resource_but_those_listed(self) -> None:
        statement = {
            "Sid": "OutsideReports",
            "Effect": "Deny",
            "Action": "s3:*",
            "NotResource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
        }
        version = read(policy(statement))
        assert version.rule("OutsideReports").negated == {"resource"}
        decided = [
            policydiff.decide(version, {"action": "s3:GetObject", "resource": r}).decision.value
            for r in ("arn:aws:s3:::payroll/jan.csv", "arn:aws:s3:::reports/jan.csv")
        ]
        assert decided == ["prohibited", "undecided"]

    def test_not_principal_covers_every_principal_but_those_listed(self) -> None:
        statement = {
            "Sid": "OnlyAuditors",
            "Effect": "Deny",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/Auditor"},
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::audit-logs/*",
        }
        rule = read(policy(statement)).rule("OnlyAuditors")
        assert rule.negated == {"principal"}
        assert rule.scope["principal"] == {"AWS:arn:aws:iam::111122223333:role/Auditor"}

    def test_not_principal_anyone_covers_no_principal(self) -> None:
        statement = {
            "Sid": "Nobody",
            "Effect": "Deny",
            "NotPrincipal": {"AWS": "*"},
            "Action": "s3:*",
        }
        version = read(policy(statement))
        assert version.rule("Nobody").scope["principal"] == {"*"}
        situation = {"action": "s3:GetObject", "principal": "AWS:arn:aws:iam::111122223333:root"}
        assert policydiff.decide(version, situation).decision.value == "undecided"

    def test_an_action_list_turned_into_not_action_is_a_mixed_change(self) -> None:
        listed = {"Sid": "Ops", "Effect": "Allow", "Action": ["ec2:*"], "Resource": "*"}
        inverted = {"Sid": "Ops", "Effect": "Allow", "NotAction": ["ec2:*"], "Resource": "*"}
        old = read(policy(listed), version="v1", effective="2024-01")
        new = read(policy(inverted), version="v2", effective="2024-02")
        (change,) = policydiff.diff(old, new)
        assert (change.kind.value, change.direction.value) == ("scope-changed", "mixed")


class TestRuleIds:
    UNNAMED: ClassVar[dict[str, Any]] = {
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": "arn:aws:s3:::reports/*",
    }

    def test_a_sid_is_the_rule_id(self) -> None:
        assert read(policy(ALLOW_READ)).rule_ids == {"ReadReports"}

    def test_an_unnamed_statement_gets_an_id_from_what_it_applies_to(self) -> None:
        (rule,) = read(policy(self.UNNAMED)).rules
        assert rule.id.startswith("allow-")
        denied = {**self.UNNAMED, "Effect": "Deny"}
        (deny,) = read(policy(denied)).rules
        assert deny.id.startswith("deny-")

    def test_actions_added_to_an_unnamed_statement_broaden_one_rule(self) -> None:
        old = read(policy(self.UNNAMED), version="v1", effective="2024-01")
        more = {**self.UNNAMED, "Action": ["s3:GetObject", "s3:GetObjectVersion"]}
        new = read(policy(more), version="v2", effective="2024-02")
        (change,) = policydiff.diff(old, new)
        assert (change.kind.value, change.added) == ("scope-broadened", {"s3:GetObjectVersion"})

    def test_unnamed_statements_that_apply_to_the_same_get_distinct_ids(self) -> None:
        other = {**self.UNNAMED, "Action": "s3:PutObject"}
        version = read(policy(self.UNNAMED, other))
        assert len(version.rules) == 2

    def test_the_same_unnamed_statement_twice_is_one_rule(self) -> None:
        assert read(policy(self.UNNAMED, self.UNNAMED)) == read(policy(self.UNNAMED))

    def test_ids_do_not_depend_on_where_a_statement_sits(self) -> None:
        other = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
        assert read(policy(self.UNNAMED, other)) == read(policy(other, self.UNNAMED))


class TestGetPolicyVersionAnswer:
    DOCUMENT: ClassVar[dict[str, Any]] = policy(ALLOW_READ)

    def test_version_id_and_create_date_label_the_version(self) -> None:
        answer = {
            "PolicyVersion": {
                "Document": self.DOCUMENT,
                "VersionId": "v3",
                "IsDefaultVersion": True,
                "CreateDate": "2023-08-10T17:32:05+00:00",
            }
        }
        version = from_aws_iam(answer, policy="reports")
        assert version.version == "v3"
        assert version.effective.instant.isoformat() == "2023-08-10T17:32:05+00:00"
        assert version.rule_ids == {"ReadReports"}

    def test_labels_given_win_over_the_answers(self) -> None:
        answer = {"PolicyVersion": {"Document": self.DOCUMENT, "VersionId": "v3"}}
        version = from_aws_iam(answer, policy="reports", version="mine", effective="2024")
        assert (version.version, str(version.effective)) == ("mine", "2024")

    def test_a_url_encoded_document_is_decoded(self) -> None:
        from urllib.parse import quote

        answer = {
            "PolicyVersion": {
                "Document": quote(json.dumps(self.DOCUMENT)),
                "VersionId": "v1",
                "CreateDate": "2019-03-01",
            }
        }
        assert from_aws_iam(answer, policy="reports").rule_ids == {"ReadReports"}

    def test_a_bad_statement_in_an_encoded_document_names_the_document(self) -> None:
        broken = policy({"Sid": "Read", "Action": "s3:GetObject"})
        answer = {"PolicyVersion": {"Document": json.dumps(broken), "VersionId": "v1"}}
        with pytest.raises(DocumentError) as caught:
            from_aws_iam(json.dumps(answer), policy="reports", effective="2024", name="v1.json")
        (problem,) = caught.value.problems
        assert problem.file == "v1.json (PolicyVersion.Document)"
        assert problem.message == "missing 'Effect' (Allow or Deny)"


# -- bad input -----------------------------------------------------------------------


EXPECTED: dict[str, list[str]] = {
    "bad-action.json": [
        "bad-action.json:2:46: Statement.Action: expected an action such as s3:GetObject,"
        " or * (got 'GetObject')",
    ],
    "bad-condition.json": [
        'bad-condition.json:9:51: Statement[0].Condition.StringEquals["aws:PrincipalTag/team"]:'
        " expected a string, number or boolean (got a dict)",
        "bad-condition.json:10:17: Statement[0].Condition.Bool: expected a mapping of condition"
        " keys to values (got [] that is a list)",
        "bad-condition.json:13:65: Statement[1].Condition: expected a mapping of operators"
        " (got 'aws:SecureTransport' that is a str)",
    ],
    "bad-types.json": [
        "bad-types.json:6:34: Statement[0].Action[1]: expected a non-empty string (got 7 that is an int)",
        "bad-types.json:7:19: Statement[0].Resource: expected a string or a non-empty list of"
        " strings (got {'Bucket': 'reports'} that is a dict)",
        "bad-types.json:11:17: Statement[1].Action: expected a string or a non-empty list of"
        " strings (got an empty list)",
        'bad-types.json:12:20: Statement[1].Principal: expected "*" or a mapping of principal'
        " types (got ['arn:aws:iam::111122223333:root'] that is a list)",
        "bad-types.json:14:5: Statement[2]: expected a statement, a JSON object"
        " (got 'Allow everything' that is a str)",
    ],
    "bad-version.json": [
        "bad-version.json:2:14: Version: expected 2012-10-17 or 2008-10-17 (got '2024-01-01')",
    ],
    "both-action-and-not-action.json": [
        "both-action-and-not-action.json:5:5: Statement.NotAction: NotAction and Action cannot"
        " both be given",
    ],
    "duplicate-keys.json": [
        "duplicate-keys.json:4:5: Statement.Effect: duplicate key 'Effect' (first at line 3)",
    ],
    "duplicate-sid.json": [
        "duplicate-sid.json:5:13: Statement[1].Sid: duplicate Sid 'Read' (first at Statement[0])",
    ],
    "effect-lower-case.json": [
        "effect-lower-case.json:4:15: Statement.Effect: expected Allow or Deny (got 'allow')",
    ],
    "missing-action.json": [
        "missing-action.json:2:3: Statement: missing 'Action'",
    ],
    "missing-effect.json": [
        "missing-effect.json:4:5: Statement[0]: missing 'Effect' (Allow or Deny)",
    ],
    "missing-statement.json": [
        "missing-statement.json:1:1: missing 'Statement'",
    ],
    "not-an-object.json": [
        "not-an-object.json:1:1: expected a policy document, a JSON object (got a list)",
    ],
    "syntax-error.json": [
        "syntax-error.json:3:50: invalid JSON: Expecting property name enclosed in double quotes",
    ],
    "unknown-keys.json": [
        "unknown-keys.json:3:3: Statment: unknown policy element (expected one of: Version,"
        " Id, Statement)",
        "unknown-keys.json:7:7: Statement[0].Actions: unknown statement element (expected one"
        " of: Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource,"
        " Condition)",
        "unknown-keys.json:9:21: Statement[0].Principal.Aws: unknown principal type (expected"
        " one of: AWS, CanonicalUser, Federated, Service)",
    ],
    "wrapper-without-document.json": [
        "wrapper-without-document.json:2:3: PolicyVersion: missing 'Document'",
    ],
}


def test_every_bad_file_has_its_expected_lines() -> None:
    assert sorted(path.name for path in BAD.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_policy_is_refused_with_every_problem_in_place(name: str) -> None:
    text = (BAD / name).read_text(encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        from_aws_iam(text, policy="p", version="v1", effective="2024", name=name)
    assert [str(problem) for problem in caught.value.problems] == EXPECTED[name]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("effect-lower-case.json", "Effect is case-sensitive"),
        ("unknown-keys.json", "did you mean 'Statement'?"),
    ],
)
def test_a_bad_policy_says_what_to_do(name: str, hint: str) -> None:
    text = (BAD / name).read_text(encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        from_aws_iam(text, policy="p", version="v1", effective="2024", name=name)
    assert caught.value.problems[0].hint == hint


def test_bad_labels_are_reported_with_the_argument_named() -> None:
    with pytest.raises(DocumentError) as caught:
        from_aws_iam(policy(ALLOW_READ), policy=" ", version=None, effective="2024-13")
    assert [(p.path, p.message.split(" (")[0]) for p in caught.value.problems] == [
        ("policy", "expected a non-empty string without surrounding spaces"),
        ("version", "cannot tell this version's label"),
        ("effective", "impossible date '2024-13'"),
    ]


def test_parsed_data_too_deep_is_refused() -> None:
    deep: Any = "s3:GetObject"
    for _ in range(100):
        deep = [deep]
    with pytest.raises(DocumentError, match="nested deeper than the limit"):
        read(policy({**ALLOW_READ, "Action": deep}))


# -- reordering changes nothing ------------------------------------------------------

_actions = st.lists(
    st.sampled_from(["s3:GetObject", "s3:PutObject", "s3:List*", "glue:GetTable", "*"]),
    min_size=1,
    max_size=4,
    unique=True,
)
_resources = st.lists(
    st.sampled_from(["*", "arn:aws:s3:::a", "arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]),
    min_size=1,
    max_size=3,
    unique=True,
)
_statements = st.lists(
    st.fixed_dictionaries(
        {
            "Effect": st.sampled_from(["Allow", "Deny"]),
            "Action": _actions,
            "Resource": _resources,
        },
        optional={
            "Sid": st.sampled_from(["A", "B", "C"]),
            "Condition": st.sampled_from(
                [
                    {"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}},
                    {"Bool": {"aws:SecureTransport": "false"}},
                    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}},
                ]
            ),
        },
    ),
    max_size=5,
    unique_by=lambda s: s.get("Sid", id(s)),
)


def _shuffled(statements: list[dict[str, Any]], order: Callable[[list[Any]], list[Any]]) -> Any:
    return [
        {
            key: order(value) if isinstance(value, list) else value
            for key, value in reversed(list(statement.items()))
        }
        for statement in order(statements)
    ]


@given(statements=_statements, seed=st.randoms(use_true_random=False))
def test_reordering_statements_actions_and_values_changes_nothing(
    statements: list[dict[str, Any]], seed: Any
) -> None:
    def order(values: list[Any]) -> list[Any]:
        copy = list(values)
        seed.shuffle(copy)
        return copy

    before = read(policy(*statements))
    after = read(policy(*_shuffled(statements, order)))
    assert after == before
    assert list(policydiff.diff(before, after)) == []


# -- a managed policy's history ------------------------------------------------------


def test_a_managed_policys_history_reads_from_its_folder() -> None:
    history = policydiff.load_history(MANAGED, input_format="aws-iam")
    assert [v.version for v in history.versions] == ["v1", "v2", "v3", "v4"]
    assert {v.policy for v in history.versions} == {"DataLakeReadOnlyAccess"}
    assert history.last.summary == "S3 reads over plain HTTP are denied."


def test_actions_added_to_a_managed_policy_loosen_it() -> None:
    history = policydiff.load_history(MANAGED, input_format="aws-iam")
    step = policydiff.diff(history.find("v1"), history.find("v2"))
    (change,) = step
    assert change.kind.value == "scope-broadened"
    assert change.added == {"athena:GetQueryResults", "glue:GetPartition*"}
    assert step.verdict.value == "loosened"


def test_a_wildcard_replaced_by_some_of_its_actions_narrows_the_policy() -> None:
    history = policydiff.load_history(MANAGED, input_format="aws-iam")
    step = policydiff.diff(history.find("v2"), history.find("v3"))
    (change,) = step
    assert (change.kind.value, change.direction.value) == ("scope-narrowed", "tightened")
    assert change.removed == {"s3:Get*"}
    assert step.verdict.value == "tightened"


def test_what_a_managed_policy_decides_follows_its_history() -> None:
    history = policydiff.load_history(MANAGED, input_format="aws-iam")
    timeline = history.decision_timeline({"action": "s3:GetObjectAcl"})
    assert [(p.version, p.answer.decision.value) for p in timeline] == [
        ("v1", "permitted"),
        ("v3", "undecided"),
        ("v4", "conditional"),
    ]


def test_a_conditional_deny_makes_the_decision_conditional() -> None:
    history = policydiff.load_history(MANAGED, input_format="aws-iam")
    answer = history.decide({"action": "s3:GetObject"}, at="2024-06-01")
    assert answer.decision.value == "conditional"
    assert answer.conditions == ("Bool aws:SecureTransport false",)


def test_a_deny_added_to_a_managed_policy_imposes_a_restriction() -> None:
    history = policydiff.load_history(MANAGED, input_format="aws-iam")
    step = policydiff.diff(history.find("v3"), history.find("v4"))
    imposed = [c for c in step if c.kind.value == "restriction-imposed"]
    assert [c.rule for c in imposed] == ["DenyInsecureTransport"]
    assert step.verdict.value == "tightened"


# -- the command line ------------------------------------------------------------------


def test_import_prints_the_version_a_managed_policy_file_is(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, err = run(
        "import", "aws-iam", str(MANAGED / "v4@2024-05-30.json"), "--format", "json"
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["policy"], data["version"], data["default"]) == (
        "DataLakeReadOnlyAccess",
        "v4",
        "none",
    )
    assert data["rules"][0]["id"] == "DenyInsecureTransport"


def test_diff_compares_two_iam_files_as_they_are(run: Callable[..., tuple[int, str, str]]) -> None:
    old, new = MANAGED / "v1@2019-03-01.json", MANAGED / "v2@2021-06-15.json"
    code, out, _ = run("diff", str(old), str(new), "--input-format", "aws-iam", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert (found["from"]["version"], found["to"]["version"]) == ("v1", "v2")
    assert found["verdict"] == "loosened"


def test_check_fails_a_step_that_adds_actions(run: Callable[..., tuple[int, str, str]]) -> None:
    old, new = MANAGED / "v1@2019-03-01.json", MANAGED / "v2@2021-06-15.json"
    code, _, _ = run(
        "check", str(old), str(new), "--input-format", "aws-iam", "--fail-on", "loosened"
    )
    assert code == 1


def test_a_bad_policy_on_the_command_line_is_one_line_per_problem(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, err = run(
        "import",
        "aws-iam",
        str(BAD / "both-action-and-not-action.json"),
        "--policy",
        "p",
        "--version",
        "v1",
        "--effective",
        "2024",
    )
    assert (code, out) == (2, "")
    assert err == (
        f"{BAD / 'both-action-and-not-action.json'}:5:5: Statement.NotAction:"
        " NotAction and Action cannot both be given\n"
    )


def test_validate_checks_a_folder_of_iam_policies(
    run: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    code, _, _ = run("validate", str(MANAGED), "--input-format", "aws-iam")
    assert code == 0
    broken = tmp_path / "DataLakeReadOnlyAccess"
    broken.mkdir()
    for path in MANAGED.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "v5@2025-01-10.json").write_bytes((BAD / "missing-effect.json").read_bytes())
    code, _, err = run("validate", str(broken), "--input-format", "aws-iam")
    assert code == 2
    assert f"{broken / 'v5@2025-01-10.json'}:4:5: Statement[0]: missing 'Effect'" in err
