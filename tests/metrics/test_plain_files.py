"""A plain file skips the row-by-row check, and is still judged exactly as the validator judges.

The scan (pure Python) decides which files are plain; on PostgreSQL a plain file's rows are typed
and joined in SQL, and any row that is not plainly valid hands the whole file to the full check.
A bulk import first tries a plain file straight into the response table; any refusal there hands
it to the staged path. Every test compares with the Python validator's own report and rows.
"""

import io
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from metrics.models import SurveyResponse
from metrics.services.ingest import (
    copy_io,
    full_check,
    response_import_csv,
    response_import_file,
    staged_copy,
)
from metrics.services.ingest.plain_files import PlainFileScan, plain_line_pattern
from tests.conftest import requires_postgres
from tests.metrics.factories import TouchpointFactory, response_table_structures

HEADER = "external_id,touchpoint,metric,score,responded_at,customer_id,segment,comment"


def scan(text: str, *, header: str = HEADER, naive_dates_allowed: bool = True) -> bool:
    plain = PlainFileScan(header.split(","), naive_dates_allowed=naive_dates_allowed)
    plain.feed(text)
    return plain.plain


# -- the scan ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "a1,call-centre,nps,9,2025-03-01,c1,retail,Quick and kind",
        "a1,call-centre,nps,9,2025-03-01T10:15,,,",
        "a1,call-centre,nps,9,2025-03-01 10:15:30,,,",
        "a1,call-centre,nps,9,2025-03-01T10:15:30.123456Z,,,",
        "a1,call-centre,nps,9,2025-03-01T10:15:30.5+05:30,,,",
        "a1,call-centre,nps,9,2025-03-01T23:59:59-11:00,,,Très rapide merci",
    ],
)
def test_a_line_in_the_usual_form_is_plain(line: str) -> None:
    assert scan(line + "\n")


@pytest.mark.parametrize(
    "line",
    [
        "a1 ,call-centre,nps,9,2025-03-01,,,",
        "a1,call-centre, nps,9,2025-03-01,,,",
        " a1,call-centre,nps,9,2025-03-01,,,",
        "a1,call-centre,nps,9,2025-03-01,,,Slow ",
        "a1,call-centre,nps,9\t,2025-03-01,,,",
        "a1,call-centre,nps,9,2025-03-01,\u00a0c1,,",
        "a1,call-centre,nps,9,2025-03-01,,,Lent\u2003",
        "a1,call-centre,nps,9,2025-03-01T24:00,,,",
        "a1,call-centre,nps,9,2025-03-01T23:59:60,,,",
        "a1,call-centre,nps,9,2025-13-01,,,",
        "a1,call-centre,nps,9,1999-12-31,,,",
        "a1,call-centre,nps,9,20250301,,,",
        "a1,call-centre,nps,9,2025-03-01T10:15:30.1234567,,,",
        "a1,call-centre,nps,9,2025-03-01T10:15+0530,,,",
        "a1,call-centre,nps,9,March 1 2025,,,",
        "a1,call-centre,nps,9,,,,",
        "a1,call-centre,nps,9,2025-03-\u0660\u0661,,,",
    ],
)
def test_padding_or_an_unusual_date_makes_a_file_not_plain(line: str) -> None:
    good = "ok,call-centre,nps,9,2025-03-01,,,\n"
    assert not scan(good + line + "\n" + good)


def test_crlf_line_ends_are_plain_but_a_lone_carriage_return_is_not() -> None:
    assert scan("a1,call-centre,nps,9,2025-03-01,,,\r\na2,call-centre,nps,9,2025-03-01,,,\r\n")
    assert not scan("a1,call-centre,nps,9,2025-03-01,,,x\ry\r\n")


def test_a_blank_line_is_not_plain() -> None:
    assert not scan("a1,call-centre,nps,9,2025-03-01,,,\n\na2,call-centre,nps,9,2025-03-01,,,\n")


