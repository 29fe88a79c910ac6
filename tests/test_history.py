"""The history tracker: loading, the version in force, changes, rule timelines."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given

import policydiff._history
from policydiff import PolicyHistory, load_history
from policydiff.errors import DocumentError, HistoryError
from policydiff.model import Direction, Effect, Kind, PolicyVersion, Precision, Rule, Source, When
from tests.strategies import version_sequences

HISTORIES = Path(__file__).parent / "data" / "histories"
STEPS = HISTORIES / "steps"
SINGLE = HISTORIES / "single.yaml"
BAD = HISTORIES / "bad"


@pytest.fixture(scope="module")
def steps() -> PolicyHistory:
    """Four versions in four files whose names do not follow their order."""
    return load_history(STEPS)


def labels(history: PolicyHistory) -> list[str]:
    return [v.version for v in history]


def version(label: str, effective: str, *rules: Rule, policy: str = "p") -> PolicyVersion:
    return PolicyVersion(policy=policy, version=label, effective=When.parse(effective), rules=rules)


def rule(rule_id: str, effect: Effect = Effect.PROHIBIT, **fields: object) -> Rule:
    return Rule(id=rule_id, effect=effect, action="export", **fields)  # type: ignore[arg-type]


# -- loading -------------------------------------------------------------------


def test_a_folder_is_read_in_effective_order_whatever_the_file_names(
    steps: PolicyHistory,
) -> None:
    assert labels(steps) == ["baseline", "belarus-dropped", "aid-conditions", "export-ban-lifted"]


@pytest.mark.parametrize("source", ["folder", "document", "store"])
def test_reading_a_history_checks_its_versions_once(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if source == "folder":
        path = STEPS
    elif source == "document":
        path = SINGLE
    else:
        path = tmp_path / "steps.json"
        policydiff.save_deltas(load_history(STEPS), path)
    calls = []
    check = policydiff._history.check_versions

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return check(*args, **kwargs)

    monkeypatch.setattr(policydiff._history, "check_versions", counted)
    load_history(path)
    assert len(calls) == 1


def test_a_folder_may_mix_yaml_json_and_toml(steps: PolicyHistory) -> None:
    assert steps["aid-conditions"].rule("allow-aid").conditions == {
        "only through registered agencies"
    }
    assert steps["export-ban-lifted"].rule_ids == {"allow-aid", "no-overflight"}


def test_a_history_knows_its_policy_first_last_and_length(steps: PolicyHistory) -> None:
    assert (steps.policy, steps.first.version, steps.last.version, len(steps)) == (
        "export-controls",
        "baseline",
        "export-ban-lifted",
        4,
    )


def test_a_history_is_named_by_its_path(steps: PolicyHistory) -> None:
    assert steps.name == str(STEPS)


def test_one_document_gives_every_version_the_shared_fields() -> None:
    history = load_history(SINGLE)
    assert labels(history) == ["baseline", "belarus-dropped", "export-ban-lifted"]
    assert {v.title for v in history} == {"Export controls"}
    assert {v.timezone for v in history} == {"Europe/Kyiv"}
    assert history["baseline"].sources[0].publisher == "Official Gazette"


def test_a_version_body_overrides_the_shared_field_it_sets() -> None:
    history = load_history(SINGLE)
    assert history["baseline"].approved_by == ("Council",)
    assert history["belarus-dropped"].approved_by == ("Council", "Parliament")


def test_version_bodies_read_dates_in_the_shared_time_zone() -> None:
    history = load_history(SINGLE)
    assert history["baseline"].effective.isoformat() == "2024-01-15T00:00:00+02:00"
    assert history["belarus-dropped"].effective.precision is Precision.MONTH


def test_every_version_body_may_name_the_policy_itself(tmp_path: Path) -> None:
    path = tmp_path / "history.yaml"
    path.write_text(
        "title: Shared title\n"
        "versions:\n"
        "  - {policy: p, version: v1, effective: 2024}\n"
        "  - {policy: p, version: v2, effective: 2025}\n",
        encoding="utf-8",
    )
    history = load_history(path)
    assert (history.policy, labels(history), history.last.title) == (
        "p",
        ["v1", "v2"],
        "Shared title",
    )


def test_a_single_version_document_is_a_history_of_one(repo_root: Path) -> None:
    path = repo_root / "examples" / "us-ukraine-strikes" / "history" / "2024-05-30-kharkiv.yaml"
    history = load_history(path)
    assert labels(history) == ["kharkiv-defensive-strikes"]
    assert history.changes() == ()


def test_a_history_equals_the_same_versions_loaded_another_way(tmp_path: Path) -> None:
    single = load_history(SINGLE)
    for index, v in enumerate(single):
        (tmp_path / f"{index}.json").write_text(_dumps(v), encoding="utf-8")
    assert load_history(tmp_path) == single


@given(version_sequences(max_size=4))
def test_any_history_reads_back_equal_from_a_folder_and_from_one_document(
    found: list[PolicyVersion],
) -> None:
    # Rules built once and shared across versions must never stand in for
    # a rule that differs, in either layout.
    history = PolicyHistory(versions=found)
    with tempfile.TemporaryDirectory() as folder:
        for index, v in enumerate(found):
            (Path(folder) / f"{index}.json").write_text(_dumps(v), encoding="utf-8")
        assert load_history(folder) == history
    with tempfile.TemporaryDirectory() as folder:
        bodies = [json.loads(_dumps(v)) for v in found]
        shared = {"policy": bodies[0]["policy"]}
        for body in bodies:
            del body["policy"]
        path = Path(folder) / "history.json"
        path.write_text(json.dumps({**shared, "versions": bodies}), encoding="utf-8")
        assert load_history(path) == history


def test_versions_read_together_share_their_unchanged_rules(tmp_path: Path) -> None:
    kept = rule("kept", scope={"region": "north"})
    edited = rule("edited", scope={"region": "north"})
    steps = [
        version("a", "2024-01-01", kept, edited),
        version("b", "2024-02-01", kept, attrs.evolve(edited, scope={"region": ["south"]})),
        version("c", "2024-03-01", kept, edited),
    ]
    for index, v in enumerate(steps):
        (tmp_path / f"{index}.json").write_text(_dumps(v), encoding="utf-8")
    a, b, c = load_history(tmp_path)
    assert a.rule("kept") is b.rule("kept") is c.rule("kept")
    assert a.rule("edited") is not b.rule("edited")
    # Back to what it was two versions before: equal again, whatever object it is.
    assert c.rule("edited") == a.rule("edited") == edited
    assert b.rule("edited").scope == {"region": frozenset({"south"})}
    assert [len(d) for d in load_history(tmp_path).changes()] == [1, 1]


def test_versions_read_together_share_their_unchanged_sources_and_vocabulary(
    tmp_path: Path,
) -> None:
    sources = [Source(id="gazette", title="Official Gazette")]
    tree = {"region": {"Europe": ["north", "south"]}}
    first = attrs.evolve(
        version("a", "2024-01-01", rule("r", scope={"region": "north"})),
        sources=sources,
        vocabulary=tree,
    )
    steps = [
        first,
        attrs.evolve(first, version="b", effective=When.parse("2024-02-01")),
        attrs.evolve(
            first,
            version="c",
            effective=When.parse("2024-03-01"),
            sources=[*sources, Source(id="memo")],
            vocabulary={"region": {"Europe": ["north", "south", "east"]}},
        ),
    ]
    for index, v in enumerate(steps):
        (tmp_path / f"{index}.json").write_text(_dumps(v), encoding="utf-8")
    a, b, c = load_history(tmp_path)
    assert (a.sources is b.sources, a.vocabulary is b.vocabulary) == (True, True)
    assert (c.sources is b.sources, c.vocabulary is b.vocabulary) == (False, False)
    assert [a, b, c] == steps


def test_a_folder_reads_each_file_once_and_again_only_to_place_a_conflict(
    tmp_path: Path,
) -> None:
    # The texts are not held while the folder loads: a file is read again
    # only when a problem found across versions needs its line.
    from policydiff._history_load import history_from_texts

    texts = {
        "1.json": _dumps(version("a", "2024-01-01", rule("r"))),
        "2.json": _dumps(version("b", "2024-02-01", rule("r"))),
        "3.json": _dumps(version("a", "2024-03-01", rule("r"))),
    }
    reads: list[str] = []

    def reader(name: str) -> Any:
        def read() -> str:
            reads.append(name)
            return texts[name]

        return read

    files = [(name, reader(name)) for name in texts]
    with pytest.raises(HistoryError) as caught:
        history_from_texts(files, name="folder")
    assert reads == ["1.json", "2.json", "3.json", "3.json"]
    (problem,) = caught.value.problems
    assert (problem.file, problem.path, problem.line) == ("3.json", "version", 4)
    del texts["3.json"]
    reads.clear()
    assert len(history_from_texts(files[:2], name="folder")) == 2
    assert reads == ["1.json", "2.json"]


def _dumps(v: PolicyVersion) -> str:
    from policydiff._documents import dumps

    return dumps(v, format="json")


def test_the_flagship_history_has_the_kharkiv_decision_in_force_on_30_may_2024(
    repo_root: Path,
) -> None:
    history = load_history(repo_root / "examples" / "us-ukraine-strikes" / "history")
    found = history.at("2024-05-30")
    assert found is not None
    assert found.version == "kharkiv-defensive-strikes"
    assert history.at("2021-12-31") is None


# -- bad histories -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error", "lines"),
    [
        pytest.param(
            "mixed-policies",
            HistoryError,
            [
                "{bad}/mixed-policies/second.yaml:1:9: policy: policy 'export-control' differs"
                " from 'export-controls' in {bad}/mixed-policies/first.yaml; a history holds"
                " one policy"
            ],
            id="folder mixing policies",
        ),
        pytest.param(
            "duplicate-label",
            HistoryError,
            [
                "{bad}/duplicate-label/second.json:3:14: version: label 'baseline' is already"
                " used by {bad}/duplicate-label/first.yaml"
            ],
            id="folder with a label used twice",
        ),
        pytest.param(
            "duplicate-effective",
            HistoryError,
            [
                "{bad}/duplicate-effective/second.yaml:4:12: effective: takes effect at the same"
                " instant (2024-05-01T03:00:00+03:00) as 'baseline' in"
                " {bad}/duplicate-effective/first.yaml; each version needs its own moment"
            ],
            id="folder with one instant written in two zones",
        ),
        pytest.param(
            "invalid-files",
            DocumentError,
            [
                "{bad}/invalid-files/first.yaml:6:13: rules[0].effect: unknown effect 'alow'"
                " (expected one of: oblige, permit, prohibit)",
                "{bad}/invalid-files/second.yaml:3:12: effective: impossible date '2024-02-30'"
                " (day is out of range for month)",
            ],
            id="folder with two invalid files reports both",
        ),
        pytest.param(
            "single-located-error.yaml",
            DocumentError,
            [
                "{bad}/single-located-error.yaml:15:17: versions[2].rules[0].effect: unknown"
                " effect 'alow' (expected one of: oblige, permit, prohibit)"
            ],
            id="document with an error inside a version body",
        ),
        pytest.param(
            "single-duplicates.yaml",
            HistoryError,
            [
                "{bad}/single-duplicates.yaml:5:14: versions[1].version: label 'baseline' is"
                " already used by versions[0]",
                "{bad}/single-duplicates.yaml:8:16: versions[2].effective: takes effect at the"
                " same instant (2024-01-15T00:00:00+00:00) as 'baseline' in versions[0]; each"
                " version needs its own moment",
            ],
            id="document with a label and an instant used twice",
        ),
        pytest.param(
            "single-mixed-policies.yaml",
            HistoryError,
            [
                "{bad}/single-mixed-policies.yaml:7:13: versions[1].policy: policy 'sanctions'"
                " differs from 'export-controls' in versions[0]; a history holds one policy"
            ],
            id="document mixing policies",
        ),
        pytest.param(
            "single-shared-errors.yaml",
            DocumentError,
            [
                "{bad}/single-shared-errors.yaml:2:1: titel: unknown key 'titel'; did you mean"
                " 'title'?",
                "{bad}/single-shared-errors.yaml:3:11: timezone: unknown time zone"
                " 'Mars/Olympus' (expected an IANA name such as 'Europe/Kyiv')",
                "{bad}/single-shared-errors.yaml:4:1: rules: 'rules' belongs in each version"
                " body, not in the shared fields",
                "{bad}/single-shared-errors.yaml:10:14: versions[1].default: unknown default"
                " 'maybe' (expected one of: none, permit, prohibit)",
            ],
            id="document with errors in the shared fields, each reported once",
        ),
        pytest.param(
            "single-no-versions.yaml",
            DocumentError,
            [
                "{bad}/single-no-versions.yaml:2:11: versions: expected a non-empty list of"
                " version bodies (got an empty list)"
            ],
            id="document with no versions",
        ),
    ],
)
def test_a_bad_history_is_refused_with_every_problem_located(
    name: str, error: type[Exception], lines: list[str]
) -> None:
    with pytest.raises(error) as caught:
        load_history(BAD / name)
    assert str(caught.value).splitlines() == [line.format(bad=BAD) for line in lines]


def test_an_empty_folder_is_not_a_history(tmp_path: Path) -> None:
    with pytest.raises(HistoryError) as caught:
        load_history(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}: no version documents in this folder"
        " (expected .json, .toml, .yaml or .yml files)"
    )


def test_a_whole_history_inside_a_history_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(SINGLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "one.yaml").write_text(
        "policy: export-controls\nversion: v9\neffective: 2030\n", encoding="utf-8"
    )
    with pytest.raises(DocumentError) as caught:
        load_history(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'all.yaml'}: this file holds a whole history,"
        " but a history folder holds one version per file"
    )


def test_a_missing_path_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        load_history(tmp_path / "nowhere")
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: no such file or folder"


def test_histories_are_read_within_the_limits_given(tmp_path: Path) -> None:
    from policydiff._documents import Limits

    with pytest.raises(DocumentError) as caught:
        load_history(SINGLE, limits=Limits(max_bytes=100))
    assert str(caught.value) == f"{SINGLE}: file is larger than the limit of 100 bytes"


def test_versions_given_in_any_order_are_kept_in_effective_order() -> None:
    a, b, c = (version(f"v{i}", f"202{i}") for i in range(3))
    assert labels(PolicyHistory(versions=[c, a, b])) == ["v0", "v1", "v2"]


def test_a_history_built_from_versions_refuses_duplicates_by_position() -> None:
    with pytest.raises(HistoryError) as caught:
        PolicyHistory(versions=[version("v1", "2024"), version("v1", "2024-01-01")])
    assert str(caught.value).splitlines() == [
        "<history>: versions[1].version: label 'v1' is already used by versions[0]",
        "<history>: versions[1].effective: takes effect at the same instant"
        " (2024-01-01T00:00:00+00:00) as 'v1' in versions[0]; each version needs its own moment",
    ]


def test_a_history_needs_at_least_one_version() -> None:
    with pytest.raises(HistoryError, match="a history needs at least one version"):
        PolicyHistory(versions=[])


# -- the version in force --------------------------------------------------------


def at(history: PolicyHistory, moment: object) -> str | None:
    found = history.at(moment)  # type: ignore[arg-type]
    return None if found is None else found.version


def test_nothing_is_in_force_before_the_first_version(steps: PolicyHistory) -> None:
    assert at(steps, "2024-01-14T23:59:59.999999") is None


def test_a_version_is_in_force_from_its_exact_effective_instant(steps: PolicyHistory) -> None:
    assert at(steps, "2024-06-01T12:00:00-04:00") == "aid-conditions"


def test_the_previous_version_is_in_force_until_the_instant_before(
    steps: PolicyHistory,
) -> None:
    assert at(steps, "2024-06-01T11:59:59.999999-04:00") == "belarus-dropped"


def test_between_two_versions_the_earlier_one_is_in_force(steps: PolicyHistory) -> None:
    assert at(steps, "2024-04-15") == "belarus-dropped"


def test_after_the_last_version_the_last_one_stays_in_force(steps: PolicyHistory) -> None:
    assert at(steps, "2099-12-31T23:59:59Z") == "export-ban-lifted"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-06-01T15:59:59+00:00", "belarus-dropped"),
        ("2024-06-01T16:00:00Z", "aid-conditions"),
        ("2024-06-01T19:00+03:00", "aid-conditions"),
        ("2024-06-01T18:59+03:00", "belarus-dropped"),
    ],
)
def test_moments_with_an_offset_compare_in_absolute_time(
    steps: PolicyHistory, moment: str, expected: str
) -> None:
    assert at(steps, moment) == expected


def test_moments_without_an_offset_are_read_in_the_history_time_zone(
    steps: PolicyHistory,
) -> None:
    # The history's zone is America/New_York: noon there is 16:00 UTC.
    assert (at(steps, "2024-06-01T11:59"), at(steps, "2024-06-01T12:00")) == (
        "belarus-dropped",
        "aid-conditions",
    )


def test_a_naive_datetime_is_read_in_the_history_time_zone(steps: PolicyHistory) -> None:
    assert at(steps, dt.datetime(2024, 6, 1, 12, 0)) == "aid-conditions"  # noqa: DTZ001


def test_an_aware_datetime_keeps_its_own_zone(steps: PolicyHistory) -> None:
    moment = dt.datetime(2024, 6, 1, 15, 0, tzinfo=dt.timezone.utc)
    assert at(steps, moment) == "belarus-dropped"


def test_a_date_asks_at_its_first_instant(steps: PolicyHistory) -> None:
    assert at(steps, dt.date(2024, 1, 15)) == "baseline"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-03", "belarus-dropped"),
        ("2024-02", "baseline"),
        ("2024", None),
        (2025, "export-ban-lifted"),
        ("2024-09-30", "export-ban-lifted"),
        ("2024-09-29", "aid-conditions"),
    ],
)
def test_a_partial_date_asks_at_its_first_instant(
    steps: PolicyHistory, moment: object, expected: str | None
) -> None:
    assert at(steps, moment) == expected


def test_a_when_is_asked_at_its_instant(steps: PolicyHistory) -> None:
    moment = When(
        instant=pendulum.datetime(2024, 3, 1, tz="America/New_York"), precision=Precision.MONTH
    )
    assert at(steps, moment) == "belarus-dropped"


def test_an_unreadable_moment_is_a_clear_error(steps: PolicyHistory) -> None:
    with pytest.raises(DocumentError) as caught:
        steps.at("next tuesday")
    assert str(caught.value) == (
        "<argument>: when: invalid date 'next tuesday'"
        " (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][offset])"
    )


@given(version_sequences(max_size=5))
def test_each_version_is_in_force_from_its_effective_instant_until_the_next(
    found: list[PolicyVersion],
) -> None:
    history = PolicyHistory(versions=found)
    for previous, current in zip([None, *history.versions], history.versions, strict=False):
        assert history.at(current.effective) is current
        just_before = current.effective.instant.subtract(microseconds=1)
        assert history.at(just_before) is previous


# -- finding versions ------------------------------------------------------------


def test_a_version_is_found_by_its_label_or_position(steps: PolicyHistory) -> None:
    assert (steps["belarus-dropped"], steps[-1]) == (steps.versions[1], steps.versions[3])


def test_an_unknown_label_suggests_the_closest_one(steps: PolicyHistory) -> None:
    with pytest.raises(KeyError, match="did you mean 'baseline'"):
        steps["baseline2"]


def test_an_unknown_label_with_nothing_close_lists_the_labels() -> None:
    history = PolicyHistory(versions=[version("v1", "2024"), version("v2", "2025")])
    with pytest.raises(KeyError) as caught:
        history["something else"]
    assert caught.value.args == ("no version labelled 'something else' (versions: v1, v2)",)


def test_membership_is_by_label(steps: PolicyHistory) -> None:
    assert ("baseline" in steps, "nothing" in steps) == (True, False)


# -- changes -------------------------------------------------------------------


def test_changes_hold_one_diff_per_consecutive_pair(steps: PolicyHistory) -> None:
    pairs = [(d.old.version, d.new.version) for d in steps.changes()]
    assert pairs == [
        ("baseline", "belarus-dropped"),
        ("belarus-dropped", "aid-conditions"),
        ("aid-conditions", "export-ban-lifted"),
    ]


def test_each_consecutive_diff_knows_the_time_since_the_previous_version(
    steps: PolicyHistory,
) -> None:
    first = steps.changes()[0]
    assert first.interval.in_days() == 46
    assert first.gap.endswith(" after the previous version")


def test_diff_compares_two_versions_by_label(steps: PolicyHistory) -> None:
    found = steps.diff("baseline", "export-ban-lifted")
    assert [(c.kind, c.rule) for c in found] == [
        (Kind.CONDITION_ADDED, "allow-aid"),
        (Kind.RESTRICTION_LIFTED, "no-export"),
        (Kind.RESTRICTION_IMPOSED, "no-overflight"),
    ]


def test_diff_by_an_unknown_label_is_a_history_error(steps: PolicyHistory) -> None:
    with pytest.raises(HistoryError) as caught:
        steps.diff("belarus", "baseline")
    assert str(caught.value) == (
        f"{STEPS}: no version labelled 'belarus'; did you mean 'belarus-dropped'?"
    )


def test_between_gives_the_net_change_from_one_moment_to_another(
    steps: PolicyHistory,
) -> None:
    # Belarus was dropped, then the whole ban lifted: net, the ban is lifted.
    found = steps.between("2024-02", "2024-12")
    assert (found.old.version, found.new.version) == ("baseline", "export-ban-lifted")
    assert {(c.kind, c.rule) for c in found} == {
        (Kind.RESTRICTION_LIFTED, "no-export"),
        (Kind.RESTRICTION_IMPOSED, "no-overflight"),
        (Kind.CONDITION_ADDED, "allow-aid"),
    }


def test_between_two_moments_under_one_version_is_empty(steps: PolicyHistory) -> None:
    assert len(steps.between("2024-04-01", "2024-05-01")) == 0


def test_between_from_before_the_first_version_is_a_clear_error(
    steps: PolicyHistory,
) -> None:
    with pytest.raises(HistoryError) as caught:
        steps.between("2023", "2024-12")
    assert str(caught.value) == (
        f"{STEPS}: no version of 'export-controls' was in force at 2023;"
        " the history begins 15 January 2024 (baseline)"
    )


def test_between_with_the_end_before_the_start_asks_to_swap(steps: PolicyHistory) -> None:
    with pytest.raises(HistoryError) as caught:
        steps.between("2024-12", "2024-02")
    assert str(caught.value) == (
        f"{STEPS}: the end (February 2024) is before the start (December 2024); swap them"
    )


# -- rule timelines ------------------------------------------------------------


def test_a_rule_timeline_lists_each_change_to_the_rule_with_when(
    steps: PolicyHistory,
) -> None:
    timeline = steps.rule_timeline("no-export")
    assert [(e.version.version, str(e.effective), e.change.kind) for e in timeline] == [
        ("baseline", "15 January 2024", Kind.RESTRICTION_IMPOSED),
        ("belarus-dropped", "March 2024", Kind.SCOPE_NARROWED),
        ("export-ban-lifted", "30 September 2024", Kind.RESTRICTION_LIFTED),
    ]


def test_a_timeline_entry_knows_the_version_before_the_change(steps: PolicyHistory) -> None:
    entry = steps.rule_timeline("no-export")[1]
    assert entry.previous is not None
    assert (entry.previous.version, entry.change.removed) == ("baseline", {"Belarus"})


def test_a_rule_that_never_changed_is_in_force_from_the_first_version() -> None:
    history = PolicyHistory(
        versions=[version("v1", "2024", rule("a")), version("v2", "2025", rule("a"), rule("b"))]
    )
    (entry,) = history.rule_timeline("a")
    assert (entry.version.version, entry.previous, entry.from_start, str(entry.effective)) == (
        "v1",
        None,
        True,
        "2024",
    )


def test_a_rule_of_the_first_version_is_reported_with_that_version_and_its_sources() -> None:
    first = attrs.evolve(
        version("v1", "2020-03-14", rule("schengen-ban")),
        sources=(Source(id="proclamation-9993", publisher="Federal Register"),),
    )
    history = PolicyHistory(versions=[first, version("v2", "2021-11-08")])
    entry = history.rule_timeline("schengen-ban")[0]
    assert (entry.change.kind, [s.id for s in entry.change.sources], entry.change.description) == (
        Kind.RESTRICTION_IMPOSED,
        ["proclamation-9993"],
        "Restriction in force from the first version (v1, effective 14 March 2020):"
        " No one may export.",
    )


def test_a_rule_added_later_has_no_entry_from_the_start() -> None:
    history = PolicyHistory(
        versions=[version("v1", "2024", rule("a")), version("v2", "2025", rule("a"), rule("b"))]
    )
    assert [e.from_start for e in history.rule_timeline("b")] == [False]


def test_a_rename_shows_in_the_timelines_of_both_ids() -> None:
    history = PolicyHistory(
        versions=[version("v1", "2024", rule("old-id")), version("v2", "2025", rule("new-id"))]
    )
    old = [e.change.kind for e in history.rule_timeline("old-id")]
    new = [e.change.kind for e in history.rule_timeline("new-id")]
    assert (old, new) == ([Kind.RESTRICTION_IMPOSED, Kind.RULE_RENAMED], [Kind.RULE_RENAMED])


def test_a_rule_timeline_is_read_off_the_changes_not_every_rule_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After a first question, asking about one rule builds its own first
    # entry only and looks at no version's rules: the answer comes from the
    # changes, worked out once.
    first = version("v1", "2024", *(rule(f"r{i:02d}") for i in range(40)))
    second = attrs.evolve(
        first,
        version="v2",
        effective=When.parse("2025"),
        rules=[*first.rules[1:], rule("r00", Effect.PERMIT), rule("new")],
    )
    history = PolicyHistory(versions=[first, second])
    history.rule_timeline("r01")
    started: list[str] = []
    in_force = policydiff._history.in_force_from_start

    def counted(version: PolicyVersion, one: Rule) -> Any:
        started.append(one.id)
        return in_force(version, one)

    monkeypatch.setattr(policydiff._history, "in_force_from_start", counted)
    monkeypatch.setattr(
        PolicyVersion, "rule_ids", property(lambda _: pytest.fail("read every rule id"))
    )
    assert [e.change.kind for e in history.rule_timeline("r00")] == [
        Kind.RESTRICTION_IMPOSED,
        Kind.EFFECT_CHANGED,
    ]
    assert [e.change.kind for e in history.imposed("new")] == [Kind.RESTRICTION_IMPOSED]
    assert [e.change.kind for e in history.lifted("r00")] == [Kind.EFFECT_CHANGED]
    assert started == ["r00"]


def test_an_unknown_rule_id_suggests_the_closest_one(steps: PolicyHistory) -> None:
    with pytest.raises(HistoryError) as caught:
        steps.rule_timeline("no-exports")
    assert str(caught.value) == (
        f"{STEPS}: no version of 'export-controls' has a rule 'no-exports';"
        " did you mean 'no-export'?"
    )


def test_lifted_lists_every_loosening_oldest_first(steps: PolicyHistory) -> None:
    found = [(e.version.version, e.change.kind, e.change.rule) for e in steps.lifted()]
    assert found == [
        ("belarus-dropped", Kind.SCOPE_NARROWED, "no-export"),
        ("export-ban-lifted", Kind.RESTRICTION_LIFTED, "no-export"),
    ]


def test_imposed_lists_every_tightening_oldest_first(steps: PolicyHistory) -> None:
    found = [(e.version.version, e.change.kind, e.change.rule) for e in steps.imposed()]
    assert found == [
        ("baseline", Kind.RESTRICTION_IMPOSED, "no-export"),
        ("aid-conditions", Kind.CONDITION_ADDED, "allow-aid"),
        ("aid-conditions", Kind.RESTRICTION_IMPOSED, "no-overflight"),
    ]


def test_lifted_and_imposed_can_follow_one_rule(steps: PolicyHistory) -> None:
    assert [str(e.effective) for e in steps.lifted("no-export")] == [
        "March 2024",
        "30 September 2024",
    ]
    assert [e.change.kind for e in steps.imposed("allow-aid")] == [Kind.CONDITION_ADDED]
    assert [e.version.version for e in steps.imposed("no-export")] == ["baseline"]


def test_lifted_leaves_out_permissions_in_force_from_the_start(steps: PolicyHistory) -> None:
    assert [e for e in steps.lifted("allow-aid") if e.from_start] == []


def test_lifted_for_an_unknown_rule_is_a_history_error(steps: PolicyHistory) -> None:
    with pytest.raises(HistoryError, match="has a rule 'no-overflights'"):
        steps.lifted("no-overflights")


def test_every_lifted_entry_is_a_loosened_change(steps: PolicyHistory) -> None:
    assert {e.change.direction for e in steps.lifted()} == {Direction.LOOSENED}


def test_a_timeline_entry_serializes_with_both_labels(steps: PolicyHistory) -> None:
    entry = steps.rule_timeline("no-export")[-1].to_dict()
    assert (entry["previous"], entry["version"], entry["effective"], entry["change"]["kind"]) == (
        "aid-conditions",
        "export-ban-lifted",
        "2024-09-30T00:00:00-04:00",
        "restriction-lifted",
    )


# -- the log as JSON -------------------------------------------------------------


def test_the_log_is_one_diff_object_per_consecutive_pair(steps: PolicyHistory) -> None:
    log = json.loads(policydiff.render(steps, "json"))
    assert (log["policydiff"], log["policy"]) == (1, "export-controls")
    assert [(d["from"]["version"], d["to"]["version"]) for d in log["diffs"]] == [
        ("baseline", "belarus-dropped"),
        ("belarus-dropped", "aid-conditions"),
        ("aid-conditions", "export-ban-lifted"),
    ]
    assert log["diffs"][0] == steps.changes()[0].to_dict()


def test_the_log_is_the_same_text_on_every_load() -> None:
    assert policydiff.render(load_history(STEPS), "json") == policydiff.render(
        load_history(STEPS), "json"
    )


def test_a_history_is_frozen(steps: PolicyHistory) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        steps.versions = ()  # type: ignore[misc]


# -- smaller truths ----------------------------------------------------------------


def test_a_history_folder_with_documents_in_subfolders_names_them(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text("policy: p\nversion: v1\neffective: 2024\n")
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "v2.yaml").write_text("policy: p\nversion: v2\neffective: 2025\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.toml").write_text("")
    with pytest.raises(HistoryError) as caught:
        load_history(tmp_path)
    assert caught.value.problems[0].message == (
        f"documents in subfolders are not part of the history: {Path('2025', 'v2.yaml')};"
        " a history folder holds its versions at its top level"
    )


def test_a_version_body_adds_its_sources_to_the_shared_ones(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_text(
        "policy: entry\n"
        "sources: [{id: fr-2020, publisher: Federal Register}]\n"
        "versions:\n"
        "  - {version: v1, effective: 2020-03}\n"
        "  - version: v2\n"
        "    effective: 2021-11\n"
        "    sources: [{id: fr-2021}]\n"
        "    rules: [{id: r, effect: oblige, action: enter, sources: [fr-2020, fr-2021]}]\n"
    )
    history = load_history(path)
    assert [[s.id for s in v.sources] for v in history] == [["fr-2020"], ["fr-2021", "fr-2020"]]


def test_a_problem_in_a_body_source_is_placed_in_the_body(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_text(
        "policy: entry\n"
        "sources: [{id: fr-2020}]\n"
        "versions:\n"
        "  - version: v1\n"
        "    effective: 2020-03\n"
        "    sources: [{id: x}, {id: x}]\n"
    )
    with pytest.raises(DocumentError) as caught:
        load_history(path)
    assert [(p.line, p.path) for p in caught.value.problems] == [(6, "versions[0].sources[1].id")]


def test_a_removal_of_a_rule_the_version_before_did_not_have_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_text(
        "policy: entry\n"
        "versions:\n"
        "  - version: v1\n"
        "    effective: 2020-03\n"
        "    rules: [{id: brazil-ban, effect: prohibit, action: enter}]\n"
        "  - version: v2\n"
        "    effective: 2021-11\n"
        "    removals: [{rule: brazil-bam}]\n"
    )
    with pytest.raises(HistoryError) as caught:
        load_history(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:8:23: versions[1].removals[0].rule: the version before, 'v1', has no rule"
        " 'brazil-bam'; did you mean 'brazil-ban'?"
    ]


# -- finding versions for the command line -------------------------------------------


def test_find_takes_a_label_or_a_time(steps: PolicyHistory) -> None:
    assert (steps.find("aid-conditions").version, steps.find("2024-10-01").version) == (
        "aid-conditions",
        "export-ban-lifted",
    )


def test_find_refuses_what_is_neither_a_label_nor_a_time(steps: PolicyHistory) -> None:
    with pytest.raises(HistoryError) as caught:
        steps.find("aid-condition")
    assert caught.value.problems[0].message == (
        "no version labelled 'aid-condition'; did you mean 'aid-conditions'?; nor is it a time value"
    )


def test_find_refuses_a_time_before_the_history(steps: PolicyHistory) -> None:
    with pytest.raises(HistoryError, match="was in force at 2023"):
        steps.find("2023")


def test_taking_effect_lists_later_versions_within_the_period_asked() -> None:
    history = PolicyHistory(
        versions=[
            version("v1", "2024-05-30T00:00Z"),
            version("v2", "2024-05-30T14:00Z"),
            version("v3", "2024-05-31"),
        ]
    )
    assert [v.version for v in history.taking_effect("2024-05-30")] == ["v2"]
    assert [v.version for v in history.taking_effect("2024-05")] == ["v1", "v2", "v3"]
    assert history.taking_effect("2024-05-30T15:00Z") == ()


def test_changes_since_and_until_keep_the_steps_taking_effect_between(
    steps: PolicyHistory,
) -> None:
    assert [d.new.version for d in steps.changes(since="2024-03")] == [
        "belarus-dropped",
        "aid-conditions",
        "export-ban-lifted",
    ]
    assert [d.new.version for d in steps.changes(since="2024-03-02", until="2024-08")] == [
        "aid-conditions"
    ]
    assert [d.new.version for d in steps.changes(until="2024-03")] == ["belarus-dropped"]


# -- the repeated hour when clocks go back -------------------------------------------
# On 3 November 2024 New York's clocks went from 01:59 EDT back to 01:00 EST:
# 01:30 EDT (05:30 UTC) comes before 01:10 EST (06:10 UTC).

NEW_YORK = "America/New_York"
FIRST_0130 = "2024-11-03T01:30:00-04:00[America/New_York]"
SECOND_0110 = "2024-11-03T01:10:00-05:00[America/New_York]"


def _repeated_hour_history() -> PolicyHistory:
    wide = rule("r", Effect.PERMIT, scope={"territory": ["x", "y"]})
    narrow = rule("r", Effect.PERMIT, scope={"territory": ["x"]})
    return PolicyHistory(
        versions=[
            version("wide", FIRST_0130, wide),
            version("narrow", SECOND_0110, narrow),
        ]
    )


def test_versions_in_the_repeated_hour_are_ordered_by_absolute_time() -> None:
    history = _repeated_hour_history()
    assert labels(history) == ["wide", "narrow"]
    (step,) = history.changes()
    assert [c.direction for c in step.changes] == [Direction.TIGHTENED]
    assert step.gap == "40 minutes after the previous version"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-11-03T05:29:59Z", None),
        ("2024-11-03T05:40:00Z", "wide"),
        ("2024-11-03T01:59:00-04:00", "wide"),
        ("2024-11-03T06:10:00Z", "narrow"),
        ("2024-11-03T01:20:00-05:00", "narrow"),
    ],
)
def test_the_version_in_force_in_the_repeated_hour_follows_absolute_time(
    moment: str, expected: str | None
) -> None:
    found = _repeated_hour_history().at(moment)
    assert (found.version if found else None) == expected


def test_two_versions_an_hour_apart_on_the_same_wall_clock_are_not_duplicates() -> None:
    first = version("first", "2024-11-03T01:30:00-04:00[America/New_York]")
    second = version("second", "2024-11-03T01:30:00-05:00[America/New_York]")
    history = PolicyHistory(versions=[second, first])
    assert labels(history) == ["first", "second"]


def test_two_versions_at_one_instant_written_two_ways_are_duplicates() -> None:
    first = version("first", "2024-11-03T01:10:00-05:00[America/New_York]")
    second = version("second", "2024-11-03T06:10:00Z")
    with pytest.raises(HistoryError, match="takes effect at the same instant"):
        PolicyHistory(versions=[first, second])


def test_between_compares_its_ends_in_absolute_time() -> None:
    history = _repeated_hour_history()
    assert len(history.between(FIRST_0130, SECOND_0110).changes) == 1
    with pytest.raises(HistoryError, match="is before the start"):
        history.between(SECOND_0110, FIRST_0130)
