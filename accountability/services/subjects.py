"""What a decision or action item recorded on an agenda item is about: the links that let
"plan → milestone → weekly action" be followed both ways."""

from django.apps import apps

from accountability.models import ActionItem, AgendaItem, AgendaKind

SUBJECT_FIELDS = ("cx_issue_id", "initiative_id", "milestone_id", "kpi_id")


def agenda_item_subject(item: AgendaItem) -> dict[str, int]:
    """What a decision or action recorded on an agenda item is about: its CX issue; its roadmap
    milestone and that milestone's initiative; its KPI; or, for an action item under review,
    whatever that action item is about. Only the links that are set are returned."""
    if not item.source_id:
        return {}
    if item.kind == AgendaKind.CX_ISSUE:
        return {"cx_issue_id": item.source_id}
    if item.kind == AgendaKind.KPI:
        KPI = apps.get_model("metrics", "KPI")
        return {"kpi_id": item.source_id} if KPI.objects.filter(pk=item.source_id).exists() else {}
    if item.kind == AgendaKind.MILESTONE:
        Milestone = apps.get_model("roadmap", "Milestone")
        initiative_id = (
            Milestone.objects.filter(pk=item.source_id)
            .values_list("initiative_id", flat=True)
            .first()
        )
        if not initiative_id:
            return {}
        return {"milestone_id": item.source_id, "initiative_id": initiative_id}
    if item.kind == AgendaKind.ACTION_ITEM:
        row = ActionItem.objects.filter(pk=item.source_id).values(*SUBJECT_FIELDS).first() or {}
        return {key: value for key, value in row.items() if value}
    return {}
