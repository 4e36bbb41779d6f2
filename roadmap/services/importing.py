"""Import a roadmap from the CSV a CCO already keeps in a spreadsheet.

One row per milestone (or per initiative without milestones). Initiative columns may be repeated
on each of its rows or left blank after the first. Every row is checked, and the report names
row, column and reason; on any error nothing is saved (one transaction, rolled back).
"""

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cco.access import require_perm
from cco.csv_safety import plain_cell
from cco.importing import RowError, UnreadableFile, csv_rows
from cco.models import Department, User
from roadmap.models import Initiative, Milestone, Pillar, Roadmap, Status
from roadmap.services.plan import (
    dependency_add,
    initiative_create,
    initiative_update,
    milestone_save,
    pillar_save,
)

COLUMNS = [
    "pillar",
    "initiative",
    "department",
    "sponsor",
    "start",
    "end",
    "status",
    "progress",
    "depends_on",
    "description",
    "milestone",
    "due",
    "done",
    "key",
]
REQUIRED_COLUMNS = ("pillar", "initiative")
PILLAR_COLOURS = ["#1d4f91", "#1e7b4f", "#a86400", "#7b3fa0", "#b3261e", "#2d7d9a"]
MAX_ROWS = 5000


@dataclass
class ImportReport:
    pillars_created: int = 0
    initiatives_created: int = 0
    initiatives_updated: int = 0
    milestones_created: int = 0
    milestones_updated: int = 0
    dependencies_added: int = 0
    errors: list[RowError] = field(default_factory=list)


