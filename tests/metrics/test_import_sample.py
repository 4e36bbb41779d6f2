"""The import page explains the format and offers a sample file that the importer accepts."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.models import SurveyResponse
from metrics.samples import PLACEHOLDER_SLUG, SAMPLE_HEADER
from metrics.services.ingest import response_import_file
from tests.metrics.factories import TouchpointFactory


def download_sample(client) -> str:
    response = client.get("/metrics/import/sample.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def test_the_sample_names_a_touch_point_the_head_may_import_for(
    client_for, head_a, department_a, department_b
):
    TouchpointFactory(department=department_b, name="Aardvark desk", slug="aardvark-desk")
    TouchpointFactory(department=department_a, name="Web shop", slug="web-shop")
    sample = download_sample(client_for(head_a))
    lines = sample.strip().splitlines()
    assert lines[0].split(",") == SAMPLE_HEADER == [
        "external_id", "touchpoint", "metric", "score", "responded_at", "customer_id", "segment",
        "comment",
    ]  # fmt: skip
    assert {line.split(",")[1] for line in lines[1:]} == {"web-shop"}
    assert {line.split(",")[2] for line in lines[1:]} == {"nps", "csat", "ces"}


def test_the_sample_round_trips_through_the_importer(client_for, head_a, department_a):
    TouchpointFactory(department=department_a, slug="web-shop")
    sample = download_sample(client_for(head_a))
    report = response_import_file(stream=io.StringIO(sample), importer=head_a)
    assert not report.rejected and not report.errors
    assert SurveyResponse.objects.filter(touchpoint__slug="web-shop").count() == 3


def test_the_sample_uploaded_on_the_import_page_is_imported(client_for, head_a, department_a):
    TouchpointFactory(department=department_a, slug="web-shop")
    client = client_for(head_a)
    sample = download_sample(client).encode()
    upload = SimpleUploadedFile("sample.csv", sample, "text/csv")
    response = client.post("/metrics/import/", {"file": upload})
    assert response.status_code == 200
    assert "Imported" in response.content.decode()
    assert SurveyResponse.objects.count() == 3


def test_without_a_touch_point_the_sample_says_what_to_fill_in(client_for, cco):
    sample = download_sample(client_for(cco))
    assert PLACEHOLDER_SLUG in sample


def test_a_contributor_gets_no_sample_and_nothing_is_saved(client_for, contributor):
    response = client_for(contributor).get("/metrics/import/sample.csv")
    assert response.status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_the_import_page_explains_every_column_and_links_the_sample(client_for, head_a):
    html = client_for(head_a).get("/metrics/import/").content.decode()
    assert 'href="/metrics/import/sample.csv"' in html
    for column in ("external_id", "touchpoint", "metric", "score", "responded_at", "customer_id",
                   "segment", "comment"):  # fmt: skip
        assert f'<th scope="row"><code>{column}</code></th>' in html
