"""Time values (SPEC section 3): parsing, writing, showing and the gaps between them."""

from __future__ import annotations

import datetime as dt
import re

import pendulum
import pytest

from policydiff._time import describe_gap, format_when, parse_when, write_when, zone
from policydiff.model import Precision, When

KYIV = "Europe/Kyiv"


# -- parsing every form --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "precision", "first", "zone_name"),
    [
        ("2024", Precision.YEAR, "2024-01-01T00:00:00+02:00", KYIV),
        ("2024-05", Precision.MONTH, "2024-05-01T00:00:00+03:00", KYIV),
        ("2024-5", Precision.MONTH, "2024-05-01T00:00:00+03:00", KYIV),
        ("2024-05-30", Precision.DAY, "2024-05-30T00:00:00+03:00", KYIV),
        ("2024-05-30T14:00", Precision.INSTANT, "2024-05-30T14:00:00+03:00", KYIV),
        ("2024-05-30 14:00", Precision.INSTANT, "2024-05-30T14:00:00+03:00", KYIV),
        ("2024-05-30t14:00:30", Precision.INSTANT, "2024-05-30T14:00:30+03:00", KYIV),
        ("2024-05-30T14:00:30.25", Precision.INSTANT, "2024-05-30T14:00:30.250000+03:00", KYIV),
        ("2024-05-30T14:00-04:00", Precision.INSTANT, "2024-05-30T14:00:00-04:00", "-04:00"),
        ("2024-05-30T14:00+0530", Precision.INSTANT, "2024-05-30T14:00:00+05:30", "+05:30"),
        ("2024-05-30T14:00+05", Precision.INSTANT, "2024-05-30T14:00:00+05:00", "+05:00"),
        ("2024-05-30T14:00Z", Precision.INSTANT, "2024-05-30T14:00:00+00:00", "+00:00"),
        ("2024-05-30T14:00z", Precision.INSTANT, "2024-05-30T14:00:00+00:00", "+00:00"),
        ("  2024-05-30  ", Precision.DAY, "2024-05-30T00:00:00+03:00", KYIV),
        (
            "2024-05-30T14:00[America/New_York]",
            Precision.INSTANT,
            "2024-05-30T14:00:00-04:00",
            "America/New_York",
        ),
        (
            "2024-05-30T14:00+03:00[America/New_York]",
            Precision.INSTANT,
            "2024-05-30T07:00:00-04:00",
            "America/New_York",
        ),
    ],
)
def test_every_spec_form_parses_with_its_precision(
    written: str, precision: Precision, first: str, zone_name: str
) -> None:
    when = parse_when(written, KYIV)
    assert (when.precision, when.isoformat(), when.instant.timezone_name) == (
        precision,
        first,
        zone_name,
    )


def test_values_without_a_zone_default_to_utc_not_local_time() -> None:
    # The test suite runs in Pacific/Chatham local time (see conftest).
    assert When.parse("2024-05-30").isoformat() == "2024-05-30T00:00:00+00:00"


def test_native_values_from_yaml_and_toml_parsers_are_accepted() -> None:
    assert parse_when(2024, KYIV) == parse_when("2024", KYIV)
    assert parse_when(dt.date(2024, 5, 30), KYIV) == parse_when("2024-05-30", KYIV)
    naive = dt.datetime(2024, 5, 30, 14, 0)  # noqa: DTZ001 (a TOML local date-time)
    assert parse_when(naive, KYIV) == parse_when("2024-05-30T14:00", KYIV)
    aware = dt.datetime(2024, 5, 30, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert parse_when(aware, KYIV).isoformat() == "2024-05-30T14:00:00-04:00"


def test_a_when_is_returned_as_it_is() -> None:
    when = parse_when("2024-05", KYIV)
    assert parse_when(when, "UTC") is when


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2023-02-29", "impossible date '2023-02-29' (day is out of range for month)"),
        ("2024-02-30", "impossible date '2024-02-30' (day is out of range for month)"),
        ("2024-13", "impossible date '2024-13' (month must be in 1..12)"),
        ("2024-00-10", "impossible date '2024-00-10' (month must be in 1..12)"),
        ("2024-05-30T24:00", "impossible date '2024-05-30T24:00' (hour must be in 0..23)"),
        ("2024-05-30T12:60", "impossible date '2024-05-30T12:60' (minute must be in 0..59)"),
        ("2024-05-30T12:00+24:00", "impossible offset '+24:00'"),
        ("2024-05-30T12:00+05:60", "impossible offset '+05:60'"),
    ],
)
def test_impossible_dates_are_refused(written: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_when(written, "UTC")


ACCEPTED = "(expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][offset])"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("May 2024", f"invalid date 'May 2024' {ACCEPTED}"),
        ("30/05/2024", f"invalid date '30/05/2024' {ACCEPTED}"),
        ("2024/05/30", f"invalid date '2024/05/30' {ACCEPTED}"),
        ("24-05-30", f"invalid date '24-05-30' {ACCEPTED}"),
        ("", f"invalid date '' {ACCEPTED}"),
        (99999, f"invalid date '99999' {ACCEPTED}"),
        (True, "expected a date such as 2024-05-30 (got True that is a bool)"),
        (2024.5, "expected a date such as 2024-05-30 (got 2024.5 that is a float)"),
        (None, "expected a date such as 2024-05-30 (got None that is a NoneType)"),
        (["2024"], "expected a date such as 2024-05-30 (got ['2024'] that is a list)"),
    ],
)
def test_values_that_are_not_dates_are_refused(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_when(value, "UTC")


# -- zones and daylight saving -------------------------------------------------------


def test_a_time_in_the_spring_gap_moves_forward() -> None:
    when = parse_when("2024-03-10T02:30", "America/New_York")
    assert when.isoformat() == "2024-03-10T03:30:00-04:00"


def test_an_ambiguous_autumn_time_reads_as_the_later_standard_time() -> None:
    when = parse_when("2024-11-03T01:30", "America/New_York")
    assert when.isoformat() == "2024-11-03T01:30:00-05:00"


def test_a_day_whose_midnight_does_not_exist_starts_when_the_clocks_resume() -> None:
    when = parse_when("2024-09-08", "America/Santiago")
    assert when.isoformat() == "2024-09-08T01:00:00-03:00"


def test_the_same_date_in_two_zones_is_two_instants() -> None:
    kyiv, new_york = parse_when("2024-05-30", KYIV), parse_when("2024-05-30", "America/New_York")
    assert kyiv != new_york
    assert kyiv < new_york


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "America/Kyiv", "", "../../etc/passwd", "UTC\x00"]
)
def test_zones_that_do_not_exist_are_refused(name: str) -> None:
    message = f"unknown time zone {name!r} (expected an IANA name such as 'Europe/Kyiv')"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        zone(name)


