"""The employee pulse: rounds the CCO defines, and answers that name no one.

Anonymity is kept by the shape of the tables, not by a promise:
- `PulseAnswer` (and its `PulseItemScore` rows) hold the scores and the respondent's department,
  never the respondent; their key is a random UUID and they carry no time, so neither the key
  order nor a timestamp lines an answer up with the person who gave it;
- `PulseParticipation` records who answered a round (one row per person and round, unique in the
  database) and holds no score.
Results are shown only for groups of at least the round's minimum (accountability.pulse_stats).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

DEFAULT_MIN_GROUP = 5
# Below three a group's mean gives away too much whatever the CCO sets.
LOWEST_MIN_GROUP = 3


class PulseRound(models.Model):
    """One pulse round for one department, or for every department when `department` is empty."""

    title = models.CharField(max_length=160)
    department = models.ForeignKey(
        "cco.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pulse_rounds",
        help_text="Empty: every department answers.",
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    min_group = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_GROUP,
        help_text="Results are shown only for groups of at least this many respondents.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="pulse_round_closes_after"
            ),
            models.CheckConstraint(
                condition=Q(min_group__gte=LOWEST_MIN_GROUP), name="pulse_round_min_group_floor"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owning_department_id(self) -> int | None:
        return self.department_id

    def is_open(self, today: object) -> bool:
        return bool(self.opens_on <= today <= self.closes_on)  # type: ignore[operator]

    def results_final(self, today: object) -> bool:
        """Results are shown once the round has closed: a figure that moves with each new answer
        would tell, by difference, what the last person answered."""
        return bool(self.closes_on < today)  # type: ignore[operator]


class PulseItem(models.Model):
    """A 1–5 agreement statement of a round, e.g. "I have the tools to solve the customer's
    problem"."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="pulse_item_order_once"),
        ]

    def __str__(self) -> str:
        return self.text


class PulseParticipation(models.Model):
    """Who answered a round — and nothing of what they answered."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_participations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="pulse_one_answer_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} answered {self.round}"


class PulseAnswer(models.Model):
    """One answer to a round — and nothing of who gave it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="answers")
    # The respondent's department when they answered (results are grouped by it); empty for
    # someone who belongs to none.
    department = models.ForeignKey(
        "cco.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enps = models.PositiveSmallIntegerField()
    imported = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(enps__lte=10), name="pulse_enps_0_to_10"),
        ]
        indexes = [models.Index(fields=["round", "department"], name="pulse_answer_group_idx")]

    def __str__(self) -> str:
        return "An anonymous pulse answer"


class PulseItemScore(models.Model):
    answer = models.ForeignKey(PulseAnswer, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(PulseItem, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "item"], name="pulse_score_once_per_item"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="pulse_item_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return "An anonymous item score"
