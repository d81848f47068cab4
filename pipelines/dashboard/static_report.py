"""The dashboard as one self-contained HTML file: tables as HTML, charts as inline SVG
(rendered with vl-convert), no script, no font, no link: it opens with no network.

    python -m pipelines.dashboard.static_report --duckdb out/demo.duckdb --out out/report.html
"""

from __future__ import annotations

import argparse
import html
import math
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import vl_convert as vlc

from pipelines.dashboard import charts
from pipelines.dashboard.queries import DEFAULT_DB, Dashboard, DashboardError, fetch_all

VL_VERSION = "6.4"  # the Vega-Lite that vl-convert renders with (altair 6 writes v6 specs)
REPORT_BUSY_TIMEOUT = 60.0  # a report is worth waiting for a load to finish
URL = re.compile(r"https?://", re.IGNORECASE)

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; background: #f6f7f9; color: #1d2733; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
.sub { color: #5b6775; margin: 0 0 20px; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 8px; }
.stat { background: white; border: 1px solid #e3e7ec; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.stat b { display: block; font-size: 1.4rem; }
.stat span { color: #5b6775; font-size: .85rem; }
section { background: white; border: 1px solid #e3e7ec; border-radius: 8px; padding: 16px 20px;
          margin-top: 18px; }
h2 { font-size: 1.2rem; margin: 0 0 2px; }
section > p { color: #5b6775; margin: 0 0 12px; font-size: .92rem; }
.chart { overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin-top: 10px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: #5b6775; font-style: italic; }
footer { color: #5b6775; font-size: .8rem; margin-top: 24px; }
"""


def chart_svg(chart: Any, prefix: str = "chart") -> str:
    """An altair chart as an inline <svg> element, free of URLs (no $schema, no xmlns), its
    ids (clip paths, gradients) prefixed so that several charts can share a page."""
    spec = chart.to_dict()
    spec.pop("$schema", None)
    svg = vlc.vegalite_to_svg(spec, vl_version=VL_VERSION)
    # Inline SVG in HTML needs no namespace declarations; they are the only URLs vl-convert writes.
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'\bhref="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    if URL.search(svg):  # e.g. a link in a title: never let one through
        svg = URL.sub("", svg)
    return svg


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.0f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return str(value)


def table_html(frame: pl.DataFrame, name: str) -> str:
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    head = "".join(f'<th{" class=num" if n else ""}>{html.escape(c)}</th>'
                   for c, n in zip(frame.columns, numeric))
    rows = []
    for row in frame.iter_rows():
        cells = "".join(f'<td{" class=num" if n else ""}>{html.escape(format_value(v))}</td>'
                        for v, n in zip(row, numeric))
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table data-table="{name}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _section(key: str, body: str) -> str:
    return (f'<section id="{key}"><h2>{html.escape(charts.SECTIONS[key])}</h2>'
            f"<p>{html.escape(charts.BLURBS[key])}</p>{body}</section>")


def _empty(text: str) -> str:
    return f'<p class="empty">{html.escape(text)}</p>'


def render(data: Dashboard) -> str:
    """The report's HTML for what `fetch_all` read."""
    now = data.latest_load_at
    ov = data.overview.row(0, named=True) if data.overview.height else {}
    stats = [("Latest load (UTC)", format_value(now) if now else "none yet"),
             ("Live now", format_value(ov.get("count_live", 0))),
             ("Listening now", format_value(ov.get("count_listening", 0))),
             ("Spaces known", format_value(ov.get("count_spaces", 0))),
             ("Loads", format_value(ov.get("count_loads", 0)))]
    parts = ['<div class="stats">' + "".join(
        f"<div class=stat><b>{html.escape(v)}</b><span>{html.escape(k)}</span></div>" for k, v in stats
    ) + "</div>"]
    for key in charts.SECTIONS:
        frame = getattr(data, key)
        body = []
        if key in charts.CHARTS:
            chart = charts.CHARTS[key](frame)
            body.append(f'<div class="chart">{chart_svg(chart, key)}</div>' if chart is not None
                        else _empty("Nothing to show yet."))
        if key in charts.TABLES:
            if frame.is_empty():
                if key not in charts.CHARTS:
                    body.append(_empty("No Space is live at the latest load."
                                       if key == "live_now" else "Nothing to show yet."))
            else:
                body.append(table_html(charts.TABLES[key](frame), key))
        parts.append(_section(key, "".join(body)))
    when = f"as of the latest load, {format_value(now)} UTC" if now else "no load yet"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>X Spaces report</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>X Spaces</h1>
<p class="sub">{html.escape(data.db.name)}, {html.escape(when)}.</p>
{"".join(parts)}
<footer>Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the analytics marts of
{html.escape(data.db.name)}; times in UTC.</footer>
</main>
</body>
</html>
"""
    return URL.sub("", page)


def write_report(db: Path, out: Path, busy_timeout: float = REPORT_BUSY_TIMEOUT) -> Path:
    """Writes the report of DuckDB file `db` to `out` (atomically) and returns `out`.
    Raises DashboardError (missing file or models, busy file) with a one-line message."""
    db, out = Path(db), Path(out)
    page = render(fetch_all(db, busy_timeout=busy_timeout))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")  # same folder: the rename is atomic
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.dashboard.static_report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    parser.add_argument("--out", type=Path, default=Path("out/report.html"),
                        help="HTML file to write (default out/report.html)")
    args = parser.parse_args(argv)
    if args.out.is_dir():
        print(f"report: --out {args.out} is a folder; give a file name", file=sys.stderr)
        return 2
    try:
        out = write_report(args.duckdb, args.out)
    except DashboardError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"report: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
