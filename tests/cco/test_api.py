import pytest

from cco.models import ApiToken, Department
from cco.tokens import token_digest


def test_a_token_holder_reads_departments_through_the_api(api_for, executive, department_a):
    response = api_for(executive).get("/api/departments/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["slug"] == "customer-service"


def test_an_anonymous_program_is_refused(api_for, department_a):
    assert api_for(None).get("/api/departments/").status_code in (401, 403)


def test_a_person_without_a_role_is_refused(api_for, outsider):
    assert api_for(outsider).get("/api/departments/").status_code == 403


@pytest.mark.parametrize("persona", ["executive", "head_a", "contributor"])
def test_only_the_cco_creates_departments(request, api_for, persona):
    user = request.getfixturevalue(persona)
    response = api_for(user).post("/api/departments/", {"name": "Legal", "slug": "legal"})
    assert response.status_code == 403
    assert not Department.objects.filter(slug="legal").exists()


def test_the_cco_creates_a_department(api_for, cco):
    response = api_for(cco).post("/api/departments/", {"name": "Legal", "slug": "legal"})
    assert response.status_code == 201
    assert Department.objects.get(slug="legal").name == "Legal"


def test_naming_a_contributor_as_head_is_refused_naming_the_field(api_for, cco, contributor):
    response = api_for(cco).post(
        "/api/departments/", {"name": "Legal", "slug": "legal", "head": contributor.pk}
    )
    assert response.status_code == 400
    assert "only a department head can head a department" in response.json()["head"][0]
    assert not Department.objects.filter(slug="legal").exists()


def test_departments_filter_by_search(api_for, executive, department_a, department_b):
    response = api_for(executive).get("/api/departments/", {"search": "bill"})
    assert [row["slug"] for row in response.json()["results"]] == ["billing"]


def test_people_me_tells_a_program_who_it_acts_as(api_for, head_a):
    body = api_for(head_a).get("/api/people/me/").json()
    assert body["username"] == "head-a"
    assert body["role"] == "department_head"


def test_the_openapi_schema_is_served_to_signed_in_people(api_for, executive):
    response = api_for(executive).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    schema = response.json()
    assert "/api/departments/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_api_docs_page_loads_its_assets_from_our_own_server(client_for, executive):
    response = client_for(executive).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_a_person_creates_and_revokes_their_own_token(client_for, api_for, head_a):
    client = client_for(head_a)
    response = client.post("/account/token/new/")
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert ApiToken.objects.get(user=head_a).digest == token_digest(key) != key

    from rest_framework.test import APIClient

    program = APIClient()
    program.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert program.get("/api/people/me/").status_code == 200

    client.post("/account/token/revoke/")
    assert not ApiToken.objects.filter(user=head_a).exists()
    assert program.get("/api/people/me/").status_code == 401


def test_session_authenticated_api_writes_need_the_csrf_token(cco):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cco)
    response = client.post(
        "/api/departments/", {"name": "Legal", "slug": "legal"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Department.objects.filter(slug="legal").exists()


def test_people_without_a_role_are_not_listed(api_for, executive, outsider):
    usernames = [
        row["username"] for row in api_for(executive).get("/api/people/").json()["results"]
    ]
    assert "the-executive" in usernames
    assert "outsider" not in usernames
    assert api_for(executive).get(f"/api/people/{outsider.pk}/").status_code == 404
