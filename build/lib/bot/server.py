"""HTTP mode: Slack's requests on POST /slack/events and a health check, served by waitress."""

from __future__ import annotations

import json
import threading

import waitress
from waitress import wasyncore
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.services import Services
from storage import weekly as weekly_store

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


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


def wsgi_app(bolt_app: App, services: Services):
    slack = SlackRequestHandler(bolt_app, path=EVENTS_PATH)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy, report = health(services)
            body = json.dumps(report).encode()
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack(environ, start_response)

    return application


class HttpServer:
    """The app behind waitress, a production WSGI server; port 0 picks a free one."""

    def __init__(self, bolt_app: App, services: Services, *, host: str, port: int, threads: int = 8):
        self._server = waitress.create_server(
            wsgi_app(bolt_app, services), host=host, port=port, threads=threads, ident="lpbot"
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
