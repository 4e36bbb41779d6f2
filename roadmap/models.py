"""The CCO's multi-year plan: pillars, initiatives, milestones, dependencies, expected results.

Models hold fields, constraints and small derived properties only; every rule that spans rows
(windows, cycles, "expected results before work starts") lives in roadmap/services.py.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from metrics.models import Scope
from roadmap.scopes import scope_label
from roadmap.stats import BASELINE_MONTHS, HIGHER_IS_BETTER, TIME_TO_IMPACT_MONTHS


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    AT_RISK = "at_risk", "At risk"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Measure(models.TextChoices):
    """What an expected result promises to move: a score (NPS, CSAT, CES, from the survey
    roll-ups) or an outcome (retention and revenue from the imported customer outcomes, cost to
    serve and any other KPI from a department KPI's weekly observations)."""

    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"
    RETENTION = "retention", "Retention %"
    REVENUE = "revenue", "Revenue per customer"
    COST_TO_SERVE = "cost_to_serve", "Cost to serve (KPI)"
    KPI = "kpi", "Department KPI"


SCORE_MEASURES = (Measure.NPS, Measure.CSAT, Measure.CES)
OUTCOME_MEASURES = (Measure.RETENTION, Measure.REVENUE)
KPI_MEASURES = (Measure.COST_TO_SERVE, Measure.KPI)


# Scopes an expected result may name: a stage is too fine-grained for a five-year promise.
RESULT_SCOPES = [
    (Scope.TOUCHPOINT.value, Scope.TOUCHPOINT.label),
    (Scope.JOURNEY.value, Scope.JOURNEY.label),
    (Scope.DEPARTMENT.value, Scope.DEPARTMENT.label),
    (Scope.ORGANISATION.value, Scope.ORGANISATION.label),
]


class Roadmap(models.Model):
    """A multi-year plan, typically five years; exactly one may be the current one."""

    name = models.CharField(max_length=200, unique=True)
    start_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    is_current = models.BooleanField(
        default=False, help_text="The plan the timeline and dashboards show by default."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_current", "-start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="roadmap_end_year_not_before_start_year",
                violation_error_message="The end year must not be before the start year.",
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="roadmap_one_current",
                violation_error_message="Only one roadmap can be the current one.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('roadmap:timeline')}?roadmap={self.pk}"

    @property
    def start_date(self) -> date:
        return date(self.start_year, 1, 1)

    @property
    def end_date(self) -> date:
        return date(self.end_year, 12, 31)

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class Pillar(models.Model):
    """A theme of the plan (e.g. "Know the customer"); initiatives are grouped by pillar."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="pillars")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    colour = models.CharField(
        max_length=7,
        default="#1d4f91",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1d4f91.")],
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["roadmap", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "name"],
                name="pillar_unique_name_per_roadmap",
                violation_error_message="This roadmap already has a pillar with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    """A project of the plan, owned by one department, expected to move named scores."""

    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="initiatives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    department = models.ForeignKey(
        "cco.Department", on_delete=models.PROTECT, related_name="initiatives"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_initiatives",
        help_text="The executive who sponsors the initiative.",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    progress = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Per cent complete; leave empty to roll it up from the milestones.",
    )
    notes = models.TextField(blank=True, help_text="The owning department's latest word.")
    budget = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text="What the initiative is expected to cost, in the revenue's currency.",
    )  # fmt: skip
    driver = models.ForeignKey(
        "metrics.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="cited_by_initiatives", verbose_name="driver cited",
        help_text="The touch point the driver analysis names as the reason for this initiative.",
    )  # fmt: skip
    depends_on: "models.ManyToManyField[Initiative, Dependency]" = models.ManyToManyField(
        "self", through="Dependency", symmetrical=False, related_name="dependents", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pillar__order", "start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="initiative_ends_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="initiative_progress_at_most_100",
                violation_error_message="Progress is a percentage between 0 and 100.",
            ),
            models.UniqueConstraint(
                fields=["pillar", "title"],
                name="initiative_unique_title_per_pillar",
                violation_error_message="This pillar already has an initiative with this title.",
            ),
        ]
        indexes = [
            # The department page lists the initiatives one department owns.
            models.Index(fields=["department", "start_date"], name="initiative_dept_start_idx"),
            # The timeline filters by status.
            models.Index(fields=["status"], name="initiative_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("roadmap:initiative-detail", args=[self.pk])

    @property
    def owning_department_id(self) -> int:
        return self.department_id


class Milestone(models.Model):
    """A dated step of an initiative; key accomplishments are what a year must show."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    done_date = models.DateField(null=True, blank=True)
    is_key = models.BooleanField(
        "key accomplishment",
        default=False,
        help_text="One of the few things the year must accomplish; shown in the year view.",
    )

    class Meta:
        ordering = ["due_date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "title"],
                name="milestone_unique_title_per_initiative",
                violation_error_message="This initiative already has a milestone with this title.",
            )
        ]
        indexes = [
            # The year view and the accountability agenda read milestones by due date.
            models.Index(fields=["due_date", "done_date"], name="milestone_due_done_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.initiative.get_absolute_url()}#milestone-{self.pk}"

    @property
    def owning_department_id(self) -> int:
        return self.initiative.department_id

    @property
    def is_done(self) -> bool:
        return self.done_date is not None


class Dependency(models.Model):
    """`initiative` cannot finish (or start well) until `depends_on` has delivered."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="dependency_links"
    )
    depends_on = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="dependent_links"
    )

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "depends_on"],
                name="dependency_unique_pair",
                violation_error_message="This dependency is already recorded.",
            ),
            models.CheckConstraint(
                condition=~Q(initiative=F("depends_on")),
                name="dependency_not_on_itself",
                violation_error_message="An initiative cannot depend on itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} depends on {self.depends_on}"

    @property
    def owning_department_id(self) -> int:
        return self.initiative.department_id


class ExpectedResult(models.Model):
    """The score an initiative promises to move: from its baseline (measured over the months
    before the start, or typed) to `target` by `by_date`, judged from `time_to_impact` months
    after the start (roadmap.stats.result_verdict)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="expected_results"
    )
    metric = models.CharField("measure", max_length=16, choices=Measure.choices)
    kpi = models.ForeignKey(
        "metrics.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="KPI",
        help_text="For cost to serve or a department KPI: the KPI read (its department is the "
        "scope).",
    )  # fmt: skip
    scope = models.CharField(max_length=20, choices=RESULT_SCOPES)
    scope_id = models.PositiveIntegerField(
        default=0, help_text="The touch point, journey or department; 0 for the organisation."
    )
    baseline = models.FloatField(
        "typed baseline",
        null=True,
        blank=True,
        help_text="Leave empty to measure it: the score over the months before the start "
        "(below). A typed figure overrides the measured one, and the pages say so.",
    )
    baseline_months = models.PositiveSmallIntegerField(
        "baseline window (months)",
        default=BASELINE_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="The complete months before the initiative's start the baseline is measured on.",
    )
    target = models.FloatField(help_text="The score promised by the date below.")
    by_date = models.DateField()
    time_to_impact = models.PositiveSmallIntegerField(
        "time to impact (months)",
        default=TIME_TO_IMPACT_MONTHS,
        validators=[MaxValueValidator(60)],
        help_text="Months after the start before the result is judged; until then it reads "
        "“too early”.",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["by_date", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "metric", "scope", "scope_id"],
                condition=Q(kpi__isnull=True),
                name="expected_result_unique_per_initiative",
                violation_error_message="This initiative already expects a result for this score.",
            ),
            models.UniqueConstraint(
                fields=["initiative", "kpi"],
                condition=Q(kpi__isnull=False),
                name="expected_result_unique_kpi_per_initiative",
                violation_error_message="This initiative already expects a result for this KPI.",
            ),
            models.CheckConstraint(
                condition=Q(
                    kpi__isnull=True, metric__in=["nps", "csat", "ces", "retention", "revenue"]
                )
                | Q(kpi__isnull=False, metric__in=["cost_to_serve", "kpi"]),
                name="expected_result_kpi_exactly_for_kpi_measures",
                violation_error_message="Cost to serve and a department KPI name their KPI; "
                "other measures name none.",
            ),
            models.CheckConstraint(
                condition=~Q(scope="organisation") | Q(scope_id=0),
                name="expected_result_organisation_scope_id_zero",
                violation_error_message="The whole organisation has scope id 0.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_months__gte=1, baseline_months__lte=24),
                name="expected_result_baseline_months_1_to_24",
                violation_error_message="The baseline is measured on 1 to 24 months.",
            ),
            models.CheckConstraint(
                condition=Q(time_to_impact__lte=60),
                name="expected_result_time_to_impact_at_most_60",
                violation_error_message="The time to impact is at most 60 months.",
            ),
        ]

    def __str__(self) -> str:
        baseline = "measured baseline" if self.baseline is None else f"{self.baseline:g}"
        return f"{self.get_metric_display()} {baseline} → {self.target:g} by {self.by_date}"

    @property
    def owning_department_id(self) -> int:
        return self.initiative.department_id

    @property
    def higher_is_better(self) -> bool:
        if self.metric == Measure.KPI and self.kpi is not None:
            return self.kpi.direction == "higher"
        return HIGHER_IS_BETTER.get(self.metric, True)

    @property
    def measure_name(self) -> str:
        """ "Retention %", or the KPI's own name for a KPI-backed measure."""
        if self.kpi_id is not None and self.kpi is not None:
            return f"{self.get_metric_display()}: {self.kpi.name}"
        return str(self.get_metric_display())

    @property
    def scope_label(self) -> str:
        return scope_label(scope=self.scope, scope_id=self.scope_id)


class InitiativeUpdate(models.Model):
    """Who changed what on an initiative, when: written with the change, in one transaction."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=500)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The initiative page shows its latest updates first.
            models.Index(fields=["initiative", "-created_at"], name="initiative_update_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.summary}"
