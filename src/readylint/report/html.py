"""The page itself: the Jinja2 template filled with the report data and the SVG charts.

This is the only module that imports Jinja2; only ``readylint report`` imports it.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from readylint.report import svg
from readylint.report.data import ReportData

TEMPLATE = "readiness.html.j2"
RECENT_RUNS = 12  # rows of the trend table


def environment() -> Environment:
    """Autoescape on for every template: item text is always escaped, whatever its source."""
    return Environment(
        loader=PackageLoader("readylint.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(data: ReportData) -> str:
    template = environment().get_template(TEMPLATE)
    return template.render(
        data=data,
        # The charts are built by svg.py, which escapes every text it draws.
        bar_chart=Markup(svg.bar_chart(data.checks, data.total)),
        trend_chart=Markup(svg.trend_chart(data.history)) if data.history else "",
        recent=list(reversed(data.history[-RECENT_RUNS:])),
    )
