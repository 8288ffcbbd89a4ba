"""CPU per request, on one thread: what each kind of request costs the app itself, beside its floor.

bench/ack_latency.py measures latency under load on a machine whose other processes come and go; this
measures the work alone. Each signed request goes through the app's WSGI entry (checked_body, Bolt, the
listener and everything the listener does after acknowledging) on the calling thread, one after another,
so the process's CPU time divided by the requests is the cost of one, and noise from other threads and
processes stays out. The Slack stand-in answers in its own process. Pairs as in ack_latency.py:
`/lp <principle>` against a Bolt app that only acks, `/lp kudos` against one that acks and posts once
to the response_url, the busy channel's events against a no-op event listener. Floor and handler take
turns for `--rounds` rounds; the medians and their ratio are printed.

    python bench/cpu_per_request.py [--requests 2000] [--rounds 3] [--only events]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ack_latency import PAIRS, SECRET, command_form, event_envelope, serve
from slack_sdk.signature import SignatureVerifier

from bot.ops.server import wsgi_app

WARM_UP = 200


class OnThisThread:
    """An executor that runs each task at once on the caller's thread, so one thread does all the work."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        done: Future = Future()
        done.set_result(fn(*args, **kwargs))
        return done


def bodies(kind: str, count: int, response_base: str) -> list[tuple[str, str]]:
    """(content type, body) of each request, the same ack_latency.py's generator sends."""
    if kind == "events":
        return [("application/json", event_envelope(n)) for n in range(count)]
    form = "application/x-www-form-urlencoded"
    return [(form, command_form(n, "dive deep", kind == "kudos", response_base)) for n in range(count)]


def cpu_per_request(kind: str, app_kind: str, count: int, db_dir: str) -> float:
    """CPU ms per request of one app, its listeners and their after-ack work run on this thread."""
    # In one process: the work after the ack is measured on this thread, wherever `lpbot run` would do it.
    server, slack, services = serve(app_kind, f"{db_dir}/{app_kind}-{kind}-{time.monotonic_ns()}", event_process=False)
    try:
        app = server.routes.handler.app
        app.listener_runner.listener_executor = OnThisThread()  # Bolt's listener threads
        services.listener_pool.later = None  # the after-ack work runs where it is asked for
        wsgi = wsgi_app(server.routes, services)  # the same entry waitress calls, without the socket
        signer = SignatureVerifier(SECRET)
        requests = bodies(kind, count + WARM_UP, slack.url)

        def send(content_type: str, body: str) -> None:
            stamp = str(int(time.time()))
            raw = body.encode()
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/slack/events",
                "QUERY_STRING": "",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "wsgi.url_scheme": "http",
                "CONTENT_TYPE": content_type,
                "CONTENT_LENGTH": str(len(raw)),
                "wsgi.input": io.BytesIO(raw),
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
                "HTTP_X_SLACK_SIGNATURE": signer.generate_signature(timestamp=stamp, body=body),
            }
            statuses = []
            b"".join(wsgi(environ, lambda status, headers: statuses.append(status)))
            assert statuses and statuses[0].startswith("200"), statuses

        for content_type, body in requests[:WARM_UP]:
            send(content_type, body)
        started = time.process_time()
        for content_type, body in requests[WARM_UP:]:
            send(content_type, body)
        return (time.process_time() - started) * 1000 / count
    finally:
        server.close()
        slack.stop()
        services.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=tuple(PAIRS))
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{args.requests} requests a run on one thread, {args.rounds} rounds, floor and handler in turn\n")
    print(f"{'handler':<12}{'floor':<32}{'floor ms':>10}{'handler ms':>12}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as db_dir:
        for kind in [args.only] if args.only else list(PAIRS):
            floor_app, floor_label = PAIRS[kind]
            floors: list[float] = []
            handlers: list[float] = []
            for round_number in range(args.rounds):
                order = [("floor", floor_app), ("handler", "lpbot")]
                for role, app_kind in order if round_number % 2 == 0 else order[::-1]:
                    (floors if role == "floor" else handlers).append(cpu_per_request(kind, app_kind, args.requests, db_dir))
            floor, handler = statistics.median(floors), statistics.median(handlers)
            print(f"{kind:<12}{floor_label:<32}{floor:>10.3f}{handler:>12.3f}{handler / floor:>7.2f}x")


if __name__ == "__main__":
    main()
