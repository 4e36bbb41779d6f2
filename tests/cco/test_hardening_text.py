"""Text no database can store — NUL and lone surrogates — is refused with a 400 naming the field,
wherever a request carries it: the path, the query string, form fields and JSON bodies."""

import pytest

from tests.conftest import stored

NUL_MESSAGE = "contains a character that is not allowed (NUL)"
SURROGATE_MESSAGE = "contains a character that is not allowed (a lone surrogate)"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_the_calendar_feed_address_is_a_400_for_anyone(client):
    response = client.get("/accountability/calendar/%00.ics")
    assert response.status_code == 400
    assert f"path {NUL_MESSAGE}" in _text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/accountability/my/?department=%00",
        "/accountability/issues/?status=open%00",
        "/?department=%00&period=30d",
        "/metrics/touchpoints/?metric=nps%00",
    ],
)
def test_a_nul_in_a_page_filter_is_a_400_naming_the_filter(client_for, cco, path):
    response = client_for(cco).get(path)
    assert response.status_code == 400
    name = path.split("?")[1].split("=")[0]
    assert f"{name} {NUL_MESSAGE}" in _text(response)


def test_a_nul_in_a_query_parameter_name_is_refused_too(client_for, cco):
    response = client_for(cco).get("/accountability/my/?depart%00ment=x")
    assert response.status_code == 400
    assert f"depart\\u0000ment {NUL_MESSAGE}" in _text(response)


@pytest.mark.parametrize(
    "query",
    [
        "status=%00",
        "department__id__exact=%00",
        "q=%00",
        "o=1%00",
    ],
)
def test_a_nul_in_an_admin_list_filter_is_a_400(client_for, admin, query):
    response = client_for(admin).get(f"/admin/accountability/actionitem/?{query}")
    assert response.status_code == 400
    assert f"{query.split('=')[0]} {NUL_MESSAGE}" in _text(response)


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_saved(client_for, cco):
    client = client_for(cco)
    before = stored()
    response = client.post(
        "/accountability/issues/new/", {"title": "Queue\x00jumping", "description": "x"}
    )
    assert response.status_code == 400
    assert f"title {NUL_MESSAGE}" in _text(response)
    assert stored() == before


@pytest.mark.django_db
def test_a_nul_in_the_sign_in_form_is_a_400(client):
    response = client.post("/login/", {"username": "the-cco\x00", "password": "x"})
    assert response.status_code == 400
    assert f"username {NUL_MESSAGE}" in _text(response)


# --- The API's JSON bodies and query strings ------------------------------------------------


@pytest.fixture
def checkout(db):  # type: ignore[no-untyped-def]
    from tests.metrics.factories import TouchpointFactory

    return TouchpointFactory(slug="checkout")


def _rows_json(comment: str) -> bytes:
    """Two rows as a client sends them, the second's comment holding `comment` as written (a
    JSON escape such as \\u0000 stays an escape: the test client would refuse to encode it)."""
    return (
        '[{"external_id": "t-1", "touchpoint": "checkout", "metric": "nps", "score": 9, '
        '"responded_at": "2026-01-05"}, '
        '{"external_id": "t-2", "touchpoint": "checkout", "metric": "nps", "score": 7, '
        f'"responded_at": "2026-01-05", "comment": "{comment}"}}]'
    ).encode()


@pytest.mark.parametrize(
    ("escape", "message"),
    [("ok\\u0000", NUL_MESSAGE), ("\\ud800", SURROGATE_MESSAGE), ("a\\udfffb", SURROGATE_MESSAGE)],
)
def test_the_import_api_refuses_a_nul_or_lone_surrogate_naming_the_json_path(
    api_for, cco, checkout, escape, message
):
    api = api_for(cco)
    before = stored()
    response = api.post(
        "/api/responses/import/", _rows_json(escape), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"[1].comment": [f"[1].comment {message}."]}
    assert stored() == before


def test_a_nul_in_a_json_key_is_named_as_well(api_for, cco, checkout):
    body = b'[{"external_id": "t-1", "touch\\u0000point": "checkout"}]'
    response = api_for(cco).post("/api/responses/import/", body, content_type="application/json")
    assert response.status_code == 400
    assert "[0].touch\\u0000point" in response.json()


def test_a_pair_of_surrogates_is_an_ordinary_character_and_imports(api_for, cco, checkout):
    response = api_for(cco).post(
        "/api/responses/import/", _rows_json("\\ud83d\\ude00"), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    from metrics.models import SurveyResponse

    assert SurveyResponse.objects.get(external_id="t-2").comment == "\U0001f600"


def test_a_nul_in_an_api_query_parameter_is_a_400_naming_it(api_for, cco, checkout):
    api = api_for(cco)
    before = stored()
    response = api.post(
        "/api/responses/import/?source=a%00b", _rows_json("fine"), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"source": [f"source {NUL_MESSAGE}."]}
    assert stored() == before


def test_a_nul_in_an_api_filter_is_a_400(api_for, cco):
    response = api_for(cco).get("/api/departments/?search=%00")
    assert response.status_code == 400
    assert response.json() == {"search": [f"search {NUL_MESSAGE}."]}
