"""Server-side SVG charts: stacked bars and a line, no JavaScript.

Every bar segment and point carries a ``<title>`` (the browser's tooltip) and
``data-*`` attributes naming its bucket, series and value. The number of bars is
bounded by the caller (see :func:`newsetl.ui.data.bucketize`), so a chart stays a few
hundred elements whatever the date range.
"""

from __future__ import annotations

import math
from html import escape

from newsetl import reasons

WIDTH, HEIGHT = 960, 260
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 52, 16, 18, 34
OTHER_COLOR = "#a0a7b4"
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899",
           "#84cc16", "#f97316", "#64748b", "#14b8a6", "#a855f7")
REASON_COLORS = dict(zip(reasons.REASONS, ("#94a3b8", "#f97316", "#eab308", "#a855f7",
                                            "#ef4444", "#dc2626", "#be123c", "#64748b",
                                            "#0ea5e9", "#6366f1", "#78350f",
                                            # web formats: no_main_text, unparsable_html,
                                            # warc_not_html, warc_http_error, warc_truncated
                                            "#0d9488", "#9f1239", "#a3a3a3", "#c2410c",
                                            "#7c3aed"), strict=True))


def colors_for(keys: list[str], fixed: dict[str, str] | None = None) -> dict[str, str]:
    """A stable colour per series key (``other`` is grey).

    >>> colors_for(["en", "other"])
    {'en': '#2563eb', 'other': '#a0a7b4'}
    """
    out, i = {}, 0
    for key in keys:
        if key == "other":
            out[key] = OTHER_COLOR
        elif fixed and key in fixed:
            out[key] = fixed[key]
        else:
            out[key] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum >= ``value`` and its tick step.

    >>> nice_max(8), nice_max(0), nice_max(1234)
    ((8.0, 2.0), (1.0, 0.25), (1500.0, 500.0))
    """
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    mag = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        step = mult * mag
        if step >= raw:
            break
    if step >= 1:
        step = float(math.ceil(step))
    top = step * math.ceil(value / step)
    return float(top), float(step)


def _fmt(value: float, percent: bool = False) -> str:
    if percent:
        return f"{value * 100:.0f}%" if value * 100 >= 10 or value == 0 else f"{value * 100:.1f}%"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.2f}"


def _label_every(n: int, max_labels: int = 10) -> int:
    return max(1, math.ceil(n / max_labels))


def _frame(chart_id: str, title: str, body: list[str], width: int = WIDTH) -> str:
    return (f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {HEIGHT}" '
            f'role="img" aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def _axes(top: float, step: float, percent: bool, width: int = WIDTH) -> list[str]:
    plot_h = HEIGHT - MARGIN_T - MARGIN_B
    parts = []
    ticks = round(top / step)
    for i in range(ticks + 1):
        v = step * i
        y = MARGIN_T + plot_h - plot_h * v / top
        parts.append(f'<line class="grid" x1="{MARGIN_L}" x2="{width - MARGIN_R}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="ytick" x="{MARGIN_L - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{_fmt(v, percent)}</text>')
    return parts


def _xlabels(labels: list[str], x_of, width: float, chart_width: int = WIDTH) -> list[str]:
    longest = max((len(label) for label in labels), default=1)
    room = longest * 6.6 + 16  # px per label at 11 px
    every = _label_every(len(labels), max(1, int((chart_width - MARGIN_L - MARGIN_R) // room)))
    parts = []
    y = HEIGHT - MARGIN_B + 16
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = x_of(i) + width / 2
        parts.append(f'<text class="xtick" x="{x:.1f}" y="{y}" text-anchor="middle">'
                     f'{escape(label)}</text>')
    return parts


def empty_chart(chart_id: str, title: str, message: str = "No data in this range",
                width: int = WIDTH) -> str:
    return _frame(chart_id, title, [
        f'<rect class="empty" x="{MARGIN_L}" y="{MARGIN_T}" width="{width - MARGIN_L - MARGIN_R}"'
        f' height="{HEIGHT - MARGIN_T - MARGIN_B}"/>',
        f'<text class="empty-msg" x="{width / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
        f'{escape(message)}</text>'], width)


def stacked_bars(chart_id: str, title: str, labels: list[str], keys: list[str],
                 values: list[dict[str, int]], colors: dict[str, str],
                 show_totals: bool | None = None, width: int = WIDTH,
                 axis_labels: list[str] | None = None) -> str:
    """One bar per label, one stacked segment per key (in ``keys`` order, bottom up).

    ``labels`` name the bars in tooltips and ``data-label``; ``axis_labels`` (default:
    the same) are the shorter texts under the axis. Totals are written above the bars
    when there is room for them.
    """
    if not labels:
        return empty_chart(chart_id, title, width=width)
    totals = [sum(v.get(k, 0) for k in keys) for v in values]
    top, step = nice_max(max(totals) * (1.12 if show_totals is not False else 1.0))
    plot_w = width - MARGIN_L - MARGIN_R
    plot_h = HEIGHT - MARGIN_T - MARGIN_B
    slot = plot_w / len(labels)
    gap = slot * 0.18 if slot > 4 else 0.0
    bar_w = min(max(slot - gap, 0.5), 72.0)
    gap = slot - bar_w if slot > bar_w else gap

    def x_of(i: int) -> float:
        return MARGIN_L + i * slot + gap / 2

    body = _axes(top, step, False, width)
    if show_totals is None:
        show_totals = slot >= 7 * len(_fmt(max(totals))) + 6
    for i, (label, vals) in enumerate(zip(labels, values, strict=True)):
        x = x_of(i)
        y = MARGIN_T + plot_h
        body.append(f'<g class="bar" data-label="{escape(label)}" data-total="{totals[i]}">')
        for key in keys:
            v = vals.get(key, 0)
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            body.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{h:.2f}" '
                        f'fill="{colors[key]}" data-key="{escape(key)}" data-value="{v}">'
                        f'<title>{escape(label)} · {escape(key)}: {v:,}</title></rect>')
        if show_totals and totals[i]:
            body.append(f'<text class="total" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                        f'text-anchor="middle">{_fmt(totals[i])}</text>')
        body.append("</g>")
    body += _xlabels(axis_labels or labels, x_of, bar_w, width)
    return _frame(chart_id, title, body, width)


def line_chart(chart_id: str, title: str, labels: list[str], values: list[float | None],
               color: str = "#7c3aed", width: int = WIDTH,
               axis_labels: list[str] | None = None) -> str:
    """A percentage line (0..1 values); ``None`` breaks the line."""
    if not labels or all(v is None for v in values):
        return empty_chart(chart_id, title, "No section statistics in this range", width)
    top, step = nice_max(max(v for v in values if v is not None) * 1.15 or 0.01)
    top = min(top, 1.0) if top > 1.0 else top
    plot_w = width - MARGIN_L - MARGIN_R
    plot_h = HEIGHT - MARGIN_T - MARGIN_B
    slot = plot_w / len(labels)

    def x_of(i: int) -> float:
        return MARGIN_L + i * slot

    def y_of(v: float) -> float:
        return MARGIN_T + plot_h - plot_h * min(v, top) / top

    body = _axes(top, step, True, width)
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
            continue
        runs[-1].append(f"{x_of(i) + slot / 2:.1f},{y_of(v):.1f}")
    for run in runs:
        if len(run) > 1:
            body.append(f'<polyline class="line" points="{" ".join(run)}" stroke="{color}"/>')
    radius = 4 if len(labels) <= 60 else 2
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        if v is None:
            continue
        body.append(f'<circle class="point" cx="{x_of(i) + slot / 2:.1f}" cy="{y_of(v):.1f}" '
                    f'r="{radius}" fill="{color}" data-label="{escape(label)}" '
                    f'data-value="{v:.4f}"><title>{escape(label)}: {v * 100:.1f}%</title>'
                    f'</circle>')
        if slot >= 40:
            body.append(f'<text class="total" x="{x_of(i) + slot / 2:.1f}" '
                        f'y="{y_of(v) - 8:.1f}" text-anchor="middle">{v * 100:.1f}%</text>')
    body += _xlabels(axis_labels or labels, x_of, slot, width)
    return _frame(chart_id, title, body, width)


def hbars(chart_id: str, title: str, items: list[tuple[str, int]],
          colors: dict[str, str] | None = None, width: int = 460) -> str:
    """Horizontal bars for a ranked list (the day page)."""
    if not items:
        return (f'<svg class="hchart" id="{escape(chart_id)}" viewBox="0 0 {width} 30" '
                f'xmlns="http://www.w3.org/2000/svg"><text x="4" y="20" class="empty-msg">'
                f'none</text></svg>')
    row, label_w, value_w = 24, 190, 50
    height = row * len(items) + 6
    top = max(v for _, v in items) or 1
    body = []
    for i, (key, v) in enumerate(items):
        y = 3 + i * row
        w = (width - label_w - value_w) * v / top
        fill = (colors or {}).get(key, PALETTE[0])
        short = key if len(key) <= 26 else key[:25] + "…"
        body.append(f'<text class="hlabel" x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
                    f'{escape(short or "(none)")}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}" '
                    f'fill="{fill}" data-key="{escape(key)}" data-value="{v}">'
                    f'<title>{escape(key or "(none)")}: {v:,}</title></rect>'
                    f'<text class="hvalue" x="{label_w + w + 6:.1f}" y="{y + 16}">{v:,}</text>')
    return (f'<svg class="hchart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f'<title>{escape(title)}</title>' + "".join(body) + "</svg>")
