"""HTTP mode: Slack's requests on POST /slack/events and a health check, served by waitress."""

from __future__ import annotations

import errno
import io
import json
import logging
import socket
import threading
import time
from urllib.parse import parse_qsl

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context, parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from waitress import wasyncore

from bot.services import Services
from bot.settings import ConfigError
from storage import weekly as weekly_store

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are a few kilobytes; a megabyte is generous and still cheap to refuse.
MAX_BODY_BYTES = 1_000_000


def health(services: Services, *, started: bool = True) -> tuple[bool, dict]:
    """The report /healthz gives; `started` is False while the bot still waits for Slack at start."""
    condition = services.store.condition()
    database_ok = services.store.ping() and condition["writable"]
    pending = services.store.pending_migrations() if database_ok else []
    running = services.status.scheduler_running
    if running is None:
        scheduler = "not started"  # the console and `lpbot weekly` keep time themselves
    else:
        scheduler = "running" if running() else "stopped"
    healthy = database_ok and not pending and scheduler != "stopped" and started
    report = {
        "status": "ok" if healthy else ("starting" if not started else "unhealthy"),
        "database": "ok" if database_ok else condition.get("problem", "unreachable"),
        "database_file": condition,
        "migrations": "applied" if not pending else f"{len(pending)} pending",
        "scheduler": scheduler,
        "last_weekly_post": weekly_store.last_posted_at(services.store.db) if services.store.ping() else None,
    }
    # Replication is reported, not judged: a replica that lags is for the operator to look at, and
    # restarting the bot (which is what an orchestrator does with an unhealthy answer) would not help it.
    report["replication"] = services.replication.report() if services.replication else {"configured": False}
    worker = services.listener_pool.elsewhere
    if worker is not None:
        # Reported, not judged: without the worker, events' work is done in this process, as before it.
        report["event_worker"] = worker.state()
    if services.status.slack_problem:
        report["slack"] = services.status.slack_problem
    return healthy, report


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


# Where checked_body leaves the parsed body for FormSafeRequestHandler (a WSGI environ key of our own).
PARSED_BODY = "lpbot.parsed_body"


def checked_body(environ, verifier: SignatureVerifier | None) -> tuple[bytes, dict | None]:
    """The body of a POST to the events path, once it is small, text, signed and shaped as Slack's are,
    and what it parses to (None for Slack's certificate probe).

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
        return raw, None  # Slack's certificate probe; Bolt answers it with an empty 200 and does nothing else
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
    return raw, parsed


def _is_ssl_check(body: str) -> bool:
    return body.startswith("ssl_check=1") or "&ssl_check=1" in body


class FormSafeRequestHandler(SlackRequestHandler):
    """Bolt's WSGI handler, with one parsing slip corrected.

    Bolt reads any form body that merely mentions "payload" as an interaction, finds no payload
    field, and drops the request: `/lp kudos @sam ownership for the payload fix` went unanswered.
    The body is parsed again as the plain form it is; the signature is still checked on the raw
    body, by Bolt, as for every request.
    """

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = request.get_body()
        parsed = request.environ.get(PARSED_BODY)
        if isinstance(parsed, dict):
            # checked_body parsed it already: hand Bolt the result instead of parsing it a second time
            # (a tenth of a lookup's CPU). Built as Bolt builds a parsed request, then made an HTTP one
            # again with its raw body, so Bolt's own signature check still runs on the bytes Slack signed.
            bolt_request = BoltRequest(body=parsed, query=request.query_string, headers=request.get_headers(), mode="socket_mode")
            bolt_request.raw_body, bolt_request.mode = raw, "http"
        else:
            bolt_request = BoltRequest(body=raw, query=request.query_string, headers=request.get_headers())
        if not bolt_request.body and "payload" in raw:
            form = dict(parse_qsl(raw, keep_blank_values=True))
            if form and "payload" not in form:
                bolt_request.body = form
                bolt_request.context = build_context(BoltContext({}), form)
        return self.app.dispatch(bolt_request)


class SlackRoutes:
    """Bolt's WSGI handler once the app exists; until then (the bot is still reaching Slack) nothing."""

    def __init__(self, bolt_app: App | None = None):
        self.handler = FormSafeRequestHandler(bolt_app, path=EVENTS_PATH) if bolt_app else None

    def attach(self, bolt_app: App) -> None:
        self.handler = FormSafeRequestHandler(bolt_app, path=EVENTS_PATH)


