"""Ack latency of LP Bot beside its floor, the same stack doing only what cannot be avoided, side by side.

The local Slack stand-in runs in its own process, the app in HTTP mode (waitress) in this one, and a load
generator in a third sends signed requests at a fixed rate (open loop: a slow answer does not slow the
sending). Three pairs, each run floor first then handler, then the other way round, `--rounds` times:
- `/lp <principle>` (a lookup, answered in the acknowledgement) against a Bolt app whose /lp only acks;
- `/lp kudos` from 1,000 givers (a write, a public thank-you and a DM) against a Bolt app that acks and
  posts once to the response_url;
- the events of a busy channel (messages and reactions, one in twenty an inline kudos, one in twenty a
  kudos reaction, one in twenty a redelivery) against a no-op event listener.
With `--interleave SECONDS`, floor and handler are served side by side instead, and one generator sends
them blocks of that many seconds in turn (`Blocks`), so that the machine's spells of noise fall on both
alike. Then `/lp <principle>` and its floor as fast as `--closed` connections go (throughput). Prints each
round's p50 and p99, the ratio to the floor, what each run must also have done (every command answered,
every kudos stored once, and for events how soon each inline kudos was thanked in its thread), and the
medians over the rounds.

    python bench/ack_latency.py [--rates 200,400] [--seconds 10] [--rounds 3] [--closed 8] [--only kudos]
                                [--busy-loops 2] [--interleave 1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for stand_in, when imported as bench.ack_latency (the tests)

from stand_in import StandInProcess  # noqa: E402

SECRET = "bench-signing-secret"


def serve(kind: str, db_dir: str, event_process: bool = True):
    """Start the stand-in and an app behind waitress: 'lpbot', 'noop' (acks only) or 'noop-post' (acks, then
    posts once to the response_url, as a kudos does); return (server, slack, services). LP Bot runs as
    `lpbot run` does, its events' work in the event worker's process unless `event_process` is False."""
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
        event_process=event_process,
    )
    services = build_services(settings)
    if not kind.startswith("noop"):
        app = create_app(settings, services)
    else:
        app = App(client=web_client(settings), signing_secret=SECRET)
        posts = kind == "noop-post"  # the floor for a kudos: ack, then one post to the response_url

        @app.command("/lp")
        def noop(ack, respond):
            ack()
            if posts:
                respond(text="ok")

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


def event_kind(n: int) -> str:
    """What request n of the busy-channel run is (see event_for)."""
    return {0: "inline kudos", 1: "redelivery", 2: "kudos reaction", 3: "other reaction", 4: "other reaction", 5: "other reaction"}.get(
        n % 20, "chat"
    )


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


def event_envelope(n: int) -> str:
    """Event n of the busy channel in the Events API's envelope, as JSON."""
    event_id, event = event_for(n)
    return json.dumps(
        {
            "token": "unused",
            "team_id": "T0LOCAL",
            "api_app_id": "A0LPBOT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T0LOCAL", "user_id": "U0LPBOT", "is_bot": True}],
        }
    )


def command_form(n: int, text: str, kudos: bool, response_base: str) -> str:
    """Slash command n as the form Slack posts."""
    user, command_text = command_for(n, text, kudos)
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


@dataclass(frozen=True)
class Blocks:
    """Two apps (or more) measured in the same minutes: blocks of requests at `rate`, each `seconds` long,
    sent to each app in turn from a start both sides agree on (CLOCK_MONOTONIC), with `pause` seconds
    after each block so that one app's work after its last acknowledgements stays out of the next block.
    Whatever the machine does meanwhile then falls on every app alike, block after block."""

    rate: float
    seconds: float
    count: int
    apps: int
    pause: float
    start: float
    first: int = 0  # the app of block 0

    @property
    def per_block(self) -> int:
        return int(self.rate * self.seconds)

    @property
    def total(self) -> int:
        return self.per_block * self.count

    def block(self, n: int) -> int:
        return n // self.per_block

    def app_of(self, block: int) -> int:
        return (block + self.first) % self.apps

    def target(self, n: int) -> int:
        """The app request n goes to."""
        return self.app_of(self.block(n))

    def due(self, n: int) -> float:
        """Seconds after `start` that request n is due."""
        block, place = divmod(n, self.per_block)
        return block * (self.seconds + self.pause) + place / self.rate

    def begins(self, block: int) -> float:
        return self.start + block * (self.seconds + self.pause)


