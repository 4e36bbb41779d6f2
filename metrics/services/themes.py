"""Reading the verbatims for themes: at ingest (new responses) and again whole when the
taxonomy changes."""

from django.db import transaction

from cco.queue import enqueue_on_commit
from metrics.models import ResponseTheme, SurveyResponse, Theme, ThemeWatermark
from metrics.services.rollups import acquire_rollup_lock
from metrics.themes import compile_taxonomy, parse_taxonomy, themes_in

BATCH = 2000
REAPPLY_TASK = "metrics.tasks.themes_reapply_task"


def _link(responses: object, compiled: dict) -> int:
    links = [
        ResponseTheme(response_id=pk, theme_id=theme_id)
        for pk, comment in responses  # type: ignore[attr-defined]
        for theme_id in themes_in(comment, compiled)
    ]
    ResponseTheme.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    return len(links)


def _compiled() -> dict:
    return compile_taxonomy({t.pk: t.phrases for t in Theme.objects.all()})


@transaction.atomic
def themes_apply() -> int:
    """Link the responses stored since the last run to the themes their comments mention; the
    number of links made. Holds the roll-up lock, so no import in flight commits a response
    below the watermark this run moves. After a taxonomy change whose re-read could not be
    queued (broker down), it re-reads every response instead."""
    acquire_rollup_lock()
    mark, _ = ThemeWatermark.objects.select_for_update().get_or_create(pk=1)
    if mark.taxonomy_changed:
        return themes_reapply()
    newer = SurveyResponse.objects.filter(pk__gt=mark.last_response_id).order_by("pk")
    compiled = _compiled()
    made = 0
    last = mark.last_response_id
    while True:
        rows = list(newer.filter(pk__gt=last).values_list("pk", "comment")[:BATCH])
        if not rows:
            break
        made += _link(((pk, c) for pk, c in rows if c), compiled)
        last = rows[-1][0]
    if last != mark.last_response_id:
        mark.last_response_id = last
        mark.save(update_fields=["last_response_id"])
    return made


@transaction.atomic
def themes_reapply() -> int:
    """Every response read again against the taxonomy as it is now; the number of links."""
    acquire_rollup_lock()
    mark, _ = ThemeWatermark.objects.select_for_update().get_or_create(pk=1)
    ResponseTheme.objects.all().delete()
    compiled = _compiled()
    made = 0
    last = 0
    rows_all = SurveyResponse.objects.exclude(comment="").order_by("pk")
    while compiled:
        rows = list(rows_all.filter(pk__gt=last).values_list("pk", "comment")[:BATCH])
        if not rows:
            break
        made += _link(rows, compiled)
        last = rows[-1][0]
    top = SurveyResponse.objects.order_by("-pk").values_list("pk", flat=True).first()
    mark.last_response_id = max(top or 0, mark.last_response_id)
    mark.taxonomy_changed = False
    mark.save(update_fields=["last_response_id", "taxonomy_changed"])
    return made


@transaction.atomic
def taxonomy_save(text: str) -> list[Theme]:
    """Replace the taxonomy with the one `text` describes (see metrics.themes.parse_taxonomy):
    a theme kept by name keeps its row; the links are rebuilt by a queued job. Raises
    TaxonomyError, saving nothing, when a line is bad."""
    parsed = parse_taxonomy(text)
    existing = {t.name: t for t in Theme.objects.select_for_update()}
    kept: list[Theme] = []
    for position, (name, phrases) in enumerate(parsed):
        theme = existing.pop(name, None) or Theme(name=name)
        theme.phrases = phrases
        theme.position = position
        theme.save()
        kept.append(theme)
    Theme.objects.filter(pk__in=[t.pk for t in existing.values()]).delete()
    ThemeWatermark.objects.update_or_create(pk=1, defaults={"taxonomy_changed": True})
    enqueue_on_commit(REAPPLY_TASK)
    return kept
