"""Demo pulse rounds and front-line blockers.

Three closed pulse rounds for every department and one open, with answers gathered as a kiosk
would (imported: no person recorded), so that departments really differ: each department has its
own mood, drifting a little round to round; one department answers too few times in one round to
be shown. Blockers cover every state: open, past its service level, loud enough for the agenda,
answered, resolved, and resolved into an action item.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accountability.models import Blocker, PulseRound
from accountability.services import blockers as blocker_services
from accountability.services import pulse as pulse_services
from cco.models import Department, Role, User

ITEMS = [
    "I have the tools to solve the customer's problem",
    "I know what happens to the feedback customers give",
    "I can fix a customer's problem without asking permission",
]


def seed_pulse_and_blockers() -> dict[str, int]:
    if PulseRound.objects.exists() or Blocker.objects.exists():
        return {"rounds": 0, "answers": 0, "blockers": 0}
    cco = User.objects.filter(role=Role.CCO, is_active=True).order_by("pk").first()
    departments = list(Department.objects.order_by("name"))
    if cco is None or not departments:
        return {"rounds": 0, "answers": 0, "blockers": 0}
    with transaction.atomic():
        rounds, answers = _pulse(cco, departments)
        blockers = _blockers(cco, departments)
    return {"rounds": rounds, "answers": answers, "blockers": blockers}


def _pulse(cco: User, departments: list[Department]) -> tuple[int, int]:
    rng = random.Random(23)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    # Each department's mood: the chance of a promoter and of a detractor.
    moods = {d.pk: (0.15 + 0.5 * rng.random(), 0.1 + 0.3 * rng.random()) for d in departments}
    answers = 0
    starts = [today - timedelta(days=days) for days in (200, 110, 20)]
    for index, start in enumerate([*starts, today]):
        closes = start + timedelta(days=10) if start != today else today + timedelta(days=10)
        round_ = pulse_services.round_create(
            title=f"Pulse {start:%B %Y}",
            department=None,
            opens_on=start,
            closes_on=closes,
            items=ITEMS,
            min_group=5,
            created_by=cco,
        )
        if start == today:
            continue  # open: people answer it in the product
        items = list(round_.items.all())
        for position, department in enumerate(departments):
            promote, detract = moods[department.pk]
            drift = 0.05 * (index - 1)
            # The last department answers only four times in the middle round: withheld.
            count = 4 if (index == 1 and position == len(departments) - 1) else rng.randint(8, 18)
            for _ in range(count):
                draw = rng.random()
                if draw < promote + drift:
                    enps = rng.choice([9, 10])
                elif draw < promote + drift + detract:
                    enps = rng.randint(2, 6)
                else:
                    enps = rng.choice([7, 8])
                scores = {
                    item.pk: max(1, min(5, round(1 + 4 * promote + rng.gauss(0, 0.8))))
                    for item in items
                }
                pulse_services.save_answer(round_, department.pk, enps, scores, imported=True)
                answers += 1
    return 4, answers


def _blockers(cco: User, departments: list[Department]) -> int:
    people = list(User.objects.filter(is_active=True).exclude(role="").order_by("pk"))
    if len(people) < 3:
        return 0
    today = timezone.localdate()
    made = 0
    texts = [
        ("Refunds need three approvals; customers wait a week", "open"),
        ("The knowledge base search misses half our own articles", "late"),
        ("Courier status is not visible to the phone team", "loud"),
        ("Billing codes differ between the CRM and the invoices", "answered"),
        ("Agents cannot extend a trial without a ticket to sales", "resolved"),
        ("Damaged-goods photos cannot be attached to a case", "action"),
    ]
    for index, (title, state) in enumerate(texts):
        department = departments[index % len(departments)]
        head = department.head or cco
        raiser = people[index % len(people)]
        blocker = blocker_services.blocker_raise(
            actor=raiser, title=title, department_id=department.pk
        )
        made += 1
        if state == "late":
            Blocker.objects.filter(pk=blocker.pk).update(
                raised_at=timezone.now() - timedelta(days=14),
                answer_due=today - timedelta(days=5),
            )
        elif state == "loud":
            for person in [p for p in people if p != raiser][:3]:
                blocker_services.blocker_voice(actor=person, blocker=blocker)
        elif state in ("answered", "resolved", "action"):
            blocker_services.blocker_answer(
                actor=head,
                blocker=blocker,
                answer="Agreed with the team; the change ships with the next release.",
                resolve=state != "answered",
            )
            if state == "action":
                blocker_services.blocker_to_action(
                    actor=head, blocker=blocker, due=today + timedelta(days=21)
                )
    return made
