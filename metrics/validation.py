"""The one validator for survey responses, used by the REST API, the upload page and the command.

A row is a mapping of the CSV columns (`external_id, touchpoint, metric, score, responded_at,
customer_id, segment, comment`). Errors name the row, the column and the reason.

The rules themselves (lengths, the earliest year, the usual date form; each metric's scale is
metrics.models.SCORE_RANGES) are stated once, as data, at the top of this module. The ingest's
faster judges of the same rows — a SQL check, a plain-file scan, the response table's own
constraints — are generated from that data (metrics.services.ingest), and
tests/metrics/test_validation_rules.py feeds one table of dates through every judge.
"""

from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from cco.access import require_perm
from cco.importing import RowError, csv_rows, names_shown, shown
from metrics.models import SCORE_RANGES, Touchpoint

REQUIRED_COLUMNS = ("external_id", "touchpoint", "metric", "score", "responded_at")
OPTIONAL_COLUMNS = ("customer_id", "segment", "comment")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# -- the rules ---------------------------------------------------------------------------------

MAX_LENGTHS = {"external_id": 120, "customer_id": 120, "segment": 60, "comment": 5000}
# Any other text column (a touch point's slug, a metric): longer is surely a wrong column.
OTHER_MAX_LENGTH = 1000
EARLIEST_YEAR = 2000
# Clocks differ a little between survey tools and us; beyond this a date is "in the future".
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class DateField:
    """One field of the usual date form: a fixed number of digits, within low..high."""

    name: str
    digits: int
    low: int
    high: int


# responded_at is whatever datetime.fromisoformat reads, from EARLIEST_YEAR on and not in the
# future. Its usual form — how survey tools write it, and all the faster judges read themselves —
#     YYYY-MM-DD[(T| )hh:mm[:ss[.f]]][Z|±hh:mm]     (f: 1 to FRACTION_DIGITS digits)
# has these fields. Python reads more (20250301, 2025-W09-6, an offset minute of 60); a date
# outside the usual form is always judged by Python.
DATE_FIELDS = (
    DateField("year", 4, EARLIEST_YEAR, 9999),
    DateField("month", 2, 1, 12),
    DateField("day", 2, 1, 31),  # and no later than the month's last day
)
TIME_SEPARATORS = "T "
TIME_FIELDS = (
    DateField("hour", 2, 0, 23),
    DateField("minute", 2, 0, 59),
    DateField("second", 2, 0, 59),  # optional, and the fraction after it
)
FRACTION_DIGITS = 6
OFFSET_FIELDS = (DateField("offset hours", 2, 0, 23), DateField("offset minutes", 2, 0, 59))

# The one column whose value may span lines (a quoted comment of several paragraphs): a line
# break in any other is a quote left open, swallowing the lines after it.
MULTILINE_COLUMNS = ("comment",)

# read_csv marks a row that has more values than the header has columns.
EXTRA_VALUES = "__values__"

# What a JSON value of another type is called when it stands where text or a number belongs.
_KINDS = {bool: "true or false", float: "a decimal number", list: "a list", dict: "an object"}


@dataclass(frozen=True)
class ValidRow:
    row: int
    external_id: str
    touchpoint_id: int
    metric: str
    score: int
    responded_at: datetime
    customer_id: str
    segment: str
    comment: str


class HeaderError(ValueError):
    """The file's header row is unusable; nothing was read."""


def touchpoints_writable_by(importer: Any) -> frozenset[int] | None:
    """The touch points whose responses `importer` may import, by the rule that lets a person
    change what a department owns (cco.change_owned: the CCO every one, a head their own
    department's); None for every one (no person: an operator's command).

    PermissionDenied if the person may not import at all.
    """
    if importer is None:
        return None
    require_perm(importer, "cco.import_responses")
    touchpoints = list(Touchpoint.objects.only("id", "department_id"))
    writable = frozenset(tp.pk for tp in touchpoints if importer.has_perm("cco.change_owned", tp))
    # The writable ones are some of the touch points, never more: `>=` here would mean `==`.
    return None if len(writable) == len(touchpoints) else writable  # pragma: no mutate


