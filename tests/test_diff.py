"""policydiff.diff: kinds, directions, descriptions and the JSON report."""

from __future__ import annotations

import json
import random
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
import policydiff._diff
from policydiff import Direction, Effect, Kind, PolicyVersion, Removal, Rule, Source, When
from policydiff._convert import unstructure_version
from policydiff._diff import _Differ, split_rules
from tests.strategies import version_pairs, versions

HISTORY = Path(__file__).parent.parent / "examples" / "us-ukraine-strikes" / "history"


def version(*rules: Rule, **fields: object) -> PolicyVersion:
    base: dict[str, object] = {
        "policy": "demo",
        "version": "v1",
        "effective": When.parse("2024-05-01"),
    }
    base.update(fields)
    return PolicyVersion(rules=rules, **base)  # type: ignore[arg-type]


def rule(rule_id: str = "r", effect: str = "prohibit", **fields: object) -> Rule:
    fields.setdefault("action", "export")
    return Rule(id=rule_id, effect=Effect(effect), **fields)  # type: ignore[arg-type]


def only(old: PolicyVersion, new: PolicyVersion) -> policydiff.Change:
    changes = list(policydiff.diff(old, attrs.evolve(new, version="v2")))
    assert len(changes) == 1, changes
    return changes[0]


# -- rules appearing and disappearing ----------------------------------------


@pytest.mark.parametrize(
    ("effect", "appeared", "disappeared"),
    [
        (
            "permit",
            (Kind.PERMISSION_GRANTED, Direction.LOOSENED),
            (Kind.PERMISSION_REVOKED, Direction.TIGHTENED),
        ),
        (
            "prohibit",
            (Kind.RESTRICTION_IMPOSED, Direction.TIGHTENED),
            (Kind.RESTRICTION_LIFTED, Direction.LOOSENED),
        ),
        (
            "oblige",
            (Kind.RESTRICTION_IMPOSED, Direction.TIGHTENED),
            (Kind.RESTRICTION_LIFTED, Direction.LOOSENED),
        ),
    ],
)
def test_a_rule_appearing_or_disappearing_is_named_by_its_effect(
    effect: str, appeared: tuple[Kind, Direction], disappeared: tuple[Kind, Direction]
) -> None:
    with_rule = version(rule("x", effect))
    without = version()
    up = only(without, with_rule)
    down = only(with_rule, without)
    assert (up.kind, up.direction) == appeared
    assert (down.kind, down.direction) == disappeared
    assert up.path == "root['rules']['x']"
    assert up.before is None
    assert up.after["effect"] == effect
    assert down.after is None


def test_a_rule_identical_but_for_its_id_is_renamed_not_replaced() -> None:
    change = only(
        version(rule("old-name", scope={"region": ["EU"]})),
        version(rule("new-name", scope={"region": ["EU"]})),
    )
    assert change.kind is Kind.RULE_RENAMED
    assert change.direction is Direction.NEUTRAL
    assert change.rule == "new-name"
    assert "old-name renamed to new-name" in change.description


# -- effects ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [
        ("prohibit", "permit", Direction.LOOSENED),
        ("oblige", "permit", Direction.LOOSENED),
        ("permit", "prohibit", Direction.TIGHTENED),
        ("permit", "oblige", Direction.TIGHTENED),
        ("prohibit", "oblige", Direction.MIXED),
    ],
)
def test_an_effect_change_reads_toward_permit_as_loosened(
    before: str, after: str, direction: Direction
) -> None:
    change = only(version(rule("x", before)), version(rule("x", after)))
    assert change.kind is Kind.EFFECT_CHANGED
    assert change.direction is direction
    assert (change.before, change.after) == (before, after)


