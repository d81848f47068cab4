"""The dashboard (pipelines/dashboard, notebooks/dashboard.py) over a `make demo` database:
the static report shows what the marts hold and needs no network; the queries open the
file read-only and let go of it; a busy, missing or unmodelled file gives a clear
message; the notebook runs as a script, also while `x-spaces watch` loads into the file."""

from __future__ import annotations

import html
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Self

import altair as alt
import duckdb
import polars as pl
import pytest

from pipelines.dashboard import charts, queries
from pipelines.dashboard.static_report import write_report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "dashboard.py"
PYTHON = sys.executable
X_SPACES = str(Path(sys.executable).parent / "x-spaces")
URL = re.compile(r"https?://", re.IGNORECASE)
WATCH_LOADS = 12  # about a second each: they span the notebook's runs

_demo: dict[str, Path] = {}


def build_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `make demo` database (and its report) per test session, shared by the modules."""
    if "db" not in _demo:
        from pipelines import demo

        folder = tmp_path_factory.mktemp("demo")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DLT_DATA_DIR", str(folder / "dlt"))
            mp.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
            demo.main(["--out", str(folder)])
        _demo["db"] = folder / "demo.duckdb"
    return _demo["db"]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory)


@pytest.fixture
def db_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo database that a test may write to or lock."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, copy)
    return copy


def mart(db: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__") and k != queries.ENV_VAR}
    out.update(DLT_DATA_DIR=str(tmp_path / "dlt"), RUNTIME__DLTHUB_TELEMETRY="false",
               MARIMO_SKIP_UPDATE_CHECK="1")
    out.update(extra)
    return out


def run_notebook(tmp_path: Path, *args: str, timeout: float = 180, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(NOTEBOOK), *args], cwd=tmp_path, env=env(tmp_path, **extra_env),
                          capture_output=True, text=True, timeout=timeout, check=False)


class Holder:
    """Another process holding the DuckDB file for writing until `release()`."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen([PYTHON, "-c", (
            "import sys, duckdb\n"
            f"con = duckdb.connect({str(db)!r})\n"
            "print('held', flush=True)\n"
            "sys.stdin.readline()\n"
            "con.close()\n")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        if self.process.poll() is None:
            self.process.kill()


class Tables(HTMLParser):
    """The <table data-table=...> elements of a page: name -> {"head": [...], "rows": [[...]]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list]] = {}
        self._name: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._name = dict(attrs).get("data-table") or f"table{len(self.tables)}"
            self.tables[self._name] = {"head": [], "rows": []}
        elif tag == "tr" and self._name:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._name:
            table = self.tables[self._name]
            if not table["head"]:
                table["head"] = self._row
            else:
                table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._name = None


def report_tables(page: str) -> dict[str, list[dict[str, str]]]:
    parser = Tables()
    parser.feed(page)
    return {name: [dict(zip(t["head"], row)) for row in t["rows"]] for name, t in parser.tables.items()}


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell.replace(",", "").rstrip("%"))


def close_to(cell: str, value: float | None) -> bool:
    """A table figure shows the mart's value (rounded to whole units at most)."""
    if value is None:
        return cell == ""
    return cell != "" and abs(number(cell) - float(value)) <= 0.5


# -- the static report -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = write_report(demo_db, tmp_path_factory.mktemp("report") / "report.html")
    return out.read_text(encoding="utf-8")


