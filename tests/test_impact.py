"""Change-impact analysis: which situations changed decision (SPEC section 7)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

import policydiff
from policydiff import Answer, Decision, DecisionEffect, Impact, impact
from policydiff.errors import DiffError
from policydiff.model import Conflict, Default, Effect, PolicyVersion, Rule, When

HISTORY = Path(__file__).parent.parent / "examples" / "us-ukraine-strikes" / "history"
KHARKIV_CONDITION = (
    "only against Russian forces attacking or preparing to attack the Kharkiv region"
)


def version(
    rules: Iterable[Rule],
    *,
    label: str = "v",
    policy: str = "p",
    default: Default = Default.PERMIT,
    conflict: Conflict = Conflict.MOST_SPECIFIC,
    vocabulary: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
) -> PolicyVersion:
    return PolicyVersion(
        policy=policy,
        version=label,
        effective=When.parse("2024-05-30"),
        rules=tuple(rules),
        default=default,
        conflict=conflict,
        vocabulary=vocabulary or {},
    )


def outcome(answer: Answer) -> tuple[Decision, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return (answer.decision, answer.rules, answer.conditions, answer.obligations)


def rule(rule_id: str, effect: str, action: str | list[str] = "strike", **fields: Any) -> Rule:
    return Rule(id=rule_id, effect=Effect(effect), action=action, **fields)


@pytest.fixture(scope="module")
def flagship() -> Impact:
    old = policydiff.load(HISTORY / "2022-no-strikes-inside-russia.yaml")
    new = policydiff.load(HISTORY / "2024-05-30-kharkiv.yaml")
    return impact(old, new)


# --- the flagship pair ------------------------------------------------------


def test_flagship_is_one_cube_of_defensive_strikes_into_belgorod(flagship: Impact) -> None:
    assert len(flagship) == 1
    (cube,) = flagship
    shown = {dim: span.values for dim, span in cube.values.items()}
    assert shown == {
        "subject": ("Ukraine",),
        "action": ("strike",),
        "territory": ("Belgorod Oblast",),
        "weapon": ("GMLRS", "artillery"),
        "purpose": ("defensive",),
    }
    assert not any(span.others for span in cube.values.values())


def test_flagship_was_prohibited_and_is_now_conditional(flagship: Impact) -> None:
    (cube,) = flagship
    assert outcome(cube.before) == (Decision.PROHIBITED, ("no-strikes-inside-russia",), (), ())
    assert outcome(cube.after) == (
        Decision.CONDITIONAL,
        ("kharkiv-defensive-strikes", "no-strikes-inside-russia"),
        (KHARKIV_CONDITION,),
        (),
    )
    assert cube.after.given([KHARKIV_CONDITION]).decision is Decision.PERMITTED
    assert cube.after.given([]).decision is Decision.PROHIBITED
    assert cube.direction is DecisionEffect.LOOSENED


def test_flagship_does_not_report_atacms(flagship: Impact) -> None:
    assert "ATACMS" not in policydiff.render(flagship, "json")


def test_flagship_text_reads_as_a_sentence(flagship: Impact) -> None:
    (line,) = [line for line in policydiff.render(flagship).splitlines() if line.startswith("- ")]
    assert line == (
        "- Ukraine may now under conditions strike, where purpose is defensive, territory is"
        " Belgorod Oblast and weapon is GMLRS or artillery"
        " (was prohibited by no-strikes-inside-russia;"
        f' now permitted by kharkiv-defensive-strikes when "{KHARKIV_CONDITION}";'
        " otherwise prohibited by no-strikes-inside-russia)"
    )


def test_flagship_json_names_versions_and_effective_instants(flagship: Impact) -> None:
    data = json.loads(policydiff.render(flagship, "json"))
    assert data["policydiff"] == 1
    assert data["policy"] == "us-weapons-use-ukraine"
    assert data["from"] == {
        "version": "no-strikes-inside-russia",
        "effective": "2022-01-01T00:00:00-05:00",
        "precision": "year",
    }
    assert data["to"] == {
        "version": "kharkiv-defensive-strikes",
        "effective": "2024-05-30T00:00:00-04:00",
        "precision": "day",
    }
    (cube,) = data["cubes"]
    assert cube["values"]["weapon"] == ["GMLRS", "artillery"]
    assert cube["before"]["decision"] == "prohibited"
    assert cube["after"]["conditions"] == [KHARKIV_CONDITION]


def test_flagship_markdown_has_a_table_row_per_cube(flagship: Impact) -> None:
    text = policydiff.render(flagship, "markdown")
    assert "| subject | action | purpose | territory | weapon | before | after |" in text
    assert "| Ukraine | strike | defensive | Belgorod Oblast | GMLRS or artillery |" in text


def test_reverting_the_flagship_reports_the_permission_lost(flagship: Impact) -> None:
    (cube,) = impact(flagship.new, flagship.old)
    assert (cube.before.decision, cube.after.decision) == (
        Decision.CONDITIONAL,
        Decision.PROHIBITED,
    )
    assert cube.describe().startswith("Ukraine may no longer strike")


# --- the API shape ----------------------------------------------------------


def test_values_with_braces_are_described_as_written() -> None:
    old = version([], label="a")
    new = version(
        [rule("no-templates", "prohibit", action="{modal}", scope={"place": ["{0}", "a}b"]})],
        label="b",
    )

    (cube,) = impact(old, new)

    assert cube.describe() == (
        "Anyone may no longer {modal}, where place is a}b or {0}"
        " (was permitted by default; now prohibited by no-templates)"
    )


def test_versions_of_different_policies_cannot_be_compared() -> None:
    with pytest.raises(DiffError, match=r"different policies: 'a'.*'b'"):
        impact(version([], policy="a"), version([], policy="b"))


def test_vocabularies_nesting_values_in_opposite_ways_are_each_read_alone() -> None:
    ban = rule("ban", "prohibit", scope={"zone": ["north"]})
    old = version([ban], label="v1", vocabulary={"zone": {"north": ["coast"]}})
    new = version([ban], label="v2", vocabulary={"zone": {"coast": ["north"]}})
    (cube,) = impact(old, new)
    assert cube.values["zone"].values == ("coast",)
    assert (cube.before.decision, cube.after.decision) == (
        Decision.PROHIBITED,
        Decision.PERMITTED,
    )


def test_a_version_against_itself_has_no_impact() -> None:
    v = version([rule("no", "prohibit", subject="Ukraine")])
    result = impact(v, v)
    assert (len(result), bool(result), list(result)) == (0, False, [])
    assert "no situation changed decision" in policydiff.render(result)
    assert "no situation changed decision" in policydiff.render(result, "markdown")
    assert "|" not in policydiff.render(result, "markdown")


def test_output_does_not_depend_on_rule_or_value_order() -> None:
    rules = [
        rule("a", "prohibit", ["strike", "fly"], scope={"zone": ["x", "y"]}),
        rule("b", "permit", scope={"zone": ["y"]}),
        rule("c", "oblige", ["fly"], conditions=["report"]),
    ]
    shuffled = [attrs.evolve(r, action=sorted(r.action, reverse=True)) for r in reversed(rules)]
    old = version([], default=Default.PROHIBIT)
    assert policydiff.render(impact(old, version(rules)), "json") == policydiff.render(
        impact(old, version(shuffled)), "json"
    )


# --- conflict strategies and the default ------------------------------------

BROAD = rule("broad-ban", "prohibit", subject="Ukraine")
NARROW = rule("narrow-permit", "permit", subject="Ukraine", scope={"zone": ["border"]})


def _decisions(result: Impact) -> set[tuple[str, str, str]]:
    return {
        (str(cube.values["zone"]), cube.before.decision.value, cube.after.decision.value)
        for cube in result
    }


def test_most_specific_lets_a_narrower_permit_win() -> None:
    result = impact(version([BROAD]), version([BROAD, NARROW]))
    assert _decisions(result) == {("border", "prohibited", "permitted")}
    (cube,) = result
    assert cube.after.rules == ("narrow-permit",)


def test_most_specific_lets_prohibit_win_where_no_rule_is_narrowest() -> None:
    other = rule("zone-permit", "permit", scope={"zone": ["border"]}, action=["strike", "fly"])
    sideways = rule("subject-ban", "prohibit", subject="Ukraine", action=["strike", "sail"])
    result = impact(version([other]), version([other, sideways]))
    cubes = {(str(c.values["action"]), str(c.values["zone"])): c for c in result}
    assert outcome(cubes["strike", "border"].after) == (
        Decision.PROHIBITED,
        ("subject-ban",),
        (),
        (),
    )


def test_prohibit_overrides_keeps_the_narrower_permit_from_winning() -> None:
    old = version([BROAD], conflict=Conflict.PROHIBIT_OVERRIDES)
    new = version([BROAD, NARROW], conflict=Conflict.PROHIBIT_OVERRIDES)
    assert not impact(old, new)


def test_permit_overrides_lets_a_broader_permit_beat_a_narrower_ban() -> None:
    ban = rule("border-ban", "prohibit", subject="Ukraine", scope={"zone": ["border"]})
    grant = rule("wide-permit", "permit", subject="Ukraine")
    old = version([ban], conflict=Conflict.PERMIT_OVERRIDES)
    (cube,) = impact(old, version([ban, grant], conflict=Conflict.PERMIT_OVERRIDES))
    assert str(cube.values["zone"]) == "border"
    assert outcome(cube.after) == (Decision.PERMITTED, ("wide-permit",), (), ())


def test_most_specific_keeps_the_narrower_ban_over_a_broader_permit() -> None:
    ban = rule("border-ban", "prohibit", subject="Ukraine", scope={"zone": ["border"]})
    grant = rule("wide-permit", "permit", subject="Ukraine")
    assert not impact(version([ban]), version([ban, grant]))


def test_changing_the_conflict_strategy_reports_where_it_matters() -> None:
    old = version([BROAD, NARROW], conflict=Conflict.MOST_SPECIFIC)
    new = version([BROAD, NARROW], conflict=Conflict.PROHIBIT_OVERRIDES)
    (cube,) = impact(old, new)
    assert str(cube.values["zone"]) == "border"
    assert (cube.before.rules, cube.after.rules) == (("narrow-permit",), ("broad-ban",))


def test_changing_the_default_reports_only_situations_no_rule_decides() -> None:
    rules = [rule("ban", "prohibit", subject="Ukraine")]
    result = impact(version(rules), version(rules, default=Default.PROHIBIT))
    spans = [(str(c.values["subject"]), str(c.values["action"])) for c in result]
    assert len(spans) == 2
    assert set(spans) == {("any other value", "any"), ("Ukraine", "any other value")}
    assert all(c.before.default and c.after.default for c in result)


def test_an_empty_policy_changing_its_default_is_one_cube_over_everything() -> None:
    old = version([])
    (cube,) = impact(old, attrs.evolve(old, default=Default.PROHIBIT))
    assert dict(cube.values) == {}
    assert cube.describe() == (
        "Anyone may no longer act (was permitted by default; now prohibited by default)"
    )


def test_sentences_name_subjects_and_actions_no_rule_names() -> None:
    rules = [rule("ban", "prohibit", subject="Ukraine")]
    result = impact(version(rules), version(rules, default=Default.PROHIBIT))
    assert [cube.describe() for cube in result] == [
        "Ukraine may no longer take any other action"
        " (was permitted by default; now prohibited by default)",
        "Anyone else may no longer act (was permitted by default; now prohibited by default)",
    ]


def test_an_obligation_splits_a_default_change_where_it_applies() -> None:
    old = version([rule("watch", "oblige")])
    result = impact(old, attrs.evolve(old, default=Default.PROHIBIT))
    assert [(str(c.values["action"]), c.after.obligations) for c in result] == [
        ("any other value", ()),
        ("strike", ("Everyone must meet a requirement to strike",)),
    ]


def test_a_conditional_permit_becoming_unconditional_is_a_change() -> None:
    before = rule("p", "permit", conditions=["at night"])
    after = attrs.evolve(before, conditions=frozenset())
    closed = Default.PROHIBIT
    (cube,) = impact(version([before], default=closed), version([after], default=closed))
    assert (cube.before.decision, cube.after.decision) == (
        Decision.CONDITIONAL,
        Decision.PERMITTED,
    )
    assert cube.describe() == (
        'Anyone may now unconditionally strike (was permitted by p when "at night"; otherwise prohibited'
        " by default; now permitted by p)"
    )


def test_a_condition_on_a_permit_that_the_default_also_grants_changes_nothing() -> None:
    before = rule("p", "permit", conditions=["at night"])
    assert not impact(version([before]), version([attrs.evolve(before, conditions=frozenset())]))


def test_a_permission_gaining_a_condition_is_now_only_conditional() -> None:
    grant = rule("p", "permit", subject="Ukraine")
    closed = Default.PROHIBIT
    (cube,) = impact(
        version([grant], default=closed),
        version([attrs.evolve(grant, conditions=["approval"])], default=closed),
    )
    assert cube.describe() == (
        "Ukraine may now only under conditions strike"
        ' (was permitted by p; now permitted by p when "approval"; otherwise prohibited by default)'
    )


def test_markdown_lists_conditions_and_obligations_in_the_table() -> None:
    grant = rule("p", "permit", conditions=["approval"])
    duty = rule("duty", "oblige", text="log|it")
    closed = Default.PROHIBIT
    text = policydiff.render(
        impact(version([], default=closed), version([grant, duty], default=closed)), "markdown"
    )
    assert (
        '| strike | prohibited by default | permitted by p, with obligations: log\\|it when "approval";'
        " otherwise prohibited by default, with obligations: log\\|it |"
    ) in text


def test_a_subject_span_with_few_exceptions_names_them() -> None:
    ban = rule("ban", "prohibit")
    spared = rule("spared", "permit", subject="Ukraine")
    watch = rule("watch", "oblige", "fly", subject="Poland")
    (cube,) = impact(version([watch]), version([ban, spared, watch]))
    assert cube.describe().startswith("Anyone except Ukraine may no longer strike")


# --- obligations ------------------------------------------------------------


def test_a_new_obligation_alone_is_a_changed_decision() -> None:
    report = rule("report-strikes", "oblige", subject="Ukraine", text="Report every strike.")
    (cube,) = impact(version([]), version([report]))
    assert outcome(cube.before) == (Decision.PERMITTED, (), (), ())
    assert outcome(cube.after) == (Decision.PERMITTED, (), (), ("Report every strike.",))
    assert cube.direction is DecisionEffect.TIGHTENED
    assert "with obligations: Report every strike." in cube.describe()


def test_obligations_attach_to_the_decision_they_share_situations_with() -> None:
    ban = rule("ban", "prohibit", scope={"zone": ["border"]})
    report = rule("report", "oblige", scope={"zone": ["border", "deep"]}, text="Report it.")
    result = impact(version([report]), version([report, ban]))
    (cube,) = result
    assert outcome(cube.after) == (Decision.PROHIBITED, ("ban",), (), ("Report it.",))


# --- values: "any other value" and vocabulary parents -----------------------


def test_narrowing_a_ban_to_one_value_frees_every_other_value() -> None:
    old = version([rule("ban", "prohibit")])
    new = version([rule("ban", "prohibit", scope={"weapon": ["ATACMS"]})])
    (cube,) = impact(old, new)
    weapon = cube.values["weapon"]
    assert (weapon.values, weapon.others, weapon.any) == ((), True, False)
    assert cube.to_dict()["others"] == ["weapon"]
    assert "weapon is any other value" in cube.describe()


def test_a_dimension_the_whole_cube_spans_shows_as_any() -> None:
    ban = rule("ban", "prohibit", scope={"zone": ["border"]})
    old = version([ban], default=Default.PROHIBIT)
    (cube,) = impact(old, version([ban, rule("fly", "permit", "fly")], default=Default.PROHIBIT))
    assert cube.values["zone"].any
    assert cube.to_dict()["values"] == {"action": ["fly"], "zone": "any"}
    assert cube.describe() == (
        "Anyone may now fly (was prohibited by default; now permitted by fly)"
    )


def test_a_span_over_all_but_a_few_values_lists_the_exceptions() -> None:
    ban = rule("ban", "prohibit")
    spared = rule("spared", "permit", scope={"zone": ["x"]})
    watch = rule("watch", "oblige", "fly", scope={"zone": ["y"]})
    (cube,) = impact(version([watch]), version([ban, spared, watch]))
    assert cube.values["zone"].excluded == ("x",)
    assert str(cube.values["zone"]) == "any value except x"
    assert cube.to_dict()["values"]["zone"] == {"except": ["x"]}


def test_a_parent_stands_for_its_children_when_all_changed_alike() -> None:
    vocabulary = {"territory": {"Russia": ["Belgorod Oblast", "Kursk Oblast"]}}
    old = version([], vocabulary=vocabulary)
    new = version(
        [
            rule("ban", "prohibit", scope={"territory": ["Belgorod Oblast", "Kursk Oblast"]}),
            rule("ban-belgorod", "oblige", scope={"territory": ["Belgorod Oblast"]}, action="fly"),
        ],
        vocabulary=vocabulary,
    )
    strike = [c for c in impact(old, new) if c.values["action"].values == ("strike",)]
    assert [c.values["territory"].values for c in strike] == [("Russia",)]


def test_a_parent_is_not_shown_when_only_some_children_changed(flagship: Impact) -> None:
    (cube,) = flagship
    assert "Russian border regions" not in cube.values["territory"].values


def test_a_vocabulary_change_alone_changes_the_situations_it_moves() -> None:
    ban = rule("ban", "prohibit", scope={"territory": ["Russia"]})
    old = version([ban], vocabulary={"territory": {"Russia": ["Belgorod Oblast"]}})
    new = version([ban], vocabulary={"territory": {"Russia": ["Belgorod Oblast", "Kursk Oblast"]}})
    (cube,) = impact(old, new)
    assert cube.values["territory"].values == ("Kursk Oblast",)
    assert (cube.before.decision, cube.after.decision) == (
        Decision.PERMITTED,
        Decision.PROHIBITED,
    )


def test_unnamed_leaves_under_a_named_value_are_never_listed() -> None:
    leaves = [f"site-{i}" for i in range(500)]
    vocabulary = {"territory": {"Russia": leaves}}
    old = version([], vocabulary=vocabulary)
    new = version([rule("ban", "prohibit", scope={"territory": ["Russia"]})], vocabulary=vocabulary)
    (cube,) = impact(old, new)
    assert cube.values["territory"].values == ("Russia",)


def test_an_unconditional_prohibition_carries_no_conditions_of_a_conditional_one() -> None:
    def version(label: str, *rules: Rule) -> PolicyVersion:
        return PolicyVersion(
            policy="p",
            version=label,
            effective=When.parse("2024"),
            rules=rules,
            conflict=Conflict.PROHIBIT_OVERRIDES,
        )

    banned = Rule(id="banned", effect=Effect.PROHIBIT, action="ship", scope={"item": ["camera"]})
    licence = Rule(
        id="licence",
        effect=Effect.PROHIBIT,
        action="ship",
        scope={"item": ["camera"]},
        conditions=["without a licence"],
    )
    result = policydiff.impact(version("a", licence), version("b", licence, banned))
    (cube,) = result.cubes
    assert cube.before.decision is Decision.CONDITIONAL
    assert cube.after.decision is Decision.PROHIBITED
    assert cube.describe().endswith("now prohibited by banned, licence)")
