"""Reading and writing version documents: load, loads, dump, dumps (SPEC section 2)."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policydiff
from policydiff import DocumentError, Limits, PolicyVersion
from policydiff._convert import RULE_KEYS, _detailed, _quick, reading
from policydiff.model import Conflict, Default, Effect, Precision, Removal, Rule, When
from tests.strategies import versions

FORMATS = ("yaml", "json", "toml")

DEMO = """\
policy: demo
version: v1
effective: 2024-05-30
timezone: America/New_York
rules:
  - id: no-export
    effect: prohibit
    subject: [NO, yes, "on"]
    action: export
    scope:
      country: [NO, off]
"""


@pytest.fixture
def kharkiv(data_dir: Path) -> PolicyVersion:
    """The SPEC's example version."""
    return policydiff.load(data_dir / "kharkiv.yaml")


# -- load and loads ------------------------------------------------------------


def test_load_reads_the_spec_example(kharkiv: PolicyVersion) -> None:
    assert kharkiv.policy == "us-weapons-use-ukraine"
    assert kharkiv.version == "kharkiv-defensive-strikes"
    assert kharkiv.default is Default.PERMIT
    assert kharkiv.conflict is Conflict.MOST_SPECIFIC
    assert kharkiv.approved_by == ("President Joe Biden",)
    rule = kharkiv.rule("kharkiv-defensive-strikes")
    assert rule.effect is Effect.PERMIT
    assert rule.subject == frozenset({"Ukraine"})
    assert rule.action == frozenset({"strike"})
    assert rule.scope["weapon"] == frozenset({"GMLRS", "artillery"})
    assert rule.sources == frozenset({"politico-2024-05-30"})
    assert kharkiv.vocabulary.covers("territory", "Russia", "Kursk Oblast")


def test_unquoted_yaml_date_is_a_day_in_the_document_zone(kharkiv: PolicyVersion) -> None:
    assert kharkiv.effective == When(
        instant=pendulum.datetime(2024, 5, 30, tz="America/New_York"), precision=Precision.DAY
    )
    assert kharkiv.effective.isoformat() == "2024-05-30T00:00:00-04:00"


@pytest.mark.parametrize(
    ("written", "precision", "first"),
    [
        ("2024", Precision.YEAR, "2024-01-01T00:00:00+02:00"),
        ("2024-05", Precision.MONTH, "2024-05-01T00:00:00+03:00"),
        ("2024-05-30", Precision.DAY, "2024-05-30T00:00:00+03:00"),
        ("2024-05-30T14:00", Precision.INSTANT, "2024-05-30T14:00:00+03:00"),
        ("2024-05-30 14:00:30", Precision.INSTANT, "2024-05-30T14:00:30+03:00"),
        ("2024-05-30T14:00-04:00", Precision.INSTANT, "2024-05-30T14:00:00-04:00"),
        ("2024-05-30T14:00Z", Precision.INSTANT, "2024-05-30T14:00:00+00:00"),
    ],
)
def test_unquoted_yaml_times_keep_their_precision(
    written: str, precision: Precision, first: str
) -> None:
    version = policydiff.loads(
        f"policy: p\nversion: v\ntimezone: Europe/Kyiv\neffective: {written}\n"
    )
    assert (version.effective.precision, version.effective.isoformat()) == (precision, first)


def test_yaml_no_yes_on_off_stay_strings() -> None:
    rule = policydiff.loads(DEMO).rule("no-export")
    assert rule.subject == frozenset({"NO", "yes", "on"})
    assert rule.scope["country"] == frozenset({"NO", "off"})


def test_toml_native_dates_and_times_are_read_in_the_document_zone() -> None:
    version = policydiff.loads(
        'policy = "p"\nversion = "v"\ntimezone = "Europe/Kyiv"\n'
        "effective = 2024-05-30\nannounced = 2024-05-31T09:30:00\n",
        format="toml",
    )
    assert version.effective.isoformat() == "2024-05-30T00:00:00+03:00"
    assert version.effective.precision is Precision.DAY
    assert version.announced is not None
    assert version.announced.isoformat() == "2024-05-31T09:30:00+03:00"


