"""The example documents load, and say what a reader of them relies on."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

import policydiff
from policydiff.model import Effect, PolicyVersion, Precision

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FLAGSHIP = EXAMPLES / "us-ukraine-strikes" / "history"
EXPORTS = EXAMPLES / "export-controls" / "history"
SUFFIXES = {".yaml", ".yml", ".json", ".toml"}
NEW_YORK = "America/New_York"

DOCUMENTS = sorted(
    path
    for path in EXAMPLES.rglob("*")
    if path.suffix in SUFFIXES and "history" in path.parent.name
)


def _history(folder: Path) -> list[PolicyVersion]:
    versions = [
        policydiff.load(path) for path in sorted(folder.iterdir()) if path.suffix in SUFFIXES
    ]
    return sorted(versions, key=lambda version: version.effective)


def _flagship(label: str) -> PolicyVersion:
    return next(version for version in _history(FLAGSHIP) if version.version == label)


def _day(year: int, month: int, day: int) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, tz=NEW_YORK)


class TestEveryDocument:
    def test_the_examples_hold_documents(self) -> None:
        assert len(DOCUMENTS) >= 8

    @pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(EXAMPLES)))
    def test_the_document_loads(self, path: Path) -> None:
        version = policydiff.load(path)

        assert version.rules

    @pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(EXAMPLES)))
    def test_every_cited_source_is_listed(self, path: Path) -> None:
        version = policydiff.load(path)
        listed = {source.id for source in version.sources}
        cited = {ref for rule in version.rules for ref in rule.sources}
        cited |= {ref for event in version.events for ref in event.sources}

        assert cited <= listed

    @pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(EXAMPLES)))
    def test_every_source_names_its_publisher_and_date(self, path: Path) -> None:
        version = policydiff.load(path)

        assert all(source.publisher and source.date for source in version.sources)

    @pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(EXAMPLES)))
    def test_the_document_round_trips_through_every_format(self, path: Path) -> None:
        version = policydiff.load(path)

        for fmt in ("yaml", "json", "toml"):
            assert policydiff.loads(policydiff.dumps(version, format=fmt), format=fmt) == version


@pytest.mark.parametrize("folder", [FLAGSHIP, EXPORTS], ids=["flagship", "export-controls"])
class TestEveryHistory:
    def test_every_version_names_the_same_policy_and_title(self, folder: Path) -> None:
        versions = _history(folder)

        assert len({(version.policy, version.title) for version in versions}) == 1

    def test_labels_and_effective_instants_are_unique(self, folder: Path) -> None:
        versions = _history(folder)

        assert len({version.version for version in versions}) == len(versions)
        assert len({version.effective.instant for version in versions}) == len(versions)

    def test_file_names_sort_in_effective_order(self, folder: Path) -> None:
        by_name = [
            policydiff.load(path).version
            for path in sorted(folder.iterdir())
            if path.suffix in SUFFIXES
        ]

        assert [version.version for version in _history(folder)] == by_name

    def test_every_version_shares_one_vocabulary(self, folder: Path) -> None:
        versions = _history(folder)

        assert len({version.vocabulary for version in versions}) == 1


class TestFlagship:
    def test_the_history_has_one_version_per_step(self) -> None:
        assert [version.version for version in _history(FLAGSHIP)] == [
            "no-strikes-inside-russia",
            "kharkiv-defensive-strikes",
            "anywhere-across-the-border",
            "atacms-kursk",
            "pentagon-approval-for-atacms",
        ]

    def test_every_version_reads_dates_in_new_york(self) -> None:
        assert {version.timezone for version in _history(FLAGSHIP)} == {NEW_YORK}

    def test_the_vocabulary_places_the_oblasts_under_russia(self) -> None:
        vocabulary = _flagship("kharkiv-defensive-strikes").vocabulary

        assert vocabulary.trees["territory"]["Russia"] == {
            "Russian border regions",
            "Russian interior",
        }
        assert vocabulary.trees["territory"]["Russian border regions"] == {
            "Belgorod Oblast",
            "Bryansk Oblast",
            "Kursk Oblast",
        }
        assert vocabulary.trees["weapon"]["U.S.-supplied weapons"] == {
            "ATACMS",
            "GMLRS",
            "artillery",
        }

    def test_the_prohibition_never_changes(self) -> None:
        rules = {version.rule("no-strikes-inside-russia") for version in _history(FLAGSHIP)}

        assert len(rules) == 1
        (rule,) = rules
        assert rule.effect is Effect.PROHIBIT
        assert rule.scope == {"territory": {"Russia"}, "weapon": {"U.S.-supplied weapons"}}

    def test_the_first_version_is_dated_to_the_year_only(self) -> None:
        effective = _flagship("no-strikes-inside-russia").effective

        assert (effective.instant, effective.precision) == (
            pendulum.datetime(2022, 1, 1, tz=NEW_YORK),
            Precision.YEAR,
        )

    def test_the_kharkiv_version_took_effect_on_30_may_2024(self) -> None:
        version = _flagship("kharkiv-defensive-strikes")

        assert version.effective.instant == _day(2024, 5, 30)
        assert version.effective.precision is Precision.DAY
        assert version.effective.instant.timezone_name == NEW_YORK
        assert version.effective.isoformat() == "2024-05-30T00:00:00-04:00"

    def test_the_kharkiv_decision_was_confirmed_on_31_may(self) -> None:
        version = _flagship("kharkiv-defensive-strikes")

        assert version.announced is not None
        assert (version.announced.instant, version.announced.precision) == (
            _day(2024, 5, 31),
            Precision.DAY,
        )
        assert version.approved_by == ("President Joe Biden",)

    def test_the_kharkiv_step_adds_exactly_one_permit_rule(self) -> None:
        before = _flagship("no-strikes-inside-russia")
        after = _flagship("kharkiv-defensive-strikes")
        added = after.rule_ids - before.rule_ids

        assert added == {"kharkiv-defensive-strikes"}
        assert before.rule_ids <= after.rule_ids
        assert all(before.rule(i) == after.rule(i) for i in before.rule_ids)
        assert after.rule("kharkiv-defensive-strikes").effect is Effect.PERMIT

    def test_the_kharkiv_permission_covers_belgorod_with_short_range_weapons(self) -> None:
        rule = _flagship("kharkiv-defensive-strikes").rule("kharkiv-defensive-strikes")

        assert rule.scope["territory"] == {"Belgorod Oblast"}
        assert rule.scope["weapon"] == {"GMLRS", "artillery"}
        assert "ATACMS" not in rule.scope["weapon"]

    def test_the_kharkiv_decision_steps_start_with_the_13_may_meeting(self) -> None:
        events = {
            event.date.instant: event.what
            for event in _flagship("kharkiv-defensive-strikes").events
        }

        assert "Meeting" in events[_day(2024, 5, 13)]

    def test_the_june_version_has_month_precision(self) -> None:
        version = _flagship("anywhere-across-the-border")

        assert (version.effective.instant, version.effective.precision) == (
            _day(2024, 6, 1),
            Precision.MONTH,
        )
        assert str(version.effective) == "June 2024"

    def test_the_june_version_broadens_the_territory_to_the_border_regions(self) -> None:
        rule = _flagship("anywhere-across-the-border").rule("kharkiv-defensive-strikes")

        assert rule.scope["territory"] == {"Russian border regions"}
        assert rule.effect is Effect.PERMIT

    def test_the_june_summary_says_officials_called_it_a_clarification(self) -> None:
        summary = _flagship("anywhere-across-the-border").summary or ""

        assert "clarification" in summary

    def test_the_june_sources_include_politico_on_20_june(self) -> None:
        source = _flagship("anywhere-across-the-border").source("politico-2024-06-20")

        assert source is not None
        assert source.publisher == "Politico"
        assert source.date is not None
        assert source.date.instant == _day(2024, 6, 20)
        assert "Lara Seligman" in (source.note or "")

    def test_the_atacms_version_uses_the_reported_date(self) -> None:
        version = _flagship("atacms-kursk")

        assert (version.effective.instant, version.effective.precision) == (
            _day(2024, 11, 17),
            Precision.DAY,
        )
        assert "reported" in (version.summary or "")

    def test_the_atacms_permission_covers_kursk_oblast(self) -> None:
        rule = _flagship("atacms-kursk").rule("atacms-kursk")

        assert rule.effect is Effect.PERMIT
        assert rule.scope == {"territory": {"Kursk Oblast"}, "weapon": {"ATACMS"}}

    def test_the_atacms_version_notes_the_first_use_was_in_bryansk(self) -> None:
        events = {event.date.instant: event.what for event in _flagship("atacms-kursk").events}

        assert "Bryansk" in events[_day(2024, 11, 19)]
        assert "Washington" in events[_day(2024, 8, 30)]

    def test_the_2025_version_is_approximate_to_the_month(self) -> None:
        version = _flagship("pentagon-approval-for-atacms")

        assert (version.effective.instant, version.effective.precision) == (
            _day(2025, 6, 1),
            Precision.MONTH,
        )
        assert "approximate" in (version.summary or "")

    def test_the_2025_version_was_reported_on_23_august(self) -> None:
        version = _flagship("pentagon-approval-for-atacms")

        assert version.announced is not None
        assert version.announced.instant == _day(2025, 8, 23)

    def test_the_2025_version_records_the_white_house_denial(self) -> None:
        summary = _flagship("pentagon-approval-for-atacms").summary or ""

        assert "no change in military posture" in summary

    def test_the_2025_version_obliges_approval_for_atacms_strikes(self) -> None:
        version = _flagship("pentagon-approval-for-atacms")
        obligations = [rule for rule in version.rules if rule.effect is Effect.OBLIGE]

        assert [rule.id for rule in obligations] == ["atacms-strikes-need-approval"]
        assert obligations[0].scope == {"territory": {"Russia"}, "weapon": {"ATACMS"}}


class TestExportControls:
    def test_the_history_uses_every_format(self) -> None:
        assert {path.suffix for path in EXPORTS.iterdir()} == {".yaml", ".toml", ".json"}

    def test_the_second_version_imposes_a_restriction(self) -> None:
        first, second, _ = _history(EXPORTS)
        new = [second.rule(i) for i in second.rule_ids - first.rule_ids]

        assert [(rule.id, rule.effect) for rule in new] == [("camera-licence", Effect.PROHIBIT)]

    def test_the_third_version_grants_a_permission(self) -> None:
        _, second, third = _history(EXPORTS)
        new = [third.rule(i) for i in third.rule_ids - second.rule_ids]

        assert [(rule.id, rule.effect) for rule in new] == [
            ("elmora-research-exception", Effect.PERMIT)
        ]

    def test_the_third_version_narrows_the_licence_to_a_narrower_item(self) -> None:
        _, second, third = _history(EXPORTS)
        before = second.rule("camera-licence").scope["item"]
        after = third.rule("camera-licence").scope["item"]

        assert (before, after) == ({"thermal cameras"}, {"T900 long-range camera"})
        assert third.vocabulary.covers("item", "thermal cameras", "T900 long-range camera")

    def test_the_third_version_took_effect_at_the_start_of_business_in_london(self) -> None:
        version = _history(EXPORTS)[-1]

        assert version.effective.precision is Precision.INSTANT
        assert version.effective.instant == pendulum.datetime(2024, 3, 4, 9, tz="Europe/London")