class RoadmapImportError(Exception):
    """The file had errors; nothing was saved. `errors` lists them by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported.")
        self.errors = errors


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date; write it as YYYY-MM-DD.") from None


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("yes", "y", "true", "1", "x", "key"):
        return True
    if lowered in ("", "no", "n", "false", "0"):
        return False
    raise ValueError(f"“{text}” is not yes or no.")


def _parse_status(text: str) -> str:
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for value, label in Status.choices:
        if wanted in (value.replace("_", " "), label.lower()):
            return value
    raise ValueError(f"“{text}” is not a status; use one of: {', '.join(Status.labels)}.")


def _parse_progress(text: str) -> int | None:
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned:
        return None
    try:
        value = int(float(cleaned))
    except ValueError:
        raise ValueError(f"“{text}” is not a percentage.") from None
    if not 0 <= value <= 100:
        raise ValueError(f"{value} is not between 0 and 100.")
    return value


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            (name, " ".join(m for e in errs for m in e.messages))
            for name, errs in error.error_dict.items()
        ]
    return [("", " ".join(error.messages))]


# Model field names as the CSV calls them, so a service's error names the column a CCO sees.
FIELD_TO_COLUMN = {
    "title": "initiative",
    "start_date": "start",
    "end_date": "end",
    "due_date": "due",
    "done_date": "done",
    "is_key": "key",
    "name": "pillar",
}


class _Importer:
    def __init__(self, *, roadmap: Roadmap, actor: User):
        self.roadmap = roadmap
        self.actor = actor
        self.report = ImportReport()
        self.pillars = {p.name.lower(): p for p in roadmap.pillars.all()}
        self.initiatives = {
            i.title.lower(): i
            for i in Initiative.objects.filter(pillar__roadmap=roadmap).select_related(
                "pillar__roadmap"
            )
        }
        self.departments: dict[str, Department] = {}
        for department in Department.objects.all():
            self.departments[department.slug.lower()] = department
            self.departments[department.name.lower()] = department
        self.failed_initiatives: set[str] = set()
        self.dependencies: list[tuple[int, Initiative, list[str]]] = []

    def error(self, row: int, column: str, message: str) -> None:
        self.report.errors.append(RowError(row, FIELD_TO_COLUMN.get(column, column), message))

    def run(self, rows: list[dict[str, str]]) -> None:
        for number, row in enumerate(rows, start=2):
            self.import_row(number, row)
        for number, initiative, titles in self.dependencies:
            self.import_dependencies(number, initiative, titles)

    def pillar_for(self, number: int, name: str) -> Pillar | None:
        key = name.lower()
        if key in self.pillars:
            return self.pillars[key]
        pillar = Pillar(
            roadmap=self.roadmap,
            name=name,
            order=len(self.pillars) + 1,
            colour=PILLAR_COLOURS[len(self.pillars) % len(PILLAR_COLOURS)],
        )
        if not self.attempt(number, lambda: pillar_save(actor=self.actor, pillar=pillar)):
            return None
        self.pillars[key] = pillar
        self.report.pillars_created += 1
        return pillar

    def attempt(self, number: int, write: Any) -> bool:
        """Run one service in a savepoint; its refusal becomes a row error."""
        try:
            with transaction.atomic():
                write()
        except ValidationError as error:
            for column, message in _messages(error):
                self.error(number, column or "row", message)
            return False
        except PermissionDenied as error:
            self.error(number, "row", str(error))
            return False
        return True

    def import_row(self, number: int, row: dict[str, str]) -> None:
        title = row.get("initiative", "").strip()
        pillar_name = row.get("pillar", "").strip()
        if not title:
            self.error(number, "initiative", "Every row needs the initiative's title.")
            return
        parsed: dict[str, Any] = {}
        parsers = {
            "start": ("start_date", _parse_date),
            "end": ("end_date", _parse_date),
            "status": ("status", _parse_status),
            "progress": ("progress", _parse_progress),
        }
        ok = True
        for column, (name, parse) in parsers.items():
            text = row.get(column, "").strip()
            if text:
                try:
                    parsed[name] = parse(text)
                except ValueError as error:
                    self.error(number, column, str(error))
                    ok = False
        if department_text := row.get("department", "").strip():
            department = self.departments.get(department_text.lower())
            if department is None:
                self.error(
                    number, "department", f"No department has the slug or name “{department_text}”."
                )
                ok = False
            else:
                parsed["department"] = department
        if sponsor_text := row.get("sponsor", "").strip():
            sponsor = User.objects.filter(username__iexact=sponsor_text).first()
            if sponsor is None:
                self.error(number, "sponsor", f"No person has the username “{sponsor_text}”.")
                ok = False
            else:
                parsed["sponsor"] = sponsor
        if description := row.get("description", "").strip():
            parsed["description"] = description
        if not ok:
            self.failed_initiatives.add(title.lower())
            return
        initiative = self.initiative_for(number, title, pillar_name, parsed)
        if initiative is None:
            return
        depends = [t.strip() for t in row.get("depends_on", "").split(";") if t.strip()]
        if depends:
            self.dependencies.append((number, initiative, depends))
        if row.get("milestone", "").strip():
            self.import_milestone(number, initiative, row)

    def initiative_for(
        self, number: int, title: str, pillar_name: str, parsed: dict[str, Any]
    ) -> Initiative | None:
        key = title.lower()
        if key in self.failed_initiatives:
            return None
        existing = self.initiatives.get(key)
        if existing is None:
            missing = [
                column
                for column, name in (
                    ("pillar", "pillar"),
                    ("department", "department"),
                    ("start", "start_date"),
                    ("end", "end_date"),
                )
                if (column == "pillar" and not pillar_name)
                or (column != "pillar" and name not in parsed)
            ]
            for column in missing:
                self.error(number, column, f"A new initiative (“{title}”) needs its {column}.")
            if missing:
                self.failed_initiatives.add(key)
                return None
            pillar = self.pillar_for(number, pillar_name)
            if pillar is None:
                self.failed_initiatives.add(key)
                return None
            holder: dict[str, Initiative] = {}
            chosen: Pillar = pillar

            def create() -> None:
                holder["initiative"] = initiative_create(
                    actor=self.actor, pillar=chosen, title=title, **parsed
                )

            if not self.attempt(number, create):
                self.failed_initiatives.add(key)
                return None
            self.initiatives[key] = holder["initiative"]
            self.report.initiatives_created += 1
            return holder["initiative"]
        if pillar_name and pillar_name.lower() != existing.pillar.name.lower():
            pillar = self.pillar_for(number, pillar_name)
            if pillar is None:
                return None
            parsed["pillar"] = pillar
        changes = {k: v for k, v in parsed.items() if getattr(existing, k) != v}
        if changes:
            result: dict[str, Initiative] = {}

            def update() -> None:
                result["initiative"] = initiative_update(
                    actor=self.actor, initiative=existing, changes=changes, note="Imported from CSV"
                )

            if not self.attempt(number, update):
                self.failed_initiatives.add(key)
                return None
            self.initiatives[key] = result["initiative"]
            self.report.initiatives_updated += 1
        return self.initiatives[key]

    def import_milestone(self, number: int, initiative: Initiative, row: dict[str, str]) -> None:
        title = row["milestone"].strip()
        try:
            due = _parse_date(row.get("due", "").strip()) if row.get("due", "").strip() else None
        except ValueError as error:
            self.error(number, "due", str(error))
            return
        try:
            done_text = row.get("done", "").strip()
            done = _parse_date(done_text) if done_text else None
            is_key = _parse_bool(row.get("key", ""))
        except ValueError as error:
            self.error(number, "done" if "date" in str(error) else "key", str(error))
            return
        milestone = initiative.milestones.filter(title__iexact=title).first()
        if milestone is None:
            if due is None:
                self.error(number, "due", f"The new milestone “{title}” needs a due date.")
                return
            milestone = Milestone(initiative=initiative, title=title, due_date=due)
            self.report.milestones_created += 1
        else:
            self.report.milestones_updated += 1
        if due is not None:
            milestone.due_date = due
        milestone.done_date = done
        milestone.is_key = is_key
        milestone.initiative = initiative
        self.attempt(number, lambda: milestone_save(actor=self.actor, milestone=milestone))

    def import_dependencies(self, number: int, initiative: Initiative, titles: list[str]) -> None:
        for title in titles:
            depends_on = self.initiatives.get(title.lower())
            if depends_on is None:
                if title.lower() not in self.failed_initiatives:
                    self.error(
                        number, "depends_on", f"No initiative called “{title}” in this roadmap."
                    )
                continue
            if initiative.dependency_links.filter(depends_on=depends_on).exists():
                continue
            if self.attempt(
                number,
                lambda d=depends_on: dependency_add(
                    actor=self.actor, initiative=initiative, depends_on=d
                ),
            ):
                self.report.dependencies_added += 1


def read_rows(text: str) -> list[dict[str, str]]:
    """The CSV's rows as dicts with lower-case column names; refuses a missing column, and a
    file the importers' reader (cco.importing.csv_rows) cannot read on, naming the row."""
    rows = []
    try:
        records = csv_rows(io.StringIO(text.lstrip("\ufeff"), newline=""))
        _, header = next(records, (1, []))
        fieldnames = [name.strip().lower() for name in header]
        if not fieldnames:
            raise RoadmapImportError([RowError(1, "header", "The file is empty.")])
        missing = [name for name in REQUIRED_COLUMNS if name not in fieldnames]
        if missing:
            raise RoadmapImportError(
                [
                    RowError(
                        1,
                        "header",
                        f"The column “{name}” is missing; expected {', '.join(COLUMNS)}.",
                    )
                    for name in missing
                ]
            )
        for _, values in records:
            if not values:
                continue
            rows.append(
                {
                    key: plain_cell(value.strip())
                    for key, value in zip(fieldnames, values, strict=False)
                    if key
                }
                | {key: "" for key in fieldnames[len(values) :] if key}
            )
            if len(rows) > MAX_ROWS:
                raise RoadmapImportError(
                    [RowError(MAX_ROWS + 2, "row", f"The file has more than {MAX_ROWS} rows.")]
                )
    except UnreadableFile as problem:
        raise RoadmapImportError([problem.error]) from None
    return rows


def roadmap_import(*, actor: User, roadmap: Roadmap, text: str) -> ImportReport:
    """Import pillars, initiatives, milestones and dependencies into `roadmap` from CSV text.

    Raises RoadmapImportError with every row's problems, having saved nothing, when any row is
    wrong; otherwise returns what was created and updated.
    """
    require_perm(actor, "cco.manage_product")
    rows = read_rows(text)
    if not rows:
        raise RoadmapImportError([RowError(2, "row", "The file has a header but no rows.")])
    importer = _Importer(roadmap=roadmap, actor=actor)
    with transaction.atomic():
        importer.run(rows)
        if importer.report.errors:
            # Raising inside the block rolls back every row already written.
            raise RoadmapImportError(sorted(importer.report.errors, key=lambda e: e.row))
    return importer.report