def test_the_same_version_reads_equal_from_every_format(kharkiv: PolicyVersion) -> None:
    for fmt in FORMATS:
        assert policydiff.loads(policydiff.dumps(kharkiv, format=fmt), format=fmt) == kharkiv


def test_order_of_rules_and_values_does_not_matter() -> None:
    reordered = """\
rules:
  - id: b
    effect: permit
    action: [fly, drive]
    scope: {zone: [south, north], kind: car}
  - id: a
    effect: prohibit
    action: export
effective: 2024
version: v
policy: p
"""
    original = """\
policy: p
version: v
effective: 2024
rules:
  - {id: a, effect: prohibit, action: [export]}
  - {id: b, effect: permit, action: [drive, fly], scope: {kind: [car], zone: [north, south]}}
"""
    first, second = policydiff.loads(original), policydiff.loads(reordered)
    assert first == second
    assert hash(first) == hash(second)


def test_loads_accepts_utf8_bytes_with_a_byte_order_mark() -> None:
    text = "\ufeffpolicy: p\nversion: v\neffective: 2024\ntitle: Café\n"
    assert policydiff.loads(text.encode("utf-8")).title == "Café"


def test_load_picks_the_format_from_the_suffix(tmp_path: Path, kharkiv: PolicyVersion) -> None:
    for suffix, fmt in ((".yml", "yaml"), (".JSON", "json"), (".toml", "toml")):
        path = tmp_path / f"version{suffix}"
        path.write_text(policydiff.dumps(kharkiv, format=fmt), encoding="utf-8")  # type: ignore[arg-type]
        assert policydiff.load(path) == kharkiv


def test_an_empty_rules_list_is_a_valid_version() -> None:
    version = policydiff.loads("policy: p\nversion: v\neffective: 2024\nrules: []\n")
    assert version.rules == ()


def test_defaults_fill_optional_fields() -> None:
    version = policydiff.loads("policy: p\nversion: v\neffective: 2024\n")
    assert (version.timezone, version.default, version.conflict, version.policydiff) == (
        "UTC",
        Default.PERMIT,
        Conflict.MOST_SPECIFIC,
        1,
    )


# -- dumps -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@given(version=versions())
def test_dumps_then_loads_gives_the_version_back(fmt: Any, version: PolicyVersion) -> None:
    assert policydiff.loads(policydiff.dumps(version, format=fmt), format=fmt) == version


@pytest.mark.parametrize("fmt", FORMATS)
@given(version=versions(), data=st.data())
def test_dumps_does_not_depend_on_rule_or_source_order(
    fmt: Any, version: PolicyVersion, data: st.DataObject
) -> None:
    shuffled = attrs.evolve(version, rules=data.draw(st.permutations(version.rules)))
    assert policydiff.dumps(shuffled, format=fmt) == policydiff.dumps(version, format=fmt)


def test_dumps_json_writes_keys_in_document_order_and_values_sorted(kharkiv: PolicyVersion) -> None:
    text = policydiff.dumps(kharkiv, format="json")
    assert text.startswith('{\n  "policydiff": 1,\n  "policy": "us-weapons-use-ukraine",\n')
    assert '"weapon": [\n          "GMLRS",\n          "artillery"\n        ]' in text
    assert text.endswith("}\n")


def test_dumps_leaves_out_empty_and_unset_fields() -> None:
    version = policydiff.loads("policy: p\nversion: v\neffective: 2024-05\nrules: []\n")
    assert policydiff.dumps(version) == (
        "policydiff: 1\npolicy: p\nversion: v\neffective: 2024-05\ntimezone: UTC\n"
        "default: permit\nconflict: most-specific\n"
    )


