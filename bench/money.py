"""Say versus do's rebuild beside the organisation-only query it replaced, the segment roll-up
and the quarterly board pack, timed on what the bench database holds (`bench/run.py`)."""

import io
import time

from serve import checkpoint

# Say versus do's peer: the organisation-only query it replaced (one ranking instead of four).
ORGANISATION_SAY_DO_SQL = """
    SELECT CASE WHEN latest.score >= 9 THEN 'promoter' WHEN latest.score >= 7 THEN 'passive'
                ELSE 'detractor' END, COUNT(*), SUM(CASE WHEN o.retained THEN 1 ELSE 0 END),
           COUNT(o.revenue), COALESCE(SUM(o.revenue), 0)
    FROM (SELECT customer_id, score, ROW_NUMBER() OVER (PARTITION BY customer_id
                 ORDER BY responded_at DESC, id DESC) AS position
          FROM metrics_surveyresponse WHERE metric = 'nps' AND customer_id <> '') AS latest
    JOIN metrics_customeroutcome o ON o.customer_id = latest.customer_id
    WHERE latest.position = 1 GROUP BY 1
"""


def time_money() -> dict[str, float]:
    """Say versus do's rebuild (and its organisation-only peer), the segment roll-up's rebuild,
    and the quarterly board pack (its selectors, then the whole PDF), on what the bench holds.
    Every customer id of the bench's answers gets an outcome first (not timed)."""
    from django.db import connection
    from django.utils import timezone
    from pypdf import PdfReader

    from metrics.services.customers import say_do_rebuild
    from metrics.services.segments import segment_rollup_rebuild
    from overview.board_pack import Quarter, board_pack_data
    from overview.board_pack_pdf import board_pack_pdf

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE metrics_customeroutcome")
        cursor.execute(
            "INSERT INTO metrics_customeroutcome (customer_id, retained, revenue, as_of, "
            "imported_at) SELECT customer_id, abs(hashtext(customer_id)) % 5 <> 0, "
            "abs(hashtext(customer_id)) % 3000, CURRENT_DATE, now() FROM "
            "(SELECT DISTINCT customer_id FROM metrics_surveyresponse WHERE customer_id <> '') c"
        )
        customers = cursor.rowcount
        cursor.execute("ANALYZE metrics_customeroutcome")
    checkpoint()
    figures: dict[str, float] = {"say_do_customers": customers}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(ORGANISATION_SAY_DO_SQL)
        cursor.fetchall()
    figures["say_do_organisation_only_s"] = time.perf_counter() - started
    started = time.perf_counter()
    say_do_rebuild()
    figures["say_do_rebuild_s"] = time.perf_counter() - started
    checkpoint()
    from metrics.services.drivers import drivers_rebuild

    started = time.perf_counter()
    drivers_rebuild()
    figures["drivers_rebuild_s"] = time.perf_counter() - started  # peer: say_do_rebuild_s
    checkpoint()
    started = time.perf_counter()
    segment_rollup_rebuild()
    figures["segment_rollup_rebuild_s"] = time.perf_counter() - started
    figures["money_results"] = _money_results()
    quarter = Quarter.containing(timezone.localdate()).previous()
    started = time.perf_counter()
    board_pack_data(quarter)
    figures["board_pack_data_s"] = time.perf_counter() - started
    started = time.perf_counter()
    pdf = board_pack_pdf(quarter)
    figures["board_pack_s"] = time.perf_counter() - started
    figures["board_pack_pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
    return figures


def _money_results() -> int:
    """Retention and revenue results for the whole organisation — the widest outcome read —
    on one initiative of the current roadmap with a budget, so the board pack's "Initiatives
    in money" reads them at full size (a bench initiative is made when the plan is empty)."""
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from cco.models import Department
    from roadmap.models import ExpectedResult, Initiative, Pillar, Roadmap

    today = timezone.localdate()
    initiative = Initiative.objects.filter(pillar__roadmap__is_current=True).first()
    department = Department.objects.first()
    if initiative is None and department is not None:
        roadmap, _ = Roadmap.objects.get_or_create(
            name="Bench plan",
            defaults={"start_year": today.year - 1, "end_year": today.year + 3, "is_current": True},
        )
        pillar, _ = Pillar.objects.get_or_create(roadmap=roadmap, name="Bench")
        initiative, _ = Initiative.objects.get_or_create(
            pillar=pillar, title="Bench: initiative in money",
            defaults={"department": department, "start_date": date(today.year, 1, 1),
                      "end_date": date(today.year + 1, 12, 31)},
        )  # fmt: skip
    if initiative is None:
        return 0
    Initiative.objects.filter(pk=initiative.pk).update(budget=Decimal(100_000))
    for metric, target in (("retention", 95.0), ("revenue", 2_000.0)):
        ExpectedResult.objects.update_or_create(
            initiative=initiative, metric=metric, scope="organisation", scope_id=0,
            defaults={"target": target, "by_date": initiative.end_date},
        )  # fmt: skip
    return 2
