from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.touchpoint_list, name="touchpoint-list"),
    path("touchpoints/<slug:slug>/", views.touchpoint_detail, name="touchpoint-detail"),
    path("departments/<slug:slug>/", views.department_scorecard, name="department-scorecard"),
    path("import/", views.response_upload, name="response-upload"),
    path("customers/import/", views.customer_upload, name="customer-upload"),
    path("say-do/", views.say_do, name="say-do"),
]