def generate(
    url: str,
    rate: float,
    seconds: float,
    text: str,
    response_base: str,
    kudos: bool,
    events: bool = False,
    mixed: bool = False,
    closed: int = 0,
    blocks: Blocks | None = None,
) -> dict:
    """The load generator (runs in its own process): returns latencies in ms and error count.
    `url` may name several apps, comma-separated: then `blocks` says which app each request goes to."""
    import http.client

    from slack_sdk.signature import SignatureVerifier

    signer = SignatureVerifier(SECRET)
    targets = [urlsplit(one) for one in url.split(",")]
    local = threading.local()

    def connection(target: int):
        conns = local.__dict__.setdefault("conns", {})
        if conns.get(target) is None:
            conns[target] = http.client.HTTPConnection(targets[target].hostname or "127.0.0.1", targets[target].port, timeout=10)
        return conns[target]

    def event_body(n: int) -> tuple[str, dict]:
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if n % 20 == 1 else {}
        return event_envelope(n), {"Content-Type": "application/json", **retry}

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
        answered = False
        target = blocks.target(n) if blocks else 0
        try:
            conn = connection(target)
            conn.request("POST", targets[target].path, body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            ok = response.status == 200
            answered = ok and answer.startswith(b"{") and b'"blocks"' in answer  # a card in the acknowledgement
        except OSError:
            local.conns[target] = None
            ok = False
        done = time.perf_counter()
        # Latency from the moment the request was due, not from when a connection was free to send
        # it: a request waiting behind busy connections is waiting on the app all the same.
        return (done - due) * 1000, ok, sent_at - due, answered

    bases = response_base.split(",")  # each app's own stand-in, as `url`

    def command_body(n: int, as_kudos: bool) -> str:
        return command_form(n, text, as_kudos, bases[blocks.target(n) if blocks else 0])

    results = []
    started = 0.0  # when request 0 was due, on CLOCK_MONOTONIC (the stand-in's clock for its calls too)
    if closed:
        # Closed loop: `closed` connections, each sending its next request as soon as the last is answered.
        numbers = itertools.count()
        stop_at = time.perf_counter() + seconds

        def keep_sending() -> list:
            mine = []
            while (now := time.perf_counter()) < stop_at:
                mine.append(send(next(numbers), now))
            return mine

        with ThreadPoolExecutor(max_workers=closed) as pool:
            results = [r for done in [pool.submit(keep_sending) for _ in range(closed)] for r in done.result()]
        total = len(results)
    else:
        total = blocks.total if blocks else int(rate * seconds)
        with ThreadPoolExecutor(max_workers=64) as pool:
            if blocks:  # the start the parent chose, so that it knows when each block runs
                time.sleep(max(0.0, blocks.start - time.monotonic()))
                started = blocks.start
                start = time.perf_counter() - (time.monotonic() - started)  # the same moment on perf_counter
            else:
                start = time.perf_counter()
                started = time.monotonic() + (start - time.perf_counter())
            futures = []
            for n in range(total):
                due = start + (blocks.due(n) if blocks else n / rate)
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(send, n, due))
            results = [f.result() for f in futures]
    numbered = list(enumerate(results))
    if blocks:  # what each app's requests found, as if each had had a run of its own
        return {"apps": [summary(started, [r for r in numbered if blocks.target(r[0]) == app], closed) for app in range(len(targets))]}
    return summary(started, numbered, closed)


def summary(started: float, numbered: list, closed: int) -> dict:
    """What a run's requests found, from (number, (ms, ok, waited, answered in the ack)) each."""
    return {
        "latencies": [ms for _, (ms, ok, _, _) in numbered if ok],
        "errors": sum(1 for _, (_, ok, _, _) in numbered if not ok),
        "sent": len(numbered),
        # Requests that left more than 100 ms after they were due: the app had every connection busy.
        "late": sum(1 for _, (_, _, waited, _) in numbered if waited > 0.1),
        "answered_in_ack": sum(1 for _, (*_, answered) in numbered if answered),
        "inline_kudos": sum(1 for n, _ in numbered if event_kind(n) == "inline kudos"),  # of a busy channel's events
        # Open loop, each latency with its request's number (closed loop numbers requests as they go).
        "numbers": [] if closed else [n for n, (_, ok, _, _) in numbered if ok],
        "started": started,
    }


