"""The x-spaces dashboard: what the analytics marts say, refreshed as new loads arrive.

    marimo run notebooks/dashboard.py -- --duckdb out/demo.duckdb   # the app (make dashboard)
    python notebooks/dashboard.py --duckdb out/demo.duckdb           # as a script: a summary

The DuckDB file: --duckdb, else $X_SPACES_DUCKDB, else out/demo.duckdb (--busy-timeout:
seconds to wait for a writer before saying "database busy", default 10). Every query
opens the file read-only and closes it, so `x-spaces watch` can keep loading into it;
while a load holds the file the dashboard says "database busy" and tries again on the
next refresh. The logic lives in pipelines/dashboard/; these cells only lay it out.
"""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="X Spaces")


@app.cell(hide_code=True)
def _():
    import sys

    import marimo as mo

    from pipelines.dashboard import charts, queries

    return charts, mo, queries, sys


@app.cell(hide_code=True)
def _(mo, queries):
    db = queries.resolve_db(mo.cli_args().get("duckdb"))
    busy_timeout = float(mo.cli_args().get("busy-timeout") or queries.BUSY_TIMEOUT)
    script_mode = mo.app_meta().mode == "script"
    return busy_timeout, db, script_mode


@app.cell(hide_code=True)
def _(mo):
    refresh = mo.ui.refresh(options=["10s", "30s", "1m", "5m"], default_interval="1m",
                            label="Refresh")
    return (refresh,)


@app.cell(hide_code=True)
def _(busy_timeout, db, queries, refresh):
    _tick = refresh.value  # every tick (or click) re-reads the marts
    try:
        data, problem = queries.fetch_all(db, busy_timeout=busy_timeout), None
    except queries.DashboardError as exc:  # busy, missing file or models: say so, don't crash
        data, problem = None, exc
    return data, problem


@app.cell(hide_code=True)
def _(charts, data, db, mo, problem, queries, refresh, script_mode, sys):
    if script_mode:
        if problem is not None:
            print(f"dashboard: {problem}", file=sys.stderr)
        else:
            print("\n".join(charts.summary_lines(data)))
    if problem is not None:
        _kind = "warn" if isinstance(problem, queries.DatabaseBusy) else "danger"
        _title = "Database busy" if _kind == "warn" else "Nothing to show"
        _status = mo.callout(mo.md(str(problem)), kind=_kind, title=_title)
    else:
        _ov = data.overview.row(0, named=True)
        _now = data.latest_load_at
        _status = mo.hstack([
            mo.stat(f"{_now:%Y-%m-%d %H:%M}" if _now else "none yet", label="Latest load (UTC)",
                    bordered=True),
            mo.stat(f"{_ov['count_live']:,}", label="Live now", bordered=True),
            mo.stat(f"{_ov['count_listening']:,}", label="Listening now", bordered=True),
            mo.stat(f"{_ov['count_spaces']:,}", label="Spaces known", bordered=True),
            mo.stat(f"{_ov['count_loads']:,}", label="Loads", bordered=True),
        ], justify="start", wrap=True)
    mo.vstack([
        mo.hstack([mo.vstack([mo.md("# X Spaces"), mo.md(f"`{db}` · times in UTC")], gap=0.25),
                   refresh], justify="space-between", align="start"),
        _status,
    ])


@app.cell(hide_code=True)
def _(charts, data, mo):
    mo.stop(data is None)
    _table = charts.live_now_table(data.live_now)
    mo.vstack([
        mo.md(f"## {charts.SECTIONS['live_now']}\n{charts.BLURBS['live_now']}"),
        mo.ui.table(_table, selection=None, show_column_summaries=False,
                    show_data_types=False, page_size=15)
        if _table.height else mo.md("_No Space is live at the latest load._"),
    ])


@app.cell(hide_code=True)
def _(charts, data, mo):
    def section(key, with_table=False):
        """A heading, a line of explanation, the chart, and (some) its figures as a table."""
        _frame = getattr(data, key)
        _chart = charts.CHARTS[key](_frame)
        _parts = [mo.md(f"## {charts.SECTIONS[key]}\n{charts.BLURBS[key]}"),
                  _chart if _chart is not None else mo.md("_Nothing to show yet._")]
        if with_table and _frame.height:
            _parts.append(mo.accordion({"Figures": mo.ui.table(
                charts.TABLES[key](_frame), selection=None, show_column_summaries=False,
                show_data_types=False)}))
        return mo.vstack(_parts)

    return (section,)


@app.cell(hide_code=True)
def _(data, mo, section):
    mo.stop(data is None)
    section("participant_timeseries")


@app.cell(hide_code=True)
def _(data, mo, section):
    mo.stop(data is None)
    section("audience_dynamics")


@app.cell(hide_code=True)
def _(data, mo, section):
    mo.stop(data is None)
    section("host_leaderboard", with_table=True)


@app.cell(hide_code=True)
def _(data, mo, section):
    mo.stop(data is None)
    section("daily_activity", with_table=True)


@app.cell(hide_code=True)
def _(data, mo, section):
    mo.stop(data is None)
    section("topic_trends")


@app.cell(hide_code=True)
def _(data, mo, section):
    mo.stop(data is None)
    section("ticket_sales", with_table=True)


if __name__ == "__main__":
    app.run()