def test_dumps_refuses_a_day_in_another_zone_than_the_document() -> None:
    version = PolicyVersion(
        policy="p",
        version="v",
        timezone="UTC",
        effective=When(
            instant=pendulum.datetime(2024, 5, 30, tz="Europe/Kyiv"), precision=Precision.DAY
        ),
    )
    with pytest.raises(ValueError, match="cannot be written in a document whose timezone is UTC"):
        policydiff.dumps(version)


# -- dump: atomic writes ---------------------------------------------------------


def test_dump_writes_the_format_its_suffix_names(tmp_path: Path, kharkiv: PolicyVersion) -> None:
    path = tmp_path / "v.json"
    policydiff.dump(kharkiv, path)
    assert path.read_text(encoding="utf-8") == policydiff.dumps(kharkiv, format="json")


def test_dump_refuses_an_unknown_suffix(tmp_path: Path, kharkiv: PolicyVersion) -> None:
    with pytest.raises(DocumentError, match=r"unsupported file type '.txt'"):
        policydiff.dump(kharkiv, tmp_path / "v.txt")
    assert list(tmp_path.iterdir()) == []


def _previous(tmp_path: Path) -> Path:
    path = tmp_path / "version.yaml"
    path.write_text("previous content\n", encoding="utf-8")
    return path