def wsgi_app(routes: SlackRoutes, services: Services):
    secret = services.settings.signing_secret
    verifier = SignatureVerifier(secret) if secret else None
    refusals = RefusalLog()

    def application(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        slack = routes.handler
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy, report = health(services, started=slack is not None)
            return _send(start_response, "200 OK" if healthy else "503 Service Unavailable", report)
        if slack is None:
            # Slack retries what it cannot deliver; better that than an answer from a half-started bot.
            return _send(start_response, "503 Service Unavailable", {"error": "starting"})
        if path == EVENTS_PATH and method == "POST":
            try:
                raw, parsed = checked_body(environ, verifier)
            except Refused as refused:
                refusals.refused(str(refused))
                return _send(start_response, refused.status, {"error": refused.status.split(" ", 1)[1].lower()})
            # Bolt reads the body again from the start.
            environ = {**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw)), PARSED_BODY: parsed}
        return slack(environ, start_response)

    return application


def _send(start_response, status: str, report: dict):
    body = json.dumps(report).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _unusable(host: str, port: int, error: OSError) -> ConfigError:
    if error.errno == errno.EADDRINUSE:
        return ConfigError(f"PORT={port} is already in use by another program: stop it, or set PORT to a free port")
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return ConfigError(
            f"LPBOT_HOST={host} is not an address of this machine ({error.strerror or error}): "
            "use 0.0.0.0 for every interface, or 127.0.0.1"
        )
    if error.errno == errno.EACCES:
        return ConfigError(f"PORT={port} needs privileges this process lacks: use a port above 1023")
    return ConfigError(f"cannot listen on LPBOT_HOST={host} PORT={port} ({error.strerror or error})")


class HttpServer:
    """The app behind waitress, a production WSGI server; port 0 picks a free one."""

    def __init__(self, bolt_app: App | None, services: Services, *, host: str, port: int, threads: int = 8):
        """`bolt_app` may come later (`attach`): the health check answers from the start."""
        self.routes = SlackRoutes(bolt_app)
        try:
            self._server = waitress.create_server(
                wsgi_app(self.routes, services),
                host=host,
                port=port,
                threads=threads,
                ident="lpbot",
                # Bounds a chunked body too, which has no Content-Length to check up front.
                max_request_body_size=MAX_BODY_BYTES,
            )
        except OSError as error:
            raise _unusable(host, port, error) from None
        except ValueError:
            # waitress resolves the host itself and says only this when the name does not resolve.
            raise ConfigError(
                f"LPBOT_HOST={host} is not an address of this machine (it does not resolve): use 0.0.0.0 for every interface, or 127.0.0.1"
            ) from None
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

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="lpbot-http", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting requests, let those in flight finish, then return."""
        # In-flight requests first: a task finishing a response wakes the serving loop through its
        # trigger pipe, so the pipe must outlive every task (closing it first gave "Bad file
        # descriptor" in waitress' task threads at teardown).
        self._server.task_dispatcher.shutdown(timeout=timeout)
        # The socket map belongs to the serving loop's thread: closing it from here
        # would pull file descriptors out from under select(). Ask the loop to do it.
        server_map = self._server._map
        try:
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(server_map))
        except OSError as error:
            log.debug("waitress trigger already closed (%s); closing the server directly", error)
            wasyncore.close_all(server_map)
        if self._thread is not None:
            self._thread.join(timeout)
