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
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode

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


@dataclass
class Call:
    """One request the bot made: a Web API method, or a post to a response_url."""

    method: str  # "chat.postMessage", ... or "response_url"
    params: dict
    token: str | None = None
    at: float = field(default_factory=time.monotonic)
    status: int | None = None  # the HTTP status answered, once the stand-in has answered


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
            "commands", "chat:write", "users:read", "channels:read", "groups:read", "channels:history", "groups:history",
        ),
    ):
        self.users = {u.id: u for u in users}
        self.channels = dict(channels)
        self.valid_tokens = valid_tokens
        self.limits = limits
        self.granted_scopes = granted_scopes
        self.not_member: set[str] = set()  # channels the bot has not been invited to
        self.delivered: dict[str, int] = {}  # channel -> posts that went through
        self.history: dict[str, list[dict]] = {}  # channel -> messages posted, oldest first
        self._started = time.monotonic()
        self._last_post: dict[str, float] = {}
        self._window: tuple[int, int] = (0, 0)  # (window number, posts in it)
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._sockets: list = []  # open Socket Mode connections, newest last
        self._socket_ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._response_ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = self.url + "/api/"

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "LocalSlack":
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-slack", daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what tests and the console use -----------------------------------------
    def new_response_url(self) -> str:
        return f"{self.url}/response/{next(self._response_ids)}"

    def fail_next(self, method: str, status: int = 429, *, headers=None, body=None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with an error, as Slack does under load or outage."""
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
            "trigger_id": "t",
        }
        self.socket_send({"envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": True, "payload": payload})
        return envelope_id, response_url

    def delay_next(self, method: str, seconds: float) -> None:
        """Make the next call of `method` (or "response_url") answer only after `seconds`: a slow Slack."""
        with self._changed:
            self._delays.setdefault(method, []).append(seconds)

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

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 5.0) -> Call:
        """The `count`-th call of `method`, waiting for it to arrive."""
        calls = self.wait_for(lambda calls: [c for c in calls if c.method == method][count - 1 :], timeout)
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
        wait = self._retry_after(method, params)
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
        # Slack tells a token's scopes in this header on every call.
        return 200, {"X-OAuth-Scopes": ",".join(self.granted_scopes)}, self.answer(method, params, token)

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
        return f"{int(time.time())}.{next(self._ts):06d}"

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
        # Posting to a user ID is how an app DMs someone.
        if channel.startswith("D") or channel in self.channels or channel in self.users:
            return None
        return {"ok": False, "error": "channel_not_found"}

    def _api_chat_postMessage(self, params):
        error = self._channel_error(params.get("channel"))
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

    def _api_conversations_history(self, params):
        error = self._channel_error(params.get("channel"))
        if error:
            return error
        oldest = float(params.get("oldest") or 0)
        with self._changed:
            messages = [m for m in self.history.get(params["channel"], []) if float(m["ts"]) > oldest]
        return {"ok": True, "messages": list(reversed(messages)), "has_more": False}

    def _api_chat_getPermalink(self, params):
        channel, ts = params.get("channel", ""), params.get("message_ts", "")
        return {"ok": True, "channel": channel, "permalink": f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"}

    def _api_conversations_info(self, params):
        channel = params.get("channel", "")
        error = self._channel_error(channel)
        return error or {
            "ok": True,
            "channel": {"id": channel, "name": self.channels.get(channel, "dm"), "is_member": channel not in self.not_member},
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
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **_as_dict(params.get("view"))}}

    def _api_views_open(self, params):
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **_as_dict(params.get("view"))}}

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
                    time.sleep(stand_in._take_delay("response_url"))
                    stand_in._record(Call("response_url", {**params, "_url": stand_in.url + self.path}))
                    return self._send(200, {}, b"ok", "text/plain")
                if not self.path.startswith("/api/"):
                    return self._send(404, {}, b"not found", "text/plain")
                method = self.path[len("/api/") :].split("?")[0]
                auth = self.headers.get("Authorization", "")
                token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.pop("token", None)
                call = Call(method, params, token)
                stand_in._record(call)
                time.sleep(stand_in._take_delay(method))
                status, headers, body = stand_in._respond(method, params, token)
                with stand_in._changed:
                    call.status = status
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

            def _serve_socket(self):
                accept = base64.b64encode(
                    hashlib.sha1((self.headers["Sec-WebSocket-Key"] + _WEBSOCKET_GUID).encode()).digest()
                ).decode()
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


class SlackSender:
    """Sends the app what Slack would send, signed with the app's signing secret."""

    def __init__(self, events_url: str, signing_secret: str, slack: LocalSlack, team_id: str = TEAM_ID):
        self.events_url = events_url
        self.slack = slack
        self.team_id = team_id
        self._verifier = SignatureVerifier(signing_secret)

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None) -> Sent:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or self._verifier.generate_signature(timestamp=ts, body=body),
        }
        request = urllib.request.Request(self.events_url, data=body.encode("utf-8"), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
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
            "channel_name": self.slack.channels.get(channel, "directmessage"),
            "user_id": user,
            "user_name": getattr(self.slack.users.get(user), "name", user.lower()),
            "command": command,
            "text": text,
            "api_app_id": "A0LPBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{int(time.time())}.trigger",
        }
        sent = self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)
        sent.response_url = response_url
        return sent

    def interaction(self, payload: dict, **kw) -> Sent:
        payload = {"team": {"id": self.team_id, "domain": TEAM_DOMAIN}, "api_app_id": "A0LPBOT", **payload}
        if payload.get("type") == "block_actions" and "response_url" not in payload:
            payload["response_url"] = self.slack.new_response_url()
        sent = self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw)
        sent.response_url = payload.get("response_url")
        return sent

    def click(self, action_id: str, value: str, *, user: str = "U0ALICE", channel: str = "C0GENERAL", **kw) -> Sent:
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": self.team_id},
                "channel": {"id": channel},
                "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
                "trigger_id": f"{int(time.time())}.trigger",
                "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b"}],
            },
            **kw,
        )

    def submit(self, view: dict, *, user: str = "U0ALICE", **answers) -> Sent:
        """Submit a modal the app opened, filled in with `answers` (see fill_modal)."""
        payload = {"type": "view_submission", "user": {"id": user, "team_id": self.team_id}, "trigger_id": "t"}
        return self.interaction({**payload, "view": fill_modal(view, **answers)})

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
