"""Every hostile file in the corpus, through every way a file of responses comes in: the
command (row by row, and --bulk), the upload page, and the services behind them, which must all
give one report. On PostgreSQL these are the COPY paths (straight in, staged, plain, full check);
on SQLite the Python validator.

Each refused file names the row, the column and the reason, answers 400 or exits with status 2,
and leaves every table as it was; each answer comes within TIME_LIMIT seconds.
"""

import html
import io
import re
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cco.importing import open_text
from metrics.forms import RESPONSE_FILE_CEILING
from metrics.models import SurveyResponse
from metrics.services.ingest import response_import_csv, response_import_file
from tests.conftest import rolled_back, stored
from tests.metrics.factories import TouchpointFactory
from tests.metrics.hostile.corpus import RESPONSE_FILES, TOUCHPOINT, Case

pytestmark = pytest.mark.django_db

# A few seconds: what a person waits for a page, and far below the server's timeout.
TIME_LIMIT = 5.0
CASES = pytest.mark.parametrize("case", RESPONSE_FILES, ids=str)
REFUSED_WHOLE = pytest.mark.parametrize(
    "case", [case for case in RESPONSE_FILES if case.whole], ids=str
)


@pytest.fixture(autouse=True)
def touchpoint(department_a):  # type: ignore[no-untyped-def]
    return TouchpointFactory(slug=TOUCHPOINT, department=department_a)


def timed(call: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def check_stored(case: Case) -> None:
    assert SurveyResponse.objects.count() == case.saved
    if case.stored is not None:
        external_id, comment = case.stored
        assert SurveyResponse.objects.get(external_id=external_id).comment == comment


def run_command(path: str, *options: str) -> tuple[int, str]:
    """The command's exit status and what it wrote to stderr."""
    err = io.StringIO()
    try:
        call_command(
            "import_responses", path, "--no-progress", *options, stdout=io.StringIO(), stderr=err
        )
    except CommandError as exc:
        return exc.returncode, err.getvalue()
    return 0, err.getvalue()


@CASES
@pytest.mark.parametrize("bulk", [False, True], ids=["rows", "bulk"])
def test_the_command_answers_every_hostile_file(case: Case, bulk: bool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "responses.csv"
    path.write_bytes(case.body)
    before = stored()
    (status, errors), seconds = timed(lambda: run_command(str(path), *(["--bulk"] if bulk else [])))
    assert seconds < TIME_LIMIT
    if case.problem is None:
        assert status == 0, errors
        check_stored(case)
        return
    row, column, words = case.problem
    assert status == 2
    first = errors.splitlines()[0]
    assert first.startswith(f"row {row}, {column}: ") and words in first, first
    assert stored() == before


@REFUSED_WHOLE
def test_a_file_that_cannot_be_read_on_is_refused_even_when_invalid_rows_may_be_skipped(
    case: Case, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "responses.csv"
    path.write_bytes(case.body)
    before = stored()
    status, _ = run_command(str(path), "--skip-invalid")
    assert status == 2
    assert stored() == before


@CASES
def test_the_upload_page_answers_every_hostile_file(case: Case, client_for, cco) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cco)
    before = stored()
    upload = SimpleUploadedFile("responses.csv", case.body, "text/csv")
    page, seconds = timed(lambda: client.post(reverse("metrics:response-upload"), {"file": upload}))
    assert seconds < TIME_LIMIT
    text = html.unescape(page.content.decode())
    if case.problem is None:
        assert page.status_code == 200, text
        check_stored(case)
        return
    row, column, words = case.problem
    assert page.status_code == 400
    if not case.body or len(case.body) > RESPONSE_FILE_CEILING:  # the form refuses it
        assert "The submitted file is empty." in text or "the most a page imports" in text
        assert stored() == before
        return
    listed = re.findall(r'<td class="num">(\d+)</td><td>(.*?)</td><td>(.*?)</td>', text, re.S)
    assert listed, "the page lists no problem"
    assert (int(listed[0][0]), listed[0][1]) == (row, column) and words in listed[0][2]
    assert stored() == before
    assert len(page.content) < 200_000  # the preview and the report are capped


@CASES
def test_every_path_gives_a_hostile_file_the_same_report(case: Case) -> None:
    """The Python validator's report, and the COPY paths' (row by row and bulk) on PostgreSQL."""
    reports = []
    with rolled_back():
        reports.append(response_import_csv(stream=open_text(io.BytesIO(case.body))).as_dict())
    for bulk in (False, True):
        with rolled_back():
            stream = open_text(io.BytesIO(case.body))
            reports.append(response_import_file(stream=stream, bulk=bulk).as_dict())
    assert reports[1] == reports[0]
    assert reports[2] == reports[0]
    assert reports[0]["rejected"] is (case.problem is not None)
