# ruff: noqa: S608 - SQL is assembled only from this module's constants; no value is formatted in.
"""Customer outcomes (retention, revenue) and the say-versus-do roll-up built from them."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.db import connection, transaction

from cco.importing import RowError, RowErrorReport, UnreadableFile, csv_rows, names_shown
from cco.queue import enqueue_on_commit
from metrics.models import CustomerOutcome, NpsCategory, SayDoRollup, Scope

REQUIRED_COLUMNS = ("customer_id", "retained")
OPTIONAL_COLUMNS = ("revenue",)
RETAINED_WORDS = {"1": True, "yes": True, "true": True, "y": True,
                  "0": False, "no": False, "false": False, "n": False}  # fmt: skip
BATCH = 2000
# Queued by name: metrics.tasks imports the services, so the services do not import it.
SAY_DO_TASK = "metrics.tasks.say_do_rebuild_task"
DRIVERS_TASK = "metrics.tasks.drivers_rebuild_task"  # metrics.services.drivers imports numpy


@dataclass
class CustomerImportReport(RowErrorReport):
    rows: int = 0
    saved: int = 0
    header_problem: str = ""

    @property
    def rejected(self) -> bool:
        return bool(self.header_problem or self.error_count)


def _parse(
    record: dict[str, str], row: int, seen: set[str], report: CustomerImportReport, as_of: date
) -> CustomerOutcome | None:
    errors_before = report.error_count
    customer_id = (record.get("customer_id") or "").strip()
    if not customer_id:
        report.add_error(RowError(row, "customer_id", "missing customer id"))
    elif len(customer_id) > 120:
        report.add_error(RowError(row, "customer_id", "longer than 120 characters"))
    elif customer_id in seen:
        reason = f"customer {customer_id!r} appears twice in the file"
        report.add_error(RowError(row, "customer_id", reason))
    seen.add(customer_id)
    retained_text = (record.get("retained") or "").strip().lower()
    retained = RETAINED_WORDS.get(retained_text)
    if retained is None:
        reason = f"{retained_text!r} is not yes/no (use yes, no, true, false, 1 or 0)"
        report.add_error(RowError(row, "retained", reason))
    revenue_text = (record.get("revenue") or "").strip()
    revenue = None
    if revenue_text:
        try:
            revenue = Decimal(revenue_text)
        except InvalidOperation:
            report.add_error(RowError(row, "revenue", f"{revenue_text!r} is not a number"))
        else:
            if not revenue.is_finite() or revenue < 0 or revenue >= Decimal("1e12"):
                reason = f"{revenue_text} is not an amount from 0 up"
                report.add_error(RowError(row, "revenue", reason))
                revenue = None
    if report.error_count > errors_before:
        return None
    return CustomerOutcome(
        customer_id=customer_id, retained=bool(retained), revenue=revenue, as_of=as_of
    )


def _save(outcomes: Iterable[CustomerOutcome]) -> int:
    batch = list(outcomes)
    CustomerOutcome.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["customer_id"],
        update_fields=["retained", "revenue", "as_of", "imported_at"],
    )
    return len(batch)


def customer_outcomes_import_csv(*, stream: TextIO, as_of: date) -> CustomerImportReport:
    """Import `customer_id,retained[,revenue]` rows, all or nothing.

    The file is read twice from the stream's start: once to validate every row (so an invalid
    file saves nothing, and memory stays bounded), once to save in batches, updating customers
    already known. The say-versus-do roll-up is rebuilt after the transaction commits. The file
    is read by the importers' one reader (cco.importing.csv_rows): one it cannot read on is
    rejected, naming the row and why.
    """
    report = CustomerImportReport()
    start = stream.tell()
    seen: set[str] = set()
    try:
        for row_number, record in _records(stream, report):
            report.rows += 1
            _parse(record, row_number, seen, report, as_of)
    except UnreadableFile as problem:
        report.add_error(problem.error)
    if report.rejected:
        return report
    stream.seek(start)
    with transaction.atomic():
        batch: list[CustomerOutcome] = []
        seen.clear()
        for row_number, record in _records(stream, report):
            outcome = _parse(record, row_number, seen, report, as_of)
            if outcome is not None:
                batch.append(outcome)
            if len(batch) >= BATCH:
                report.saved += _save(batch)
                batch = []
        report.saved += _save(batch)
        enqueue_on_commit(SAY_DO_TASK)
        enqueue_on_commit(DRIVERS_TASK)
    return report


def _records(stream: TextIO, report: CustomerImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, values by column) for each row; none when the header is wrong (said in
    `report.header_problem`). A row with more values than columns is a row error."""
    rows = csv_rows(stream)
    _, raw = next(rows, (1, []))
    header = [name.strip().lower().lstrip("\ufeff") for name in raw]
    problem = _header_problem(header)
    if problem:
        report.header_problem = problem
        return
    for row_number, values in rows:
        if not values:
            continue
        if len(values) > len(header):
            reason = f"{len(values)} values for {len(header)} columns"
            report.add_error(RowError(row_number, "(row)", reason))
        yield row_number, dict(zip(header, values, strict=False))


