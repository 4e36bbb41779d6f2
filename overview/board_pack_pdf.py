"""Draws the quarterly board pack (overview/board_pack.py gathers it) as an A4 landscape PDF.

reportlab only (pure-Python wheels, no system libraries), charts with its own graphics, the
built-in Helvetica: text is kept to the characters that font carries.
"""

import io
from datetime import date
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django.utils.html import escape
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from accountability.scorecard import SCORECARD_COLUMNS
from accountability.services.reminders import opted_out_ids
from cco.models import Role, User
from metrics.stats import Estimate
from overview.board_pack import BoardPack, Quarter, board_pack_data

PAGE = landscape(A4)
MARGIN = 14 * mm
TOP_DRIVERS = 8  # the strongest of each outcome; the overview lists them all
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
RAG = {
    "green": colors.HexColor("#2f855a"),
    "amber": colors.HexColor("#b7791f"),
    "red": colors.HexColor("#c53030"),
    "grey": colors.HexColor("#718096"),
}
# Characters Helvetica (WinAnsi) lacks, and what stands in for them.
_PLAIN = str.maketrans({"−": "-", "≥": ">=", "≤": "<=", "→": "->", "…": "...", "±": "+/-"})

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("pack-title", parent=_styles["Title"], alignment=0, textColor=INK)
H2 = ParagraphStyle("pack-h2", parent=_styles["Heading2"], textColor=INK, spaceBefore=6)
BODY = ParagraphStyle("pack-body", parent=_styles["BodyText"], fontSize=9, leading=12)
SMALL = ParagraphStyle("pack-small", parent=BODY, fontSize=8, leading=10, textColor=MUTED)
TILE_NUMBER = ParagraphStyle("pack-tile", parent=BODY, fontSize=18, leading=22)


def plain(text: object) -> str:
    """Text safe for a Paragraph: escaped, and in characters Helvetica has."""
    value = str(text).translate(_PLAIN)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number(value: float | None, digits: int = 0, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def estimate_text(estimate: Estimate) -> str:
    """ "+32 (28 to 36), n=1,204", or why there is no score."""
    if estimate.n == 0:
        return "no responses"
    if not estimate.enough or estimate.value is None:
        return f"too few responses (n={estimate.n})"
    return (
        f"{number(estimate.value, sign=True)} ({number(estimate.low)} to "
        f"{number(estimate.high)}), n={estimate.n:,}"
    )


class _NumberedCanvas(pdf_canvas.Canvas):
    """Writes "page x of y" and the pack's title on every page once the count is known."""

    title = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 8 * mm, self.title)
            self.drawRightString(PAGE[0] - MARGIN, 8 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _table(rows: list[list[Any]], widths: list[float], *, rag_column: int | None = None) -> Table:
    cells = [
        [cell if isinstance(cell, Flowable) else Paragraph(plain(cell), BODY) for cell in row]
        for row in rows
    ]
    table = Table(cells, colWidths=widths, repeatRows=1)
    style = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ]
    table.setStyle(TableStyle(style))
    return table


def _empty(text: str) -> Paragraph:
    return Paragraph(plain(text), SMALL)


