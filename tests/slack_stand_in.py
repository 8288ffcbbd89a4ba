"""The stand-in for Slack that the tests and benchmarks use: the console's (bot/console/stand_in.py)
plus what only a test needs. Faults and slowness on demand, Slack's posting and history limits,
Socket Mode over a real WebSocket, and OAuth's code exchange; `python -m tests.slack_stand_in`
runs it on its own for the benchmarks.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from bot.console.stand_in import (  # noqa: F401 - re-exported: tests import everything Slack-shaped from here
    BOT_ID,
    BOT_USER_ID,
    DEMO_CHANNELS,
    DEMO_USERS,
    HISTORY_LIMIT,
    MESSAGE_BLOCKS,
    TEAM_DOMAIN,
    TEAM_ID,
    Call,
    ConsoleSlack,
    DemoUser,
    Fault,
    SlackSender,
    block_problems,
    fill_modal,
    view_problems,
)

HISTORY_CALLS_PER_MINUTE = 1


@dataclass(frozen=True)
class PostingLimits:
    """Slack-like limits on chat.postMessage: one post per channel per `per_channel_seconds`,
    and at most `window_posts` per workspace in each fixed window of `window_seconds`."""

    per_channel_seconds: float = 1.0
    window_posts: int = 100
    window_seconds: float = 5.0


class LocalSlack(ConsoleSlack):
    """The console's stand-in, able to fail, be slow, rate-limit, speak Socket Mode and OAuth."""

    def __init__(self, *args, limits: PostingLimits | None = None, **kwargs):
        self.limits = limits
        self._started: float | None = None  # the limits' windows count from the first post
        self._last_post: dict[str, float] = {}
        self._window: tuple[int, int] = (0, 0)  # (window number, posts in it)
        self._history_calls: dict[str, float] = {}  # token -> last conversations.history
        self._faults: dict[str, list[Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._holds: dict[str, list[threading.Event]] = {}
        self._sockets: list = []  # open Socket Mode connections, newest last
        self._answer_urls: dict[str, str] = {}  # a Socket Mode command's envelope_id -> its response_url
        self._socket_ids = itertools.count(1)
        super().__init__(*args, **kwargs)

    # -- waiting for what the bot did (a timeout is a failed test) --------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 5.0):
        """Block until predicate(calls) is truthy and return its value; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate(list(self.calls))
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    methods = [c.method for c in self.calls]
                    raise AssertionError(f"timed out after {timeout}s; calls so far: {methods}")
                self._changed.wait(remaining)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 5.0, *, answered: bool = True) -> Call:
        """The `count`-th call of `method`, waiting for it to arrive and, for a Web API method with
        `answered`, to be answered, so that what it changed can be read."""
        pending_ok = not answered or "." not in method
        calls = self.wait_for(
            lambda calls: [c for c in calls if c.method == method and (pending_ok or c.status is not None)][count - 1 :], timeout
        )
        return calls[0]

    def wait_for_response(self, response_url: str, timeout: float = 5.0) -> Call:
        return self.wait_for(
            lambda calls: next((c for c in calls if c.method == "response_url" and c.params["_url"] == response_url), None),
            timeout,
        )

    # -- faults, slowness, limits ------------------------------------------------------------------

    def fail_next(self, method: str, status: int = 429, *, headers=None, body=None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` (or "response_url") with an error, as Slack does under
        load or outage; status 0 drops the connection without an answer."""
        fault = Fault(status, dict(headers or {}), body or {"ok": False, "error": "ratelimited"}, times)
        with self._changed:
            self._faults.setdefault(method, []).append(fault)

    # -- Socket Mode ---------------------------------------------------------------

    def socket_send(self, envelope: dict) -> None:
        """Send an envelope to the app over its newest Socket Mode connection."""
        with self._changed:
            connection = self._sockets[-1]
        _write_frame(connection, 0x1, json.dumps(envelope).encode())

    def socket_drop(self) -> None:
        """Close the newest connection the way Slack does when it rotates one: a close frame, then gone."""
        with self._changed:
            connection = self._sockets.pop()
        try:
            _write_frame(connection, 0x8, b"\x03\xe8")
        finally:
            connection.close()

    def socket_command(self, text: str, *, user: str = "U0ALICE", channel: str = "C0GENERAL") -> tuple[str, str]:
        """A slash command over Socket Mode; returns (envelope_id, response_url)."""
        envelope_id = f"env-{time.monotonic_ns()}"
        response_url = self.new_response_url()
        payload = {
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel,
            "user_id": user,
            "command": "/lp",
            "text": text,
            "api_app_id": "A0LPBOT",
            "response_url": response_url,
            "trigger_id": self.new_trigger_id(),
        }
        self._answer_urls[envelope_id] = response_url
        self.socket_send({"envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": True, "payload": payload})
        return envelope_id, response_url

    def socket_event(self, event: dict) -> str:
        """An Events API event over Socket Mode; returns its envelope_id."""
        envelope_id = f"env-{time.monotonic_ns()}"
        payload = {
            "team_id": TEAM_ID,
            "api_app_id": "A0LPBOT",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        self.socket_send({"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False, "payload": payload})
        return envelope_id

    def delay_next(self, method: str, seconds: float) -> None:
        """Make the next call of `method` (or "response_url") answer only after `seconds`: a slow Slack."""
        with self._changed:
            self._delays.setdefault(method, []).append(seconds)

    def hold_next(self, method: str) -> threading.Event:
        """Make the next call of `method` wait, unanswered, until the returned event is set: a Slack
        that is slower than any client timeout, for exactly as long as the test needs."""
        released = threading.Event()
        with self._changed:
            self._holds.setdefault(method, []).append(released)
        return released

    def _wait_if_held(self, method: str) -> None:
        with self._changed:
            queue = self._holds.get(method)
            released = queue.pop(0) if queue else None
        if released is not None:
            released.wait(30)  # a forgotten release must not hang the suite

    def _take_delay(self, method: str) -> float:
        with self._changed:
            queue = self._delays.get(method)
            return queue.pop(0) if queue else 0.0

    def _take_fault(self, method: str) -> Fault | None:
        with self._changed:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _history_wait(self, token: str | None) -> int | None:
        """conversations.history for distributed apps outside the Marketplace: one call a minute."""
        now = self.clock()
        with self._changed:
            last = self._history_calls.get(token or "")
            if last is not None and now - last < 60 / HISTORY_CALLS_PER_MINUTE:
                return math.ceil(60 / HISTORY_CALLS_PER_MINUTE - (now - last))
            self._history_calls[token or ""] = now
        return None

    def _retry_after(self, method: str, params: dict) -> int | None:
        """Seconds to wait if this post breaks the posting limits, else None (and it counts)."""
        if self.limits is None or method != "chat.postMessage":
            return None
        channel = params.get("channel", "")
        with self._changed:
            if self._started is None:
                self._started = self.clock()
            now = self.clock() - self._started
            window, used = self._window
            current = int(now // self.limits.window_seconds)
            if current != window:
                window, used = current, 0
            last = self._last_post.get(channel)
            if last is not None and now - last < self.limits.per_channel_seconds:
                return math.ceil(self.limits.per_channel_seconds - (now - last))
            if used >= self.limits.window_posts:
                # Slack's Retry-After is whole seconds, rounded up.
                return math.ceil((window + 1) * self.limits.window_seconds - now)
            self._window = (window, used + 1)
            self._last_post[channel] = now
            return None

    def _oauth_v2_access(self, params):
        """Trade an install code (or a refresh token) for a workspace's bot token.

        The code names the workspace: "code-T0TEAM2" installs into team T0TEAM2 ("code-E0ORG" org-wide
        into the Enterprise Grid organisation E0ORG). Tokens from a
        code rotate (expire in 12 hours) when the code ends in "-rotating".
        """
        if params.get("grant_type") == "refresh_token":
            team = params.get("refresh_token", "").split(":")[1]
            generation = next(self._ts)
            return {
                "ok": True,
                "access_token": f"xoxe.xoxb-{team}-{generation}",
                "refresh_token": f"xoxe-1:{team}:{generation}",
                "expires_in": 43200,
                "token_type": "bot",
                "team": {"id": team},
            }
        code = params.get("code", "")
        if not code.startswith("code-"):
            return {"ok": False, "error": "invalid_code"}
        team = code.split("-")[1]
        if team.startswith("E"):
            # An org-wide install on Enterprise Grid (OAuth v2 reference): the organisation, no team.
            return {
                "ok": True,
                "app_id": "A0LPBOT",
                "authed_user": {"id": "W0ADMIN"},
                "scope": ",".join(self.granted_scopes),
                "token_type": "bot",
                "access_token": f"xoxb-{team}-installed",
                "bot_user_id": BOT_USER_ID,
                "team": None,
                "enterprise": {"id": team, "name": f"Org {team}"},
                "is_enterprise_install": True,
            }
        answer = {
            "ok": True,
            "app_id": "A0LPBOT",
            "authed_user": {"id": "U0ALICE"},
            "scope": ",".join(self.granted_scopes),
            "token_type": "bot",
            "access_token": f"xoxb-{team}-installed",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": team, "name": f"Workspace {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if code.endswith("-rotating"):
            answer.update(access_token=f"xoxe.xoxb-{team}-0", refresh_token=f"xoxe-1:{team}:0", expires_in=43200)
        return answer

    def _api_apps_connections_open(self, params):
        return {"ok": True, "url": f"ws://127.0.0.1:{self._server.server_address[1]}/socket/{next(self._socket_ids)}"}

    def _rate_limited(self, method: str, params: dict, token: str | None) -> int | None:
        if method == "conversations.history":
            return self._history_wait(token)
        return self._retry_after(method, params)

    def _unauthenticated(self, method: str, params: dict) -> dict | None:
        if method == "oauth.v2.access":
            return self._oauth_v2_access(params)  # authenticated by client ID and secret, not a token
        return None

    def handle_get(self, handler) -> bool:
        if handler.path.startswith("/socket/") and handler.headers.get("Upgrade", "").lower() == "websocket":
            self._serve_socket(handler)
            return True
        # A peek at the record for another process (the benchmarks): GET /_calls?method=...
        if handler.path.startswith("/_calls"):
            wanted = dict(parse_qsl(handler.path.partition("?")[2])).get("method")
            with self._changed:
                count = sum(1 for c in self.calls if wanted in (None, c.method))
            handler._send(200, {}, json.dumps({"count": count}).encode())
            return True
        # The replies in threads, each with its thread and when it arrived: how long a thank-you took.
        if handler.path.startswith("/_replies"):
            with self._changed:
                replies = [
                    (c.params["thread_ts"], c.arrived) for c in self.calls if c.method == "chat.postMessage" and c.params.get("thread_ts")
                ]
            handler._send(200, {}, json.dumps(replies).encode())
            return True
        if handler.path.startswith("/_window") and self.limits:
            elapsed = self.clock() - (self._started if self._started is not None else self.clock())
            left = self.limits.window_seconds - elapsed % self.limits.window_seconds
            handler._send(200, {}, json.dumps({"seconds_to_next_window": left}).encode())
            return True
        if handler.path.startswith("/_delivered"):
            with self._changed:
                delivered = dict(self.delivered)
            handler._send(200, {}, json.dumps(delivered).encode())
            return True
        return False

    def _serve_socket(self, handler) -> None:
        accept = base64.b64encode(hashlib.sha1((handler.headers["Sec-WebSocket-Key"] + _WEBSOCKET_GUID).encode()).digest()).decode()
        handler.send_response(101, "Switching Protocols")
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", accept)
        handler.end_headers()
        handler.wfile.flush()
        connection = handler.connection
        with self._changed:
            self._sockets.append(connection)
        self._record(Call("socket_connected", {"path": handler.path}))
        _write_frame(connection, 0x1, json.dumps({"type": "hello", "num_connections": 1}).encode())
        while True:
            frame = _read_frame(handler.rfile)
            if frame is None:
                break
            opcode, data = frame
            if opcode == 0x8:
                break
            if opcode == 0x9:
                _write_frame(connection, 0xA, data)
            elif opcode == 0x1:
                frame = json.loads(data or b"{}")
                self._record(Call("socket_ack", frame))
                url = self._answer_urls.pop(frame.get("envelope_id"), None)
                if url and frame.get("payload"):
                    self.shown_in_ack(url, frame["payload"])
        handler.close_connection = True


_WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # fixed by RFC 6455


def _write_frame(connection, opcode: int, data: bytes) -> None:
    """One unmasked, final WebSocket frame (servers never mask)."""
    header = bytes([0x80 | opcode])
    if len(data) < 126:
        header += bytes([len(data)])
    elif len(data) < 1 << 16:
        header += bytes([126]) + len(data).to_bytes(2, "big")
    else:
        header += bytes([127]) + len(data).to_bytes(8, "big")
    connection.sendall(header + data)


def _read_frame(stream) -> tuple[int, bytes] | None:
    """One frame from the client (always masked), or None when the connection is gone."""
    try:
        head = stream.read(2)
        if len(head) < 2:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(stream.read(2), "big")
        elif length == 127:
            length = int.from_bytes(stream.read(8), "big")
        mask = stream.read(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(stream.read(length)))
        return opcode, data
    except (OSError, ValueError):
        return None


def main() -> None:
    """Run the stand-in on its own (`python -m tests.slack_stand_in`): prints its URL, serves until stdin closes.

    --channels N adds channels C0000 … with the demo ones; --crowd N adds N people who give (U0000GIVER …)
    and talk (U0000TALKER …), so an event from them is from a person Slack knows; --limits POSTS SECONDS
    turns on posting limits.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m tests.slack_stand_in")
    parser.add_argument("--channels", type=int, default=0)
    parser.add_argument("--crowd", type=int, default=0)
    parser.add_argument("--limits", nargs=2, type=float, metavar=("POSTS", "SECONDS"))
    parser.add_argument("--no-block-checks", action="store_true", help="skip Block Kit validation (Slack's CPU, not the bot's)")
    args = parser.parse_args()
    channels = {**DEMO_CHANNELS, **{f"C{n:06d}": f"team-{n}" for n in range(args.channels)}}
    limits = PostingLimits(window_posts=int(args.limits[0]), window_seconds=args.limits[1]) if args.limits else None
    crowd = [
        DemoUser(f"U{n:04d}{role}", f"{role.lower()}{n}", f"{role.title()} {n}") for n in range(args.crowd) for role in ("GIVER", "TALKER")
    ]
    slack = LocalSlack(channels=channels, limits=limits, users=(*DEMO_USERS, *crowd))
    slack.checks_blocks = not args.no_block_checks
    slack.start()
    print(slack.url, flush=True)
    sys.stdin.read()
    slack.stop()


if __name__ == "__main__":
    main()
