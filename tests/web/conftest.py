"""A live Promesa server on a free loopback port with the demo world, and headless Chromium.

The browser is Debian's ``chromium`` driven by Playwright (its own browser download does not
work here). Screenshots go to ``artifacts/screenshots`` (git-ignored) for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PROMESA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
NOW = "2026-11-20T10:00:00-06:00"
LIVE_SOURCES = {"pos": {"key": "web-pos-key", "signing_secret": "web-pos-secret",
                        "scopes": ["promesa.inventory.pos_sale.v1"]}}

pytestmark = pytest.mark.browser

if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():  # pragma: no cover - machine setup
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Live:
    def __init__(self, url: str, settings: object) -> None:
        self.url = url
        self.settings = settings


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Serve the whole app (API + pages) on 127.0.0.1 with a fresh demo world and index."""
    import uvicorn

    from api.main import create_app
    from knowledge.indexer import build_index
    from promesa.settings import Settings
    from promesa.store.db import make_engine, migrate
    from promesa.world.demo import build_demo_world

    data = tmp_path_factory.mktemp("live")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data,
        now=datetime.fromisoformat(NOW),
        environment="demo",  # the demo shop and demo sign-in, as `make run` serves them
        turns_per_minute=1000,
        event_sources=LIVE_SOURCES,  # tests/web/test_live.py posts signed POS sales
    )
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    build_demo_world(engine, now=settings.now, orders=400, seed=settings.seed)
    engine.dispose()
    build_index(settings)

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class ConsoleWatch:
    """Collects browser-side errors: console errors, uncaught exceptions, failed requests."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[str] = []

    def allow(self, *fragments: str) -> None:
        """Expected failures (a test that sends wrong details on purpose) by URL or text."""
        self.allowed.extend(fragments)

    def unexpected(self) -> list[str]:
        # the live feed is a long-lived stream: a reload or a closed page aborts it, by design
        return [e for e in self.errors if not any(f in e for f in self.allowed)
                and not ("/v1/live" in e and "ERR_ABORTED" in e)]

    def attach(self, page: object) -> None:
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"requestfailed: {r.url} {r.failure}"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


@pytest.fixture
def page_factory(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """New pages in a fresh context; asserts no browser-side error happened during the test."""
    contexts = []
    watch = ConsoleWatch()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def make(**context_options: object) -> object:
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        watch.attach(page)
        return page

    make.allow = watch.allow
    make.shot = lambda page, name, full=True: page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"), full_page=full
    )
    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:  # what the person would have seen at the failure
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}-{n}{m}.png"))
    for context in contexts:
        context.close()
    assert not watch.unexpected(), f"browser-side errors in {request.node.name}: {watch.unexpected()}"


# --- what a person reads -------------------------------------------------------------------

#: Words of the English interface that must not appear in a Spanish conversation.
ENGLISH_WORDS = ("Order ", "Status", "Estimated delivery", "Promised", "On time", "Late", "Carrier",
                 "Tracking", "Choose this", "Approved by", "Pick up at", "Ready by", "weather",
                 "In transit", "Delayed", "Label created", "Not allowed", "Recommended")
_RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")  # order_id, over_capacity, user_request, …
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def assert_readable(text: str, *, lang: str = "en", allow: tuple[str, ...] = ()) -> None:
    """Rendered text a person reads: no code leaking through, in the conversation's language."""
    for leak in ("undefined", "[object Object]", "NaN", "null"):
        assert leak not in text, f"{leak!r} in {text!r}"
    keys = [k for k in _RAW_KEY.findall(text) if k not in allow]
    assert not keys, f"raw keys {keys} in {text!r}"
    if lang == "es":
        assert not _ISO_DATE.search(text), f"ISO date in Spanish text {text!r}"
        english = [w for w in ENGLISH_WORDS if w in text]
        assert not english, f"English {english} in Spanish text {text!r}"


def assert_accessible(target: object, name: str) -> None:
    """axe-core on a page or frame: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(target)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {name}: {bad}"


DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_configure(config: pytest.Config) -> None:
    """Expectations wait as long as actions: a turn on this shared machine can take seconds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