def _tiles(pack: BoardPack) -> Table:
    tiles = pack.overview.tiles
    nps = tiles.nps
    change = (
        f"{number(nps.change, sign=True)} vs the period before, "
        + ("beyond noise" if nps.significant else "within noise")
        if nps.change is not None
        else "no change to compare"
    )
    risk = pack.say_do.revenue_at_risk if pack.say_do else None
    milestones = tiles.milestones
    actions = tiles.action_items
    entries = [
        ("Organisation NPS", number(nps.current.value, sign=True) if nps.current.enough else "-",
         f"{estimate_text(nps.current)}; {change}"),
        ("Responses", f"{tiles.responses_total:,}", "NPS, CSAT and CES answers in the quarter"),
        ("Revenue at risk", number(risk.value) if risk else "-",
         f"95 % interval {number(risk.low)} to {number(risk.high)}" if risk
         else (pack.say_do.refusal if pack.say_do else "no customer outcomes imported")),
        ("Milestones on time", f"{number(milestones.on_time_pct)} %" if milestones.due_count
         else "-", f"{milestones.done_on_time} of {milestones.due_count} due"),
        ("Action items on time", f"{number(actions.on_time_pct)} %" if actions.due_count
         else "-", f"{actions.done_on_time} of {actions.due_count} due; {actions.overdue} overdue"),
        ("Open CX issues", f"{tiles.open_issues}", "unresolved today"),
    ]  # fmt: skip
    width = (PAGE[0] - 2 * MARGIN) / len(entries)
    cells = [
        [
            Paragraph(plain(label), SMALL),
            Paragraph(plain(value), TILE_NUMBER),
            Paragraph(plain(detail), SMALL),
        ]
        for label, value, detail in entries
    ]
    table = Table([cells], colWidths=[width] * len(entries))
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _trend_chart(pack: BoardPack) -> Flowable:
    points = [p for p in pack.trend if p.enough and p.value is not None]
    if not points:
        return _empty("No month of the last four quarters has enough NPS answers to draw.")
    width, height = PAGE[0] - 2 * MARGIN, 55 * mm
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 30, 20, width - 50, height - 35
    months = [p.period_start for p in pack.trend]
    index = {day: i for i, day in enumerate(months)}
    value = [(index[p.period_start], p.value) for p in points]
    low = [(index[p.period_start], p.low) for p in points]
    high = [(index[p.period_start], p.high) for p in points]
    plot.data = [value, low, high]
    plot.lines[0].strokeColor, plot.lines[0].strokeWidth = INK, 1.5
    plot.lines[0].symbol = makeMarker("FilledCircle", size=3)
    for line in (1, 2):
        plot.lines[line].strokeColor = MUTED
        plot.lines[line].strokeDashArray = (2, 2)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, len(months) - 0.5
    plot.xValueAxis.valueSteps = list(range(len(months)))
    plot.xValueAxis.labelTextFormat = lambda i: months[int(i)].strftime("%b %y")
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    drawing.add(
        String(30, height - 10, "Organisation NPS by month; dashed: 95 % interval", fontSize=8,
               fillColor=MUTED)
    )  # fmt: skip
    return drawing


def _journeys(pack: BoardPack) -> list[Flowable]:
    the_map = pack.overview.journey_map
    if not the_map.journeys:
        return [_empty("No journeys are set up.")]
    rows: list[list[Any]] = [["Journey", "NPS (95 % interval), n", "Best stage", "Worst stage"]]
    for row in the_map.journeys:
        rows.append(
            [
                row.journey.name,
                estimate_text(row.estimate),
                row.peak.name if row.peak else "-",
                row.pit.name if row.pit else "-",
            ]
        )
    out: list[Flowable] = [_table(rows, [70 * mm, 75 * mm, 62 * mm, 62 * mm])]
    cells = [("Furthest above target", the_map.peaks), ("Furthest below target", the_map.pits)]
    for title, found in cells:
        text = "; ".join(
            f"{cell.touchpoint.name} {number(cell.estimate.value, sign=True)} "
            f"(target {number(cell.touchpoint.nps_target, sign=True)})"
            for cell in found
        )
        out.append(Paragraph(f"<b>{plain(title)}:</b> {plain(text or 'none')}", BODY))
    return out


def _revenue_at_risk(pack: BoardPack) -> list[Flowable]:
    if not pack.say_do_departments:
        return [_empty("No customer outcomes matched to answers: import a customer file.")]
    rows: list[list[Any]] = [
        ["Department", "Customers", "Retention gap, points (95 %)", "Revenue at risk (95 %)"]
    ]
    for item in pack.say_do_departments:
        gap, risk = item.gap, item.revenue_at_risk
        rows.append(
            [
                item.name,
                f"{item.customers:,}",
                f"{number(gap.value, 1)} ({number(gap.low, 1)} to {number(gap.high, 1)})"
                if gap
                else item.refusal,
                f"{number(risk.value)} ({number(risk.low)} to {number(risk.high)})"
                if risk
                else "-",
            ]
        )
    note = (
        "Revenue at risk = revenue of customers whose latest answer there was a detractor's x "
        "(promoters' retention - detractors' retention). All customers with an outcome, not "
        "only this quarter's; no figure under 30 promoters and 30 detractors."
    )
    return [_table(rows, [70 * mm, 30 * mm, 85 * mm, 84 * mm]), Paragraph(plain(note), SMALL)]


