"""The API answers JSON for an API URL nothing matches, and its schema lists every refusal."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as_cco(cco):
    client = APIClient()
    client.force_authenticate(cco)
    return client


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/roadmaps/a/b/", "/api/roadmaps//"])
def test_an_api_url_nothing_matches_answers_a_json_404(client_as_cco, path):
    response = client_as_cco.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_url_nothing_matches_still_answers_the_404_page(client_as_cco):
    response = client_as_cco.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_the_refusals_it_can_answer():
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403"} <= codes, f"{method} {path}: {codes}"
            if "{" in path:
                assert "404" in codes, f"{method} {path}: {codes}"


def test_history_is_documented_as_the_plain_list_it_answers():
    schema = _schema()
    for kind in ("action-items", "cx-issues"):
        history = schema["paths"][f"/api/{kind}/{{id}}/history/"]["get"]
        body = history["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array"
        assert [parameter["name"] for parameter in history["parameters"]] == ["id"]


def test_a_series_start_time_is_documented_as_the_time_of_day_it_is():
    start_time = _schema()["components"]["schemas"]["MeetingSeries"]["properties"]["start_time"]
    assert "format" not in start_time
    assert start_time["pattern"].startswith("^([01]")
