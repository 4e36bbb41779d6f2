"""The API refuses a body too deeply nested to read with a 400, before any serializer sees it."""

import pytest
from rest_framework.test import APIClient

from metrics.models import SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as_cco(cco):
    client = APIClient()
    client.force_authenticate(cco)
    return client


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_a_body_nested_too_deep_is_refused_with_400_and_nothing_stored(client_as_cco, depth):
    body = "[" * depth + "]" * depth
    response = client_as_cco.post("/api/responses/import/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]
    assert not SurveyResponse.objects.exists()


def test_a_body_nested_to_the_limit_is_read(client_as_cco):
    body = "[" * 32 + "]" * 32
    response = client_as_cco.post("/api/responses/import/", body, content_type="application/json")
    assert response.status_code == 400  # read, then refused by the import's own rules
    assert "nested" not in str(response.json())
