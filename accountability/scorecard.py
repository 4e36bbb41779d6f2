"""The department scorecard: one row per department, the same on the executive overview, its
CSV and the accountability scorecard's CSV.

A department is judged on four measures, each red / amber / green with text beside the colour:
its touch points' NPS against their mean target (metrics' `score_rag`), its KPIs against goal
(the worst of them), its action items done on time (`stats.on_time_rag`) and its open CX issues
(`stats.open_issues_rag`), each against the CCO's cut-offs (`metrics.selectors.cutoffs`,
`accountability.cutoffs`). The figures come from their owners; this module only lines them up.
"""

from dataclasses import dataclass
from datetime import date

from accountability import stats
from accountability.cutoffs import delivery_cutoffs
from accountability.selectors import delivery_by_department, open_issue_counts
from cco.models import Department
from metrics.selectors import kpi_statuses
from metrics.selectors.cutoffs import score_cutoffs
from metrics.selectors.ranges import RangeScores, department_nps_targets, range_scores
from metrics.stats import rag_label, score_rag

SCORECARD_COLUMNS = ["NPS vs target", "KPIs vs goal", "Actions on time", "Open CX issues"]


@dataclass(frozen=True)
class ScorecardCell:
    rag: str
    text: str

    @property
    def label(self) -> str:
        """The word beside the colour: "Green", "Amber", "Red" or "Not judged"."""
        return rag_label(self.rag)


@dataclass(frozen=True)
class ScorecardRow:
    department: Department
    cells: list[ScorecardCell]

    @property
    def url(self) -> str:
        return self.department.get_absolute_url()


def worst_rag(rags: list[str]) -> str:
    """The KPI column: red if any KPI is red, else amber if any is amber; grey if none judged."""
    judged = [rag for rag in rags if rag != "grey"]
    if not judged:
        return "grey"
    if "red" in judged:
        return "red"
    return "amber" if "amber" in judged else "green"


def scorecard_rows(
    *,
    departments: list[Department],
    scores: RangeScores,
    targets: dict[int, float],
    delivery: dict[int, stats.DeliveryFigures],
    issues: dict[int, int],
    department_id: int | None = None,
) -> list[ScorecardRow]:
    """The rows, from figures the caller has read (the overview reads them once for all its
    panels); `department_scorecard_between` reads them itself."""
    if department_id is not None:
        departments = [d for d in departments if d.pk == department_id]
    kpis_by_department: dict[int, list[str]] = {}
    for status in kpi_statuses(department_id=department_id):
        kpis_by_department.setdefault(status.department_id, []).append(status.rag)
    nothing_due = stats.combined_delivery([])
    nps_band = score_cutoffs().nps
    cutoffs = delivery_cutoffs()
    rows = []
    for department in departments:
        estimate = scores.department(department.pk)
        target = targets.get(department.pk)
        if estimate.n == 0:
            nps_text = "no responses"
        elif not estimate.enough:
            nps_text = f"too few responses (n={estimate.n})"
        else:
            nps_text = f"{estimate.value:+.0f}" + (
                f" vs {target:+.0f}" if target is not None else ""
            )
        kpi_rags = [rag for rag in kpis_by_department.get(department.pk, []) if rag != "grey"]
        figure = delivery.get(department.pk, nothing_due)
        open_count = issues.get(department.pk, 0)
        rows.append(
            ScorecardRow(
                department,
                [
                    ScorecardCell(score_rag(estimate, target, amber_band=nps_band), nps_text),
                    ScorecardCell(
                        worst_rag(kpi_rags),
                        f"{kpi_rags.count('green')} of {len(kpi_rags)} at goal"
                        if kpi_rags
                        else "no KPI readings",
                    ),
                    ScorecardCell(
                        cutoffs.on_time_rag(figure.on_time_pct),
                        f"{figure.on_time_pct:.0f}% ({figure.done_on_time}/{figure.due_count})"
                        if figure.due_count
                        else "none due",
                    ),
                    ScorecardCell(cutoffs.open_issues_rag(open_count), str(open_count)),
                ],
            )
        )
    return rows


def department_scorecard_between(*, start: date, end: date) -> list[ScorecardRow]:
    """Every department's row over start..end."""
    return scorecard_rows(
        departments=list(Department.objects.order_by("name")),
        scores=range_scores(start=start, end=end),
        targets=department_nps_targets(),
        delivery=delivery_by_department(start=start, end=end),
        issues=open_issue_counts(),
    )


def scorecard_table(rows: list[ScorecardRow]) -> tuple[list[str], list[list[object]]]:
    """The rows as a CSV table: the department, then each measure's text and its colour."""
    header = ["department"]
    for column in SCORECARD_COLUMNS:
        header += [column, f"{column} rag"]
    body: list[list[object]] = []
    for row in rows:
        line: list[object] = [row.department.name]
        for cell in row.cells:
            line += [cell.text, cell.rag]
        body.append(line)
    return header, body
