"""The corpus's cases for the other importers, which read files with the same reader
(cco.importing.csv_rows): customer outcomes (the page, the command) and the roadmap (its page).
A refused file names the row and the column, answers 400 or exits with status 2, and leaves
every table as it was."""

import html
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from metrics.forms import CUSTOMER_FILE_CEILING
from metrics.models import CustomerOutcome
from roadmap.models import Milestone
from tests.conftest import stored
from tests.metrics.hostile.corpus import CUSTOMER_FILES, ROADMAP_FILES, Case
from tests.metrics.hostile.test_response_files import TIME_LIMIT
from tests.roadmap.factories import RoadmapFactory

pytestmark = pytest.mark.django_db


def said(case: Case, text: str) -> None:
    """The case's problem is in `text`, as its row, column and reason."""
    assert case.problem is not None
    row, column, words = case.problem
    assert words in text, text[-2000:]
    if column != "(header)":
        assert f"{row}" in text and column in text


@pytest.mark.parametrize("case", CUSTOMER_FILES, ids=str)
def test_the_customer_command_answers_every_hostile_file(case: Case, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "customers.csv"
    path.write_bytes(case.body)
    before = stored()
    err = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        status, message = exc.returncode, f"{exc}\n{err.getvalue()}"
    else:
        status, message = 0, err.getvalue()
    assert time.perf_counter() - started < TIME_LIMIT
    if case.problem is None:
        assert status == 0, message
        assert CustomerOutcome.objects.count() == case.saved
        return
    assert status == 2
    said(case, message)
    assert stored() == before


@pytest.mark.parametrize("case", CUSTOMER_FILES, ids=str)
def test_the_customer_upload_page_answers_every_hostile_file(case: Case, client_for, cco) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cco)
    before = stored()
    upload = SimpleUploadedFile("customers.csv", case.body, "text/csv")
    started = time.perf_counter()
    page = client.post(
        reverse("metrics:customer-upload"), {"file": upload, "as_of": timezone.localdate()}
    )
    assert time.perf_counter() - started < TIME_LIMIT
    text = html.unescape(page.content.decode())
    if case.problem is None:
        assert page.status_code == 200, text
        assert CustomerOutcome.objects.count() == case.saved
        return
    assert page.status_code == 400
    if len(case.body) > CUSTOMER_FILE_CEILING:  # the form refuses it
        assert "the most a page imports" in text
    else:
        said(case, text)
    assert stored() == before


@pytest.mark.parametrize("case", ROADMAP_FILES, ids=str)
def test_the_roadmap_import_page_answers_every_hostile_file(
    case: Case, client_for, cco, department_a
) -> None:  # type: ignore[no-untyped-def]
    roadmap = RoadmapFactory()
    client = client_for(cco)
    before = stored()
    upload = SimpleUploadedFile("plan.csv", case.body, "text/csv")
    started = time.perf_counter()
    page = client.post(reverse("roadmap:import"), {"roadmap": roadmap.pk, "file": upload})
    assert time.perf_counter() - started < TIME_LIMIT
    text = html.unescape(page.content.decode())
    if case.problem is None:
        assert page.status_code in (200, 302), text
        assert Milestone.objects.count() == case.saved
        return
    assert page.status_code == 400
    said(case, text)
    row, column, _ = case.problem
    assert f"Row {row}</strong>, {column}:" in text
    assert stored() == before
