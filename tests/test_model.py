"""The policy model: frozen attrs classes, read-only maps, vocabularies and time values."""

from __future__ import annotations

import copy
import re

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policydiff import diff
from policydiff.model import (
    Conflict,
    Default,
    Effect,
    FrozenMap,
    PolicyVersion,
    Precision,
    Rule,
    Source,
    Vocabulary,
    When,
)
from tests.strategies import versions, whens

MAY = When.parse("2024-05")


def _version(*rules: Rule, **fields: object) -> PolicyVersion:
    return PolicyVersion(policy="p", version="v", effective=MAY, rules=rules, **fields)  # type: ignore[arg-type]


STRIKE = Rule(
    id="kharkiv",
    effect=Effect.PERMIT,
    subject="Ukraine",
    action=["strike"],
    scope={"territory": ["Belgorod Oblast", "Kursk Oblast"], "weapon": "GMLRS"},
    conditions=["defensive only"],
)
BAN = Rule(id="no-strikes", effect=Effect.PROHIBIT, action="strike", scope={"territory": "Russia"})


# -- equality, hashing, immutability ----------------------------------------------------


def test_rule_fields_hold_sets_and_a_read_only_scope() -> None:
    assert STRIKE.subject == frozenset({"Ukraine"})
    assert STRIKE.action == frozenset({"strike"})
    assert isinstance(STRIKE.scope, FrozenMap)
    assert STRIKE.scope["territory"] == frozenset({"Belgorod Oblast", "Kursk Oblast"})
    assert STRIKE.scope["weapon"] == frozenset({"GMLRS"})
    assert STRIKE.conditions == frozenset({"defensive only"})


def test_rule_order_of_values_does_not_matter() -> None:
    again = Rule(
        id="kharkiv",
        effect=Effect.PERMIT,
        subject=["Ukraine"],
        action="strike",
        scope={"weapon": ["GMLRS"], "territory": ["Kursk Oblast", "Belgorod Oblast"]},
        conditions=frozenset({"defensive only"}),
    )
    assert again == STRIKE
    assert hash(again) == hash(STRIKE)


def test_versions_equal_whatever_the_order_of_their_rules() -> None:
    assert _version(STRIKE, BAN) == _version(BAN, STRIKE)
    assert hash(_version(STRIKE, BAN)) == hash(_version(BAN, STRIKE))
    assert [r.id for r in _version(STRIKE, BAN).rules] == ["kharkiv", "no-strikes"]


@given(version=versions(), data=st.data())
def test_shuffled_rules_make_an_equal_version(version: PolicyVersion, data: st.DataObject) -> None:
    shuffled = attrs.evolve(version, rules=data.draw(st.permutations(version.rules)))
    assert (shuffled, hash(shuffled)) == (version, hash(version))


def test_versions_differ_when_a_rule_does() -> None:
    assert _version(STRIKE) != _version(attrs.evolve(STRIKE, effect=Effect.PROHIBIT))


def test_versions_are_frozen() -> None:
    version = _version(STRIKE)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        version.title = "changed"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        STRIKE.effect = Effect.PROHIBIT  # type: ignore[misc]


def test_classes_take_keywords_only() -> None:
    with pytest.raises(TypeError):
        Rule("r", Effect.PERMIT, "strike")  # type: ignore[misc]


def test_evolve_derives_a_new_version_and_keeps_the_old() -> None:
    old = _version(BAN)
    new = attrs.evolve(old, version="v2", rules=[STRIKE, BAN])
    assert (old.rule_ids, new.rule_ids) == (
        frozenset({"no-strikes"}),
        frozenset({"kharkiv", "no-strikes"}),
    )
    assert isinstance(new.rules, tuple)


def test_duplicate_rule_ids_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^duplicate rule ids: no-strikes$"):
        _version(BAN, attrs.evolve(BAN, effect=Effect.OBLIGE))


def test_rule_lookup_by_id() -> None:
    version = _version(STRIKE, BAN)
    assert version.rule("no-strikes") is version.rule("no-strikes")
    assert version.rule("no-strikes") == BAN
    assert version.rule("missing", None) is None
    with pytest.raises(KeyError):
        version.rule("missing")


