from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.index, name="touchpoint-list"),
    path("touchpoints/<slug:slug>/", views.index, name="touchpoint-detail"),
]