def app_cpu_seconds(services) -> float:
    """CPU seconds of the app so far: this process, and its event worker's process if it has one (Linux's /proc)."""
    used = time.process_time()
    pid = getattr(services.listener_pool.elsewhere, "pid", None)
    if pid:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime
        except (OSError, IndexError, ValueError):
            pass  # it has stopped: its CPU is no longer there to read
    return used


def stolen_ticks() -> tuple[int, int]:
    """(steal, all) of the machine's CPU ticks so far (/proc/stat): on a virtual machine, the time its
    host gave another guest. A run with much of it measured the neighbours as well as the app."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(t) for t in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_load(
    url: str,
    response_base: str,
    args,
    kudos: bool,
    events: bool = False,
    mixed: bool = False,
    closed: int = 0,
    blocks: Blocks | None = None,
) -> dict:
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
        + (["--mixed"] if mixed else [])
        + ["--closed", str(closed)]
        + (["--blocks", json.dumps(asdict(blocks))] if blocks else []),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


# Each measured handler and its floor: the same stack doing only what the handler cannot avoid.
PAIRS = {
    "principle": ("noop", "no-op ack"),
    "kudos": ("noop-post", "ack + one response_url post"),
    "events": ("noop", "no-op event listener"),
}


def measure(kind: str, app: str, args, db_dir: str, rate: float, closed: int = 0) -> dict:
    """One run of one app under one load, with its checks: every command answered (in the ack or by
    response_url), every kudos stored once."""
    busy = busy_loops(args)
    server, slack, services = serve(app, f"{db_dir}/{app}-{kind}-{rate:g}-{closed}-{time.monotonic_ns()}")
    load = argparse.Namespace(rate=rate, seconds=args.seconds, text=args.text)
    cpu = app_cpu_seconds(services)  # only the app: the stand-in and the generator have processes of their own
    began = time.perf_counter()
    steal_before = stolen_ticks()
    try:
        result = run_load(server.events_url, slack.url, load, kind == "kudos", events=kind == "events", closed=closed)
        check(kind, app, result, slack, services, lambda n: result["started"] + n / rate)
        # The app's CPU for each request, the work after the acknowledgement included.
        result["cpu_ms"] = (app_cpu_seconds(services) - cpu) * 1000 / max(1, result["sent"])
        # Until the work after the last acknowledgement is done too: what the app can keep up with.
        result["per_second"] = len(result["latencies"]) / (time.perf_counter() - began)
        steal, ticks = (after - before for after, before in zip(stolen_ticks(), steal_before, strict=True))
        result["steal"] = 100 * steal / ticks if ticks else 0.0
    finally:
        stop(server, slack, services)
        stop_busy_loops(busy)
    return result


def measure_in_turns(kind: str, floor_app: str, args, db_dir: str, rate: float, round_number: int) -> dict[str, dict]:
    """Floor and handler served side by side and sent blocks of `--interleave` seconds in turn, each
    `--seconds` in all (`Blocks`): {"floor": run, "handler": run}, each run as `measure` gives it. The CPU
    and steal of each block, its pause included, count for the app it was sent to."""
    busy = busy_loops(args)
    apps = [floor_app, "lpbot"]
    served = [serve(app, f"{db_dir}/{app}-{kind}-{rate:g}-turns-{time.monotonic_ns()}") for app in apps]
    per_app = max(1, round(args.seconds / args.interleave))
    blocks = Blocks(
        rate=rate,
        seconds=args.interleave,
        count=2 * per_app,
        apps=2,
        pause=TURN_PAUSE,
        start=time.monotonic() + 0.5,  # time for the generator to start
        first=0 if round_number % 2 else 1,  # which goes first alternates, as in `measure`
    )
    readings: list[tuple[float, float, tuple[int, int]]] = []

    def read_at_each_turn() -> None:
        for block in range(blocks.count + 1):
            time.sleep(max(0.0, blocks.begins(block) - time.monotonic()))  # the bench's own clock, not a test's
            readings.append((time.process_time(), app_cpu_seconds(served[1][2]) - time.process_time(), stolen_ticks()))

    reader = threading.Thread(target=read_at_each_turn, daemon=True)
    reader.start()
    try:
        load = argparse.Namespace(rate=rate, seconds=args.seconds, text=args.text)
        urls = ",".join(server.events_url for server, _, _ in served)
        bases = ",".join(slack.url for _, slack, _ in served)
        found = run_load(urls, bases, load, kind == "kudos", events=kind == "events", blocks=blocks)["apps"]
        reader.join()
        runs = {}
        for target, (role, (_, slack, services)) in enumerate(zip(("floor", "handler"), served, strict=True)):
            result = found[target]
            check(kind, apps[target], result, slack, services, lambda n: blocks.start + blocks.due(n))
            mine = [block for block in range(blocks.count) if blocks.app_of(block) == target]
            # This process serves both; the event worker's process is the handler's alone.
            cpu = sum(readings[b + 1][0] - readings[b][0] + (readings[b + 1][1] - readings[b][1] if target == 1 else 0) for b in mine)
            if target == 1:  # the handler's worker may still have been busy after its last block
                cpu += app_cpu_seconds(services) - time.process_time() - readings[-1][1]
            result["cpu_ms"] = cpu * 1000 / max(1, result["sent"])
            steal = sum(readings[b + 1][2][0] - readings[b][2][0] for b in mine)
            ticks = sum(readings[b + 1][2][1] - readings[b][2][1] for b in mine)
            result["steal"] = 100 * steal / ticks if ticks else 0.0
            runs[role] = result
    finally:
        for server, slack, services in served:
            stop(server, slack, services)
        stop_busy_loops(busy)
    return runs


# Between two blocks of `measure_in_turns`: enough for the handler's last thank-yous (about 25 ms at p99).
TURN_PAUSE = 0.2


def check(kind: str, app: str, result: dict, slack, services, due: Callable[[int], float]) -> None:
    """What the run must also have done, into `result`, once its work after the acknowledgements is done;
    `due(n)` is when request n was due, on CLOCK_MONOTONIC."""
    acked = len(result["latencies"])
    if app == "lpbot" and kind == "principle":
        result["replies"] = result["answered_in_ack"] + slack.count("response_url")
    if kind == "kudos":
        result["replies"] = slack.wait_for_count("response_url", acked, timeout=120)
    if app == "lpbot" and kind == "kudos":
        services.listener_pool.wait_idle(120)
        result["stored"] = services.store.db["kudos"].count
    if app == "lpbot" and kind == "events":
        expected = result["inline_kudos"]
        result["replies"] = slack.wait_for_count("chat.postMessage", 2 * expected, timeout=120)  # thread + DM
        services.listener_pool.wait_idle(120)
        result["expected"], result["stored"] = expected, services.store.db["kudos"].count
        # How long after the kudos was sent its thank-you reached the thread: the work after the ack.
        result["thanked_ms"] = [(arrived - due(int(thread_ts.partition(".")[2]))) * 1000 for thread_ts, arrived in slack.get("/_replies")]
    services.listener_pool.wait_idle(120)


def busy_loops(args) -> list[subprocess.Popen]:
    """Other programs keeping the machine busy, if asked: each a loop at the normal priority."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(getattr(args, "busy_loops", 0))]