# -- scopes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effect", "before", "after", "kind", "direction"),
    [
        ("permit", ["EU"], ["EU", "US"], Kind.SCOPE_BROADENED, Direction.LOOSENED),
        ("permit", ["EU", "US"], ["EU"], Kind.SCOPE_NARROWED, Direction.TIGHTENED),
        ("prohibit", ["EU"], ["EU", "US"], Kind.SCOPE_BROADENED, Direction.TIGHTENED),
        ("prohibit", ["EU", "US"], ["EU"], Kind.SCOPE_NARROWED, Direction.LOOSENED),
        ("prohibit", ["EU"], ["US"], Kind.SCOPE_CHANGED, Direction.MIXED),
    ],
)
def test_scope_values_added_or_removed_broaden_or_narrow(
    effect: str, before: list[str], after: list[str], kind: Kind, direction: Direction
) -> None:
    change = only(
        version(rule("x", effect, scope={"region": before})),
        version(rule("x", effect, scope={"region": after})),
    )
    assert (change.kind, change.direction) == (kind, direction)
    assert change.dimension == "region"
    assert change.added == frozenset(after) - frozenset(before)
    assert change.removed == frozenset(before) - frozenset(after)
    assert change.path == "root['rules']['x']['scope']['region']"


def test_narrowing_a_prohibition_by_adding_a_dimension_is_loosened() -> None:
    change = only(version(rule("x")), version(rule("x", scope={"region": ["EU"]})))
    assert (change.kind, change.direction) == (Kind.SCOPE_NARROWED, Direction.LOOSENED)
    assert change.before is None
    assert change.after == ["EU"]
    assert "was any region" in change.description


def test_dropping_a_dimension_from_a_permission_broadens_it() -> None:
    change = only(
        version(rule("x", "permit", scope={"region": ["EU"]})), version(rule("x", "permit"))
    )
    assert (change.kind, change.direction) == (Kind.SCOPE_BROADENED, Direction.LOOSENED)


def test_subject_and_action_changes_are_scope_changes_on_those_dimensions() -> None:
    old = version(rule("x", "permit", subject=["alice"], action=["read"]))
    new = version(rule("x", "permit", subject=["alice", "bob"], action=["read", "write"]))
    changes = list(policydiff.diff(old, new))
    assert [(c.kind, c.dimension, c.direction) for c in changes] == [
        (Kind.SCOPE_BROADENED, "action", Direction.LOOSENED),
        (Kind.SCOPE_BROADENED, "subject", Direction.LOOSENED),
    ]


def test_a_subject_appearing_narrows_a_rule_that_applied_to_anyone() -> None:
    change = only(version(rule("x", "permit")), version(rule("x", "permit", subject="alice")))
    assert (change.kind, change.dimension, change.direction) == (
        Kind.SCOPE_NARROWED,
        "subject",
        Direction.TIGHTENED,
    )


VOCABULARY = {"region": {"Europe": ["France", "Germany"], "World": ["Europe", "Asia"]}}


def test_a_value_replaced_by_its_descendant_is_narrowed() -> None:
    change = only(
        version(rule("x", scope={"region": ["Europe"]}), vocabulary=VOCABULARY),
        version(rule("x", scope={"region": ["France"]}), vocabulary=VOCABULARY),
    )
    assert (change.kind, change.direction) == (Kind.SCOPE_NARROWED, Direction.LOOSENED)


def test_a_value_replaced_by_its_ancestor_is_broadened() -> None:
    change = only(
        version(rule("x", "permit", scope={"region": ["France"]}), vocabulary=VOCABULARY),
        version(rule("x", "permit", scope={"region": ["World"]}), vocabulary=VOCABULARY),
    )
    assert (change.kind, change.direction) == (Kind.SCOPE_BROADENED, Direction.LOOSENED)


def test_values_replaced_by_a_parent_covering_exactly_them_change_nothing_in_effect() -> None:
    change = only(
        version(rule("x", scope={"region": ["France", "Germany"]}), vocabulary=VOCABULARY),
        version(rule("x", scope={"region": ["Europe"]}), vocabulary=VOCABULARY),
    )
    assert (change.kind, change.direction) == (Kind.SCOPE_CHANGED, Direction.NEUTRAL)


# -- conditions and wording ------------------------------------------------------