def test_dump_failing_at_the_rename_leaves_the_previous_file(
    tmp_path: Path, kharkiv: PolicyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _previous(tmp_path)

    def broken_replace(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        policydiff.dump(kharkiv, path)
    assert path.read_text(encoding="utf-8") == "previous content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["version.yaml"]


def test_dump_failing_mid_write_leaves_the_previous_file(
    tmp_path: Path, kharkiv: PolicyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _previous(tmp_path)

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        policydiff.dump(kharkiv, path)
    assert path.read_text(encoding="utf-8") == "previous content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["version.yaml"]


def test_dump_interrupted_leaves_the_previous_file(
    tmp_path: Path, kharkiv: PolicyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _previous(tmp_path)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        policydiff.dump(kharkiv, path)
    assert path.read_text(encoding="utf-8") == "previous content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["version.yaml"]


def test_dump_replaces_the_previous_file_whole(tmp_path: Path, kharkiv: PolicyVersion) -> None:
    path = _previous(tmp_path)
    policydiff.dump(kharkiv, path)
    assert policydiff.load(path) == kharkiv
    assert [p.name for p in tmp_path.iterdir()] == ["version.yaml"]


# -- limits ----------------------------------------------------------------------


def test_limits_have_documented_defaults() -> None:
    assert Limits() == Limits(
        max_bytes=64 * 1024 * 1024,
        max_depth=64,
        max_nodes=5_000_000,
        max_string=100_000,
        max_problems=1_000,
    )


def test_max_problems_is_configurable() -> None:
    text = "policy: p\nversion: v\neffective: 2024\nrules:\n" + "".join(
        f"  - {{id: r{i}, effect: alow, action: x}}\n" for i in range(3)
    )
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text, limits=Limits(max_problems=2))
    assert str(caught.value).splitlines() == [
        "<string>:5:22: rules[0].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)",
        "<string>:6:22: rules[1].effect: unknown effect 'alow' (expected one of: oblige, permit, prohibit)",
        "<string>: 1 more problem not shown (at most 2 are reported)",
    ]


def test_max_bytes_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("policy: p\nversion: v\neffective: 2024\n", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        policydiff.load(path, limits=Limits(max_bytes=10))
    assert str(caught.value) == f"{path}: file is larger than the limit of 10 bytes"


def test_max_bytes_applies_to_text_too() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads("policy: p\nversion: v\neffective: 2024\n", limits=Limits(max_bytes=10))
    assert str(caught.value) == "<string>: document is larger than the limit of 10 bytes"


def test_max_string_is_configurable() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(
            "policy: p\nversion: v\neffective: 2024\ntitle: twelve chars\n",
            limits=Limits(max_string=5),
        )
    assert str(caught.value) == (
        "<string>:4:8: title: string of 12 characters is longer than the limit of 5"
    )


def test_max_depth_is_configurable() -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads('{"policy": [[["x"]]]}', format="json", limits=Limits(max_depth=3))
    assert (
        str(caught.value) == "<string>:1:14: policy[0][0]: nested deeper than the limit of 3 levels"
    )


def test_max_nodes_is_configurable() -> None:
    # 19 values and keys as written; 21 in the title alone once its aliases are expanded.
    text = (
        "policy: p\nversion: v\neffective: 2024\n"
        "approved_by: &a [x, x, x]\ntitle: [*a, *a, *a, *a, *a]\n"
    )
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text, limits=Limits(max_nodes=20))
    assert str(caught.value) == (
        "<string>:5:8: title: aliases expand to more than 20 values; refusing a possible alias bomb"
    )


def test_yaml_aliases_within_limits_are_read() -> None:
    text = (
        "policy: p\nversion: v\neffective: 2024\n"
        "rules:\n  - {id: a, effect: permit, action: &acts [fly, drive]}\n"
        "  - {id: b, effect: prohibit, action: *acts}\n"
    )
    version = policydiff.loads(text)
    assert version.rule("b").action == frozenset({"fly", "drive"})


def test_an_unknown_format_is_refused_by_loads_and_dumps(kharkiv: PolicyVersion) -> None:
    message = "<string>: unknown format 'xml' (expected one of: json, toml, yaml)"
    with pytest.raises(DocumentError, match=f"^{re.escape(message)}$"):
        policydiff.loads("policy: p", format="xml")  # type: ignore[arg-type]
    with pytest.raises(DocumentError, match=f"^{re.escape(message)}$"):
        policydiff.dumps(kharkiv, format="xml")  # type: ignore[arg-type]


# -- the quick path for plain rules -------------------------------------------

_SHORT = st.text(alphabet="abcx ", max_size=6)
_VALUES = st.one_of(
    _SHORT,
    st.lists(_SHORT, max_size=3),
    st.lists(st.one_of(_SHORT, st.integers(), st.none()), max_size=3),
    st.none(),
    st.integers(),
    st.booleans(),
    st.tuples(_SHORT),
    st.dictionaries(_SHORT, _SHORT, max_size=2),
)
_ODD = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.tuples(_SHORT),
    st.lists(st.one_of(_SHORT, st.integers(), st.none()), min_size=1, max_size=3),
    st.dictionaries(_SHORT, _SHORT, max_size=2),
    st.text(alphabet="ab", min_size=3, max_size=5),
)
_RULE_DATA = st.dictionaries(
    st.sampled_from([*RULE_KEYS, "effects", "scopes"]),
    st.one_of(
        st.sampled_from([e.value for e in Effect]),
        _VALUES,
        st.dictionaries(st.one_of(_SHORT, st.integers()), _VALUES, max_size=3),
    ),
    max_size=len(RULE_KEYS) + 1,
)
_VALID_VALUES = st.one_of(_SHORT, st.lists(_SHORT, max_size=3))
_VALID_RULES = st.fixed_dictionaries(
    {
        "id": _SHORT,
        "effect": st.sampled_from([e.value for e in Effect]),
        "action": _VALID_VALUES,
    },
    optional={
        "subject": _VALID_VALUES,
        "scope": st.dictionaries(_SHORT, _VALID_VALUES, max_size=3),
        "conditions": _VALID_VALUES,
        "text": st.one_of(st.none(), _SHORT),
        "sources": _VALID_VALUES,
    },
)


@st.composite
def _rules_one_field_off(draw: st.DrawFn) -> dict[Any, Any]:
    """A valid rule with, usually, one field (or one scope entry) made odd."""
    rule: dict[Any, Any] = draw(_VALID_RULES)
    odd = draw(
        st.sampled_from(["none", "field", "missing", "scope key", "scope value", "extra key"])
    )
    if odd == "field":
        rule[draw(st.sampled_from(RULE_KEYS))] = draw(_ODD)
    elif odd == "missing":
        rule.pop(draw(st.sampled_from(RULE_KEYS)), None)
    elif odd == "scope key":
        rule["scope"] = {**rule.get("scope", {}), draw(st.one_of(st.integers(), st.none())): "a"}
    elif odd == "scope value":
        rule["scope"] = {**rule.get("scope", {}), "dim": draw(_VALUES)}
    elif odd == "extra key":
        rule["effects"] = "permit"
    return rule


class _FellBack(Exception):
    pass


def _fall_back(value: object, cls: type) -> object:
    raise _FellBack


def _agrees_with_cattrs(data: object, limit: int) -> None:
    """Unless the quick path hands ``data`` on, it builds what cattrs builds."""
    with reading(max_string=limit):
        try:
            quick = _quick(_fall_back)(data, Rule)
        except _FellBack:
            return
        assert quick == _detailed.structure(data, Rule)


@settings(max_examples=400)
@given(data=st.one_of(_RULE_DATA, _rules_one_field_off()), limit=st.sampled_from([2, 100]))
def test_a_rule_built_the_quick_way_is_what_cattrs_would_build(
    data: dict[str, object], limit: int
) -> None:
    # The quick path must never accept what the full path refuses, and what
    # it builds must equal what the full path builds.
    _agrees_with_cattrs(data, limit)


@pytest.mark.parametrize("field", RULE_KEYS)
@settings(max_examples=100)
@given(rule=_VALID_RULES, odd=_ODD, limit=st.sampled_from([2, 100]))
def test_an_odd_value_in_any_rule_field_leaves_the_quick_path(
    field: str, rule: dict[str, Any], odd: object, limit: int
) -> None:
    data = {**rule, field: odd}
    _agrees_with_cattrs(data, limit)


def test_a_plain_rule_takes_the_quick_path() -> None:
    data = {
        "id": "r",
        "effect": "permit",
        "subject": "Ukraine",
        "action": ["strike"],
        "scope": {"territory": ["Belgorod Oblast"]},
        "text": "Allowed.",
    }
    with reading():
        assert _quick(_fall_back)(data, Rule) == _detailed.structure(data, Rule)


# -- vocabulary discipline (SPEC section 13) ---------------------------------------

VOCABULARY = """\
policy: p
version: v
effective: 2024
vocabulary:
  region:
    Europe: [Schengen Area, United Kingdom]
  action:
    travel: [enter, transit]
"""


def problem_lines(text: str) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text, name="p.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_value_missing_from_a_closed_dimension_is_an_error_at_its_place() -> None:
    text = (
        VOCABULARY
        + "rules:\n  - {id: r, effect: prohibit, action: enter, scope: {region: [schengen area]}}\n"
    )
    assert problem_lines(text) == [
        "p.yaml:10:63: rules[0].scope.region[0]: 'schengen area' is not in the vocabulary"
        " of 'region'; did you mean 'Schengen Area'?"
    ]


def test_an_action_outside_its_vocabulary_is_an_error() -> None:
    text = VOCABULARY + "rules:\n  - {id: r, effect: prohibit, action: [enter, entr]}\n"
    assert problem_lines(text) == [
        "p.yaml:10:47: rules[0].action[1]: 'entr' is not in the vocabulary of 'action';"
        " did you mean 'enter'?"
    ]


def test_an_unknown_value_hints_at_declaring_the_dimension_open() -> None:
    text = (
        VOCABULARY + "rules:\n  - {id: r, effect: prohibit, action: enter, scope: {region: Mars}}\n"
    )
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text)
    assert caught.value.problems[0].hint == (
        "if other values are meant to be allowed, list the dimension under 'open'"
    )


def test_a_dimension_declared_open_takes_values_its_vocabulary_does_not_name() -> None:
    text = (
        VOCABULARY
        + "open: [region]\nrules:\n  - {id: r, effect: prohibit, action: enter, scope: {region: [Mars]}}\n"
    )
    version = policydiff.loads(text)
    assert (version.open, version.closed("region"), version.closed("action")) == (
        {"region"},
        False,
        True,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_open_and_removals_round_trip_through_every_format(fmt: str) -> None:
    version = policydiff.loads(
        VOCABULARY
        + "open: region\nsources: [{id: fr}]\n"
        + "removals: [{rule: gone, sources: [fr], note: Revoked.}]\n"
        + "rules:\n  - {id: r, effect: prohibit, action: enter, scope: {region: [Mars]}}\n"
    )
    assert policydiff.loads(policydiff.dumps(version, format=fmt), format=fmt) == version  # type: ignore[arg-type]
    assert version.removal("gone") == Removal(rule="gone", sources={"fr"}, note="Revoked.")


def test_a_dimension_without_a_vocabulary_stays_open() -> None:
    text = (
        VOCABULARY
        + "rules:\n  - {id: r, effect: prohibit, action: enter, scope: {purpose: [anything]}}\n"
    )
    assert policydiff.loads(text).rule("r").scope["purpose"] == {"anything"}


def test_a_scope_dimension_spelt_like_a_vocabulary_dimension_is_an_error() -> None:
    text = (
        VOCABULARY
        + "rules:\n  - {id: r, effect: prohibit, action: enter, scope: {Region: [Europe]}}\n"
    )
    assert problem_lines(text) == [
        "p.yaml:10:54: rules[0].scope.Region: no vocabulary names the dimension 'Region';"
        " did you mean 'region'?"
    ]


# -- smaller truths ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("rules:\n\t- {id: a, effect: prohibit, action: x}\n", "<string>:5:1"),
        ("rules:\n  - id: a\n    effect: prohibit\n\taction: x\n", "<string>:7:1"),
    ],
    ids=["token", "indentation"],
)
def test_a_yaml_tab_is_named_as_the_cause_wherever_the_parser_meets_it(
    text: str, place: str
) -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads("policy: p\nversion: v\neffective: 2024\n" + text)
    assert str(caught.value) == f"{place}: invalid YAML: tabs cannot indent YAML; use spaces"