def test_source_lookup_by_id() -> None:
    source = Source(id="politico", publisher="Politico")
    version = _version(sources=[source])
    assert (version.source("politico"), version.source("ap")) == (source, None)
    assert version.sources == (source,)


def test_dimensions_name_subject_and_action_with_the_scope() -> None:
    assert list(STRIKE.dimensions) == ["subject", "action", "territory", "weapon"]
    assert list(BAN.dimensions) == ["action", "territory"]


@pytest.mark.parametrize(
    ("effect", "restrictive"),
    [(Effect.PERMIT, False), (Effect.PROHIBIT, True), (Effect.OBLIGE, True)],
)
def test_prohibit_and_oblige_are_restrictive(effect: Effect, restrictive: bool) -> None:
    assert effect.restrictive is restrictive


# -- FrozenMap ---------------------------------------------------------------------------


def test_frozen_map_is_read_only() -> None:
    scope = FrozenMap({"b": 1, "a": 2})
    with pytest.raises(TypeError):
        scope["c"] = 3  # type: ignore[index]
    with pytest.raises(AttributeError, match=r"^FrozenMap is read-only$"):
        scope._data = {}  # type: ignore[misc]
    assert not hasattr(scope, "pop")


def test_frozen_map_iterates_in_key_order_and_ignores_insertion_order() -> None:
    first, second = FrozenMap({"b": 1, "a": 2}), FrozenMap([("a", 2), ("b", 1)])
    assert list(first) == ["a", "b"]
    assert (first, hash(first)) == (second, hash(second))
    assert first == {"a": 2, "b": 1}
    assert first != FrozenMap({"a": 2})
    assert (len(first), "a" in first, "z" in first) == (2, True, False)
    assert repr(first) == "FrozenMap({'a': 2, 'b': 1})"


def test_frozen_map_views_follow_key_order_and_change_nothing() -> None:
    scope = FrozenMap({"b": 1, "a": 2})
    assert (list(scope.keys()), list(scope.values())) == (["a", "b"], [2, 1])
    assert list(scope.items()) == [("a", 2), ("b", 1)]
    assert scope.keys() == {"a", "b"}
    assert not hasattr(scope.items(), "pop")
    assert (scope.get("a"), scope.get("z")) == (2, None)


def test_a_rules_values_on_a_dimension_are_none_where_it_means_any() -> None:
    anyone = Rule(id="r", effect=Effect.PERMIT, action="strike", scope={"weapon": ["GMLRS"]})
    assert anyone.values_on("subject") is None
    assert anyone.values_on("action") == frozenset({"strike"})
    assert anyone.values_on("weapon") == frozenset({"GMLRS"})
    assert anyone.values_on("territory") is None
    named = attrs.evolve(anyone, subject=["Ukraine"])
    assert all(
        named.values_on(dim) == named.dimensions.get(dim)
        for dim in ("subject", "action", "weapon", "territory")
    )


def test_frozen_map_is_usable_as_a_set_member() -> None:
    assert len({FrozenMap({"a": frozenset({"x"})}), FrozenMap({"a": frozenset({"x"})})}) == 1


def test_frozen_map_copies_to_an_equal_map() -> None:
    scope = FrozenMap({"a": frozenset({"x"})})
    assert copy.deepcopy(scope) == scope
    assert copy.copy(scope) == scope


# -- Vocabulary --------------------------------------------------------------------------

TREE = Vocabulary(
    trees={
        "territory": {
            "Europe": ["Russia", "Ukraine"],
            "Russia": ["Belgorod Oblast", "Kursk Oblast"],
        }
    }
)


def test_vocabulary_parent_and_ancestors() -> None:
    assert TREE.parent("territory", "Kursk Oblast") == "Russia"
    assert TREE.parent("territory", "Europe") is None
    assert TREE.parent("weapon", "ATACMS") is None
    assert TREE.ancestors("territory", "Kursk Oblast") == ["Russia", "Europe"]
    assert TREE.ancestors("territory", "Mars") == []


