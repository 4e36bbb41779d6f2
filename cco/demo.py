"""The demo organisation: departments a CCO works across, their heads, executives, contributors;
and what every app's demo seed shares (progress lines, plain-row inserts).

Deterministic and safe to re-run: people and departments are matched by username and slug.
"""

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model

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


# --- What every app's demo seed shares -----------------------------------------------------


class Progress:
    """Progress lines for a seed that takes a while: each step with the seconds it took.

    A newcomer's `make run` waits on the seed; a line per step (and per batch of a long step)
    shows that it is moving and where the time goes.
    """

    def __init__(self, stdout: Any, label: str) -> None:
        self.stdout = stdout
        self.label = label
        self.started = time.perf_counter()
        self.step_started = self.started

    def done(self, text: str) -> None:
        """A step finished: say what it made and how long it took."""
        now = time.perf_counter()
        self.write(f"{text} ({now - self.step_started:.1f} s)")
        self.step_started = now

    def partial(self, text: str) -> None:
        """A batch of a long step: how far it is, with the step's time so far."""
        self.write(f"{text} ({time.perf_counter() - self.step_started:.1f} s)")

    def write(self, text: str) -> None:
        self.stdout.write(f"  {self.label}: {text}")
        # Shown as it happens even when the output is piped (make run | tee, CI logs).
        self.stdout.flush()


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain tuples straight into a model's table, in one statement per call.

    The demo writes hundreds of thousands of rows: building a model instance per row and
    letting Django prepare each value costs several times the insert itself. Values must
    already be in the database's form (see `db_datetime`). No signals are sent, as with
    bulk_create.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = {field.name: field.column for field in model._meta.concrete_fields}
    names = ", ".join(quote(fields[name]) for name in columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY skips parsing and planning an INSERT per batch: several times faster.
            text = io.StringIO("".join(_copy_line(row) for row in rows))
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", text)
        else:
            # SQLite runs one prepared statement per row in C: the fastest way in.
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 - names from the model


def _copy_line(row: Sequence[Any]) -> str:
    """One row in COPY's text format: tab-separated, \\N for NULL, backslash escapes."""
    values = []
    for value in row:
        if value is None:
            values.append("\\N")
        elif isinstance(value, bool):
            values.append("t" if value else "f")
        else:
            values.append(str(value).translate(_COPY_ESCAPES))
    return "\t".join(values) + "\n"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def db_datetime(moment: datetime) -> Any:
    """An aware datetime as the database takes it in a raw insert (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)