def stop_busy_loops(busy: list[subprocess.Popen]) -> None:
    for loop in busy:
        loop.kill()
        loop.wait()


def stop(server, slack, services) -> None:
    server.close()
    # Nothing a run left running (a retry, a DM) may take CPU from the next run in this process.
    services.listener_pool.wait_idle(120)
    services.listener_pool.shutdown(wait=True)
    slack.stop()
    services.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200, help=argparse.SUPPRESS)  # the generator's
    parser.add_argument("--rates", default="200,400", help="open-loop rates, requests a second (default 200,400)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="floor and handler in turn, this many times (default 3)")
    parser.add_argument("--closed", type=int, default=8, help="connections for the as-fast-as-it-goes run (0: none)")
    parser.add_argument("--text", default="dive deep")
    parser.add_argument("--busy-loops", type=int, default=0, help="this many busy loops beside every run, as other programs on the machine")
    parser.add_argument(
        "--interleave",
        type=float,
        default=0,
        metavar="SECONDS",
        help="serve floor and handler side by side and send them blocks of this many seconds in turn (0: one run after the other)",
    )
    parser.add_argument("--generate", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--blocks", help=argparse.SUPPRESS)
    parser.add_argument("--response-base", help=argparse.SUPPRESS)
    parser.add_argument("--kudos", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--events", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mixed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=tuple(PAIRS), help="measure this handler (and its floor) only")
    args = parser.parse_args()
    if args.generate:
        blocks = Blocks(**json.loads(args.blocks)) if args.blocks else None
        found = generate(
            args.generate, args.rate, args.seconds, args.text, args.response_base, args.kudos, args.events, args.mixed, args.closed, blocks
        )
        print(json.dumps(found))
        return

    import logging

    logging.basicConfig(level=logging.ERROR)
    rates = [float(rate) for rate in args.rates.split(",")]
    kinds = [args.only] if args.only else list(PAIRS)
    # A block must hold whole cycles of the busy channel's twenty events: a redelivery or a reaction
    # refers to an event a little before it, which must have gone to the same app.
    if args.interleave and any(int(rate * args.interleave) % 20 for rate in rates):
        parser.error("--interleave SECONDS times each rate must be a whole multiple of 20 requests")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    beside = f", {args.busy_loops} busy loops beside each run" if args.busy_loops else ""
    turns = f" in blocks of {args.interleave:g} s, served side by side" if args.interleave else ""
    print(f"{args.seconds:g} s a run, open loop at {args.rates}/s; {args.rounds} rounds, floor and handler in turn{turns}{beside}\n")
    print("(cpu: the app's CPU ms per request, work after the acknowledgement included: floor, then handler)")
    print("(steal%: the share of the machine's CPU time its host gave to other guests during the run: floor, then handler)")
    print(
        f"{'handler':<34}{'rate':>6}{'round':>6}{'floor p50':>10}{'floor p99':>10}{'p50':>8}{'p99':>8}{'p99/floor':>10}{'errors':>7}"
        f"{'cpu':>6}{'cpu':>6}{'steal%':>11}  checks"
    )
    summary = []
    with tempfile.TemporaryDirectory() as db_dir:
        for kind in kinds:
            floor_app, floor_label = PAIRS[kind]
            for rate in rates:
                ratios, floors, handlers = [], [], []
                # Every round's latencies together, per app: a noisy spell on this shared machine lands on
                # one round of one app, and a p99 of all rounds weighs it as one more spell among many.
                pooled: dict[str, list[float]] = {"floor": [], "handler": []}
                by_kind: dict[str, dict[str, list[float]]] = {"floor": {}, "handler": {}}
                thanked: list[float] = []
                for round_number in range(1, args.rounds + 1):
                    # Alternate which goes first, so the machine's drift falls on both alike.
                    order = [(floor_app, "floor"), ("lpbot", "handler")]
                    if args.interleave:
                        runs = measure_in_turns(kind, floor_app, args, db_dir, rate, round_number)
                    else:
                        runs = dict(
                            (role, measure(kind, app, args, db_dir, rate)) for app, role in (order if round_number % 2 else order[::-1])
                        )
                    floor, handler = runs["floor"]["latencies"], runs["handler"]["latencies"]
                    pooled["floor"] += floor
                    pooled["handler"] += handler
                    if kind == "events":
                        thanked += runs["handler"]["thanked_ms"]
                        for role in by_kind:
                            for n, ms in zip(runs[role]["numbers"], runs[role]["latencies"], strict=True):
                                by_kind[role].setdefault(event_kind(n), []).append(ms)
                    ratio = percentile(handler, 99) / percentile(floor, 99)
                    ratios.append(ratio)
                    floors.append(percentile(floor, 99))
                    handlers.append(percentile(handler, 99))
                    print(
                        f"{f'/lp {args.text}' if kind == 'principle' else kind:<34}{rate:>6g}{round_number:>6}"
                        f"{percentile(floor, 50):>10.1f}{percentile(floor, 99):>10.1f}{percentile(handler, 50):>8.1f}"
                        f"{percentile(handler, 99):>8.1f}{ratio:>9.2f}x{runs['handler']['errors'] + runs['floor']['errors']:>7}"
                        f"{runs['floor']['cpu_ms']:>6.2f}{runs['handler']['cpu_ms']:>6.2f}"
                        f"{runs['floor']['steal']:>6.1f}{runs['handler']['steal']:>5.1f}  {checks(kind, runs['handler'])}"
                    )
                summary.append(
                    (
                        kind,
                        f"{rate:g}/s",
                        statistics.median(floors),
                        statistics.median(handlers),
                        statistics.median(ratios),
                        median_interval(ratios),
                    )
                )
                floor_all, handler_all = percentile(pooled["floor"], 99), percentile(pooled["handler"], 99)
                summary.append((kind, f"{rate:g}/s all", floor_all, handler_all, handler_all / floor_all, None))
                if kind == "events":
                    # Which events are slow: the kind of each request is known from its number.
                    print(f"  by kind of event at {rate:g}/s, all rounds (p50 / p99 ms, floor then handler):")
                    for name in ("chat", "other reaction", "redelivery", "kudos reaction", "inline kudos"):
                        f, h = by_kind["floor"].get(name, []), by_kind["handler"].get(name, [])
                        print(
                            f"    {name:<16}{percentile(f, 50):>7.2f} / {percentile(f, 99):<7.2f}{percentile(h, 50):>7.2f} / {percentile(h, 99):.2f}"
                        )
                    print(
                        f"  an inline kudos thanked in its thread, all rounds: {percentile(thanked, 50):.1f} / {percentile(thanked, 99):.1f} ms"
                        " after it was sent (p50 / p99)"
                    )
            if args.closed and kind in ("principle", "kudos"):
                floor_rates, handler_rates, shares = [], [], []
                for round_number in range(1, args.rounds + 1):
                    floor = measure(kind, floor_app, args, db_dir, 0, closed=args.closed)
                    handler = measure(kind, "lpbot", args, db_dir, 0, closed=args.closed)
                    share = handler["per_second"] / floor["per_second"]
                    print(
                        f"{'as fast as it goes, ' + str(args.closed) + ' connections':<34}{'':>6}{round_number:>6}"
                        f"{floor['per_second']:>9.0f}/s{'':>10}{handler['per_second']:>7.0f}/s{'':>8}{share:>9.0%}"
                        f"{'':>7}{floor['cpu_ms']:>6.2f}{handler['cpu_ms']:>6.2f}{floor['steal']:>6.1f}{handler['steal']:>5.1f}"
                        f"  {checks(kind, handler)}"
                    )
                    floor_rates.append(floor["per_second"])
                    handler_rates.append(handler["per_second"])
                    shares.append(share)
                summary.append(
                    (
                        kind,
                        "throughput",
                        statistics.median(floor_rates),
                        statistics.median(handler_rates),
                        statistics.median(shares),
                        median_interval(shares),
                    )
                )
    print(f"\nmedians over {args.rounds} rounds ('all': the p99 of every round's latencies together)")
    print("(95% interval: where the median ratio of such rounds lies, from the rounds' order; six rounds or more)")
    print(f"{'handler':<12}{'load':>12}{'floor':>10}{'handler':>10}{'ratio':>8}")
    for kind, load, floor_value, handler_value, ratio, interval in summary:
        unit = "req/s" if load == "throughput" else "ms p99"
        within = f", 95% interval {interval[0]:.2f}-{interval[1]:.2f}" if interval else ""
        print(
            f"{kind:<12}{load:>12}{floor_value:>10.1f}{handler_value:>10.1f}{ratio:>7.2f}{'x' if unit == 'ms p99' else ' of the floor'}"
            f"  ({unit}{within})"
        )


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float] | None:
    """A distribution-free interval for the median of what `values` sample: the k-th smallest and the
    k-th largest, with k the largest rank for which fewer than k of n values fall below the median with
    probability at most (1 - confidence) / 2 (each value is below it with probability one half). None
    when there are too few values for any such k (five or fewer, at 95%)."""
    n = len(values)
    tail, k = 0.0, 0
    while k < n // 2:
        tail += math.comb(n, k) / 2**n  # the chance that exactly k values fall below the median
        if tail > (1 - confidence) / 2:
            break
        k += 1
    if k == 0:
        return None
    ordered = sorted(values)
    return ordered[k - 1], ordered[n - k]


def checks(kind: str, result: dict) -> str:
    """What the handler's run must also have done, beyond acknowledging."""
    acked = len(result["latencies"])
    if kind == "principle":
        return f"{result['replies']} of {acked} answered ({result['answered_in_ack']} in the ack)"
    if kind == "kudos":
        return f"{result['stored']} of {acked} stored, {result['replies']} thanked"
    thanked = result["thanked_ms"]
    return (
        f"{result['stored']} of {result['expected']} inline kudos stored once, {result['replies']} posts and DMs;"
        f" thanked in the thread after {percentile(thanked, 50):.0f} / {percentile(thanked, 99):.0f} ms (p50 / p99)"
    )


if __name__ == "__main__":
    main()
