"""The COPY ingest judges rows in SQL exactly as the one Python validator does.

Every bad file here goes through both paths on PostgreSQL; the reports (and, with
--skip-invalid, the saved rows) must be identical. This is what keeps "one validator" true.
"""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cco.models import Role
from metrics.models import SurveyResponse
from metrics.services.ingest import dispatch, response_import_csv, response_import_file
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.metrics.factories import TouchpointFactory, response_table_structures

pytestmark = [pytest.mark.django_db, requires_postgres]

HEADER = "external_id,touchpoint,metric,score,responded_at,customer_id,segment,comment"
FUTURE = (timezone.now() + timedelta(days=3)).date().isoformat()

# Every rule of the validator, each on its own row, in forms SQL judges itself.
BAD_ROWS = [
    "ok1,call-centre,nps,9,2025-03-01,c1,retail,",
    "bad1,nowhere,nps,9,2025-03-01,,,",
    "bad2,,nps,9,2025-03-01,,,",
    "bad3,call-centre,NPQ,9,2025-03-01,,,",
    "bad4,call-centre,csat,6,2025-03-01,,,",
    "bad5,call-centre,nps,-1,2025-03-01,,,",
    "bad6,call-centre,ces,3.5,2025-03-01,,,",
    "bad7,call-centre,ces,,2025-03-01,,,",
    "bad8,call-centre,nps,99999999999999999999,2025-03-01,,,",
    "bad9,call-centre,nps,7,yesterday,,,",
    f"bad10,call-centre,nps,7,{FUTURE},,,",
    "bad11,call-centre,nps,7,1999-12-31T23:00:00,,,",
    "bad12,call-centre,nps,7,2025-02-29,,,",
    "bad13,call-centre,nps,7,2025-03-01T24:00:00,,,",
    "bad14,call-centre,nps,7,2025-03-01T10:61,,,",
    "bad15,call-centre,nps,7,2025-03-01T10:15:00+24:00,,,",
    "bad16,call-centre,nps,7,,,,",
    ",call-centre,nps,7,2025-03-01,,,",
    f"{'x' * 121},call-centre,nps,7,2025-03-01,,,",
    f"bad17,call-centre,nps,7,2025-03-01,{'c' * 121},{'s' * 61},",
    f"bad18,call-centre,nps,7,2025-03-01,,,{'y' * 5001}",
    "bad19,nowhere,xyz,abc,never,,,",
    "ok1,call-centre,nps,3,2025-03-02,,,",
    "ok2,call-centre,NPS , +7 ,2025-03-01T10:15Z,,,",
    "ok3, call-centre ,csat,005,2025-03-01 10:15:30.25+05:30,  c3 ,seg,",
    "ok4,call-centre,ces,7,2024-02-29T23:59:59.123456-00:30,,,",
    "ok2,call-centre,nps,1,2025-03-03,,,",
    "bad20,call-centre,nps,-0,2025-03-01,,,",
]


@pytest.fixture(autouse=True)
def touchpoint():  # type: ignore[no-untyped-def]
    return TouchpointFactory(slug="call-centre")


def file_of(text: str) -> io.StringIO:
    return io.StringIO(text)


def saved() -> list[tuple[Any, ...]]:
    return list(
        SurveyResponse.objects.order_by("external_id").values_list(
            "external_id",
            "touchpoint_id",
            "metric",
            "score",
            "responded_at",
            "customer_id",
            "segment",
            "comment",
        )
    )


def both(text: str, *, sql_only: bool, monkeypatch: pytest.MonkeyPatch, **options: Any):  # type: ignore[no-untyped-def]
    """Import the same file by the Python validator, then by COPY; return both reports and rows."""
    python = response_import_csv(stream=file_of(text), queue_rollup=False, **options)
    python_rows = saved()
    SurveyResponse.objects.all().delete()
    if sql_only:

        def refuse(**_: Any) -> None:
            raise AssertionError("the file should have been judged in SQL")

        monkeypatch.setattr(dispatch, "response_import_csv", refuse)
    fast = response_import_file(stream=file_of(text), queue_rollup=False, **options)
    return python.as_dict(), fast.as_dict(), python_rows, saved()


def test_a_file_breaking_every_rule_gets_the_same_report_from_sql_and_python(monkeypatch):  # type: ignore[no-untyped-def]
    text = HEADER + "\n" + "\n".join(BAD_ROWS) + "\n"
    python, fast, _, rows = both(text, sql_only=True, monkeypatch=monkeypatch)
    assert fast == python
    assert fast["rejected"] and rows == []
    assert fast["error_count"] == 27


