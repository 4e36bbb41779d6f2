"""Every page and every API endpoint, for every person: the answer they get.

The expected answers come from the product's roles (README "People and permissions"), written
down in tests/security/matrix.py, not read back from the code under test.
"""

import pytest
from django.urls import reverse

from tests.security.matrix import EXEMPT, PAGE_WRITES, PAGES, PERSONAS, url_names

pytestmark = pytest.mark.django_db


def test_every_page_of_the_product_is_in_the_permission_matrix():
    missing = [name for name in url_names() if name not in PAGES and name not in EXEMPT]
    assert missing == [], f"decide who may use these pages in tests/security/matrix.py: {missing}"


def _client_for(client, world, persona):
    person = world.people[persona]
    if person is not None:
        client.force_login(person)
    return client


def _check(response, page, persona, path):
    status = response.status_code
    where = f"{page.method} {path} as {persona}"
    assert status < 500, f"{where}: server error {status}"
    if persona == "anonymous" and "anonymous" not in page.allowed:
        assert status == 302, f"{where}: expected a redirect to sign in, got {status}"
        assert response["Location"].startswith(reverse("login")), where
    elif persona in page.allowed:
        assert status not in (401, 403, 404, 405), f"{where}: expected to be let in, got {status}"
        if page.method == "GET":
            # Some pages send a person on to their own view (a head's overview is their
            # department), which is being let in too; never back to the login page.
            assert status in (200, 302), f"{where}: expected 200, got {status}"
            if status == 302:
                assert not response["Location"].startswith(reverse("login")), where
    else:
        assert status == 403, f"{where}: expected 403, got {status}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_each_person_as_the_matrix_says(client, world, name, persona):
    page = PAGES[name]
    path = reverse(name, kwargs=page.kwargs(world))
    client = _client_for(client, world, persona)
    response = client.generic(page.method, path)
    _check(response, page, persona, path)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGE_WRITES))
def test_posting_to_a_page_answers_each_person_as_the_matrix_says(client, world, name, persona):
    page = PAGE_WRITES[name]
    path = reverse(name, kwargs=page.kwargs(world))
    response = _client_for(client, world, persona).post(path, {})
    _check(response, page, persona, path)
