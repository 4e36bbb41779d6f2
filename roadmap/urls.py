from django.urls import path

from roadmap.views import import_export, initiatives, milestones, plans, results, timeline

app_name = "roadmap"

urlpatterns = [
    path("", timeline.timeline, name="timeline"),
    path("years/", timeline.years, name="years"),
    path("new/", plans.roadmap_edit, name="roadmap-create"),
    path("<int:pk>/edit/", plans.roadmap_edit, name="roadmap-edit"),
    path("<int:roadmap_pk>/pillars/new/", plans.pillar_edit, name="pillar-create"),
    path("pillars/<int:pk>/edit/", plans.pillar_edit, name="pillar-edit"),
    path("initiatives/new/", initiatives.initiative_create, name="initiative-create"),
    path("initiatives/<int:pk>/", initiatives.initiative_page, name="initiative-detail"),
    path("initiatives/<int:pk>/edit/", initiatives.initiative_edit, name="initiative-edit"),
    path(
        "initiatives/<int:pk>/progress/",
        initiatives.initiative_progress,
        name="initiative-progress",
    ),
    path("initiatives/<int:pk>/delete/", initiatives.initiative_delete, name="initiative-delete"),
    path(
        "initiatives/<int:pk>/milestones/new/", milestones.milestone_create, name="milestone-create"
    ),
    path("milestones/<int:pk>/edit/", milestones.milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/done/", milestones.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/delete/", milestones.milestone_delete, name="milestone-delete"),
    path("initiatives/<int:pk>/dependencies/", initiatives.dependency_add, name="dependency-add"),
    path("dependencies/<int:pk>/delete/", initiatives.dependency_remove, name="dependency-remove"),
    path(
        "initiatives/<int:pk>/results/new/",
        results.expected_result_create,
        name="expected-result-create",
    ),
    path("results/<int:pk>/edit/", results.expected_result_edit, name="expected-result-edit"),
    path("results/<int:pk>/delete/", results.expected_result_delete, name="expected-result-delete"),
    path("import/", import_export.roadmap_import, name="import"),
    path("export/initiatives.csv", import_export.export_initiatives, name="export-initiatives"),
    path("export/milestones.csv", import_export.export_milestones, name="export-milestones"),
]