def test_vocabulary_children_descendants_and_leaves() -> None:
    assert TREE.children("territory", "Russia") == frozenset({"Belgorod Oblast", "Kursk Oblast"})
    assert TREE.children("territory", "Kursk Oblast") == frozenset()
    assert TREE.children("weapon", "ATACMS") == frozenset()
    assert TREE.descendants("territory", "Europe") == {
        "Russia",
        "Ukraine",
        "Belgorod Oblast",
        "Kursk Oblast",
    }
    assert TREE.leaves("territory", "Europe") == {"Ukraine", "Belgorod Oblast", "Kursk Oblast"}
    assert TREE.leaves("territory", "Crimea") == {"Crimea"}


def test_vocabulary_covers_a_value_and_its_descendants() -> None:
    assert TREE.covers("territory", "Europe", "Kursk Oblast")
    assert TREE.covers("territory", "Russia", "Russia")
    assert not TREE.covers("territory", "Kursk Oblast", "Russia")
    assert not TREE.covers("territory", "Ukraine", "Kursk Oblast")
    assert TREE.covers("weapon", "ATACMS", "ATACMS")


def test_vocabulary_values_and_truth() -> None:
    assert TREE.values("territory") == {
        "Europe",
        "Russia",
        "Ukraine",
        "Belgorod Oblast",
        "Kursk Oblast",
    }
    assert TREE.values("weapon") == set()
    assert TREE
    assert not Vocabulary()


def test_vocabulary_walks_end_even_on_a_cycle() -> None:
    # Documents refuse cycles; a model built by hand must still not hang.
    loop = Vocabulary(trees={"t": {"a": ["b"], "b": ["a"]}})
    assert loop.ancestors("t", "a") == ["b", "a", "b"]
    assert loop.descendants("t", "a") == {"a", "b"}


def test_vocabulary_equality_ignores_order() -> None:
    again = Vocabulary(
        trees={
            "territory": {
                "Russia": ["Kursk Oblast", "Belgorod Oblast"],
                "Europe": ["Ukraine", "Russia"],
            }
        }
    )
    assert (again, hash(again)) == (TREE, hash(TREE))


def test_a_version_accepts_a_plain_mapping_as_its_vocabulary() -> None:
    version = _version(vocabulary={"territory": {"Russia": ["Kursk Oblast"]}})
    assert version.vocabulary.covers("territory", "Russia", "Kursk Oblast")


# -- When -----------------------------------------------------------------------------


def test_when_needs_a_zone_aware_pendulum_instant() -> None:
    with pytest.raises(ValueError, match=r"must be a timezone-aware pendulum\.DateTime"):
        When(instant=pendulum.naive(2024, 5, 30))


def test_when_keeps_its_precision() -> None:
    assert (MAY.precision, MAY.isoformat()) == (Precision.MONTH, "2024-05-01T00:00:00+00:00")


@pytest.mark.parametrize(
    ("written", "shown", "end"),
    [
        ("2024", "2024", "2025-01-01T00:00:00+00:00"),
        ("2024-05", "May 2024", "2024-06-01T00:00:00+00:00"),
        ("2024-05-30", "30 May 2024", "2024-05-31T00:00:00+00:00"),
        ("2024-05-30T14:00", "30 May 2024, 14:00 +00:00", "2024-05-30T14:00:00+00:00"),
    ],
)
def test_when_shows_and_ends_at_its_precision(written: str, shown: str, end: str) -> None:
    when = When.parse(written)
    assert (str(when), when.end.isoformat()) == (shown, end)


def test_when_orders_by_first_instant_then_coarser_first() -> None:
    year, month, day = When.parse("2024"), When.parse("2024-01"), When.parse("2024-01-01")
    later = When.parse("2024-01-01T00:01")
    assert sorted([later, day, year, month]) == [year, month, day, later]
    assert year < month <= day < later
    assert later > day >= day


def test_when_orders_instants_across_zones() -> None:
    assert When.parse("2024-05-30", timezone="Europe/Kyiv") < When.parse("2024-05-30")