def test_rules_with_nothing_after_it_is_an_empty_list() -> None:
    assert policydiff.loads("policy: p\nversion: v\neffective: 2024\nrules:\n").rules == ()


@pytest.mark.parametrize(
    ("written", "meant"), [("EST", "America/New_York"), ("PST8PDT", "America/Los_Angeles")]
)
def test_a_zone_abbreviation_is_refused_naming_the_geographic_zone(
    written: str, meant: str
) -> None:
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(f"policy: p\nversion: v\neffective: 2024\ntimezone: {written}\n")
    assert str(caught.value) == (
        f"<string>:4:11: timezone: '{written}' is an abbreviation, not a geographic zone;"
        f" name the place's zone, such as '{meant}'"
    )


# -- nothing is accepted that cannot be written back ---------------------------------

_SMALL = "policy: p\nversion: v\nrules: []\n"


@pytest.mark.parametrize(
    ("written", "shown"),
    [("0500", "0500"), ("0999-05-30", "30 May 999")],
)
def test_yaml_reads_a_year_with_leading_zeros_as_written_not_as_octal(
    written: str, shown: str
) -> None:
    text = f"{_SMALL}effective: {written}\n"
    version = policydiff.loads(text)
    assert str(version.effective) == shown
    assert policydiff.loads(policydiff.dumps(version)) == version


