"""Compliments: collected from verbatims that mention a praise theme, flagged by hand from the
verbatims, routed to a department and optionally one of its people, and the praise themes the
CCO chooses."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accountability.models import Compliment
from accountability.models.compliments import ComplimentSource, PraiseTheme
from cco.models import Department, User
from metrics.models import ResponseTheme, SurveyResponse, Theme

BATCH = 2000


def compliments_collect() -> int:
    """A compliment for every response whose comment mentions a praise theme and has none yet,
    routed to the department owning its touch point; the number made. Safe to run twice: a
    response has at most one compliment (a unique constraint)."""
    links = (
        ResponseTheme.objects.filter(theme__praise__isnull=False)
        .exclude(response__compliments__isnull=False)
        .order_by("response_id", "theme__position")
        .values_list(
            "response_id",
            "theme_id",
            "response__touchpoint__department_id",
            "response__responded_at",
        )
    )
    made = 0
    seen: set[int] = set()
    batch: list[Compliment] = []
    for response_id, theme_id, department_id, responded_at in links.iterator(chunk_size=BATCH):
        if response_id in seen:
            continue
        seen.add(response_id)
        batch.append(
            Compliment(
                response_id=response_id,
                department_id=department_id,
                source=ComplimentSource.THEME,
                theme_id=theme_id,
                responded_at=responded_at,
            )
        )
        if len(batch) >= BATCH:
            made += len(Compliment.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    made += len(Compliment.objects.bulk_create(batch, ignore_conflicts=True))
    return made


def _department(value: object, field: str = "department") -> Department:
    text = str(value).strip() if value is not None else ""
    department = (
        Department.objects.filter(pk=int(text)).first()
        if text.isdigit()
        else Department.objects.filter(slug=text).first()
    )
    if department is None:
        raise ValidationError({field: f"No department {text!r}."})
    return department


def _person(value: object, department: Department) -> User | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    person = User.objects.filter(pk=int(text), is_active=True).first() if text.isdigit() else None
    if person is None:
        raise ValidationError({"person": f"No person {text!r}."})
    if person.department_id != department.pk:
        raise ValidationError({"person": f"{person} is not in {department}."})
    return person


def compliment_flag(
    *, actor: User, response_id: object, department: object = None, person: object = None
) -> Compliment:
    """A head or the CCO marks a verbatim as a compliment, for the department owning its touch
    point unless another is named, and optionally one of its people. ValidationError names the
    field: no such response, no comment, a compliment already, a person of another department."""
    if not actor.has_perm("cco.flag_compliment"):
        raise PermissionDenied("Heads and the CCO flag compliments.")
    text = str(response_id).strip() if response_id is not None else ""
    response = (
        SurveyResponse.objects.select_related("touchpoint").filter(pk=int(text)).first()
        if text.isdigit()
        else None
    )
    if response is None:
        raise ValidationError({"response": f"No response {text!r}."})
    if not response.comment.strip():
        raise ValidationError({"response": "That response has no comment to pass on."})
    routed = (
        _department(department)
        if department not in (None, "")
        else Department.objects.get(pk=response.touchpoint.department_id)
    )
    who = _person(person, routed)
    try:
        with transaction.atomic():
            return Compliment.objects.create(
                response=response,
                department=routed,
                person=who,
                source=ComplimentSource.HAND,
                flagged_by=actor,
                responded_at=response.responded_at,
            )
    except IntegrityError as exc:
        raise ValidationError({"response": "That response is a compliment already."}) from exc


def compliment_route(
    *, actor: User, compliment: Compliment, department: object, person: object = None
) -> Compliment:
    """Send a compliment on to another department, or to one person of its department: the head
    of the department it is with, or the CCO."""
    if not actor.has_perm("cco.route_compliment", compliment):
        raise PermissionDenied("The head of the compliment's department or the CCO routes it.")
    routed = _department(department) if department not in (None, "") else compliment.department
    compliment.department = routed
    compliment.person = _person(person, routed)
    compliment.save(update_fields=["department", "person"])
    return compliment


@transaction.atomic
def praise_themes_set(*, actor: User, theme_ids: list[str]) -> int:
    """The CCO chooses which themes are praise; their mentions become compliments at once."""
    if not actor.has_perm("cco.manage_product"):
        raise PermissionDenied("The CCO chooses the praise themes.")
    ids = {int(v) for v in theme_ids if str(v).strip().isdigit()}
    known = set(Theme.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if unknown := ids - known:
        raise ValidationError({"theme": f"No theme {sorted(unknown)[0]}."})
    PraiseTheme.objects.exclude(theme_id__in=known).delete()
    have = set(PraiseTheme.objects.values_list("theme_id", flat=True))
    PraiseTheme.objects.bulk_create(PraiseTheme(theme_id=pk) for pk in known - have)
    return compliments_collect()
