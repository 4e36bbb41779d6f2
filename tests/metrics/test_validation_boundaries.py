"""The response validator (metrics/validation.py) at each of its limits: every length, every
scale's ends, the earliest year and the future, and the header rules of read_csv."""

import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from metrics.models import Touchpoint
from metrics.validation import HeaderError, ResponseValidator, ValidRow, read_csv
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
HEADER = "external_id,touchpoint,metric,score,responded_at,customer_id,segment,comment"


@pytest.fixture
def desk() -> Touchpoint:
    return TouchpointFactory(slug="returns-desk")


def row(**changes) -> dict[str, object]:
    data: dict[str, object] = {
        "external_id": "r-1",
        "touchpoint": "returns-desk",
        "metric": "nps",
        "score": "9",
        "responded_at": "2026-03-01T09:30:00+00:00",
        "customer_id": "c-1",
        "segment": "gold",
        "comment": "Quick refund",
    }
    data.update(changes)
    return data


def problems(data, *, now: datetime = NOW) -> list[tuple[str, str]]:
    """(column, reason) of each error the validator finds in `data`, as row 7."""
    result = ResponseValidator(now=now).validate(7, data)
    assert not isinstance(result, ValidRow), "expected the row to be refused"
    assert {error.row for error in result} == {7}
    return [(error.column, error.reason) for error in result]


def accepted(data, *, now: datetime = NOW) -> ValidRow:
    result = ResponseValidator(now=now).validate(7, data)
    assert isinstance(result, ValidRow), result
    return result


def test_a_good_row_becomes_a_valid_row_with_every_field(desk):
    valid = accepted(row(external_id=" r-1 ", metric=" NPS ", comment=" Quick refund "))
    assert valid == ValidRow(
        row=7,
        external_id="r-1",
        touchpoint_id=desk.pk,
        metric="nps",
        score=9,
        responded_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        customer_id="c-1",
        segment="gold",
        comment="Quick refund",
    )


@pytest.mark.parametrize(
    ("column", "limit"),
    [("external_id", 120), ("customer_id", 120), ("segment", 60), ("comment", 5000)],
)
def test_each_text_column_takes_up_to_its_limit_and_not_one_character_more(desk, column, limit):
    assert getattr(accepted(row(**{column: "x" * limit})), column) == "x" * limit
    assert problems(row(**{column: "x" * (limit + 1)})) == [
        (column, f"longer than {limit} characters")
    ]


def test_the_touch_point_and_metric_columns_take_up_to_1000_characters(desk):
    [(column, reason)] = problems(row(touchpoint="x" * 1000))
    assert (column, reason[:25]) == ("touchpoint", "unknown touch point 'xxxx")
    found = problems(row(touchpoint="x" * 1001))
    assert found[0] == ("touchpoint", "longer than 1000 characters")
    assert [column for column, _ in found] == ["touchpoint", "touchpoint"]
    assert problems(row(metric="x" * 1001))[0] == ("metric", "longer than 1000 characters")


@pytest.mark.parametrize("external_id", ["", "   ", None])
def test_every_response_needs_an_id(desk, external_id):
    assert problems(row(external_id=external_id)) == [
        ("external_id", "missing: every response needs an id")
    ]


def test_the_touch_point_must_be_named_and_known(desk):
    assert problems(row(touchpoint="")) == [("touchpoint", "missing touch point slug")]
    assert problems(row(touchpoint="web")) == [("touchpoint", "unknown touch point 'web'")]


def test_the_metric_must_be_one_of_the_three(desk):
    assert problems(row(metric="kpi")) == [("metric", "'kpi' is not one of nps, csat, ces")]
    assert accepted(row(metric="CSAT", score="4")).metric == "csat"


@pytest.mark.parametrize(("metric", "low", "high"), [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)])
def test_each_metric_takes_scores_at_both_ends_of_its_scale_and_none_beyond(
    desk, metric, low, high
):
    assert accepted(row(metric=metric, score=str(low))).score == low
    assert accepted(row(metric=metric, score=str(high))).score == high
    for outside in (low - 1, high + 1):
        assert problems(row(metric=metric, score=str(outside))) == [
            ("score", f"{outside} is outside the {metric} scale {low}–{high}")
        ]


