"""Touch points, survey responses, their roll-ups, breaches and department KPIs.

Scores live on each metric's own scale (NPS −100..100, CSAT % top-two box, CES mean 1..7). Raw
responses are written once by the ingest; every read of a score goes through the roll-ups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

# Webhook sources live in their own module; Django finds an app's models through this one.
from metrics.driver_models import DriverAnalysis as DriverAnalysis
from metrics.driver_models import DriverOutcome as DriverOutcome
from metrics.webhook_models import PayloadShape as PayloadShape
from metrics.webhook_models import QuestionRole as QuestionRole
from metrics.webhook_models import WebhookDelivery as WebhookDelivery
from metrics.webhook_models import WebhookQuestion as WebhookQuestion
from metrics.webhook_models import WebhookSource as WebhookSource


class Metric(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"


# The raw score scale of each metric (inclusive).
SCORE_RANGES: dict[str, tuple[int, int]] = {
    Metric.NPS: (0, 10),
    Metric.CSAT: (1, 5),
    Metric.CES: (1, 7),
}


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    WEB = "web", "Web"
    APP = "app", "App"
    EMAIL = "email", "Email"
    STORE = "store", "Store"
    VIDEO = "video", "Video"
    FIELD = "field", "Field"


class Scope(models.TextChoices):
    TOUCHPOINT = "touchpoint", "Touch point"
    STAGE = "stage", "Journey stage"
    JOURNEY = "journey", "Journey"
    DEPARTMENT = "department", "Department"
    ORGANISATION = "organisation", "Organisation"


class Grain(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class Journey(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class JourneyStage(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["journey__order", "journey_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "name"], name="metrics_stage_unique_name_per_journey"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey.name} · {self.name}"


class Touchpoint(models.Model):
    """A moment the customer meets the organisation, owned by one accountable department."""

    stage = models.ForeignKey(JourneyStage, on_delete=models.PROTECT, related_name="touchpoints")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    department = models.ForeignKey(
        "cco.Department",
        on_delete=models.PROTECT,
        related_name="touchpoints",
        help_text="The department accountable for this touch point's scores.",
    )
    nps_floor = models.FloatField(null=True, blank=True, help_text="NPS, −100 to 100.")
    nps_target = models.FloatField(null=True, blank=True, help_text="NPS, −100 to 100.")
    csat_floor = models.FloatField(null=True, blank=True, help_text="CSAT top-two box %, 0–100.")
    csat_target = models.FloatField(null=True, blank=True, help_text="CSAT top-two box %, 0–100.")
    ces_floor = models.FloatField(
        null=True, blank=True, help_text="CES mean, 1–7 (higher is easier)."
    )
    ces_target = models.FloatField(
        null=True, blank=True, help_text="CES mean, 1–7 (higher is easier)."
    )

    class Meta:
        ordering = ["stage__journey__order", "stage__order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(nps_floor__isnull=True) | Q(nps_floor__gte=-100, nps_floor__lte=100))
                & (Q(nps_target__isnull=True) | Q(nps_target__gte=-100, nps_target__lte=100)),
                name="metrics_touchpoint_nps_goals_on_scale",
            ),
            models.CheckConstraint(
                condition=(Q(csat_floor__isnull=True) | Q(csat_floor__gte=0, csat_floor__lte=100))
                & (Q(csat_target__isnull=True) | Q(csat_target__gte=0, csat_target__lte=100)),
                name="metrics_touchpoint_csat_goals_on_scale",
            ),
            models.CheckConstraint(
                condition=(Q(ces_floor__isnull=True) | Q(ces_floor__gte=1, ces_floor__lte=7))
                & (Q(ces_target__isnull=True) | Q(ces_target__gte=1, ces_target__lte=7)),
                name="metrics_touchpoint_ces_goals_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("metrics:touchpoint-detail", args=[self.slug])

    @property
    def owning_department_id(self) -> int:
        return self.department_id

    def floor_for(self, metric: str) -> float | None:
        return getattr(self, f"{metric}_floor", None)

    def target_for(self, metric: str) -> float | None:
        return getattr(self, f"{metric}_target", None)


class SurveyResponse(models.Model):
    """One customer's answer. (source, external_id) is unique: a response never counts twice."""

    # No index of its own: metrics_resp_tp_metric_time starts with the touch point, and every
    # index on this table is paid for at ingest.
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.PROTECT, related_name="responses", db_index=False
    )
    metric = models.CharField(max_length=4, choices=Metric.choices)
    score = models.SmallIntegerField()
    responded_at = models.DateTimeField()
    # On PostgreSQL, source and external_id compare in the "C" collation (migration 0004):
    # byte order, the same equality, and a unique index that builds several times faster.
    source = models.CharField(max_length=60, default="import")
    external_id = models.CharField(max_length=120)
    customer_id = models.CharField(max_length=120, blank=True)
    segment = models.CharField(max_length=60, blank=True)
    comment = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # external_id first: it tells rows apart at once, where source is mostly one value,
            # so building the index (after a bulk import) sorts on the distinguishing column.
            models.UniqueConstraint(
                fields=["external_id", "source"], name="metrics_response_unique_external_id"
            ),
            models.CheckConstraint(
                condition=(Q(metric=Metric.NPS) & Q(score__gte=0, score__lte=10))
                | (Q(metric=Metric.CSAT) & Q(score__gte=1, score__lte=5))
                | (Q(metric=Metric.CES) & Q(score__gte=1, score__lte=7)),
                name="metrics_response_score_on_metric_scale",
            ),
        ]
        indexes = [
            # Recent verbatims of one touch point (read backwards), and the incremental roll-up's
            # reread of a few touch points over a few days: with metric and score included it
            # reads the index alone (on PostgreSQL), not a heap page per response. Two 8-byte
            # keys sort quickly when a bulk import rebuilds it.
            models.Index(
                fields=["touchpoint", "responded_at"],
                include=["metric", "score"],
                name="metrics_resp_tp_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.score} at {self.touchpoint_id} ({self.external_id})"


class Rollup(models.Model):
    """Additive sufficient statistics for one metric × scope × grain × period.

    `total` is the sum of raw scores and `total_sq` the sum of their squares, so a mean and its
    variance can be recomputed without the raw rows; promoters/passives/detractors are NPS
    categories (for CSAT, `promoters` counts the top-two box 4–5 and `detractors` 1–2)."""

    # metric, scope and grain compare in the "C" collation on PostgreSQL (migration 0004), so
    # the rebuild's index builds sort by bytes rather than through the locale.
    metric = models.CharField(max_length=4, choices=Metric.choices)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_id = models.BigIntegerField(help_text="The scoped object's id; 0 for the organisation.")
    grain = models.CharField(max_length=8, choices=Grain.choices)
    period_start = models.DateField()
    n = models.IntegerField()
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Also the index for score_series: equality on the first four, range on period_start.
            models.UniqueConstraint(
                fields=["metric", "scope", "scope_id", "grain", "period_start"],
                name="metrics_rollup_unique_period",
            ),
            models.CheckConstraint(
                condition=Q(n__gte=0)
                & Q(promoters__gte=0)
                & Q(passives__gte=0)
                & Q(detractors__gte=0),
                name="metrics_rollup_counts_not_negative",
            ),
        ]
        indexes = [
            # Touch point list / dashboards: every scope's latest period of one grain.
            models.Index(
                fields=["metric", "grain", "scope", "period_start"],
                name="metrics_rollup_grain_period",
            ),
            # One scope's range over every metric (the overview's headline, a department's).
            models.Index(
                fields=["scope", "scope_id", "grain", "period_start"],
                name="metrics_rollup_scope_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.scope}:{self.scope_id} {self.grain} {self.period_start}"


class RollupWatermark(models.Model):
    """A singleton: the highest SurveyResponse id already folded into the roll-ups."""

    last_response_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="metrics_watermark_singleton"),
        ]

    def __str__(self) -> str:
        return f"roll-ups up to response {self.last_response_id}"


class BreachRule(models.TextChoices):
    BELOW_FLOOR = "below_floor", "Below the floor"
    SIGNIFICANT_DROP = "significant_drop", "Significant drop"


class Breach(models.Model):
    """A touch point's complete period whose score fell below its floor or dropped significantly."""

    metric = models.CharField(max_length=4, choices=Metric.choices)
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.TOUCHPOINT)
    scope_id = models.BigIntegerField()
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="breaches"
    )
    grain = models.CharField(max_length=8, choices=Grain.choices)
    period_start = models.DateField()
    value = models.FloatField()
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    n = models.IntegerField()
    rule = models.CharField(max_length=20, choices=BreachRule.choices)
    reference_value = models.FloatField(
        null=True,
        blank=True,
        help_text="The floor, or the previous period's score, the value was compared against.",
    )
    previous_value = models.FloatField(
        null=True, blank=True, help_text="The score of the period before, when it had one."
    )
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "scope", "scope_id", "grain", "period_start", "rule"],
                name="metrics_breach_once_per_period_and_rule",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_metric_display()} {self.get_rule_display().lower()} "
            f"for {self.scope} {self.scope_id}, {self.grain} of {self.period_start}"
        )

    @property
    def summary(self) -> str:
        """What the numbers are, e.g. "10.5, floor 20.0, was 31.2 last period"."""
        parts = [f"{self.value:.1f}"]
        if self.rule == BreachRule.BELOW_FLOOR and self.reference_value is not None:
            parts.append(f"floor {self.reference_value:.1f}")
        if self.previous_value is not None:
            parts.append(f"was {self.previous_value:.1f} last {self.grain}")
        else:
            parts.append(f"no score the {self.grain} before")
        return ", ".join(parts)

    @property
    def owning_department_id(self) -> int | None:
        return self.touchpoint.department_id if self.touchpoint is not None else None


