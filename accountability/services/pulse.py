"""Pulse workflows: defining a round, answering it once, importing answers from a file.

An answer is written as two unlinked rows in one transaction: the participation (who, no scores)
and the answer (scores and department, nobody). A second answer by the same person hits the
participation's unique constraint and saves nothing.
"""

from collections.abc import Mapping
from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accountability.models import (
    PulseAnswer,
    PulseItem,
    PulseItemScore,
    PulseParticipation,
    PulseRound,
)
from accountability.models.pulse import LOWEST_MIN_GROUP
from cco.importing import (
    RowError,
    RowErrorReport,
    UnreadableFile,
    csv_rows,
    open_text,
    shown,
)
from cco.models import Department, User

MAX_ITEMS = 6


class AlreadyAnswered(Exception):
    """This person has answered this round already."""


def round_create(
    *,
    title: str,
    department: Department | None,
    opens_on: date,
    closes_on: date,
    items: list[str],
    min_group: int,
    created_by: User,
) -> PulseRound:
    items = [text.strip() for text in items if text.strip()]
    errors: dict[str, str] = {}
    if closes_on < opens_on:
        errors["closes_on"] = "The round must close on or after the day it opens."
    if min_group < LOWEST_MIN_GROUP:
        errors["min_group"] = f"The minimum group is at least {LOWEST_MIN_GROUP} respondents."
    if len(items) > MAX_ITEMS:
        errors["items"] = f"At most {MAX_ITEMS} items: the pulse must take under a minute."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round_ = PulseRound.objects.create(
            title=title,
            department=department,
            opens_on=opens_on,
            closes_on=closes_on,
            min_group=min_group,
            created_by=created_by,
        )
        PulseItem.objects.bulk_create(
            PulseItem(round=round_, text=text, order=i) for i, text in enumerate(items, start=1)
        )
    return round_


def may_answer(person: User, round_: PulseRound, today: date) -> bool:
    """Open rounds of the person's department, or sent to every department."""
    in_scope = round_.department_id is None or round_.department_id == person.department_id
    return in_scope and round_.is_open(today)


def _score(value: Any, field: str, low: int, high: int) -> int:
    text = str(value).strip() if value is not None else ""
    if not text.lstrip("-").isdigit():
        raise ValidationError({field: f"A whole number from {low} to {high} is needed."})
    number = int(text)
    if not low <= number <= high:
        raise ValidationError({field: f"{number} is outside the scale {low}–{high}."})
    return number


def parse_scores(round_: PulseRound, data: Mapping[str, Any]) -> tuple[int, dict[int, int]]:
    """eNPS (field `enps`, 0–10) and each item's score (field `item_<id>`, 1–5), every one
    required; ValidationError names each field wrong."""
    errors: dict[str, list[str]] = {}
    enps = 0
    scores: dict[int, int] = {}
    try:
        enps = _score(data.get("enps"), "enps", 0, 10)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for item in round_.items.all():
        try:
            scores[item.pk] = _score(data.get(f"item_{item.pk}"), f"item_{item.pk}", 1, 5)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return enps, scores


def answer(*, person: User, round_: PulseRound, enps: int, scores: dict[int, int]) -> None:
    """Save one answer, anonymously. AlreadyAnswered when the person answered before."""
    try:
        with transaction.atomic():
            PulseParticipation.objects.create(round=round_, person=person)
            save_answer(round_, person.department_id, enps, scores, imported=False)
    except IntegrityError as exc:
        raise AlreadyAnswered from exc


def save_answer(
    round_: PulseRound,
    department_id: int | None,
    enps: int,
    scores: dict[int, int],
    *,
    imported: bool,
) -> PulseAnswer:
    saved = PulseAnswer.objects.create(
        round=round_, department_id=department_id, enps=enps, imported=imported
    )
    PulseItemScore.objects.bulk_create(
        PulseItemScore(answer=saved, item_id=item_id, score=score)
        for item_id, score in scores.items()
    )
    return saved