@pytest.mark.parametrize(
    ("effect", "added", "removed"),
    [
        ("permit", Direction.TIGHTENED, Direction.LOOSENED),
        ("prohibit", Direction.LOOSENED, Direction.TIGHTENED),
    ],
)
def test_conditions_narrow_a_permission_and_soften_a_restriction(
    effect: str, added: Direction, removed: Direction
) -> None:
    plain = version(rule("x", effect))
    conditional = version(rule("x", effect, conditions=["with a licence"]))
    up = only(plain, conditional)
    down = only(conditional, plain)
    assert (up.kind, up.direction, up.added) == (
        Kind.CONDITION_ADDED,
        added,
        frozenset({"with a licence"}),
    )
    assert (down.kind, down.direction, down.removed) == (
        Kind.CONDITION_REMOVED,
        removed,
        frozenset({"with a licence"}),
    )


def test_conditions_swapped_are_one_added_and_one_removed_with_their_values() -> None:
    old = version(rule("x", conditions=["with a licence", "in peacetime"]))
    new = version(rule("x", conditions=["with a licence", "with an end-user certificate"]))
    changes = list(policydiff.diff(old, attrs.evolve(new, version="v2")))
    assert [(c.kind, c.added, c.removed) for c in changes] == [
        (Kind.CONDITION_ADDED, frozenset({"with an end-user certificate"}), frozenset()),
        (Kind.CONDITION_REMOVED, frozenset(), frozenset({"in peacetime"})),
    ]
    assert [c.before for c in changes] == [["in peacetime", "with a licence"]] * 2


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["EU, US"], ["EU", "US"]),
        (["['EU']"], ["EU"]),
        (["None"], None),
    ],
)
def test_values_that_read_alike_are_still_told_apart(
    before: list[str], after: list[str] | None
) -> None:
    old = version(rule("x", scope={"region": before}))
    new = version(rule("x", scope={"region": after} if after is not None else {}))
    change = only(old, new)
    assert change.kind in (Kind.SCOPE_CHANGED, Kind.SCOPE_BROADENED)
    assert change.removed == frozenset(before)


def test_a_new_text_or_source_list_is_a_rewording() -> None:
    old = version(rule("x", text="Exports are barred."))
    new = version(rule("x", text="No exports."))
    change = only(old, new)
    assert (change.kind, change.direction) == (Kind.RULE_REWORDED, Direction.NEUTRAL)
    assert change.description == "Rule x reworded: “No exports”."


# -- version-level changes -------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [("prohibit", "permit", Direction.LOOSENED), ("permit", "prohibit", Direction.TIGHTENED)],
)
def test_the_default_changing_has_its_own_kind(
    before: str, after: str, direction: Direction
) -> None:
    change = only(
        version(default=policydiff.Default(before)), version(default=policydiff.Default(after))
    )
    assert (change.kind, change.direction, change.rule) == (Kind.DEFAULT_CHANGED, direction, None)


def test_the_conflict_strategy_changing_is_mixed() -> None:
    change = only(version(), version(conflict=policydiff.Conflict.PERMIT_OVERRIDES))
    assert (change.kind, change.direction) == (Kind.CONFLICT_CHANGED, Direction.MIXED)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "New title"),
        ("summary", "Now shorter."),
        ("announced", When.parse("2024-05-03")),
        ("timezone", "Europe/Kyiv"),
        ("approved_by", ("The board",)),
        ("sources", (policydiff.Source(id="memo"),)),
        ("events", (policydiff.Event(date=When.parse("2024-04"), what="Review"),)),
        ("vocabulary", {"region": {"Europe": ["France"]}}),
    ],
)
def test_each_other_version_field_is_one_neutral_metadata_change(field: str, value: object) -> None:
    change = only(version(), version(**{field: value}))
    assert (change.kind, change.direction, change.dimension) == (
        Kind.METADATA_CHANGED,
        Direction.NEUTRAL,
        field,
    )
    assert change.path == f"root[{field!r}]"


def test_label_and_effective_are_the_diffs_ends_not_changes() -> None:
    d = policydiff.diff(version(), version(version="v9", effective=When.parse("2025")))
    assert len(d) == 0
    assert not d
    assert d.to_dict()["to"] == {
        "version": "v9",
        "effective": "2025-01-01T00:00:00+00:00",
        "precision": "year",
    }


