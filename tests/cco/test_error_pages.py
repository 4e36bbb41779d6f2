"""Refusals and missing pages answer with the product's own styled pages, not bare text."""

from django.test import RequestFactory
from django.views.defaults import server_error

from metrics.models import SurveyResponse


def test_a_missing_page_is_styled_and_says_what_to_do(client_for, executive):
    response = client_for(executive).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing at this address" in html
    assert "cco/base.css" in html
    assert 'href="/"' in html


def test_a_refusal_is_styled_names_the_role_and_changes_nothing(client_for, contributor):
    before = SurveyResponse.objects.count()
    response = client_for(contributor).post("/metrics/import/", {})
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not do this" in html
    assert contributor.get_role_display() in html
    assert "Nothing was changed" in html
    assert SurveyResponse.objects.count() == before


def test_an_anonymous_visitor_gets_the_styled_404_without_the_signed_in_header(client):
    html = client.get("/no-such-page/").content.decode()
    assert "There is nothing at this address" in html
    assert "Sign out" not in html


def test_the_server_error_page_renders_with_no_context_at_all():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "cco/base.css" in html
