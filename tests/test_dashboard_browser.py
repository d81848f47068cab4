"""The dashboard served by `marimo run`, opened in headless Chromium (Debian's, never a
browser playwright downloads): every section renders its chart or table, and neither the
app nor the page reports an error. Installs Chromium with scripts/apt_install.sh
when it is missing; skips where it cannot, except on CI (CI=true), where that fails."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from pipelines.dashboard import charts
from tests._system import ensure, skip_or_fail
from tests.test_dashboard import NOTEBOOK, Holder, build_demo, env, mart

pytestmark = pytest.mark.heavy

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ["chromium", "fonts-dejavu-core", "fonts-liberation"]  # fonts to draw text with
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
APP_ERRORS = ("An internal error occurred", "Traceback", "Database busy", "Nothing to show")


@pytest.fixture(scope="module")
def chromium() -> Path:
    ensure(str(CHROMIUM), *PACKAGES)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("the playwright package is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, folder: Path, *args: str) -> Iterator[str]:
    """`marimo run` of the notebook over `db`, on a free loopback port: its URL."""
    port = _free_port()
    log_path = folder / f"marimo-{port}.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "marimo"), "run", str(NOTEBOOK), "--host", "127.0.0.1",
         "--port", str(port), "--headless", "--no-token", "--", "--duckdb", str(db), *args],
        cwd=folder, env=env(folder), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"marimo run exited {server.returncode}: {log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"marimo run did not answer on {url}: {log_path.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()


@pytest.fixture
def app_url(demo_db: Path, tmp_path: Path) -> Iterator[str]:
    with serve(demo_db, tmp_path) as url:
        yield url


@contextmanager
def open_page(chromium: Path, url: str) -> Iterator[tuple[Any, list[tuple[str, str]], list[str]]]:
    """A Chromium page on `url`, with the console messages and the requests beyond loopback."""
    from playwright.sync_api import sync_playwright

    console: list[tuple[str, str]] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            # Tall enough that marimo lays out every cell at once.
            page = browser.new_page(viewport={"width": 1280, "height": 6000})
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
            page.on("request", lambda r: outside.append(r.url)
                    if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None)
                    and not r.url.startswith(("data:", "blob:")) else None)
            page.goto(url)
            yield page, console, outside
        finally:
            browser.close()


def wait_for_charts(page: Any) -> Any:
    """Every section heading, then every chart drawn; the chart marks' locator."""
    page.wait_for_selector(f"h2:has-text('{list(charts.SECTIONS.values())[-1]}')", timeout=120_000)
    # marimo draws outputs inside shadow roots: locators see into them, querySelector does not.
    marks = page.locator(".vega-embed canvas, .vega-embed svg.marks")
    deadline = time.monotonic() + 120
    while marks.count() < len(charts.CHARTS) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    return marks


def app_errors(console: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(kind, message) for kind, message in console
            if kind in ("error", "pageerror") or "[STDERR]" in message]


def test_the_dashboard_renders_in_chromium(chromium: Path, app_url: str, demo_db: Path) -> None:
    with open_page(chromium, app_url) as (page, console, outside):
        marks = wait_for_charts(page)
        shot = Path(tempfile.mkdtemp(prefix="dashboard-")) / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")

        assert marks.count() == len(charts.CHARTS)
        assert page.locator(".vega-embed").count() == len(charts.CHARTS)
        assert [h.strip() for h in page.locator("h2").all_inner_texts()] == list(charts.SECTIONS.values())
        for error in APP_ERRORS:  # text locators, like the others, see into the shadow roots
            assert page.get_by_text(error).count() == 0, error
        top, = mart(demo_db, "select title from analytics.live_now where live_rank = 1")
        assert page.get_by_role("cell", name=top["title"], exact=True).count() >= 1
        (overview,) = mart(demo_db, """select (select sum(count_participants) from analytics.live_now)
                                          as listening, (select count(*) from analytics.space_sessions) as known""")
        for label, value in (("Listening now", overview["listening"]), ("Spaces known", overview["known"])):
            card = page.get_by_text(label, exact=True).locator("xpath=../..")  # label, header, card
            assert f"{value:,}" in card.inner_text(), (label, card.inner_text())

    assert not app_errors(console), app_errors(console)
    assert not outside, f"the dashboard reached beyond loopback: {outside}"


def test_the_dashboard_says_busy_then_shows_the_charts_on_refresh(chromium: Path, demo_db: Path,
                                                                   tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copyfile(demo_db, db)
    with Holder(db) as holder, serve(db, tmp_path, "--busy-timeout", "1") as url, \
            open_page(chromium, url) as (page, console, _):
        page.get_by_text("Database busy").first.wait_for(timeout=120_000)
        assert page.locator("h2").count() == 0
        assert page.get_by_text("An internal error occurred").count() == 0

        holder.release()
        page.locator("[data-testid=marimo-plugin-refresh-button]").click()
        marks = wait_for_charts(page)
        assert marks.count() == len(charts.CHARTS)
        assert page.get_by_text("Database busy").count() == 0
    assert not app_errors(console), app_errors(console)