def test_when_equality_needs_the_same_zone_and_precision() -> None:
    utc = When.parse("2024-05-30T12:00Z")
    assert utc == When.parse("2024-05-30T12:00+00:00")
    assert utc != When.parse("2024-05-30T12:00", timezone="UTC")
    assert utc != When.parse("2024-05-30T15:00+03:00")
    assert When.parse("2024-01-01") != When.parse("2024")
    assert hash(When.parse("2024")) == hash(When.parse("2024"))


def test_the_two_times_a_clock_change_repeats_are_different_moments() -> None:
    summer = When(instant=pendulum.datetime(2024, 11, 3, 1, 30, tz="America/New_York", fold=0))
    winter = When(instant=pendulum.datetime(2024, 11, 3, 1, 30, tz="America/New_York", fold=1))
    assert (summer.isoformat(), winter.isoformat()) == (
        "2024-11-03T01:30:00-04:00",
        "2024-11-03T01:30:00-05:00",
    )
    assert summer != winter
    assert summer < winter


def test_when_orders_even_where_utc_leaves_the_calendar() -> None:
    # Documents cannot hold such values (reading refuses them), but a When can.
    first = When(instant=pendulum.datetime(1, 1, 1, tz=pendulum.FixedTimezone(14 * 3600)))
    last = When(
        instant=pendulum.datetime(9999, 12, 31, 23, 59, tz=pendulum.FixedTimezone(-14 * 3600))
    )
    assert sorted([last, first]) == [first, last]


@given(a=whens(timezone="America/New_York"), b=whens(timezone="Europe/Kyiv"))
def test_when_order_follows_the_moment_in_time(a: When, b: When) -> None:
    if a.instant.timestamp() != b.instant.timestamp():
        assert (a < b) == (a.instant.timestamp() < b.instant.timestamp())


# -- the model refuses what it cannot use ------------------------------------------


def test_a_rule_given_its_effect_as_text_holds_the_effect() -> None:
    rule = Rule(id="r", effect="permit", action="x")  # type: ignore[arg-type]
    assert rule.effect is Effect.PERMIT
    old = PolicyVersion(policy="p", version="v1", effective=When.parse("2024"))
    new = attrs.evolve(old, version="v2", effective=When.parse("2025"), rules=[rule])
    assert [c.kind.value for c in diff(old, new)] == ["permission-granted"]


def test_a_rule_with_an_unknown_effect_is_refused_at_construction() -> None:
    message = "unknown effect 'allow' (expected one of: oblige, permit, prohibit)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Rule(id="r", effect="allow", action="x")  # type: ignore[arg-type]


def test_a_version_given_its_default_and_conflict_as_text_holds_them() -> None:
    version = PolicyVersion(
        policy="p",
        version="v",
        effective=When.parse("2024"),
        default="prohibit",  # type: ignore[arg-type]
        conflict="permit-overrides",  # type: ignore[arg-type]
    )
    assert (version.default, version.conflict) == (Default.PROHIBIT, Conflict.PERMIT_OVERRIDES)


def test_a_version_with_an_unknown_conflict_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^unknown conflict strategy 'first-wins' \(expected"):
        PolicyVersion(
            policy="p",
            version="v",
            effective=When.parse("2024"),
            conflict="first-wins",  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("field", ["effective", "announced"])
def test_a_version_refuses_a_time_that_is_not_a_when(field: str) -> None:
    fields: dict[str, object] = {"effective": When.parse("2024"), field: "2024-05-30"}
    message = (
        f"'{field}' must be a When, such as When.parse('2024-05-30')"
        " (got '2024-05-30' that is a str)"
    )
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        PolicyVersion(policy="p", version="v", **fields)  # type: ignore[arg-type]


def test_a_when_compared_with_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'<' not supported between instances of 'When' and 'int'"):
        When.parse("2024") < 5  # type: ignore[operator]  # noqa: B015


def test_a_when_given_its_precision_as_text_holds_it() -> None:
    when = When(instant=pendulum.datetime(2024, 5, 30), precision="day")  # type: ignore[arg-type]
    assert when.precision is Precision.DAY
    with pytest.raises(ValueError, match=r"^unknown precision 'week' \(expected one of: year,"):
        When(instant=pendulum.datetime(2024, 5, 30), precision="week")  # type: ignore[arg-type]
