"""What every Plotly figure builder shares.

plotly.js draws a subset of HTML in trace names, hover text, axis ticks and annotations: `<a
href>` becomes a live link, `<b>` bold, `<br>` a new line. Text people wrote (a milestone title,
a department's name) reaches a figure only through `plotly_text`, so it is shown as written.
"""

from html import escape


def plotly_text(value: object) -> str:
    """`value` as Plotly shows it literally: `<`, `>` and `&` as the entities plotly.js decodes.

    Quotes are left alone: plotly.js decodes only a few named entities, and `&quot;` is not
    one of them, so escaping them would show `&quot;` in the chart.
    """
    return escape(str(value), quote=False)
