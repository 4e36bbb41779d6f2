from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from cco.admin import ShownNotChangedAdmin
from cco.queue import enqueue
from metrics.models import (
    KPI,
    Breach,
    CustomerOutcome,
    DriverAnalysis,
    Journey,
    JourneyStage,
    KPIObservation,
    Rollup,
    RollupWatermark,
    SayDoRollup,
    ScoreCutoffChange,
    ScoreCutoffSetting,
    SegmentRollup,
    SurveyResponse,
    Touchpoint,
)
from metrics.tasks import rollup_rebuild_task
from metrics.theme_models import ResponseTheme, Theme, ThemeWatermark
from metrics.webhook_models import WebhookDelivery, WebhookQuestion, WebhookSource


class StageInline(admin.TabularInline):
    model = JourneyStage
    extra = 0


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StageInline]


@admin.register(JourneyStage)
class JourneyStageAdmin(admin.ModelAdmin):
    list_display = ["name", "journey", "order"]
    list_filter = ["journey"]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "channel", "department", "nps_floor", "nps_target"]
    list_filter = ["channel", "department", "stage__journey"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["external_id", "source", "touchpoint", "metric", "score", "responded_at"]
    list_filter = ["metric", "source"]
    search_fields = ["external_id", "customer_id"]
    raw_id_fields = ["touchpoint"]
    show_full_result_count = False


@admin.register(Rollup)
class RollupAdmin(admin.ModelAdmin):
    list_display = ["metric", "scope", "scope_id", "grain", "period_start", "n"]
    list_filter = ["metric", "scope", "grain"]
    actions = ["rebuild"]

    @admin.action(description="Rebuild all roll-ups from raw responses")
    def rebuild(self, request: HttpRequest, queryset: Any) -> None:
        # Through the queue helper, so a lost broker is a message rather than a 500.
        if enqueue(rollup_rebuild_task):
            self.message_user(request, "Roll-up rebuild queued.", messages.SUCCESS)
        else:
            self.message_user(
                request,
                "The task queue is unavailable, so the rebuild was not queued; run it again "
                "once the worker's broker is back.",
                messages.ERROR,
            )


@admin.register(RollupWatermark)
class RollupWatermarkAdmin(admin.ModelAdmin):
    list_display = ["last_response_id", "updated_at"]


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ["touchpoint", "metric", "rule", "grain", "period_start", "value", "n"]
    list_filter = ["metric", "rule", "grain"]


class ObservationInline(admin.TabularInline):
    model = KPIObservation
    extra = 0


@admin.register(KPI)
class KPIAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "unit", "direction", "goal", "owner"]
    list_filter = ["department"]
    inlines = [ObservationInline]


@admin.register(KPIObservation)
class KPIObservationAdmin(admin.ModelAdmin):
    list_display = ["kpi", "week_start", "value"]


@admin.register(CustomerOutcome)
class CustomerOutcomeAdmin(admin.ModelAdmin):
    list_display = ["customer_id", "retained", "revenue", "as_of"]
    list_filter = ["retained", "as_of"]
    search_fields = ["customer_id"]


@admin.register(SayDoRollup)
class SayDoRollupAdmin(admin.ModelAdmin):
    list_display = [
        "scope", "scope_id", "segment", "category", "customers", "retained", "revenue_total",
        "rebuilt_at",
    ]  # fmt: skip
    list_filter = ["scope", "category"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CutoffReadOnlyAdmin(admin.ModelAdmin):
    """The cut-offs are changed on /accountability/cut-offs/, which writes their history; the
    admin shows them and their history without a second way to change them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ScoreCutoffSetting)
class ScoreCutoffSettingAdmin(CutoffReadOnlyAdmin):
    list_display = ["measure", "amber_band", "updated_at"]


@admin.register(ScoreCutoffChange)
class ScoreCutoffChangeAdmin(CutoffReadOnlyAdmin):
    list_display = ["changed_at", "changed_by", "measure", "old_amber_band", "new_amber_band"]


@admin.register(WebhookSource)
class WebhookSourceAdmin(ShownNotChangedAdmin):
    # The salt the secret is derived from stays off the screen: the sources page rotates it.
    list_display = ["slug", "name", "shape", "rotated_at"]
    exclude = ["salt"]


@admin.register(WebhookQuestion)
class WebhookQuestionAdmin(ShownNotChangedAdmin):
    list_display = ["source", "question_id", "role", "touchpoint"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ShownNotChangedAdmin):
    list_display = ["source", "webhook_id", "received_at", "inserted"]


@admin.register(SegmentRollup)
class SegmentRollupAdmin(ShownNotChangedAdmin):
    # Rebuilt whole by the roll-up job; a hand edit would be overwritten at the next rebuild.
    list_display = ["metric", "scope", "scope_id", "segment", "period_start", "n"]
    list_filter = ["metric", "scope", "segment"]


@admin.register(Theme)
class ThemeAdmin(ShownNotChangedAdmin):
    """Edited on the taxonomy page, which validates it and re-reads the verbatims."""

    list_display = ["name", "position", "phrases"]


@admin.register(ResponseTheme)
class ResponseThemeAdmin(ShownNotChangedAdmin):
    """Rebuilt by the theme jobs."""

    list_display = ["response_id", "theme"]
    list_select_related = ["theme"]


@admin.register(ThemeWatermark)
class ThemeWatermarkAdmin(ShownNotChangedAdmin):
    list_display = ["last_response_id"]


@admin.register(DriverAnalysis)
class DriverAnalysisAdmin(ShownNotChangedAdmin):
    list_display = ["outcome", "customers", "enough", "refusal", "rebuilt_at"]
