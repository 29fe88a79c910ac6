"""Change-impact analysis: which situations changed decision (SPEC section 7)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policydiff
from policydiff._impact import Decision, Impact, Outcome, impact
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
    assert cube.before == Outcome(decision=Decision.PROHIBITED, rules=("no-strikes-inside-russia",))
    assert cube.after == Outcome(
        decision=Decision.CONDITIONAL,
        rules=("kharkiv-defensive-strikes",),
        conditions=(KHARKIV_CONDITION,),
    )


def test_flagship_does_not_report_atacms(flagship: Impact) -> None:
    assert "ATACMS" not in flagship.to_json()


def test_flagship_text_reads_as_a_sentence(flagship: Impact) -> None:
    (line,) = [line for line in flagship.to_text().splitlines() if line.startswith("- ")]
    assert line == (
        "- Ukraine may now strike, where purpose is defensive, territory is Belgorod Oblast"
        f" and weapon is GMLRS or artillery, {KHARKIV_CONDITION}"
        " (was prohibited by no-strikes-inside-russia;"
        " now conditional under kharkiv-defensive-strikes)"
    )


def test_flagship_json_names_versions_and_effective_instants(flagship: Impact) -> None:
    data = json.loads(flagship.to_json())
    assert data["policydiff"] == 1
    assert data["policy"] == "us-weapons-use-ukraine"
    assert data["from"] == {
        "version": "no-strikes-inside-russia",
        "effective": "2022-01-01T00:00:00-05:00",
    }
    assert data["to"] == {
        "version": "kharkiv-defensive-strikes",
        "effective": "2024-05-30T00:00:00-04:00",
    }
    (cube,) = data["cubes"]
    assert cube["values"]["weapon"] == ["GMLRS", "artillery"]
    assert cube["before"]["decision"] == "prohibited"
    assert cube["after"]["conditions"] == [KHARKIV_CONDITION]


def test_flagship_markdown_has_a_table_row_per_cube(flagship: Impact) -> None:
    text = flagship.to_markdown()
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


def test_versions_of_different_policies_cannot_be_compared() -> None:
    with pytest.raises(DiffError, match=r"different policies: 'a'.*'b'"):
        impact(version([], policy="a"), version([], policy="b"))


def test_vocabularies_nesting_values_in_a_cycle_cannot_be_compared() -> None:
    ban = rule("ban", "prohibit", scope={"zone": ["north"]})
    old = version([ban], label="v1", vocabulary={"zone": {"north": ["coast"]}})
    new = version([ban], label="v2", vocabulary={"zone": {"coast": ["north"]}})
    with pytest.raises(DiffError, match=r"'v1' and 'v2' .* 'zone' values in a cycle"):
        impact(old, new)


def test_a_version_against_itself_has_no_impact() -> None:
    v = version([rule("no", "prohibit", subject="Ukraine")])
    result = impact(v, v)
    assert (len(result), bool(result), list(result)) == (0, False, [])
    assert "no situation changed decision" in result.to_text()
    assert "no situation changed decision" in result.to_markdown()
    assert "|" not in result.to_markdown()


def test_output_does_not_depend_on_rule_or_value_order() -> None:
    rules = [
        rule("a", "prohibit", ["strike", "fly"], scope={"zone": ["x", "y"]}),
        rule("b", "permit", scope={"zone": ["y"]}),
        rule("c", "oblige", ["fly"], conditions=["report"]),
    ]
    shuffled = [attrs.evolve(r, action=sorted(r.action, reverse=True)) for r in reversed(rules)]
    old = version([], default=Default.PROHIBIT)
    assert impact(old, version(rules)).to_json() == impact(old, version(shuffled)).to_json()


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
    assert cubes["strike", "border"].after == Outcome(
        decision=Decision.PROHIBITED, rules=("subject-ban",)
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
    assert cube.after == Outcome(decision=Decision.PERMITTED, rules=("wide-permit",))


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
    assert all(c.before.by_default and c.after.by_default for c in result)


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
        ("strike", ("watch",)),
    ]


def test_a_conditional_permit_becoming_unconditional_is_a_change() -> None:
    before = rule("p", "permit", conditions=["at night"])
    (cube,) = impact(version([before]), version([attrs.evolve(before, conditions=frozenset())]))
    assert (cube.before.decision, cube.after.decision) == (
        Decision.CONDITIONAL,
        Decision.PERMITTED,
    )
    assert "may now unconditionally strike" in cube.describe()


def test_a_permission_gaining_a_condition_is_now_only_conditional() -> None:
    grant = rule("p", "permit", subject="Ukraine")
    (cube,) = impact(version([grant]), version([attrs.evolve(grant, conditions=["approval"])]))
    assert cube.describe() == (
        "Ukraine may now only conditionally strike, on condition: approval"
        " (was permitted by p; now conditional under p)"
    )


def test_markdown_lists_conditions_and_obligations_in_the_table() -> None:
    grant = rule("p", "permit", conditions=["approval"])
    duty = rule("log|it", "oblige")
    text = impact(version([]), version([grant, duty])).to_markdown()
    assert "| strike | permitted by default | conditional under p: approval;" in text
    assert "obligations: log\\|it |" in text


def test_a_subject_span_with_few_exceptions_names_them() -> None:
    ban = rule("ban", "prohibit")
    spared = rule("spared", "permit", subject="Ukraine")
    watch = rule("watch", "oblige", "fly", subject="Poland")
    (cube,) = impact(version([watch]), version([ban, spared, watch]))
    assert cube.describe().startswith("Anyone except Ukraine may no longer strike")


# --- obligations ------------------------------------------------------------


def test_a_new_obligation_alone_is_a_changed_decision() -> None:
    report = rule("report-strikes", "oblige", subject="Ukraine")
    (cube,) = impact(version([]), version([report]))
    assert cube.before == Outcome(decision=Decision.PERMITTED)
    assert cube.after == Outcome(decision=Decision.PERMITTED, obligations=("report-strikes",))
    assert "obligations were none, now report-strikes" in cube.describe()


def test_obligations_attach_to_the_decision_they_share_situations_with() -> None:
    ban = rule("ban", "prohibit", scope={"zone": ["border"]})
    report = rule("report", "oblige", scope={"zone": ["border", "deep"]})
    result = impact(version([report]), version([report, ban]))
    (cube,) = result
    assert cube.after == Outcome(
        decision=Decision.PROHIBITED, rules=("ban",), obligations=("report",)
    )


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


# --- the grouped answer is exactly what brute force finds -------------------

OTHER = "\x00other"
DIMENSIONS = ("subject", "action", "zone")
PARENTS = ("A", "B")


def _trees(v: PolicyVersion, dim: str) -> Mapping[str, frozenset[str]]:
    return v.vocabulary.trees.get(dim, {})


def _expand(own: PolicyVersion, other: PolicyVersion, dim: str, value: str) -> set[str]:
    kids = _trees(own, dim).get(value) or _trees(other, dim).get(value)
    if not kids:
        return {value}
    return set().union(*(_expand(own, other, dim, kid) for kid in kids))


def _dims(old: PolicyVersion, new: PolicyVersion) -> list[str]:
    return sorted({d for v in (old, new) for r in v.rules for d in r.dimensions})


def _atoms(old: PolicyVersion, new: PolicyVersion, dim: str) -> set[str]:
    mentioned = {OTHER}
    for v in (old, new):
        for r in v.rules:
            mentioned |= r.dimensions.get(dim, set())
        for parent, kids in _trees(v, dim).items():
            mentioned |= {parent, *kids}
    return {a for a in mentioned if not _trees(old, dim).get(a) and not _trees(new, dim).get(a)}


def _coverage(
    r: Rule, own: PolicyVersion, other: PolicyVersion, atoms: Mapping[str, set[str]]
) -> dict[str, set[str]]:
    cover = {dim: set(values) for dim, values in atoms.items()}
    for dim, values in r.dimensions.items():
        cover[dim] = set().union(*(_expand(own, other, dim, value) for value in values))
    return cover


def _brute_decision(
    own: PolicyVersion,
    other: PolicyVersion,
    situation: Mapping[str, str],
    atoms: Mapping[str, set[str]],
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    covers = {r.id: _coverage(r, own, other, atoms) for r in own.rules}
    applies = [r for r in own.rules if all(situation[d] in covers[r.id][d] for d in atoms)]
    duties = tuple(sorted(r.id for r in applies if r.effect is Effect.OBLIGE))
    deciding = [r for r in applies if r.effect is not Effect.OBLIGE]
    if not deciding:
        decision = "permitted" if own.default is Default.PERMIT else "prohibited"
        return (decision, (), (), duties)
    bans = [r for r in deciding if r.effect is Effect.PROHIBIT]
    grants = [r for r in deciding if r.effect is Effect.PERMIT]
    if own.conflict is Conflict.PROHIBIT_OVERRIDES:
        winners = bans or grants
    elif own.conflict is Conflict.PERMIT_OVERRIDES:
        winners = grants or bans
    else:
        inside = [
            r
            for r in deciding
            if all(
                covers[r.id][d] <= covers[s.id][d] for s in deciding if s is not r for d in atoms
            )
        ]
        tied_bans = [r for r in inside if r.effect is Effect.PROHIBIT]
        winners = (tied_bans or inside) if inside else (bans or grants)
    ids = tuple(sorted(r.id for r in winners))
    if winners[0].effect is Effect.PROHIBIT:
        if any(not r.conditions for r in winners):
            return ("prohibited", ids, (), duties)
        conditions = set().union(*(r.conditions for r in winners))
        return ("prohibited", ids, tuple(sorted(conditions)), duties)
    if any(not r.conditions for r in winners):
        return ("permitted", ids, (), duties)
    conditions = set().union(*(r.conditions for r in winners))
    return ("conditional", ids, tuple(sorted(conditions)), duties)


def _brute_force(old: PolicyVersion, new: PolicyVersion) -> dict[tuple[str, ...], Any]:
    dims = _dims(old, new)
    atoms = {d: _atoms(old, new, d) for d in dims}
    changed = {}
    for values in itertools.product(*(sorted(atoms[d]) for d in dims)):
        situation = dict(zip(dims, values, strict=True))
        before = _brute_decision(old, new, situation, atoms)
        after = _brute_decision(new, old, situation, atoms)
        if (before[0], before[2], before[3]) != (after[0], after[2], after[3]):
            changed[values] = (before, after)
    return changed


def _situations(result: Impact) -> list[tuple[tuple[str, ...], Any]]:
    old, new = result.old, result.new
    dims = _dims(old, new)
    atoms = {d: _atoms(old, new, d) for d in dims}
    named = {
        d: set().union(
            *(
                _expand(v, w, d, value)
                for v, w in ((old, new), (new, old))
                for r in v.rules
                for value in r.dimensions.get(d, ())
            )
        )
        for d in dims
    }
    found: list[tuple[tuple[str, ...], Any]] = []
    for cube in result:
        choices = []
        for d in dims:
            span = cube.values[d]
            if span.any:
                choices.append(sorted(atoms[d]))
                continue
            chosen = set().union(*(_expand(new, old, d, value) for value in span.values))
            if span.excluded:
                chosen = atoms[d] - set().union(*(_expand(new, old, d, v) for v in span.excluded))
            elif span.others:
                chosen |= atoms[d] - named[d]
            choices.append(sorted(chosen))
        outcome = tuple(
            (o.decision.value, o.rules, o.conditions, o.obligations)
            for o in (cube.before, cube.after)
        )
        found.extend((values, outcome) for values in itertools.product(*choices))
    return found


@st.composite
def vocabularies(draw: st.DrawFn, leaves: Mapping[str, list[str]]) -> dict[str, Any]:
    trees: dict[str, dict[str, list[str]]] = {}
    for dim, values in leaves.items():
        tree: dict[str, list[str]] = {}
        for leaf in values:
            parent = draw(st.sampled_from([None, *PARENTS]))
            if parent is not None:
                tree.setdefault(parent, []).append(leaf)
        if "B" in tree and draw(st.booleans()):
            tree.setdefault("A", []).append("B")
        if tree:
            trees[dim] = tree
    return trees


@st.composite
def random_rules(draw: st.DrawFn, leaves: Mapping[str, list[str]], ids: list[str]) -> list[Rule]:
    made = []
    for rule_id in ids:
        named = {}
        for dim, values in leaves.items():
            if dim == "action" or draw(st.booleans()):
                pool = [*values, *PARENTS]
                named[dim] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        action = named.pop("action")
        subject = named.pop("subject", [])
        made.append(
            Rule(
                id=rule_id,
                effect=draw(st.sampled_from(Effect)),
                action=action,
                subject=subject,
                scope=named,
                conditions=draw(st.lists(st.sampled_from(["c1", "c2"]), max_size=2)),
            )
        )
    return made


@st.composite
def policy_pairs(draw: st.DrawFn) -> tuple[PolicyVersion, PolicyVersion]:
    dims = ["action", *draw(st.lists(st.sampled_from(["subject", "zone"]), unique=True))]
    leaves = {dim: [f"{dim[0]}{i}" for i in range(draw(st.integers(2, 4)))] for dim in sorted(dims)}
    old_vocab = draw(vocabularies(leaves))
    new_vocab = old_vocab if draw(st.booleans()) else draw(vocabularies(leaves))
    old_ids = draw(
        st.lists(st.sampled_from(["r0", "r1", "r2", "r3", "r4"]), unique=True, max_size=5)
    )
    old_rules = draw(random_rules(leaves, old_ids))
    kept = [r for r in old_rules if draw(st.booleans())]
    fresh_ids = draw(
        st.lists(st.sampled_from(["r2", "r3", "r5", "r6"]), unique=True, max_size=3).filter(
            lambda ids: not {r.id for r in kept} & set(ids)
        )
    )
    new_rules = kept + draw(random_rules(leaves, fresh_ids))
    settings_ = [
        (draw(st.sampled_from(Default)), draw(st.sampled_from(Conflict))) for _ in range(2)
    ]
    if draw(st.booleans()):
        settings_[1] = settings_[0]
    old = version(
        old_rules,
        label="old",
        default=settings_[0][0],
        conflict=settings_[0][1],
        vocabulary=old_vocab,
    )
    new = version(
        new_rules,
        label="new",
        default=settings_[1][0],
        conflict=settings_[1][1],
        vocabulary=new_vocab,
    )
    return old, new


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_pairs())
def test_grouped_cubes_cover_exactly_the_situations_brute_force_finds_changed(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    old, new = pair
    expected = _brute_force(old, new)
    found = _situations(impact(old, new))
    assert len(found) == len({values for values, _ in found}), "cubes overlap"
    assert dict(found) == expected


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
    assert cube.before.conditions == ("without a licence",)
    assert cube.after.decision is Decision.PROHIBITED
    assert cube.after.conditions == ()
