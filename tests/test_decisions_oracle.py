"""The decision evaluator agrees with a brute-force oracle on every situation (SPEC 11-12).

Each property draws a tiny policy (tests/strategies.py, "small policies"),
lists every situation and every truth assignment with tests/oracle.py, and
asks the package the same questions through its public API: ``decide``,
``Answer.given``, ``impact``, ``PolicyDiff.verdict``, ``Change.effect``,
``PolicyHistory.decide`` and ``decision_timeline``. The hand-written cases at
the end are the regressions the decisions work set out to fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff import PolicyVersion, Rule
from policydiff._cli import main
from tests import oracle
from tests.strategies import (
    SMALL_OBLIGATIONS,
    small_histories,
    small_version_pairs,
    small_versions,
)

#: The fields of SPEC 11's answer JSON that the oracle can predict.
JSON_FIELDS = ("decision", "conditions", "obligations", "rules", "default", "since", "groups")


class Obligations:
    """Matches the oracle's obligations (texts, or content for rules without one) with the engine's names.

    A text is its own name. An obligation without text is named by "a
    sentence generated from the rule's content (not containing the id)": its
    name is learned the first time it shows up alone, and must stay the same
    name for the same content and differ between contents.
    """

    def __init__(self) -> None:
        self.names: dict[Any, str] = {}

    def same(self, keys: Iterable[Any], names: Iterable[str]) -> bool:
        keys, names = set(keys), set(names)
        texts = {k for k in keys if isinstance(k, str)}
        if not texts <= names or len(keys) != len(names):
            return False
        unnamed = names - texts
        known = {k for k in keys - texts if k in self.names}
        if {self.names[k] for k in known} - unnamed:
            return False
        fresh = keys - texts - known
        rest = unnamed - {self.names[k] for k in known}
        if len(fresh) == 1 and len(rest) == 1:
            (key,), (name,) = fresh, rest
            if name in self.names.values() or name in SMALL_OBLIGATIONS:
                return False
            self.names[key] = name
        return True


def agrees(names: Obligations, expected: oracle.Outcome, got: Any, *, rules: bool = True) -> bool:
    """Whether an engine answer under one assignment matches the oracle's outcome."""
    return (
        got.decision.value == expected.decision
        and names.same(expected.obligations, got.obligations)
        and (not rules or (set(got.rules) == expected.deciding and got.default == expected.default))
    )


def answers_alike(names: Obligations, expected: oracle.Answer, got: Any) -> bool:
    """Same decision and obligations under every assignment of both answers' conditions."""
    conditions = expected.conditions | set(got.conditions)
    return all(
        agrees(names, expected.given(h), got.given(h), rules=False)
        for h in oracle.assignments(conditions)
    )


def shown(version: PolicyVersion) -> str:
    """The version as a document, for failure messages a developer can replay."""
    return policydiff.dumps(version)


@given(small_histories())
def test_tiny_policies_are_valid_documents_that_read_back_equal(
    versions: list[PolicyVersion],
) -> None:
    for v in versions:
        assert policydiff.loads(policydiff.dumps(v)) == v


# --- decide on every full situation ---------------------------------------------------


@given(small_versions())
def test_decide_matches_the_oracle_on_every_full_situation_and_assignment(
    version: PolicyVersion,
) -> None:
    assert_decides_every_situation(version)


def assert_decides_every_situation(version: PolicyVersion) -> None:
    """Check ``decide`` on every full situation and assignment against the oracle."""
    names = Obligations()
    for situation in oracle.all_situations(oracle.version_space(version)):
        expected = oracle.answer(version, situation)
        got = policydiff.decide(version, situation)
        where = f"{situation} in\n{shown(version)}"
        assert got.decision.value == expected.decision, where
        assert got.conditions == tuple(sorted(expected.conditions)), where
        assert names.same(expected.obligations, got.obligations), where
        assert got.obligations == tuple(sorted(got.obligations)), where
        assert set(got.rules) == expected.rules, where
        assert got.rules == tuple(sorted(got.rules)), where
        assert got.default == expected.default, where
        assert (got.groups, got.since, got.version) == ((), None, version.version), where
        data = got.to_dict()  # SPEC 11's JSON
        assert {k: data[k] for k in JSON_FIELDS} == {
            "decision": expected.decision,
            "conditions": sorted(expected.conditions),
            "obligations": list(got.obligations),
            "rules": sorted(expected.rules),
            "default": expected.default,
            "since": None,
            "groups": [],
        }, where
        for holds in oracle.assignments(expected.conditions):
            one = got.given(holds)
            assert agrees(names, expected.given(holds), one), f"{sorted(holds)} hold: {where}"
            assert one.decision.value not in ("conditional", "varies"), where


