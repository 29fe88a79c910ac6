"""Judging a diff by what it decides: verdict, each change's effect, impact, the gate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff import (
    Conflict,
    Decision,
    DecisionEffect,
    Default,
    DiffError,
    Direction,
    Effect,
    Kind,
    PolicyVersion,
    Rule,
    Verdict,
    When,
)
from policydiff._cli import main
from policydiff._impact import Judge


def version(
    *rules: Rule,
    label: str = "v1",
    default: Default = Default.PERMIT,
    conflict: Conflict = Conflict.MOST_SPECIFIC,
    vocabulary: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
) -> PolicyVersion:
    return PolicyVersion(
        policy="p",
        version=label,
        effective=When.parse("2024-01-01" if label == "v1" else "2024-02-01"),
        rules=rules,
        default=default,
        conflict=conflict,
        vocabulary=vocabulary or {},
    )


def rule(rule_id: str, effect: str, **fields: Any) -> Rule:
    fields.setdefault("action", "travel")
    return Rule(id=rule_id, effect=Effect(effect), **fields)


def effects(d: policydiff.PolicyDiff) -> list[tuple[str, str, str]]:
    return [(c.kind.value, c.direction.value, c.effect.value) for c in d]


# -- most-specific: narrowing a permission can let a situation through -------------

BAN = rule("ban", "prohibit", scope={"zone": ["a", "b"], "means": ["car"]})
WIDE = rule("grant", "permit", scope={"zone": ["a", "b", "c"], "means": ["car"]})
NARROW = attrs.evolve(WIDE, scope={"zone": ["a"], "means": ["car"]})


def test_narrowing_a_permission_under_most_specific_can_loosen() -> None:
    d = policydiff.diff(version(BAN, WIDE), version(BAN, NARROW, label="v2"))

    assert effects(d) == [("scope-narrowed", "tightened", "loosened")]
    assert d.verdict is Verdict.LOOSENED
    (cube,) = d.impact()
    assert cube.contains({"action": "travel", "zone": "a", "means": "car"})
    assert (cube.before.rules, cube.after.rules) == (("ban",), ("grant",))


def test_the_gate_fails_a_narrowing_that_lets_a_situation_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    policydiff.dump(version(BAN, WIDE), old)
    policydiff.dump(version(BAN, NARROW, label="v2"), new)

    assert main(["check", str(old), str(new), "--fail-on", "loosened"]) == 1
    assert main(["check", str(old), str(new), "--fail-on", "loosened", "--by", "rules"]) == 0
    capsys.readouterr()


# -- merging a redundant rule into a broader one changes no decision ---------------

NORTH = rule("no-north", "prohibit", scope={"zone": ["north"]})
SOUTH = rule("no-south", "prohibit", scope={"zone": ["south"]})
MERGED = attrs.evolve(NORTH, scope={"zone": ["north", "south"]})


def test_merging_a_rule_into_a_broader_one_is_equivalent() -> None:
    d = policydiff.diff(version(NORTH, SOUTH), version(MERGED, label="v2"))

    assert d.verdict is Verdict.EQUIVALENT
    assert effects(d) == [
        ("scope-broadened", "tightened", "none"),
        ("restriction-lifted", "loosened", "none"),
    ]
    lifted = next(c for c in d if c.kind is Kind.RESTRICTION_LIFTED)
    assert lifted.covered_by == ("no-north",)
    assert "no decision changed: covered by no-north" in policydiff.render(d)


def _merge_files(folder: Path) -> tuple[Path, Path]:
    """Write the travel rules before and after the merge into ``folder``."""
    old, new = folder / "old.yaml", folder / "new.yaml"
    policydiff.dump(version(NORTH, SOUTH), old)
    policydiff.dump(version(MERGED, label="v2"), new)
    return old, new


def test_the_gate_passes_a_merge_that_lifts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = _merge_files(tmp_path)

    assert main(["check", str(old), str(new), "--fail-on", "any"]) == 0
    assert main(["check", str(old), str(new), "--fail-on", "loosened", "--by", "rules"]) == 1
    capsys.readouterr()


def test_a_shadowed_permission_changes_no_decision() -> None:
    broad = rule("broad", "permit")
    extra = rule("extra", "permit", scope={"zone": ["north"]})
    d = policydiff.diff(version(broad), version(broad, extra, label="v2"))

    assert d.verdict is Verdict.EQUIVALENT
    assert effects(d) == [("permission-granted", "loosened", "none")]


# -- vocabulary: a value that is a leaf in one version and a parent in the other ---


def test_deleting_a_vocabulary_tree_a_rule_relied_on_is_reported() -> None:
    ban = rule("ban", "prohibit", scope={"territory": ["Russia"]})
    tree = {"territory": {"Russia": ["Belgorod Oblast", "Kursk Oblast"]}}
    d = policydiff.diff(version(ban, vocabulary=tree), version(ban, label="v2"))

    assert d.verdict is Verdict.LOOSENED
    ((kind, direction, effect),) = effects(d)
    assert (kind, direction, effect) == ("metadata-changed", "neutral", "loosened")
    (cube,) = d.impact()
    assert cube.values["territory"].values == ("Belgorod Oblast", "Kursk Oblast")


def test_a_leaf_becoming_a_parent_moves_only_its_new_children() -> None:
    ban = rule("ban", "prohibit", scope={"territory": ["Russia"]})
    grant = rule("grant", "permit", scope={"territory": ["Kursk Oblast"]})
    old = version(ban, grant)
    tree = {"territory": {"Russia": ["Belgorod Oblast", "Kursk Oblast"]}}
    new = version(ban, grant, label="v2", vocabulary=tree)
    d = policydiff.diff(old, new)

    # Kursk Oblast now lies below Russia, but the permit is the more specific rule;
    # Belgorod Oblast, unknown before, is now banned as part of Russia.
    assert d.verdict is Verdict.TIGHTENED
    (cube,) = d.impact()
    assert cube.values["territory"].values == ("Belgorod Oblast",)
    assert policydiff.decide(new, {"action": "travel", "territory": "Kursk Oblast"}).rules == (
        "grant",
    )


def test_a_parent_over_one_child_ties_its_rules_and_prohibit_wins() -> None:
    ban = rule("ban", "prohibit", scope={"territory": ["Russia"]})
    grant = rule("grant", "permit", scope={"territory": ["Kursk Oblast"]})
    new = version(ban, grant, label="v2", vocabulary={"territory": {"Russia": ["Kursk Oblast"]}})

    # Both rules cover exactly the one leaf: neither is narrower, so prohibit wins.
    answer = policydiff.decide(new, {"action": "travel", "territory": "Kursk Oblast"})
    assert (answer.decision, answer.rules) == (Decision.PROHIBITED, ("ban",))


# -- obligations by content --------------------------------------------------------


def test_renaming_an_oblige_rule_changes_nothing() -> None:
    duty = rule("log", "oblige", text="Log every trip.")
    d = policydiff.diff(version(duty), version(attrs.evolve(duty, id="log-trips"), label="v2"))

    assert d.verdict is Verdict.EQUIVALENT
    assert effects(d) == [("rule-renamed", "neutral", "none")]
    assert not policydiff.impact(d.old, d.new)


def test_a_new_obligation_on_a_permitted_situation_tightens() -> None:
    duty = rule("log", "oblige", text="Log every trip.")
    d = policydiff.diff(version(), version(duty, label="v2"))

    assert d.verdict is Verdict.TIGHTENED
    assert effects(d) == [("restriction-imposed", "tightened", "tightened")]


def test_an_obligation_on_a_prohibited_situation_does_not_count() -> None:
    ban = rule("ban", "prohibit")
    duty = rule("log", "oblige", text="Log every trip.")
    d = policydiff.diff(version(ban), version(ban, duty, label="v2"))

    assert d.verdict is Verdict.EQUIVALENT


# -- default: none -----------------------------------------------------------------


def test_undecided_ranks_between_prohibited_and_permitted() -> None:
    grant = rule("grant", "permit", subject="Ukraine")
    open_ = version(grant, default=Default.NONE)

    to_prohibit = policydiff.diff(
        open_, attrs.evolve(open_, version="v2", default=Default.PROHIBIT)
    )
    to_permit = policydiff.diff(open_, attrs.evolve(open_, version="v2", default=Default.PERMIT))

    assert (to_prohibit.verdict, to_permit.verdict) == (Verdict.TIGHTENED, Verdict.LOOSENED)
    assert [c.direction for c in to_prohibit] == [Direction.TIGHTENED]
    assert [c.effect for c in to_permit] == [DecisionEffect.LOOSENED]


def test_an_explicit_prohibition_over_an_undecided_situation_tightens() -> None:
    old = version(default=Default.NONE)
    d = policydiff.diff(old, version(rule("ban", "prohibit"), label="v2", default=Default.NONE))

    assert d.verdict is Verdict.TIGHTENED
    (cube,) = d.impact()
    assert (cube.before.decision, cube.after.decision) == (Decision.UNDECIDED, Decision.PROHIBITED)


# -- conditions --------------------------------------------------------------------


def test_a_reworded_condition_is_a_new_proposition_and_so_mixed() -> None:
    closed = Default.PROHIBIT
    grant = rule("grant", "permit", conditions=["with a visa"])
    reworded = attrs.evolve(grant, conditions=["with a valid visa"])
    d = policydiff.diff(
        version(grant, default=closed), version(reworded, label="v2", default=closed)
    )

    assert d.verdict is Verdict.MIXED


def test_conflict_change_takes_part_only_where_two_rules_meet() -> None:
    ban = rule("ban", "prohibit")
    grant = rule("grant", "permit", scope={"zone": ["north"]})
    old = version(ban, grant, conflict=Conflict.MOST_SPECIFIC)
    d = policydiff.diff(old, attrs.evolve(old, version="v2", conflict=Conflict.PROHIBIT_OVERRIDES))

    assert effects(d) == [("conflict-changed", "mixed", "tightened")]


# -- the work budget ---------------------------------------------------------------


def test_too_many_conditions_meeting_in_one_situation_is_a_clear_error() -> None:
    many = [rule(f"r{i}", "permit", conditions=[f"condition {i}"]) for i in range(13)]

    with pytest.raises(DiffError, match="13 conditions meet in one situation"):
        policydiff.decide(version(*many), {"action": "travel"})


def test_a_diff_past_the_budget_still_renders_and_says_so() -> None:
    d = policydiff.diff(version(), version(rule("ban", "prohibit"), label="v2"))

    with policydiff.work_budget(0):
        assert "Verdict by decisions: not worked out (the question needs more than 0 pieces" in (
            policydiff.render(d)
        )
        assert d.to_dict()["verdict"] is None
        with pytest.raises(DiffError, match="more than 0 pieces"):
            _ = d.verdict


def test_the_default_budget_grows_with_the_rules_read_between_a_floor_and_a_ceiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policydiff._decisions import MAX_PIECES, PIECES_CEILING, PIECES_PER_RULE, pieces_allowed

    monkeypatch.delenv("POLICYDIFF_WORK_BUDGET", raising=False)
    assert pieces_allowed(0) == pieces_allowed(40) == MAX_PIECES
    between = (MAX_PIECES // PIECES_PER_RULE + PIECES_CEILING // PIECES_PER_RULE) // 2
    assert MAX_PIECES < pieces_allowed(between) == PIECES_PER_RULE * between < PIECES_CEILING
    assert pieces_allowed(10 * PIECES_CEILING) == PIECES_CEILING


def test_a_question_reading_more_rules_may_explore_more_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policydiff import _decisions
    from policydiff._impact import compare

    # Twelve grants along other dimensions cut the widened ban's new cars
    # into pieces; with a floor below what impact needs, the same question
    # is answered once it reads enough rules (padding that meets nothing).
    grants = [rule(f"grant-{i}", "permit", scope={f"d{i}": ["x"]}) for i in range(12)]
    narrow = rule("ban", "prohibit", scope={"means": ["car"]})
    wide = rule("ban", "prohibit", scope={"means": ["car", "bus"]})
    old, new = version(narrow, *grants), version(wide, *grants, label="v2")
    needed = compare(old, new).space.work
    monkeypatch.delenv("POLICYDIFF_WORK_BUDGET", raising=False)
    monkeypatch.setattr(_decisions, "MAX_PIECES", needed - 1)
    monkeypatch.setattr(_decisions, "PIECES_PER_RULE", 1)

    with pytest.raises(DiffError, match=f"more than {needed - 1:,} pieces"):
        policydiff.impact(old, new)
    padding = [rule(f"pad-{i}", "permit", scope={"means": ["boat"]}) for i in range(needed)]
    padded = policydiff.impact(
        version(narrow, *grants, *padding), version(wide, *grants, *padding, label="v2")
    )
    with policydiff.work_budget(needed):
        expected = policydiff.impact(old, new)
    assert [(c.values, c.direction) for c in padded] == [(c.values, c.direction) for c in expected]
    assert {str(cube.values["means"]) for cube in padded} == {"bus"}


def test_the_budget_variable_sets_the_budget_and_a_bad_value_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = _merge_files(tmp_path)

    monkeypatch.setenv("POLICYDIFF_WORK_BUDGET", "1_000")
    assert main(["impact", str(old), str(new)]) == 0
    monkeypatch.setenv("POLICYDIFF_WORK_BUDGET", "lots")
    capsys.readouterr()
    assert main(["impact", str(old), str(new)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        "POLICYDIFF_WORK_BUDGET must be a whole number of pieces, zero or more; got 'lots'" in err
    )
    assert "Traceback" not in err


def test_a_work_budget_block_wins_over_the_variable_and_ends_with_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLICYDIFF_WORK_BUDGET", "0")
    old, new = version(NORTH, SOUTH), version(MERGED, label="v2")

    with policydiff.work_budget(1_000):
        with policydiff.work_budget(0), pytest.raises(DiffError, match="more than 0 pieces"):
            policydiff.impact(old, new)
        assert policydiff.impact(old, new) is not None
    with pytest.raises(DiffError, match="more than 0 pieces"):
        policydiff.impact(old, new)


@pytest.mark.parametrize("pieces", [-1, 2.5, True, "100"])
def test_a_work_budget_is_a_whole_number_of_pieces(pieces: object) -> None:
    budget = policydiff.work_budget(pieces)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number of pieces"), budget:
        pass


def test_an_obligation_without_text_that_changes_scope_is_a_new_obligation() -> None:
    duty = rule("log", "oblige", scope={"means": ["car"]})
    wider = attrs.evolve(duty, scope={"means": ["car", "bus"]})
    d = policydiff.diff(version(duty), version(wider, label="v2"))

    # Its content names it, so the car journeys now carry a different obligation.
    cars = [c for c in d.impact() if c.contains({"action": "travel", "means": "car"})]
    assert [c.direction for c in cars] == [DecisionEffect.MIXED]


def test_a_diff_built_by_hand_without_changes_is_equivalent() -> None:
    v = version(rule("ban", "prohibit"))

    assert policydiff.PolicyDiff(old=v, new=v, changes=()).verdict is Verdict.EQUIVALENT


def test_a_diff_filtered_by_direction_keeps_the_verdict_of_the_whole() -> None:
    d = policydiff.diff(version(NORTH, SOUTH), version(MERGED, label="v2"))

    only = d.only("loosened")
    assert [c.kind for c in only] == [Kind.RESTRICTION_LIFTED]
    assert only.verdict is Verdict.EQUIVALENT


def test_check_past_the_budget_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = _merge_files(tmp_path)
    monkeypatch.setenv("POLICYDIFF_WORK_BUDGET", "0")

    assert main(["check", str(old), str(new), "--fail-on", "loosened"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "more than 0 pieces of the situation space" in err
    assert "Traceback" not in err
    assert main(["check", str(old), str(new), "--fail-on", "loosened", "--by", "rules"]) == 1


def _hard_and_easy() -> tuple[PolicyVersion, PolicyVersion]:
    """A permission for cars gains a condition; walking turns from banned to allowed.

    Bans on two of three values along each of three dimensions, with grants
    on single values, cover the cars only together, so showing that the
    condition changes nothing takes many pieces; the walking edit meets no
    other rule.
    """
    grants = [
        rule(f"grant-{d}-{v}", "permit", scope={f"d{d}": [f"x{v}"]})
        for d in range(3)
        for v in range(3)
    ]
    bans = [rule(f"ban-{d}", "prohibit", scope={f"d{d}": ["x0", "x1"]}) for d in range(3)]
    cars = rule("cars", "permit", scope={"means": ["car"]})
    licensed = attrs.evolve(cars, conditions=frozenset({"with a licence"}))
    banned, allowed = rule("walk", "prohibit", action="walk"), rule("walk", "permit", action="walk")
    return (
        version(cars, *grants, *bans, banned),
        version(licensed, *grants, *bans, allowed, label="v2"),
    )


def test_past_the_budget_a_diff_keeps_the_effects_it_worked_out() -> None:
    old, new = _hard_and_easy()
    assert effects(policydiff.diff(old, new)) == [
        ("condition-added", "tightened", "none"),
        ("effect-changed", "loosened", "loosened"),
    ]

    with policydiff.work_budget(20):
        d = policydiff.diff(old, new)
        cars, walk = d
        assert walk.effect is DecisionEffect.LOOSENED
        with pytest.raises(DiffError, match="more than 20 pieces"):
            _ = cars.effect
        # Loosened somewhere, and the cars might yet tighten: no verdict.
        with pytest.raises(DiffError, match="more than 20 pieces"):
            _ = d.verdict
        shown = policydiff.render(d)
        data = d.to_dict()
    assert "Verdict by decisions: not worked out" in shown
    assert "decisions not worked out" in shown
    assert "decisions loosened" in shown
    assert data["verdict"] is None
    assert [c["effect"] for c in data["changes"]] == [None, "loosened"]


def test_a_diffs_verdict_keeps_to_the_floor_of_the_budget_unless_one_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policydiff import _decisions

    # Shown with every diff, the verdict does not grow its budget with the
    # rules as impact does.
    old, new = _hard_and_easy()
    monkeypatch.delenv("POLICYDIFF_WORK_BUDGET", raising=False)
    monkeypatch.setattr(_decisions, "MAX_PIECES", 20)
    monkeypatch.setattr(_decisions, "PIECES_PER_RULE", 1_000_000)

    assert {cube.direction for cube in policydiff.impact(old, new)} == {DecisionEffect.LOOSENED}
    with pytest.raises(DiffError, match="more than 20 pieces"):
        _ = policydiff.diff(old, new).verdict
    with policydiff.work_budget(1_000_000):
        assert policydiff.diff(old, new).verdict is Verdict.LOOSENED


def test_past_the_budget_a_diff_that_moved_both_ways_is_mixed() -> None:
    old, new = _hard_and_easy()
    # A ban on running lifted and another on swimming imposed: the verdict is
    # mixed whatever the cars do.
    run = rule("run", "prohibit", action="run")
    swim = rule("swim", "prohibit", action="swim")
    old = attrs.evolve(old, rules=[*old.rules, run])
    new = attrs.evolve(new, rules=[*new.rules, swim])

    with policydiff.work_budget(30):
        d = policydiff.diff(old, new)
        assert d.verdict is Verdict.MIXED
        with pytest.raises(DiffError):
            _ = next(c for c in d if c.rule == "cars").effect
    assert policydiff.diff(old, new).verdict is Verdict.MIXED


def test_the_verdict_needs_less_work_than_the_impact_of_the_same_diff() -> None:
    from policydiff._impact import compare

    # Permits along six other dimensions cut the widened ban's region into 64
    # pieces for impact; none of them can change what the ban decides, so the
    # verdict and the effects do not need those pieces.
    grants = [rule(f"grant-{i}", "permit", scope={f"d{i}": ["x"]}) for i in range(6)]
    narrow = rule("ban", "prohibit", scope={"means": ["car"]})
    wide = rule("ban", "prohibit", scope={"means": ["car", "bus"]})
    old, new = version(narrow, *grants), version(wide, *grants, label="v2")

    with policydiff.work_budget(compare(old, new).space.work - 1):
        with pytest.raises(DiffError, match="pieces of the situation space"):
            policydiff.impact(old, new)
        d = policydiff.diff(old, new)
        assert d.verdict is Verdict.TIGHTENED
        assert effects(d) == [("scope-broadened", "tightened", "tightened")]


def test_a_ban_turned_obligation_is_judged_without_deciding_every_piece_it_covers() -> None:
    # The ban on cars decides every car journey before (no permit lies within
    # it), so its region can only loosen; once that is known, the pieces the
    # twelve grants cut it into need not be decided one by one (90 of them
    # were before). One grant lies within another ban, so most-specific does
    # not decide as prohibit-overrides there.
    grants = [
        rule(f"grant-{d}-{v}", "permit", scope={f"d{d}": [f"x{v}"]})
        for d in range(4)
        for v in range(3)
    ]
    inner = rule("inner", "permit", scope={"d0": ["x0"], "d1": ["x0"]})
    zone = rule("zone-ban", "prohibit", scope={"d0": ["x0"]})
    ban = rule("ban", "prohibit", scope={"means": ["car"]})
    duty = attrs.evolve(ban, effect=Effect.OBLIGE, text="Log every car journey")
    old = version(ban, zone, inner, *grants)
    new = version(duty, zone, inner, *grants, label="v2")

    d = policydiff.diff(old, new)
    assert d.verdict is Verdict.LOOSENED
    assert effects(d) == [
        ("effect-changed", "mixed", "loosened"),
        ("rule-reworded", "neutral", "loosened"),
    ]
    judge = d._found_judge()
    assert isinstance(judge, Judge)
    assert judge.judging.space.work <= 40


def test_widening_a_rule_explores_only_the_situations_it_newly_covers() -> None:
    # Six grants within the ban, along six other dimensions, cut the cars the
    # ban covered in both versions into 64 pieces; both versions of the ban
    # decide them alike, so only the buses it newly covers are looked at.
    grants = [
        rule(f"grant-{i}", "permit", scope={"means": ["car"], f"d{i}": ["x"]}) for i in range(6)
    ]
    narrow = rule("ban", "prohibit", scope={"means": ["car"]})
    wide = rule("ban", "prohibit", scope={"means": ["car", "bus"]})
    old, new = version(narrow, *grants), version(wide, *grants, label="v2")

    with policydiff.work_budget(8):
        found = policydiff.impact(old, new)
        d = policydiff.diff(old, new)
        assert d.verdict is Verdict.TIGHTENED
    assert [str(cube.values["means"]) for cube in found] == ["bus"]
    assert [cube.direction for cube in found] == [DecisionEffect.TIGHTENED]
    assert effects(d) == [("scope-broadened", "tightened", "tightened")]


def test_a_widened_rule_that_now_nests_differently_is_judged_where_both_cover() -> None:
    # The narrow grant lies within the ban; the widened one does not, so where
    # both cover, most-specific no longer lets the grant decide.
    ban = rule("ban", "prohibit", scope={"means": ["car"]})
    narrow = rule("grant", "permit", scope={"means": ["car"], "zone": ["a"]})
    wide = rule("grant", "permit", scope={"means": ["car", "bus"], "zone": ["a"]})
    old, new = version(ban, narrow), version(ban, wide, label="v2")

    found = policydiff.impact(old, new)
    moved = {(str(c.values["means"]), c.direction) for c in found}
    assert moved == {("car", DecisionEffect.TIGHTENED)}
    assert policydiff.diff(old, new).verdict is Verdict.TIGHTENED


def test_a_permission_granted_beside_a_more_specific_one_takes_no_part_in_a_lifted_ban() -> None:
    # Lifting the ban lets "R" through by the more specific "r2", not by the
    # new blanket permission; most-specific lets every permit count.
    kept = [rule("r2", "permit", scope={"t": ["R", "R1"]}), rule("r4", "permit")]
    ban = rule("r3", "prohibit", scope={"t": ["R"]})
    old = version(rule("r1", "permit", scope={"w": ["W"]}), ban, *kept)
    new = version(*kept, rule("r5", "permit"), label="v2")

    d = policydiff.diff(old, new)
    assert d.verdict is Verdict.LOOSENED
    assert [(c.rule, c.effect) for c in d] == [
        ("r1", DecisionEffect.NONE),
        ("r3", DecisionEffect.LOOSENED),
        ("r5", DecisionEffect.NONE),
    ]


# -- the lean comparison against the full one, on policies of dozens of rules -------
#
# The verdict and the effects come from a lean comparison that stops exploring
# where nothing it reports can change any more; impact's full comparison
# decides every piece an edit can reach. On policies too large for the
# brute-force oracle, where the lean one prunes most, both must agree.

MEDIUM_DIMS = ("d0", "d1", "d2", "d3")
MEDIUM_VALUES = ("v0", "v1", "v2", "v3")


@st.composite
def medium_rules(draw: st.DrawFn, rule_id: str) -> Rule:
    effect = draw(st.sampled_from(Effect))
    dims = draw(st.lists(st.sampled_from(MEDIUM_DIMS), min_size=1, max_size=3, unique=True))
    return Rule(
        id=rule_id,
        effect=effect,
        subject=draw(st.frozensets(st.sampled_from(("A", "B")), max_size=1)),
        action=draw(st.frozensets(st.sampled_from(("go", "stay")), min_size=1)),
        scope={
            d: draw(st.frozensets(st.sampled_from(MEDIUM_VALUES), min_size=1, max_size=2))
            for d in dims
        },
        conditions=draw(st.frozensets(st.sampled_from(("c1", "c2", "c3")), max_size=1)),
        text=draw(st.sampled_from(("notify", "report"))) if effect is Effect.OBLIGE else None,
    )


@st.composite
def medium_pairs(draw: st.DrawFn) -> tuple[PolicyVersion, PolicyVersion]:
    count = draw(st.integers(12, 30))
    olds = [draw(medium_rules(f"r{i:02d}")) for i in range(count)]
    news = list(olds)
    dropped: set[int] = set()
    for i in draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=4, unique=True)):
        rule = olds[i]
        edit = draw(st.sampled_from(("scope", "effect", "condition", "drop", "redraw")))
        if edit == "scope":
            d = draw(st.sampled_from(MEDIUM_DIMS))
            values = rule.scope.get(d, frozenset()) ^ {draw(st.sampled_from(MEDIUM_VALUES))}
            scope = {k: v for k, v in rule.scope.items() if k != d}
            news[i] = attrs.evolve(rule, scope={**scope, d: values} if values else scope)
        elif edit == "effect":
            effect = draw(st.sampled_from([e for e in Effect if e is not rule.effect]))
            text = "notify" if effect is Effect.OBLIGE else None
            news[i] = attrs.evolve(rule, effect=effect, text=text)
        elif edit == "condition":
            toggled = rule.conditions ^ {draw(st.sampled_from(("c1", "c2", "c3")))}
            news[i] = attrs.evolve(rule, conditions=toggled)
        elif edit == "redraw":
            news[i] = draw(medium_rules(rule.id))
        else:
            dropped.add(i)
    if draw(st.booleans()):
        news.append(draw(medium_rules("r99")))
    default = draw(st.sampled_from(Default))
    conflict = draw(st.sampled_from(Conflict))
    old = version(*olds, default=default, conflict=conflict)
    kept = [rule for i, rule in enumerate(news) if i not in dropped]
    new = version(*kept, label="v2", default=default, conflict=conflict)
    return old, new


@given(medium_pairs())
def test_the_lean_verdict_and_effects_agree_with_the_full_comparison(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, new = pair
    lean = policydiff.diff(old, new)
    full = policydiff.diff(old, new)
    judge = full._found_judge()
    assert isinstance(judge, Judge)
    _ = judge.comparison  # the full comparison answers every later question

    where = f"old:\n{policydiff.dumps(old)}\nnew:\n{policydiff.dumps(new)}"
    assert lean.verdict is full.verdict, where
    assert [c.effect for c in lean] == [c.effect for c in full], where
