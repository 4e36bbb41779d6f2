from django.urls import path

from metrics import theme_views, views, webhook_views

app_name = "metrics"

urlpatterns = [
    path("", views.touchpoint_list, name="touchpoint-list"),
    path("touchpoints/<slug:slug>/", views.touchpoint_detail, name="touchpoint-detail"),
    path("departments/<slug:slug>/", views.department_scorecard, name="department-scorecard"),
    path("import/", views.response_upload, name="response-upload"),
    path("import/sample.csv", views.response_sample, name="response-sample"),
    path("customers/import/", views.customer_upload, name="customer-upload"),
    path("webhooks/", webhook_views.webhook_sources, name="webhook-sources"),
    path(
        "webhooks/<slug:slug>/rotate/", webhook_views.webhook_source_rotate, name="webhook-rotate"
    ),
    path(
        "webhooks/questions/<int:pk>/delete/",
        webhook_views.webhook_question_delete,
        name="webhook-question-delete",
    ),
    path("say-do/", views.say_do, name="say-do"),
    path("themes/", theme_views.themes, name="themes"),
    path("themes/taxonomy/", theme_views.theme_taxonomy, name="theme-taxonomy"),
]
