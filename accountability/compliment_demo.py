"""Demo compliments: the taxonomy's praising themes marked as praise, their verbatims collected,
and a few routed on to a person of the department (the first named per department)."""

from django.db import transaction

from accountability.models import Compliment
from accountability.models.compliments import PraiseTheme
from accountability.services.compliments import compliments_collect
from cco.models import User
from metrics.models import Theme

PRAISING = ("Friendly staff", "Speed", "Ease")
ROUTED_PER_DEPARTMENT = 3


@transaction.atomic
def seed_compliments() -> dict[str, int]:
    if PraiseTheme.objects.exists():
        return {"compliments": 0, "routed": 0}
    for theme in Theme.objects.filter(name__in=PRAISING):
        PraiseTheme.objects.create(theme=theme)
    made = compliments_collect()
    routed = 0
    people: dict[int, User] = {}
    for person in User.objects.filter(is_active=True, department__isnull=False).order_by("pk"):
        if person.department_id is not None:
            people.setdefault(person.department_id, person)
    for department_id, person in people.items():
        latest = Compliment.objects.filter(department_id=department_id, person__isnull=True)
        ids = list(latest.values_list("pk", flat=True)[:ROUTED_PER_DEPARTMENT])
        routed += Compliment.objects.filter(pk__in=ids).update(person=person)
    return {"compliments": made, "routed": routed}