@st.composite
def partial_situations(draw: st.DrawFn) -> tuple[PolicyVersion, dict[str, str]]:
    """A version and a situation that leaves dimensions out or names inner values."""
    version = draw(small_versions())
    situation: dict[str, str] = {}
    for dim, values in oracle.version_space(version).items():
        inner = sorted(version.vocabulary.trees.get(dim, {}))
        how = draw(st.sampled_from(("omit", "leaf", "inner" if inner else "omit")))
        if how == "leaf":
            situation[dim] = draw(st.sampled_from(values))
        elif how == "inner":
            situation[dim] = draw(st.sampled_from(inner))
    if draw(st.booleans()):
        situation["zz-unused"] = "anything"  # "A dimension no rule names is accepted and ignored."
    return version, situation


@given(partial_situations())
def test_a_situation_covering_many_answers_once_when_all_agree_else_varies_by_group(
    drawn: tuple[PolicyVersion, dict[str, str]],
) -> None:
    assert_decides_many(*drawn)


def assert_decides_many(version: PolicyVersion, situation: dict[str, str]) -> None:
    """Check a situation covering many against the oracle: one decision, or groups."""
    names = Obligations()
    decision, found = oracle.decide_many(version, situation)
    got = policydiff.decide(version, situation)
    where = f"{situation} in\n{shown(version)}"
    assert got.decision.value == decision, where
    if decision != "varies":
        assert got.groups == (), where
        for full, expected in found:
            assert answers_alike(names, expected, got), f"{full}: {where}"
        return
    assert got.groups, where
    for full, expected in found:
        asked = {**situation, **full}
        holding = [g for g in got.groups if g.contains(asked)]
        assert len(holding) == 1, f"{asked} is in {len(holding)} groups: {where}"
        assert answers_alike(names, expected, holding[0].answer), f"{asked}: {where}"


# --- impact, verdict and effects ---------------------------------------------------------