def test_make_demo_writes_the_report(demo_db: Path) -> None:
    page = (demo_db.parent / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page


def test_the_report_is_one_self_contained_file(report: str) -> None:
    assert not URL.search(report), URL.search(report)
    assert report.count("<svg") == len(charts.CHARTS)
    lowered = report.lower()
    for outside in ("<script", "<link", "<img", "<iframe", "@import", " src="):
        assert outside not in lowered, outside
    assert not re.search(r"url\((?!#)", lowered)  # only references inside the page
    ids = re.findall(r'\bid="([^"]+)"', report)
    assert len(ids) == len(set(ids))  # the charts' clip paths do not clash
    for ref in re.findall(r"url\(#([^)]+)\)", report):
        assert ref in ids
    for heading in charts.SECTIONS.values():
        assert f"<h2>{html.escape(heading)}</h2>" in report


def test_the_report_shows_the_top_live_space(report: str, demo_db: Path) -> None:
    top, = mart(demo_db, "select title, count_participants from analytics.live_now where live_rank = 1")
    assert top["title"] and html.escape(top["title"]) in report
    first = report_tables(report)["live_now"][0]
    assert first["#"] == "1" and html.unescape(first["Space"]) == top["title"]
    assert close_to(first["Listening"], top["count_participants"])


def test_the_report_tables_show_the_marts_figures(report: str, demo_db: Path) -> None:
    tables = report_tables(report)

    live = mart(demo_db, "from analytics.live_now order by live_rank")
    assert len(tables["live_now"]) == len(live) > 0
    for row, want in zip(tables["live_now"], live):
        assert number(row["#"]) == want["live_rank"]
        assert row["Space"] == want["title"]
        assert close_to(row["Listening"], want["count_participants"])
        assert close_to(row["Subscribers"], want["count_subscribers"])
        assert close_to(row["Minutes live"], want["live_minutes"])
        assert (row["Ticketed"] == "yes") == bool(want["is_ticketed"])

    hosts = mart(demo_db, "from analytics.host_leaderboard order by leaderboard_rank limit 15")
    assert len(tables["host_leaderboard"]) == len(hosts) > 0
    for row, want in zip(tables["host_leaderboard"], hosts):
        assert number(row["#"]) == want["leaderboard_rank"]
        assert row["Host"] == (want["name"] or want["username"] or want["user_id"])
        assert close_to(row["Spaces hosted"], want["count_spaces_hosted"])
        assert close_to(row["Minutes live"], want["live_minutes"])
        assert close_to(row["Peak audience"], want["peak_participants"])

    days = mart(demo_db, "from analytics.daily_activity order by activity_date")
    assert [row["Day (UTC)"] for row in tables["daily_activity"]] == [str(d["activity_date"]) for d in days]
    for row, want in zip(tables["daily_activity"], days):
        assert close_to(row["Started"], want["count_spaces_started"])
        assert close_to(row["Live"], want["count_spaces_live"])
        assert close_to(row["Ended"], want["count_spaces_ended"])
        assert close_to(row["Minutes live"], want["live_minutes"])
        assert close_to(row["Peak audience"], want["peak_participants"])

    tickets = mart(demo_db, """from analytics.ticket_sales
        order by count_buyers desc nulls last, count_subscribers desc nulls last, space_id limit 25""")
    assert len(tables["ticket_sales"]) == len(tickets) > 0
    for row, want in zip(tables["ticket_sales"], tickets):
        assert row["Space"] == want["title"] and row["State"] == want["state"]
        assert close_to(row["Tickets bought"], want["count_buyers"])
        assert close_to(row["Subscribers"], want["count_subscribers"])
        if want["buyers_per_subscriber"] is not None:
            assert close_to(row["Bought per subscriber"], 100 * want["buyers_per_subscriber"])

    (overview,) = mart(demo_db, "select count(*) as live, sum(count_participants) as listening from analytics.live_now")
    assert f"<b>{overview['live']:,}</b><span>Live now</span>" in report
    assert f"<b>{overview['listening']:,}</b><span>Listening now</span>" in report


def test_the_report_from_the_command_line(demo_db: Path, tmp_path: Path) -> None:
    def report_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([PYTHON, "-m", "pipelines.dashboard.static_report", *args], cwd=tmp_path,
                              env=env(tmp_path), capture_output=True, text=True, timeout=120, check=False)

    done = report_cli("--duckdb", str(demo_db), "--out", "nested/report.html")
    assert done.returncode == 0, done.stderr
    assert "<svg" in (tmp_path / "nested" / "report.html").read_text(encoding="utf-8")

    for args, says in ((["--duckdb", "missing.duckdb"], "make demo"),
                       (["--duckdb", str(demo_db), "--out", str(tmp_path)], "is a folder")):
        failed = report_cli(*args) if "--out" in args else report_cli(*args, "--out", "r.html")
        assert failed.returncode != 0
        assert "Traceback" not in failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1 and says in failed.stderr, failed.stderr
    assert not (tmp_path / "r.html").exists()


# -- queries: read-only, short connections, clear errors ---------------------------------------


def test_queries_return_the_marts(demo_db: Path) -> None:
    data = queries.fetch_all(demo_db)
    (now,) = mart(demo_db, "select max(observed_at) as now from x_spaces.loads")
    assert data.latest_load_at == now["now"]
    assert data.live_now["title"].to_list() == [r["title"] for r in mart(
        demo_db, "select title from analytics.live_now order by live_rank")]
    assert data.host_leaderboard["leaderboard_rank"].to_list() == list(range(1, data.host_leaderboard.height + 1))
    top = data.participant_timeseries.group_by("space_id").agg(pl.col("count_participants").max())
    biggest = mart(demo_db, """select max(count_participants) as peak from analytics.participant_timeseries
                              where is_live""")[0]["peak"]
    assert top["count_participants"].max() == biggest
    for frame in data.frames().values():
        assert isinstance(frame, pl.DataFrame)


def test_the_dashboard_reads_only_the_marts() -> None:
    sources = [Path(queries.__file__), NOTEBOOK]
    sql_relation = r"\b(?:from|join)\s+([a-z_]+)\.[a-z_]+\b(?!\s+import)"  # not Python's `from x.y import`
    relations = {m for path in sources for m in re.findall(sql_relation, path.read_text())}
    assert relations == {"analytics"}, relations


def test_queries_open_read_only_and_let_go_between_queries(db_copy: Path) -> None:
    with queries.connect(db_copy) as con, pytest.raises(duckdb.Error, match="(?i)read.only"):
        con.execute("create table dashboard_probe (n integer)")

    first = queries.live_now(db_copy)
    # Another process can take the file for writing between two queries...
    writer = subprocess.run([PYTHON, "-c", (
        "import duckdb\n"
        f"con = duckdb.connect({str(db_copy)!r})\n"
        "con.execute('create table dashboard_probe as select 42 as n')\n"
        "con.close()\n")], capture_output=True, text=True, timeout=60, check=False)
    assert writer.returncode == 0, writer.stderr
    # ... and so can this one (DuckDB refuses a read-write connection to a file this
    # process still has open read-only).
    with duckdb.connect(str(db_copy)) as con:
        con.execute("insert into dashboard_probe values (43)")
    second = queries.live_now(db_copy)
    assert second.equals(first)
    assert queries.run(db_copy, "select sum(n) as n from dashboard_probe")["n"][0] == 85


def test_a_busy_database_gives_a_clear_message_then_reads_once_free(db_copy: Path) -> None:
    with Holder(db_copy) as holder:
        with pytest.raises(queries.DatabaseBusy) as busy:
            queries.live_now(db_copy, busy_timeout=0.5)
        message = str(busy.value)
        assert message.startswith("Database busy") and "locked by another process" in message
        assert str(db_copy) in message and "\n" not in message

        # A query that starts while the file is busy reads it once the writer lets go.
        released = threading.Timer(1.0, holder.release)
        released.start()
        try:
            assert queries.live_now(db_copy, busy_timeout=60).height > 0
        finally:
            released.cancel()


def test_a_busy_database_in_the_notebook_and_the_report(db_copy: Path, tmp_path: Path) -> None:
    with Holder(db_copy):
        result = run_notebook(tmp_path, "--duckdb", str(db_copy), "--busy-timeout", "1")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert "Database busy" in result.stderr, result.stderr

        with pytest.raises(queries.DatabaseBusy):
            write_report(db_copy, tmp_path / "report.html", busy_timeout=0.5)
        assert not (tmp_path / "report.html").exists()


def test_a_missing_file_or_missing_models_say_what_to_run(db_copy: Path, tmp_path: Path) -> None:
    with pytest.raises(queries.DatabaseMissing, match=r"make demo"):
        queries.live_now(tmp_path / "nope.duckdb")
    assert not (tmp_path / "nope.duckdb").exists()

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(queries.ModelsMissing, match=r"x-spaces load .*x-spaces models"):
        queries.fetch_all(empty)

    with duckdb.connect(str(db_copy)) as con:
        con.execute("drop schema analytics cascade")
    with pytest.raises(queries.ModelsMissing, match=r"x-spaces models --duckdb"):
        queries.host_leaderboard(db_copy)

    garbage = tmp_path / "garbage.duckdb"
    garbage.write_text("not a database" * 100)
    with pytest.raises(queries.DashboardError, match="cannot open it with DuckDB"):
        queries.live_now(garbage)


def test_the_database_path_comes_from_the_cli_then_the_environment() -> None:
    assert queries.resolve_db("a.duckdb", {queries.ENV_VAR: "b.duckdb"}) == Path("a.duckdb")
    assert queries.resolve_db(None, {queries.ENV_VAR: "b.duckdb"}) == Path("b.duckdb")
    assert queries.resolve_db(None, {}) == Path("out/demo.duckdb")
    assert queries.resolve_db(2024, {}) == Path("2024")  # marimo turns numeric arguments into numbers


# -- charts ------------------------------------------------------------------------------------


def test_every_chart_is_valid_vega_lite_and_empty_frames_draw_nothing(demo_db: Path) -> None:
    data = queries.fetch_all(demo_db)
    for key, make in charts.CHARTS.items():
        chart = make(getattr(data, key))
        assert isinstance(chart, alt.TopLevelMixin), key
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert spec.get("title"), key
        assert make(getattr(data, key).clear()) is None
    for key, table in charts.TABLES.items():
        assert table(getattr(data, key)).height == getattr(data, key).height


def test_labels_tell_apart_spaces_with_the_same_title() -> None:
    assert charts.unique_labels(["Jazz", "Jazz", "Talk"], ["1a", "1b", "1c"]) == ["Jazz (1a)", "Jazz (1b)", "Talk"]


# -- the notebook as a script --------------------------------------------------------------------


def test_the_notebook_runs_as_a_script(demo_db: Path, tmp_path: Path) -> None:
    result = run_notebook(tmp_path, "--duckdb", str(demo_db))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    top, = mart(demo_db, "select title from analytics.live_now where live_rank = 1")
    assert f"live #1: {top['title']}" in result.stdout

    from_env = run_notebook(tmp_path, **{queries.ENV_VAR: str(demo_db)})
    assert from_env.returncode == 0 and from_env.stdout == result.stdout

    missing = run_notebook(tmp_path, "--duckdb", "missing.duckdb")
    assert missing.returncode == 0 and "Traceback" not in missing.stderr
    assert "no such DuckDB file" in missing.stderr and "make demo" in missing.stderr


def _lines(stream: Any, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _next_line(lines: queue.Queue, what: str, timeout: float = 180) -> str:
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no {what} within {timeout:.0f} s")
    if line is None:
        pytest.fail(f"{what}: the process ended")
    return line


def test_the_notebook_runs_while_watch_loads_into_the_same_file(db_copy: Path, tmp_path: Path) -> None:
    from emulator.world import World

    (latest,) = mart(db_copy, "select max(observed_at) as at from x_spaces.loads")
    start = (latest["at"] + timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%SZ")  # where the demo left off
    emulator = subprocess.Popen([X_SPACES, "emulator", "--port", "0", "--clock-speed", "0", "--start", start],
                                cwd=tmp_path, env=env(tmp_path), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    watch = None
    watch_log = (tmp_path / "watch.log").open("w")  # dlt logs retried lock conflicts at length
    try:
        base_url = emulator.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        threading.Thread(target=_lines, args=(emulator.stdout, queue.Queue()), daemon=True).start()  # drain
        watch = subprocess.Popen(
            [X_SPACES, "watch", "--query", "tech", "--query", "music", "--no-posts", "--base-url", base_url,
             "--emulator-tokens", "--duckdb", str(db_copy), "--interval", "1", "--max-loads", str(WATCH_LOADS),
             "-q"],
            cwd=tmp_path, env=env(tmp_path, SOURCES__X_SPACES__BEARER_TOKEN=World().app_token),
            stdout=subprocess.PIPE, stderr=watch_log, text=True)
        loads: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(watch.stdout, loads), daemon=True).start()
        assert _next_line(loads, "first load of the watch").startswith("complete:")

        assert watch.poll() is None, (tmp_path / "watch.log").read_text()[-3000:]  # still loading
        results = [run_notebook(tmp_path, "--duckdb", str(db_copy)) for _ in range(3)]
        assert watch.wait(timeout=600) == 0, (
            "the watch failed while the notebook read the file (a load step that connects to DuckDB "
            "without waiting for the lock?): " + (tmp_path / "watch.log").read_text()[-3000:])
    finally:
        for process in (watch, emulator):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        watch_log.close()
    failures = [line for line in (tmp_path / "watch.log").read_text().splitlines() if line.startswith("Error")]
    assert not failures, failures  # the watch never gave up on a lock

    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout.startswith("X Spaces in") or "Database busy" in result.stderr, result.stderr
    assert any(r.stdout.startswith("X Spaces in") for r in results), [r.stderr for r in results]

    # The dashboard sees the watch's loads: "now" moved on.
    data = queries.fetch_all(db_copy)
    assert data.overview["count_loads"][0] == 7 + WATCH_LOADS
    assert data.latest_load_at > latest["at"]
