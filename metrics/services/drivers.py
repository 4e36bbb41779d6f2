"""Driver analysis: which touch points move overall NPS and retention most.

Per customer with an imported outcome and NPS answers: one predictor per touch point, 1 when
their latest answer there was a detractor's (0–6), else 0 (a good answer, or never there). Two
outcomes, each in points: retention (100 stayed, 0 left) and overall NPS (the category of their
latest answer anywhere: +100 promoter, 0 passive, −100 detractor). One least-squares fit per
outcome (statsmodels OLS, heteroskedasticity-robust HC3 errors, as a linear probability model
needs); a touch point's effect is its coefficient (points lost by a customer whose latest answer
there was poor, the other touch points held fixed) with its 95 % interval, and its importance
the standardized coefficient (effect × sd of the predictor ÷ sd of the outcome, sign turned so a
harmful touch point is positive) with the same interval scaled alike. docs/money.md explains it.
"""

from collections import defaultdict
from typing import Any

import numpy as np
from django.db import connection, transaction

from metrics.models import DriverAnalysis, DriverOutcome, Touchpoint

# Below this many customers (with an outcome and an NPS answer) no analysis is shown.
MIN_CUSTOMERS = 200
# A touch point enters the fit only with at least this many customers whose latest answer there
# was poor, and this many whose was not: fewer cannot carry an interval worth reading.
MIN_POOR = 30
POOR_MAX_SCORE = 6
DRIVERS_TASK = "metrics.tasks.drivers_rebuild_task"

LATEST_SQL = """
    SELECT customer_id, touchpoint_id, score, responded_at, id, retained FROM (
        SELECT answer.customer_id AS customer_id, answer.touchpoint_id AS touchpoint_id,
               answer.score AS score, answer.responded_at AS responded_at, answer.id AS id,
               outcome.retained AS retained,
               ROW_NUMBER() OVER (
                   PARTITION BY answer.customer_id, answer.touchpoint_id
                   ORDER BY answer.responded_at DESC, answer.id DESC
               ) AS latest
        FROM metrics_surveyresponse AS answer
        JOIN metrics_customeroutcome AS outcome ON outcome.customer_id = answer.customer_id
        WHERE answer.metric = 'nps' AND answer.customer_id <> ''
    ) AS ranked WHERE latest = 1
"""


def _nps_points(score: int) -> float:
    return 100.0 if score >= 9 else (0.0 if score >= 7 else -100.0)


def fit_drivers(
    poor: np.ndarray, outcome: np.ndarray, touchpoint_ids: list[int]
) -> tuple[str, list[dict[str, Any]]]:
    """Fit one outcome (points per customer) on the poor-answer indicators (customers × touch
    points). Returns (refusal, drivers): drivers ranked by importance, touch points with too few
    poor or good answers listed after them without figures."""
    customers = len(outcome)
    if customers < MIN_CUSTOMERS:
        return f"{customers} customers; at least {MIN_CUSTOMERS} are needed", []
    poor_counts = poor.sum(axis=0).astype(int)
    usable = [
        column
        for column in range(poor.shape[1])
        if poor_counts[column] >= MIN_POOR and customers - poor_counts[column] >= MIN_POOR
    ]
    listed = [
        {"touchpoint_id": touchpoint_ids[c], "poor": int(poor_counts[c]), "estimated": False}
        for c in range(poor.shape[1])
        if c not in usable
    ]
    if not usable:
        return (
            f"no touch point has {MIN_POOR} customers with a poor answer and {MIN_POOR} without",
            listed,
        )
    outcome_sd = float(outcome.std(ddof=1))
    if outcome_sd == 0:
        return "every customer had the same outcome", listed
    # Imported here, not at the top: statsmodels takes a second to import, and every process
    # that starts the product (web, worker, manage.py) would pay it whether it fits or not.
    import statsmodels.api as sm

    design = sm.add_constant(poor[:, usable].astype(float), has_constant="add")
    fit = sm.OLS(outcome, design).fit(cov_type="HC3")
    intervals = fit.conf_int(alpha=0.05)
    drivers = []
    for position, column in enumerate(usable, start=1):
        effect = float(fit.params[position])
        low, high = (float(v) for v in intervals[position])
        scale = float(poor[:, column].std(ddof=1)) / outcome_sd
        drivers.append(
            {
                "touchpoint_id": touchpoint_ids[column],
                "poor": int(poor_counts[column]),
                "estimated": True,
                "effect": round(effect, 2),
                "effect_low": round(low, 2),
                "effect_high": round(high, 2),
                # A poor answer lowering the outcome is a positive importance.
                "importance": round(-effect * scale, 4),
                "importance_low": round(-high * scale, 4),
                "importance_high": round(-low * scale, 4),
            }
        )
    drivers.sort(key=lambda row: -row["importance"])
    for rank, row in enumerate(drivers, start=1):
        row["rank"] = rank
    return "", drivers + listed


def _customer_matrix() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Poor-answer indicators, retention points and overall NPS points per customer."""
    with connection.cursor() as cursor:
        cursor.execute(LATEST_SQL)
        found = cursor.fetchall()
    touchpoint_ids = sorted({row[1] for row in found})
    column_of = {tp: index for index, tp in enumerate(touchpoint_ids)}
    by_customer: dict[str, list[Any]] = defaultdict(list)
    for row in found:
        by_customer[row[0]].append(row)
    poor = np.zeros((len(by_customer), len(touchpoint_ids)), dtype=np.int8)
    retention = np.zeros(len(by_customer))
    nps = np.zeros(len(by_customer))
    for index, answers in enumerate(by_customer.values()):
        for _, touchpoint_id, score, _, _, _ in answers:
            if score <= POOR_MAX_SCORE:
                poor[index, column_of[touchpoint_id]] = 1
        latest = max(answers, key=lambda row: (row[3], row[4]))
        retention[index] = 100.0 if answers[0][5] else 0.0
        nps[index] = _nps_points(latest[2])
    return poor, retention, nps, touchpoint_ids


def drivers_rebuild() -> dict[str, int]:
    """Recompute both driver analyses whole; returns the touch points ranked per outcome."""
    poor, retention, nps, touchpoint_ids = _customer_matrix()
    names = dict(Touchpoint.objects.filter(pk__in=touchpoint_ids).values_list("pk", "name"))
    slugs = dict(Touchpoint.objects.filter(pk__in=touchpoint_ids).values_list("pk", "slug"))
    analyses = []
    for outcome, values in ((DriverOutcome.RETENTION, retention), (DriverOutcome.NPS, nps)):
        refusal, drivers = fit_drivers(poor, values, touchpoint_ids)
        for row in drivers:
            row["name"] = names.get(row["touchpoint_id"], "")
            row["slug"] = slugs.get(row["touchpoint_id"], "")
        analyses.append(
            DriverAnalysis(
                outcome=outcome,
                customers=len(values),
                enough=not refusal,
                refusal=refusal,
                drivers=drivers,
            )
        )
    with transaction.atomic():
        DriverAnalysis.objects.all().delete()
        DriverAnalysis.objects.bulk_create(analyses)
    # Saved once more after the commit so the overview's cache (which follows saves) moves on.
    for analysis in DriverAnalysis.objects.all():
        analysis.save(update_fields=["rebuilt_at"])
    return {
        analysis.outcome: sum(1 for row in analysis.drivers if row.get("estimated"))
        for analysis in analyses
    }
