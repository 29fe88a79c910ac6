"""from_cedar: Cedar policy sets read as versions, compared by what they decide."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff.importers import from_cedar
from policydiff.importers._cedar import expression
from policydiff.model import Conflict, Default, Effect, Kind, PolicyVersion, Verdict, When

DATA = Path(__file__).resolve().parent.parent / "examples" / "cedar" / "photoflash"
ACTIONS = ['Action::"view"', 'Action::"edit"', 'Action::"delete"']


def _read(name: str, text: str | None = None, **options: object) -> PolicyVersion:
    source = (DATA / name).read_text(encoding="utf-8") if text is None else text
    return from_cedar(
        source, policy="photoflash", version=name, effective="2024-01-01", name=name, **options
    )


def _error(text: str, **options: object) -> str:
    with pytest.raises(policydiff.DocumentError) as raised:
        from_cedar(text, policy="p", version="1", effective="2024", name="bad.cedar", **options)
    return str(raised.value)


def _rule(version: PolicyVersion, rule_id: str) -> policydiff.Rule:
    return next(rule for rule in version.rules if rule.id == rule_id)


# -- the mapping ---------------------------------------------------------------


def test_cedar_decides_by_default_deny_and_forbid_overrides_permit() -> None:
    version = _read("january@2024-01-01.cedar")
    assert (version.default, version.conflict) == (Default.PROHIBIT, Conflict.PROHIBIT_OVERRIDES)


def test_permit_and_forbid_become_permit_and_prohibit_with_their_at_id() -> None:
    version = _read("january@2024-01-01.cedar")
    assert {(rule.id, rule.effect) for rule in version.rules} == {
        ("family-views-vacation", Effect.PERMIT),
        ("owners-manage-their-photos", Effect.PERMIT),
        ("no-public-raw-files", Effect.PROHIBIT),
    }


def test_scope_constraints_become_subject_action_and_resource() -> None:
    rule = _rule(_read("january@2024-01-01.cedar"), "family-views-vacation")
    assert rule.subject == {'Group::"family"'}
    assert rule.action == {'Action::"view"'}
    assert dict(rule.scope) == {"resource": {'Album::"vacation"'}}


def test_an_equality_scope_also_names_the_entity_type() -> None:
    version = _read("x", 'permit (principal == User::"alice", action == Action::"view", resource);')
    (rule,) = version.rules
    assert rule.subject == {'User::"alice"'}
    assert dict(rule.scope) == {"principal-type": {"User"}}


def test_is_and_is_in_constrain_the_entity_type() -> None:
    text = (
        'forbid (principal is User in Group::"banned", action == Action::"view",'
        " resource is Photo);"
    )
    (rule,) = _read("x", text).rules
    assert rule.subject == {'Group::"banned"'}
    assert dict(rule.scope) == {"principal-type": {"User"}, "resource-type": {"Photo"}}


def test_equalities_in_when_become_dimensions_and_the_rest_conditions() -> None:
    rule = _rule(_read("january@2024-01-01.cedar"), "no-public-raw-files")
    assert dict(rule.scope) == {
        "context.network": {"public"},
        "resource.format": {"raw"},
        "resource-type": {"Photo"},
    }
    assert rule.conditions == frozenset()
    owners = _rule(_read("january@2024-01-01.cedar"), "owners-manage-their-photos")
    assert owners.conditions == {"resource.owner == principal"}


def test_a_set_contains_or_an_or_of_equalities_is_a_dimension_of_several_values() -> None:
    text = (
        'permit (principal, action == Action::"view", resource)'
        ' when { ["eu", "uk"].contains(context.region) }'
        ' when { context.tier == "gold" || context.tier == "silver" };'
    )
    (rule,) = _read("x", text).rules
    assert dict(rule.scope) == {"context.region": {"eu", "uk"}, "context.tier": {"gold", "silver"}}


def test_in_written_in_a_when_clause_reads_as_the_same_scope() -> None:
    in_scope = 'permit (principal in Group::"a", action == Action::"v", resource in Album::"x");'
    in_clause = (
        'permit (principal, action == Action::"v", resource)'
        ' when { (principal in Group::"a") && resource in [Album::"x"] };'
    )
    assert _read("x", in_clause).rules == _read("x", in_scope).rules


def test_an_action_named_in_a_when_clause_needs_no_action_list() -> None:
    text = 'forbid (principal, action, resource) when { action in [Action::"edit"] };'
    (rule,) = _read("x", text).rules
    assert rule.action == {'Action::"edit"'}
    text = 'forbid (principal, action, resource) when { action == Action::"edit" };'
    assert _read("y", text).rules == _read("x", text.replace("==", "in")).rules


def test_in_several_groups_in_a_when_clause_is_a_subject_of_several_values() -> None:
    text = (
        'permit (principal, action == Action::"v", resource)'
        ' when { principal in [Group::"a", Group::"b"] || principal in Group::"c" }'
        ' when { context.user in Group::"d" && principal in [Group::"e", context.group] };'
    )
    (rule,) = _read("x", text).rules
    assert rule.subject == {'Group::"a"', 'Group::"b"', 'Group::"c"'}
    assert rule.conditions == {
        'context.user in Group::"d"',
        'principal in [Group::"e", context.group]',
    }


def test_unless_is_a_negated_condition_in_cedar_text() -> None:
    text = (
        'forbid (principal, action == Action::"edit", resource)'
        ' unless { context.mfa && context.ip.isInRange(ip("10.0.0.0/8")) };'
    )
    (rule,) = _read("x", text).rules
    assert rule.conditions == {'!(context.mfa && context.ip.isInRange(ip("10.0.0.0/8")))'}


def test_conditions_are_written_with_only_the_parentheses_they_need() -> None:
    text = (
        'permit (principal, action == Action::"view", resource) when {'
        " (context.a + 1) * 2 < 10 && !(context.b || context.c)"
        ' && resource has "last name" && context.s like "a*\\*" && principal is User'
        ' && (if context.q then 1 else 2) == 1 && context.r == {a: [true], "b c": -3} };'
    )
    (rule,) = _read("x", text).rules
    assert rule.conditions == {
        "(context.a + 1) * 2 < 10",
        "!(context.b || context.c)",
        'resource has "last name"',
        'context.s like "a*\\*"',
        "principal is User",
        "(if context.q then 1 else 2) == 1",
        'context.r == {a: [true], "b c": -3}',
    }


def test_methods_sets_and_entities_print_as_cedar_and_literals_become_values() -> None:
    text = (
        'permit (principal, action == Action::"view", resource) when {'
        ' context.tags.isEmpty() || context.tags.containsAll(["a"]) || principal is User in'
        ' Group::"g" || context.at.offset(duration("1h")) > datetime("2024-01-01")'
        ' } when { context.vip == true && context.team == Team::"red" && context.n == 3 };'
    )
    (rule,) = _read("x", text).rules
    assert dict(rule.scope) == {
        "context.n": {"3"},
        "context.team": {'Team::"red"'},
        "context.vip": {"true"},
    }
    assert rule.conditions == {
        'context.tags.isEmpty() || context.tags.containsAll(["a"]) || principal is User in'
        ' Group::"g" || context.at.offset(duration("1h")) > datetime("2024-01-01")'
    }


def test_values_of_the_json_form_print_as_cedar() -> None:
    body = {
        "==": {
            "left": {".": {"left": {"Var": "context"}, "attr": "r"}},
            "right": {
                "Value": {
                    "a": [True, False, 1],
                    "b": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}},
                    "c": {"__entity": {"type": "User", "id": "x"}},
                }
            },
        }
    }
    assert expression(body) == (
        'context.r == {a: [true, false, 1], b: ip("10.0.0.1"), c: User::"x"}'
    )


def test_an_unconstrained_action_means_every_action_given() -> None:
    version = _read("x", "forbid (principal, action, resource);", actions=ACTIONS)
    (rule,) = version.rules
    assert rule.action == set(ACTIONS)


def test_without_a_list_of_actions_an_open_action_is_the_pattern_of_every_action() -> None:
    text = (
        '@id("no-eve") forbid (principal == User::"eve", action, resource);\n'
        '@id("view") permit (principal, action == Action::"view", resource);'
    )
    version = _read("x", text)
    assert version.rule("no-eve").action == {"*"}
    assert dict(version.patterns).keys() == {"action"}
    eve = {"subject": 'User::"eve"', "principal-type": "User"}
    for action in ('Action::"view"', 'Action::"anything"'):
        assert policydiff.decide(version, {**eve, "action": action}).decision.value == "prohibited"
    bob = {"subject": 'User::"bob"', "action": 'Action::"view"'}
    assert policydiff.decide(version, bob).decision.value == "permitted"


def test_a_version_without_an_open_action_declares_no_patterns() -> None:
    assert not _read("x", 'permit (principal, action == Action::"v", resource);').patterns


def test_an_open_action_beside_a_starred_action_id_is_refused() -> None:
    text = 'forbid (principal, action, resource); permit (principal, action == Action::"a*", resource);'
    assert _error(text) == (
        'bad.cedar: the action Action::"a*" holds * or ?, which would match other actions'
    )


def test_an_open_action_beside_action_groups_from_entities_is_refused() -> None:
    text = 'forbid (principal, action, resource); permit (principal, action in Action::"read", resource);'
    entities = [_entity('Action::"view"', 'Action::"read"')]
    assert _error(text, entities=entities) == (
        "bad.cedar: an open action cannot be read beside action groups from the entities"
    )


def test_a_policy_without_at_id_gets_an_id_from_its_content() -> None:
    text = 'permit (principal, action == Action::"view", resource);'
    (rule,) = _read("x", text).rules
    assert rule.id.startswith("cedar-")
    assert _read("y", text.replace(" ", "  ")).rules[0].id == rule.id


def test_the_json_policy_set_format_reads_the_same_without_cedarpy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cedarpy

    text = (DATA / "january@2024-01-01.cedar").read_text(encoding="utf-8")
    as_json = json.loads(cedarpy.policies_to_json_str(text))
    expected = _read("january@2024-01-01.cedar").rules
    monkeypatch.setitem(sys.modules, "cedarpy", None)
    assert _read("x", json.dumps(as_json)).rules == expected
    assert from_cedar(as_json, policy="p", version="1", effective="2024").rules == expected


# -- comparing versions ----------------------------------------------------------


def test_a_forbid_added_and_an_action_list_widened_is_a_mixed_verdict() -> None:
    d = policydiff.diff(_read("january@2024-01-01.cedar"), _read("june@2024-06-01.cedar"))
    assert d.verdict is Verdict.MIXED
    assert [(c.kind, c.rule, c.dimension, set(c.added)) for c in d] == [
        (Kind.SCOPE_BROADENED, "family-views-vacation", "action", {'Action::"comment"'}),
        (Kind.RESTRICTION_IMPOSED, "mfa-for-changes", None, set()),
    ]


def test_the_impact_says_who_gained_and_what_now_needs_mfa() -> None:
    impact = policydiff.impact(_read("january@2024-01-01.cedar"), _read("june@2024-06-01.cedar"))
    assert sorted(cube.description for cube in impact) == [
        'Anyone may less freely Action::"delete" or Action::"edit" (was permitted by'
        ' owners-manage-their-photos when "resource.owner == principal"; otherwise prohibited'
        ' by default; now permitted by owners-manage-their-photos when not "!context.mfa" and'
        ' "resource.owner == principal"; otherwise prohibited by mfa-for-changes or by default)',
        'Group::"family" may now Action::"comment", where resource is Album::"vacation" (was'
        " prohibited by default; now permitted by family-views-vacation)",
    ]


def test_reordering_policies_and_list_items_changes_nothing() -> None:
    first = (DATA / "january@2024-01-01.cedar").read_text(encoding="utf-8")
    policies = first.split("\n\n")[1:]
    reordered = "\n\n".join(reversed(policies)).replace(
        'Action::"view", Action::"edit", Action::"delete"',
        'Action::"delete", Action::"view", Action::"edit"',
    )
    assert reordered != first
    d = policydiff.diff(_read("a", first), _read("b", reordered))
    assert list(d) == []
    assert d.verdict is Verdict.EQUIVALENT


def test_reordering_policies_without_at_id_changes_nothing() -> None:
    one = 'permit (principal, action == Action::"view", resource);'
    two = 'forbid (principal == User::"eve", action == Action::"view", resource);'
    d = policydiff.diff(_read("a", f"{one}\n{two}"), _read("b", f"{two}\n{one}"))
    assert list(d) == []


def test_a_repeated_policy_without_at_id_is_one_rule() -> None:
    one = 'permit (principal, action == Action::"view", resource);'
    assert len(_read("a", f"{one}\n{one}").rules) == 1


def _entity(uid: str, *parents: str) -> dict[str, object]:
    def ref(text: str) -> dict[str, str]:
        kind, _, name = text.partition("::")
        return {"type": kind, "id": name.strip('"')}

    return {"uid": ref(uid), "parents": [ref(parent) for parent in parents], "attrs": {}}


ENTITIES = [
    _entity('User::"alice"', 'Group::"team"'),
    _entity('User::"bob"', 'Group::"staff"'),
    _entity('Group::"team"', 'Group::"staff"'),
    _entity('Group::"staff"'),
    _entity('Action::"view"', 'Action::"read"'),
    _entity('Action::"list"', 'Action::"read"'),
]


def _grouped(group: str, label: str) -> PolicyVersion:
    text = f'@id("read") permit (principal in {group}, action in Action::"read", resource);'
    return _read(label, text, entities=json.dumps(ENTITIES))


def test_with_entities_in_covers_the_members_of_a_group() -> None:
    version = _grouped('Group::"team"', "a")
    assert dict(version.vocabulary.trees["subject"]) == {
        'Group::"staff"': {'Group::"team"', 'User::"bob"'},
        'Group::"team"': {'User::"alice"'},
    }
    assert sorted(version.vocabulary.trees) == sorted(version.open) == ["action", "subject"]
    alice = {"subject": 'User::"alice"', "action": 'Action::"list"'}
    bob = {"subject": 'User::"bob"', "action": 'Action::"list"'}
    assert policydiff.decide(version, alice).decision.value == "permitted"
    assert policydiff.decide(version, bob).decision.value == "prohibited"


def test_a_permits_in_group_widened_to_its_parent_is_broadened_for_the_new_members() -> None:
    before, after = _grouped('Group::"team"', "a"), _grouped('Group::"staff"', "b")
    d = policydiff.diff(before, after)
    assert d.verdict is Verdict.LOOSENED
    assert [(c.kind, c.dimension) for c in d] == [(Kind.SCOPE_BROADENED, "subject")]
    (cube,) = policydiff.impact(before, after)
    assert cube.description.startswith('User::"bob" may now Action::"read" (was prohibited')


def _within(scope: str, group: str, **options: object) -> PolicyVersion:
    text = f'permit ({scope}, action == Action::"v", resource) when {{ principal in {group} }};'
    return _read("x", text, **options)


def test_principal_in_a_group_beside_a_named_principal_is_read_from_the_entities() -> None:
    (rule,) = _within('principal == User::"alice"', 'Group::"team"', entities=ENTITIES).rules
    assert (rule.subject, rule.conditions) == ({'User::"alice"'}, frozenset())
    assert _within('principal == User::"bob"', 'Group::"team"', entities=ENTITIES).rules == ()


def test_two_nested_groups_leave_the_inner_one() -> None:
    version = _within('principal in Group::"staff"', 'Group::"team"', entities=ENTITIES)
    assert version.rules[0].subject == {'Group::"team"'}


def test_without_entities_a_group_beside_a_named_principal_stays_a_condition() -> None:
    (rule,) = _within('principal == User::"alice"', 'Group::"team"').rules
    assert rule.conditions == {'principal in Group::"team"'}


@pytest.mark.parametrize(
    ("entities", "text", "expected"),
    [
        (
            "[{",
            'permit (principal in Group::"a", action == Action::"v", resource);',
            "bad.cedar (entities):1:3: invalid JSON: Expecting property name enclosed in double"
            " quotes",
        ),
        (
            "{}",
            'permit (principal in Group::"a", action == Action::"v", resource);',
            "bad.cedar (entities): expected a list of entities (got a dict)",
        ),
        (
            [{"uid": "alice"}],
            'permit (principal in Group::"a", action == Action::"v", resource);',
            "bad.cedar (entities): [0]: expected an entity with a type and an id (got 'alice')",
        ),
        (
            [_entity('User::"a"', 'Group::"x"', 'Group::"y"')],
            'permit (principal in Group::"x", action == Action::"v", resource);',
            'bad.cedar (entities): [0].parents: User::"a" has 2 parents; a vocabulary value'
            " has at most one",
        ),
        (
            [_entity('Group::"x"', 'Group::"y"'), _entity('Group::"y"', 'Group::"x"')],
            'permit (principal in Group::"x", action == Action::"v", resource);',
            'bad.cedar (entities): the entity hierarchy has a cycle through Group::"x"',
        ),
        (
            ENTITIES,
            'permit (principal == Group::"team", action == Action::"v", resource);',
            'bad.cedar: policy0.principal: principal == Group::"team" names an entity with'
            " members in the entities or schema given; it would cover them as principal in"
            ' Group::"team" does',
        ),
    ],
)
def test_bad_entities_are_refused_with_the_place(
    entities: object, text: str, expected: str
) -> None:
    assert _error(text, entities=entities) == expected


SCHEMA = {
    "PhotoApp": {
        "entityTypes": {"User": {}, "Photo": {}},
        "actions": {
            "view": {"memberOf": [{"id": "read"}]},
            "list": {"memberOf": [{"id": "read", "type": "PhotoApp::Action"}]},
            "read": {},
            "edit": {},
        },
    }
}


def test_a_json_schema_gives_every_action_and_the_action_groups() -> None:
    text = (
        '@id("readers") permit (principal, action in PhotoApp::Action::"read", resource);\n'
        '@id("no-eve") forbid (principal == PhotoApp::User::"eve", action, resource);'
    )
    version = _read("x", text, schema=json.dumps(SCHEMA))
    assert version.rule("no-eve").action == {
        f'PhotoApp::Action::"{name}"' for name in ("view", "list", "read", "edit")
    }
    assert dict(version.vocabulary.trees["action"]) == {
        'PhotoApp::Action::"read"': {'PhotoApp::Action::"view"', 'PhotoApp::Action::"list"'}
    }
    bob = {"subject": 'PhotoApp::User::"bob"', "principal-type": "PhotoApp::User"}
    view = {**bob, "action": 'PhotoApp::Action::"view"'}
    edit = {**bob, "action": 'PhotoApp::Action::"edit"'}
    assert policydiff.decide(version, view).decision.value == "permitted"
    assert policydiff.decide(version, edit).decision.value == "prohibited"


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            "namespace PhotoApp { action view; }",
            "bad.cedar (schema): only Cedar's JSON schema format is read",
        ),
        (
            {"": {"actions": []}},
            "bad.cedar (schema): actions: expected a mapping of actions (got a list)",
        ),
        ({"": {"entityTypes": {}}}, "bad.cedar (schema): the schema declares no action"),
        (
            {"": {"actions": {"view": {"memberOf": [{"id": "a"}, {"id": "b"}]}}}},
            "bad.cedar (schema): actions.view.memberOf: an action may belong to one group"
            " here (a vocabulary is a tree)",
        ),
        (
            {"": {"actions": {"view": {"memberOf": "read"}}}},
            "bad.cedar (schema): actions.view.memberOf: expected a list of action groups"
            " (got 'read')",
        ),
    ],
)
def test_a_bad_schema_is_refused_with_the_place(schema: object, expected: str) -> None:
    assert _error("forbid (principal, action, resource);", schema=schema) == expected


def test_actions_and_a_schema_together_are_refused() -> None:
    message = _error("forbid (principal, action, resource);", schema=SCHEMA, actions=[])
    assert message == "bad.cedar: give the actions either as actions= or as schema=, not both"


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "permit (principal, actio, resource);",
            "bad.cedar: not valid Cedar: found an invalid variable in the policy scope: actio",
        ),
        (
            'permit (principal == ?principal, action == Action::"view", resource);',
            "bad.cedar: templates: policy templates are not read: link them into static"
            " policies first",
        ),
        (
            '@id("a") permit (principal, action == Action::"view", resource);\n'
            '@id("a") forbid (principal, action == Action::"edit", resource);',
            "bad.cedar: policy1.annotations.id: @id 'a' names another policy too",
        ),
        (
            '@id(" a") permit (principal, action == Action::"view", resource);',
            "bad.cedar: policy0.annotations.id: an @id must be non-empty text without"
            " surrounding white space (got ' a')",
        ),
        (
            "{not json",
            "bad.cedar:1:2: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        (
            '{"staticPolicies": {"p": {"effect": "allow"}}}',
            "bad.cedar: p.effect: unknown effect 'allow' (expected one of: forbid, permit)",
        ),
        (
            '{"staticPolicies": {"p": {"effect": "permit", "principal": {"op": "All"},'
            ' "action": {"op": "==", "entity": {"type": "Action", "id": "v"}},'
            ' "resource": {"op": "All"}, "conditions": [{"kind": "when", "body": {"Zap": 1}}]}}}',
            "bad.cedar: p.conditions[0]: unsupported expression 'Zap'",
        ),
    ],
)
def test_bad_cedar_is_a_document_error_naming_the_place(text: str, expected: str) -> None:
    assert _error(text) == expected


def test_brackets_nested_beyond_the_limit_are_refused_before_cedar_reads_them() -> None:
    # Cedar's parser would crash the process on brackets nested this deep.
    deep = "(" * 2000 + "context.x" + ")" * 2000
    text = f'// "((((" in a comment\npermit (principal, action, resource) when {{ {deep} }};'
    assert _error(text) == "bad.cedar:2:108: brackets nested deeper than the limit of 64 levels"


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    text = (
        'permit (principal, action == Action::"v", resource) // ((((((\n'
        f' when {{ context.x == "{"(" * 100}\\"" }};'
    )
    (rule,) = _read("x", text).rules
    assert rule.scope["context.x"] == {"(" * 100 + '"'}


def test_an_expression_nested_beyond_the_limit_is_refused() -> None:
    chain = " || ".join(f"context.x == {i}" for i in range(300))
    text = f'permit (principal, action == Action::"v", resource) when {{ {chain} }};'
    expected = "bad.cedar: an expression is nested deeper than the limit of 256 levels"
    assert _error(text) == expected


def test_neither_text_nor_a_policy_set_is_refused() -> None:
    assert _error(3) == "bad.cedar: expected Cedar text or its JSON policy set (got an int)"  # type: ignore[arg-type]
    assert _error("{}", schema=[1]) == (
        "bad.cedar (schema): expected a mapping of namespaces (got a list)"
    )


def test_a_comment_on_the_last_line_ends_the_text() -> None:
    text = 'permit (principal, action == Action::"v", resource); // the end ((('
    assert len(_read("x", text).rules) == 1


def test_terms_that_name_no_entity_stay_conditions() -> None:
    text = (
        'permit (principal, action == Action::"v", resource)'
        " when { principal in [context.group] && resource in context.albums"
        ' && context.owner == {"__entity": {"type": "User"}} };'
    )
    (rule,) = _read("x", text).rules
    assert "subject" not in rule.dimensions
    assert "resource" not in rule.scope


def test_resource_in_a_group_beside_a_named_resource_is_read_from_the_entities() -> None:
    entities = [_entity('Photo::"beach"', 'Album::"vacation"'), _entity('Album::"vacation"')]
    text = (
        'permit (principal, action == Action::"v", resource in Album::"vacation")'
        ' when { resource in Photo::"beach" };'
    )
    (rule,) = _read("x", text, entities=entities).rules
    assert rule.scope["resource"] == {'Photo::"beach"'}


def test_an_empty_actions_list_is_refused() -> None:
    message = _error("forbid (principal, action, resource);", actions=[])
    assert message == "bad.cedar: policy0.action: actions= names no action"


def _policy(**parts: object) -> str:
    body = {
        "effect": "permit",
        "principal": {"op": "All"},
        "action": {"op": "==", "entity": {"type": "Action", "id": "v"}},
        "resource": {"op": "All"},
        "conditions": [],
        **parts,
    }
    return json.dumps({"staticPolicies": {"p": body}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"staticPolicies": []}',
            "bad.cedar: staticPolicies: expected a mapping of policies (got a list)",
        ),
        ('{"staticPolicies": {"p": 1}}', "bad.cedar: p: expected a policy object (got an int)"),
        (
            _policy(principal="all"),
            "bad.cedar: p.principal: expected a scope constraint object (got a str)",
        ),
        (
            _policy(resource={"op": "in", "entity": {"type": "Album"}}),
            "bad.cedar: p.resource: expected an entity with a type and an id (got {'type': 'Album'})",
        ),
        (
            _policy(action={"op": "in", "entities": []}),
            "bad.cedar: p.action: an empty action list matches nothing",
        ),
        (
            _policy(principal={"op": "like"}),
            "bad.cedar: p.principal: unsupported scope constraint {'op': 'like'}",
        ),
        (
            _policy(resource={"op": "is", "entity_type": "Photo", "in": {"slot": "?resource"}}),
            "bad.cedar: p.resource: a template slot is not read: link the template into a"
            " static policy first",
        ),
        (
            _policy(conditions=[{"kind": "if", "body": {}}]),
            "bad.cedar: p.conditions[0]: expected a when or unless clause (got {'body': {}, 'kind': 'if'})",
        ),
        (
            _policy(conditions=[{"kind": "when", "body": [1]}]),
            "bad.cedar: p.conditions[0]: unsupported expression [1]",
        ),
        (
            _policy(conditions=[{"kind": "when", "body": {"!": {}}}]),
            "bad.cedar: p.conditions[0]: malformed expression (KeyError('arg'))",
        ),
        (
            _policy(conditions=[{"kind": "when", "body": {"Value": 1.5}}]),
            "bad.cedar: p.conditions[0]: unsupported value 1.5",
        ),
    ],
)
def test_a_bad_json_policy_set_names_the_policy_and_field(text: str, expected: str) -> None:
    assert _error(text) == expected


def test_effective_takes_a_when_or_a_datetime() -> None:
    text = 'permit (principal, action == Action::"view", resource);'
    month = When.parse("2024-05")
    instant = pendulum.datetime(2024, 5, 30, 14, tz="Europe/Kyiv")
    by_when = from_cedar(text, policy="p", version="1", effective=month)
    by_datetime = from_cedar(text, policy="p", version="1", effective=instant)
    assert (by_when.effective, by_datetime.effective.instant) == (month, instant)


def test_bad_effective_names_the_field() -> None:
    with pytest.raises(policydiff.DocumentError, match=r"^x.cedar: effective: "):
        from_cedar(
            'permit (principal, action == Action::"view", resource);',
            policy="p",
            version="1",
            effective="2024-13",
            name="x.cedar",
        )


def test_without_cedarpy_cedar_text_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "cedarpy", None)
    with pytest.raises(policydiff.DocumentError) as raised:
        _read("january@2024-01-01.cedar")
    (found,) = raised.value.problems
    assert found.file == "january@2024-01-01.cedar"
    assert "needs the cedarpy package" in found.message
    assert found.hint.startswith("pip install 'policydiff[cedar]';")


_POLICIES = [
    'permit (principal in Group::"family", action == Action::"view", resource);',
    '@id("edit") permit (principal, action in [Action::"edit", Action::"view"], resource)'
    " when { resource.owner == principal };",
    'forbid (principal == User::"eve", action == Action::"view", resource)'
    ' when { context.network == "public" };',
    'permit (principal is User, action == Action::"comment", resource in Album::"a");',
]


@given(order=st.permutations(_POLICIES))
def test_any_order_of_the_policies_reads_as_the_same_version(order: list[str]) -> None:
    assert _read("x", "\n".join(order)) == _read("x", "\n".join(_POLICIES))


_LEAVES = st.one_of(
    st.builds(
        lambda value: {"Value": value},
        st.one_of(st.text('ab"\\*', max_size=3), st.integers(-9, 9), st.booleans()),
    ),
    st.builds(lambda name: {"Var": name}, st.sampled_from(["principal", "resource", "context"])),
)
_NAMES = st.sampled_from(["a", "last name"])
_OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "&&", "||", "+", "-", "*", "in", "contains"]


def _bigger(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(
            lambda op, left, right: {op: {"left": left, "right": right}},
            st.sampled_from(_OPERATORS),
            inner,
            inner,
        ),
        st.builds(lambda arg: {"!": {"arg": arg}}, inner),
        # Cedar folds the minus of a number into the number.
        st.builds(lambda arg: {"neg": {"arg": arg}}, inner.filter(lambda e: "Value" not in e)),
        st.builds(lambda left, attr: {".": {"left": left, "attr": attr}}, inner, _NAMES),
        st.builds(lambda left, attr: {"has": {"left": left, "attr": attr}}, inner, _NAMES),
        st.builds(lambda arg: {"isEmpty": {"arg": arg}}, inner),
        st.builds(lambda left: {"is": {"left": left, "entity_type": "N::Photo"}}, inner),
        st.builds(
            lambda c, t, e: {"if-then-else": {"if": c, "then": t, "else": e}}, inner, inner, inner
        ),
        st.builds(lambda items: {"Set": items}, st.lists(inner, max_size=2)),
        st.builds(lambda fields: {"Record": fields}, st.dictionaries(_NAMES, inner, max_size=2)),
        st.builds(lambda left, right: {"isInRange": [left, {"ip": [right]}]}, inner, _LEAVES),
        st.builds(
            lambda left: {"like": {"left": left, "pattern": [{"Literal": "*"}, "Wildcard"]}}, inner
        ),
    )


@given(expr=st.recursive(_LEAVES, _bigger, max_leaves=8))
def test_a_printed_condition_parses_back_to_the_same_expression(expr: Any) -> None:
    import cedarpy

    text = f"permit (principal, action, resource) when {{ {expression(expr)} }};"
    parsed = json.loads(cedarpy.policies_to_json_str(text))
    assert parsed["staticPolicies"]["policy0"]["conditions"][0]["body"] == expr


# -- against Cedar itself ----------------------------------------------------------

_USERS = {'User::"u0"': 'Group::"g0"', 'User::"u1"': 'Group::"g1"'}
_ORACLE_ENTITIES = [_entity(user, group) for user, group in _USERS.items()] + [
    _entity('Group::"g0"'),
    _entity('Group::"g1"'),
]
_PRINCIPALS = ["principal", *(f"principal == {u}" for u in _USERS), 'principal in Group::"g0"',
               'principal in Group::"g1"', "principal is User"]  # fmt: skip
_ACTIONS = ['action == Action::"a0"', 'action in [Action::"a0", Action::"a1"]',
            'action in [Action::"a1", Action::"a2"]', 'action in Action::"read"', "action"]  # fmt: skip
# Actions a0 and a1 are in the group read: for Cedar as entities, for policydiff in the schema.
_ORACLE_ACTIONS = [_entity('Action::"a0"', 'Action::"read"'), _entity('Action::"a1"', 'Action::"read"'),
                   _entity('Action::"a2"'), _entity('Action::"read"')]  # fmt: skip
_ORACLE_SCHEMA = {"": {"actions": {"a0": {"memberOf": [{"id": "read"}]},
                                   "a1": {"memberOf": [{"id": "read"}]}, "a2": {}, "read": {}}}}  # fmt: skip
_RESOURCES = ["resource", 'resource == Photo::"p0"', "resource is Photo", "resource is Album"]
_CLAUSES = ["", ' when { context.k == "x" }', ' when { context.k == "x" || context.k == "y" }',
            ' when { principal in Group::"g1" }']  # fmt: skip
_CEDAR_POLICIES = st.builds(
    lambda effect, principal, action, resource, clause: (
        f"{effect} ({principal}, {action}, {resource}){clause};"
    ),
    st.sampled_from(["permit", "forbid"]),
    st.sampled_from(_PRINCIPALS),
    st.sampled_from(_ACTIONS),
    st.sampled_from(_RESOURCES),
    st.sampled_from(_CLAUSES),
)


@pytest.mark.parametrize("with_schema", [True, False])
@given(policies=st.lists(_CEDAR_POLICIES, max_size=4))
def test_what_a_version_decides_is_what_cedar_authorizes(
    with_schema: bool, policies: list[str]
) -> None:
    import cedarpy

    text = "\n".join(policies)
    # Without a schema an open action is the pattern *, and action groups are unknown
    # to both sides.
    schema = _ORACLE_SCHEMA if with_schema else None
    actions = _ORACLE_ACTIONS if with_schema else []
    version = _read("x", text, entities=_ORACLE_ENTITIES, schema=schema)
    for user in _USERS:
        for action in ('Action::"a0"', 'Action::"a1"', 'Action::"a2"'):
            for resource in ('Photo::"p0"', 'Photo::"p1"', 'Album::"p0"'):
                for k in ("x", "y", "z"):
                    request = {"principal": user, "action": action, "resource": resource,
                               "context": {"k": k}}  # fmt: skip
                    cedar = cedarpy.is_authorized(
                        request, text, [*_ORACLE_ENTITIES, *actions]
                    ).allowed
                    situation = {
                        "subject": user,
                        "action": action,
                        "resource": resource,
                        "principal-type": "User",
                        "resource-type": resource.partition("::")[0],
                        "context.k": k,
                    }
                    decision = policydiff.decide(version, situation).decision.value
                    assert decision == ("permitted" if cedar else "prohibited"), request
