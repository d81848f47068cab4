"""Vega-Lite charts (altair) and display tables for the dashboard and the static report.

Each chart function takes the frame its query in `queries` returns and gives an
`alt.Chart` (or None when there is nothing to draw yet). Times are shown in UTC: the
emulator's and the API's clock, and the "now" of the marts.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

WIDTH = 720
BLUE, LIGHT_BLUE, ORANGE, GREY = "#1f6fb4", "#b9d3ec", "#e8743b", "#9aa5b1"

# Section headings, in the order the notebook and the report show them.
SECTIONS = {
    "live_now": "Live now",
    "participant_timeseries": "Audience over time",
    "audience_dynamics": "Audience dynamics",
    "host_leaderboard": "Host leaderboard",
    "daily_activity": "Daily activity",
    "topic_trends": "Topic trends",
    "ticket_sales": "Ticket sales",
}

BLURBS = {
    "live_now": "Spaces live at the latest load, by audience.",
    "participant_timeseries": "Listeners at each load, for the Spaces with the largest live audience.",
    "audience_dynamics": "Peak audience and the largest fall between two loads, for the biggest Spaces.",
    "host_leaderboard": "Hosts by minutes live (Spaces hosted, creator included).",
    "daily_activity": "Spaces started, live and ended per UTC day.",
    "topic_trends": "Spaces live per topic and UTC day.",
    "ticket_sales": "Ticketed Spaces: tickets bought among subscribers.",
}


# -- helpers -------------------------------------------------------------------------------


def _iso_utc(frame: pl.DataFrame) -> pl.DataFrame:
    """Datetimes as ISO strings in UTC (Vega parses them the same everywhere); dates as
    YYYY-MM-DD strings (ordinal days)."""
    out = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            col = pl.col(name)
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC")
            out.append(col.dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(name))
        elif dtype == pl.Date:
            out.append(pl.col(name).dt.strftime("%Y-%m-%d").alias(name))
    return frame.with_columns(out) if out else frame


def unique_labels(titles: list[str | None], ids: list[str], width: int = 42) -> list[str]:
    """One label per Space: its (shortened) title, with the id added where titles repeat."""
    short = [_shorten(t or i, width) for t, i in zip(titles, ids)]
    seen: dict[str, int] = {}
    for label in short:
        seen[label] = seen.get(label, 0) + 1
    return [f"{label} ({i})" if seen[label] > 1 else label for label, i in zip(short, ids)]


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _with_labels(frame: pl.DataFrame, title: str = "title", key: str = "space_id") -> pl.DataFrame:
    """Adds `label`: a unique short name per Space, in the frame's order."""
    keys = frame[key].unique(maintain_order=True).to_list()
    titles = dict(zip(frame[key].to_list(), frame[title].to_list()))
    labels = dict(zip(keys, unique_labels([titles[k] for k in keys], keys)))
    return frame.with_columns(pl.col(key).replace_strict(labels, return_dtype=pl.Utf8).alias("label"))


def _base(frame: pl.DataFrame) -> alt.Chart:
    return alt.Chart(_iso_utc(frame))


def _finish(chart: Any, title: str, width: int = WIDTH, height: int | None = None) -> Any:
    props: dict[str, Any] = {"title": title, "width": width}
    if height is not None:
        props["height"] = height
    return chart.properties(**props).configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=12, grid=True, gridColor="#eef0f3", labelOverlap=True
    ).configure_title(fontSize=14, anchor="start").configure_legend(labelLimit=320)


# -- charts --------------------------------------------------------------------------------


