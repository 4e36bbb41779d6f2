"""The demo organisation: departments a CCO works across, their heads, executives, contributors.

Deterministic and safe to re-run: people and departments are matched by username and slug.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cco.models import Department, Role, User

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only; seed_demo refuses to run with DEBUG=0


@dataclass(frozen=True)
class DemoDepartment:
    slug: str
    name: str
    head_first: str
    head_last: str
    head_title: str
    contributors: tuple[tuple[str, str], ...]


DEPARTMENTS = [
    DemoDepartment(
        "customer-service",
        "Contact centre & customer service",
        "Maria",
        "Lopez",
        "VP Customer Service",
        (("Tom", "Becker"), ("Aisha", "Khan")),
    ),
    DemoDepartment(
        "sales",
        "Sales",
        "James",
        "Carter",
        "Chief Sales Officer",
        (("Lena", "Fischer"), ("Omar", "Haddad")),
    ),
    DemoDepartment(
        "marketing",
        "Marketing",
        "Sophie",
        "Martin",
        "CMO",
        (("Noah", "Williams"), ("Yuki", "Tanaka")),
    ),
    DemoDepartment(
        "digital",
        "Digital",
        "Raj",
        "Patel",
        "Head of Digital",
        (("Emma", "Dubois"), ("Lucas", "Silva")),
    ),
    DemoDepartment(
        "product",
        "Product development",
        "Anna",
        "Kowalski",
        "VP Product",
        (("Ben", "Adams"), ("Chloe", "Nguyen")),
    ),
    DemoDepartment(
        "it", "IT", "Daniel", "Schmidt", "CIO", (("Priya", "Sharma"), ("Marco", "Rossi"))
    ),
    DemoDepartment(
        "operations",
        "Operations & fulfilment",
        "Grace",
        "O'Brien",
        "COO",
        (("Samuel", "Okafor"), ("Ines", "Moreau")),
    ),
    DemoDepartment(
        "finance",
        "Finance & billing",
        "Peter",
        "Johansson",
        "CFO",
        (("Hannah", "Weber"), ("Diego", "Garcia")),
    ),
    DemoDepartment("legal", "Legal", "Claire", "Dupont", "General Counsel", (("Victor", "Lind"),)),
    DemoDepartment("hr", "Human resources", "Fatima", "Ali", "CHRO", (("Oliver", "Brown"),)),
    DemoDepartment(
        "strategy",
        "Corporate strategy",
        "Henrik",
        "Nielsen",
        "Chief Strategy Officer",
        (("Julia", "Costa"),),
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    department: str


def _person(
    username: str,
    first: str,
    last: str,
    role: str,
    password_hash: str,
    department: Department | None = None,
    title: str = "",
) -> User:
    person, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.com",
            "role": role,
            "department": department,
            "title": title,
            "is_active": True,
        },
    )
    if not person.password or not person.check_password(DEMO_PASSWORD):
        person.password = password_hash
        person.save(update_fields=["password"])
    return person


@transaction.atomic
def seed_organisation() -> list[DemoLogin]:
    """Create or refresh the demo organisation; returns the logins to print."""
    password_hash = make_password(DEMO_PASSWORD)
    logins = []
    cco = _person(
        "cco", "Charlotte", "Reyes", Role.CCO, password_hash, title="Chief Customer Officer"
    )
    cco.is_staff = cco.is_superuser = True
    cco.save(update_fields=["is_staff", "is_superuser"])
    logins.append(DemoLogin("cco", "Chief Customer Officer", ""))
    _person("executive", "Edward", "Hughes", Role.EXECUTIVE, password_hash, title="CEO")
    _person("board", "Beatrice", "Lindqvist", Role.EXECUTIVE, password_hash, title="Board chair")
    logins.append(DemoLogin("executive", "Executive (CEO)", ""))
    logins.append(DemoLogin("board", "Executive (board chair)", ""))

    for spec in DEPARTMENTS:
        department, _ = Department.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name}
        )
        head = _person(
            f"head-{spec.slug}",
            spec.head_first,
            spec.head_last,
            Role.DEPARTMENT_HEAD,
            password_hash,
            department,
            spec.head_title,
        )
        if department.head_id != head.pk:
            department.head = head
            department.save(update_fields=["head"])
        logins.append(DemoLogin(head.username, "Department head", spec.name))
        for index, (first, last) in enumerate(spec.contributors, start=1):
            _person(
                f"{spec.slug}-{index}", first, last, Role.CONTRIBUTOR, password_hash, department
            )
    # The contact centre sits under operations in many organisations; show a parent link.
    Department.objects.filter(slug="customer-service").update(
        parent=Department.objects.get(slug="operations")
    )
    return logins