class KPIDirection(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class KPI(models.Model):
    """A department's own measurable (e.g. first-contact resolution %), with a goal."""

    department = models.ForeignKey("cco.Department", on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. %, days, €.")
    direction = models.CharField(
        max_length=6, choices=KPIDirection.choices, default=KPIDirection.HIGHER
    )
    goal = models.FloatField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_kpis",
    )

    class Meta:
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="metrics_kpi_unique_name_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"

    @property
    def owning_department_id(self) -> int:
        return self.department_id


class KPIObservation(models.Model):
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="observations")
    week_start = models.DateField(help_text="The Monday of the ISO week observed.")
    value = models.FloatField()

    class Meta:
        ordering = ["kpi_id", "-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "week_start"], name="metrics_kpi_one_observation_per_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.week_start}: {self.value}"

    @property
    def owning_department_id(self) -> int:
        return self.kpi.department_id


class CustomerOutcome(models.Model):
    """What a customer did — stayed or left, and what they spent — imported from the CRM or
    billing system, to read next to what they said in their NPS answers."""

    customer_id = models.CharField(max_length=120, unique=True)
    retained = models.BooleanField(help_text="Still a customer at the as-of date.")
    revenue = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True,
        help_text="Revenue from the customer over the last twelve months.",
    )  # fmt: skip
    as_of = models.DateField()
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id"]

    def __str__(self) -> str:
        return f"{self.customer_id}: {'retained' if self.retained else 'left'}"