def test_an_unquoted_base_60_time_is_text_not_a_number() -> None:
    with pytest.raises(DocumentError, match=r"effective: invalid date '1:30'"):
        policydiff.loads(f"{_SMALL}effective: 1:30\n")


@pytest.mark.parametrize(
    ("zone_name", "message"),
    [
        ("utc", "timezone: unknown time zone 'utc'; did you mean 'UTC'?"),
        ("localtime", "timezone: unknown time zone 'localtime' (expected an IANA name"),
    ],
)
def test_a_zone_name_that_is_not_exactly_iana_is_refused(zone_name: str, message: str) -> None:
    with pytest.raises(DocumentError, match=re.escape(message)):
        policydiff.loads(f"{_SMALL}effective: 2024\ntimezone: {zone_name}\n")


def test_a_lone_surrogate_escape_in_json_is_refused_at_its_field() -> None:
    text = '{"policy": "p", "version": "v", "effective": "2024", "title": "a\\ud800b"}'
    with pytest.raises(DocumentError) as caught:
        policydiff.loads(text, format="json")
    assert str(caught.value) == (
        "<string>:1:63: title: holds a lone surrogate escape (half of a character, such as \\ud800)"
    )


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_a_lone_surrogate_in_text_given_as_a_string_is_refused(fmt: Any) -> None:
    version = policydiff.loads(f"{_SMALL}effective: 2024\ntitle: x\n")
    text = policydiff.dumps(version, format=fmt).replace("x", "\ud800")
    with pytest.raises(DocumentError, match=r"a lone surrogate \(U\+D800\) is not a character"):
        policydiff.loads(text, format=fmt)


