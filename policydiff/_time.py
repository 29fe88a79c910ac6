"""Time values (SPEC section 3): the model's When and Precision, and reading,
writing and describing them.

:mod:`policydiff.model` re-exports :class:`When` and :class:`Precision`; they
live here, below the model, so that parsing a time never reaches back up.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import zoneinfo
from typing import Any

import attrs
import pendulum

from policydiff._text import plural, shown

__all__ = [
    "ACCEPTED",
    "Precision",
    "When",
    "describe_gap",
    "format_when",
    "parse_when",
    "write_when",
    "zone",
]


class Precision(enum.Enum):
    """How precisely a time value was given."""

    __module__ = "policydiff.model"

    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    INSTANT = "instant"


_PRECISION_RANK = {p: i for i, p in enumerate(Precision)}
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _since_epoch(instant: pendulum.DateTime) -> tuple[int, int, int]:
    """Return the instant as (days, seconds, microseconds) since 1970 in UTC.

    Python compares two datetimes of one zone by their wall clocks, so the
    two 01:30s of a night the clocks go back would otherwise be equal.
    """
    offset = instant.utcoffset() or dt.timedelta()
    micros = (
        (instant.hour * 3600 + instant.minute * 60 + instant.second) * 1_000_000
        + instant.microsecond
        - (offset.days * 86_400 + offset.seconds) * 1_000_000
        - offset.microseconds
    )
    # Whole-number arithmetic: near year 1 or 9999, UTC may fall outside
    # what a datetime can hold.
    days, micros = divmod(micros, 86_400_000_000)
    seconds, micros = divmod(micros, 1_000_000)
    return (instant.toordinal() - _EPOCH_ORDINAL + days, seconds, micros)


def _zone_key(instant: pendulum.DateTime) -> tuple[tuple[int, int, int], str | None]:
    return (_since_epoch(instant), instant.timezone_name)


def _precision(value: Precision | str) -> Precision:
    try:
        return Precision(value)
    except ValueError:
        allowed = ", ".join(p.value for p in Precision)
        msg = f"unknown precision {shown(value)} (expected one of: {allowed})"
        raise ValueError(msg) from None


@attrs.frozen(kw_only=True, order=True)
class When:
    """A moment as a document gave it: an instant plus the precision it had.

    ``2024-05`` is kept as *May 2024*: its ``instant`` is the first moment of
    the month and its ``precision`` is :attr:`Precision.MONTH`. Values order
    by their first instant, then by precision (coarser first). Two values are
    equal when instant, time zone and precision are.

    >>> from policydiff.model import When
    >>> str(When.parse("2024-05"))
    'May 2024'
    >>> str(When.parse("2024-05-30", timezone="America/New_York"))
    '30 May 2024'
    """

    __module__ = "policydiff.model"

    instant: pendulum.DateTime = attrs.field(eq=_zone_key, order=_since_epoch)
    precision: Precision = attrs.field(
        default=Precision.INSTANT, converter=_precision, order=_PRECISION_RANK.__getitem__
    )

    @instant.validator
    def _aware(self, attribute: attrs.Attribute[Any], value: pendulum.DateTime) -> None:
        if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
            msg = f"'instant' must be a timezone-aware pendulum.DateTime (got {value!r})"
            raise ValueError(msg)

    @classmethod
    def parse(cls, value: object, *, timezone: str = "UTC") -> When:
        """Read a SPEC section 3 time value.

        Args:
            value: ``"2024"``, ``"2024-05"``, ``"2024-05-30"``,
                ``"2024-05-30T14:00-04:00"``, an ``int`` year, or a
                ``datetime.date`` / ``datetime.datetime``.
            timezone: The zone for values written without an offset.

        Raises:
            ValueError: The value is not a time this format accepts.
        """
        return parse_when(value, timezone)

    @property
    def end(self) -> pendulum.DateTime:
        """The first instant after the period this value names."""
        if self.precision is Precision.YEAR:
            return self.instant.add(years=1)
        if self.precision is Precision.MONTH:
            return self.instant.add(months=1)
        if self.precision is Precision.DAY:
            return self.instant.add(days=1)
        return self.instant

    def isoformat(self) -> str:
        """Return the first instant in ISO 8601 with its offset."""
        return self.instant.isoformat()

    def __str__(self) -> str:
        return format_when(self)


# The class reports the public module it is used from; its annotations are
# resolved here, where their names are.
attrs.resolve_types(When, globals())


_FORMS = re.compile(
    r"""
    (?P<year>\d{4})
    (?:-(?P<month>\d{1,2})
      (?:-(?P<day>\d{1,2})
        (?:[Tt\ ](?P<hour>\d{1,2}):(?P<minute>\d{2})
          (?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?
          \s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?
          (?:\[(?P<zone>[^\]]+)\])?
        )?
      )?
    )?
    """,
    re.VERBOSE,
)

ACCEPTED = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][offset]"


def absolute(instant: pendulum.DateTime) -> int:
    """Microseconds from 1970-01-01T00:00Z to the aware ``instant``.

    Python compares and subtracts two datetimes of one zone by their wall
    clocks, so the two 01:30s of the night the clocks go back would be equal
    and 01:10 (the second time round) would come before 01:30 (the first).
    """
    days, seconds, micros = _since_epoch(instant)
    return (days * 86_400 + seconds) * 1_000_000 + micros


#: The instants policydiff handles, in UTC: far enough inside a datetime's
#: years 1 to 9999 that showing one in any zone, and the end of a year, fit.
EARLIEST = absolute(pendulum.datetime(1, 1, 2))
LATEST = absolute(pendulum.datetime(9999, 1, 1))
RANGE = "2 January 0001 to 31 December 9998, UTC"


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    # Some systems list "localtime", a link to the host's own zone.
    names = zoneinfo.available_timezones() - {"localtime"}
    return frozenset(n for n in names if not n.startswith(("posix/", "right/"))) | {"UTC"}


def zone(name: str) -> pendulum.Timezone:
    """Return the pendulum zone called ``name``, an IANA name spelled exactly.

    Only the names of the IANA database are read: ``localtime`` (whatever
    the host's zone is) and the file-system aliases (``posix/...``,
    ``right/...``) are refused, and so is ``utc``, which pendulum would
    read but then name ``UTC``.

    Raises:
        ValueError: No such zone.
    """
    if name not in _zone_names():
        same = sorted(known for known in _zone_names() if known.casefold() == name.casefold())
        if same:
            msg = f"unknown time zone {shown(name)}; did you mean {shown(same[0])}?"
        else:
            msg = f"unknown time zone {shown(name)} (expected an IANA name such as 'Europe/Kyiv')"
        raise ValueError(msg)
    try:
        return pendulum.timezone(name)
    except Exception as exc:  # pendulum raises InvalidTimezone, a KeyError or ValueError
        msg = f"unknown time zone {shown(name)} (expected an IANA name such as 'Europe/Kyiv')"
        raise ValueError(msg) from exc


def _in_range(when: When, written: object) -> When:
    if not EARLIEST <= absolute(when.instant) < LATEST:
        msg = f"date {shown(written)} is outside the dates policydiff handles ({RANGE})"
        raise ValueError(msg)
    return when


def _offset(text: str) -> pendulum.FixedTimezone:
    if text in ("Z", "z"):
        return pendulum.FixedTimezone(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    # Seconds appear in local mean time offsets (Kyiv's was +02:02:04).
    hours, minutes, seconds = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        msg = f"impossible offset {shown(text)}"
        raise ValueError(msg)
    return pendulum.FixedTimezone(sign * (hours * 3600 + minutes * 60 + seconds))


def parse_when(value: object, timezone: str = "UTC") -> When:
    """Read a SPEC section 3 value; see :meth:`When.parse`."""
    if isinstance(value, When):
        return value
    if isinstance(value, bool):
        msg = f"expected a date such as 2024-05-30 (got {shown(value)} that is a bool)"
        raise ValueError(msg)
    if isinstance(value, int):
        value = f"{value:04d}" if 0 < value < 10000 else str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            instant = pendulum.instance(value, tz=zone(timezone))
        else:
            instant = pendulum.instance(value)
        return _in_range(When(instant=instant, precision=Precision.INSTANT), value)
    if isinstance(value, dt.date):
        instant = pendulum.datetime(value.year, value.month, value.day, tz=zone(timezone))
        return _in_range(When(instant=instant, precision=Precision.DAY), value)
    if not isinstance(value, str):
        msg = f"expected a date such as 2024-05-30 (got {shown(value)} that is a {type(value).__name__})"
        raise ValueError(msg)
    return _in_range(_parse_text(value.strip(), timezone), value)


def _parse_text(text: str, timezone: str) -> When:
    match = _FORMS.fullmatch(text)
    if match is None:
        msg = f"invalid date {shown(text)} (expected {ACCEPTED})"
        raise ValueError(msg)
    parts = match.groupdict()
    named = zone(parts["zone"]) if parts["zone"] else None
    if parts["offset"]:
        tz: pendulum.Timezone | pendulum.FixedTimezone = _offset(parts["offset"])
    else:
        tz = named or zone(timezone)
    year = int(parts["year"])
    month = int(parts["month"] or 1)
    day = int(parts["day"] or 1)
    hour = int(parts["hour"] or 0)
    minute = int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    micro = int((parts["fraction"] or "0").ljust(6, "0")[:6])
    try:
        dt.datetime(year, month, day, hour, minute, second, micro)  # noqa: DTZ001 (range check only)
    except ValueError as exc:
        msg = f"impossible date {shown(text)} ({exc})"
        raise ValueError(msg) from None
    instant = pendulum.datetime(year, month, day, hour, minute, second, micro, tz=tz)
    if named is not None and parts["offset"]:
        # RFC 9557: the offset fixes the instant, the zone how it is shown.
        instant = instant.in_timezone(named)
    if parts["hour"] is not None:
        precision = Precision.INSTANT
    elif parts["day"] is not None:
        precision = Precision.DAY
    elif parts["month"] is not None:
        precision = Precision.MONTH
    else:
        precision = Precision.YEAR
    return When(instant=instant, precision=precision)


def write_when(when: When, timezone: str = "UTC") -> str:
    """Return the document form of ``when``, read back exactly in ``timezone``.

    An instant in the document's zone is written without an offset; one at a
    fixed offset with it; one in another named zone (or at a repeated hour
    of a clock change) with its offset and its zone, as in
    ``2024-05-30T14:00:00+03:00[Europe/Kyiv]``.

    Raises:
        ValueError: A year, month or day value whose zone is not ``timezone``
            (a document cannot say so).
    """
    instant = when.instant
    same_zone = instant.timezone_name == timezone
    if when.precision is not Precision.INSTANT and not same_zone:
        msg = (
            f"a {when.precision.value}-precision time in zone {instant.timezone_name}"
            f" cannot be written in a document whose timezone is {timezone}"
        )
        raise ValueError(msg)
    if when.precision is Precision.YEAR:
        return f"{instant.year:04d}"
    if when.precision is Precision.MONTH:
        return f"{instant.year:04d}-{instant.month:02d}"
    if when.precision is Precision.DAY:
        return f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d}"
    naive = instant.naive().isoformat()
    # Compare offsets too: within one zone, datetime equality ignores which
    # of two repeated hours is meant.
    if same_zone and _parse_text(naive, timezone).instant.isoformat() == instant.isoformat():
        return naive
    if isinstance(instant.tzinfo, pendulum.FixedTimezone) or instant.timezone_name is None:
        return instant.isoformat()
    # A named zone other than the document's, or the first of two times a
    # clock change repeats: the offset fixes the instant, the name the zone.
    return f"{instant.isoformat()}[{instant.timezone_name}]"


def format_when(when: When) -> str:
    """``when`` as a person would write it, at its own precision."""
    instant = when.instant
    if when.precision is Precision.YEAR:
        return f"{instant.year:04d}"
    if when.precision is Precision.MONTH:
        return instant.format("MMMM YYYY")
    if when.precision is Precision.DAY:
        return instant.format("D MMMM YYYY")
    return instant.format("D MMMM YYYY, HH:mm Z")


def describe_gap(earlier: When, later: When) -> str:
    """How far apart two values are, in words: ``"29 days after"``.

    The gap is read at the coarser of the two precisions, in calendar terms:
    from 30 May 2024 to June 2024 is "1 month after", never "2 days after",
    since June 2024 may mean any day of that month.
    """
    coarse = min(earlier.precision, later.precision, key=_PRECISION_RANK.__getitem__)
    # Count on the calendar of the coarser value: "30 May 2024" in New York
    # and 19:00 that day in New York are the same day, wherever the other
    # value's offset puts it. Both ends in one zone also keeps pendulum from
    # counting the days between two zones' wall clocks.
    frame = (earlier if earlier.precision is coarse else later).instant.tzinfo
    start, end = earlier.instant.astimezone(frame), later.instant.astimezone(frame)
    sign = "after"
    # Which comes first is a question of absolute time, not of wall clocks.
    micros = absolute(later.instant) - absolute(earlier.instant)
    if micros < 0:
        start, end, sign, micros = end, start, "before", -micros
    if coarse is Precision.YEAR:
        words = plural(end.year - start.year, "year")
    elif coarse is Precision.MONTH:
        words = plural((end.year - start.year) * 12 + end.month - start.month, "month")
    elif coarse is Precision.DAY:
        words = plural((end.date() - start.date()).days, "day")
    else:
        # Days on the calendar (a day across a clock change is one day),
        # anything shorter in absolute time.
        days = pendulum.interval(start, end).in_days()
        seconds = micros // 1_000_000
        if days > 0:
            words = plural(days, "day")
        elif seconds >= 3600:
            words = plural(seconds // 3600, "hour")
        elif seconds >= 60:
            words = plural(seconds // 60, "minute")
        else:
            words = plural(seconds, "second")
    if words.startswith("0 "):
        return "at the same time as" if coarse is Precision.INSTANT else "in the same period as"
    return f"{words} {sign}"
