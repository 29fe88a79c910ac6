"""from_odrl: ODRL 2.2 policies read as versions, with no context ever fetched."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff.importers import from_odrl
from policydiff.model import Conflict, Default, Effect, Kind, PolicyVersion, Verdict

DATA = Path(__file__).resolve().parent.parent / "examples" / "odrl" / "offer-6163"
CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
ASSET = "http://example.com/document:1234"
GERMANY, AUSTRIA, SWITZERLAND = (
    f"https://www.wikidata.org/wiki/{q}" for q in ("Q183", "Q40", "Q39")
)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def _read(source: Any, label: str = "1") -> PolicyVersion:
    return from_odrl(source, policy="offer", version=label, effective="2024-01-01", name="o.jsonld")


def _set(*permissions: Any, **more: Any) -> dict[str, Any]:
    return {"@context": CONTEXT, "@type": "Set", "permission": list(permissions), **more}


def _rule(version: PolicyVersion, effect: Effect) -> policydiff.Rule:
    (rule,) = (rule for rule in version.rules if rule.effect is effect)
    return rule


# -- the mapping ---------------------------------------------------------------


def test_permissions_prohibitions_and_duties_become_permit_prohibit_and_oblige() -> None:
    version = _read((DATA / "january@2024-01-01.jsonld").read_text(encoding="utf-8"))
    assert version.default is Default.PROHIBIT
    assert version.conflict is Conflict.PROHIBIT_OVERRIDES
    assert sorted((rule.id, rule.effect.value) for rule in version.rules) == [
        ("http://example.com/policy:6163:distribute", "permit"),
        ("http://example.com/policy:6163:pay", "oblige"),
        (_rule(version, Effect.PROHIBIT).id, "prohibit"),
    ]


def test_target_assigner_and_simple_constraints_become_dimensions() -> None:
    permit = _rule(_read(_load("january@2024-01-01.jsonld")), Effect.PERMIT)
    assert permit.action == {"distribute"}
    assert dict(permit.scope) == {
        "assigner": {"http://example.com/org:616"},
        "spatial": {GERMANY, AUSTRIA, SWITZERLAND},
        "target": {ASSET},
    }


def test_a_datetime_constraint_stays_a_condition_in_words() -> None:
    permit = _rule(_read(_load("january@2024-01-01.jsonld")), Effect.PERMIT)
    assert permit.conditions == {"dateTime is less than 2025-01-01"}


def test_a_duty_obliges_whoever_uses_the_permission() -> None:
    version = _read(_load("january@2024-01-01.jsonld"))
    duty = _rule(version, Effect.OBLIGE)
    permit = _rule(version, Effect.PERMIT)
    assert (duty.action, duty.scope, duty.conditions) == (
        permit.action,
        permit.scope,
        permit.conditions,
    )
    assert duty.text == "duty: compensate (payAmount is 5.00 http://dbpedia.org/resource/Euro)"


def test_odrl_terms_read_the_same_however_they_are_written() -> None:
    prohibit = _rule(_read(_load("january@2024-01-01.jsonld")), Effect.PROHIBIT)
    assert prohibit.action == {"print", "reproduce"}
    assert prohibit.id.startswith("odrl-")


def test_the_assignee_is_the_subject_and_policy_level_properties_reach_every_rule() -> None:
    data = _set(
        {"action": "play"},
        {"action": "display", "assignee": "http://example.com/party:bob"},
        target=ASSET,
        assignee="http://example.com/party:alice",
    )
    version = _read(data)
    assert {(frozenset(r.subject), frozenset(r.action)) for r in version.rules} == {
        (frozenset({"http://example.com/party:alice"}), frozenset({"play"})),
        (frozenset({"http://example.com/party:bob"}), frozenset({"display"})),
    }
    assert all(rule.scope["target"] == {ASSET} for rule in version.rules)


def test_other_operators_and_logical_constraints_stay_conditions() -> None:
    data = _set(
        {
            "target": ASSET,
            "action": "print",
            "constraint": [
                {"leftOperand": "count", "operator": "lteq", "rightOperand": 10},
                {
                    "or": [
                        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "research"},
                        {"leftOperand": "industry", "operator": "neq", "rightOperand": "ads"},
                    ]
                },
                {
                    "and": [
                        {"leftOperand": "media", "operator": "eq", "rightOperand": "print"},
                        {"leftOperand": "recipient", "operator": "isA", "rightOperand": "Org"},
                    ]
                },
            ],
        }
    )
    rule = _read(data).rules[0]
    assert dict(rule.scope) == {"media": {"print"}, "target": {ASSET}}
    assert rule.conditions == {
        "count is at most 10",
        "(industry is not ads) or (purpose is research)",
        "recipient is a Org",
    }


def test_odrl_conflict_values_choose_the_strategy() -> None:
    permissive = _read(_set({"action": "play"}, conflict="perm"))
    assert permissive.conflict is Conflict.PERMIT_OVERRIDES
    prefixed = _read(_set({"action": "play"}, **{"odrl:conflict": {"@id": "odrl:perm"}}))
    assert prefixed.conflict is Conflict.PERMIT_OVERRIDES


def test_a_policy_level_obligation_and_other_vocabularies_are_read() -> None:
    data = _set(
        {"action": "play", "target": ASSET},
        obligation=[{"uid": "pay-up", "action": "compensate", "assignee": "ex:bob"}],
        **{"dc:title": "Player terms", "@context": [CONTEXT, {"dc": "http://purl.org/dc/terms/"}]},
    )
    oblige = _rule(_read(data), Effect.OBLIGE)
    assert (oblige.id, oblige.subject, oblige.action) == ("pay-up", {"ex:bob"}, {"compensate"})


def test_party_and_asset_objects_are_named_by_their_uid() -> None:
    data = _set(
        {
            "action": "play",
            "target": {"@type": "Asset", "uid": ASSET},
            "assignee": {"@type": "Party", "uid": "ex:alice", "vcard:fn": "Alice"},
        }
    )
    (rule,) = _read(data).rules
    assert (rule.subject, rule.scope["target"]) == ({"ex:alice"}, {ASSET})


def test_constraint_values_of_every_kind_are_written_out() -> None:
    data = _set(
        {
            "action": "play",
            "constraint": [
                {
                    "leftOperand": "virtualLocation",
                    "operator": "eq",
                    "rightOperandReference": "ex:here",
                },
                {"leftOperand": "odrl:event", "operator": "odrl:gt", "rightOperand": True},
                {
                    "leftOperand": "count",
                    "operator": "lt",
                    "rightOperand": 5,
                    "dataType": "xsd:integer",
                },
                {
                    "xone": {
                        "@list": [
                            {"leftOperand": "media", "operator": "eq", "rightOperand": "print"},
                            {"leftOperand": "media", "operator": "eq", "rightOperand": "online"},
                        ]
                    }
                },
            ],
            "duty": {
                "action": "attribute",
                "target": "ex:notice",
                "constraint": {"leftOperand": "media", "operator": "eq", "rightOperand": "print"},
            },
        }
    )
    version = _read(data)
    assert _rule(version, Effect.PERMIT).conditions == {
        "virtualLocation is the value at ex:here",
        "event is greater than true",
        "count is less than 5 (xsd:integer)",
        "exactly one of (media is online), (media is print)",
    }
    assert _rule(version, Effect.OBLIGE).text == "duty: attribute (media print; target ex:notice)"


def test_json_ld_text_as_bytes_is_read() -> None:
    text = (DATA / "january@2024-01-01.jsonld").read_bytes()
    assert _read(text) == _read(_load("january@2024-01-01.jsonld"))


# -- comparing versions ----------------------------------------------------------


def test_a_spatial_constraint_narrowed_is_tightened_where_it_was_dropped() -> None:
    before, after = (
        _read(_load("january@2024-01-01.jsonld")),
        _read(_load("june@2024-06-01.jsonld"), "2"),
    )
    d = policydiff.diff(before, after)
    assert d.verdict is Verdict.TIGHTENED
    assert [(c.kind, c.rule, c.dimension, set(c.removed)) for c in d] == [
        (
            Kind.SCOPE_NARROWED,
            "http://example.com/policy:6163:distribute",
            "spatial",
            {SWITZERLAND},
        ),
        (Kind.SCOPE_NARROWED, "http://example.com/policy:6163:pay", "spatial", {SWITZERLAND}),
    ]
    (cube,) = policydiff.impact(before, after)
    assert cube.description.startswith(
        "Anyone may no longer distribute, where assigner is http://example.com/org:616,"
        f" spatial is {SWITZERLAND} and target is {ASSET}"
    )


def test_reordering_rules_values_and_keys_changes_nothing() -> None:
    data = _load("january@2024-01-01.jsonld")
    shuffled = copy.deepcopy(data)
    shuffled["permission"][0]["constraint"].reverse()
    shuffled["permission"][0]["constraint"][1]["rightOperand"].reverse()
    shuffled["prohibition"][0]["action"].reverse()
    shuffled = dict(reversed(shuffled.items()))
    d = policydiff.diff(_read(data), _read(shuffled, "2"))
    assert list(d) == []
    assert d.verdict is Verdict.EQUIVALENT


# -- bad input -------------------------------------------------------------------


def _bad(**change: Any) -> dict[str, Any]:
    data = _set({"target": ASSET, "action": "play"})
    data.update(change)
    return data


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[1]", "o.jsonld: expected an ODRL policy object (got a list)"),
        ("{", "o.jsonld:1:2: invalid JSON: Expecting property name enclosed in double quotes"),
        (
            _bad(**{"@context": "https://example.com/context.jsonld"}),
            'o.jsonld: ["@context"]: expected the ODRL context http://www.w3.org/ns/odrl.jsonld'
            " (got 'https://example.com/context.jsonld')",
        ),
        (
            _bad(**{"@context": [CONTEXT, "https://example.com/more.jsonld"]}),
            'o.jsonld: ["@context"][1]: only the ODRL context is read, and no other context is'
            " fetched (got 'https://example.com/more.jsonld')",
        ),
        (
            _bad(**{"@context": [CONTEXT, {"target": "http://example.com/target"}]}),
            'o.jsonld: ["@context"][1]: redefines ODRL terms: target',
        ),
        (
            _bad(**{"@type": "Ticket"}),
            "o.jsonld: [\"@type\"]: expected an ODRL policy type (Agreement, Offer, Set), got 'Ticket'",
        ),
        (
            _bad(inheritFrom="http://example.com/p:1"),
            "o.jsonld: inheritFrom: policy"
            " inheritance is not read: merge the parent policy's rules in first",
        ),
        (
            _bad(permission=[{"target": ASSET, "action": "play", "constrant": []}]),
            "o.jsonld: permission[0].constrant: unknown ODRL property (expected one of: @id,"
            " @type, action, assignee, assigner, constraint, duty, target, uid)",
        ),
        (
            _bad(permission=[{"target": ASSET}]),
            "o.jsonld: permission[0]: a rule needs an action (in the rule or the policy)",
        ),
        (
            _bad(
                permission=[
                    {
                        "action": "play",
                        "constraint": {
                            "leftOperand": "count",
                            "operator": "max",
                            "rightOperand": 1,
                        },
                    }
                ]
            ),
            "o.jsonld: permission[0].constraint.operator: unknown operator 'max' (expected"
            " one of: eq, gt, gteq, hasPart, isA, isAllOf, isAnyOf, isNoneOf, isPartOf, lt,"
            " lteq, neq)",
        ),
        (
            _bad(permission=[{"action": "play", "constraint": {"leftOperand": "count"}}]),
            "o.jsonld: permission[0].constraint: a constraint needs operator and rightOperand",
        ),
        (
            _bad(prohibition=[{"action": "play", "remedy": {"action": "delete"}}]),
            "o.jsonld: prohibition[0].remedy: remedies are not read",
        ),
        (
            _bad(
                permission=[{"uid": "r", "action": "play"}],
                prohibition=[{"uid": "r", "action": "print"}],
            ),
            "o.jsonld: prohibition[0].uid: uid 'r' names another rule too",
        ),
        (
            _bad(
                permission=[
                    {"action": "play", "target": {"@type": "AssetCollection", "source": "x"}}
                ]
            ),
            "o.jsonld: permission[0].target: collections defined by a source and refinements"
            " are not read",
        ),
        (
            b"\xff",
            "o.jsonld:1:1: not UTF-8 text (byte 0xff cannot be decoded); save the file as UTF-8",
        ),
        (3, "o.jsonld: expected ODRL JSON-LD text or data (got an int)"),
        (
            _bad(conflict="first"),
            "o.jsonld: conflict: unknown conflict 'first' (expected one of:"
            " invalid, perm, prohibit)",
        ),
        (
            _bad(permission=["play"]),
            "o.jsonld: permission[0]: expected a rule object (got a str)",
        ),
        (
            _bad(permission=[{"action": "play", "constraint": ["x"]}]),
            "o.jsonld: permission[0].constraint[0]: expected a constraint object (got a str)",
        ),
        (
            _bad(permission=[{"action": "play", "duty": ["x"]}]),
            "o.jsonld: permission[0].duty[0]: expected a duty object (got a str)",
        ),
        (
            _bad(permission=[{"action": "play", "duty": [{"target": "x"}]}]),
            "o.jsonld: permission[0].duty[0]: a duty needs an action",
        ),
        (
            _bad(prohibition=[{"action": "play", "duty": [{"action": "pay"}]}]),
            "o.jsonld: prohibition[0].duty: only a permission has duties here",
        ),
        (
            _bad(
                permission=[
                    {
                        "action": "play",
                        "constraint": {
                            "leftOperand": {"a": 1},
                            "operator": "eq",
                            "rightOperand": 1,
                        },
                    }
                ]
            ),
            "o.jsonld: permission[0].constraint.leftOperand: expected an operand name"
            " (got {'a': 1})",
        ),
        (
            _bad(
                permission=[
                    {
                        "action": "play",
                        "constraint": {
                            "leftOperand": "count",
                            "operator": "eq",
                            "rightOperand": [{"a": 1}],
                        },
                    }
                ]
            ),
            "o.jsonld: permission[0].constraint.rightOperand: expected a value, an @id or"
            " an @value (got {'a': 1})",
        ),
        (
            _bad(
                permission=[
                    {
                        "action": "play",
                        "constraint": {
                            "leftOperand": "spatial",
                            "operator": "isAnyOf",
                            "rightOperand": [],
                        },
                    }
                ]
            ),
            "o.jsonld: permission[0].constraint.rightOperand: an empty list matches nothing",
        ),
        (
            _bad(permission=[{"action": [1]}]),
            "o.jsonld: permission[0].action[0]: expected a name or an object with a uid (got 1)",
        ),
        (
            _bad(permission=[{"action": "play", "refinement": []}]),
            "o.jsonld: permission[0].refinement: refinements are read on an action only",
        ),
        (
            _bad(permission=[{"action": "play", "assignee": {"uid": "ex:g", "refinement": []}}]),
            "o.jsonld: permission[0].assignee: collections defined by a source and refinements"
            " are not read",
        ),
    ],
)
def test_bad_odrl_is_a_document_error_naming_the_place_and_field(
    source: Any, expected: str
) -> None:
    with pytest.raises(policydiff.DocumentError) as raised:
        _read(source)
    assert str(raised.value) == expected


def test_a_problem_in_json_ld_text_is_placed_at_its_line_and_column() -> None:
    text = (DATA / "january@2024-01-01.jsonld").read_text(encoding="utf-8")
    text = text.replace('"operator": "lt"', '"operator": "before"')
    with pytest.raises(policydiff.DocumentError) as raised:
        _read(text)
    assert str(raised.value).startswith(
        "o.jsonld:24:23: permission[0].constraint[1].operator: unknown operator 'before'"
    )


def test_a_misspelt_property_gets_a_did_you_mean() -> None:
    with pytest.raises(policydiff.DocumentError) as raised:
        _read(_bad(permission=[{"target": ASSET, "action": "play", "constrant": []}]))
    (problem,) = raised.value.problems
    assert problem.hint == "did you mean 'constraint'?"


def test_every_problem_is_reported_at_once() -> None:
    data = _bad(**{"@type": "Ticket"}, permission=[{"target": ASSET}])
    with pytest.raises(policydiff.DocumentError) as raised:
        _read(data)
    assert [problem.path for problem in raised.value.problems] == ['["@type"]', "permission[0]"]


@given(data=st.data())
def test_any_order_of_rules_and_values_reads_as_the_same_version(data: st.DataObject) -> None:
    document = _load("january@2024-01-01.jsonld")
    shuffled = copy.deepcopy(document)
    shuffled["permission"] = data.draw(st.permutations(document["permission"]))
    constraints = shuffled["permission"][0]["constraint"]
    shuffled["permission"][0]["constraint"] = data.draw(st.permutations(constraints))
    spatial = next(c for c in constraints if c["leftOperand"] == "spatial")
    spatial["rightOperand"] = data.draw(st.permutations(spatial["rightOperand"]))
    shuffled["prohibition"][0]["action"] = data.draw(
        st.permutations(document["prohibition"][0]["action"])
    )
    assert _read(shuffled) == _read(document)
