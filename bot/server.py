"""HTTP mode: Slack's requests on POST /slack/events and a health check, served by waitress."""

from __future__ import annotations

import io
import json
import logging
import threading
import time

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from waitress import wasyncore

from bot.services import Services
from storage import weekly as weekly_store

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are a few kilobytes; a megabyte is generous and still cheap to refuse.
MAX_BODY_BYTES = 1_000_000


def health(services: Services) -> tuple[bool, dict]:
    database_ok = services.store.ping()
    pending = services.store.pending_migrations() if database_ok else []
    if services.scheduler_running is None:
        scheduler = "not started"  # the console and `lpbot weekly` keep time themselves
    else:
        scheduler = "running" if services.scheduler_running() else "stopped"
    healthy = database_ok and not pending and scheduler != "stopped"
    return healthy, {
        "status": "ok" if healthy else "unhealthy",
        "database": "ok" if database_ok else "unreachable",
        "migrations": "applied" if not pending else f"{len(pending)} pending",
        "scheduler": scheduler,
        "last_weekly_post": weekly_store.last_posted_at(services.store.db) if database_ok else None,
    }


class Refused(Exception):
    """A request turned away before Bolt sees it: (HTTP status, short reason for the log)."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status


class RefusalLog:
    """At most one WARNING line a minute about refused requests, however many arrive:
    anyone on the internet can send junk, and the log must not become theirs."""

    def __init__(self, every_seconds: float = 60.0, clock=time.monotonic):
        self._every, self._clock = every_seconds, clock
        self._last: float | None = None
        self._quiet = 0
        self._lock = threading.Lock()

    def refused(self, reason: str) -> None:
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self._every:
                self._quiet += 1
                return
            quiet, self._quiet, self._last = self._quiet, 0, now
        more = f" (and {quiet} more since the last report)" if quiet else ""
        log.warning("refused a request to %s: %s%s", EVENTS_PATH, reason, more)


def checked_body(environ, verifier: SignatureVerifier | None) -> bytes:
    """The body of a POST to the events path, once it is small, text, signed and shaped as Slack's are.

    Bolt checks the signature too, but only after parsing the body, so junk could make it fail
    with a 500 and a traceback; here junk gets a 4xx and no work is done.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused("400 Bad Request", "a Content-Length that is not a number") from None
    if length > MAX_BODY_BYTES:
        raise Refused("413 Content Too Large", f"a body of {length} bytes")
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("400 Bad Request", "a body that is not UTF-8") from None
    if _is_ssl_check(body):
        return raw  # Slack's certificate probe; Bolt answers it with an empty 200 and does nothing else
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not timestamp.isdigit():
        raise Refused("401 Unauthorized", "a missing or malformed X-Slack-Request-Timestamp")
    if verifier is not None and not verifier.is_valid(body, timestamp, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
        raise Refused("401 Unauthorized", "a bad or stale signature")
    try:
        parsed = parse_body(body, environ.get("CONTENT_TYPE"))
    except ValueError:  # json.JSONDecodeError is one
        raise Refused("400 Bad Request", "a signed body that is not the JSON or form it claims to be") from None
    if not isinstance(parsed, dict):
        raise Refused("400 Bad Request", "a signed body whose payload is not an object")
    return raw


def _is_ssl_check(body: str) -> bool:
    return body.startswith("ssl_check=1") or "&ssl_check=1" in body


def wsgi_app(bolt_app: App, services: Services):
    slack = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
    secret = services.settings.signing_secret
    verifier = SignatureVerifier(secret) if secret else None
    refusals = RefusalLog()

    def application(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy, report = health(services)
            return _send(start_response, "200 OK" if healthy else "503 Service Unavailable", report)
        if path == EVENTS_PATH and method == "POST":
            try:
                raw = checked_body(environ, verifier)
            except Refused as refused:
                refusals.refused(str(refused))
                return _send(start_response, refused.status, {"error": refused.status.split(" ", 1)[1].lower()})
            # Bolt reads the body again from the start.
            environ = {**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
        return slack(environ, start_response)

    return application


def _send(start_response, status: str, report: dict):
    body = json.dumps(report).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class HttpServer:
    """The app behind waitress, a production WSGI server; port 0 picks a free one."""

    def __init__(self, bolt_app: App, services: Services, *, host: str, port: int, threads: int = 8):
        self._server = waitress.create_server(
            wsgi_app(bolt_app, services),
            host=host,
            port=port,
            threads=threads,
            ident="lpbot",
            # Bounds a chunked body too, which has no Content-Length to check up front.
            max_request_body_size=MAX_BODY_BYTES,
        )
        self.host = host
        self.port = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def events_url(self) -> str:
        return self.url + EVENTS_PATH

    def serve_forever(self) -> None:
        self._server.run()

    def start(self) -> "HttpServer":
        self._thread = threading.Thread(target=self.serve_forever, name="lpbot-http", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting requests, let those in flight finish, then return."""
        # The socket map belongs to the serving loop's thread: closing it from here
        # would pull file descriptors out from under select(). Ask the loop to do it.
        server_map = self._server._map
        self._server.trigger.pull_trigger(lambda: wasyncore.close_all(server_map))
        if self._thread is not None:
            self._thread.join(timeout)
        self._server.task_dispatcher.shutdown(timeout=timeout)