def test_a_date_read_in_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Nowhere/Land'"):
        parse_when("2024-05-30", "Nowhere/Land")


def test_an_offset_value_ignores_an_unknown_document_zone() -> None:
    assert parse_when("2024-05-30T12:00Z", "UTC").isoformat() == "2024-05-30T12:00:00+00:00"


# -- writing and showing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "document_zone", "back"),
    [
        ("2024", KYIV, "2024"),
        ("2024-05", KYIV, "2024-05"),
        ("2024-05-30", KYIV, "2024-05-30"),
        ("2024-05-30T14:00", KYIV, "2024-05-30T14:00:00"),
        ("2024-05-30T14:00:30.25", KYIV, "2024-05-30T14:00:30.250000"),
        ("2024-05-30T14:00-04:00", KYIV, "2024-05-30T14:00:00-04:00"),
        ("2024-05-30T14:00Z", "UTC", "2024-05-30T14:00:00+00:00"),
        ("2024-05-30T14:00[America/New_York]", KYIV, "2024-05-30T14:00:00-04:00[America/New_York]"),
    ],
)
def test_write_when_gives_text_that_reads_back_equal(
    written: str, document_zone: str, back: str
) -> None:
    when = parse_when(written, document_zone)
    assert write_when(when, document_zone) == back
    assert parse_when(back, document_zone) == when


@pytest.mark.parametrize("precision", [Precision.YEAR, Precision.MONTH, Precision.DAY])
def test_write_when_refuses_a_period_in_another_zone(precision: Precision) -> None:
    when = When(instant=pendulum.datetime(2024, 1, 1, tz=KYIV), precision=precision)
    message = (
        f"a {precision.value}-precision time in zone Europe/Kyiv"
        " cannot be written in a document whose timezone is UTC"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        write_when(when, "UTC")


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("2024", "2024"),
        ("2024-05", "May 2024"),
        ("2024-05-30", "30 May 2024"),
        ("2024-05-30T14:05", "30 May 2024, 14:05 +03:00"),
        ("2024-05-30T14:05Z", "30 May 2024, 14:05 +00:00"),
    ],
)
def test_values_show_at_their_own_precision(written: str, shown: str) -> None:
    when = parse_when(written, KYIV)
    assert (format_when(when), str(when)) == (shown, shown)


# -- gaps ----------------------------------------------------------------------------


def _gap(earlier: str, later: str, zone_name: str = "UTC") -> str:
    return describe_gap(parse_when(earlier, zone_name), parse_when(later, zone_name))


@pytest.mark.parametrize(
    ("earlier", "later", "words"),
    [
        ("2024-05-13", "2024-05-30", "17 days after"),
        ("2024-05-30", "2024-05-13", "17 days before"),
        ("2024-05-29", "2024-05-30", "1 day after"),
        ("2024-05", "2024-07", "2 months after"),
        ("2024-05-30", "2024-06", "1 month after"),
        ("2024-05", "2024-05-30", "in the same period as"),
        ("2022", "2024-05-30", "2 years after"),
        ("2024", "2024-11-17", "in the same period as"),
        ("2024-05-30T10:00Z", "2024-05-30T13:00Z", "3 hours after"),
        ("2024-05-30T10:00Z", "2024-05-30T11:00Z", "1 hour after"),
        ("2024-05-30T10:00Z", "2024-05-30T10:00Z", "at the same time as"),
        ("2024-05-30T10:00Z", "2024-05-30T10:00+00:00", "at the same time as"),
        ("2024-05-01", "2024-05-01T10:00Z", "in the same period as"),
    ],
)
def test_gaps_read_as_a_person_would_say_them(earlier: str, later: str, words: str) -> None:
    assert _gap(earlier, later) == words


