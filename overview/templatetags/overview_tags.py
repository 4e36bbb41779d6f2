"""The overview's data views: each chart's table, its rows built in Python."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from overview.selectors import TouchpointCell
from overview.tables import Table

register = template.Library()


def _text(cell: object) -> str:
    # Text and whole numbers read the same in every locale the product speaks (no thousands
    # separator is configured); anything else (a fraction, a date) is localised as the template
    # engine would.
    if isinstance(cell, str):
        return cell
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float | Decimal | date | datetime):
        return str(localize(cell))
    return str(cell)


@register.simple_tag
def data_table_rows(table: Table) -> SafeString:
    """The table's body rows. A template loop localised and escaped a few hundred cells one node
    at a time, the larger part of rendering a cold overview's tables."""
    if not table.rows:
        return mark_safe(  # noqa: S308 - no data interpolated but a count
            f'<tr><td colspan="{len(table.header)}" class="empty">No rows.</td></tr>'
        )
    rows = (
        "<tr>" + "".join(f"<td>{escape(_text(cell))}</td>" for cell in row) + "</tr>"
        for row in table.rows
    )
    return mark_safe("".join(rows))  # noqa: S308 - every cell escaped above


@register.simple_tag
def journey_chip(cell: TouchpointCell) -> SafeString:
    """One touch point on the journey map: its score against its target, the word for its
    colour and its owner. Built in Python: forty chips of a dozen template nodes each were a
    third of rendering a cold overview."""
    touchpoint, estimate = cell.touchpoint, cell.estimate
    target = touchpoint.nps_target
    department = touchpoint.department.name
    title = department
    if estimate.enough:
        title += (
            f": {floatformat(estimate.value, 0)} ({floatformat(estimate.low, 0)} to "
            f"{floatformat(estimate.high, 0)}), n = {estimate.n}"
        )
    if target is not None:
        title += f", target {floatformat(target, 0)}"
    if estimate.enough:
        score = str(floatformat(estimate.value, 0))
        if target is not None:
            score += f" / {floatformat(target, 0)}"
    elif estimate.n:
        score = f"n={estimate.n}"
    else:
        score = "no NPS"
    return format_html(
        '<a class="touchpoint-chip rag-{}" href="{}" title="{}">\n'
        "              <span>{}</span>\n"
        '              <span class="chip-score">{}</span>\n'
        '              <span class="chip-owner">{} · {}</span>\n'
        "            </a>",
        cell.rag,
        touchpoint.get_absolute_url(),
        title,
        touchpoint.name,
        score,
        cell.label,
        department,
    )
