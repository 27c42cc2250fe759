"""Charts as inline SVG, drawn in Python: no JavaScript, no fonts or images to fetch.

Every chart carries a <title> and <desc> for screen readers, writes its numbers as text next to
the marks (colour is never the only signal), and escapes every piece of text it draws. The page
also has a table with the same numbers under each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from readylint.report.data import CheckColumn
from readylint.report.history import Entry

FAIL = "#b42318"  # 6.6:1 on white
WARN = "#8a5a00"  # 5.9:1 on white
READY = "#1a6b3c"  # 6.5:1 on white
INK = "#1f2328"
GRID = "#d0d7de"
MAX_POINTS = 200  # the trend draws at most the last 200 runs


def _t(text: object) -> str:
    return escape(str(text), quote=True)


def _open(width: int, height: int, prefix: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="inherit" font-size="13">',
        f'<title id="{prefix}-title">{_t(title)}</title>',
        f'<desc id="{prefix}-desc">{_t(desc)}</desc>',
    ]


def bar_chart(checks: Sequence[CheckColumn], total: int) -> str:
    """Horizontal bars, one per check, most failures first: items failing (solid) and warning
    (striped), on a scale where the full width is every reported item."""
    label_w, bar_w, value_w, row_h, top = 190, 340, 130, 30, 26
    width = label_w + bar_w + value_w
    height = top + row_h * max(len(checks), 1) + 10
    scale = bar_w / max(total, 1)
    ordered = sorted(checks, key=lambda c: (-c.failures, -c.warnings))
    desc = (
        "; ".join(f"{c.id}: {c.failures} failing, {c.warnings} with warnings" for c in ordered)
        or "no checks ran"
    )
    out = _open(width, height, "bars", f"Items failing each check (of {total})", desc)
    out.append(
        '<defs><pattern id="bars-stripes" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff4ce"/><rect width="3" height="6" fill="{WARN}"/>'
        "</pattern></defs>"
    )
    out.append(
        f'<text x="{label_w}" y="14" fill="{INK}">0</text>'
        f'<text x="{label_w + bar_w}" y="14" fill="{INK}" text-anchor="end">{total} items</text>'
        f'<line x1="{label_w}" y1="{top - 6}" x2="{label_w}" y2="{height - 8}" stroke="{INK}"/>'
        f'<line x1="{label_w + bar_w}" y1="{top - 6}" x2="{label_w + bar_w}" y2="{height - 8}" '
        f'stroke="{GRID}" stroke-dasharray="3 3"/>'
    )
    for index, check in enumerate(ordered):
        y = top + index * row_h
        fail_w = check.failures * scale
        warn_w = check.warnings * scale
        value = f"{check.failures} fail" + (f", {check.warnings} warn" if check.warnings else "")
        out.append(
            f"<g><title>{_t(check.id)}: {check.failures} of {total} items fail, "
            f"{check.warnings} warn</title>"
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" fill="{INK}">'
            f"{_t(check.id)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{fail_w:.1f}" height="20" fill="{FAIL}"/>'
            f'<rect x="{label_w + fail_w:.1f}" y="{y + 4}" width="{warn_w:.1f}" height="20" '
            f'fill="url(#bars-stripes)" stroke="{WARN}" stroke-width="{1 if warn_w else 0}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 18}" fill="{INK}">{_t(value)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _when(time: str) -> str:
    """A compact date for an axis label: '2026-11-02' from an ISO timestamp."""
    return time[:10]


def trend_chart(entries: Sequence[Entry]) -> str:
    """Ready share (0-100 %) per run, oldest on the left, one labelled point per run."""
    shown = list(entries)[-MAX_POINTS:]
    width, height = 680, 250
    left, right, top, bottom = 48, 24, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = (shown[0], shown[-1]) if shown else (None, None)
    desc = (
        f"{len(shown)} runs from {_when(first.time)} to {_when(last.time)}; "
        f"ready share went from {first.ready_share:.0%} to {last.ready_share:.0%}"
        if first and last
        else "no runs recorded yet"
    )
    out = _open(width, height, "trend", "Share of items ready, run by run", desc)
    for percent in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - percent / 100)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{percent}%</text>'
        )

    def x_of(index: int) -> float:
        return left + (plot_w / 2 if len(shown) == 1 else plot_w * index / (len(shown) - 1))

    def y_of(entry: Entry) -> float:
        return top + plot_h * (1 - entry.ready_share)

    if len(shown) > 1:
        points = " ".join(f"{x_of(i):.1f},{y_of(e):.1f}" for i, e in enumerate(shown))
        out.append(f'<polyline points="{points}" fill="none" stroke="{READY}" stroke-width="2"/>')
    for index, entry in enumerate(shown):
        tip = f"{entry.time}: {entry.ready} of {entry.items} ready ({entry.ready_share:.0%})"
        if entry.label:
            tip += f", {entry.label}"
        out.append(
            f'<circle cx="{x_of(index):.1f}" cy="{y_of(entry):.1f}" r="4" fill="{READY}" '
            f'stroke="#fff" stroke-width="1.5"><title>{_t(tip)}</title></circle>'
        )
    if last is not None:
        index = len(shown) - 1
        anchor = "end" if len(shown) > 1 else "middle"
        out.append(
            f'<text x="{x_of(index):.1f}" y="{max(y_of(last) - 10, top + 10):.1f}" '
            f'text-anchor="{anchor}" fill="{INK}" font-weight="bold">'
            f"{last.ready_share:.0%} now</text>"
        )
    if first is not None and last is not None:
        out.append(
            f'<text x="{x_of(0):.1f}" y="{height - 14}" '
            f'text-anchor="{"start" if len(shown) > 1 else "middle"}" fill="{INK}">'
            f"{_t(_when(first.time))}</text>"
        )
        if len(shown) > 1:
            out.append(
                f'<text x="{x_of(len(shown) - 1):.1f}" y="{height - 14}" text-anchor="end" '
                f'fill="{INK}">{_t(_when(last.time))}</text>'
            )
    out.append("</svg>")
    return "".join(out)
