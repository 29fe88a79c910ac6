"""The brute-force oracle (tests/oracle.py) agrees with hand-worked SPEC cases.

These pin the oracle itself, independently of the package's evaluator: each
expected value below is worked out by hand from SPEC sections 7, 11 and 12.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

import policydiff
from policydiff.model import Conflict, Default, Effect, PolicyVersion, Rule, When
from tests import oracle

HISTORY = Path(__file__).parent.parent / "examples" / "us-ukraine-strikes" / "history"
KHARKIV = "only against Russian forces attacking or preparing to attack the Kharkiv region"


def version(
    *rules: Rule,
    label: str = "v",
    default: str = "permit",
    conflict: Conflict = Conflict.MOST_SPECIFIC,
    vocabulary: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
) -> PolicyVersion:
    """A version built through the public model; ``default`` by its document word."""
    return PolicyVersion(
        policy="p",
        version=label,
        effective=When.parse("2024-05-30"),
        rules=rules,
        default=Default(default),
        conflict=conflict,
        vocabulary=vocabulary or {},
    )


def rule(rule_id: str, effect: str, action: str = "go", **fields: Any) -> Rule:
    return Rule(id=rule_id, effect=Effect(effect), action=action, **fields)


@pytest.fixture(scope="module")
def kharkiv() -> tuple[PolicyVersion, PolicyVersion]:
    return (
        policydiff.load(HISTORY / "2022-no-strikes-inside-russia.yaml"),
        policydiff.load(HISTORY / "2024-05-30-kharkiv.yaml"),
    )


STRIKE = {"subject": "Ukraine", "action": "strike", "weapon": "GMLRS"}


# --- the flagship pair --------------------------------------------------------


def test_kharkiv_counter_fire_from_belgorod_is_permitted_only_under_its_condition(
    kharkiv: tuple[PolicyVersion, PolicyVersion],
) -> None:
    _, new = kharkiv
    answer = oracle.answer(
        new, {**STRIKE, "territory": "Belgorod Oblast", "purpose": "counter-fire"}
    )
    assert answer.decision == "conditional"
    assert answer.conditions == {KHARKIV}
    assert answer.given({KHARKIV}).decision == "permitted"
    assert answer.given({KHARKIV}).deciding == {"kharkiv-defensive-strikes"}
    assert answer.given(()).decision == "prohibited"
    assert answer.given(()).deciding == {"no-strikes-inside-russia"}
    assert answer.rules == {"kharkiv-defensive-strikes", "no-strikes-inside-russia"}
    assert not answer.default


def test_kharkiv_keeps_strikes_from_other_regions_and_with_atacms_prohibited(
    kharkiv: tuple[PolicyVersion, PolicyVersion],
) -> None:
    _, new = kharkiv
    for situation in (
        {**STRIKE, "territory": "Bryansk Oblast", "purpose": "counter-fire"},
        {**STRIKE, "territory": "Kursk Oblast", "purpose": "counter-fire"},
        {**STRIKE, "weapon": "ATACMS", "territory": "Belgorod Oblast", "purpose": "counter-fire"},
    ):
        answer = oracle.answer(new, situation)
        assert answer.decision == "prohibited", situation
        assert answer.rules == {"no-strikes-inside-russia"}


def test_before_kharkiv_every_strike_inside_russia_is_prohibited_and_others_fall_to_default(
    kharkiv: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, _ = kharkiv
    assert oracle.answer(old, {**STRIKE, "territory": "Russian interior"}).decision == "prohibited"
    other = oracle.answer(old, {**STRIKE, "subject": "Poland", "territory": "Kursk Oblast"})
    assert (other.decision, other.default, other.rules) == ("permitted", True, frozenset())


def test_kharkiv_pair_loosens_exactly_counter_fire_with_gmlrs_or_artillery_from_belgorod(
    kharkiv: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, new = kharkiv
    moved = oracle.moved_situations(old, new)
    assert set(moved.values()) == {frozenset({"loosened"})}
    assert {dict(key)["weapon"] for key in moved} == {"GMLRS", "artillery"}
    assert all(
        dict(key) | {"weapon": "w"}
        == {
            "subject": "Ukraine",
            "action": "strike",
            "territory": "Belgorod Oblast",
            "purpose": "counter-fire",
            "weapon": "w",
        }
        for key in moved
    )
    assert oracle.verdict(old, new) == "loosened"


def test_pair_space_holds_leaves_of_either_tree_and_one_other_value(
    kharkiv: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, new = kharkiv
    space = oracle.pair_space(old, new)
    assert space["territory"] == sorted(
        ["Belgorod Oblast", "Bryansk Oblast", "Kursk Oblast", "Russian interior", oracle.OTHER]
    )
    # "defensive" is a parent in both trees, so only its leaf stands for it.
    assert space["purpose"] == sorted(["counter-fire", oracle.OTHER])
    assert space["subject"] == sorted(["Ukraine", oracle.OTHER])


# --- conflict strategies on tiny cases -----------------------------------------

BROAD_PERMIT = rule("broad", "permit")
NARROW_PROHIBIT = rule("narrow", "prohibit", subject="A")
ASKED = {"subject": "A", "action": "go"}


@pytest.mark.parametrize(
    ("conflict", "decision", "deciding"),
    [
        (Conflict.PROHIBIT_OVERRIDES, "prohibited", {"narrow"}),
        (Conflict.PERMIT_OVERRIDES, "permitted", {"broad"}),
        (Conflict.MOST_SPECIFIC, "prohibited", {"narrow"}),
    ],
)
def test_each_conflict_strategy_picks_its_deciding_rules(
    conflict: Conflict, decision: str, deciding: set[str]
) -> None:
    got = oracle.outcome(version(BROAD_PERMIT, NARROW_PROHIBIT, conflict=conflict), ASKED, ())
    assert (got.decision, got.deciding) == (decision, deciding)


def test_most_specific_lets_a_narrow_permit_through_a_broad_prohibit() -> None:
    v = version(rule("broad", "prohibit"), rule("narrow", "permit", subject="A"))
    assert oracle.outcome(v, ASKED, ()).deciding == {"narrow"}
    assert oracle.outcome(v, {"subject": "B", "action": "go"}, ()).decision == "prohibited"


def test_most_specific_falls_back_to_prohibit_when_no_rule_is_within_the_others() -> None:
    v = version(rule("who", "permit", subject="A"), rule("where", "prohibit", scope={"t": ["x"]}))
    got = oracle.outcome(v, {**ASKED, "t": "x"}, ())
    assert (got.decision, got.deciding) == ("prohibited", {"where"})


def test_most_specific_with_equal_coverage_lets_the_prohibits_decide() -> None:
    v = version(rule("yes", "permit", subject="A"), rule("no", "prohibit", subject="A"))
    assert oracle.outcome(v, ASKED, ()).deciding == {"no"}


def test_a_rule_naming_every_leaf_is_narrower_than_one_naming_no_values_there() -> None:
    # Leaf sets hold "any other value" for a dimension a rule does not name,
    # so the rule naming both leaves is within the one that names nothing.
    tree = {"t": {"P": ["x", "y"]}}
    v = version(
        rule("all-leaves", "permit", scope={"t": ["x", "y"]}),
        rule("anything", "prohibit"),
        vocabulary=tree,
    )
    assert oracle.outcome(v, {"action": "go", "t": "x"}, ()).deciding == {"all-leaves"}


def test_several_permits_that_decide_together_are_alternatives() -> None:
    v = version(
        rule("a", "permit", conditions=["c1"]),
        rule("b", "permit", conditions=["c2"]),
        default="prohibit",
    )
    answer = oracle.answer(v, {"action": "go"})
    assert answer.decision == "conditional"
    assert [answer.given(h).decision for h in ((), {"c1"}, {"c2"}, {"c1", "c2"})] == [
        "prohibited",
        "permitted",
        "permitted",
        "permitted",
    ]


# --- defaults and obligations ----------------------------------------------------


def test_default_none_leaves_an_uncovered_situation_undecided() -> None:
    got = oracle.answer(
        version(rule("a", "permit", subject="A"), default="none"), {"subject": "B", "action": "go"}
    )
    assert (got.decision, got.default, got.rules) == ("undecided", True, frozenset())


def test_obligations_are_identified_by_their_text_not_the_rule_id() -> None:
    v = version(
        rule("o1", "oblige", text="report"), rule("o2", "oblige", text="report", subject="A")
    )
    got = oracle.answer(v, ASKED)
    assert got.obligations == {"report"}
    assert got.given(()).obliging == {"o1", "o2"}


def test_textless_obligations_with_the_same_content_are_one_obligation() -> None:
    v = version(rule("o1", "oblige"), rule("o2", "oblige"))
    assert len(oracle.answer(v, ASKED).obligations) == 1


def test_a_conditional_obligation_does_not_make_the_decision_conditional() -> None:
    v = version(rule("o", "oblige", text="report", conditions=["c"]))
    got = oracle.answer(v, ASKED)
    assert (got.decision, got.obligations, got.conditions) == ("permitted", {"report"}, {"c"})
    assert got.given(()).obligations == frozenset()


# --- comparing outcomes -----------------------------------------------------------


def outcome(decision: str, *obligations: str) -> oracle.Outcome:
    return oracle.Outcome(decision, frozenset(obligations), frozenset(), False, frozenset(), 0)


@pytest.mark.parametrize(
    ("before", "after", "directions"),
    [
        (outcome("prohibited"), outcome("permitted"), {"loosened"}),
        (outcome("prohibited"), outcome("undecided"), {"loosened"}),
        (outcome("permitted"), outcome("undecided"), {"tightened"}),
        (outcome("permitted", "a"), outcome("permitted"), {"loosened"}),
        (outcome("permitted"), outcome("permitted", "a"), {"tightened"}),
        (outcome("permitted", "a"), outcome("permitted", "b"), {"loosened", "tightened"}),
        (outcome("prohibited", "a"), outcome("prohibited"), set()),
        (outcome("undecided"), outcome("undecided", "a"), set()),
        (outcome("permitted", "a"), outcome("permitted", "a"), set()),
    ],
)
def test_permissiveness_orders_decisions_then_obligations(
    before: oracle.Outcome, after: oracle.Outcome, directions: set[str]
) -> None:
    assert oracle.compare(before, after) == directions


def test_a_reworded_condition_on_a_permission_is_mixed() -> None:
    old = version(rule("p", "permit", conditions=["c"]), default="prohibit", label="a")
    new = version(rule("p", "permit", conditions=["c, reworded"]), default="prohibit", label="b")
    assert oracle.verdict(old, new) == "mixed"


# --- situations covering many --------------------------------------------------------


def test_an_inner_value_or_an_omitted_dimension_expands_to_the_leaves() -> None:
    tree = {"t": {"P": ["Q", "z"], "Q": ["x", "y"]}}
    v = version(rule("r", "permit", scope={"t": ["x"], "w": ["k"]}), vocabulary=tree)
    assert sorted(s["t"] for s in oracle.expand(v, {"action": "go", "t": "P", "w": "k"})) == [
        "x",
        "y",
        "z",
    ]
    # "t" has a tree, so it is closed: no other value; "w" is open.
    assert sorted((s["t"], s["w"]) for s in oracle.expand(v, {"action": "go", "t": "Q"})) == [
        ("x", oracle.OTHER),
        ("x", "k"),
        ("y", oracle.OTHER),
        ("y", "k"),
    ]


def test_a_situation_covering_alike_situations_answers_once_else_varies() -> None:
    tree = {"t": {"P": ["x", "y"]}}
    v = version(
        rule("r", "prohibit", scope={"t": ["P"]}),
        rule("s", "prohibit", scope={"t": ["x"]}),
        vocabulary=tree,
    )
    assert oracle.decide_many(v, {"action": "go", "t": "P"})[0] == "prohibited"
    w = version(rule("s", "prohibit", scope={"t": ["x"]}), vocabulary=tree)
    assert oracle.decide_many(w, {"action": "go", "t": "P"})[0] == "varies"


# --- vocabulary edits, renames and redundant rules --------------------------------------


def test_deleting_a_tree_a_rule_relied_on_loosens_the_leaves_it_covered() -> None:
    old = version(
        rule("r", "prohibit", scope={"t": ["Russia"]}),
        label="a",
        vocabulary={"t": {"Russia": ["Kursk", "Belgorod"]}},
    )
    new = version(rule("r", "prohibit", scope={"t": ["Russia"]}), label="b")
    assert oracle.moved_situations(old, new) == {
        (("action", "go"), ("t", "Belgorod")): {"loosened"},
        (("action", "go"), ("t", "Kursk")): {"loosened"},
    }


def test_a_leaf_that_becomes_a_parent_is_read_through_each_tree() -> None:
    old = version(
        rule("r", "prohibit", scope={"t": ["x"]}), label="a", vocabulary={"t": {"P": ["x"]}}
    )
    new = version(
        rule("r", "prohibit", scope={"t": ["x"]}),
        label="b",
        vocabulary={"t": {"P": ["x"], "x": ["x1", "x2"]}},
    )
    assert "x" in oracle.pair_space(old, new)["t"]
    assert oracle.verdict(old, new) == "tightened"  # x1 and x2 were nobody's before


def test_renaming_an_oblige_rule_changes_nothing() -> None:
    old = version(rule("o", "oblige"), label="a")
    new = version(rule("o-renamed", "oblige"), label="b")
    assert oracle.verdict(old, new) == "equivalent"


def test_removing_a_redundant_permit_has_no_effect() -> None:
    old = version(
        rule("a", "permit", subject="A"), rule("b", "permit"), default="prohibit", label="a"
    )
    new = version(rule("b", "permit"), default="prohibit", label="b")
    (change,) = policydiff.diff(old, new)
    assert oracle.change_effect(old, new, change, [change]) == "none"
    assert oracle.verdict(old, new) == "equivalent"


def test_narrowing_a_permission_under_most_specific_can_loosen() -> None:
    old, new = narrowing_loosens()
    assert oracle.moved_situations(old, new) == {
        (("action", "go"), ("t", "x"), ("w", "k")): {"loosened"}
    }
    changes = list(policydiff.diff(old, new))
    assert {(c.kind.value, c.dimension) for c in changes} == {
        ("scope-narrowed", "t"),
        ("scope-narrowed", "w"),
    }
    assert {oracle.change_effect(old, new, c, changes) for c in changes} == {"loosened"}


def narrowing_loosens() -> tuple[PolicyVersion, PolicyVersion]:
    """A permit made narrower becomes the most specific rule where it used to lose."""
    prohibit = rule("no-k", "prohibit", scope={"w": ["k"]})
    old = version(rule("p", "permit", scope={"t": ["x", "y"]}), prohibit, label="a")
    new = version(rule("p", "permit", scope={"t": ["x"], "w": ["k"]}), prohibit, label="b")
    return old, new


def test_default_change_effect_counts_only_outcomes_the_default_decided() -> None:
    old = version(rule("p", "permit", subject="A"), default="prohibit", label="a")
    new = version(rule("p", "permit", subject="A"), default="none", label="b")
    (change,) = policydiff.diff(old, new)
    assert oracle.change_effect(old, new, change, [change]) == "loosened"


# --- histories -------------------------------------------------------------------------


def test_timeline_merges_consecutive_versions_that_answer_alike(
    kharkiv: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, new = kharkiv
    belgorod = {**STRIKE, "territory": "Belgorod Oblast", "purpose": "counter-fire"}
    kursk = {**STRIKE, "territory": "Kursk Oblast", "purpose": "counter-fire"}
    assert oracle.timeline([old, new, new], belgorod) == [(0, 1), (1, None)]
    assert oracle.timeline([old, new, new], kursk) == [(0, None)]