def test_a_score_is_a_whole_number_given_as_text_or_as_a_number(desk):
    assert accepted(row(score=" 7 ")).score == 7
    assert accepted(row(score=7)).score == 7
    assert problems(row(score="7.0")) == [("score", "'7.0' is not a whole number")]
    assert problems(row(score="")) == [("score", "'' is not a whole number")]
    assert problems(row(score=None)) == [("score", "None is not a whole number")]
    # JSON true is not the number 1.
    assert [column for column, _ in problems(row(score=True))] == ["score"]


def test_with_an_unknown_metric_the_score_is_not_judged_against_any_scale(desk):
    assert problems(row(metric="kpi", score="99")) == [
        ("metric", "'kpi' is not one of nps, csat, ces")
    ]


def test_a_response_may_be_dated_up_to_five_minutes_ahead_of_our_clock(desk):
    edge = NOW + timedelta(minutes=5)
    assert accepted(row(responded_at=edge.isoformat())).responded_at == edge
    late = edge + timedelta(microseconds=1)
    assert problems(row(responded_at=late.isoformat())) == [
        ("responded_at", f"{late.isoformat()} is in the future")
    ]


def test_without_a_given_clock_the_validator_reads_the_time_now(desk):
    with time_machine.travel(NOW, tick=False):
        validator = ResponseValidator()
    ahead = (NOW + timedelta(minutes=6)).isoformat()
    assert [(e.column, e.reason) for e in validator.validate(2, row(responded_at=ahead))] == [
        ("responded_at", f"{ahead} is in the future")
    ]
    assert isinstance(validator.validate(2, row(responded_at=NOW.isoformat())), ValidRow)


def test_responses_are_taken_from_the_year_2000_on(desk):
    first = "2000-01-01T00:00:00+00:00"
    assert accepted(row(responded_at=first)).responded_at == datetime(2000, 1, 1, tzinfo=UTC)
    last_before = "1999-12-31T23:59:59+00:00"
    assert problems(row(responded_at=last_before)) == [
        ("responded_at", f"{last_before} is before the year 2000")
    ]


def test_a_date_without_an_offset_is_read_in_the_products_time_zone(desk, settings):
    settings.TIME_ZONE = "America/New_York"
    valid = accepted(row(responded_at="2026-03-01 09:30"))
    assert valid.responded_at == datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
    assert accepted(row(responded_at="2026-03-01")).responded_at == datetime(
        2026, 3, 1, 5, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "missing date"),
        ("   ", "missing date"),
        (None, "missing date"),
        ("01/03/2026", "'01/03/2026' is not an ISO 8601 date or datetime"),
        ("2026-02-30", "'2026-02-30' is not an ISO 8601 date or datetime"),
    ],
)
def test_a_date_must_be_given_in_iso_8601(desk, value, reason):
    assert problems(row(responded_at=value)) == [("responded_at", reason)]


def test_every_problem_of_a_row_is_named_at_once(desk):
    found = problems(
        {
            "external_id": "",
            "touchpoint": "web",
            "metric": "nps",
            "score": "11",
            "responded_at": "yesterday",
            "segment": "s" * 61,
            "__values__": "9",
        }
    )
    assert [column for column, _ in found] == [
        "(row)",
        "external_id",
        "touchpoint",
        "score",
        "responded_at",
        "segment",
    ]
    assert found[0] == ("(row)", "9 values for 8 columns")


# --- The header and the rows of a CSV file ------------------------------------------------------


def read(text: str) -> list[tuple[int, dict[str, str]]]:
    return list(read_csv(io.StringIO(text)))


def test_rows_are_numbered_as_the_file_lines_with_the_header_as_row_1():
    rows = read(f"{HEADER}\nr-1,desk,nps,9,2026-03-01\n\nr-2,desk,nps,7,2026-03-01,c,s,x\n")
    assert [number for number, _ in rows] == [2, 4]
    assert rows[0][1] == {
        "external_id": "r-1",
        "touchpoint": "desk",
        "metric": "nps",
        "score": "9",
        "responded_at": "2026-03-01",
    }
    assert rows[1][1]["comment"] == "x"


def test_a_row_with_more_values_than_columns_is_marked():
    [(_, first), (_, second)] = read(
        "external_id,touchpoint,metric,score,responded_at\n"
        "r-1,desk,nps,9,2026-03-01,extra\n"
        "r-2,desk,nps,9,2026-03-01\n"
    )
    assert first["__values__"] == "6"
    assert "__values__" not in second


