from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cco import views
from overview import views as overview

urlpatterns = [
    path("", overview.overview, name="home"),
    path("overview/<slug:panel>.csv", overview.panel_csv, name="overview-csv"),
    path("departments/", views.department_index, name="department-list"),
    path("departments/<slug:slug>/", views.department_detail, name="department-detail"),
    path("account/token/", views.api_token, name="api-token"),
    path("account/token/new/", views.api_token_create, name="api-token-create"),
    path("account/token/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("reports/board-pack/<str:quarter>.pdf", overview.board_pack, name="board-pack"),
    path("metrics/", include("metrics.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("accountability/", include("accountability.urls")),
    path("api/", include("cco.api_urls")),
    path("admin/", admin.site.urls),
]

handler404 = "cco.api_errors.not_found"
