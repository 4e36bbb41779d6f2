from django.urls import path

from roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("years/", views.years, name="years"),
    path("new/", views.roadmap_edit, name="roadmap-create"),
    path("<int:pk>/edit/", views.roadmap_edit, name="roadmap-edit"),
    path("<int:roadmap_pk>/pillars/new/", views.pillar_edit, name="pillar-create"),
    path("pillars/<int:pk>/edit/", views.pillar_edit, name="pillar-edit"),
    path("initiatives/new/", views.initiative_create, name="initiative-create"),
    path("initiatives/<int:pk>/", views.initiative_page, name="initiative-detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative-edit"),
    path("initiatives/<int:pk>/progress/", views.initiative_progress, name="initiative-progress"),
    path("initiatives/<int:pk>/delete/", views.initiative_delete, name="initiative-delete"),
    path("initiatives/<int:pk>/milestones/new/", views.milestone_create, name="milestone-create"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone-delete"),
    path("initiatives/<int:pk>/dependencies/", views.dependency_add, name="dependency-add"),
    path("dependencies/<int:pk>/delete/", views.dependency_remove, name="dependency-remove"),
    path(
        "initiatives/<int:pk>/results/new/",
        views.expected_result_create,
        name="expected-result-create",
    ),
    path("results/<int:pk>/edit/", views.expected_result_edit, name="expected-result-edit"),
    path("results/<int:pk>/delete/", views.expected_result_delete, name="expected-result-delete"),
    path("import/", views.roadmap_import, name="import"),
    path("export/initiatives.csv", views.export_initiatives, name="export-initiatives"),
    path("export/milestones.csv", views.export_milestones, name="export-milestones"),
]