class ResponseValidator:
    """`writable`: the touch points the importer may write (touchpoints_writable_by), None for
    every one; a row for any other is refused, naming the department that owns it.
    `touchpoints` (slug → id), when the caller holds them already (the webhook's cache), spares
    reading them; every touch point is writable then."""

    def __init__(
        self,
        *,
        now: datetime | None = None,
        writable: Collection[int] | None = None,
        touchpoints: Mapping[str, int] | None = None,
    ) -> None:
        self.touchpoints: Mapping[str, int] = touchpoints or {}
        self.owners: dict[int, str] = {}
        if touchpoints is None or writable is not None:
            known = list(Touchpoint.objects.values_list("slug", "id", "department__name"))
            self.touchpoints = {slug: pk for slug, pk, _ in known}
            self.owners = {pk: department for _, pk, department in known}
        self.writable = writable
        self.latest = (now or timezone.now()) + FUTURE_TOLERANCE
        self.tz = ZoneInfo(settings.TIME_ZONE)

    def validate(self, row: int, data: Mapping[str, Any]) -> ValidRow | list[RowError]:
        errors: list[RowError] = []
        if EXTRA_VALUES in data:
            errors.append(
                RowError(row, "(row)", f"{data[EXTRA_VALUES]} values for {len(COLUMNS)} columns")
            )

        def text(column: str) -> str:
            value = _scalar(data.get(column))
            if value is None:
                kind = _KINDS.get(type(data.get(column)), "a value of another type")
                errors.append(RowError(row, column, f"must be text, not {kind}"))
                return ""
            value = value.strip()
            limit = MAX_LENGTHS.get(column, OTHER_MAX_LENGTH)
            if len(value) > limit:
                errors.append(RowError(row, column, f"longer than {limit} characters"))
            if column not in MULTILINE_COLUMNS and ("\n" in value or "\r" in value):
                errors.append(RowError(row, column, _LINE_BREAK))
            return value

        external_id = text("external_id")
        if not external_id and isinstance(_scalar(data.get("external_id")), str):
            errors.append(RowError(row, "external_id", "missing: every response needs an id"))
        slug = text("touchpoint")
        touchpoint_id = self.touchpoints.get(slug)
        if touchpoint_id is None:
            if isinstance(_scalar(data.get("touchpoint")), str):
                reason = (
                    f"unknown touch point {shown(slug)}" if slug else "missing touch point slug"
                )
                errors.append(RowError(row, "touchpoint", reason))
        elif self.writable is not None and touchpoint_id not in self.writable:
            reason = f"touch point {slug} belongs to {self.owners[touchpoint_id]}"
            errors.append(RowError(row, "touchpoint", reason))
        metric = text("metric").lower()
        scale = SCORE_RANGES.get(metric)
        if scale is None and isinstance(_scalar(data.get("metric")), str):
            errors.append(
                RowError(row, "metric", f"{shown(metric)} is not one of {', '.join(SCORE_RANGES)}")
            )
        score = self._score(row, data.get("score"), metric, scale, errors)
        responded_at = self._when(row, data.get("responded_at"), errors)
        customer_id, segment, comment = text("customer_id"), text("segment"), text("comment")
        if errors:
            return errors
        # Both are set once there is no error: `or` would pass the same rows (types only).
        assert touchpoint_id is not None and score is not None  # noqa: S101  # pragma: no mutate
        assert responded_at is not None  # noqa: S101 - checked above
        return ValidRow(
            row, external_id, touchpoint_id, metric, score, responded_at,
            customer_id, segment, comment,
        )  # fmt: skip

    def _score(
        self,
        row: int,
        raw: Any,
        metric: str,
        scale: tuple[int, int] | None,
        errors: list[RowError],
    ) -> int | None:
        if isinstance(raw, bool | list | dict):
            kind = _KINDS.get(type(raw), "a value of another type")
            errors.append(RowError(row, "score", f"must be a whole number, not {kind}"))
            return None
        try:
            score = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            given = shown(raw) if isinstance(raw, str) else repr(raw)
            errors.append(RowError(row, "score", f"{given} is not a whole number"))
            return None
        if scale is not None and not scale[0] <= score <= scale[1]:
            errors.append(
                RowError(
                    row, "score", f"{score} is outside the {metric} scale {scale[0]}–{scale[1]}"
                )
            )
            return None
        return score

    def _when(self, row: int, raw: Any, errors: list[RowError]) -> datetime | None:
        if not isinstance(raw, str | None):
            kind = _KINDS.get(type(raw), "a number")
            errors.append(RowError(row, "responded_at", f"must be a date as text, not {kind}"))
            return None
        value = "" if raw is None else raw.strip()
        if not value:
            errors.append(RowError(row, "responded_at", "missing date"))
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            errors.append(
                RowError(row, "responded_at", f"{shown(value)} is not an ISO 8601 date or datetime")
            )
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        if parsed > self.latest:
            errors.append(RowError(row, "responded_at", f"{value} is in the future"))
            return None
        if parsed.year < EARLIEST_YEAR:
            errors.append(
                RowError(row, "responded_at", f"{value} is before the year {EARLIEST_YEAR}")
            )
            return None
        return parsed


_LINE_BREAK = "a line break inside the value: is a quote left open on this row?"


def _scalar(value: Any) -> str | None:
    """A value as text: "" for none, a whole number's digits; None for any other type (a list,
    an object, true or false: JSON's, never a file's), which is refused rather than stored as
    its Python form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def header_columns(values: Sequence[str]) -> list[str]:
    """The header row's normalised column names; HeaderError unless they are the columns."""
    header = [column.strip().lower().lstrip("\ufeff") for column in values]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {names_shown(unknown)}")
        raise HeaderError(f"row 1 (header): {'; '.join(parts)}. Expected: {','.join(COLUMNS)}")
    # A Counter counts each name at least once, so `!= 1` would mean `> 1`.
    twice = sorted(
        column
        for column, count in Counter(header).items()
        if count > 1  # pragma: no mutate
    )
    if twice:
        raise HeaderError(f"row 1 (header): a column is named twice ({', '.join(twice)})")
    return header


def read_csv(stream: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, row) from a CSV stream, row 1 being the header; checks the header.

    Read by cco.importing.csv_rows, whose UnreadableFile stops a file no row of which can be
    trusted after the problem.
    """
    rows = csv_rows(stream)
    first = next(rows, None)
    if first is None:
        raise HeaderError("the file is empty: expected a header row")
    header = header_columns(first[1])
    width = len(header)
    for number, values in rows:
        if not values:
            continue
        row = dict(zip(header, values, strict=False))
        if len(values) > width:
            row[EXTRA_VALUES] = str(len(values))
        yield number, row