def audience_over_time(timeseries: pl.DataFrame, width: int = WIDTH) -> alt.Chart | None:
    """Lines: listeners at each load (participant_timeseries, live observations) of the top Spaces."""
    if timeseries.is_empty():
        return None
    frame = _with_labels(timeseries)
    order = frame["label"].unique(maintain_order=True).to_list()
    chart = _base(frame).mark_line(point=alt.OverlayMarkDef(size=50), strokeWidth=2).encode(
        x=alt.X("observed_at:T", title="Observed (UTC)", scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%b %d %H:%M", labelAngle=0, tickCount=6)),
        y=alt.Y("count_participants:Q", title="Listening"),
        color=alt.Color("label:N", title="Space", sort=order,
                        legend=alt.Legend(orient="bottom", columns=2, symbolType="stroke")),
        tooltip=[alt.Tooltip("title:N", title="Space"),
                 alt.Tooltip("observed_at:T", title="Observed (UTC)", format="%Y-%m-%d %H:%M",
                             formatType="utc"),
                 alt.Tooltip("count_participants:Q", title="Listening", format=","),
                 alt.Tooltip("participants_change:Q", title="Change", format="+,")],
    )
    return _finish(chart, "Listeners of the top Spaces, load by load", width, 300)


def audience_dynamics(dynamics: pl.DataFrame, width: int = WIDTH) -> alt.Chart | None:
    """Bars per Space: live peak audience and the largest fall between two live observations."""
    if dynamics.is_empty():
        return None
    frame = _with_labels(dynamics).with_columns(
        (pl.col("seconds_to_peak") / 60).round(0).alias("minutes_to_peak"),
        (pl.col("share_above_half_peak") * 100).round(0).alias("pct_above_half_peak"),
    )
    order = frame["label"].to_list()
    chart = _base(frame).transform_fold(
        ["peak_participants", "largest_drop"], as_=["measure_key", "value"]
    ).transform_calculate(
        measure="datum.measure_key == 'peak_participants' ? 'Peak audience' : 'Largest drop'"
    ).mark_bar(cornerRadiusEnd=2).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
        yOffset=alt.YOffset("measure:N", sort=["Peak audience", "Largest drop"]),
        x=alt.X("value:Q", title="Listeners", axis=alt.Axis(tickCount=8)),
        color=alt.Color("measure:N", title=None, sort=["Peak audience", "Largest drop"],
                        scale=alt.Scale(domain=["Peak audience", "Largest drop"], range=[BLUE, ORANGE]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("title:N", title="Space"), alt.Tooltip("state:N", title="State"),
                 alt.Tooltip("peak_participants:Q", title="Peak audience", format=","),
                 alt.Tooltip("largest_drop:Q", title="Largest drop", format=","),
                 alt.Tooltip("minutes_to_peak:Q", title="Minutes to peak"),
                 alt.Tooltip("count_live_observations:Q", title="Live observations"),
                 alt.Tooltip("pct_above_half_peak:Q", title="% of live time above half peak")],
    )
    return _finish(chart, "Peak audience and largest drop", width)


def host_leaderboard(hosts: pl.DataFrame, width: int = WIDTH) -> alt.Chart | None:
    """Horizontal bars: minutes live per host, by leaderboard rank."""
    if hosts.is_empty():
        return None
    frame = hosts.with_columns(
        (pl.col("leaderboard_rank").cast(pl.Utf8) + ". " + pl.col("name")).alias("label"),
        pl.col("live_minutes").round(0).alias("live_minutes_rounded"),
    )
    order = frame["label"].to_list()
    base = _base(frame).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
        x=alt.X("live_minutes:Q", title="Minutes live", axis=alt.Axis(tickCount=8)),
    )
    bars = base.mark_bar(color=BLUE, cornerRadiusEnd=2).encode(
        tooltip=[alt.Tooltip("name:N", title="Host"), alt.Tooltip("username:N", title="Username"),
                 alt.Tooltip("live_minutes_rounded:Q", title="Minutes live", format=","),
                 alt.Tooltip("count_spaces_hosted:Q", title="Spaces hosted"),
                 alt.Tooltip("peak_participants:Q", title="Peak audience", format=",")])
    labels = base.mark_text(align="left", dx=4, fontSize=10, color="#333").encode(
        text=alt.Text("count_spaces_hosted:Q", format="d"))
    return _finish(alt.layer(bars, labels), "Minutes live per host (label: Spaces hosted)", width)