class NpsCategory(models.TextChoices):
    PROMOTER = "promoter", "Promoters (9–10)"
    PASSIVE = "passive", "Passives (7–8)"
    DETRACTOR = "detractor", "Detractors (0–6)"


class SayDoRollup(models.Model):
    """Customers with both an NPS answer and an outcome, grouped by the category of their latest
    answer at one scope (a touch point, journey, department or the organisation) and the segment
    that answer carried. `segment` "" is every segment together (answers without a segment count
    only there). Rebuilt whole by `say_do_rebuild`; pages read only these rows."""

    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.ORGANISATION)
    scope_id = models.BigIntegerField(default=0, help_text="0 for the organisation.")
    segment = models.CharField(max_length=60, default="", blank=True)
    category = models.CharField(max_length=10, choices=NpsCategory.choices)
    customers = models.IntegerField()
    retained = models.IntegerField()
    revenue_customers = models.IntegerField(help_text="Of these, how many have revenue known.")
    revenue_total = models.FloatField()
    rebuilt_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope", "scope_id", "segment", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "segment", "category"],
                name="metrics_saydo_unique_group",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.scope}:{self.scope_id}" + (f" {self.segment}" if self.segment else "")
        return f"{where} {self.category}: {self.customers} customers"


class SegmentRollup(models.Model):
    """A roll-up row for one customer segment: metric × scope × segment × grain × period, the
    same additive counts as `Rollup`, at the same grains. Kept apart from `Rollup` so the
    unfiltered reads never grow with the number of segments; rebuilt whole by
    `segment_rollup_rebuild` from the touch-point days of responses that carry a segment."""

    metric = models.CharField(max_length=4, choices=Metric.choices)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_id = models.BigIntegerField()
    segment = models.CharField(max_length=60)
    grain = models.CharField(max_length=8, choices=Grain.choices, default=Grain.MONTH)
    period_start = models.DateField(help_text="The first day of the period.")
    n = models.IntegerField()
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of a segment's series and of its range sums over day rows:
            # equality on five, range on the period.
            models.UniqueConstraint(
                fields=["metric", "scope", "scope_id", "segment", "grain", "period_start"],
                name="metrics_segmentrollup_unique_period",
            ),
        ]
        indexes = [  # a filtered overview's range sums; a breakdown of one scope by segment
            models.Index(fields=["segment", "grain", "scope", "period_start"],
                         name="metrics_segrollup_seg_range"),
            models.Index(fields=["scope", "scope_id", "grain", "period_start"],
                         name="metrics_segrollup_scope_range"),
        ]  # fmt: skip

    def __str__(self) -> str:
        where = f"{self.scope}:{self.scope_id} {self.segment}"
        return f"{self.metric} {where} {self.grain} {self.period_start}"


# The red / amber / green cut-offs live in their own module; Django finds them through this one.
from metrics.cutoff_models import CutoffMeasure as CutoffMeasure  # noqa: E402
from metrics.cutoff_models import ScoreCutoffChange as ScoreCutoffChange  # noqa: E402
from metrics.cutoff_models import ScoreCutoffSetting as ScoreCutoffSetting  # noqa: E402

# The theme taxonomy and its links to responses.
from metrics.theme_models import ResponseTheme as ResponseTheme  # noqa: E402
from metrics.theme_models import Theme as Theme  # noqa: E402
from metrics.theme_models import ThemeWatermark as ThemeWatermark  # noqa: E402
