"""Fixtures: a local Slack stand-in, the real app over HTTP, a real SQLite file per test."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlite_utils import Database

from bot.app import build_services, create_app, web_client
from bot.ops.server import HttpServer
from bot.settings import Settings
from storage.migrations import migrations
from tests.slack_stand_in import LocalSlack, SlackSender

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def fresh_db():
    """An in-memory database with every migration applied, for storage functions that take a db."""
    db = Database(memory=True)
    migrations.apply(db)
    return db


@pytest.fixture
def slack():
    stand_in = LocalSlack().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 25, 14, 30, tzinfo=timezone.utc))


@pytest.fixture
def settings(tmp_path, slack, request):
    """Settings for the real app against the stand-in; `@pytest.mark.settings(rotation=...)` changes any field."""
    changed: dict = {}
    # Every mark, not only the closest (a scenario run again with one more), the closest still winning a clash.
    for marker in reversed(list(request.node.iter_markers("settings"))):
        changed.update(marker.kwargs)
    return Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=slack.api_url,
        db_path=tmp_path / "data" / "lpbot.db",
        **changed,
    )


@pytest.fixture
def waits():
    """Retry waits (Retry-After, back-off) the services were asked for, recorded instead of slept."""
    return []


@pytest.fixture
def services(settings, clock, waits):
    built = build_services(settings, clock=clock, rng=random.Random(7), sleep=waits.append)
    yield built
    built.store.close()


@pytest.fixture
def client(settings, services, waits):
    """The Web API client the bot would use, pointed at the stand-in; its retry waits are recorded, not slept."""
    return web_client(settings, services.sleep)


@pytest.fixture
def server(settings, services):
    running = HttpServer(create_app(settings, services), services, host="127.0.0.1", port=0).start()
    yield running
    # Listeners still sending DMs after the test's last assertion finish before the stand-in stops.
    services.listener_pool.wait_idle(10)
    running.close()
    if services.listener_pool.elsewhere is not None:
        services.listener_pool.elsewhere.shutdown()  # the event worker's process, with LPBOT_EVENT_PROCESS


@pytest.fixture
def sender(server, slack):
    return SlackSender(server.events_url, SIGNING_SECRET, slack)


@pytest.fixture
def ask(sender, slack, services):
    """Send `/lp <text>` as a person would and return what the bot posted to the response_url, once the
    listener has finished (its DMs and posts after the reply included), so "nothing else was sent" holds."""

    def ask(text: str, **kw) -> dict:
        sent = sender.command(text, **kw)
        assert sent.status == 200, sent.body
        reply = slack.wait_for_response(sent.response_url).params
        assert services.listener_pool.wait_idle(10), "the listener was still running 10 s after its reply"
        return reply

    return ask


@pytest.fixture(autouse=True)
def _logging_left_as_found():
    """`cli.main` configures logging for the process; a test that calls it must not leave a handler
    on a stream pytest closes afterwards (a later listener's log line would fail to print)."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


OAUTH_SECRET = "oauth-signing-secret-0123456789"


@pytest.fixture
def oauth(tmp_path, slack):
    """The app in OAuth mode (many workspaces, or an Enterprise Grid org) over HTTP: (settings, services, server)."""
    settings = Settings(
        client_id="1234.5678",
        client_secret="client-secret-abcdef",
        signing_secret=OAUTH_SECRET,
        api_url=slack.api_url,
        db_path=tmp_path / "data" / "lpbot.db",
    )
    assert settings.mode == "oauth"
    services = build_services(settings)
    server = HttpServer(create_app(settings, services), services, host="127.0.0.1", port=0).start()
    yield settings, services, server
    server.close()
    services.store.close()


# Fixtures that start another process (the bot under Litestream, moto's S3 server, a real `lpbot run`).
PROCESS_FIXTURES = {"running_bot", "bot", "s3_replica", "replica_url", "small_disk"}
_STARTS_A_PROCESS = ("subprocess", "Popen", "multiprocessing", "ProcessPoolExecutor")


def pytest_collection_modifyitems(config, items):
    """Mark the tests that start a process (`processes`), so `make check` can leave them out of the inner loop."""
    import inspect

    for item in items:
        function = getattr(item, "function", None)
        source = inspect.getsource(function) if function else ""
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())) or any(word in source for word in _STARTS_A_PROCESS):
            item.add_marker(pytest.mark.processes)