def daily_activity(daily: pl.DataFrame, width: int = WIDTH) -> alt.Chart | None:
    """Grouped bars per UTC day: Spaces started, live and ended."""
    if daily.is_empty():
        return None
    frame = daily.with_columns(pl.col("live_minutes").round(0).alias("live_minutes_rounded"))
    names = ["Started", "Live", "Ended"]
    chart = _base(frame).transform_fold(
        ["count_spaces_started", "count_spaces_live", "count_spaces_ended"], as_=["measure_key", "value"]
    ).transform_calculate(
        measure=("datum.measure_key == 'count_spaces_started' ? 'Started' : "
                 "datum.measure_key == 'count_spaces_live' ? 'Live' : 'Ended'")
    ).mark_bar(cornerRadiusEnd=2).encode(
        x=alt.X("activity_date:O", title="Day (UTC)", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=names),
        y=alt.Y("value:Q", title="Spaces"),
        color=alt.Color("measure:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=[LIGHT_BLUE, BLUE, GREY]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("activity_date:O", title="Day"), alt.Tooltip("measure:N", title="Spaces"),
                 alt.Tooltip("value:Q", title="Count"),
                 alt.Tooltip("live_minutes_rounded:Q", title="Minutes live that day", format=","),
                 alt.Tooltip("peak_participants:Q", title="Peak audience", format=",")],
    )
    return _finish(chart, "Spaces per day", width, 260)


def topic_trends(topics: pl.DataFrame, width: int = WIDTH) -> alt.Chart | None:
    """Heat map: Spaces live per topic (rows, busiest first) and UTC day (columns)."""
    if topics.is_empty():
        return None
    order = (topics.group_by("topic_name").agg(pl.col("count_spaces_live").sum().alias("total"))
             .sort(["total", "topic_name"], descending=[True, False])["topic_name"].to_list())
    base = _base(topics).encode(
        x=alt.X("activity_date:O", title="Day (UTC)", axis=alt.Axis(labelAngle=0, orient="top", grid=False)),
        y=alt.Y("topic_name:N", title=None, sort=order, axis=alt.Axis(grid=False)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("count_spaces_live:Q", title="Spaces live", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("topic_name:N", title="Topic"), alt.Tooltip("activity_date:O", title="Day"),
                 alt.Tooltip("count_spaces_live:Q", title="Spaces live"),
                 alt.Tooltip("count_spaces_started:Q", title="Started"),
                 alt.Tooltip("peak_participants:Q", title="Peak audience", format=",")])
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("count_spaces_live:Q"),
        color=alt.condition(f"datum.count_spaces_live > {max(1, int(topics['count_spaces_live'].max() or 0) // 2)}",
                            alt.value("white"), alt.value("#222")),
    )
    days = topics["activity_date"].n_unique()
    return _finish(alt.layer(cells, text), "Spaces live per topic and day",
                   min(width, 120 + 90 * days), 16 * len(order))


def ticket_sales(tickets: pl.DataFrame, width: int = WIDTH) -> alt.Chart | None:
    """Bars per ticketed Space: subscribers, with the tickets bought among them."""
    if tickets.is_empty():
        return None
    frame = _with_labels(tickets).with_columns(pl.col("count_buyers").fill_null(0))
    order = frame["label"].to_list()
    names = ["Subscribers", "Tickets bought"]
    chart = _base(frame).transform_fold(
        ["count_subscribers", "count_buyers"], as_=["measure_key", "value"]
    ).transform_calculate(
        measure="datum.measure_key == 'count_subscribers' ? 'Subscribers' : 'Tickets bought'"
    ).mark_bar(cornerRadiusEnd=2).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
        x=alt.X("value:Q", title="People", stack=None, axis=alt.Axis(tickCount=8)),
        color=alt.Color("measure:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=[LIGHT_BLUE, BLUE]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("title:N", title="Space"), alt.Tooltip("state:N", title="State"),
                 alt.Tooltip("count_buyers:Q", title="Tickets bought", format=","),
                 alt.Tooltip("count_subscribers:Q", title="Subscribers", format=","),
                 alt.Tooltip("buyers_per_subscriber:Q", title="Bought per subscriber", format=".0%")],
    )
    return _finish(chart, "Tickets bought among subscribers", width)