def test_a_pair_of_surrogate_escapes_is_one_character() -> None:
    text = '{"policy": "p", "version": "v", "effective": "2024", "title": "\\ud83d\\ude00"}'
    assert policydiff.loads(text, format="json").title == "\U0001f600"


# -- writing files: permissions, links, failures -------------------------------------


def test_dump_keeps_the_permissions_of_the_file_it_replaces(
    tmp_path: Path, kharkiv: PolicyVersion
) -> None:
    path = _previous(tmp_path)
    path.chmod(0o640)
    policydiff.dump(kharkiv, path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_dump_gives_a_new_file_the_permissions_the_umask_allows(
    tmp_path: Path, kharkiv: PolicyVersion
) -> None:
    old = os.umask(0o027)
    try:
        policydiff.dump(kharkiv, tmp_path / "new.yaml")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o640


def test_dump_through_a_link_replaces_the_file_it_points_to(
    tmp_path: Path, kharkiv: PolicyVersion
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = _previous(real)
    link = tmp_path / "version.yaml"
    link.symlink_to(target)
    policydiff.dump(kharkiv, link)
    assert link.is_symlink()
    assert policydiff.load(target) == kharkiv
    assert sorted(p.name for p in real.iterdir()) == ["version.yaml"]


def test_dump_into_a_missing_folder_is_a_policydiff_error_naming_the_file(
    tmp_path: Path, kharkiv: PolicyVersion
) -> None:
    path = tmp_path / "missing" / "version.yaml"
    with pytest.raises(policydiff.WriteError) as caught:
        policydiff.dump(kharkiv, path)
    assert str(caught.value) == f"{path}: cannot write file: No such file or directory"
    assert isinstance(caught.value, policydiff.PolicyDiffError)


def test_dump_over_a_folder_fails_cleanly_and_leaves_no_temporary_file(
    tmp_path: Path, kharkiv: PolicyVersion
) -> None:
    (tmp_path / "version.yaml").mkdir()
    with pytest.raises(policydiff.WriteError, match=r"version\.yaml: cannot write file: "):
        policydiff.dump(kharkiv, tmp_path / "version.yaml")
    assert [p.name for p in tmp_path.iterdir()] == ["version.yaml"]


def test_a_write_error_survives_copying_by_its_reduce() -> None:
    error = policydiff.WriteError("a.yaml", "No space left on device")
    again = copy.deepcopy(error)
    assert (type(again), str(again), again.path) == (type(error), str(error), "a.yaml")
