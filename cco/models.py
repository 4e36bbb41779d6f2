from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Role(models.TextChoices):
    CCO = "cco", "Chief Customer Officer"
    EXECUTIVE = "executive", "Executive"
    DEPARTMENT_HEAD = "department_head", "Department head"
    CONTRIBUTOR = "contributor", "Contributor"


class User(AbstractUser):
    """A person using the product. Their role decides what they may change (see cco/rules.py)."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    department = models.ForeignKey(
        "cco.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The department a department head leads or a contributor works in.",
    )
    title = models.CharField(max_length=120, blank=True, help_text="Job title, e.g. 'COO'.")

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_cco(self) -> bool:
        return self.is_active and self.role == Role.CCO

    @property
    def is_executive(self) -> bool:
        return self.is_active and self.role == Role.EXECUTIVE

    @property
    def is_department_head(self) -> bool:
        return self.is_active and self.role == Role.DEPARTMENT_HEAD


class Department(models.Model):
    """A part of the organisation that is held accountable for touch points and actions."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    head = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("department-detail", args=[self.slug])

    def clean(self) -> None:
        if self.head is not None and (problem := department_head_problem(self.head)):
            raise ValidationError({"head": problem})

    @property
    def owning_department_id(self) -> int:
        return self.pk


def department_head_problem(person: User) -> str:
    """Why `person` cannot head a department, or "" when they can."""
    if person.role != Role.DEPARTMENT_HEAD:
        return (
            f"{person} has the role {person.get_role_display()}; "
            "only a department head can head a department."
        )
    return ""


class DigestLog(models.Model):
    """One row per weekly executive digest sent: the unique week makes sending idempotent."""

    week_start = models.DateField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField()

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Executive digest for the week of {self.week_start:%d %b %Y}"


class ApiToken(models.Model):
    """A person's API token, one each, kept only as the SHA-256 digest of its key: the key is
    shown once, when it is made (cco/tokens.py), and cannot be read back from the database."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_token")
    # Looked up on every API call: unique, so indexed.
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token of {self.user}"
