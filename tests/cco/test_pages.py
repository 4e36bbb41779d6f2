import pytest


def test_the_department_list_shows_each_department_with_its_head(client_for, executive, head_a):
    response = client_for(executive).get("/departments/")
    assert response.status_code == 200
    assert "Customer service" in response.content.decode()
    assert str(head_a) in response.content.decode()


def test_a_department_page_shows_its_people(client_for, executive, contributor):
    response = client_for(executive).get("/departments/customer-service/")
    assert response.status_code == 200
    assert str(contributor) in response.content.decode()


def test_an_unknown_department_is_not_found(client_for, executive, db):
    assert client_for(executive).get("/departments/nowhere/").status_code == 404


def test_a_signed_in_person_without_a_role_is_refused(client_for, outsider):
    assert client_for(outsider).get("/departments/").status_code == 403


def test_the_layout_shows_the_navigation_and_who_is_signed_in(client_for, head_a):
    html = client_for(head_a).get("/departments/").content.decode()
    for section in ("Dashboard", "Roadmap", "Accountability", "Metrics", "Departments"):
        assert f">{section}</a>" in html
    assert "Department head · Customer service" in html
    assert 'aria-current="page">Departments' in html


def test_pages_load_scripts_only_from_our_own_static_files(client_for, executive, db):
    response = client_for(executive).get("/departments/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "name", ["vendor/htmx.min.js", "vendor/plotly-basic.min.js", "cco/base.css"]
)
def test_vendored_assets_are_served_from_static(client, name):
    from django.contrib.staticfiles import finders

    assert finders.find(name), name


def test_login_page_signs_a_person_in(client, head_a):
    head_a.set_password("correct horse")
    head_a.save()
    response = client.post("/login/", {"username": "head-a", "password": "correct horse"})
    assert response.status_code == 302
    assert client.get("/departments/").status_code == 200


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client, head_a):
    head_a.set_password("correct horse")
    head_a.save()
    for _ in range(5):
        client.post("/login/", {"username": "head-a", "password": "wrong"})
    response = client.post("/login/", {"username": "head-a", "password": "correct horse"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get("/departments/").status_code == 302


def test_signing_out_needs_a_post_and_ends_the_session(client_for, head_a):
    client = client_for(head_a)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/departments/").status_code == 302


def test_only_the_section_a_page_belongs_to_is_marked_current(client_for, cco):
    html = client_for(cco).get("/accountability/").content.decode()
    assert 'aria-current="page">Accountability' in html
    assert 'aria-current="page">Dashboard' not in html
