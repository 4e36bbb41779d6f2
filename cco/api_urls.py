"""The JSON API: each app registers its viewsets on one router and may add plain endpoints."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accountability import api as accountability_api
from cco import api as cco_api
from metrics import api as metrics_api
from roadmap import api as roadmap_api

APP_APIS = (cco_api, metrics_api, roadmap_api, accountability_api)

router = DefaultRouter()
for app_api in APP_APIS:
    app_api.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *[pattern for app_api in APP_APIS for pattern in app_api.urlpatterns],
    path("", include(router.urls)),
]
