"""Every page and every API endpoint, for every person: the answer they get.

The expected answers come from the product's roles (README "People and permissions"), written
down in tests/security/matrix.py, not read back from the code under test. Every write is also
read back from the database: a refused one must leave every table as it was, an allowed one
must change it.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import rolled_back, stored
from tests.security.matrix import EXEMPT, PAGE_WRITES, PAGES, PERSONAS, url_names

pytestmark = pytest.mark.django_db


def test_every_page_of_the_product_is_in_the_permission_matrix():
    missing = [name for name in url_names() if name not in PAGES and name not in EXEMPT]
    assert missing == [], f"decide who may use these pages in tests/security/matrix.py: {missing}"


def _client_for(world, persona):
    client = Client()
    person = world.people[persona]
    if person is not None:
        client.force_login(person)
    return client


def _problem(response, page, persona, path) -> str | None:
    status = response.status_code
    where = f"{page.method} {path} as {persona}"
    if status >= 500:
        return f"{where}: server error {status}"
    if persona == "anonymous" and "anonymous" not in page.allowed:
        if status != 302 or not response["Location"].startswith(reverse("login")):
            return f"{where}: expected a redirect to sign in, got {status}"
    elif persona in page.allowed:
        if status in (401, 403, 404, 405):
            return f"{where}: expected to be let in, got {status}"
        # Some pages send a person on to their own view (a head's overview is their
        # department), which is being let in too; never back to the login page.
        if page.method == "GET" and status not in (200, 302):
            return f"{where}: expected 200, got {status}"
        if status == 302 and response["Location"].startswith(reverse("login")):
            return f"{where}: sent to the login page"
    elif status != 403:
        return f"{where}: expected 403, got {status}"
    return None


def _changed(before, after) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _write_problem(page, persona, response, changed, where) -> str | None:
    """A refused write leaves every table as it was; an allowed one succeeds and changes one."""
    if persona in page.allowed:
        if response.status_code >= 400:
            return f"{where}: a valid write was let in but failed with {response.status_code}"
        if not changed:
            return f"{where}: answered {response.status_code} but stored nothing"
    elif changed:
        return f"{where}: refused with {response.status_code} but changed {changed}"
    return None


def _walk(world, page, name) -> list[str]:
    path = reverse(name, kwargs=page.kwargs(world))
    problems = []
    for persona in PERSONAS:
        where = f"{page.method} {path} as {persona}"
        # Each person meets the same world: an allowed delete cannot hide a refusal after it.
        with rolled_back():
            client = _client_for(world, persona)
            if page.method == "GET":
                problem = _problem(client.get(path), page, persona, path)
            else:
                page.prepare(world, persona)
                before = stored()
                response = client.post(path, page.body(world, persona))
                problem = _problem(response, page, persona, path) or _write_problem(
                    page, persona, response, _changed(before, stored()), where
                )
        if problem:
            problems.append(problem)
    return problems


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_each_person_as_the_matrix_says(world, name):
    problems = _walk(world, PAGES[name], name)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PAGE_WRITES))
def test_posting_to_a_page_answers_each_person_as_the_matrix_says(world, name):
    problems = _walk(world, PAGE_WRITES[name], name)
    assert problems == [], "\n".join(problems)
