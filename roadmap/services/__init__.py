"""Every write to the roadmap, by use case: the plan itself and the CSV import."""

from roadmap.services.importing import (
    ImportReport,
    RoadmapImportError,
    RowError,
    roadmap_import,
)
from roadmap.services.plan import (
    dependency_add,
    dependency_cycle,
    dependency_remove,
    expected_result_delete,
    expected_result_save,
    initiative_create,
    initiative_delete,
    initiative_update,
    milestone_delete,
    milestone_save,
    milestone_set_done,
    pillar_save,
    roadmap_save,
)

__all__ = [
    "ImportReport",
    "RoadmapImportError",
    "RowError",
    "dependency_add",
    "dependency_cycle",
    "dependency_remove",
    "expected_result_delete",
    "expected_result_save",
    "initiative_create",
    "initiative_delete",
    "initiative_update",
    "milestone_delete",
    "milestone_save",
    "milestone_set_done",
    "pillar_save",
    "roadmap_import",
    "roadmap_save",
]