CHARTS = {
    "participant_timeseries": audience_over_time,
    "audience_dynamics": audience_dynamics,
    "host_leaderboard": host_leaderboard,
    "daily_activity": daily_activity,
    "topic_trends": topic_trends,
    "ticket_sales": ticket_sales,
}


# -- tables: display frames (human column names, rounded figures) ------------------------------


def _names(items: list[Any] | None) -> str:
    return ", ".join(str(i) for i in (items or []) if i)


def live_now_table(live: pl.DataFrame) -> pl.DataFrame:
    """analytics.live_now as people read it."""
    return pl.DataFrame({
        "#": live["live_rank"],
        "Space": live["title"].fill_null(""),
        "Listening": live["count_participants"].fill_null(0),
        "Subscribers": live["count_subscribers"].fill_null(0),
        "Minutes live": live["live_minutes"].round(0).cast(pl.Int64, strict=False),
        "Hosts": [_names(h) for h in live["host_usernames"].to_list()],
        "Topics": [_names(t) for t in live["topic_names"].to_list()],
        "Ticketed": ["yes" if t else "" for t in live["is_ticketed"].to_list()],
    }, strict=False)


def host_leaderboard_table(hosts: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame({
        "#": hosts["leaderboard_rank"],
        "Host": hosts["name"],
        "Username": hosts["username"].fill_null(""),
        "Spaces hosted": hosts["count_spaces_hosted"],
        "Minutes live": hosts["live_minutes"].round(0).cast(pl.Int64, strict=False),
        "Peak audience": hosts["peak_participants"],
        "Followers": hosts["count_followers"],
    }, strict=False)


def daily_activity_table(daily: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame({
        "Day (UTC)": daily["activity_date"].cast(pl.Utf8),
        "Started": daily["count_spaces_started"],
        "Live": daily["count_spaces_live"],
        "Ended": daily["count_spaces_ended"],
        "Minutes live": daily["live_minutes"].round(0).cast(pl.Int64, strict=False),
        "Peak audience": daily["peak_participants"],
    }, strict=False)


def ticket_sales_table(tickets: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame({
        "Space": tickets["title"].fill_null(""),
        "State": tickets["state"].fill_null(""),
        "Creator": tickets["creator_username"].fill_null(""),
        "Tickets bought": tickets["count_buyers"],
        "Subscribers": tickets["count_subscribers"],
        "Bought per subscriber": [None if v is None else f"{v:.0%}"
                                  for v in tickets["buyers_per_subscriber"].to_list()],
    }, strict=False)


TABLES = {
    "live_now": live_now_table,
    "host_leaderboard": host_leaderboard_table,
    "daily_activity": daily_activity_table,
    "ticket_sales": ticket_sales_table,
}


# -- a few lines of text (the notebook run as a script prints them) ---------------------------


def summary_lines(data: Any, top: int = 3) -> list[str]:
    """What the dashboard shows, in a few lines: `data` is a queries.Dashboard."""
    ov = data.overview.row(0, named=True) if data.overview.height else {}
    now = data.latest_load_at
    when = f"latest load {now:%Y-%m-%d %H:%M} UTC" if now else "no load yet"
    lines = [(f"X Spaces in {data.db} ({when}): {ov.get('count_loads', 0):,} loads, "
              f"{ov.get('count_spaces', 0):,} Spaces known, {ov.get('count_live', 0):,} live now "
              f"({ov.get('count_listening', 0):,} listening)")]
    for row in data.live_now.head(top).iter_rows(named=True):
        lines.append(f"  live #{row['live_rank']}: {row['title']} — {row['count_participants']:,} listening")
    for row in data.host_leaderboard.head(top).iter_rows(named=True):
        lines.append(f"  host #{row['leaderboard_rank']}: {row['name']} — {row['live_minutes']:,.0f} minutes "
                     f"live in {row['count_spaces_hosted']} Spaces")
    if data.ticket_sales.height:
        bought = int(data.ticket_sales["count_buyers"].fill_null(0).sum())
        lines.append(f"  tickets: {bought:,} bought for {data.ticket_sales.height} ticketed Spaces shown")
    return lines
