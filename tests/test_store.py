"""Compact storage: a history as its first version plus JSON deltas."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import policydiff
from policydiff import PolicyHistory, load_history
from policydiff._convert import unstructure_version
from policydiff._store import _apply, _keyed, from_store, load_deltas, save_deltas, to_store
from policydiff.errors import HistoryError, PolicyDiffError, StoreError
from policydiff.model import Effect, PolicyVersion, Rule, When
from tests.strategies import version_sequences

HISTORIES = Path(__file__).parent / "data" / "histories"
BAD = HISTORIES / "bad"


@pytest.fixture(scope="module")
def steps() -> PolicyHistory:
    return load_history(HISTORIES / "steps")


@pytest.fixture
def payload(steps: PolicyHistory) -> dict[str, Any]:
    """A fresh stored form of the four-step history, to tamper with."""
    return to_store(steps)


def roundtrip(history: PolicyHistory) -> PolicyHistory:
    """Store, write as JSON text, read back and rebuild."""
    return from_store(json.loads(json.dumps(to_store(history))))


# -- storing and rebuilding ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        HISTORIES / "steps",
        HISTORIES / "single.yaml",
        Path("examples/us-ukraine-strikes/history"),
    ],
    ids=["folder", "single document", "flagship"],
)
def test_rebuilding_from_deltas_gives_the_history_back(path: Path, repo_root: Path) -> None:
    history = load_history(repo_root / path)
    assert roundtrip(history) == history


def test_the_stored_form_is_the_first_document_and_one_delta_per_later_version(
    steps: PolicyHistory, payload: dict[str, Any]
) -> None:
    assert (payload["policydiff"], payload["history"], payload["policy"]) == (
        2,
        "deltas",
        "export-controls",
    )
    assert payload["first"] == unstructure_version(steps.first)
    assert len(payload["deltas"]) == len(steps) - 1


def test_a_delta_records_only_what_changed(payload: dict[str, Any]) -> None:
    assert payload["deltas"][0] == {
        "iterable_item_removed": {"root['rules']['no-export']['scope']['territory'][0]": "Belarus"},
        "values_changed": {
            "root['effective']": {"new_value": "2024-03", "old_value": "2024-01-15"},
            "root['version']": {"new_value": "belarus-dropped", "old_value": "baseline"},
        },
    }


def keyed(version: PolicyVersion) -> dict[str, Any]:
    """The keyed form of a version (its rules by id), which deltas apply to."""
    return _keyed(unstructure_version(version))


def test_deltas_apply_backwards_too(steps: PolicyHistory, payload: dict[str, Any]) -> None:
    docs = [keyed(v) for v in steps]
    for index, form in enumerate(payload["deltas"]):
        assert _apply(docs[index + 1], form, reverse=True) == docs[index]


def test_a_saved_history_loads_back_equal(steps: PolicyHistory, tmp_path: Path) -> None:
    path = tmp_path / "steps.deltas.json"
    save_deltas(steps, path)
    assert load_deltas(path) == steps


def test_a_history_rebuilds_from_its_stored_form_through_the_public_functions(
    steps: PolicyHistory,
) -> None:
    stored = json.dumps(policydiff.to_store(steps))
    assert policydiff.from_store(json.loads(stored), name="steps.json") == steps


def test_a_stored_yaml_file_with_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stored.yaml"
    path.write_text("deltas: []\npolicy: a\npolicy: b\n", encoding="utf-8")
    for reader in (load_deltas, load_history):
        with pytest.raises(StoreError) as caught:
            reader(path)
        [problem] = caught.value.problems
        assert (problem.line, problem.column) == (3, 1)
        assert "duplicate key 'policy'" in problem.message


def test_load_history_reads_a_stored_history_too(steps: PolicyHistory, tmp_path: Path) -> None:
    path = tmp_path / "steps.deltas.json"
    save_deltas(steps, path)
    assert load_history(path) == steps


def test_saving_replaces_a_file_whole_and_leaves_no_temporary_file(
    steps: PolicyHistory, tmp_path: Path
) -> None:
    path = tmp_path / "history.json"
    path.write_text("old content that is longer than nothing", encoding="utf-8")
    save_deltas(steps, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json"]
    assert json.loads(path.read_text(encoding="utf-8")) == to_store(steps)


def test_the_stored_fixture_still_loads_as_the_history_it_came_from() -> None:
    assert load_deltas(HISTORIES / "stored.json") == load_history(HISTORIES / "single.yaml")


def test_a_store_in_the_first_format_still_loads_with_additions_and_removals() -> None:
    # Written by the release that stored rules by position (format 1).
    stored = json.loads((HISTORIES / "stored-v1-steps.json").read_text(encoding="utf-8"))
    assert stored["policydiff"] == 1
    assert "root['rules'][1]['scope']['territory'][0]" in json.dumps(stored["deltas"][0])
    assert load_deltas(HISTORIES / "stored-v1-steps.json") == load_history(HISTORIES / "steps")


def _long(label: str, year: int, ids: range, **fields: Any) -> PolicyVersion:
    return PolicyVersion(
        policy="p",
        version=label,
        effective=When.parse(str(year)),
        rules=[
            Rule(id=f"r{i:04d}", effect=Effect.PROHIBIT, action="export", scope={"region": ["EU"]})
            for i in ids
        ],
        **fields,
    )


def test_a_rule_added_before_all_others_is_one_entry_keyed_by_its_id() -> None:
    # Stored by position, every later rule would have shifted one place.
    history = PolicyHistory(
        versions=[_long("v1", 2024, range(1, 100)), _long("v2", 2025, range(100))]
    )
    (delta,) = to_store(history)["deltas"]
    assert delta["dictionary_item_added"] == {
        "root['rules']['r0000']": {
            "effect": "prohibit",
            "action": ["export"],
            "scope": {"region": ["EU"]},
        }
    }
    assert sorted(delta) == ["dictionary_item_added", "values_changed"]
    assert sorted(delta["values_changed"]) == ["root['effective']", "root['version']"]


def test_a_step_that_adds_removes_and_renames_stores_what_changed_only() -> None:
    first = _long("v1", 2024, range(200))
    steps = [first]
    for step in range(1, 10):
        rules = {rule.id: rule for rule in steps[-1].rules}
        del rules[f"r{step * 7:04d}"]  # a removal shifts every later position
        rules[f"n{step:04d}"] = Rule(id=f"n{step:04d}", effect=Effect.PERMIT, action="import")
        renamed = rules.pop(f"r{step * 11:04d}")
        rules[f"x{step:04d}"] = attrs.evolve(renamed, id=f"x{step:04d}")
        steps.append(
            attrs.evolve(
                steps[-1],
                version=f"v{step + 1}",
                effective=When.parse(str(2024 + step)),
                rules=rules.values(),
            )
        )
    history = PolicyHistory(versions=steps)
    stored = to_store(history)
    full = sum(len(json.dumps(unstructure_version(v))) for v in history)
    assert len(json.dumps(stored["deltas"])) * 20 < full - len(json.dumps(stored["first"]))
    assert from_store(json.loads(json.dumps(stored))) == history


def test_vocabulary_and_metadata_changes_round_trip() -> None:
    tree = {"region": {"Europe": ["France", "Spain", "EU"]}}
    first = _long("v1", 2024, range(5), vocabulary=tree, title="First")
    second = attrs.evolve(
        first,
        version="v2",
        effective=When.parse("2025"),
        vocabulary={"region": {"Europe": ["France", "EU", "Italy"], "Asia": ["Japan"]}},
        title=None,
        approved_by=["Council"],
    )
    third = attrs.evolve(second, version="v3", effective=When.parse("2026"), vocabulary={})
    history = PolicyHistory(versions=[first, second, third])
    assert from_store(json.loads(json.dumps(to_store(history)))) == history


def test_a_stored_rule_body_that_names_an_id_is_refused(payload: dict[str, Any]) -> None:
    body = payload["deltas"][1]["dictionary_item_added"]["root['rules']['no-overflight']"]
    body["id"] = "something-else"
    with pytest.raises(StoreError) as caught:
        from_store(payload)
    assert str(caught.value) == (
        "<store>: deltas[1]: rebuilds an invalid version: rules['no-overflight']: a stored rule"
        " names no id of its own"
    )
    assert caught.value.problems[0].hint == "a stored rule's key is its id"


def test_a_delta_that_replaces_the_rules_by_a_list_is_refused(payload: dict[str, Any]) -> None:
    payload["deltas"][0] = {
        **payload["deltas"][0],
        "dictionary_item_removed": {},
    }
    payload["deltas"][0]["values_changed"]["root['rules']"] = {
        "old_value": _keyed(payload["first"])["rules"],
        "new_value": [],
    }
    del payload["deltas"][0]["iterable_item_removed"]
    with pytest.raises(StoreError, match=r"deltas\[0\]: rebuilds an invalid version: rules: "):
        from_store(payload)


def test_saving_is_deterministic(steps: PolicyHistory, tmp_path: Path) -> None:
    save_deltas(steps, tmp_path / "a.json")
    save_deltas(load_history(HISTORIES / "steps"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def _step(label: str, day: int, territories: list[str]) -> PolicyVersion:
    return PolicyVersion(
        policy="export-controls",
        version=label,
        effective=When.parse(f"2024-01-{day:02d}"),
        rules=[
            Rule(
                id=f"rule-{n}",
                effect=Effect.PROHIBIT,
                action="export",
                scope={"territory": territories if n == 0 else ["Russia"]},
                text=f"Rule number {n} of a long policy, with some text to it.",
            )
            for n in range(20)
        ],
    )


def test_a_history_of_small_edits_stores_in_a_fraction_of_its_size() -> None:
    places = ["Belarus", "Crimea", "Kursk", "Russia", "Transnistria"]
    history = PolicyHistory(
        versions=[_step(f"v{day}", day, places[: 1 + day % 5]) for day in range(1, 29)]
    )
    stored = len(json.dumps(to_store(history)))
    full = sum(len(json.dumps(unstructure_version(v))) for v in history)
    assert stored < full / 5


@pytest.mark.parametrize(
    ("rule_id", "dimension", "replaced"),
    [
        ("r", 'it\'s a "quoted" \\ place', "root['rules']['r']"),
        ('it\'s a "quoted" rule', "region", "root['rules']"),
    ],
    ids=["a scope key: the rule replaced", "a rule id: the rules replaced"],
)
def test_keys_deepdiff_cannot_quote_are_stored_by_whole_values(
    rule_id: str, dimension: str, replaced: str
) -> None:
    def step(label: str, year: str, values: list[str]) -> PolicyVersion:
        rule = Rule(id=rule_id, effect=Effect.PROHIBIT, action="x", scope={dimension: values})
        return PolicyVersion(policy="p", version=label, effective=When.parse(year), rules=[rule])

    history = PolicyHistory(versions=[step("v1", "2024", ["a"]), step("v2", "2025", ["a", "b"])])
    stored = to_store(history)
    assert replaced in stored["deltas"][0]["values_changed"]
    assert from_store(json.loads(json.dumps(stored))) == history


def test_a_long_list_that_grows_in_the_middle_is_stored_as_list_operations() -> None:
    names = [f"Official number {i:03d}" for i in range(60)]
    edited = [*names[:20], *names[21:40], "New official A", "New official B", "C", *names[41:]]
    first = PolicyVersion(policy="p", version="v1", effective=When.parse("2024"), approved_by=names)
    second = attrs.evolve(first, version="v2", effective=When.parse("2025"), approved_by=edited)
    history = PolicyHistory(versions=[first, second])
    stored = to_store(history)
    assert "root['approved_by']" in stored["deltas"][0]["_iterable_opcodes"]
    assert from_store(json.loads(json.dumps(stored))) == history


@given(version_sequences(max_size=4))
def test_any_history_rebuilds_exactly_from_its_deltas(found: list[PolicyVersion]) -> None:
    history = PolicyHistory(versions=found)
    assert roundtrip(history) == history


@given(version_sequences(min_size=2, max_size=4))
def test_any_stored_delta_applies_backwards_to_the_version_before(
    found: list[PolicyVersion],
) -> None:
    history = PolicyHistory(versions=found)
    docs = [keyed(v) for v in history]
    for index, form in enumerate(to_store(history)["deltas"]):
        assert _apply(docs[index + 1], form, reverse=True) == docs[index]


# -- refusing tampered files -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "store-unknown-action.json",
            "{bad}/store-unknown-action.json:46:4: deltas[0].attribute_added: unknown delta"
            " action 'attribute_added' (expected one of: values_changed, dictionary_item_added,"
            " dictionary_item_removed, iterable_item_added, iterable_item_removed,"
            " _iterable_opcodes)",
        ),
        (
            "store-attribute-path.json",
            '{bad}/store-attribute-path.json:57:5: deltas[0].values_changed["root.version"]:'
            " path 'root.version' reads an attribute; only keys and indexes are allowed",
        ),
        (
            "store-not-root.json",
            "{bad}/store-not-root.json:42:5:"
            " deltas[0].dictionary_item_added[\"__builtins__['open']\"]: path"
            " \"__builtins__['open']\" is not rooted at the document (expected it to start"
            " with root)",
        ),
        (
            "store-nan-value.json",
            "{bad}/store-nan-value.json:54:19:"
            " deltas[0].values_changed[\"root['effective']\"].new_value: expected plain JSON"
            " (got nan, which JSON cannot hold)",
        ),
        (
            "store-wrong-old-value.json",
            "{bad}/store-wrong-old-value.json:40:3: deltas[0]: does not apply to the version"
            " before it: Expected the old value for root['version'] to be nothing but it is"
            " baseline",
        ),
        (
            "store-invalid-version.json",
            "{bad}/store-invalid-version.json:63:3: deltas[1]: rebuilds an invalid version:"
            " effective: impossible date '2024-09-31' (day is out of range for month)",
        ),
    ],
    ids=lambda value: value.split(".json")[0] if value.startswith("store-") else "",
)
def test_a_tampered_file_is_refused_with_the_delta_and_place_named(name: str, line: str) -> None:
    with pytest.raises(StoreError) as caught:
        load_deltas(BAD / name)
    assert str(caught.value) == line.format(bad=BAD)


TAMPERINGS: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    (
        "attribute access after a key",
        lambda p: p["deltas"][0]["values_changed"].update(
            {"root['version'].__class__": {"new_value": "x", "old_value": "y"}}
        ),
        "<store>: deltas[0].values_changed[\"root['version'].__class__\"]: path"
        " \"root['version'].__class__\" reads an attribute; only keys and indexes are allowed",
    ),
    (
        "an escape sequence in a key",
        lambda p: p["deltas"][0]["values_changed"].update(
            {"root['vers\\x69on']": {"new_value": "x", "old_value": "y"}}
        ),
        "<store>: deltas[0].values_changed[\"root['vers\\\\x69on']\"]: path"
        " \"root['vers\\\\x69on']\" is not a plain path of keys and indexes"
        " (expected root['key'][0]...; unreadable from column 5)",
    ),
    (
        "the document itself",
        lambda p: p["deltas"][1].update({"dictionary_item_added": {"root": {}}}),
        "<store>: deltas[1].dictionary_item_added.root: the document itself cannot be"
        " replaced; a path needs at least one key",
    ),
    (
        "a key path that ends in an index",
        lambda p: p["deltas"][2].update({"dictionary_item_added": {"root['rules'][0]": {}}}),
        "<store>: deltas[2].dictionary_item_added[\"root['rules'][0]\"]: dictionary_item_added"
        " needs a path ending in a key (got \"root['rules'][0]\")",
    ),
    (
        "a value that is not JSON",
        lambda p: p["deltas"][0]["values_changed"]["root['version']"].update({"new_value": {1, 2}}),
        "<store>: deltas[0].values_changed[\"root['version']\"].new_value: expected plain JSON"
        " (got {1, 2} that is a set)",
    ),
    (
        "a one-way change",
        lambda p: p["deltas"][0]["values_changed"]["root['version']"].pop("old_value"),
        "<store>: deltas[0].values_changed[\"root['version']\"]: 'old_value' is missing: a"
        " stored delta applies both ways",
    ),
    (
        "an unknown opcode tag",
        lambda p: p["deltas"][0].update(
            {
                "_iterable_opcodes": {
                    "root['rules']": [
                        {
                            "tag": "swap",
                            "t1_from_index": 0,
                            "t1_to_index": 1,
                            "t2_from_index": 0,
                            "t2_to_index": 1,
                        }
                    ]
                }
            }
        ),
        "<store>: deltas[0]._iterable_opcodes[\"root['rules']\"][0].tag: unknown opcode tag"
        " 'swap' (expected one of: delete, equal, insert, replace)",
    ),
    (
        "an opcode index below zero",
        lambda p: p["deltas"][0].update(
            {
                "_iterable_opcodes": {
                    "root['rules']": [
                        {
                            "tag": "equal",
                            "t1_from_index": -1,
                            "t1_to_index": 1,
                            "t2_from_index": 0,
                            "t2_to_index": True,
                        }
                    ]
                }
            }
        ),
        "<store>: deltas[0]._iterable_opcodes[\"root['rules']\"][0].t1_from_index: expected an"
        " index, a whole number from 0 (got -1 that is an int)\n"
        "<store>: deltas[0]._iterable_opcodes[\"root['rules']\"][0].t2_to_index: expected an"
        " index, a whole number from 0 (got True that is a bool)",
    ),
    (
        "deltas that are not a list",
        lambda p: p.update({"deltas": {"0": {}}}),
        "<store>: deltas: expected a list of deltas (got {'0': {}} that is a dict)",
    ),
    (
        "a newer format",
        lambda p: p.update({"policydiff": 3}),
        "<store>: policydiff: unsupported format version 3 (this release reads 1 and 2)",
    ),
    (
        "another kind of file",
        lambda p: p.update({"history": "snapshots"}),
        "<store>: history: expected 'deltas' (got 'snapshots' that is a str)",
    ),
    (
        "a first version of another policy",
        lambda p: p.update({"policy": "sanctions"}),
        "<store>: first.policy: the first version's policy 'export-controls' is not the"
        " stored 'sanctions'",
    ),
    (
        "an unknown top-level key",
        lambda p: p.update({"extra": 1}),
        "<store>: extra: unknown key 'extra' (expected: policydiff, history, policy, first,"
        " deltas)",
    ),
]


@pytest.mark.parametrize(
    ("change", "line"),
    [pytest.param(change, line, id=name) for name, change, line in TAMPERINGS],
)
def test_a_tampered_payload_is_refused_before_anything_is_applied(
    payload: dict[str, Any], change: Callable[[dict[str, Any]], Any], line: str
) -> None:
    change(payload)
    with pytest.raises(StoreError) as caught:
        from_store(payload)
    assert str(caught.value) == line


def test_every_tampered_delta_is_reported_at_once(payload: dict[str, Any]) -> None:
    payload["deltas"][0]["set_item_added"] = {}
    payload["deltas"][2]["attribute_added"] = {}
    with pytest.raises(StoreError) as caught:
        from_store(payload)
    assert [p.path for p in caught.value.problems] == [
        "deltas[0].set_item_added",
        "deltas[2].attribute_added",
    ]


def test_a_bad_later_delta_stops_loading_before_an_earlier_one_is_applied(
    payload: dict[str, Any],
) -> None:
    # The first delta would fail when applied; the check of the third comes first.
    payload["deltas"][0]["values_changed"]["root['version']"]["old_value"] = "nothing"
    payload["deltas"][2]["values_changed"]["root.__dict__"] = {"new_value": 1, "old_value": 2}
    with pytest.raises(StoreError) as caught:
        from_store(payload)
    assert [p.path for p in caught.value.problems] == ['deltas[2].values_changed["root.__dict__"]']


def test_a_delta_that_reuses_a_label_is_a_history_error(payload: dict[str, Any]) -> None:
    payload["deltas"][0]["values_changed"]["root['version']"]["new_value"] = "baseline"
    payload["deltas"][1]["values_changed"]["root['version']"]["old_value"] = "baseline"
    with pytest.raises(HistoryError) as caught:
        from_store(payload)
    assert str(caught.value) == (
        "<store>: deltas[0].version: label 'baseline' is already used by first"
    )


def test_a_stored_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        load_deltas(path)
    assert str(caught.value) == (
        f"{path}:1:1: expected a stored history, a mapping (got [1, 2] that is a list)"
    )


def test_an_invalid_first_version_is_located_in_the_file(tmp_path: Path) -> None:
    payload = json.loads((HISTORIES / "stored.json").read_text(encoding="utf-8"))
    payload["first"]["default"] = "maybe"
    path = tmp_path / "bad-first.json"
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        load_deltas(path)
    assert str(caught.value) == (
        f"{path}:15:14: first.default: unknown default 'maybe' (expected one of: none, permit, prohibit)"
    )


def test_tampering_never_changes_the_payload_given(payload: dict[str, Any]) -> None:
    before = copy.deepcopy(payload)
    from_store(payload)
    assert payload == before


_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.text(max_size=5)
    | st.sampled_from(["root", "root['rules'][0]", "root['version']", "root.x", "equal"])
)
_KEYS = st.sampled_from(
    ["values_changed", "_iterable_opcodes", "new_value", "old_value", "tag", "root['rules'][1]"]
)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return inner | st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3)


# Two explicit levels of nesting: enough to reach every shape the store checks.
_JSON = _nested(_nested(_LEAF))


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for step, inner in items:
        found.extend(_places(inner, (*path, step)))
    return found


@given(st.data())
def test_any_tampering_is_refused_as_a_policydiff_error_or_rebuilds_a_valid_history(
    data: st.DataObject,
) -> None:
    payload = to_store(load_history(HISTORIES / "steps"))
    for _ in range(data.draw(st.integers(1, 3))):
        # Places are found afresh: an earlier edit may have replaced a branch.
        places = [p for p in _places(payload) if p[:1] == ("deltas",) and len(p) > 1]
        *steps, last = data.draw(st.sampled_from(places))
        target = payload
        for step in steps:
            target = target[step]
        target[last] = data.draw(_JSON)
    try:
        rebuilt = from_store(payload)
    except PolicyDiffError:
        return
    assert all(isinstance(v, PolicyVersion) for v in rebuilt)


# -- bounded work for stored histories -------------------------------------------------


def test_a_delta_that_changes_nothing_is_refused_before_anything_is_applied(
    payload: dict[str, Any],
) -> None:
    payload["deltas"] = [{} for _ in range(400)]
    with pytest.raises(StoreError) as caught:
        from_store(payload)
    problems = caught.value.problems
    assert len(problems) == 400
    assert str(problems[0]) == (
        "<store>: deltas[0]: changes nothing;"
        " each later version needs its own label and effective time"
    )


def test_a_delta_that_keeps_the_effective_time_is_refused(payload: dict[str, Any]) -> None:
    del payload["deltas"][0]["values_changed"]["root['effective']"]
    with pytest.raises(StoreError) as caught:
        from_store(payload)
    assert [str(p) for p in caught.value.problems] == [
        "<store>: deltas[0]: leaves 'effective' unchanged;"
        " each later version needs its own label and effective time"
    ]


def test_a_repeated_instant_stops_rebuilding_before_the_later_deltas(
    payload: dict[str, Any],
) -> None:
    first = payload["first"]["effective"]
    payload["deltas"][0]["values_changed"]["root['effective']"]["new_value"] = first
    payload["deltas"][1]["values_changed"]["root['effective']"]["old_value"] = first
    # A later delta that no longer applies is never reached.
    payload["deltas"][2]["values_changed"]["root['version']"]["old_value"] = "nothing"
    with pytest.raises(HistoryError, match=r"deltas\[0\]\.effective: takes effect at the same"):
        from_store(payload)


def test_rebuilding_counts_the_rules_it_builds_against_the_limit(
    steps: PolicyHistory,
) -> None:
    stored = to_store(steps)
    total = sum(len(v.rules) for v in steps)
    assert from_store(stored, limits=policydiff.Limits(max_nodes=total)) == steps
    with pytest.raises(StoreError, match=f"builds more than the limit of {total - 1:,} rules"):
        from_store(stored, limits=policydiff.Limits(max_nodes=total - 1))


def test_applying_a_small_delta_copies_only_what_it_changes() -> None:
    def version(label: str, effective: str, rules: list[dict[str, Any]]) -> PolicyVersion:
        doc = {"policy": "p", "version": label, "effective": effective, "rules": rules}
        return policydiff.loads(json.dumps(doc), format="json")

    rules = [{"id": f"r{i:03d}", "effect": "permit", "action": ["a"]} for i in range(100)]
    edited = [*rules[:50], {**rules[50], "action": ["b"]}, *rules[51:]]
    stored = to_store(
        PolicyHistory(versions=[version("a", "2024", rules), version("b", "2025", edited)])
    )
    first, form = _keyed(stored["first"]), stored["deltas"][0]
    rebuilt = _apply(first, form)
    assert rebuilt["rules"]["r050"]["action"] == ["b"]
    assert first["rules"]["r050"]["action"] == ["a"]  # the version before is left as it was
    shared = sum(first["rules"][i] is rebuilt["rules"][i] for i in first["rules"])
    assert shared == 99
