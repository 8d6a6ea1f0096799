"""HTML of the overview and day pages (escaped f-strings, inline CSS, no scripts)."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode

from newsetl.ui import data, svg

CSS = """
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --card:#fff; --bg:#f6f7f9;
        --accent:#017cee; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
       "Noto Sans Arabic",sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:1180px; margin:0 auto; padding:18px 22px 40px; }
header { display:flex; flex-wrap:wrap; align-items:baseline; gap:6px 18px; margin-bottom:12px; }
h1 { font-size:22px; margin:0; } h2 { font-size:16px; margin:0 0 8px; }
h3 { font-size:14px; margin:0 0 6px; }
.muted { color:var(--muted); } a { color:var(--accent); text-decoration:none; }
a:hover { text-decoration:underline; }
form.filter { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin:0 0 14px; }
form.filter input { padding:4px 6px; border:1px solid var(--line); border-radius:6px;
                    font:inherit; }
form.filter button { padding:5px 12px; border:0; border-radius:6px; background:var(--accent);
                     color:#fff; font:inherit; cursor:pointer; }
.quick a { margin-right:10px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(112px,1fr)); gap:10px;
         margin-bottom:14px; }
.card, .panel { background:var(--card); border:1px solid var(--line); border-radius:10px; }
.card { padding:10px 14px; } .card .v { font-size:22px; font-weight:600; }
.card.wide { grid-column:span 2; } .card.wide .v { font-size:18px; padding-top:3px; }
.card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.panel { padding:12px 14px; margin-bottom:14px; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(420px,1fr)); gap:14px; }
.grid2 .panel { margin-bottom:0; } .grid2 { margin-bottom:14px; }
svg.chart { width:100%; height:auto; display:block; }
svg.hchart { width:100%; max-width:560px; height:auto; display:block; }
svg .grid { stroke:#eef0f3; } svg .ytick, svg .xtick { fill:var(--muted); font-size:11px; }
svg .total { fill:#374151; font-size:11px; font-weight:600; }
svg .line { fill:none; stroke-width:2; } svg .empty { fill:#fafafa; stroke:var(--line); }
svg .empty-msg { fill:var(--muted); font-size:14px; } svg .hlabel, svg .hvalue { font-size:12px;
  fill:#374151; }
.legend { display:flex; flex-wrap:wrap; gap:4px 14px; margin:6px 0 0 48px; font-size:12px; }
.legend span::before { content:""; display:inline-block; width:10px; height:10px;
  border-radius:2px; margin-right:5px; background:var(--c); vertical-align:-1px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line);
         vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase;
     letter-spacing:.03em; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
td.wrap { word-break:break-word; max-width:420px; }
tr:hover td { background:#f9fafb; }
code, pre { font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
pre { background:#0f172a; color:#e2e8f0; padding:12px; border-radius:8px; overflow:auto;
      max-height:480px; }
.pill { display:inline-block; padding:0 7px; border-radius:10px; background:#eef2ff;
        font-size:12px; margin:0 3px 2px 0; }
.note { font-size:12px; color:var(--muted); margin-top:4px; }
.empty-state { padding:28px; text-align:center; color:var(--muted); }
nav.daynav a { margin-right:14px; }
"""


def _doc(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>")


def _legend(keys: list[str], colors: dict[str, str]) -> str:
    return '<div class="legend">' + "".join(
        f'<span style="--c:{colors[k]}">{escape(k)}</span>' for k in keys) + "</div>"


def _card(key: str, value: str, test_id: str) -> str:
    test_id, _, extra = test_id.partition(" ")
    return (f'<div class="card {extra}" data-testid="{test_id}"><div class="k">{escape(key)}</div>'
            f'<div class="v">{escape(value)}</div></div>')


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} s"


#: viewBox width of the charts in half-width panels (keeps their text the same size).
HALF = 520

GRANULARITY_NOTE = {"day": "one bar per day", "week": "weekly totals",
                    "month": "monthly totals", "quarter": "quarterly totals",
                    "year": "yearly totals"}


def overview_page(base: str, out_root: str, days: list[dict], lo: str | None,
                  hi: str | None, all_days: list[str], states: list[dict] | None = None
                  ) -> str:
    """The overview: filter, day status, totals, three charts, the latest days table."""
    states = states or []
    tot = data.totals(days)
    parts = [f'<header><h1>News ETL</h1><span class="muted">published dataset at '
             f'<code>{escape(out_root)}</code></span></header>']
    parts.append(_filter_form(base, lo, hi, all_days))
    if states:
        parts.append(_status_panel(states))
    days_on_axis = data.with_gaps(days, states) if states else days
    if not days:
        what = "in this range" if (lo or hi) else "yet"
        parts.append(f'<div class="panel empty-state" data-testid="empty">No published days '
                     f'{what}. Run the pipeline (<code>newsetl run</code> or the DAG) and '
                     f'compute <code>daily_stats</code> to see charts here.</div>')
        return _doc("News ETL", "".join(parts))
    parts.append('<div class="cards">'
                 + _card("days", data.fmt_int(tot["days"]), "card-days")
                 + _card("input items", data.fmt_int(tot["input_items"]), "card-input-items")
                 + _card("articles", data.fmt_int(tot["articles"]), "card-articles")
                 + _card("rejects", data.fmt_int(tot["rejects"]), "card-rejects")
                 + _card("languages", data.fmt_int(len(tot["articles_by_lang"])),
                         "card-languages")
                 + _card("range", f'{tot["first"]} → {tot["last"]}', "card-range wide")
                 + "</div>")
    granularity, buckets = data.bucketize(days_on_axis)
    labels = [b["label"] for b in buckets]
    axis = [b["start"] if granularity == "week" else b["label"] for b in buckets]
    note = GRANULARITY_NOTE[granularity]

    lang_keys = data.series_keys(tot["articles_by_lang"], data.TOP_LANGS)
    lang_colors = svg.colors_for(lang_keys)
    lang_values = [data.fold_other(b["articles_by_lang"], lang_keys) for b in buckets]
    parts.append('<section class="panel" data-testid="chart-articles"><h2>Articles per day by '
                 f'language <span class="muted">({note})</span></h2>'
                 + svg.stacked_bars("chart-articles", "Articles by language", labels, lang_keys,
                                    lang_values, lang_colors, axis_labels=axis)
                 + _legend(lang_keys, lang_colors) + "</section>")

    reason_keys = data.series_keys(tot["rejects_by_reason"], None)
    reason_colors = svg.colors_for(reason_keys, svg.REASON_COLORS)
    reason_values = [b["rejects_by_reason"] for b in buckets]
    parts.append('<div class="grid2"><section class="panel" data-testid="chart-rejects">'
                 f'<h2>Rejects by reason <span class="muted">({note})</span></h2>'
                 + (svg.stacked_bars("chart-rejects", "Rejects by reason", labels, reason_keys,
                                     reason_values, reason_colors, width=HALF,
                                     axis_labels=axis)
                    if reason_keys else svg.empty_chart("chart-rejects", "Rejects by reason",
                                                        "No rejects in this range", HALF))
                 + _legend(reason_keys, reason_colors) + "</section>")
    share_note = "mean of the days" if granularity != "day" else "per day"
    parts.append('<section class="panel" data-testid="chart-foreign"><h2>Foreign-section share '
                 f'<span class="muted">({share_note})</span></h2>'
                 + svg.line_chart("chart-foreign", "Foreign-section share", labels,
                                  [b["foreign_section_share"] for b in buckets], width=HALF,
                                  axis_labels=axis)
                 + '<div class="note">sections whose language differs from their article\'s, '
                   'among sections with a detected language</div></section></div>')
    parts.append(_days_table(base, days))
    parts.append(f'<p class="note">JSON: <a href="{base}/api/days{_query(lo, hi)}">'
                 f'{escape(base)}/api/days</a> · <a href="{base}/api/day/{days[-1]["ds"]}">'
                 f'{escape(base)}/api/day/{days[-1]["ds"]}</a></p>')
    return _doc("News ETL", "".join(parts))


STATE_COLORS = {"published": "#2e7d32", "failed": "#c62828", "missing": "#9e9e9e"}
#: Failed and missing days listed under the status strip.
PROBLEM_DAYS_SHOWN = 30


def _status_panel(states: list[dict]) -> str:
    """One square per day (published / failed / missing) on a real date axis, the counts,
    and the failed and missing days with what failed and a link to the run."""
    counts = {k: sum(1 for d in states if d["state"] == k) for k in STATE_COLORS}
    size = max(3, min(14, 900 // max(1, len(states))))
    squares = "".join(
        f'<rect x="{i * size}" y="0" width="{size - 1}" height="14" '
        f'fill="{STATE_COLORS[d["state"]]}" data-ds="{escape(d["ds"])}" '
        f'data-state="{d["state"]}"><title>{escape(d["ds"])}: {d["state"]}</title></rect>'
        for i, d in enumerate(states))
    strip = (f'<svg role="img" aria-label="day status" width="{len(states) * size}" '
             f'height="14" data-testid="status-strip">{squares}</svg>')
    legend = " ".join(f'<span class="pill" style="border-left:10px solid {c}">{k} '
                      f'{counts[k]}</span>' for k, c in STATE_COLORS.items())
    problems = [d for d in reversed(states) if d["state"] != "published"]
    rows = []
    for d in problems[:PROBLEM_DAYS_SHOWN]:
        what = "no run published this day" if d["state"] == "missing" else (
            f'{escape(str(d.get("where") or "?"))}: {escape(str(d.get("error") or ""))[:200]}')
        link = (f'<a href="{escape(str(d["link"]), quote=True)}">run log</a>'
                if d.get("link") else escape(str(d.get("run") or "")))
        rows.append(f'<tr data-ds="{escape(d["ds"])}" data-state="{d["state"]}">'
                    f'<td>{escape(d["ds"])}</td><td>{d["state"]}</td><td>{what}</td>'
                    f'<td>{link}</td></tr>')
    table = ('<table><thead><tr><th>day</th><th>state</th><th>what</th><th>run</th></tr>'
             '</thead><tbody>' + "".join(rows) + "</tbody></table>") if rows else ""
    more = (f'<div class="note">{len(problems) - PROBLEM_DAYS_SHOWN} more not shown</div>'
            if len(problems) > PROBLEM_DAYS_SHOWN else "")
    return (f'<section class="panel" data-testid="day-status"><h2>Day status '
            f'<span class="muted">{escape(states[0]["ds"])} → {escape(states[-1]["ds"])}'
            f'</span></h2>{strip}<div>{legend}</div>{table}{more}</section>')


def _query(lo: str | None, hi: str | None) -> str:
    params = {k: v for k, v in (("from", lo), ("to", hi)) if v}
    return ("?" + urlencode(params)) if params else ""


def _filter_form(base: str, lo: str | None, hi: str | None, all_days: list[str]) -> str:
    quick = []
    if all_days:
        last = all_days[-1]
        from datetime import date, timedelta

        for n in (30, 90, 365):
            start = (date.fromisoformat(last) - timedelta(days=n - 1)).isoformat()
            quick.append(f'<a href="{base}/{_query(start, last)}">last {n} days</a>')
        quick.append(f'<a href="{base}/">all</a>')
    return (f'<form class="filter" method="get" action="{base}/">'
            f'<label>from <input type="date" name="from" value="{escape(lo or "")}"></label>'
            f'<label>to <input type="date" name="to" value="{escape(hi or "")}"></label>'
            f'<button type="submit">Apply</button><span class="quick muted">'
            + "".join(quick) + "</span></form>")


def _top_langs(day: dict, n: int = 4) -> str:
    pairs = sorted(day["articles_by_lang"].items(), key=lambda kv: (-kv[1], kv[0]))
    shown = "".join(f'<span class="pill">{escape(k)} {v}</span>' for k, v in pairs[:n])
    if len(pairs) > n:
        shown += f'<span class="muted">+{len(pairs) - n}</span>'
    return shown


def _days_table(base: str, days: list[dict]) -> str:
    latest = list(reversed(days[-data.LATEST_DAYS:]))
    rows = []
    for d in latest:
        ds = escape(d["ds"])
        rows.append(
            f'<tr data-ds="{ds}"><td><a href="{base}/day/{ds}">{ds}</a></td>'
            f'<td class="n" data-col="input_items">{data.fmt_int(d["input_items"])}</td>'
            f'<td class="n" data-col="articles">{data.fmt_int(d["articles"])}</td>'
            f'<td class="n" data-col="rejects">{data.fmt_int(d["rejects"])}</td>'
            f'<td>{_top_langs(d)}</td>'
            f'<td class="n" data-col="foreign">{_pct(d["foreign_section_share"])}</td>'
            f'<td class="n" data-col="run_seconds">{_secs(d["run_seconds"])}</td>'
            f'<td><a href="{base}/day/{ds}">details →</a></td></tr>')
    more = (f'<div class="note">showing the latest {len(latest)} of {len(days)} days in the '
            f'range; narrow the range to see older days</div>' if len(days) > len(latest) else "")
    return ('<section class="panel" data-testid="days-table"><h2>Latest days</h2><table>'
            '<thead><tr><th>day</th><th class="n">input items</th><th class="n">articles</th>'
            '<th class="n">rejects</th><th>top languages</th><th class="n">foreign share</th>'
            '<th class="n">run time</th><th></th></tr></thead><tbody>' + "".join(rows)
            + "</tbody></table>" + more + "</section>")


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None,
           test_id: str = "") -> str:
    numeric = numeric or set()
    head = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>'
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(
        f'<td class="{"n" if i in numeric else "wrap"}">{cell}</td>' for i, cell in enumerate(r))
        + "</tr>" for r in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="muted">none</td></tr>'
    return (f'<table data-testid="{test_id}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _manifest_for_display(manifest: dict) -> tuple[str, str]:
    shown = dict(manifest)
    note = ""
    inputs = manifest.get("inputs") or []
    if len(inputs) > data.INPUTS_SHOWN:
        shown["inputs"] = inputs[:data.INPUTS_SHOWN]
        note = (f"inputs truncated to {data.INPUTS_SHOWN} of {len(inputs)}; "
                "the JSON endpoint returns them all")
    return json.dumps(shown, indent=1, ensure_ascii=False), note


def day_page(base: str, detail: dict, prev_ds: str | None, next_ds: str | None) -> str:
    ds = detail["ds"]
    c = detail["counts"]
    nav = [f'<a href="{base}/">← all days</a>']
    if prev_ds:
        nav.append(f'<a href="{base}/day/{escape(prev_ds)}">‹ {escape(prev_ds)}</a>')
    if next_ds:
        nav.append(f'<a href="{base}/day/{escape(next_ds)}">{escape(next_ds)} ›</a>')
    parts = [f'<header><h1>News ETL · {escape(ds)}</h1><nav class="daynav">{"".join(nav)}'
             "</nav></header>"]
    parts.append('<div class="cards">'
                 + _card("input files", data.fmt_int(c.get("input_files")), "card-input-files")
                 + _card("input items", data.fmt_int(c.get("input_items")), "card-input-items")
                 + _card("articles", data.fmt_int(c.get("articles")), "card-articles")
                 + _card("sections", data.fmt_int(c.get("sections")), "card-sections")
                 + _card("rejects", data.fmt_int(c.get("rejects")), "card-rejects")
                 + _card("duplicates", data.fmt_int(c.get("duplicates")), "card-duplicates")
                 + _card("foreign share", _pct(detail["foreign_section_share"]), "card-foreign")
                 + _card("run time", _secs(detail["run_seconds"]), "card-run-time")
                 + "</div>")
    langs = list(detail["articles_by_lang"].items())
    lang_colors = svg.colors_for([k for k, _ in langs])
    reasons = list(detail["rejects_by_reason"].items())
    reason_colors = svg.colors_for([k for k, _ in reasons], svg.REASON_COLORS)
    parts.append('<div class="grid2"><section class="panel" data-testid="day-langs">'
                 '<h2>Articles by language</h2>'
                 + svg.hbars("day-langs-chart", "Articles by language", langs, lang_colors)
                 + '</section><section class="panel" data-testid="day-reasons">'
                 '<h2>Rejects by reason</h2>'
                 + svg.hbars("day-reasons-chart", "Rejects by reason", reasons, reason_colors)
                 + "</section></div>")
    sources = [[escape(s["key"]), data.fmt_int(s["value"])] for s in detail["top_sources"]]
    labels = [[escape(s["key"]) if s["key"] else '<span class="muted">(no label)</span>',
               data.fmt_int(s["value"])] for s in detail["section_labels"][:30]]
    parts.append('<div class="grid2"><section class="panel"><h2>Top sources</h2>'
                 + _table(["source", "articles"], sources, {1}, "top-sources")
                 + '</section><section class="panel"><h2>Section labels</h2>'
                 + _table(["label", "articles"], labels, {1}, "section-labels")
                 + "</section></div>")
    sample = detail["reject_sample"]
    rows = [[escape(r.get("reason") or ""), f'<code>{escape(r.get("source_file") or "")}</code>',
             escape(r.get("source_member") or ""), escape(r.get("detail") or ""),
             escape(r.get("duplicate_of") or "")] for r in sample]
    total_rejects = c.get("rejects") or 0
    sample_note = (f'<div class="note">first {len(sample)} of {total_rejects:,} reject rows</div>'
                   if total_rejects > len(sample) else "")
    parts.append('<section class="panel"><h2>Rejected inputs <span class="muted">(sample)'
                 '</span></h2>'
                 + _table(["reason", "file", "member", "detail", "duplicate of"], rows,
                          test_id="reject-sample") + sample_note + "</section>")
    inputs = detail["manifest"].get("inputs") or []
    input_rows = [[f'<code>{escape(str(i.get("path", "")))}</code>', data.fmt_int(i.get("size")),
                   data.fmt_int(i.get("items")), data.fmt_int(i.get("articles")),
                   data.fmt_int(i.get("rejects"))] for i in inputs[:data.INPUTS_SHOWN]]
    more = (f'<div class="note">first {data.INPUTS_SHOWN} of {len(inputs):,} inputs</div>'
            if len(inputs) > data.INPUTS_SHOWN else "")
    parts.append('<section class="panel"><h2>Inputs</h2>'
                 + _table(["file", "bytes", "items", "articles", "rejects"], input_rows,
                          {1, 2, 3, 4}, "inputs") + more + "</section>")
    text, note = _manifest_for_display(detail["manifest"])
    parts.append(f'<section class="panel"><h2>Manifest</h2><details open><summary>'
                 f'version <code>{escape(str(detail["manifest"].get("version", "")))}</code>, '
                 f'published {escape(str(detail["manifest"].get("published_at", "")))}'
                 f'</summary><pre data-testid="manifest">{escape(text)}</pre></details>'
                 + (f'<div class="note">{escape(note)}</div>' if note else "")
                 + f'<p class="note">JSON: <a href="{base}/api/day/{escape(ds)}">'
                 f'{escape(base)}/api/day/{escape(ds)}</a></p></section>')
    return _doc(f"News ETL · {ds}", "".join(parts))


def message_page(title: str, message: str, link: tuple[str, str] | None = None) -> str:
    extra = f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>' if link else ""
    return _doc(title, f'<div class="panel empty-state"><h2>{escape(title)}</h2>'
                       f"<p>{escape(message)}</p>{extra}</div>")