# -- import --------------------------------------------------------------------------------------


class PulseImportReport(RowErrorReport):
    def __init__(self) -> None:
        super().__init__()
        self.rows_read = 0
        self.inserted = 0
        self.rejected = False

    @property
    def summary(self) -> str:
        if self.rejected:
            return (
                f"Rejected: {self.error_count} problem(s) in {self.rows_read} row(s); "
                "nothing was saved. Fix the rows listed and import the whole file again."
            )
        return f"{self.rows_read} row(s) read; {self.inserted} answer(s) added."


def import_columns(round_: PulseRound) -> list[str]:
    return ["department", "enps", *[f"item_{item.order}" for item in round_.items.all()]]


def import_answers(round_: PulseRound, binary: IO[bytes], *, today: date) -> PulseImportReport:
    """Answers gathered elsewhere (a paper or kiosk pulse), one per row: the department's slug,
    the eNPS and each item by its number. The whole file is saved, or nothing: any bad row
    rejects it, every problem listed by row and column."""
    report = PulseImportReport()
    if not round_.is_open(today):
        report.rejected = True
        report.add_error(
            RowError(1, "file", "The round is not open: answers are taken only while it is.")
        )
        return report
    expected = import_columns(round_)
    departments = dict(Department.objects.values_list("slug", "pk"))
    items = list(round_.items.all())
    good: list[tuple[int | None, int, dict[int, int]]] = []
    header: list[str] | None = None
    stream = open_text(binary)
    try:
        rows = csv_rows(stream)
        for number, values in rows:
            if header is None:
                header = [value.strip().lower() for value in values]
                if header != expected:
                    report.add_error(
                        RowError(1, "header", f"Expected the columns {', '.join(expected)}.")
                    )
                    break
                continue
            if not any(value.strip() for value in values):
                continue
            report.rows_read += 1
            if len(values) != len(header):
                report.add_error(
                    RowError(number, "row", f"{len(header)} values expected, {len(values)} found.")
                )
                continue
            row = dict(zip(header, values, strict=True))
            good_row = _import_row(round_, number, row, departments, items, report)
            if good_row is not None:
                good.append(good_row)
    except UnreadableFile as problem:
        report.add_error(problem.error)
    finally:
        stream.detach()
    if header is None and not report.error_count:
        report.add_error(
            RowError(1, "header", f"The file is empty: expected {', '.join(expected)}.")
        )
    if report.error_count:
        report.rejected = True
        return report
    with transaction.atomic():
        for department_id, enps, scores in good:
            save_answer(round_, department_id, enps, scores, imported=True)
    report.inserted = len(good)
    return report


def _import_row(
    round_: PulseRound,
    number: int,
    row: dict[str, str],
    departments: dict[str, int],
    items: list[PulseItem],
    report: PulseImportReport,
) -> tuple[int | None, int, dict[int, int]] | None:
    problems = []
    slug = row.get("department", "").strip()
    department_id = departments.get(slug)
    if department_id is None:
        problems.append(RowError(number, "department", f"No department {shown(slug)}."))
    elif round_.department_id is not None and department_id != round_.department_id:
        problems.append(
            RowError(number, "department", f"{shown(slug)} is not the round's department.")
        )
    scores: dict[int, int] = {}
    enps = 0
    try:
        enps = _score(row.get("enps"), "enps", 0, 10)
    except ValidationError as exc:
        problems.append(RowError(number, "enps", exc.message_dict["enps"][0]))
    for item in items:
        column = f"item_{item.order}"
        try:
            scores[item.pk] = _score(row.get(column), column, 1, 5)
        except ValidationError as exc:
            problems.append(RowError(number, column, exc.message_dict[column][0]))
    for problem in problems:
        report.add_error(problem)
    return None if problems else (department_id, enps, scores)
