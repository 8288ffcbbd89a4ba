"""Ack latency of /lp over HTTP, beside the floor of a no-op Bolt handler served the same way.

Starts the local Slack stand-in (in its own process) and the app in HTTP mode (waitress),
then runs a load generator in a separate process that sends signed slash commands at a
fixed rate (open loop: a slow answer does not slow the sending). Four runs: a Bolt app
whose /lp handler and event listeners only ack (the floor), `/lp <principle>` (the read
path), `/lp kudos` from many givers (the write path), and the events of a busy channel
(messages and reactions, one in twenty an inline kudos, one in twenty a kudos reaction, one
in twenty a redelivery of the event before it). Prints p50/p95/p99, errors, and the ratios
to the floor; checks every acked command got its reply and every kudos was stored once.

    python bench/ack_latency.py [--rate 200] [--seconds 20] [--text "dive deep"]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stand_in import StandInProcess  # noqa: E402

SECRET = "bench-signing-secret"


def serve(kind: str, db_dir: str):
    """Start the stand-in and an app ('lpbot' or 'noop') behind waitress; return (server, slack, services)."""
    from slack_bolt import App

    from bot.app import build_services, create_app, web_client
    from bot.ops.server import HttpServer
    from bot.settings import Settings

    # Slack validates Block Kit on its own servers: the stand-in skips it here so that only the bot
    # competes for this machine's two cores (the tests keep every check).
    # The givers and talkers are people Slack knows: an event from an unknown account records nothing.
    slack = StandInProcess("--no-block-checks", "--crowd", "1000")
    settings = Settings(
        bot_token="xoxb-bench",
        signing_secret=SECRET,
        api_url=slack.api_url,
        db_path=Path(db_dir) / f"{kind}.db",
        daily_kudos=0,  # a thousand givers each give several in the run; the limit is not what is measured
    )
    services = build_services(settings)
    if kind != "noop":
        app = create_app(settings, services)
    else:
        app = App(client=web_client(settings), signing_secret=SECRET)

        @app.command("/lp")
        def noop(ack):
            ack()

        @app.event("message")
        @app.event("reaction_added")
        def noop_event():
            pass

    return HttpServer(app, services, host="127.0.0.1", port=0).start(), slack, services


def command_for(n: int, text: str, kudos: bool) -> tuple[str, str]:
    """(user, text) of request n; kudos come from 1,000 different givers with distinct reasons."""
    if kudos:
        return f"U{n % 1000:04d}GIVER", f"kudos <@U0BOB|bob> ownership for taking care of request number {n}"
    return "U0ALICE", text


def event_for(n: int) -> tuple[str, dict]:
    """(event_id, event) of request n of the busy-channel run: mostly chat, some kudos, some redeliveries."""
    kind = n % 20
    if kind == 1:
        return event_for(n - 1)  # Slack delivering the event before it again (sent with X-Slack-Retry-Num)
    ts = f"1790000000.{n:06d}"
    base = {"channel": "C0GENERAL", "channel_type": "channel", "ts": ts, "event_ts": ts}
    if kind == 0:
        text = f"<@U0BOB> :clap: #ownership for taking care of request number {n}"
        return f"Ev{n}", {"type": "message", "user": f"U{n % 1000:04d}GIVER", "text": text, **base}
    if kind == 2:
        item = {"type": "message", "channel": "C0GENERAL", "ts": f"1790000000.{n - 2:06d}"}
        return f"Ev{n}", {"type": "reaction_added", "user": "U0BOB", "item_user": "U0CAROL", "reaction": "clap", "item": item}
    if kind in (3, 4, 5):
        item = {"type": "message", "channel": "C0GENERAL", "ts": f"1790000000.{n - 3:06d}"}
        return f"Ev{n}", {"type": "reaction_added", "user": "U0BOB", "item_user": "U0CAROL", "reaction": "thumbsup", "item": item}
    text = f"just talking about request number {n} and the weather"
    return f"Ev{n}", {"type": "message", "user": f"U{n % 1000:04d}TALKER", "text": text, **base}


def inline_kudos_sent(total: int) -> int:
    return len(range(0, total, 20))


def generate(
    url: str, rate: float, seconds: float, text: str, response_base: str, kudos: bool, events: bool = False, mixed: bool = False
) -> dict:
    """The load generator (runs in its own process): returns latencies in ms and error count."""
    import http.client

    from slack_sdk.signature import SignatureVerifier

    signer = SignatureVerifier(SECRET)
    parts = urlsplit(url)
    local = threading.local()

    def connection():
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        return local.conn

    def event_body(n: int) -> tuple[str, dict]:
        event_id, event = event_for(n)
        envelope = {
            "token": "unused",
            "team_id": "T0LOCAL",
            "api_app_id": "A0LPBOT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T0LOCAL", "user_id": "U0LPBOT", "is_bot": True}],
        }
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if n % 20 == 1 else {}
        return json.dumps(envelope), {"Content-Type": "application/json", **retry}

    def send(n: int, due: float):
        # Mixed load (bench/capacity.py): in every ten, five reads, two kudos and three channel events.
        if events or (mixed and n % 10 >= 7):
            body, extra = event_body(n)
        else:
            as_kudos = kudos or (mixed and n % 10 >= 5)
            body, extra = command_body(n, as_kudos), {"Content-Type": "application/x-www-form-urlencoded"}
        ts = str(int(time.time()))
        headers = {
            **extra,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=body),
        }
        sent_at = time.perf_counter()
        try:
            conn = connection()
            conn.request("POST", parts.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            local.conn = None
            ok = False
        done = time.perf_counter()
        # Latency from the moment the request was due, not from when a connection was free to send
        # it: a request waiting behind busy connections is waiting on the app all the same.
        return (done - due) * 1000, ok, sent_at - due

    def command_body(n: int, as_kudos: bool) -> str:
        user, command_text = command_for(n, text, as_kudos)
        return urlencode(
            {
                "team_id": "T0LOCAL",
                "channel_id": "C0GENERAL",
                "user_id": user,
                "command": "/lp",
                "text": command_text,
                "response_url": f"{response_base}/response/{n}",
                # Unique, as Slack's are: the bot stores a kudos once per trigger_id.
                "trigger_id": f"bench.{n}.trigger",
                "channel_name": "general",
            }
        )

    total = int(rate * seconds)
    results = []
    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.perf_counter()
        futures = []
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, n, due))
        results = [f.result() for f in futures]
    latencies = [ms for ms, ok, _ in results if ok]
    # Requests that left more than 100 ms after they were due: the app had every connection busy.
    late = sum(1 for _, _, waited in results if waited > 0.1)
    return {"latencies": latencies, "errors": sum(1 for _, ok, _ in results if not ok), "sent": total, "late": late}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_load(url: str, response_base: str, args, kudos: bool, events: bool = False, mixed: bool = False) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--generate",
            url,
            "--response-base",
            response_base,
            "--rate",
            str(args.rate),
            "--seconds",
            str(args.seconds),
            "--text",
            args.text,
        ]
        + (["--kudos"] if kudos else [])
        + (["--events"] if events else [])
        + (["--mixed"] if mixed else []),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--text", default="dive deep")
    parser.add_argument("--generate", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--response-base", help=argparse.SUPPRESS)
    parser.add_argument("--kudos", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--events", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mixed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("principle", "kudos", "events"), help="run the floor and this one only")
    args = parser.parse_args()
    if args.generate:
        print(
            json.dumps(generate(args.generate, args.rate, args.seconds, args.text, args.response_base, args.kudos, args.events, args.mixed))
        )
        return

    import logging

    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load: {args.rate:g} signed requests/s for {args.seconds:g}s each, open loop, separate process\n")
    runs = {
        "noop": ("no-op Bolt ack (floor)", False),
        "principle": (f"/lp {args.text}", False),
        "kudos": ("/lp kudos (1,000 givers)", True),
        "noop-events": ("no-op Bolt, events (floor)", False),
        "events": ("busy channel events", False),
    }
    floors = {"principle": "noop", "kudos": "noop", "events": "noop-events"}
    if args.only:
        runs = {kind: run for kind, run in runs.items() if kind in (floors[args.only], args.only)}
    rows = {}
    with tempfile.TemporaryDirectory() as db_dir:
        for kind, (_, kudos) in runs.items():
            server, slack, services = serve(kind.split("-")[0], db_dir)
            try:
                result = run_load(server.events_url, slack.url, args, kudos, events=kind.endswith("events"))
                if kind in ("principle", "kudos"):
                    # Every acked command must also get its reply, not just the ack.
                    result["replies"] = slack.wait_for_count("response_url", len(result["latencies"]), timeout=120)
                if kind == "events":
                    # Each inline kudos is answered in its thread once its listener is done.
                    expected = inline_kudos_sent(result["sent"])
                    result["replies"] = slack.wait_for_count("chat.postMessage", 2 * expected, timeout=120)  # thread + DM
                    services.listener_pool.wait_idle(120)
                    result["expected"] = expected
                if kudos or kind == "events":
                    result["stored"] = services.store.db["kudos"].count
            finally:
                server.close()
                slack.stop()
                services.store.close()
            rows[kind] = result

    print(f"{'handler':<28}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p99/floor':>10}{'errors':>8}{'sent':>7}")
    for kind, (label, _) in runs.items():
        lat = rows[kind]["latencies"]
        floor = rows[floors.get(kind, kind)]["latencies"]
        print(
            f"{label:<28}{percentile(lat, 50):>9.1f}{percentile(lat, 95):>9.1f}{percentile(lat, 99):>9.1f}"
            f"{percentile(lat, 99) / percentile(floor, 99):>9.2f}x{rows[kind]['errors']:>8}{rows[kind]['sent']:>7}"
        )
    for kind in ("principle", "kudos"):
        if kind in rows:
            print(f"{runs[kind][0]}: {rows[kind]['replies']} replies for {len(rows[kind]['latencies'])} acked")
    if "kudos" in rows:
        print(f"kudos stored: {rows['kudos']['stored']} of {len(rows['kudos']['latencies'])} acked")
    if "events" in rows:
        events = rows["events"]
        print(
            f"busy channel: {events['sent']} events, {events['expected']} of them inline kudos (each also sent twice); "
            f"kudos stored: {events['stored']} (once each: {events['stored'] == events['expected']}); "
            f"posts and DMs: {events['replies']}"
        )


if __name__ == "__main__":
    main()