def test_the_header_is_read_whatever_its_case_spacing_or_byte_order_mark():
    [(_, data)] = read("\ufeffExternal_ID , TouchPoint,METRIC,score,responded_at\nr,d,nps,9,x\n")
    assert set(data) == {"external_id", "touchpoint", "metric", "score", "responded_at"}


def test_an_empty_file_is_refused():
    with pytest.raises(HeaderError, match="the file is empty: expected a header row"):
        read("")


def test_missing_and_unknown_columns_are_named_together():
    with pytest.raises(HeaderError) as error:
        read("external_id,touchpoint,metric,rating\n")
    assert str(error.value) == (
        "row 1 (header): missing column(s) score, responded_at; unknown column(s) rating. "
        f"Expected: {HEADER}"
    )
    with pytest.raises(HeaderError, match=r"^row 1 \(header\): missing column\(s\) score\. "):
        read("external_id,touchpoint,metric,responded_at\n")
    with pytest.raises(HeaderError, match=r"^row 1 \(header\): unknown column\(s\) nps\. "):
        read(f"{HEADER},nps\n")


def test_a_column_named_twice_is_refused():
    with pytest.raises(HeaderError, match=r"^row 1 \(header\): a column is named twice"):
        read(f"{HEADER},segment\n")


def test_an_unreadable_header_is_refused_naming_row_1():
    with pytest.raises(Exception, match=r"^[Rr]ow 1\b"):
        read('"' + "x" * 200_000 + '"\n')


# --- The usual date form, as the faster judges read it ------------------------------------------


def usual(text: str, *, naive_allowed: bool = True) -> bool:
    from metrics.services.ingest.date_forms import usual_date_pattern

    return re.fullmatch(usual_date_pattern(naive_allowed=naive_allowed), text) is not None


@pytest.mark.parametrize(
    ("text", "is_usual"),
    [
        ("2000-01-01", True),
        ("1999-12-31", False),
        ("9999-12-31", True),
        ("10000-01-01", False),
        ("2026-00-10", False),
        ("2026-13-10", False),
        ("2026-1-10", False),
        ("2026-001-10", False),
        ("2026-12-00", False),
        ("2026-12-32", False),
        ("2026-12-31T00:00", True),
        ("2026-12-31 23:59", True),
        ("2026-12-31X23:59", False),
        ("2026-12-31T24:00", False),
        ("2026-12-31T23:60", False),
        ("2026-12-31T23:59:59", True),
        ("2026-12-31T00:00:00", True),
        ("2026-12-31T23:59:60", False),
        ("2026-12-31T23:59:5", False),
        ("2026-12-31T23:59:599", False),
        ("2026-12-31T23:59:59.1", True),
        ("2026-12-31T23:59:59.123456", True),
        ("2026-12-31T23:59:59.1234567", False),
        ("2026-12-31T23:59Z", True),
        ("2026-12-31T23:59+00:00", True),
        ("2026-12-31T23:59-23:59", True),
        ("2026-12-31T23:59+24:00", False),
        ("2026-12-31T23:59+05:60", False),
    ],
)
def test_the_usual_date_form_takes_each_field_from_its_first_to_its_last_value(text, is_usual):
    assert usual(text) is is_usual


def test_the_usual_form_with_an_offset_required_needs_a_time_and_an_offset():
    assert usual("2026-12-31T23:59+01:00", naive_allowed=False)
    assert not usual("2026-12-31T23:59", naive_allowed=False)
    assert not usual("2026-12-31", naive_allowed=False)


def test_the_sql_check_reads_the_date_as_the_first_ten_characters():
    from metrics.services.ingest.date_forms import DATE_LENGTH

    assert DATE_LENGTH == len("2026-12-31")


def test_the_rules_and_the_rows_they_pass_cannot_be_altered(desk):
    from metrics.validation import DATE_FIELDS

    valid = accepted(row())
    with pytest.raises(dataclasses.FrozenInstanceError):
        valid.score = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DATE_FIELDS[0].low = 1900  # type: ignore[misc]


# --- Who may import which touch points, and values of the wrong type ----------------------------