def test_a_day_across_a_clock_change_is_one_day() -> None:
    assert _gap("2024-03-09T12:00", "2024-03-10T12:00", "America/New_York") == "1 day after"


def test_a_day_and_a_time_that_day_elsewhere_are_the_same_period() -> None:
    # 02:00 in Kyiv on 31 May is 19:00 on 30 May in New York.
    day = parse_when("2024-05-30", "America/New_York")
    assert describe_gap(day, parse_when("2024-05-31T02:00+03:00")) == "in the same period as"


def test_instants_in_two_zones_count_days_on_one_calendar() -> None:
    # 23:00 on 30 May in New York to 18:00 on 1 June in New York (01:00 on 2 June in Kyiv).
    assert _gap("2024-05-30T23:00-04:00", "2024-06-02T01:00+03:00") == "2 days after"


def test_write_when_keeps_the_first_of_two_repeated_hours() -> None:
    first = When(instant=pendulum.datetime(2024, 11, 3, 1, 30, tz="America/New_York", fold=0))
    written = write_when(first, "America/New_York")
    assert written == "2024-11-03T01:30:00-04:00[America/New_York]"
    again = parse_when(written, "America/New_York")
    assert (again.isoformat(), again.instant.timezone_name) == (
        "2024-11-03T01:30:00-04:00",
        "America/New_York",
    )


def test_an_unknown_zone_inside_a_value_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^unknown time zone 'Mars/Base'"):
        parse_when("2024-05-30T14:00[Mars/Base]", "UTC")


# -- what is accepted can be used, and what is written can be read -----------------


@pytest.mark.parametrize(
    "written",
    [
        "0001-01-01T00:30:00+01:00",
        "0001-01-01",
        "9999-12-31T23:00:00-05:00",
        "9999",
        "9999-01",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused(written: str) -> None:
    message = (
        f"date {written!r} is outside the dates policydiff handles"
        " (2 January 0001 to 31 December 9998, UTC)"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_when(written, "UTC")


@pytest.mark.parametrize("written", ["0001-01-02", "9998-12-31T23:59:59Z", "9998"])
def test_dates_just_inside_the_range_show_and_measure(written: str) -> None:
    when = parse_when(written, "America/New_York")
    far = parse_when("2024-05-30T12:00:00+14:00")
    assert str(when)
    assert describe_gap(when, far).endswith(("before", "after"))
    assert describe_gap(far, when).endswith(("before", "after"))


@pytest.mark.parametrize(
    ("written", "back"),
    [
        ("0999-05-30", "0999-05-30"),
        ("0500", "0500"),
        ("0042-02", "0042-02"),
        ("0999-05-30T12:00", "0999-05-30T12:00:00"),
    ],
)
def test_years_before_1000_are_written_with_four_digits(written: str, back: str) -> None:
    when = parse_when(written, "UTC")
    assert write_when(when, "UTC") == back
    assert parse_when(back, "UTC") == when


def test_a_local_mean_time_offset_with_seconds_reads_back() -> None:
    # Before 1924 Kyiv kept its local mean time, 2:02:04 ahead of UTC.
    when = parse_when("1900-01-01T00:00[Europe/Kyiv]", "UTC")
    written = write_when(when, "UTC")
    assert written == "1900-01-01T00:00:00+02:02:04[Europe/Kyiv]"
    assert parse_when(written, "UTC") == when
    assert parse_when("1900-01-01T00:00+02:02:04", "UTC").isoformat() == (
        "1900-01-01T00:00:00+02:02:04"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("utc", "unknown time zone 'utc'; did you mean 'UTC'?"),
        ("europe/kyiv", "unknown time zone 'europe/kyiv'; did you mean 'Europe/Kyiv'?"),
        (
            "localtime",
            "unknown time zone 'localtime' (expected an IANA name such as 'Europe/Kyiv')",
        ),
        (
            "posix/Europe/Kyiv",
            "unknown time zone 'posix/Europe/Kyiv' (expected an IANA name such as 'Europe/Kyiv')",
        ),
    ],
)
def test_only_exact_iana_zone_names_are_read(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        zone(name)


def test_a_gap_of_minutes_in_the_repeated_hour_is_measured_in_absolute_time() -> None:
    first = parse_when("2024-11-03T01:30:00-04:00[America/New_York]")
    second = parse_when("2024-11-03T01:10:00-05:00[America/New_York]")
    assert (describe_gap(first, second), describe_gap(second, first)) == (
        "40 minutes after",
        "40 minutes before",
    )