def _drivers(pack: BoardPack) -> list[Flowable]:
    """Both outcomes' drivers as the overview shows them (metrics.selectors.drivers)."""
    out: list[Flowable] = []
    for outcome, label in (("retention", "Retention"), ("nps", "Overall NPS")):
        found = pack.overview.drivers.get(outcome)
        if found is None:
            out.append(_empty(f"{label}: the driver analysis has not run yet."))
            continue
        if not found.enough or not found.ranked:
            reason = found.refusal or "no touch point has enough poor and good answers"
            out.append(_empty(f"{label}: not enough data ({reason})."))
            continue
        rows: list[list[Any]] = [
            [f"{label}: rank", "Touch point", "A poor answer there, points (95 %)",
             "Importance (95 %)", "Customers with a poor answer"]
        ]  # fmt: skip
        for row in found.ranked[:TOP_DRIVERS]:
            rows.append(
                [
                    str(row["rank"]),
                    row["name"],
                    f"{number(row['effect'], 1, sign=True)} ({number(row['effect_low'], 1)} to "
                    f"{number(row['effect_high'], 1)})",
                    f"{row['importance']:.3f} ({row['importance_low']:.3f} to "
                    f"{row['importance_high']:.3f})",
                    f"{row['poor']:,}",
                ]
            )
        out.append(_table(rows, [30 * mm, 70 * mm, 65 * mm, 55 * mm, 49 * mm]))
    note = (
        "Per customer with an outcome: was their latest answer at each touch point poor (0-6)? "
        "One least-squares fit per outcome with robust 95 % intervals; importance is the "
        "standardized effect. All customers with an outcome, not only this quarter's."
    )
    out.append(Paragraph(plain(note), SMALL))
    return out


def _roadmap(pack: BoardPack) -> list[Flowable]:
    out: list[Flowable] = []
    if pack.accomplishments:
        rows: list[list[Any]] = [["Done", "Key accomplishment", "Initiative"]]
        for milestone in pack.accomplishments:
            rows.append([f"{milestone.done_date:%d %b}", milestone.title,
                         milestone.initiative.title])  # fmt: skip
        out.append(_table(rows, [25 * mm, 122 * mm, 122 * mm]))
    else:
        out.append(_empty("No key milestone was completed this quarter."))
    out.append(Paragraph("Initiative verdicts", H2))
    if not pack.results:
        out.append(_empty("No expected results on the current roadmap."))
        return out
    rows = [["Initiative", "Budget", "Result", "Target", "By", "Verdict", "Judged on"]]
    for result in pack.results:
        reading = result.reading
        budget = result.initiative.budget
        rows.append(
            [
                result.initiative.title,
                "-" if budget is None else number(float(budget)),
                reading.name,
                f"{number(result.target, 1)} {reading.unit}".strip(),
                f"{result.by_date:%b %Y}",
                reading.verdict.label,
                reading.verdict.judged_on,
            ]
        )
    out.append(_table(rows, [52 * mm, 22 * mm, 52 * mm, 18 * mm, 20 * mm, 30 * mm, 75 * mm]))
    out.extend(_returns(pack))
    return out


def _returns(pack: BoardPack) -> list[Flowable]:
    """Initiatives in money: each budget against the value its results measured (a year's)."""
    out: list[Flowable] = [Paragraph("Initiatives in money", H2)]
    if not pack.returns:
        return [*out, _empty("No initiative states a budget or a result in money.")]
    rows: list[list[Any]] = [["Initiative", "Budget", "Value a year (95 %)", "Return (95 %)",
                              "Targets' return", "Why no figure"]]  # fmt: skip
    for row in pack.returns:
        money, value = row.money, row.money.value
        worth = "-"
        if value is not None:
            worth = number(value.value)
            if value.low is not None and value.high is not None:
                worth += f" ({number(value.low)} to {number(value.high)})"
        rows.append([row.initiative.title, "-" if money.budget is None else number(money.budget),
                     worth, money.text if money.ratio else "-", money.expected_text or "-",
                     "" if money.ratio else f"{money.label}: {money.reason}"])  # fmt: skip
    out.append(_table(rows, [52 * mm, 22 * mm, 45 * mm, 40 * mm, 25 * mm, 85 * mm]))
    note = ("Return = (value − budget) ÷ budget; the value is a year's worth of the change "
            "measured since the start (revenue, retention × the revenue at stake, cost to serve "
            "saved). NPS, CSAT and CES results are not in money.")  # fmt: skip
    out.append(Paragraph(plain(note), SMALL))
    return out


def _scorecard(pack: BoardPack) -> Flowable:
    if not pack.overview.scorecard:
        return _empty("No departments.")
    rows: list[list[Any]] = [["Department", *SCORECARD_COLUMNS]]
    for row in pack.overview.scorecard:
        rows.append([row.department.name, *[f"{cell.text} ({cell.rag})" for cell in row.cells]])
    return _table(rows, [61 * mm, 52 * mm, 52 * mm, 52 * mm, 52 * mm])