@pytest.fixture
def two_departments(desk):
    from cco.models import Role
    from tests.factories import DepartmentFactory, UserFactory

    web = TouchpointFactory(slug="web-chat")
    head = UserFactory(username="desk-head", role=Role.DEPARTMENT_HEAD, department=desk.department)
    web_head = UserFactory(
        username="web-head", role=Role.DEPARTMENT_HEAD, department=web.department
    )
    sales = DepartmentFactory(name="Sales", slug="sales-dept")
    return {"desk": desk, "web": web, "head": head, "web_head": web_head, "sales": sales}


def test_a_head_imports_their_own_departments_touch_points_only(two_departments):
    from metrics.validation import touchpoints_writable_by

    desk, web = two_departments["desk"], two_departments["web"]
    writable = touchpoints_writable_by(two_departments["head"])
    assert writable == frozenset({desk.pk})
    validator = ResponseValidator(now=NOW, writable=writable)
    assert isinstance(validator.validate(2, row()), ValidRow)
    refused = validator.validate(3, row(touchpoint="web-chat"))
    assert [(e.column, e.reason) for e in refused] == [
        ("touchpoint", f"touch point web-chat belongs to {web.department}")
    ]


def test_the_cco_a_command_and_a_head_of_every_touch_point_import_them_all(two_departments):
    from cco.models import Role
    from metrics.models import Touchpoint as TouchpointModel
    from metrics.validation import touchpoints_writable_by
    from tests.factories import UserFactory

    chief = UserFactory(username="import-cco", role=Role.CCO, is_superuser=False)
    assert touchpoints_writable_by(chief) is None
    assert touchpoints_writable_by(None) is None
    # Once the web chat is the desk's too, its head may import every touch point.
    TouchpointModel.objects.filter(slug="web-chat").update(
        department=two_departments["desk"].department
    )
    assert touchpoints_writable_by(two_departments["head"]) is None


def test_a_person_who_may_not_import_is_refused_before_any_row(two_departments):
    from django.core.exceptions import PermissionDenied

    from cco.models import Role
    from metrics.validation import touchpoints_writable_by
    from tests.factories import UserFactory

    worker = UserFactory(username="desk-worker", role=Role.CONTRIBUTOR)
    with pytest.raises(PermissionDenied):
        touchpoints_writable_by(worker)


def test_a_line_break_is_allowed_in_a_comment_only(desk):
    assert accepted(row(comment="First line\nsecond line")).comment == "First line\nsecond line"
    for column in ("segment", "customer_id", "external_id"):
        for value in ("a\nb", "a\rb"):
            found = problems(row(**{column: value}))
            assert [c for c, _ in found] == [column], (column, value)


@pytest.mark.parametrize("value", [[1], {"a": 1}, True, 1.5])
def test_a_text_column_takes_text_or_a_whole_number_and_no_other_type(desk, value):
    assert [column for column, _ in problems(row(segment=value))] == ["segment"]
    assert accepted(row(segment=42)).segment == "42"


@pytest.mark.parametrize("value", [[9], {"score": 9}, 9.5])
def test_a_score_of_another_type_is_refused(desk, value):
    assert [column for column, _ in problems(row(score=value))] == ["score"]


@pytest.mark.parametrize("value", [20260301, 2026.3, ["2026-03-01"]])
def test_a_date_must_be_given_as_text(desk, value):
    assert [column for column, _ in problems(row(responded_at=value))] == ["responded_at"]


def test_the_cco_imports_every_touch_point_however_many_there_are(desk):
    from cco.models import Role
    from metrics.models import Touchpoint as TouchpointModel
    from metrics.validation import touchpoints_writable_by
    from tests.factories import UserFactory

    # Past 256 touch points, where Python stops sharing the objects of equal counts.
    TouchpointModel.objects.bulk_create(
        TouchpointModel(
            stage=desk.stage,
            name=f"Kiosk {i}",
            slug=f"kiosk-{i}",
            channel=desk.channel,
            department=desk.department,
        )
        for i in range(300)
    )
    chief = UserFactory(username="many-cco", role=Role.CCO, is_superuser=False)
    assert touchpoints_writable_by(chief) is None


def test_the_clock_and_the_writable_touch_points_are_given_by_name(desk):
    with pytest.raises(TypeError):
        ResponseValidator(NOW)  # type: ignore[misc]
