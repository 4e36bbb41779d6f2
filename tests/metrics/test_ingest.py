"""Ingest: one validator, all-or-nothing by default, re-imports add nothing."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from metrics.models import Rollup, SurveyResponse
from metrics.services.ingest import response_import_csv
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,touchpoint,metric,score,responded_at,customer_id,segment,comment\n"


@pytest.fixture
def touchpoint():  # type: ignore[no-untyped-def]
    return TouchpointFactory(slug="call-centre")


def csv_of(*lines: str) -> io.StringIO:
    return io.StringIO(HEADER + "".join(line + "\n" for line in lines))


def test_a_valid_file_is_saved_and_rolled_up(touchpoint, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        report = response_import_csv(
            stream=csv_of(
                "a1,call-centre,nps,10,2025-03-01,c1,retail,Great help",
                "a2,call-centre,NPS,0,2025-03-01T10:15:00+01:00,,,",
            )
        )
    assert (report.rows_read, report.inserted, report.rejected) == (2, 2, False)
    saved = SurveyResponse.objects.get(external_id="a1")
    assert (saved.score, saved.customer_id, saved.comment) == (10, "c1", "Great help")
    assert Rollup.objects.filter(scope="organisation", grain="day").get().n == 2


def test_a_file_with_any_invalid_row_is_rejected_whole_with_row_column_and_reason(touchpoint):  # type: ignore[no-untyped-def]
    future = (timezone.now() + timedelta(days=2)).date().isoformat()
    report = response_import_csv(
        stream=csv_of(
            "ok1,call-centre,nps,9,2025-03-01,,,",
            "bad1,nowhere,nps,9,2025-03-01,,,",
            "bad2,call-centre,csat,6,2025-03-01,,,",
            "bad3,call-centre,ces,3,yesterday,,,",
            f"bad4,call-centre,ces,3,{future},,,",
            ",call-centre,nps,3,2025-03-01,,,",
            "ok1,call-centre,nps,8,2025-03-02,,,",
        )
    )
    assert report.rejected
    assert SurveyResponse.objects.count() == 0
    problems = [(e.row, e.column) for e in report.errors]
    assert problems == [
        (3, "touchpoint"),
        (4, "score"),
        (5, "responded_at"),
        (6, "responded_at"),
        (7, "external_id"),
        (8, "external_id"),
    ]
    assert "outside the csat scale 1–5" in report.errors[1].reason
    assert "in the future" in report.errors[3].reason
    assert "duplicate of row 2" in report.errors[5].reason
    assert report.error_count == 6
    assert "nothing was saved" in report.summary


def test_skip_invalid_saves_the_valid_rows_and_reports_the_skipped(touchpoint):  # type: ignore[no-untyped-def]
    report = response_import_csv(
        stream=csv_of("ok1,call-centre,nps,9,2025-03-01,,,", "x,call-centre,nps,11,2025-03-01,,,"),
        skip_invalid=True,
    )
    assert (report.inserted, report.skipped_invalid, report.rejected) == (1, 1, False)
    assert list(SurveyResponse.objects.values_list("external_id", flat=True)) == ["ok1"]


def test_reimporting_the_same_file_adds_nothing_and_says_so(touchpoint):  # type: ignore[no-untyped-def]
    lines = ("a1,call-centre,nps,10,2025-03-01,,,", "a2,call-centre,nps,5,2025-03-01,,,")
    response_import_csv(stream=csv_of(*lines))
    again = response_import_csv(stream=csv_of(*lines))
    assert (again.inserted, again.already_present) == (0, 2)
    assert "imported before" in again.summary
    assert SurveyResponse.objects.count() == 2


def test_only_the_first_hundred_errors_are_listed_but_all_are_counted(touchpoint):  # type: ignore[no-untyped-def]
    report = response_import_csv(
        stream=csv_of(*(f"x{i},call-centre,nps,99,2025-03-01,,," for i in range(150)))
    )
    assert len(report.errors) == 100
    assert report.error_count == 150


def test_a_header_without_required_columns_is_rejected_naming_them(touchpoint):  # type: ignore[no-untyped-def]
    report = response_import_csv(stream=io.StringIO("id,touchpoint,score\n1,call-centre,9\n"))
    assert report.rejected
    assert "missing column(s) external_id, metric, responded_at" in report.errors[0].reason


def test_columns_in_another_order_are_read_by_header(touchpoint):  # type: ignore[no-untyped-def]
    stream = io.StringIO(
        "score,metric,touchpoint,responded_at,external_id\n4,csat,call-centre,2025-01-02,z\n"
    )
    report = response_import_csv(stream=stream)
    assert report.inserted == 1
    assert SurveyResponse.objects.get().metric == "csat"


def test_the_command_exits_non_zero_when_it_rejects_a_file(touchpoint, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "a,call-centre,nps,12,2025-01-01,,,\n")
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_responses",
            str(path),
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert raised.value.returncode == 2
    assert SurveyResponse.objects.count() == 0


def test_the_command_imports_a_good_file_and_reports_counts(touchpoint, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "a,call-centre,nps,9,2025-01-01,,,\n")
    out = io.StringIO()
    call_command("import_responses", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
    assert "1 added" in out.getvalue()


@pytest.mark.django_db
def test_a_touch_point_name_far_too_long_is_reported_not_crashed_on():
    from metrics.validation import ResponseValidator

    result = ResponseValidator().validate(
        2,
        {
            "external_id": "x",
            "touchpoint": "t" * 1001,
            "metric": "nps",
            "score": "9",
            "responded_at": "2026-01-01",
        },
    )
    assert any(e.column == "touchpoint" and "longer than 1000" in e.reason for e in result)
