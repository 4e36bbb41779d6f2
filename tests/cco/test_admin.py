import pytest
from django.apps import apps
from django.contrib import admin


def test_every_model_of_the_product_is_in_the_admin():
    missing = [
        model._meta.label
        for app in ("cco", "metrics", "roadmap", "accountability")
        for model in apps.get_app_config(app).get_models()
        if model not in admin.site._registry
    ]
    assert not missing


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/cco/user/", "/admin/cco/department/", "/admin/cco/digestlog/"]
)
def test_an_administrator_opens_the_admin_pages(client_for, admin, path):
    assert client_for(admin).get(path).status_code == 200


def test_an_executive_is_kept_out_of_the_admin(client_for, executive):
    response = client_for(executive).get("/admin/")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/admin/metrics/scorecutoffsetting/",
        "/admin/metrics/scorecutoffchange/",
        "/admin/accountability/deliverycutoffsetting/",
        "/admin/accountability/deliverycutoffchange/",
    ],
)
def test_the_cutoffs_are_shown_in_the_admin_but_changed_only_on_their_page(client_for, admin, path):
    client = client_for(admin)
    assert client.get(path).status_code == 200
    assert client.get(f"{path}add/").status_code == 403