def test_to_json_is_the_json_renderers_document() -> None:
    d = policydiff.diff(version(), version(rule("x", "permit"), version="v2"))
    assert json.loads(d.to_json()) == d.to_dict()
    assert d.to_json() + "\n" == policydiff.render(d, "json")


def test_versions_of_different_policies_cannot_be_compared() -> None:
    with pytest.raises(policydiff.DiffError, match="different policies: 'demo'"):
        policydiff.diff(version(), version(policy="other"))


def test_a_later_version_may_be_compared_against_an_earlier_one() -> None:
    early = version(rule("x", "permit"))
    late = version(version="v2", effective=When.parse("2024-06-01"))
    d = policydiff.diff(late, early)
    assert d.to_dict()["from"]["version"] == "v2"
    assert [c.kind for c in d] == [Kind.PERMISSION_GRANTED]
    assert d.gap == "31 days before the previous version"


# -- the flagship pair -----------------------------------------------------------


@pytest.fixture(scope="module")
def flagship() -> policydiff.PolicyDiff:
    old = policydiff.load(HISTORY / "2022-no-strikes-inside-russia.yaml")
    new = policydiff.load(HISTORY / "2024-05-30-kharkiv.yaml")
    return policydiff.diff(old, new)


def test_the_kharkiv_decision_is_exactly_one_permission_granted(
    flagship: policydiff.PolicyDiff,
) -> None:
    (granted,) = flagship.loosened()
    assert granted.kind is Kind.PERMISSION_GRANTED
    assert granted.rule == "kharkiv-defensive-strikes"
    assert granted.effective.isoformat() == "2024-05-30T00:00:00-04:00"
    assert [s.publisher for s in granted.sources] == ["Politico", "Reuters"]
    assert flagship.tightened() == ()
    assert flagship.summary["mixed"] == 0
    assert all(c.direction is Direction.NEUTRAL for c in flagship if c is not granted)
    assert {c.kind for c in flagship if c is not granted} == {Kind.METADATA_CHANGED}


def test_the_kharkiv_description_says_who_may_do_what_where_and_under_which_condition(
    flagship: policydiff.PolicyDiff,
) -> None:
    (granted,) = flagship.loosened()
    assert granted.description == (
        "Permission granted: Ukraine may strike (purpose: defensive; territory: Belgorod Oblast;"
        " weapon: GMLRS or artillery), only against Russian forces attacking or preparing to"
        " attack the Kharkiv region."
    )


def test_the_text_report_leads_with_what_was_lifted_and_when(
    flagship: policydiff.PolicyDiff,
) -> None:
    lines = policydiff.render(flagship).splitlines()
    assert (
        lines[0] == "us-weapons-use-ukraine: no-strikes-inside-russia → kharkiv-defensive-strikes"
    )
    assert lines[1].startswith("Effective 30 May 2024, 2 years after the previous version")
    first_section = next(
        line
        for line in lines
        if line.endswith(")")
        and not line.startswith(" ")
        and "(" in line
        and line[0].isupper()
        and "changes" not in line
    )
    assert first_section == "Lifted or loosened (1)"


def test_the_markdown_report_has_a_section_per_direction(flagship: policydiff.PolicyDiff) -> None:
    text = policydiff.render(flagship, "markdown")
    assert "### Lifted or loosened (1)" in text
    assert "### Wording and metadata (5)" in text
    assert text.index("Lifted") < text.index("Wording")


def test_the_json_report_follows_the_contract(flagship: policydiff.PolicyDiff) -> None:
    data = json.loads(policydiff.render(flagship, "json"))
    assert list(data) == ["policydiff", "policy", "from", "to", "verdict", "summary", "changes"]
    assert data["from"]["version"] == "no-strikes-inside-russia"
    assert data["to"]["effective"] == "2024-05-30T00:00:00-04:00"
    assert data["summary"] == {"loosened": 1, "tightened": 0, "neutral": 5, "mixed": 0}
    granted = data["changes"][0]
    assert granted["kind"] == "permission-granted"
    assert granted["path"] == "root['rules']['kharkiv-defensive-strikes']"
    assert granted["after"]["scope"]["weapon"] == ["GMLRS", "artillery"]
    assert granted["dimension"] is None
    assert granted["added"] == granted["removed"] == []
    assert data["verdict"] == "loosened"
    assert granted["effect"] == "loosened"
    assert {c["effect"] for c in data["changes"][1:]} == {"none"}