@given(small_version_pairs())
def test_impact_cubes_hold_exactly_the_moved_situations_once_with_the_oracle_outcomes(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    assert_impact(*pair)


def assert_impact(old: PolicyVersion, new: PolicyVersion) -> None:
    """Check that impact's cubes hold exactly the moved situations, with the oracle's outcomes."""
    names = Obligations()
    moved = oracle.moved_situations(old, new)
    cubes = policydiff.impact(old, new).cubes
    where = f"old:\n{shown(old)}\nnew:\n{shown(new)}"
    for situation in oracle.all_situations(oracle.pair_space(old, new)):
        holding = [c for c in cubes if c.contains(situation)]
        key = tuple(sorted(situation.items()))
        if key not in moved:
            assert not holding, f"{situation} did not move but is in a cube: {where}"
            continue
        assert len(holding) == 1, f"{situation} moved and is in {len(holding)} cubes: {where}"
        (cube,) = holding
        conditions = (
            oracle.involved(old, situation)
            | oracle.involved(new, situation)
            | set(getattr(cube.before, "conditions", ()))
            | set(getattr(cube.after, "conditions", ()))
        )
        for holds in oracle.assignments(conditions):
            before = oracle.outcome(old, situation, holds)
            after = oracle.outcome(new, situation, holds)
            assert agrees(names, before, cube.before.given(holds), rules=False), (
                f"before, {situation}, {sorted(holds)} hold: {where}"
            )
            assert agrees(names, after, cube.after.given(holds), rules=False), (
                f"after, {situation}, {sorted(holds)} hold: {where}"
            )


@given(small_version_pairs())
def test_verdict_and_every_change_effect_match_the_oracle(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    assert_verdict_and_effects(*pair)


def assert_verdict_and_effects(old: PolicyVersion, new: PolicyVersion) -> None:
    """Check a diff's verdict and each change's effect against the oracle."""
    found = policydiff.diff(old, new)
    changes = list(found)
    where = f"old:\n{shown(old)}\nnew:\n{shown(new)}"
    assert found.verdict.value == oracle.verdict(old, new), where
    for change in changes:
        expected = oracle.change_effect(old, new, change, changes)
        assert change.effect.value == expected, f"{change.kind.value} {change.rule}: {where}"


@given(small_version_pairs(), st.integers(0, 40))
def test_past_the_budget_a_diff_answers_only_what_it_worked_out_and_that_truly(
    pair: tuple[PolicyVersion, PolicyVersion], pieces: int
) -> None:
    old, new = pair
    where = f"old:\n{shown(old)}\nnew:\n{shown(new)}"
    with policydiff.work_budget(pieces):
        found = policydiff.diff(old, new)
        changes = list(found)
        answered = {}
        with contextlib.suppress(policydiff.DiffError):
            answered["verdict"] = found.verdict.value
        for position, change in enumerate(changes):
            with contextlib.suppress(policydiff.DiffError):
                answered[position] = change.effect.value
    if "verdict" in answered:
        assert answered["verdict"] == oracle.verdict(old, new), where
    for position, change in enumerate(changes):
        if position in answered:
            expected = oracle.change_effect(old, new, change, changes)
            assert answered[position] == expected, f"{change.kind.value} {change.rule}: {where}"


@given(small_versions())
def test_a_version_against_itself_is_equivalent_with_no_effects(version: PolicyVersion) -> None:
    found = policydiff.diff(version, version)
    assert found.verdict is policydiff.Verdict.EQUIVALENT
    assert policydiff.impact(version, version).cubes == ()


# --- histories ----------------------------------------------------------------------------


def shared_situations(versions: list[PolicyVersion]) -> list[dict[str, str]]:
    """Full situations every version can be asked: leaves (or unnamed values) in each tree."""
    choices: dict[str, list[str]] = {}
    for dim in oracle.relevant_dimensions(*versions):
        named = {oracle.OTHER}
        for v in versions:
            named |= oracle.named_by_tree(v, dim)
            for r in v.rules:
                named |= oracle.dimensions_of(r).get(dim, frozenset())
        choices[dim] = sorted(
            value
            for value in named
            if all(
                (dim not in v.vocabulary.trees or value in oracle.named_by_tree(v, dim))
                and not oracle.is_parent(v, dim, value)
                for v in versions
            )
        )
    return list(oracle.all_situations(choices))


@given(small_histories())
def test_decision_timeline_and_since_match_the_oracle(versions: list[PolicyVersion]) -> None:
    history = policydiff.PolicyHistory(versions=versions)
    names = Obligations()
    where = "\n---\n".join(shown(v) for v in versions)
    assert history.decide({}, at="2023-06-01") is None
    for situation in shared_situations(versions):
        expected = oracle.timeline(versions, situation)
        periods = history.decision_timeline(situation)
        assert [
            (p.start.instant, p.end.instant if p.end else None, p.version) for p in periods
        ] == [
            (
                versions[s].effective.instant,
                versions[e].effective.instant if e is not None else None,
                versions[s].version,
            )
            for s, e in expected
        ], f"{situation}: {where}"
        for period, (start, _) in zip(periods, expected, strict=True):
            assert answers_alike(names, oracle.answer(versions[start], situation), period.answer)
        for index, v in enumerate(versions):
            got = history.decide(situation, at=v.effective)
            start = max(s for s, _ in expected if s <= index)
            assert got is not None
            assert got.version == v.version, where
            assert got.since is not None
            assert got.since.instant == versions[start].effective.instant, f"{situation}: {where}"
            assert answers_alike(names, oracle.answer(v, situation), got), f"{situation}: {where}"


# --- regressions, by hand ---------------------------------------------------------------


def version(*rules: Rule, label: str, default: str = "permit", **fields: Any) -> PolicyVersion:
    return PolicyVersion(
        policy="p",
        version=label,
        effective=policydiff.When.parse("2024-05-30" if label == "old" else "2024-06-30"),
        rules=rules,
        default=policydiff.Default(default),
        **fields,
    )


def rule(rule_id: str, effect: str, **fields: Any) -> Rule:
    return Rule(id=rule_id, effect=policydiff.Effect(effect), action="go", **fields)


def check(tmp_path: Path, old: PolicyVersion, new: PolicyVersion, *options: str) -> int:
    policydiff.dump(old, tmp_path / "old.yaml")
    policydiff.dump(new, tmp_path / "new.yaml")
    return main(["check", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"), *options])


def effects(old: PolicyVersion, new: PolicyVersion) -> dict[tuple[str, str | None], str]:
    return {(c.kind.value, c.dimension): c.effect.value for c in policydiff.diff(old, new)}


def narrowed_permission() -> tuple[PolicyVersion, PolicyVersion]:
    """Under most-specific, a permit made narrower wins where it used to tie with a prohibit."""
    prohibit = rule("no-k", "prohibit", scope={"w": ["k"]})
    old = version(rule("p", "permit", scope={"t": ["x", "y"]}), prohibit, label="old")
    new = version(rule("p", "permit", scope={"t": ["x"], "w": ["k"]}), prohibit, label="new")
    return old, new


def test_narrowing_a_permission_that_lets_a_prohibited_situation_through_is_loosened() -> None:
    old, new = narrowed_permission()
    assert policydiff.diff(old, new).verdict is policydiff.Verdict.LOOSENED
    assert effects(old, new) == {
        ("scope-narrowed", "t"): "loosened",
        ("scope-narrowed", "w"): "loosened",
    }
    situation = {"action": "go", "t": "x", "w": "k"}
    assert policydiff.decide(old, situation).decision is policydiff.Decision.PROHIBITED
    assert policydiff.decide(new, situation).decision is policydiff.Decision.PERMITTED


def test_check_fails_on_loosened_for_a_narrowed_permission_that_lets_more_through(
    tmp_path: Path,
) -> None:
    assert check(tmp_path, *narrowed_permission(), "--fail-on", "loosened") == 1


def merged_rules() -> tuple[PolicyVersion, PolicyVersion]:
    """Two permits merged into one broader permit: the same situations are permitted."""
    old = version(
        rule("x-only", "permit", scope={"t": ["x"]}),
        rule("y", "permit", scope={"t": ["y"]}),
        label="old",
        default="prohibit",
    )
    new = version(rule("y", "permit", scope={"t": ["x", "y"]}), label="new", default="prohibit")
    return old, new


def test_merging_a_rule_into_a_broader_one_is_equivalent_with_no_effect() -> None:
    old, new = merged_rules()
    assert policydiff.diff(old, new).verdict is policydiff.Verdict.EQUIVALENT
    assert set(effects(old, new).values()) == {"none"}


def test_check_passes_on_loosened_for_a_merge_that_decides_the_same(
    tmp_path: Path,
) -> None:
    assert check(tmp_path, *merged_rules(), "--fail-on", "loosened") == 0


def test_deleting_a_vocabulary_tree_a_rule_relied_on_shows_in_impact() -> None:
    prohibit = rule("r", "prohibit", scope={"t": ["Russia"]})
    old = version(prohibit, label="old", vocabulary={"t": {"Russia": ["Kursk", "Belgorod"]}})
    new = version(prohibit, label="new")
    cubes = policydiff.impact(old, new).cubes
    for leaf in ("Kursk", "Belgorod"):
        (cube,) = [c for c in cubes if c.contains({"action": "go", "t": leaf})]
        assert cube.before.decision is policydiff.Decision.PROHIBITED
        assert cube.after.decision is policydiff.Decision.PERMITTED
    assert not [c for c in cubes if c.contains({"action": "go", "t": "Russia"})]
    assert policydiff.diff(old, new).verdict is policydiff.Verdict.LOOSENED
    assert effects(old, new) == {("metadata-changed", "vocabulary"): "loosened"}


def test_omitting_a_closed_dimension_covers_only_the_leaves_its_vocabulary_names() -> None:
    # SPEC 13: a dimension with a vocabulary is closed, so no "other" value
    # exists there; both leaves under R are prohibited, hence one answer.
    v = version(
        rule("r1", "prohibit", scope={"t": ["R"]}),
        label="old",
        vocabulary={"t": {"R": ["R1", "R2"]}},
    )
    answer = policydiff.decide(v, {"action": "go"})
    assert (answer.decision, answer.groups) == (policydiff.Decision.PROHIBITED, ())


@pytest.mark.parametrize("text", [None, "report the strike"])
def test_renaming_an_oblige_rule_changes_no_decision(text: str | None) -> None:
    old = version(rule("ob-1", "oblige", text=text, subject="A"), label="old")
    new = version(rule("ob-renamed", "oblige", text=text, subject="A"), label="new")
    found = policydiff.diff(old, new)
    assert found.verdict is policydiff.Verdict.EQUIVALENT
    assert [(c.kind.value, c.effect.value) for c in found] == [("rule-renamed", "none")]
    asked = {"subject": "A", "action": "go"}
    before, after = policydiff.decide(old, asked), policydiff.decide(new, asked)
    assert before.obligations == after.obligations
    (name,) = before.obligations
    assert "ob-" not in name


def test_rewording_an_obligation_replaces_it_so_the_situation_moves_both_ways() -> None:
    permit = rule("r1", "permit")
    old = version(permit, rule("r2", "oblige", text="report the strike"), label="old")
    new = version(permit, rule("r2", "oblige", text="notify allies"), label="new")
    found = policydiff.diff(old, new)
    assert found.verdict is policydiff.Verdict.MIXED
    assert [(c.kind.value, c.effect.value) for c in found] == [("rule-reworded", "mixed")]
    (cube,) = policydiff.impact(old, new).cubes
    assert cube.contains({"action": "go"})
    assert (cube.before.obligations, cube.after.obligations) == (
        ("report the strike",),
        ("notify allies",),
    )


def test_a_textless_obligation_whose_scope_changes_is_another_obligation() -> None:
    permit = rule("r1", "permit")
    old = version(permit, rule("r4", "oblige"), label="old")
    new = version(permit, rule("r4", "oblige", scope={"p": ["d"]}), label="new")
    asked = {"action": "go", "p": "d"}
    before, after = policydiff.decide(old, asked), policydiff.decide(new, asked)
    assert not before.same_decision(after)
    assert policydiff.diff(old, new).verdict is policydiff.Verdict.MIXED
    assert [c for c in policydiff.impact(old, new).cubes if c.contains(asked)]


def test_oblige_rules_with_the_same_content_are_one_obligation() -> None:
    v = version(
        rule("o1", "oblige", text="log it"), rule("o2", "oblige", text="log it"), label="old"
    )
    assert policydiff.decide(v, {"action": "go"}).obligations == ("log it",)
    w = version(rule("o1", "oblige"), rule("o2", "oblige"), label="old")
    (name,) = policydiff.decide(w, {"action": "go"}).obligations
    assert "o1" not in name
    assert "o2" not in name


def test_default_none_ranks_between_prohibited_and_permitted() -> None:
    undecided = version(rule("p", "permit", subject="A"), label="old", default="none")
    asked = {"subject": "B", "action": "go"}
    answer = policydiff.decide(undecided, asked)
    assert (answer.decision, answer.default) == (policydiff.Decision.UNDECIDED, True)
    prohibited = version(rule("p", "permit", subject="A"), label="new", default="prohibit")
    assert policydiff.diff(undecided, prohibited).verdict is policydiff.Verdict.TIGHTENED
    permitted = version(rule("p", "permit", subject="A"), label="new", default="permit")
    assert policydiff.diff(undecided, permitted).verdict is policydiff.Verdict.LOOSENED