def test_naive_dates_are_plain_only_where_both_readers_agree_on_their_zone() -> None:
    line = "a1,call-centre,nps,9,2025-03-01T10:15,,,\n"
    assert scan(line, naive_dates_allowed=True)
    assert not scan(line, naive_dates_allowed=False)
    assert scan("a1,call-centre,nps,9,2025-03-01T10:15Z,,,\n", naive_dates_allowed=False)


def test_the_date_is_found_by_the_header_whatever_the_column_order() -> None:
    header = "score,responded_at,external_id,metric,touchpoint"
    assert scan("4,2025-01-02,z,csat,call-centre\n", header=header)
    assert not scan("4,2025-01-02T25:00,z,csat,call-centre\n", header=header)


# -- plain files on PostgreSQL ----------------------------------------------------------------


def saved() -> list[tuple[Any, ...]]:
    return list(
        SurveyResponse.objects.order_by("external_id").values_list(
            "external_id", "touchpoint_id", "metric", "score", "responded_at",
            "customer_id", "segment", "comment", "source",
        )
    )  # fmt: skip


def import_both_ways(text: str, *, bulk: bool, **options: Any) -> tuple[dict, dict, list, list]:  # type: ignore[type-arg]
    """The Python validator's report and rows, then the COPY path's."""
    python = response_import_csv(stream=io.StringIO(text), queue_rollup=False, **options)
    python_rows = saved()
    SurveyResponse.objects.all().delete()
    fast = response_import_file(stream=io.StringIO(text), queue_rollup=False, bulk=bulk, **options)
    return python.as_dict(), fast.as_dict(), python_rows, saved()


