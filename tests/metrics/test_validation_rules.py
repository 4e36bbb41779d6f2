# ruff: noqa: S608 - SQL names only this module's staging tables; every value is a parameter.
"""The validator's rules are stated once (metrics/validation.py); the ingest's other judges of
the same dates — the plain-file regular expression and the SQL check — are generated from that
statement. One table of dates goes through every judge, and each must agree with the validator.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import DataError, connection, transaction

from metrics.services.ingest import full_check
from metrics.services.ingest.date_forms import digits_between, usual_date_pattern
from metrics.validation import (
    COLUMNS,
    DATE_FIELDS,
    OFFSET_FIELDS,
    TIME_FIELDS,
    ResponseValidator,
    ValidRow,
)
from tests.conftest import requires_postgres
from tests.metrics.factories import TouchpointFactory

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

# (responded_at, in the usual form with every field in range, accepted by the validator)
DATES = [
    # The usual form, every variant of it.
    ("2025-03-01", True, True),
    ("2025-03-01T10:15", True, True),
    ("2025-03-01 10:15:30", True, True),
    ("2025-03-01T10:15:30.123456Z", True, True),
    ("2025-03-01T10:15:30.5+05:30", True, True),
    ("2024-02-29T23:59:59-00:30", True, True),
    ("2000-01-01T00:00:00Z", True, True),
    ("2025-03-01T23:59:59+23:59", True, True),  # PostgreSQL's cast refuses offsets from 16 h
    ("2026-03-04T12:04:59Z", True, True),  # within the tolerance for clocks
    # The usual form, a field in range, but no such day or time.
    ("2025-02-29", True, False),
    ("2025-04-31T10:00", True, False),
    ("2026-03-05", True, False),  # in the future
    # The usual form's shape, a field out of its range.
    ("1999-12-31", False, False),
    ("1999-12-31T23:00:00+05:00", False, False),
    ("2025-13-01", False, False),
    ("2025-00-10", False, False),
    ("2025-03-00", False, False),
    ("2025-03-32", False, False),
    ("2025-03-01T24:00", False, False),
    ("2025-03-01T23:60", False, False),
    ("2025-03-01T23:59:60", False, False),
    ("2025-03-01T10:15+24:00", False, False),
    ("2025-03-01T10:15:00+01:60", False, True),  # Python reads it as +02:00
    # Other forms: Python reads some of them.
    ("20250301", False, True),
    ("2025-W09-6", False, True),
    ("2025-03-01T10", False, True),
    ("2025-03-01t10:15", False, True),
    ("2025-03-01T10:15+0530", False, True),
    ("2025-03-01T10:15:30,5", False, True),
    ("2025-03-01T10:15:30.1234567", False, True),
    ("2025-03-01 10:15:30.25 +05:30", False, False),
    ("19991231", False, False),
    ("2025-3-1", False, False),
    ("yesterday", False, False),
    ("", False, False),
]
IDS = [text or "(empty)" for text, _, _ in DATES]


def python_verdict(text: str, touchpoint: str = "call-centre") -> datetime | None:
    """The validator's responded_at for `text`, or None when it refuses the date."""
    data = {"external_id": "x", "touchpoint": touchpoint, "metric": "nps", "score": "9"}
    result = ResponseValidator(now=NOW).validate(2, {**data, "responded_at": text})
    if isinstance(result, ValidRow):
        return result.responded_at
    assert [error.column for error in result] == ["responded_at"], result
    return None


@pytest.mark.parametrize("field", DATE_FIELDS + TIME_FIELDS + OFFSET_FIELDS, ids=str)
def test_each_fields_range_becomes_a_pattern_for_exactly_those_numbers(field: Any) -> None:
    pattern = re.compile(digits_between(field.low, field.high, field.digits))
    for number in range(10**field.digits):
        written = f"{number:0{field.digits}d}"
        assert bool(pattern.fullmatch(written)) == (field.low <= number <= field.high), written


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "usual", "accepted"), DATES, ids=IDS)
def test_the_table_states_the_validators_own_verdicts(
    text: str, usual: bool, accepted: bool
) -> None:
    TouchpointFactory(slug="call-centre")
    assert (python_verdict(text) is not None) == accepted


@pytest.mark.parametrize(("text", "usual", "accepted"), DATES, ids=IDS)
def test_the_plain_file_pattern_matches_exactly_the_usual_form(
    text: str, usual: bool, accepted: bool
) -> None:
    assert bool(re.fullmatch(usual_date_pattern(), text)) == usual
    # Where naive dates are not plain (a site zone other than UTC), only those with an offset.
    has_offset = re.search(r"(?:Z|[+-][0-9]{2}:[0-9]{2})$", text) is not None
    with_offset = re.fullmatch(usual_date_pattern(naive_allowed=False), text)
    assert bool(with_offset) == (usual and has_offset)


@requires_postgres
@pytest.mark.django_db
def test_every_plain_date_postgresql_reads_is_read_by_the_validator_as_the_same_instant() -> None:
    """The plain paths let PostgreSQL's cast judge a date the pattern passes: whatever it
    accepts, the validator must accept too, as the same instant."""
    TouchpointFactory(slug="call-centre")
    naive_allowed = settings.TIME_ZONE in ("UTC", "Etc/UTC")  # as the plain paths decide
    pattern = usual_date_pattern(naive_allowed=naive_allowed)
    plain = [text for text, _, _ in DATES if re.fullmatch(pattern, text)]
    assert len(plain) >= 8
    for text in plain:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT %s::timestamptz", [text])
                cast = cursor.fetchone()[0]
        except DataError:
            continue  # refused: the file goes to the full check, which the validator words
        if cast <= NOW + timedelta(minutes=5):
            assert python_verdict(text) == cast, text


@requires_postgres
@pytest.mark.django_db
def test_the_sql_check_judges_every_usual_date_as_the_validator_and_leaves_it_the_rest() -> None:
    tp = TouchpointFactory(slug="call-centre")
    raw, checked = "metrics_ingest_raw_rules", "metrics_ingest_ok_rules"
    columns = ", ".join(f"{column} text" for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {raw} (row_number bigint, n_values integer, {columns})"
        )
        cursor.executemany(
            f"INSERT INTO {raw} (row_number, external_id, touchpoint, metric, score, "
            "responded_at) VALUES (%s, %s, %s, 'nps', '9', %s)",
            [(number, f"r{number}", tp.slug, text) for number, (text, _, _) in enumerate(DATES)],
        )
        full_check.create_checked(cursor, raw=raw, checked=checked, header=list(COLUMNS), now=NOW)
        cursor.execute(f"SELECT errors, uncertain, responded_at FROM {checked} ORDER BY row_number")
        judged = cursor.fetchall()
    assert len(judged) == len(DATES)
    for (text, usual, accepted), (errors, uncertain, responded_at) in zip(
        DATES, judged, strict=True
    ):
        if usual:
            assert not uncertain, f"{text!r} is in the usual form: SQL judges it itself"
        if uncertain:
            continue  # the whole file goes to the validator
        assert errors == (0 if accepted else 1), text
        if accepted:
            assert responded_at == python_verdict(text), text