def _header_problem(header: list[str]) -> str:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [n for n in header if n not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + names_shown(unknown))
        return "; ".join(parts) + ". The header must be customer_id,retained[,revenue]."
    if len(set(header)) != len(header):
        return "A column is named twice. The header must be customer_id,retained[,revenue]."
    return ""


# For each scope (touch point, journey, department, organisation): each customer's latest NPS
# answer there (ties broken by id), its category and segment, joined to their outcome. One pass
# over the answers of customers with an outcome; four rankings over it.
_LATEST = "ORDER BY answer.responded_at DESC, answer.id DESC"
SAY_DO_SCOPES = (
    ("touchpoint", "touchpoint_id"),
    ("journey", "journey_id"),
    ("department", "department_id"),
    ("organisation", "0"),
)
_RANKED = f"""
    WITH ranked AS (
        SELECT answer.score AS score, answer.segment AS segment,
               answer.touchpoint_id AS touchpoint_id, stage.journey_id AS journey_id,
               touchpoint.department_id AS department_id,
               outcome.retained AS retained, outcome.revenue AS revenue,
               ROW_NUMBER() OVER (
                   PARTITION BY answer.customer_id, answer.touchpoint_id {_LATEST}
               ) AS at_touchpoint,
               ROW_NUMBER() OVER (
                   PARTITION BY answer.customer_id, stage.journey_id {_LATEST}
               ) AS at_journey,
               ROW_NUMBER() OVER (
                   PARTITION BY answer.customer_id, touchpoint.department_id {_LATEST}
               ) AS at_department,
               ROW_NUMBER() OVER (PARTITION BY answer.customer_id {_LATEST}) AS at_organisation
        FROM metrics_surveyresponse AS answer
        JOIN metrics_customeroutcome AS outcome ON outcome.customer_id = answer.customer_id
        JOIN metrics_touchpoint AS touchpoint ON touchpoint.id = answer.touchpoint_id
        JOIN metrics_journeystage AS stage ON stage.id = touchpoint.stage_id
        WHERE answer.metric = 'nps' AND answer.customer_id <> ''
    )
"""
_GROUPED = """
    SELECT '{scope}', {column}, segment,
           CASE WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive'
                ELSE 'detractor' END,
           COUNT(*), SUM(CASE WHEN retained THEN 1 ELSE 0 END),
           COUNT(revenue), COALESCE(SUM(revenue), 0)
    FROM ranked WHERE at_{scope} = 1 GROUP BY 2, 3, 4
"""
SAY_DO_SQL = _RANKED + " UNION ALL ".join(
    _GROUPED.format(scope=scope, column=column) for scope, column in SAY_DO_SCOPES
)

Group = tuple[str, int, str, str]  # scope, scope id, segment ("" for all), category


@transaction.atomic
def say_do_rebuild() -> dict[str, int]:
    """Recompute the say-versus-do roll-up: at every touch point, journey, department and for
    the organisation, for promoters, passives and detractors (by each customer's latest NPS
    answer there), per segment and for all segments together: how many customers, how many
    retained, their revenue.

    Writes all three category rows (zeros included) for every scope and segment with a matched
    customer, and the organisation's three rows whenever outcomes exist, so a page can tell "no
    outcome data" (no rows) from "outcomes that match no answer" (zero rows). Returns the
    organisation's customers per category.
    """
    SayDoRollup.objects.all().delete()
    if not CustomerOutcome.objects.exists():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(SAY_DO_SQL)
        found = cursor.fetchall()
    counts: dict[Group, list[float]] = {}
    places = {(Scope.ORGANISATION.value, 0, "")}
    for scope, scope_id, segment, category, customers, retained, with_revenue, revenue in found:
        for group_segment in ("", segment) if segment else ("",):
            places.add((scope, int(scope_id), group_segment))
            total = counts.setdefault((scope, int(scope_id), group_segment, category), [0] * 4)
            total[0] += customers
            total[1] += retained or 0
            total[2] += with_revenue
            total[3] += float(revenue or 0)
    rows = []
    for scope, scope_id, segment in places:
        for category in NpsCategory.values:
            customers, retained, with_revenue, revenue = counts.get(
                (scope, scope_id, segment, category), (0, 0, 0, 0.0)
            )
            rows.append(
                SayDoRollup(
                    scope=scope,
                    scope_id=scope_id,
                    segment=segment,
                    category=category,
                    customers=int(customers),
                    retained=int(retained),
                    revenue_customers=int(with_revenue),
                    revenue_total=float(revenue),
                )
            )
    SayDoRollup.objects.bulk_create(rows, batch_size=2000)
    return {
        category: int(values[0])
        for (scope, _, segment, category), values in counts.items()
        if scope == Scope.ORGANISATION and segment == "" and values[0]
    }