def test_skip_invalid_saves_the_same_rows_with_the_same_values_by_both_paths(monkeypatch):  # type: ignore[no-untyped-def]
    text = HEADER + "\n" + "\n".join(BAD_ROWS) + "\n"
    python, fast, python_rows, fast_rows = both(
        text, sql_only=True, monkeypatch=monkeypatch, skip_invalid=True
    )
    assert fast == python
    assert fast_rows == python_rows
    assert [row[0] for row in fast_rows] == ["bad20", "ok1", "ok2", "ok3", "ok4"]
    ok3 = next(row for row in fast_rows if row[0] == "ok3")
    assert (ok3[3], ok3[5], ok3[4].isoformat()) == (5, "c3", "2025-03-01T04:45:30.250000+00:00")


def test_ragged_blank_and_quoted_rows_are_read_as_pythons_csv_reads_them(monkeypatch):  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\n"
        'q1,call-centre,nps,9,2025-03-01,,,"Fast, friendly ""great"""\n'
        "\n"
        'q2,call-centre,nps,9,2025-03-01,,,"two\nlines"\n'
        'q3,call-centre,nps,9,2025-03-01,,,5" screen\n'
        "q4,call-centre,nps,9,2025-03-01,,,too,many\n"
        "q5,call-centre,nps\n"
        'q6,call-centre,nps,8,2025-03-01, "quoted late",,\n'
    )
    for skip in (False, True):
        python, fast, python_rows, fast_rows = both(
            text, sql_only=True, monkeypatch=monkeypatch, skip_invalid=skip
        )
        assert fast == python
        assert fast_rows == python_rows
        monkeypatch.undo()
        SurveyResponse.objects.all().delete()
    assert [(e["row"], e["column"]) for e in python["errors"]] == [
        (6, "(row)"),  # a quoted line break keeps row 4 one row
        (7, "score"),
        (7, "responded_at"),
    ]


def test_columns_in_any_order_and_without_the_optional_ones_are_mapped_by_header(monkeypatch):  # type: ignore[no-untyped-def]
    text = "score,responded_at,external_id,metric,touchpoint\n4,2025-01-02,z,csat,call-centre\n"
    python, fast, python_rows, fast_rows = both(text, sql_only=True, monkeypatch=monkeypatch)
    assert fast == python and fast_rows == python_rows
    assert fast_rows[0][2:4] == ("csat", 4)


def test_rows_sql_cannot_judge_send_the_file_through_the_python_validator(monkeypatch):  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\n"
        "u1,call-centre,nps,1_0,2025-03-01,,,\n"
        "u2,call-centre,nps,9,20250301,,,\n"
        "u3,call-centre,nps,9,2025-W09-6,,,\n"
        "u4,call-centre,nps,\u0663,2025-03-01T10:15:00+01:60,,,\n"
        "u5,call-centre,nps,11,2025-03-01,,,\n"
    )
    python, fast, python_rows, fast_rows = both(
        text, sql_only=False, monkeypatch=monkeypatch, skip_invalid=True
    )
    assert fast == python and fast_rows == python_rows
    assert [row[0] for row in fast_rows] == ["u1", "u2", "u3", "u4"]


def test_a_bad_header_is_worded_by_the_validator(monkeypatch):  # type: ignore[no-untyped-def]
    python, fast, _, _ = both(
        "id,touchpoint,score\n1,x,9\n", sql_only=False, monkeypatch=monkeypatch
    )
    assert fast == python and fast["rejected"]
    assert "missing column(s) external_id, metric, responded_at" in fast["errors"][0]["reason"]


def test_only_the_first_hundred_problems_are_listed_and_all_are_counted(monkeypatch):  # type: ignore[no-untyped-def]
    lines = [f"x{i},call-centre,nps,99,2025-03-01,,," for i in range(120)]
    lines += [f"x{i},call-centre,nps,9,2025-03-01,,," for i in range(30)]
    lines += [f"d{i % 5},call-centre,nps,9,2025-03-01,,," for i in range(10)]
    text = HEADER + "\n" + "\n".join(lines) + "\n"
    python, fast, _, _ = both(text, sql_only=True, monkeypatch=monkeypatch)
    assert fast == python
    assert (len(fast["errors"]), fast["error_count"]) == (100, 125)