def test_a_month_precision_date_reads_as_the_month() -> None:
    d = policydiff.diff(
        version(), version(version="v2", effective=When.parse("2024-06"), title="t")
    )
    assert policydiff.render(d).splitlines()[1].startswith("Effective June 2024, 1 month after")


# -- properties --------------------------------------------------------------------


@given(versions())
def test_a_version_compared_with_itself_has_no_changes(v: PolicyVersion) -> None:
    assert len(policydiff.diff(v, v)) == 0


@given(version_pairs())
def test_swapping_the_versions_swaps_loosened_and_tightened(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    a, b = pair
    forward = policydiff.diff(a, b).summary
    backward = policydiff.diff(b, a).summary
    assert (forward["loosened"], forward["tightened"]) == (
        backward["tightened"],
        backward["loosened"],
    )
    assert forward["mixed"] == backward["mixed"]


def _shuffled_document(value: object, rnd: random.Random) -> object:
    if isinstance(value, dict):
        return {k: _shuffled_document(v, rnd) for k, v in value.items()}
    if isinstance(value, list):
        items = [_shuffled_document(v, rnd) for v in value]
        rnd.shuffle(items)
        return items
    return value


@given(version_pairs(), st.randoms(use_true_random=False))
def test_reordering_rules_and_values_in_the_document_changes_nothing(
    pair: tuple[PolicyVersion, PolicyVersion], rnd: random.Random
) -> None:
    a, b = pair
    document = unstructure_version(b)
    shuffled = {
        key: _shuffled_document(value, rnd) if key == "rules" else value
        for key, value in document.items()
    }
    reordered = policydiff.loads(json.dumps(shuffled), format="json")
    assert reordered == b
    assert policydiff.render(policydiff.diff(a, reordered), "json") == policydiff.render(
        policydiff.diff(a, b), "json"
    )


@given(version_pairs())
def test_setting_equal_rules_aside_gives_the_same_answer_as_diffing_everything(
    pair: tuple[PolicyVersion, PolicyVersion],
) -> None:
    a, b = pair
    assert _Differ(a, b).changes() == _Differ(a, b, prefilter=False).changes()


def _unshared(version: PolicyVersion) -> PolicyVersion:
    """An equal version whose rules are all new objects, as a fresh load gives."""
    return attrs.evolve(version, rules=[attrs.evolve(r) for r in version.rules])


@given(version_pairs(), st.booleans(), st.booleans())
def test_the_rules_set_aside_are_exactly_the_equal_ones(
    pair: tuple[PolicyVersion, PolicyVersion], fresh_old: bool, fresh_new: bool
) -> None:
    # Shared rule objects take a shortcut, fresh ones are compared: both must
    # find the same rules, and the same as a plain look at every id.
    a, b = pair
    a, b = (_unshared(a) if fresh_old else a), (_unshared(b) if fresh_new else b)
    edited, removed, added = split_rules(a, b)
    old_ids, new_ids = a.rule_ids, b.rule_ids
    assert [r.id for r in removed] == sorted(old_ids - new_ids)
    assert [r.id for r in added] == sorted(new_ids - old_ids)
    expected = sorted(i for i in old_ids & new_ids if a.rule(i) != b.rule(i))
    assert sorted(old.id for old, _ in edited) == expected
    assert all(old.id == new.id and old != new for old, new in edited)


def test_same_number_of_rules_under_other_ids_is_not_taken_for_edits() -> None:
    a = version(rule("a"), rule("b", action="import"))
    b = version(rule("a"), rule("c", action="import"), version="v2")
    edited, removed, added = split_rules(a, b)
    assert (edited, [r.id for r in removed], [r.id for r in added]) == ([], ["b"], ["c"])
    kinds = [c.kind for c in policydiff.diff(a, b)]
    assert kinds == [Kind.RULE_RENAMED]


def test_adding_and_removing_rules_pairs_the_rest_without_sorting_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both rule tuples are kept in id order: a step that adds and removes
    # rules pairs the others up in one pass, without sorting every id again.
    a = version(*(rule(f"r{i:03d}") for i in range(0, 60)))
    b = version(
        *(rule(f"r{i:03d}", action="import" if i == 30 else "export") for i in range(5, 70))
    )

    def no_sorting(*args: object, **kwargs: object) -> None:
        raise AssertionError("the ids were sorted")

    monkeypatch.setattr(policydiff._diff, "sorted", no_sorting, raising=False)
    edited, removed, added = split_rules(attrs.evolve(a), attrs.evolve(b, version="v2"))
    assert [(old.id, new.id) for old, new in edited] == [("r030", "r030")]
    assert [r.id for r in removed] == [f"r{i:03d}" for i in range(5)]
    assert [r.id for r in added] == [f"r{i:03d}" for i in range(60, 70)]


@given(
    st.sets(st.integers(0, 3000), max_size=600),
    st.sets(st.integers(0, 3000), max_size=60),
    st.sets(st.integers(0, 3000), max_size=60),
)
def test_long_rule_lists_pair_up_by_id_whatever_was_added_or_removed(
    kept: set[int], gone: set[int], new: set[int]
) -> None:
    # Long enough to be cut into stretches: every id in both versions pairs
    # with itself, and each other one is added or removed, in id order.
    old_ids = sorted(f"r{i:05d}" for i in kept | gone)
    new_ids = sorted(f"r{i:05d}" for i in (kept - gone) | new)
    a = version(*(rule(i) for i in old_ids))
    b = version(*(rule(i, action="import" if i.endswith("7") else "export") for i in new_ids))
    edited, removed, added = split_rules(a, attrs.evolve(b, version="v2"), keep_equal=True)
    assert [(o.id, n.id) for o, n in edited] == [(i, i) for i in old_ids if i in set(new_ids)]
    assert [r.id for r in removed] == sorted(set(old_ids) - set(new_ids))
    assert [r.id for r in added] == sorted(set(new_ids) - set(old_ids))


@given(
    st.sets(st.integers(0, 3000), min_size=20, max_size=600),
    st.sets(st.integers(0, 3000), max_size=60),
    st.sets(st.integers(0, 3000), max_size=60),
    st.sets(st.integers(0, 3000), max_size=30),
    st.sets(st.integers(0, 3000), max_size=30),
    st.booleans(),
)
def test_long_versions_pair_up_by_id_whether_or_not_they_share_their_rules(
    kept: set[int],
    gone: set[int],
    new: set[int],
    edited: set[int],
    copied: set[int],
    fresh: bool,
) -> None:
    # As a history holds them: the new version holds the old one's rule
    # objects, but for rules edited (a new object), copied (a new, equal
    # object), removed or added; or, as two files read apart, none of them.
    olds = {i: rule(f"r{i:05d}") for i in kept | gone}
    news: dict[int, Rule] = {}
    for i in (kept - gone) | new:
        if i in olds and i in edited:
            news[i] = rule(f"r{i:05d}", action="import")
        elif i in olds and i in copied:
            news[i] = attrs.evolve(olds[i])
        else:
            news[i] = olds.get(i) or rule(f"r{i:05d}", scope={"region": ["EU"]})
    a, b = version(*olds.values()), version(*news.values(), version="v2")
    if fresh:
        b = _unshared(b)
    found, removed, added = split_rules(a, b)
    assert [r.id for r in removed] == sorted(olds[i].id for i in olds.keys() - news.keys())
    assert [r.id for r in added] == sorted(news[i].id for i in news.keys() - olds.keys())
    expected = sorted(
        (i for i in olds.keys() & news.keys() if olds[i] != news[i]), key=lambda i: f"{i:05d}"
    )
    assert found == [(olds[i], news[i]) for i in expected]


class _CountedId(str):
    """A rule id that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _CountedId.compared += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: str) -> bool:
        _CountedId.compared += 1
        return str.__lt__(self, other)

    __hash__ = str.__hash__


def test_versions_sharing_their_rules_are_paired_looking_at_few_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A history's step that adds and removes rules pairs the rules both
    # versions hold as one object without comparing their ids.
    a = version(*(rule(_CountedId(f"r{i:04d}")) for i in range(0, 2000)))
    kept = [r for r in a.rules if r.id not in ("r0100", "r1500", "r1999")]
    b = attrs.evolve(
        a,
        version="v2",
        rules=[*kept, rule(_CountedId("r0100a")), rule(_CountedId("r1999"), action="import")],
    )
    monkeypatch.setattr(_CountedId, "compared", 0)
    edited, removed, added = split_rules(a, b)
    assert _CountedId.compared < 500
    assert [(old.id, new.id) for old, new in edited] == [("r1999", "r1999")]
    assert [r.id for r in removed] == ["r0100", "r1500"]
    assert [r.id for r in added] == ["r0100a"]
    kinds = [(c.kind, c.rule) for c in policydiff.diff(a, b)]
    assert kinds == [
        (Kind.RULE_RENAMED, "r0100a"),
        (Kind.RESTRICTION_LIFTED, "r1500"),
        (Kind.SCOPE_CHANGED, "r1999"),
    ]


def test_a_vocabulary_works_out_each_values_leaves_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many changed rules naming one value of a shared vocabulary: its subtree
    # is walked once, not once per change.
    tree = {"region": {"Europe": ["West", "East"], "West": ["France", "Spain"]}}
    old = version(
        *(rule(f"r{i}", scope={"region": ["Europe"]}) for i in range(20)), vocabulary=tree
    )
    new = attrs.evolve(
        old,
        version="v2",
        rules=[rule(f"r{i}", scope={"region": ["Europe", "Asia"]}) for i in range(20)],
        vocabulary=old.vocabulary,
    )
    walks: list[tuple[str, str]] = []
    descendants = policydiff.Vocabulary.descendants

    def counted(self: policydiff.Vocabulary, dimension: str, value: str) -> set[str]:
        walks.append((dimension, value))
        return descendants(self, dimension, value)

    monkeypatch.setattr(policydiff.Vocabulary, "descendants", counted)
    changes = policydiff.diff(old, new)
    assert [c.kind for c in changes] == [Kind.SCOPE_BROADENED] * 20
    assert sorted(walks) == [("region", "Asia"), ("region", "Europe")]
    assert old.vocabulary.leaves("region", "Europe") == {"France", "Spain", "East"}


def test_a_changed_rule_reaches_deepdiff_as_one_text_per_facet_that_differs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # However many values a facet holds, DeepDiff builds one level of its
    # tree for it: the values gained and lost are read off the two rules.
    import deepdiff

    handed: list[tuple[dict[object, object], dict[object, object]]] = []
    real = deepdiff.DeepDiff

    def recorded(t1: dict[object, object], t2: dict[object, object], **options: object) -> object:
        handed.append((t1, t2))
        return real(t1, t2, **options)

    monkeypatch.setattr(deepdiff, "DeepDiff", recorded)
    many = [f"place-{i:02d}" for i in range(30)]
    old = version(rule("x", scope={"region": many}, conditions=["a"]), rule("y"))
    new = version(
        rule("x", scope={"region": many[5:]}, conditions=["a", "b"], text="Now worded."),
        rule("y"),
    )
    changes = list(policydiff.diff(old, attrs.evolve(new, version="v2")))
    assert [c.kind for c in changes] == [
        Kind.SCOPE_NARROWED,
        Kind.CONDITION_ADDED,
        Kind.RULE_REWORDED,
    ]
    assert changes[0].removed == frozenset(many[:5])
    ((t1, t2),) = handed
    differing = {("x", "scope", "region"), ("x", "conditions"), ("x", "text")}
    assert set(t1) == set(t2) == differing
    assert all(isinstance(value, str) for value in (*t1.values(), *t2.values()))


@given(version_pairs())
def test_json_output_is_stable_and_parses(pair: tuple[PolicyVersion, PolicyVersion]) -> None:
    a, b = pair
    first = policydiff.render(policydiff.diff(a, b), "json")
    assert first == policydiff.render(policydiff.diff(a, b), "json")
    data = json.loads(first)
    assert sum(data["summary"].values()) == len(data["changes"])
    for change in data["changes"]:
        assert change["added"] == sorted(change["added"])
        assert change["removed"] == sorted(change["removed"])


# -- honest sources for removals -------------------------------------------------


BRAZIL = (Source(id="proclamation-10041", publisher="Federal Register"),)
TESTING = (Source(id="cdc-testing-order", publisher="CDC"),)


def test_a_removed_rule_is_never_credited_to_every_source_of_the_new_version() -> None:
    old = version(rule("brazil-ban", sources={"proclamation-10041"}), sources=BRAZIL)
    new = version(version="v2", sources=TESTING)
    lifted = policydiff.diff(old, new).loosened()[0]
    assert (lifted.kind, lifted.sources, lifted.note) == (Kind.RESTRICTION_LIFTED, (), None)


def test_a_removal_names_the_sources_and_the_note_behind_it() -> None:
    revoked = Source(id="proclamation-10294", publisher="Federal Register")
    old = version(rule("brazil-ban"), sources=BRAZIL)
    new = version(
        sources=(*TESTING, revoked),
        removals=(
            Removal(
                rule="brazil-ban", sources={"proclamation-10294"}, note="Country bans revoked."
            ),
        ),
    )
    lifted = policydiff.diff(old, attrs.evolve(new, version="v2")).loosened()[0]
    assert ([s.id for s in lifted.sources], lifted.note) == (
        ["proclamation-10294"],
        "Country bans revoked.",
    )
    document = policydiff.diff(old, attrs.evolve(new, version="v2")).to_dict()
    assert document["changes"][0]["note"] == "Country bans revoked."


def test_the_text_report_shows_why_a_rule_was_removed() -> None:
    old = version(rule("brazil-ban"))
    new = version(
        version="v2", removals=(Removal(rule="brazil-ban", note="Country bans revoked."),)
    )
    report = policydiff.render(policydiff.diff(old, new))
    assert "    rule brazil-ban · decisions loosened · why: Country bans revoked." in report


# -- wording ---------------------------------------------------------------------


def test_a_quoted_summary_ending_a_sentence_has_one_full_stop() -> None:
    old = version(summary="Before.")
    new = version(summary="Entry rules eased.")
    assert only(old, new).description == "Summary changed to “Entry rules eased.”"


def test_a_quoted_summary_without_a_stop_gets_one() -> None:
    assert only(version(), version(summary="Eased")).description == "Summary changed to “Eased”."


def test_a_rule_sentence_after_now_has_no_capital_mid_sentence() -> None:
    old = version(rule(effect="oblige"))
    new = version(rule(effect="oblige", conditions={"for air travel"}))
    assert only(old, new).description == (
        "Condition added to r: “for air travel”; now to export, for air travel,"
        " everyone must meet a requirement."
    )


def test_an_anyone_rule_after_now_reads_lowercase() -> None:
    old = version(rule(effect="prohibit"))
    new = version(rule(effect="prohibit", conditions={"without a licence"}))
    assert only(old, new).description.endswith("; now no one may export, without a licence.")


def test_an_obligation_reads_as_the_requirement_it_is() -> None:
    new = version(
        rule(
            "vaccination",
            effect="oblige",
            subject="foreign nationals",
            action="enter",
            text="Show proof of vaccination against COVID-19.",
        )
    )
    assert only(version(), new).description == (
        "Obligation imposed: To enter, foreign nationals must meet a requirement:"
        " Show proof of vaccination against COVID-19."
    )


def test_opening_a_dimension_is_a_neutral_metadata_change() -> None:
    change = only(version(), version(open={"region"}))
    assert (change.kind, change.direction, change.added, change.description) == (
        Kind.METADATA_CHANGED,
        Direction.NEUTRAL,
        {"region"},
        "Open dimensions changed: added region.",
    )


def test_removals_are_shown_on_the_changes_they_explain_not_as_changes_of_their_own() -> None:
    old = version(rule("gone"))
    new = version(version="v2", removals=(Removal(rule="gone", note="Revoked."),))
    assert [c.kind for c in policydiff.diff(old, new)] == [Kind.RESTRICTION_LIFTED]
