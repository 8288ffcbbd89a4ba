"""A local stand-in for Slack, for the console, the tests and the benchmarks.

Two halves, both on loopback:
- `LocalSlack` plays Slack's Web API (and the response_url endpoint): it answers the
  methods the bot calls, records every call, and knows a few demo users and channels.
- `SlackSender` plays Slack calling the app: it builds slash commands, button clicks,
  view submissions and events, and signs them the way Slack does.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0LOCAL"
TEAM_DOMAIN = "lpbot-local"
BOT_USER_ID = "U0LPBOT"
BOT_ID = "B0LPBOT"


@dataclass(frozen=True)
class DemoUser:
    id: str
    name: str
    real_name: str
    tz: str = "Europe/London"
    is_admin: bool = False
    is_bot: bool = False

    def as_slack(self) -> dict:
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "real_name": self.real_name,
            "tz": self.tz,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "deleted": False,
            "profile": {"display_name": self.name, "real_name": self.real_name},
        }


DEMO_USERS = (
    DemoUser("U0ALICE", "alice", "Alice Archer", "Europe/London", is_admin=True),
    DemoUser("U0BOB", "bob", "Bob Baker", "America/New_York"),
    DemoUser("U0CAROL", "carol", "Carol Chen", "Asia/Tokyo"),
    DemoUser("U0DAVE", "dave", "Dave Diaz", "Pacific/Auckland"),
    DemoUser(BOT_USER_ID, "lpbot", "LP Bot", is_bot=True),
    DemoUser("U0DEPLOY", "deploybot", "Deploy Bot", is_bot=True),
)
DEMO_CHANNELS = {
    "C0GENERAL": "general",
    "C0RANDOM": "random",
    "G0PRIVATE": "leads",
}
#: Channels that are private although their ID starts with C, as Slack's are today.
DEMO_PRIVATE = frozenset({"G0PRIVATE"})

# Slack's limits that slack_sdk's models leave to the server.
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SELECT_OPTIONS = 100
OPTION_VALUE = 150
TRIGGER_SECONDS = 3.0
RESPONSE_URL_POSTS = 5
RESPONSE_URL_SECONDS = 30 * 60
HISTORY_LIMIT = 15
HISTORY_CALLS_PER_MINUTE = 1


def block_problems(blocks, most: int) -> list[str]:
    """What Slack would refuse in a list of blocks: slack_sdk's checks plus the counts it leaves to Slack."""
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    problems = [] if len(blocks) <= most else [f"{len(blocks)} blocks; at most {most}"]
    for block in blocks:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"unknown block {block!r:.60}")
            else:
                parsed.validate_json()
        except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
            problems.append(str(error))
    problems += _option_problems(blocks)
    return problems


def view_problems(view) -> list[str]:
    if not isinstance(view, dict):
        return ["view must be an object"]
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
        return [str(error)]
    return block_problems(view.get("blocks") or [], VIEW_BLOCKS)


def _option_problems(node) -> list[str]:
    if isinstance(node, list):
        return [p for item in node for p in _option_problems(item)]
    if not isinstance(node, dict):
        return []
    problems = []
    options = node.get("options")
    if isinstance(options, list):
        if len(options) > SELECT_OPTIONS:
            problems.append(f"{len(options)} options; at most {SELECT_OPTIONS}")
        problems += [f"option value over {OPTION_VALUE} characters" for o in options if len(str(o.get("value", ""))) > OPTION_VALUE]
    return problems + [p for key, value in node.items() if key != "options" for p in _option_problems(value)]


@dataclass
class Call:
    """One request the bot made: a Web API method, or a post to a response_url."""

    method: str  # "chat.postMessage", ... or "response_url"
    params: dict
    token: str | None = None
    status: int | None = None  # the HTTP status answered, once the stand-in has answered
    token_in_header: bool = False  # Slack prefers "Authorization: Bearer"; a token in the body still works
    response: dict | None = None  # the body answered


@dataclass(frozen=True)
class PostingLimits:
    """Slack-like limits on chat.postMessage: one post per channel per `per_channel_seconds`,
    and at most `window_posts` per workspace in each fixed window of `window_seconds`."""

    per_channel_seconds: float = 1.0
    window_posts: int = 100
    window_seconds: float = 5.0