def test_reimporting_a_file_adds_nothing_and_says_so() -> None:
    text = HEADER + "\na1,call-centre,nps,10,2025-03-01,,,\na2,call-centre,nps,5,2025-03-01,,,\n"
    first = response_import_file(stream=file_of(text), queue_rollup=False)
    again = response_import_file(stream=file_of(text), queue_rollup=False)
    assert (first.inserted, again.inserted, again.already_present) == (2, 0, 2)
    assert "imported before" in again.summary


def test_a_dry_run_reports_without_saving() -> None:
    text = HEADER + "\na1,call-centre,nps,10,2025-03-01,,,\n"
    report = response_import_file(stream=file_of(text), dry_run=True)
    assert report.inserted == 1 and "would be added" in report.summary
    assert SurveyResponse.objects.count() == 0


def test_a_bulk_load_adds_only_new_responses_and_rebuilds_what_it_set_aside(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def rows(count: int) -> str:
        lines = "".join(f"b{i},call-centre,nps,{i % 11},2025-03-01,,,\n" for i in range(count))
        return HEADER + "\n" + lines

    response_import_file(stream=file_of(rows(20)), queue_rollup=False)
    before = response_table_structures()
    path = tmp_path / "backfill.csv"
    path.write_text(rows(50))
    out = io.StringIO()
    call_command(
        "import_responses", str(path), "--bulk", "--no-progress", stdout=out, stderr=io.StringIO()
    )
    assert "50 row(s) read; 30 added; 20 already present" in out.getvalue()
    assert response_table_structures() == before
    assert SurveyResponse.objects.filter(touchpoint__slug="call-centre").count() == 50
    assert SurveyResponse.objects.values("external_id").distinct().count() == 50


def test_a_quote_never_closed_is_refused_in_sql_as_in_python_at_the_row_it_opened(monkeypatch):  # type: ignore[no-untyped-def]
    """PostgreSQL's CSV COPY would read the rest of the file into one value, as Python's csv
    module did: 21 rows "added", five of them stored as one comment."""
    rows = [f"ok{i},call-centre,nps,9,2025-03-01,,," for i in range(15)]
    rows.append('open,call-centre,nps,9,2025-03-01,,,"never closed')
    rows += [f"late{i},call-centre,nps,9,2025-03-01,,,fine" for i in range(5)]
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    for skip in (False, True):
        python, fast, _, fast_rows = both(
            text, sql_only=True, monkeypatch=monkeypatch, skip_invalid=skip
        )
        assert fast == python
        assert fast["rejected"] and fast_rows == []
        assert fast["errors"] == [
            {
                "row": 17,
                "column": "comment",
                "reason": "a quote opened here is never closed: the rest of the file would be "
                "one value",
            }
        ]
        monkeypatch.undo()


def test_a_head_imports_only_their_departments_rows_in_sql_as_in_python(touchpoint, monkeypatch):  # type: ignore[no-untyped-def]
    own = TouchpointFactory(slug="own-desk")
    head = UserFactory(role=Role.DEPARTMENT_HEAD, department=own.department)
    other = TouchpointFactory(slug="other-desk")
    lines = [
        "h1,own-desk,nps,9,2025-03-01,,,",
        "h2,other-desk,nps,0,2025-03-01,,,",
        "h3,call-centre,csat,1,2025-03-01,,,",
        "h4,nowhere,nps,0,2025-03-01,,,",
        "h5, other-desk ,ces,9,2025-03-01,,,",
    ]
    text = HEADER + "\n" + "\n".join(lines) + "\n"
    for skip in (False, True):
        python, fast, python_rows, fast_rows = both(
            text, sql_only=True, monkeypatch=monkeypatch, skip_invalid=skip, importer=head
        )
        assert fast == python and fast_rows == python_rows
        monkeypatch.undo()
        SurveyResponse.objects.all().delete()
    theirs, ours = other.department.name, touchpoint.department.name
    assert [(e["row"], e["column"], e["reason"]) for e in python["errors"]] == [
        (3, "touchpoint", f"touch point other-desk belongs to {theirs}"),
        (4, "touchpoint", f"touch point call-centre belongs to {ours}"),
        (5, "touchpoint", "unknown touch point 'nowhere'"),
        (6, "touchpoint", f"touch point other-desk belongs to {theirs}"),
        (6, "score", "9 is outside the ces scale 1–7"),
    ]
    assert [row[0] for row in fast_rows] == ["h1"]
