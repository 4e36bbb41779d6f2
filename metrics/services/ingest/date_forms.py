"""responded_at's usual form (metrics.validation) as a regular expression and as SQL.

Generated from the validator's one statement of the form (DATE_FIELDS, TIME_FIELDS,
OFFSET_FIELDS, …), so the plain-file scan, the SQL check and the validator cannot drift apart;
tests/metrics/test_validation_rules.py feeds them all one table of dates.
"""

from metrics.validation import (
    DATE_FIELDS,
    FRACTION_DIGITS,
    OFFSET_FIELDS,
    TIME_FIELDS,
    TIME_SEPARATORS,
    DateField,
)

# -- as a regular expression -------------------------------------------------------------------


def digits_between(low: int, high: int, digits: int) -> str:
    """A regular expression for exactly the numbers low..high, each written with `digits`
    digits (zero-padded): digits_between(1, 12, 2) == "(?:0[1-9]|1[0-2])"."""
    return _between(f"{low:0{digits}d}", f"{high:0{digits}d}")


def _between(low: str, high: str) -> str:
    """The strings of digits from low to high, both of one length."""
    if low == high:
        return low
    if low[0] == high[0]:
        return low[0] + _between(low[1:], high[1:])
    rest = len(low) - 1
    any_rest = f"[0-9]{{{rest}}}" if rest > 1 else "[0-9]" * rest
    # The first digits whose every continuation is in range; the two ends may be partial.
    full_from = int(low[0]) + (low[1:] != "0" * rest)
    full_to = int(high[0]) - (high[1:] != "9" * rest)
    parts = []
    if full_from > int(low[0]):
        parts.append(low[0] + _between(low[1:], "9" * rest))
    if full_from <= full_to:
        digit = str(full_from) if full_from == full_to else f"[{full_from}-{full_to}]"
        parts.append(digit + any_rest)
    if full_to < int(high[0]):
        parts.append(high[0] + _between("0" * rest, high[1:]))
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


def _field(field: DateField, *, ranges: bool) -> str:
    if ranges:
        return digits_between(field.low, field.high, field.digits)
    return f"[0-9]{{{field.digits}}}"


def usual_date_pattern(*, ranges: bool = True, naive_allowed: bool = True) -> str:
    """The usual form as a regular expression without anchors or capture groups; `ranges`
    False checks only the digits' places (SQL checks the ranges field by field, see below);
    `naive_allowed` False requires a time with an offset."""
    date = "-".join(_field(field, ranges=ranges) for field in DATE_FIELDS)
    hour, minute, second = (_field(field, ranges=ranges) for field in TIME_FIELDS)
    time = rf"{hour}:{minute}(?::{second}(?:\.[0-9]{{1,{FRACTION_DIGITS}}})?)?"
    offset_hours, offset_minutes = (_field(field, ranges=ranges) for field in OFFSET_FIELDS)
    offset = f"(?:Z|[+-]{offset_hours}:{offset_minutes})"
    separator = f"[{TIME_SEPARATORS}]"
    if naive_allowed:
        return f"{date}(?:{separator}{time}{offset}?)?"
    return f"{date}{separator}{time}{offset}"


# -- as SQL, over a trimmed text column `when_text` ---------------------------------------------
# Each field sits at a fixed place: the date's fields joined by one character, then one
# separator and the time's, each joined by one; an offset is a sign and its two fields.


def _placed(fields: tuple[DateField, ...], start: int) -> list[tuple[DateField, int]]:
    places = []
    for field in fields:
        places.append((field, start))
        start += field.digits + 1
    return places


_YEAR, _MONTH, _DAY = _placed(DATE_FIELDS, 1)
DATE_LENGTH = _DAY[1] + _DAY[0].digits - 1
_HOUR, _MINUTE, _SECOND = _placed(TIME_FIELDS, DATE_LENGTH + 2)
_OFFSET_HOURS, _OFFSET_MINUTES = _placed(OFFSET_FIELDS, 2)
_OFFSET_LENGTH = _OFFSET_MINUTES[1] + _OFFSET_MINUTES[0].digits - 1
_SHORTEST_WITH_TIME = _MINUTE[1] + _MINUTE[0].digits - 1

# The digits in their places (a PostgreSQL regular expression: no capture groups, which cost
# ~30 µs a row in regexp_match).
SQL_SHAPE = f"^{usual_date_pattern(ranges=False)}$"


def _int(column: str, place: tuple[DateField, int]) -> str:
    field, start = place
    return f"substr({column}, {start}, {field.digits})::int"


def _in_range(column: str, place: tuple[DateField, int]) -> str:
    field = place[0]
    return f"{_int(column, place)} BETWEEN {field.low} AND {field.high}"


# The offset of a date in the usual shape (`Z`, `±hh:mm`), or NULL for a naive one.
SQL_ZONE = (
    "CASE WHEN right(when_text, 1) = 'Z' THEN 'Z' "
    f"WHEN char_length(when_text) > {_SHORTEST_WITH_TIME} AND substr(when_text, "
    f"char_length(when_text) - {_OFFSET_LENGTH - 1}, 1) IN ('+', '-') "
    f"THEN right(when_text, {_OFFSET_LENGTH}) END"
)

# Given `iso` (when_text ~ SQL_SHAPE) and `zone`: whether every field is in its range.
SQL_FIELDS_IN_RANGE = f"""CASE WHEN NOT iso THEN false
    WHEN zone <> 'Z' AND NOT ({_in_range("zone", _OFFSET_HOURS)}) THEN false
    ELSE {" AND ".join(_in_range("when_text", place) for place in (_YEAR, _MONTH, _DAY))}
        AND (char_length(when_text) = {DATE_LENGTH} OR (
            {_in_range("when_text", _HOUR)} AND {_in_range("when_text", _MINUTE)}
            AND (substr(when_text, {_SECOND[1] - 1}, 1) <> ':'
                OR {_in_range("when_text", _SECOND)})))
    END"""

# Whether the day (in range) exists in its month: the month's last day, by the calendar.
SQL_DAY_IN_MONTH = (
    f"{_int('when_text', _DAY)} <= extract(day FROM make_date({_int('when_text', _YEAR)}, "
    f"{_int('when_text', _MONTH)}, 1) + interval '1 month - 1 day')"
)

# The interval to subtract from the local time for its offset `zone` (`±hh:mm`).
SQL_OFFSET = (
    "(substr(zone, 1, 1) || '1')::int * make_interval("
    f"hours => {_int('zone', _OFFSET_HOURS)}, mins => {_int('zone', _OFFSET_MINUTES)})"
)

# Dates SQL leaves to Python, which reads more than the usual form: a date in another form
# that starts like a year in range (20250301, 2025-W09-6), an offset minute past its range
# (Python reads +01:60 as +02:00).
_YEAR_FIELD = _YEAR[0]
SQL_PYTHON_MAY_READ = f"""CASE WHEN NOT iso THEN when_text ~ '^[0-9]{{{_YEAR_FIELD.digits}}}'
        AND substr(when_text, 1, {_YEAR_FIELD.digits}) >= '{_YEAR_FIELD.low:0{_YEAR_FIELD.digits}d}'
    WHEN zone <> 'Z' THEN NOT ({_in_range("zone", _OFFSET_MINUTES)})
    ELSE false END"""