@pytest.fixture
def no_full_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the file goes through the row-by-row check."""

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a plain file should not need the row-by-row check")

    monkeypatch.setattr(full_check, "create_checked", refuse)


PLAIN = (
    HEADER + "\n"
    "p1,call-centre,nps,10,2025-03-01,c1,retail,Quick and kind\n"
    "p2,call-centre,NPS,0,2025-03-01T10:15,,,\n"
    "p3,call-centre,csat,4,2025-03-01 10:15:30.25+05:30,c3,business,\n"
    "p4,call-centre,ces,7,2024-02-29T23:59:59.123456-00:30,,,Très bien\n"
    "p5,web-chat,nps,6,2025-03-02T08:00:00Z,c1,,\n"
)


# Every metric already lower-case, so a bulk import takes it straight into the table (PLAIN's
# "NPS" sends that attempt back to the staged path at its second row).
STRAIGHT = PLAIN.replace(",NPS,", ",nps,")
BASES = pytest.mark.parametrize("base", [PLAIN, STRAIGHT], ids=["staged", "straight"])


@pytest.fixture
def touchpoints(db: None) -> None:
    TouchpointFactory(slug="call-centre")
    TouchpointFactory(slug="web-chat")


@requires_postgres
@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_a_plain_file_is_saved_without_the_row_check_with_the_validators_values(
    touchpoints: None, bulk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = response_import_csv(stream=io.StringIO(PLAIN), queue_rollup=False)
    python_rows = saved()
    SurveyResponse.objects.all().delete()
    monkeypatch.setattr(full_check, "create_checked", lambda *_, **__: pytest.fail("row check ran"))
    fast = response_import_file(stream=io.StringIO(PLAIN), queue_rollup=False, bulk=bulk)
    assert fast.as_dict() == python.as_dict()
    assert saved() == python_rows
    assert [row[2:4] for row in python_rows] == [
        ("nps", 10), ("nps", 0), ("csat", 4), ("ces", 7), ("nps", 6),
    ]  # fmt: skip


@requires_postgres
@pytest.mark.django_db
@BASES
@pytest.mark.parametrize("bulk", [False, True])
@pytest.mark.parametrize(
    "bad_row",
    [
        "b1,nowhere,nps,9,2025-03-01,,,",  # unknown touch point
        "b1,call-centre,csat,6,2025-03-01,,,",  # off the metric's scale
        "b1,call-centre,nps,07,2025-03-01,,,",  # a score Python reads, written unusually
        "b1,call-centre,Nps,9,2025-03-01,,,",  # a metric Python lowercases
        "b1,call-centre,npx,9,2025-03-01,,,",  # no such metric
        "b1,call-centre,nps,9,2025-02-29,,,",  # no such day: PostgreSQL refuses the cast
        "b1,call-centre,nps,9,2025-03-01T10:00+16:00,,,",  # PostgreSQL refuses, Python accepts
        "FUTURE",
        f"{'x' * 121},call-centre,nps,9,2025-03-01,,,",
        f"b1,call-centre,nps,9,2025-03-01,{'c' * 121},,",
        f"b1,call-centre,nps,9,2025-03-01,,{'s' * 61},",
        f"b1,call-centre,nps,9,2025-03-01,,,{'y' * 5001}",
        "p2,call-centre,nps,3,2025-03-03,,,",  # an id twice in the file
    ],
)
def test_a_plain_looking_file_with_one_bad_row_gets_the_validators_verdict(
    touchpoints: None, base: str, bulk: bool, bad_row: str
) -> None:
    if bad_row == "FUTURE":
        future = (timezone.now() + timedelta(hours=1)).isoformat(timespec="seconds")
        bad_row = f"b1,call-centre,nps,9,{future},,,"
    text = base + bad_row + "\n"
    for skip_invalid in (False, True):
        python, fast, python_rows, fast_rows = import_both_ways(
            text, bulk=bulk, skip_invalid=skip_invalid
        )
        assert fast == python
        assert fast_rows == python_rows
        SurveyResponse.objects.all().delete()


@requires_postgres
@pytest.mark.django_db
@BASES
@pytest.mark.parametrize("bulk", [False, True])
def test_reimporting_a_plain_file_counts_what_is_stored_and_adds_the_rest(
    touchpoints: None, base: str, bulk: bool, no_full_check: None
) -> None:
    first = response_import_file(stream=io.StringIO(base), queue_rollup=False)
    more = base + "p6,web-chat,ces,2,2025-03-04,,,\n"
    again = response_import_file(stream=io.StringIO(more), queue_rollup=False, bulk=bulk)
    assert (first.inserted, again.inserted, again.already_present) == (5, 1, 5)
    assert SurveyResponse.objects.count() == 6


@requires_postgres
@pytest.mark.django_db
@BASES
def test_a_stored_id_repeated_in_a_bulk_file_is_reported_as_a_duplicate(
    touchpoints: None, base: str
) -> None:
    response_import_file(stream=io.StringIO(base), queue_rollup=False)
    text = base + "p1,web-chat,nps,5,2025-03-04,,,\n"
    python = response_import_csv(stream=io.StringIO(text), queue_rollup=False)
    fast = response_import_file(stream=io.StringIO(text), queue_rollup=False, bulk=True)
    assert fast.as_dict() == python.as_dict()
    assert fast.rejected and "duplicate of row 2" in fast.errors[0].reason
    assert SurveyResponse.objects.count() == 5


@requires_postgres
@pytest.mark.django_db
def test_a_bulk_plain_import_takes_fresh_ids_and_leaves_the_next_one_free(
    touchpoints: None, no_full_check: None
) -> None:
    response_import_file(stream=io.StringIO(PLAIN), queue_rollup=False)
    before = set(SurveyResponse.objects.values_list("id", flat=True))
    more = HEADER + "\n" + "".join(f"n{i},web-chat,nps,9,2025-03-05,,,\n" for i in range(40))
    response_import_file(stream=io.StringIO(more), queue_rollup=False, bulk=True)
    added = set(SurveyResponse.objects.values_list("id", flat=True)) - before
    assert len(added) == 40 and min(added) > max(before)
    # The sequence moved past the reserved block: an ordinary insert gets a new id.
    later = SurveyResponse.objects.create(
        touchpoint_id=SurveyResponse.objects.first().touchpoint_id,  # type: ignore[union-attr]
        metric="nps", score=9, responded_at=timezone.now(), external_id="later",
    )  # fmt: skip
    assert later.id > max(added)


@requires_postgres
@pytest.mark.django_db
@BASES
def test_a_bulk_plain_import_leaves_every_index_and_constraint_as_it_found_them(
    touchpoints: None, base: str, no_full_check: None
) -> None:
    before = response_table_structures()
    response_import_file(stream=io.StringIO(base), queue_rollup=False, bulk=True)
    assert response_table_structures() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'metrics_ingest_%%'")
        assert cursor.fetchall() == []  # no staging table is left behind


@requires_postgres
@pytest.mark.django_db
def test_a_plain_dry_run_counts_what_would_be_added_and_saves_nothing(
    touchpoints: None, no_full_check: None
) -> None:
    report = response_import_file(stream=io.StringIO(PLAIN), dry_run=True, bulk=True)
    assert (report.rows_read, report.inserted) == (5, 5) and "would be added" in report.summary
    assert SurveyResponse.objects.count() == 0


# -- straight into the table (bulk) -------------------------------------------------------------


def test_the_plain_line_form_checks_the_date_and_finds_the_slug() -> None:
    pattern = plain_line_pattern(
        ["touchpoint", "external_id", "responded_at", "score", "metric"], naive_dates_allowed=False
    )
    match = pattern.fullmatch("call-centre,p1,2025-03-01T10:15Z,9,nps")
    assert match is not None and match.groups() == (
        "",
        "call-centre",
        ",p1,2025-03-01T10:15Z,9,nps",
    )
    assert pattern.fullmatch("call-centre,p1,2025-03-01,9,nps") is None  # naive, not allowed here
    assert pattern.fullmatch("call-centre,p1,2025-03-01T24:00Z,9,nps") is None
    assert pattern.fullmatch("call-centre,p1,2025-03-01T10:15Z,9") is None  # a value short


def test_reading_ahead_yields_every_chunk_and_raises_the_readers_error() -> None:
    assert list(copy_io.read_ahead(iter(["a", "b", "c"]))) == ["a", "b", "c"]

    def failing() -> Any:
        yield "a"
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    chunks = copy_io.read_ahead(failing())
    assert next(chunks) == "a"
    with pytest.raises(UnicodeDecodeError):
        next(chunks)


def test_reading_ahead_stops_its_thread_when_the_reader_stops_early() -> None:
    produced: list[int] = []

    def endless() -> Any:
        for number in range(10_000):
            produced.append(number)
            yield str(number)

    chunks = copy_io.read_ahead(endless())
    assert next(chunks) == "0"
    chunks.close()  # what COPY's end does to an unfinished reader
    assert len(produced) < 10  # a chunk or two ahead, no more


def test_reading_ahead_stops_even_when_the_reader_has_read_everything_into_a_full_queue() -> None:
    chunks = copy_io.read_ahead(iter(["a", "b", "c"]))
    assert next(chunks) == "a"
    time.sleep(0.3)  # the thread queues b and c (all there is), then waits to queue the end
    closing = threading.Thread(target=chunks.close)
    closing.start()
    closing.join(timeout=5)
    assert not closing.is_alive()  # close() returned: the thread did not wait forever


@requires_postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "line_end", "source"),
    [
        (HEADER, "\n", "import"),
        (HEADER, "\r\n", "survey tool, EU"),  # CRLF; a source CSV must quote
        ("touchpoint,responded_at,score,metric,external_id", "\n", "import"),  # no optional
    ],
)
@pytest.mark.parametrize("chunk", [copy_io.COPY_CHUNK, 40], ids=["one-chunk", "many-chunks"])
def test_a_bulk_plain_file_goes_straight_in_with_the_validators_values(
    touchpoints: None,
    header: str,
    line_end: str,
    source: str,
    chunk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copy_io, "COPY_CHUNK", chunk)  # many: lines cut between chunks
    columns = HEADER.split(",")
    rows = [line.split(",") for line in STRAIGHT.splitlines()[1:]]
    wanted = header.split(",")
    text = line_end.join(
        [header, *(",".join(row[columns.index(c)] for c in wanted) for row in rows)]
    )  # the last line without a line end
    python = response_import_csv(stream=io.StringIO(text), source=source, queue_rollup=False)
    python_rows = saved()
    SurveyResponse.objects.all().delete()
    with monkeypatch.context() as patched:
        patched.setattr(staged_copy, "copy_into_staging", lambda *_: pytest.fail("staged"))
        fast = response_import_file(
            stream=io.StringIO(text, newline=""), source=source, queue_rollup=False, bulk=True
        )
    assert fast.as_dict() == python.as_dict()
    assert saved() == python_rows and len(python_rows) == 5


@requires_postgres
@pytest.mark.django_db
@pytest.mark.parametrize("chunk", [copy_io.COPY_CHUNK, 100], ids=["one-chunk", "many-chunks"])
def test_a_refused_straight_attempt_leaves_no_trace_and_the_staged_path_saves_the_file(
    touchpoints: None, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(copy_io, "COPY_CHUNK", chunk)  # many: refused while still reading
    before = response_table_structures()
    refused = "p6,web-chat,Nps,9,2025-03-04,,,\n"  # by the scale constraint
    more = "".join(f"m{i},call-centre,ces,{1 + i % 7},2025-03-05T09:00Z,,,\n" for i in range(300))
    text = STRAIGHT + refused + more
    python = response_import_csv(stream=io.StringIO(text), queue_rollup=False)
    python_rows = saved()
    SurveyResponse.objects.all().delete()
    report = response_import_file(stream=io.StringIO(text), queue_rollup=False, bulk=True)
    assert report.as_dict() == python.as_dict() and report.inserted == 306
    assert saved() == python_rows
    assert response_table_structures() == before


# -- a department head's file ---------------------------------------------------------------------


@pytest.fixture
def head_of_call_centre(touchpoints: None):  # type: ignore[no-untyped-def]
    from cco.models import Role
    from metrics.models import Touchpoint
    from tests.factories import UserFactory

    department = Touchpoint.objects.get(slug="call-centre").department
    return UserFactory(role=Role.DEPARTMENT_HEAD, department=department)


@requires_postgres
@pytest.mark.django_db
@BASES
@pytest.mark.parametrize("bulk", [False, True])
def test_a_heads_plain_file_of_their_own_rows_is_saved_without_the_row_check(
    head_of_call_centre, base: str, bulk: bool, no_full_check: None
) -> None:
    own = base.replace("web-chat", "call-centre")
    report = response_import_file(
        stream=io.StringIO(own), queue_rollup=False, bulk=bulk, importer=head_of_call_centre
    )
    assert (report.rejected, report.inserted) == (False, 5)


@requires_postgres
@pytest.mark.django_db
@BASES
@pytest.mark.parametrize("bulk", [False, True])
def test_a_heads_plain_file_with_another_departments_row_gets_the_validators_verdict(
    head_of_call_centre, base: str, bulk: bool
) -> None:
    """PLAIN's last row is for web-chat, owned by another department."""
    for skip_invalid in (False, True):
        python, fast, python_rows, fast_rows = import_both_ways(
            base, bulk=bulk, skip_invalid=skip_invalid, importer=head_of_call_centre
        )
        assert fast == python and fast_rows == python_rows
        assert python["errors"][0]["reason"].startswith("touch point web-chat belongs to ")
        SurveyResponse.objects.all().delete()