def _issues_and_decisions(pack: BoardPack) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("Top open CX issues", H2)]
    if pack.issues:
        rows: list[list[Any]] = [["Raised", "Issue", "Department", "Status"]]
        for issue in pack.issues:
            rows.append([f"{issue.raised_at:%d %b %Y}", issue.title, issue.department.name,
                         issue.get_status_display()])  # fmt: skip
        out.append(_table(rows, [28 * mm, 140 * mm, 60 * mm, 41 * mm]))
    else:
        out.append(_empty("No CX issue is open."))
    out.append(Paragraph("Decisions this quarter", H2))
    if pack.decisions:
        rows = [["Recorded", "Decision", "Meeting"]]
        for decision in pack.decisions:
            rows.append([f"{decision.recorded_at:%d %b %Y}", decision.text,
                         decision.meeting.series.name])  # fmt: skip
        out.append(_table(rows, [28 * mm, 181 * mm, 60 * mm]))
    else:
        out.append(_empty("No decision was recorded in an accountability meeting this quarter."))
    out.append(Paragraph("You said, we did", H2))
    if pack.change_notes:
        rows = [["Published", "You said", "We did"]]
        for note in pack.change_notes:
            rows.append([f"{note.published_at:%d %b %Y}", note.you_said, note.we_did])
        out.append(_table(rows, [28 * mm, 120 * mm, 121 * mm]))
    else:
        out.append(_empty("No change note was published this quarter."))
    return out


def story(pack: BoardPack) -> list[Flowable]:
    quarter = pack.quarter
    period = f"{quarter.start:%d %b %Y} to {pack.until:%d %b %Y}"
    flow: list[Flowable] = [
        Paragraph(plain(f"Customer experience board pack, {quarter.label}"), TITLE),
        Paragraph(plain(f"{period}; built {pack.built_on:%d %b %Y}."), SMALL),
        Spacer(1, 4 * mm),
    ]
    if pack.is_empty:
        flow.append(
            Paragraph(
                plain(
                    f"No data for this quarter: no survey responses, key accomplishments or "
                    f"decisions were recorded from {period}. The sections below say what is "
                    "missing."
                ),
                BODY,
            )
        )
        flow.append(Spacer(1, 3 * mm))
    flow += [
        _tiles(pack),
        Spacer(1, 4 * mm),
        KeepTogether([Paragraph("NPS trend", H2), _trend_chart(pack)]),
        PageBreak(),
        Paragraph("Journeys and touch points", H2),
        *_journeys(pack),
        Paragraph("Revenue at risk by department", H2),
        *_revenue_at_risk(pack),
        Paragraph("Drivers: which touch points move retention and NPS most", H2),
        *_drivers(pack),
        PageBreak(),
        Paragraph("Key accomplishments and milestones", H2),
        *_roadmap(pack),
        Paragraph("Department scorecard", H2),
        _scorecard(pack),
        *_issues_and_decisions(pack),
    ]
    return flow


def render(pack: BoardPack) -> bytes:
    buffer = io.BytesIO()
    title = f"Customer experience board pack, {pack.quarter.label}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author="Customer experience office",
    )
    canvas_class = type("PackCanvas", (_NumberedCanvas,), {"title": title})
    document.build(story(pack), canvasmaker=canvas_class)
    return buffer.getvalue()


def board_pack_pdf(quarter: Quarter, *, today: date | None = None) -> bytes:
    return render(board_pack_data(quarter, today=today))


def board_pack_send(*, today: date | None = None) -> int:
    """Email the pack of the quarter that has just ended to every active executive (and the
    CCO) with an address; returns how many were sent to."""
    today = today or timezone.localdate()
    quarter = Quarter.containing(today).previous()
    # A person who turned the programme's emails off (accountability's opt-out) gets none.
    recipients = list(
        User.objects.filter(is_active=True, role__in=[Role.EXECUTIVE, Role.CCO])
        .exclude(email="")
        .exclude(pk__in=opted_out_ids())
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    text = f"The customer experience board pack for {quarter.label} is attached."
    message = EmailMultiAlternatives(
        f"Customer experience board pack, {quarter.label}", text, to=recipients
    )
    message.attach_alternative(f"<p>{escape(text)}</p>", "text/html")
    message.attach(
        f"board-pack-{quarter.slug}.pdf", board_pack_pdf(quarter, today=today), "application/pdf"
    )
    message.send()
    return len(recipients)
