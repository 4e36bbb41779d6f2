"""A department head imports responses only for the touch points their department owns; the CCO
for every one; the command, without a person, for every one. A row for another department's
touch point is a row error naming the department that owns it, on every path (the page, the
API, the command with --as); the COPY paths give the same report (test_copy_ingest.py,
test_plain_files.py)."""

import html
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from metrics.models import SurveyResponse
from metrics.validation import touchpoints_writable_by
from tests.conftest import stored
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,touchpoint,metric,score,responded_at\n"
NOT_YOURS = "touch point live-chat belongs to Contact centre & customer service"


@pytest.fixture
def live_chat(department_a):  # type: ignore[no-untyped-def]
    department_a.name = "Contact centre & customer service"
    department_a.save()
    return TouchpointFactory(slug="live-chat", department=department_a)


@pytest.fixture
def invoices(department_b):  # type: ignore[no-untyped-def]
    return TouchpointFactory(slug="invoices", department=department_b)


def upload(client, body: str, **options: str):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("responses.csv", (HEADER + body).encode(), "text/csv")
    return client.post(reverse("metrics:response-upload"), {"file": file, **options})


def test_the_touch_points_a_person_may_import_for_follow_the_ownership_rule(  # type: ignore[no-untyped-def]
    cco, head_b, executive, live_chat, invoices
):
    assert touchpoints_writable_by(None) is None
    assert touchpoints_writable_by(cco) is None
    assert touchpoints_writable_by(head_b) == {invoices.pk}
    with pytest.raises(PermissionDenied):
        touchpoints_writable_by(executive)


def test_a_head_cannot_upload_responses_for_another_departments_touch_point(  # type: ignore[no-untyped-def]
    client_for, head_b, live_chat, invoices
):
    client = client_for(head_b)
    before = stored()
    page = upload(client, "s1,live-chat,nps,0,2025-03-01\n")
    assert page.status_code == 400
    text = html.unescape(page.content.decode())
    assert f"<td>touchpoint</td><td>{NOT_YOURS}</td>" in text
    assert stored() == before


def test_a_head_skipping_invalid_rows_saves_only_their_own_departments(  # type: ignore[no-untyped-def]
    client_for, head_b, live_chat, invoices
):
    page = upload(
        client_for(head_b),
        "s1,live-chat,nps,0,2025-03-01\ns2,invoices,nps,9,2025-03-01\n",
        skip_invalid="on",
    )
    assert page.status_code == 200
    assert list(SurveyResponse.objects.values_list("external_id", flat=True)) == ["s2"]


def test_the_cco_uploads_responses_for_every_department(client_for, cco, live_chat, invoices):  # type: ignore[no-untyped-def]
    page = upload(client_for(cco), "s1,live-chat,nps,0,2025-03-01\ns2,invoices,nps,9,2025-03-01\n")
    assert page.status_code == 200
    assert SurveyResponse.objects.count() == 2


def test_a_head_cannot_post_responses_for_another_departments_touch_point(  # type: ignore[no-untyped-def]
    api_for, head_b, live_chat, invoices
):
    api = api_for(head_b)
    before = stored()
    rows = [
        {"external_id": f"s{n}", "touchpoint": slug, "metric": "nps", "score": 0,
         "responded_at": "2025-03-01"}
        for n, slug in enumerate(["invoices", "live-chat"], start=1)
    ]  # fmt: skip
    answer = api.post("/api/responses/import/", rows, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"row": 2, "column": "touchpoint", "reason": NOT_YOURS}]
    assert stored() == before


def run(path, *options: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    err = io.StringIO()
    try:
        call_command(
            "import_responses", str(path), "--no-progress", *options,
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    except CommandError as exc:
        return exc.returncode, f"{exc}\n{err.getvalue()}"
    return 0, err.getvalue()


def test_the_command_as_a_head_imports_only_their_departments_rows(  # type: ignore[no-untyped-def]
    tmp_path, head_b, live_chat, invoices
):
    path = tmp_path / "responses.csv"
    path.write_text(HEADER + "s1,invoices,nps,9,2025-03-01\ns2,live-chat,nps,0,2025-03-01\n")
    before = stored()
    status, said = run(path, "--as", "head-b")
    assert status == 2
    assert f"row 3, touchpoint: {NOT_YOURS}" in said
    assert stored() == before


def test_the_command_without_a_person_is_an_operators_tool_and_imports_every_row(  # type: ignore[no-untyped-def]
    tmp_path, live_chat, invoices
):
    path = tmp_path / "responses.csv"
    path.write_text(HEADER + "s1,invoices,nps,9,2025-03-01\ns2,live-chat,nps,0,2025-03-01\n")
    assert run(path)[0] == 0
    assert SurveyResponse.objects.count() == 2


@pytest.mark.parametrize(
    ("username", "words"),
    [("nobody", "no such user"), ("contributor-a", "may not import responses")],
)
def test_the_command_refuses_a_person_who_may_not_import(  # type: ignore[no-untyped-def]
    tmp_path, contributor, live_chat, username, words
):
    path = tmp_path / "responses.csv"
    path.write_text(HEADER + "s1,live-chat,nps,9,2025-03-01\n")
    with pytest.raises(CommandError, match=words):
        call_command("import_responses", str(path), "--no-progress", "--as", username)
    assert not SurveyResponse.objects.exists()