@dataclass
class _Fault:
    status: int
    headers: dict
    body: dict
    times: int


class LocalSlack:
    """Slack's Web API on 127.0.0.1, enough of it for LP Bot, recording every call."""

    def __init__(
        self,
        users=DEMO_USERS,
        channels=DEMO_CHANNELS,
        valid_tokens: set[str] | None = None,
        limits: PostingLimits | None = None,
        granted_scopes: tuple[str, ...] = (
            "commands",
            "chat:write",
            "users:read",
            "channels:read",
            "groups:read",
            "channels:history",
            "groups:history",
        ),
    ):
        self.users = {u.id: u for u in users}
        self.channels = dict(channels)
        self.valid_tokens = valid_tokens
        self.limits = limits
        self.granted_scopes = granted_scopes
        self.not_member: set[str] = set()  # channels the bot has not been invited to
        self.private: set[str] = set(DEMO_PRIVATE & set(self.channels))  # private channels, whatever their ID
        self.dms: set[str] = set()  # conversation IDs of DMs and group DMs the app is part of
        self._triggers: dict[str, float] = {}  # trigger_id -> when Slack issued it
        self._views: dict[str, dict] = {}  # view id -> the open view (its hash changes on update)
        self._response_posts: dict[str, list[float]] = {}  # response_url -> when each post came
        self._history_calls: dict[str, float] = {}  # token -> last conversations.history
        self.clock: Callable[[], float] = time.monotonic  # for trigger ages and rate limits
        self.wall_clock: Callable[[], float] = time.time  # for message timestamps; tests may set the bot's clock
        self.delivered: dict[str, int] = {}  # channel -> posts that went through
        self.history: dict[str, list[dict]] = {}  # channel -> messages posted, oldest first
        self._started = time.monotonic()
        self._last_post: dict[str, float] = {}
        self._window: tuple[int, int] = (0, 0)  # (window number, posts in it)
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._holds: dict[str, list[threading.Event]] = {}
        self._sockets: list = []  # open Socket Mode connections, newest last
        self._socket_ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._response_ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = self.url + "/api/"

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> LocalSlack:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-slack", daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what tests and the console use -----------------------------------------
    def new_response_url(self) -> str:
        return f"{self.url}/response/{next(self._response_ids)}"

    def channel_name(self, channel_id: str) -> str:
        """What Slack puts in a slash command's channel_name: a private channel's name is withheld."""
        if channel_id in self.private:
            return "privategroup"
        if channel_id in self.channels:
            return self.channels[channel_id]
        return f"mpdm-{channel_id.lower()}-1" if channel_id.startswith("G") else "directmessage"

    def new_trigger_id(self, age: float = 0.0) -> str:
        """A trigger_id as Slack puts in an interaction; `age` seconds old already, to test expiry."""
        trigger_id = f"{int(time.time())}.{next(self._ts)}.trigger"
        with self._changed:
            self._triggers[trigger_id] = self.clock() - age
        return trigger_id

    def fail_next(self, method: str, status: int = 429, *, headers=None, body=None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` (or "response_url") with an error, as Slack does under
        load or outage; status 0 drops the connection without an answer."""
        fault = _Fault(status, dict(headers or {}), body or {"ok": False, "error": "ratelimited"}, times)
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
        self.socket_send({"envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": True, "payload": payload})
        return envelope_id, response_url

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

    # -- the Web API -------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _take_fault(self, method: str) -> _Fault | None:
        with self._changed:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _respond(self, method: str, params: dict, token: str | None) -> tuple[int, dict, dict]:
        fault = self._take_fault(method)
        if fault:
            return fault.status, fault.headers, fault.body
        wait = self._retry_after(method, params) if method != "conversations.history" else self._history_wait(token)
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
        # Slack tells a token's scopes in this header on every call.
        return 200, {"X-OAuth-Scopes": ",".join(self.granted_scopes)}, self.answer(method, params, token)

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
        now = time.monotonic() - self._started
        channel = params.get("channel", "")
        with self._changed:
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

    def _next_ts(self) -> str:
        return f"{int(self.wall_clock())}.{next(self._ts):06d}"

    def answer(self, method: str, params: dict, token: str | None) -> dict:
        if method == "oauth.v2.access":
            return self._oauth_v2_access(params)  # authenticated by client ID and secret, not a token
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return {"ok": False, "error": "invalid_auth"}
        if token is None:
            return {"ok": False, "error": "not_authed"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(params)

    def _api_auth_test(self, params):
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "LP Bot local",
            "user": "lpbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def _channel_error(self, channel: str | None) -> dict | None:
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        # Posting to a user ID is how an app DMs someone (not a bot: bots have no DM with the app).
        person = self.users.get(channel)
        if (person and not person.is_bot) or channel in self.dms or channel in self.channels:
            return None
        return {"ok": False, "error": "channel_not_found"}

    def _message_error(self, params) -> dict | None:
        """What Slack refuses in a message: blocks its models reject, too many, or no text fallback."""
        blocks = params.get("blocks")
        if blocks in (None, "", []):
            return None if params.get("text") else {"ok": False, "error": "no_text"}
        problems = block_problems(blocks, MESSAGE_BLOCKS)
        if not params.get("text"):
            problems.append("a message with blocks needs text, the fallback for notifications")
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        return None

    def _api_chat_postMessage(self, params):
        error = self._channel_error(params.get("channel")) or self._message_error(params)
        if not error and params["channel"] in self.not_member:
            error = {"ok": False, "error": "not_in_channel"}
        if error:
            return error
        ts = self._next_ts()
        message = {"type": "message", "bot_id": BOT_ID, "text": params.get("text", ""), "ts": ts}
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        with self._changed:
            self.delivered[params["channel"]] = self.delivered.get(params["channel"], 0) + 1
            self.history.setdefault(params["channel"], []).append(message)
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _api_chat_postEphemeral(self, params):
        error = self._channel_error(params.get("channel")) or self._message_error(params)
        if not error and (params["channel"] in self.not_member or params["channel"] in self.users):
            error = {"ok": False, "error": "not_in_channel" if params["channel"] in self.not_member else "channel_not_found"}
        if not error and params.get("user") not in self.users:
            error = {"ok": False, "error": "user_not_in_channel"}
        return error or {"ok": True, "message_ts": self._next_ts()}

    def _api_conversations_history(self, params):
        error = self._channel_error(params.get("channel"))
        if error:
            return error
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")
        # Distributed apps outside the Marketplace: 15 messages a call at most.
        limit = min(int(params.get("limit") or 100), HISTORY_LIMIT)
        with self._changed:
            messages = [m for m in self.history.get(params["channel"], []) if oldest < float(m["ts"]) < latest]
        newest = list(reversed(messages))
        return {"ok": True, "messages": newest[:limit], "has_more": len(newest) > limit}

    def _api_chat_getPermalink(self, params):
        channel, ts = params.get("channel", ""), params.get("message_ts", "")
        return {"ok": True, "channel": channel, "permalink": f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"}

    def _api_conversations_info(self, params):
        channel = params.get("channel", "")
        if channel in self.users or (channel in self.private and channel in self.not_member):
            return {"ok": False, "error": "channel_not_found"}  # a private channel is invisible to a non-member
        error = self._channel_error(channel)
        is_dm = channel in self.dms
        return error or {
            "ok": True,
            "channel": {
                "id": channel,
                "name": self.channels.get(channel, channel),
                "is_channel": not is_dm,
                "is_private": channel in self.private,
                "is_im": is_dm and channel.startswith("D"),
                "is_mpim": is_dm and not channel.startswith("D"),
                "is_member": channel not in self.not_member,
            },
        }

    def _oauth_v2_access(self, params):
        """Trade an install code (or a refresh token) for a workspace's bot token.

        The code names the workspace: "code-T0TEAM2" installs into team T0TEAM2. Tokens from a
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

    def _api_users_info(self, params):
        user = self.users.get(params.get("user", ""))
        return {"ok": True, "user": user.as_slack()} if user else {"ok": False, "error": "user_not_found"}

    def _api_views_publish(self, params):
        view = _as_dict(params.get("view"))
        problems = view_problems(view)
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **view}}

    def _api_views_open(self, params):
        trigger_id = params.get("trigger_id", "")
        with self._changed:
            issued = self._triggers.pop(trigger_id, None)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}  # unknown, or already exchanged
        if self.clock() - issued > TRIGGER_SECONDS:
            return {"ok": False, "error": "expired_trigger_id"}
        return self._open_view(params)

    def _open_view(self, params, view_id: str | None = None):
        view = _as_dict(params.get("view"))
        problems = view_problems(view)
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        opened = {**view, "id": view_id or f"V{next(self._ts):08d}", "hash": f"{int(time.time())}.{next(self._ts)}"}
        with self._changed:
            self._views[opened["id"]] = opened
        return {"ok": True, "view": opened}

    def _api_views_update(self, params):
        with self._changed:
            current = self._views.get(params.get("view_id", ""))
        if current is None:
            return {"ok": False, "error": "not_found"}
        if params.get("hash") and params["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        return self._open_view(params, current["id"])

    def open_view(self, view_id: str) -> dict:
        """A modal as it stands now (after any views.update), as the person sees it."""
        with self._changed:
            return dict(self._views[view_id])

    def _handler_class(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test and console output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                params = _parse_body(raw, self.headers.get("Content-Type", ""))
                if self.path.startswith("/response/"):
                    return self._response_url(params)
                if not self.path.startswith("/api/"):
                    return self._send(404, {}, b"not found", "text/plain")
                method = self.path[len("/api/") :].split("?")[0]
                auth = self.headers.get("Authorization", "")
                in_header = auth.startswith("Bearer ")
                token = auth[len("Bearer ") :] if in_header else params.pop("token", None)
                call = Call(method, params, token, token_in_header=in_header)
                stand_in._record(call)
                time.sleep(stand_in._take_delay(method))
                stand_in._wait_if_held(method)
                status, headers, body = stand_in._respond(method, params, token)
                with stand_in._changed:
                    call.status, call.response = status, body
                    stand_in._changed.notify_all()
                try:
                    self._send(status, headers, json.dumps(body).encode())
                except OSError:
                    pass  # the caller gave up waiting (a timeout test); Slack would not notice either

            def do_GET(self):
                if self.path.startswith("/socket/") and self.headers.get("Upgrade", "").lower() == "websocket":
                    return self._serve_socket()
                # A peek at the record for another process (the benchmarks): GET /_calls?method=...
                if self.path.startswith("/_calls"):
                    wanted = dict(parse_qsl(self.path.partition("?")[2])).get("method")
                    with stand_in._changed:
                        count = sum(1 for c in stand_in.calls if wanted in (None, c.method))
                    return self._send(200, {}, json.dumps({"count": count}).encode())
                if self.path.startswith("/_window") and stand_in.limits:
                    elapsed = time.monotonic() - stand_in._started
                    left = stand_in.limits.window_seconds - elapsed % stand_in.limits.window_seconds
                    return self._send(200, {}, json.dumps({"seconds_to_next_window": left}).encode())
                if self.path.startswith("/_delivered"):
                    with stand_in._changed:
                        delivered = dict(stand_in.delivered)
                    return self._send(200, {}, json.dumps(delivered).encode())
                return self.do_POST()

            def _response_url(self, params):
                url = stand_in.url + self.path
                time.sleep(stand_in._take_delay("response_url"))
                fault = stand_in._take_fault("response_url")
                if fault and fault.status == 0:
                    stand_in._record(Call("response_url_dropped", {"_url": url}))
                    self.close_connection = True
                    self.connection.shutdown(2)  # a connection reset, no answer at all
                    return None
                if fault:
                    return self._send(fault.status, fault.headers, json.dumps(fault.body).encode())
                now = stand_in.clock()
                with stand_in._changed:
                    posts = [t for t in stand_in._response_posts.get(url, []) if now - t < RESPONSE_URL_SECONDS]
                    stand_in._response_posts[url] = posts + [now]
                if len(posts) >= RESPONSE_URL_POSTS:
                    return self._send(404, {}, b"used_url", "text/plain")
                problems = block_problems(params["blocks"], MESSAGE_BLOCKS) if params.get("blocks") else []
                if problems:
                    return self._send(400, {}, b"invalid_blocks", "text/plain")
                stand_in._record(Call("response_url", {**params, "_url": url}))
                return self._send(200, {}, b"ok", "text/plain")

            def _serve_socket(self):
                accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + _WEBSOCKET_GUID).encode()).digest()).decode()
                self.send_response(101, "Switching Protocols")
                self.send_header("Upgrade", "websocket")
                self.send_header("Connection", "Upgrade")
                self.send_header("Sec-WebSocket-Accept", accept)
                self.end_headers()
                self.wfile.flush()
                connection = self.connection
                with stand_in._changed:
                    stand_in._sockets.append(connection)
                stand_in._record(Call("socket_connected", {"path": self.path}))
                _write_frame(connection, 0x1, json.dumps({"type": "hello", "num_connections": 1}).encode())
                while True:
                    frame = _read_frame(self.rfile)
                    if frame is None:
                        break
                    opcode, data = frame
                    if opcode == 0x8:
                        break
                    if opcode == 0x9:
                        _write_frame(connection, 0xA, data)
                    elif opcode == 0x1:
                        stand_in._record(Call("socket_ack", json.loads(data or b"{}")))
                self.close_connection = True

            def _send(self, status, headers, body: bytes, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


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


def _parse_body(raw: str, content_type: str) -> dict:
    if not raw:
        return {}
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    params: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "view", "attachments"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                pass
    return params


def _as_dict(value) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, dict) else {}


def fill_modal(view: dict, **answers) -> dict:
    """The view as Slack returns it on submit, filled the way a person fills it.

    `answers` maps an input block's block_id to the value chosen: a list of user IDs for a
    users select, an option value for a static select, a channel ID, or text.
    """
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        state = {"type": element["type"]}
        answer = answers.get(block["block_id"])
        if element["type"] == "multi_users_select":
            state["selected_users"] = answer if answer is not None else element.get("initial_users", [])
        elif element["type"] == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == answer), element.get("initial_option"))
            state["selected_option"] = chosen
        elif element["type"] == "external_select":
            # The person picked from what the app offered; Slack sends back that option.
            chosen = {"text": {"type": "plain_text", "text": answer}, "value": answer} if answer else None
            state["selected_option"] = chosen or element.get("initial_option")
        elif element["type"] == "conversations_select":
            state["selected_conversation"] = answer if answer is not None else element.get("initial_conversation")
        else:
            state["value"] = answer
        values[block["block_id"]] = {element["action_id"]: state}
    return {**view, "id": view.get("id", "V0TEST"), "state": {"values": values}}


@dataclass
class Sent:
    status: int
    body: str
    response_url: str | None = None

    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}


ACK_SECONDS = 3.0


class SlackSender:
    """Sends the app what Slack would send, signed with the app's signing secret."""

    def __init__(self, events_url: str, signing_secret: str, slack: LocalSlack, team_id: str = TEAM_ID):
        self.events_url = events_url
        self.slack = slack
        self.team_id = team_id
        self._verifier = SignatureVerifier(signing_secret)
        self.last: tuple[str, dict] = ("", {})

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None) -> Sent:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or self._verifier.generate_signature(timestamp=ts, body=body),
        }
        self.last = (body, headers)
        return self._send(body.encode("utf-8"), headers)

    def replay(self) -> Sent:
        """Send the last request again exactly as it was, signature and all: a retry, or an attacker's replay."""
        body, headers = self.last
        return self._send(body.encode("utf-8"), headers)

    def _send(self, data: bytes, headers: dict) -> Sent:
        request = urllib.request.Request(self.events_url, data=data, headers=headers, method="POST")
        try:
            # Slack gives up on an app after 3 seconds; so does this sender, so a late ack fails a test.
            with urllib.request.urlopen(request, timeout=ACK_SECONDS) as response:
                return Sent(response.status, response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Sent(error.code, error.read().decode("utf-8", "replace"))

    def command(self, text: str, *, user: str = "U0ALICE", channel: str = "C0GENERAL", command: str = "/lp", **kw) -> Sent:
        response_url = self.slack.new_response_url()
        form = {
            "token": "legacy-verification-token-unused",
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel,
            "channel_name": self.slack.channel_name(channel),
            "user_id": user,
            "user_name": getattr(self.slack.users.get(user), "name", user.lower()),
            "command": command,
            "text": text,
            "api_app_id": "A0LPBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": self.slack.new_trigger_id(),
        }
        sent = self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)
        sent.response_url = response_url
        return sent

    def interaction(self, payload: dict, **kw) -> Sent:
        payload = {"team": {"id": self.team_id, "domain": TEAM_DOMAIN}, "api_app_id": "A0LPBOT", **payload}
        if payload.get("type") == "block_actions" and "response_url" not in payload:
            payload["response_url"] = self.slack.new_response_url()
        if payload.get("response_url") is None:
            payload.pop("response_url", None)
        sent = self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw)
        sent.response_url = payload.get("response_url")
        return sent

    def click(self, action_id: str, value: str, *, user: str = "U0ALICE", channel: str | None = "C0GENERAL", **kw) -> Sent:
        """A button press on a message in `channel`, or in App Home when `channel` is None (no
        channel and no response_url there, as Slack sends it)."""
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team_id},
            "trigger_id": self.slack.new_trigger_id(),
            "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b"}],
        }
        if channel:
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "channel_id": channel, "is_ephemeral": True}
        else:
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home", "app_installed_team_id": self.team_id}
            payload["response_url"] = None
        return self.interaction(payload, **kw)

    def shortcut(self, callback_id: str, *, user: str = "U0ALICE", trigger_age: float = 0.0, **fields) -> Sent:
        """A global shortcut, or a message shortcut when `fields` carry a message and channel."""
        kind = "message_action" if "message" in fields else "shortcut"
        payload = {
            "type": kind,
            "callback_id": callback_id,
            "trigger_id": self.slack.new_trigger_id(trigger_age),
            "user": {"id": user, "team_id": self.team_id},
            **fields,
        }
        if kind == "message_action":
            payload.setdefault("response_url", self.slack.new_response_url())
        return self.interaction(payload)

    def suggest(self, view: dict, block_id: str, typed: str, *, user: str = "U0ALICE") -> Sent:
        """Typing into an external_select: Slack asks the app which options to show."""
        element = next(b["element"] for b in view["blocks"] if b.get("block_id") == block_id)
        payload = {
            "type": "block_suggestion",
            "user": {"id": user, "team_id": self.team_id},
            "container": {"type": "view", "view_id": view.get("id", "V0TEST")},
            "action_id": element["action_id"],
            "block_id": block_id,
            "value": typed,
            "view": {**view, "app_installed_team_id": self.team_id},
        }
        return self.interaction(payload)

    def submit(self, view: dict, *, user: str = "U0ALICE", from_team: str | None = None, **answers) -> Sent:
        """Submit a modal the app opened, filled in with `answers` (see fill_modal).

        `from_team` submits it from a Slack Connect channel: the payload's team and the user's
        team are the other organisation's, and only view.app_installed_team_id names ours.
        """
        team = from_team or self.team_id
        filled = {**fill_modal(view, **answers), "app_installed_team_id": self.team_id, "team_id": team}
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "other-org" if from_team else TEAM_DOMAIN},
            "user": {"id": user, "team_id": team},
            "trigger_id": self.slack.new_trigger_id(),
            "view": filled,
        }
        return self.interaction(payload)

    def event(self, event: dict, **kw) -> Sent:
        body = {
            "token": "legacy-verification-token-unused",
            "team_id": self.team_id,
            "api_app_id": "A0LPBOT",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": self.team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        return self.post(json.dumps(body), "application/json", **kw)


def main() -> None:
    """Run the stand-in on its own (`python -m bot.local_slack`): prints its URL, serves until stdin closes.

    --channels N adds channels C0000 … with the demo ones; --limits POSTS SECONDS turns on posting limits.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m bot.local_slack")
    parser.add_argument("--channels", type=int, default=0)
    parser.add_argument("--limits", nargs=2, type=float, metavar=("POSTS", "SECONDS"))
    args = parser.parse_args()
    channels = {**DEMO_CHANNELS, **{f"C{n:06d}": f"team-{n}" for n in range(args.channels)}}
    limits = PostingLimits(window_posts=int(args.limits[0]), window_seconds=args.limits[1]) if args.limits else None
    slack = LocalSlack(channels=channels, limits=limits).start()
    print(slack.url, flush=True)
    sys.stdin.read()
    slack.stop()


if __name__ == "__main__":
    main()
