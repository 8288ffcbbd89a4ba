"""A local stand-in for Slack, as small as the console needs: it is part of `lpbot console`.

The tests and benchmarks use a fuller one (tests/slack_stand_in.py) that adds faults, slowness,
rate limits, Socket Mode and OAuth on top of this.

Two halves, both on loopback:
- `ConsoleSlack` plays Slack's Web API (and the response_url endpoint): it answers the
  methods the bot calls, records every call, and knows a few demo users and channels.
- `SlackSender` plays Slack calling the app: it builds slash commands, button clicks,
  view submissions and events, and signs them the way Slack does.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
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
    # Another organisation's person in a Slack Connect channel has their own home team_id; Slack's
    # docs ("Determining whether a user is external must be done implicitly") say to compare it.
    team_id: str = TEAM_ID
    enterprise_id: str | None = None  # an Enterprise Grid organisation's member: users.info's enterprise_user

    def as_slack(self) -> dict:
        grid = (
            {"enterprise_user": {"id": self.id, "enterprise_id": self.enterprise_id, "teams": [self.team_id]}} if self.enterprise_id else {}
        )
        return {
            **grid,
            "id": self.id,
            "team_id": self.team_id,
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
#: User groups: id -> (handle, members). The bot and a deploy bot are in one, as happens.
DEMO_GROUPS = {
    "S0ENG": ("eng-team", ("U0ALICE", "U0BOB", "U0CAROL", "U0DEPLOY")),
    "S0ALL": ("everyone", ("U0ALICE", "U0BOB", "U0CAROL", "U0DAVE")),
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
VIEW_BYTES = 250_000
MESSAGE_TEXT = 40_000
ALT_TEXT = 1000


@dataclass(frozen=True)
class Rule:
    """One thing Slack refuses (or limits) that the stand-in refuses too, and where Slack says so.

    Web API errors are named as in each method's reference page (docs.slack.dev/reference/methods/…),
    read from its errors table; slack-ruby/slack-api-ref keeps those tables as JSON (methods/*.json,
    checked at commit f4837c0). tests/test_slack_stand_in.py holds a refusal test for every rule here.
    """

    key: str
    refuses: str  # what is refused, and the answer
    source: str  # where Slack publishes it


RULES = (
    # Block Kit
    Rule(
        "block_models",
        "a block its element and field limits refuse: invalid_blocks",
        "Block Kit reference, each block and element's fields (slack_sdk.models encode them)",
    ),
    Rule(
        "message_blocks", f"over {MESSAGE_BLOCKS} blocks in a message: invalid_blocks", "Block Kit reference, Blocks: up to 50 in a message"
    ),
    Rule(
        "view_blocks",
        f"over {VIEW_BLOCKS} blocks in a modal or Home tab: invalid_arguments",
        "Block Kit reference, Blocks: up to 100 in a modal or Home tab",
    ),
    Rule("select_options", f"over {SELECT_OPTIONS} options in a select", "Block Kit reference, Select menu element: options, maximum 100"),
    Rule(
        "option_value",
        f"an option value over {OPTION_VALUE} characters",
        "Block Kit reference, Option object: value, maximum 150 characters",
    ),
    Rule(
        "unique_block_id",
        "one block_id on two blocks of a message or view",
        "Block Kit reference, Blocks: block_id unique for each message and each iteration",
    ),
    Rule(
        "unique_action_id",
        "one action_id on two elements of a block",
        "Block Kit reference, Block elements: action_id unique among the containing block's",
    ),
    Rule(
        "text_fallback",
        "blocks without a top-level text: invalid_blocks",
        "chat.postMessage reference, text: the fallback for notifications and screen readers (Slack warns; stricter here)",
    ),
    # chat.*
    Rule("no_text", "a message with neither text nor blocks: no_text", "chat.postMessage reference, errors: no_text"),
    Rule("channel_not_found", "a channel that does not exist: channel_not_found", "chat.postMessage reference, errors: channel_not_found"),
    Rule("not_in_channel", "posting where the bot is not a member: not_in_channel", "chat.postMessage reference, errors: not_in_channel"),
    Rule(
        "ephemeral_member",
        "an ephemeral message to someone not in the channel: user_not_in_channel",
        "chat.postEphemeral reference, errors: user_not_in_channel",
    ),
    Rule(
        "text_length",
        f"message text over {MESSAGE_TEXT:,} characters: msg_too_long",
        "chat.postMessage reference, Truncating content (40,000); chat.postEphemeral and chat.update errors: msg_too_long",
    ),
    Rule(
        "update_own",
        "chat.update of a message that is not there or not the app's: message_not_found, cant_update_message",
        "chat.update reference, errors",
    ),
    Rule(
        "response_url",
        f"over {RESPONSE_URL_POSTS} posts to one response_url, or after 30 minutes",
        "Handling user interaction: response_url, up to 5 times within 30 minutes",
    ),
    # conversations.*
    Rule(
        "history_limit",
        f"conversations.history: {HISTORY_LIMIT} messages a call, {HISTORY_CALLS_PER_MINUTE} call a minute: ratelimited",
        "conversations.history reference, rate limits for non-Marketplace apps (May 2025)",
    ),
    Rule(
        "history_member",
        "conversations.history of a channel the bot is not in: not_in_channel",
        "conversations.history reference, errors: not_in_channel",
    ),
    Rule(
        "private_invisible",
        "conversations.info or members of a private channel the bot is not in: channel_not_found",
        "conversations.info reference, errors: channel_not_found",
    ),
    # views.*
    Rule(
        "trigger_expiry",
        f"a trigger_id older than {TRIGGER_SECONDS:.0f} s: expired_trigger_id",
        "views.open reference and Modals: a trigger_id expires 3 seconds after it is issued",
    ),
    Rule("trigger_once", "a trigger_id used a second time: exchanged_trigger_id", "views.open reference, errors: exchanged_trigger_id"),
    Rule(
        "view_type",
        "views.open of a view that is not a modal, views.publish of one that is not home: invalid_arguments",
        "views.open and views.publish reference, view: a modal / a home view",
    ),
    Rule(
        "view_size",
        f"a view over {VIEW_BYTES // 1000} kB: view_too_large",
        "views.open and views.publish reference, errors: view_too_large",
    ),
    Rule("publish_user", "views.publish without a user_id: invalid_arguments", "views.publish reference, arguments: user_id required"),
    Rule("view_hash", "views.update with a stale hash: hash_conflict; of a view not open: not_found", "views.update reference, errors"),
    # reactions.*, files.*, usergroups.*, scopes, tokens
    Rule(
        "reaction_name",
        "a reaction name with colons or spaces: invalid_name",
        "reactions.add reference, name (the emoji's name) and errors: invalid_name",
    ),
    Rule("reaction_twice", "the same reaction twice on a message: already_reacted", "reactions.add reference, errors: already_reacted"),
    Rule(
        "upload_arguments",
        "files.getUploadURLExternal without a filename or a length: missing_argument",
        "files.getUploadURLExternal reference, errors: missing_argument",
    ),
    Rule(
        "alt_text",
        f"an image's alt text over {ALT_TEXT} characters: alt_txt_too_large",
        "files.getUploadURLExternal reference, errors: alt_txt_too_large",
    ),
    Rule(
        "upload_once",
        "files.completeUploadExternal of a file never uploaded, or twice: file_not_found",
        "files.completeUploadExternal reference, errors: file_not_found",
    ),
    Rule(
        "no_such_group",
        "usergroups.users.list of a group that does not exist: no_such_subteam",
        "usergroups.users.list reference, errors: no_such_subteam",
    ),
    Rule(
        "missing_scope",
        "a method whose scope was not granted: missing_scope with needed and provided",
        "Web API, Scopes and permissions: missing_scope",
    ),
    Rule("tokens", "no token: not_authed; an unknown one: invalid_auth", "Web API reference, common errors: not_authed, invalid_auth"),
    Rule("rate_limits", "too many posts: HTTP 429 with Retry-After in whole seconds", "Rate limits: HTTP 429 and the Retry-After header"),
    Rule(
        "step_completion",
        "functions.completeSuccess without an outputs object, completeError without error",
        "functions.completeSuccess and functions.completeError reference, arguments",
    ),
    # What the sender does as Slack does
    Rule(
        "ack_deadline",
        "an app that answers after 3 s: Slack gives up (the sender fails the call)",
        "Events API and interactivity: respond within 3 seconds",
    ),
)


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
    problems += _identity_problems(blocks)
    return problems


def _identity_problems(blocks: list) -> list[str]:
    """Slack's uniqueness rules (Block Kit reference, "Blocks": a block_id "should be unique for each
    message and each iteration of a message"; "Block elements": an action_id "should be unique among
    all other action_ids in the containing block"). `views.publish`, `views.open` and `chat.*` answer
    invalid_blocks for a duplicate; slack_sdk's models check one block at a time and cannot see it."""
    problems = []
    block_ids: list[str] = [str(block["block_id"]) for block in blocks if isinstance(block, dict) and block.get("block_id")]
    problems += [f"block_id {b!r} is used by more than one block" for b in sorted({b for b in block_ids if block_ids.count(b) > 1})]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        elements = [*(block.get("elements") or []), block.get("accessory"), block.get("element")]
        action_ids: list[str] = [str(e["action_id"]) for e in elements if isinstance(e, dict) and e.get("action_id")]
        problems += [
            f"action_id {a!r} is used twice in one {block.get('type')} block"
            for a in sorted({a for a in action_ids if action_ids.count(a) > 1})
        ]
    return problems


def view_problems(view, kind: str | None = None) -> list[str]:
    """What Slack would refuse in a view; `kind` is the type the method takes (modal, home)."""
    if not isinstance(view, dict):
        return ["view must be an object"]
    if kind and view.get("type") != kind:
        return [f"view type {view.get('type')!r}; this method takes a {kind}"]
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
class Fault:
    """An answer Slack gives under load or outage instead of the real one; status 0 drops the connection."""

    status: int
    headers: dict
    body: dict
    times: int


@dataclass
class Call:
    """One request the bot made: a Web API method, or a post to a response_url."""

    method: str  # "chat.postMessage", ... or "response_url"
    params: dict
    token: str | None = None
    status: int | None = None  # the HTTP status answered, once the stand-in has answered
    token_in_header: bool = False  # Slack prefers "Authorization: Bearer"; a token in the body still works
    response: dict | None = None  # the body answered
    # When it arrived, on CLOCK_MONOTONIC: the same clock in every process on the machine (the benchmarks
    # compare it with when the load generator sent what caused it).
    arrived: float = field(default_factory=time.monotonic)


class ConsoleSlack:
    """Slack's Web API on 127.0.0.1, enough of it for LP Bot, recording every call."""

    def __init__(
        self,
        users=DEMO_USERS,
        channels=DEMO_CHANNELS,
        valid_tokens: set[str] | None = None,
        granted_scopes: tuple[str, ...] = (
            "commands",
            "chat:write",
            "users:read",
            "channels:read",
            "groups:read",
            "channels:history",
            "groups:history",
            "reactions:read",
            "reactions:write",
            "usergroups:read",
            "files:write",
            "im:write",
        ),
        groups=DEMO_GROUPS,
    ):
        self.users = {u.id: u for u in users}
        self.channels = dict(channels)
        self.groups = {group_id: (handle, tuple(members)) for group_id, (handle, members) in groups.items()}
        # channel -> its members; everyone is in every demo channel unless a test says otherwise
        self.members: dict[str, set[str]] = {channel: set(self.users) for channel in self.channels}
        self.reactions: list[tuple[str, str, str]] = []  # (channel, ts, name) the bot added
        self.files: dict[str, dict] = {}  # file id -> what files.getUploadURLExternal was told, the bytes, where it was shared
        self.valid_tokens = valid_tokens
        self.granted_scopes = granted_scopes
        self.not_member: set[str] = set()  # channels the bot has not been invited to
        self.private: set[str] = set(DEMO_PRIVATE & set(self.channels))  # private channels, whatever their ID
        self.dms: set[str] = set()  # conversation IDs of DMs and group DMs the app is part of
        self._triggers: dict[str, float] = {}  # trigger_id -> when Slack issued it
        self._used_triggers: set[str] = set()  # exchanged for a view already
        self._views: dict[str, dict] = {}  # view id -> the open view (its hash changes on update)
        self._response_posts: dict[str, list[float]] = {}  # response_url -> when each post came
        self.clock: Callable[[], float] = time.monotonic  # for trigger ages and rate limits
        # Slack checks every message's blocks; a benchmark may skip that, as it is Slack's CPU, not the bot's.
        self.checks_blocks = True
        self.wall_clock: Callable[[], float] = time.time  # for message timestamps; tests may set the bot's clock
        self.delivered: dict[str, int] = {}  # channel -> posts that went through
        self.history: dict[str, list[dict]] = {}  # channel -> messages posted, oldest first
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._response_ids = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = self.url + "/api/"

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> ConsoleSlack:
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

    def shown_in_ack(self, response_url: str, sent) -> None:
        """A slash command's answer given in the acknowledgement itself (a JSON body with text or blocks),
        which Slack shows the person at once, ephemeral unless it says in_channel: recorded as a post to
        the command's response_url, so what people see reads the same whichever way it came. Slack's
        rules for the body are a message's (Slash commands, "Responding immediately"); a body Slack
        would refuse is recorded as refused, never as shown."""
        if isinstance(sent, dict):
            payload = sent  # Socket Mode: the ack frame's payload
        elif sent.status != 200 or not sent.body.strip():
            return
        else:
            try:
                payload = json.loads(sent.body)
            except json.JSONDecodeError:
                self._record(Call("ack_refused", {"_url": response_url, "problem": "not JSON"}))
                return
        if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
            return
        problems = block_problems(payload["blocks"], MESSAGE_BLOCKS) if payload.get("blocks") and self.checks_blocks else []
        if problems:
            self._record(Call("ack_refused", {"_url": response_url, "problems": problems}))
            return
        self._record(Call("response_url", {"response_type": "ephemeral", **payload, "_url": response_url, "_in_ack": True}))

    # -- the Web API -------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _respond(self, method: str, params: dict, token: str | None) -> tuple[int, dict, dict]:
        fault = self._take_fault(method)
        if fault:
            return fault.status, fault.headers, fault.body
        wait = self._rate_limited(method, params, token)
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
        # Slack tells a token's scopes in this header on every call.
        return 200, {"X-OAuth-Scopes": ",".join(self.granted_scopes)}, self.answer(method, params, token)

    # -- what the tests' stand-in adds (tests/slack_stand_in.py): faults, slowness, limits, sockets --
    def _take_fault(self, method: str) -> Fault | None:
        return None

    def _take_delay(self, method: str) -> float:
        return 0.0

    def _wait_if_held(self, method: str) -> None:
        return None

    def _rate_limited(self, method: str, params: dict, token: str | None) -> int | None:
        return None

    def _unauthenticated(self, method: str, params: dict) -> dict | None:
        """Methods authenticated otherwise than by a token (oauth.v2.access); None: not one of them."""
        return None

    def handle_get(self, handler) -> bool:
        """GET requests other than a Web API call; False: treat it as one."""
        return False

    def _next_ts(self) -> str:
        return f"{int(self.wall_clock())}.{next(self._ts):06d}"

    def answer(self, method: str, params: dict, token: str | None) -> dict:
        special = self._unauthenticated(method, params)
        if special is not None:
            return special
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
        if not self.checks_blocks:
            return None
        if len(str(params.get("text") or "")) > MESSAGE_TEXT:
            return {"ok": False, "error": "msg_too_long"}
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

    def _api_chat_update(self, params):
        # chat.update (Web API reference): the message must exist in the channel (message_not_found)
        # and be the app's own (cant_update_message); its new text and blocks follow a message's rules.
        error = self._channel_error(params.get("channel")) or self._message_error(params)
        if error:
            return error
        with self._changed:
            message = next((m for m in self.history.get(params["channel"], []) if m["ts"] == params.get("ts")), None)
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            if message.get("bot_id") != BOT_ID:
                return {"ok": False, "error": "cant_update_message"}
            message["text"] = params.get("text", "")
            message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {"ok": True, "channel": params["channel"], "ts": params["ts"], "text": message["text"]}

    def _api_chat_postEphemeral(self, params):
        error = self._channel_error(params.get("channel")) or self._message_error(params)
        if not error and (params["channel"] in self.not_member or params["channel"] in self.users):
            error = {"ok": False, "error": "not_in_channel" if params["channel"] in self.not_member else "channel_not_found"}
        if not error and (
            params.get("user") not in self.users or params.get("user") not in self.members.get(params["channel"], set(self.users))
        ):
            error = {"ok": False, "error": "user_not_in_channel"}
        return error or {"ok": True, "message_ts": self._next_ts()}

    def _api_conversations_history(self, params):
        error = self._channel_error(params.get("channel"))
        if not error and params["channel"] in self.not_member:
            error = {"ok": False, "error": "not_in_channel"}
        if error:
            return error
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")
        # Distributed apps outside the Marketplace: 15 messages a call at most.
        limit = min(int(params.get("limit") or 100), HISTORY_LIMIT)
        with self._changed:
            messages = [m for m in self.history.get(params["channel"], []) if oldest < float(m["ts"]) < latest]
        newest = list(reversed(messages))
        return {"ok": True, "messages": newest[:limit], "has_more": len(newest) > limit}

    def post_as(self, user_id: str, channel: str, text: str, thread_ts: str | None = None) -> dict:
        """A person writes in a channel: the message as Slack stores it (and sends in its event)."""
        message = {"type": "message", "user": user_id, "text": text, "ts": self._next_ts()}
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._changed:
            self.history.setdefault(channel, []).append(message)
        return message

    def _scope_error(self, scope: str) -> dict | None:
        if scope in self.granted_scopes:
            return None
        return {"ok": False, "error": "missing_scope", "needed": scope, "provided": ",".join(self.granted_scopes)}

    def _api_usergroups_users_list(self, params):
        error = self._scope_error("usergroups:read")
        if error:
            return error
        group = self.groups.get(params.get("usergroup", ""))
        return {"ok": True, "users": list(group[1])} if group else {"ok": False, "error": "no_such_subteam"}

    def _api_usergroups_list(self, params):
        error = self._scope_error("usergroups:read")
        if error:
            return error
        with_users = str(params.get("include_users", "")).lower() in ("1", "true")
        return {
            "ok": True,
            "usergroups": [
                {
                    "id": gid,
                    "team_id": TEAM_ID,
                    "handle": handle,
                    "name": handle,
                    "date_delete": 0,
                    **({"users": list(m)} if with_users else {}),
                }
                for gid, (handle, m) in self.groups.items()
            ],
        }

    def _api_conversations_members(self, params):
        channel = params.get("channel", "")
        if channel not in self.channels or (channel in self.private and channel in self.not_member):
            return {"ok": False, "error": "channel_not_found"}
        members = sorted(self.members.get(channel, ()))
        start = int(params.get("cursor") or 0)
        size = min(int(params.get("limit") or 100), 1000)
        page, more = members[start : start + size], start + size < len(members)
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": str(start + size) if more else ""}}

    def _api_reactions_add(self, params):
        error = self._scope_error("reactions:write") or self._channel_error(params.get("channel"))
        if error:
            return error
        channel, ts, name = params["channel"], params.get("timestamp", ""), params.get("name", "")
        if not name or ":" in name or any(c.isspace() for c in name):
            return {"ok": False, "error": "invalid_name"}  # the emoji's name, without colons
        with self._changed:
            known = any(m["ts"] == ts for m in self.history.get(channel, []))
            if not known:
                return {"ok": False, "error": "message_not_found"}
            if (channel, ts, name) in self.reactions:
                return {"ok": False, "error": "already_reacted"}
            self.reactions.append((channel, ts, name))
        return {"ok": True}

    def _api_conversations_open(self, params):
        error = self._scope_error("im:write")
        if error:
            return error
        user = self.users.get(str(params.get("users", "")))
        if user is None or user.is_bot:
            return {"ok": False, "error": "user_not_found" if user is None else "cannot_dm_bot"}
        channel = f"D{user.id}"
        with self._changed:
            self.dms.add(channel)
        return {"ok": True, "channel": {"id": channel, "is_im": True, "user": user.id}}

    def _api_files_getUploadURLExternal(self, params):
        error = self._scope_error("files:write")
        if error:
            return error
        try:
            length = int(params.get("length") or 0)
        except ValueError:
            length = 0
        if not params.get("filename") or length <= 0:
            return {"ok": False, "error": "missing_argument"}
        if len(str(params.get("alt_txt") or "")) > ALT_TEXT:
            return {"ok": False, "error": "alt_txt_too_large"}
        file_id = f"F{next(self._ts):08d}"
        with self._changed:
            self.files[file_id] = {"filename": params["filename"], "length": length, "alt_txt": params.get("alt_txt")}
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, params):
        error = self._scope_error("files:write")
        if error:
            return error
        try:
            wanted = json.loads(params["files"]) if isinstance(params.get("files"), str) else params.get("files")
        except (KeyError, json.JSONDecodeError):
            wanted = None
        if not isinstance(wanted, list) or not wanted:
            return {"ok": False, "error": "invalid_arguments"}
        channel = params.get("channel_id")
        if channel:
            channel_error = self._channel_error(channel)
            if channel_error or channel in self.not_member or channel in self.users:
                return channel_error or {"ok": False, "error": "not_in_channel" if channel in self.not_member else "channel_not_found"}
        done = []
        with self._changed:
            for item in wanted:
                found = self.files.get(item.get("id", ""))
                if found is None or "data" not in found or found.get("channel"):
                    return {"ok": False, "error": "file_not_found"}  # never uploaded, or completed already
            for item in wanted:
                found = self.files[item["id"]]
                found.update(channel=channel or "", title=item.get("title") or found["filename"], comment=params.get("initial_comment"))
                done.append({"id": item["id"], "name": found["filename"], "title": found["title"], "size": found["length"]})
        return {"ok": True, "files": done}

    def _api_files_info(self, params):
        found = self.files.get(params.get("file", ""))
        if not found:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": {"id": params["file"], "name": found["filename"], "size": found["length"]}}

    def _api_functions_completeSuccess(self, params):
        # Web API reference, functions.completeSuccess: the step's execution id and its outputs (an object).
        if not str(params.get("function_execution_id", "")).startswith("Fx"):
            return {"ok": False, "error": "function_execution_not_found"}
        raw = params.get("outputs")
        try:
            outputs = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            outputs = None
        if not isinstance(outputs, dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}

    def _api_functions_completeError(self, params):
        # Web API reference, functions.completeError: the execution id and `error`, the message Workflow Builder shows.
        if not str(params.get("function_execution_id", "")).startswith("Fx") or not params.get("error"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}

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

    def _api_users_info(self, params):
        user = self.users.get(params.get("user", ""))
        return {"ok": True, "user": user.as_slack()} if user else {"ok": False, "error": "user_not_found"}

    def _api_views_publish(self, params):
        view = _as_dict(params.get("view"))
        if not params.get("user_id"):
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": ["[ERROR] missing required field: user_id"]},
            }
        problems = view_problems(view, "home")
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        if len(json.dumps(view)) > VIEW_BYTES:
            return {"ok": False, "error": "view_too_large"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **view}}

    def _api_views_open(self, params):
        trigger_id = params.get("trigger_id", "")
        with self._changed:
            issued = self._triggers.pop(trigger_id, None)
        if issued is None:
            return {"ok": False, "error": "exchanged_trigger_id" if trigger_id in self._used_triggers else "invalid_trigger_id"}
        self._used_triggers.add(trigger_id)
        if self.clock() - issued > TRIGGER_SECONDS:
            return {"ok": False, "error": "expired_trigger_id"}
        return self._open_view(params)

    def _open_view(self, params, view_id: str | None = None):
        view = _as_dict(params.get("view"))
        problems = view_problems(view, "modal")
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        if len(json.dumps(view)) > VIEW_BYTES:
            return {"ok": False, "error": "view_too_large"}
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
                if self.path.startswith("/upload/"):
                    return self._upload(self.rfile.read(length))
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
                if not stand_in.handle_get(self):
                    self.do_POST()

            def _upload(self, data: bytes):
                """The upload URL files.getUploadURLExternal handed out: the file's bytes, once, of the length promised."""
                file_id = self.path[len("/upload/") :]
                with stand_in._changed:
                    pending = stand_in.files.get(file_id)
                    if pending is None or "data" in pending:
                        return self._send(404, {}, b"unknown upload", "text/plain")
                    if len(data) != pending["length"]:
                        return self._send(400, {}, b"length does not match", "text/plain")
                    pending["data"] = data
                stand_in._record(Call("file_upload", {"file_id": file_id, "bytes": len(data)}, status=200))
                return self._send(200, {}, f"OK - {len(data)}".encode(), "text/plain")

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
                problems = block_problems(params["blocks"], MESSAGE_BLOCKS) if params.get("blocks") and stand_in.checks_blocks else []
                if problems:
                    return self._send(400, {}, b"invalid_blocks", "text/plain")
                stand_in._record(Call("response_url", {**params, "_url": url}))
                return self._send(200, {}, b"ok", "text/plain")

            def _send(self, status, headers, body: bytes, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


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
    users select, an option value for a static select, (value, text) pairs for a multi
    external select, a channel ID, or text.
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
        elif element["type"] == "multi_external_select":
            state["selected_options"] = [{"text": {"type": "plain_text", "text": text}, "value": value} for value, text in answer or ()]
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


# Slack gives up on an app's answer after 3 seconds (Events API and interactivity docs: acknowledge within 3 s).
ACK_SECONDS = 3.0


class NoSuchControl(LookupError):
    """A press of a button or option the message does not have (the console says so; a test fails)."""


class _Server(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: a burst of connections past it was reset ("Connection reset
    # by peer" in the benchmarks' logs, and slack_sdk retrying), which Slack's API never does.
    request_queue_size = 128


class SlackSender:
    """Sends the app what Slack would send, signed with the app's signing secret."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        slack: ConsoleSlack,
        team_id: str = TEAM_ID,
        deadline: float = ACK_SECONDS,
        enterprise_id: str | None = None,
    ):
        """`deadline`: how long it waits for the app's answer, as Slack does; tests that shorten the
        app's ack budget shorten this with it. `enterprise_id`: requests come from a workspace of that
        Enterprise Grid organisation, through the app's org-wide install."""
        self.events_url = events_url
        self.enterprise_id = enterprise_id
        self.deadline = deadline
        self.slack = slack
        self.team_id = team_id
        self._verifier = SignatureVerifier(signing_secret)
        self.last: tuple[str, dict] = ("", {})

    def post(
        self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None, headers: dict | None = None
    ) -> Sent:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or self._verifier.generate_signature(timestamp=ts, body=body),
            **(headers or {}),
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
            with urllib.request.urlopen(request, timeout=self.deadline) as response:
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
            # Slash commands reference: an org-wide install's commands name the organisation and say so.
            **({"enterprise_id": self.enterprise_id, "enterprise_name": "Org " + self.enterprise_id} if self.enterprise_id else {}),
            "is_enterprise_install": "true" if self.enterprise_id else "false",
            "response_url": response_url,
            "trigger_id": self.slack.new_trigger_id(),
        }
        sent = self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)
        sent.response_url = response_url
        self.slack.shown_in_ack(response_url, sent)
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
        payload: dict[str, Any] = {
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

    def press(
        self, message_blocks: list[dict], value: str, *, typed: dict | None = None, user: str = "U0ALICE", channel: str = "C0GENERAL"
    ) -> Sent:
        """Press the button with `value` (or choose the menu option with that value) on a message the bot
        showed, with `typed` as the text in its input blocks ({block_id: text}), as Slack sends it."""
        for block in message_blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                options = element.get("options") or []
                if element.get("value") == value or any(o["value"] == value for o in options) or element["type"] == "external_select":
                    action = {"action_id": element["action_id"], "block_id": block["block_id"], "type": element["type"]}
                    if element["type"] == "button":
                        if element.get("value") != value:
                            continue
                        action["value"] = value
                    else:
                        action["selected_option"] = {"value": value, "text": {"type": "plain_text", "text": value}}
                    break
            else:
                continue
            break
        else:
            raise NoSuchControl(f"no button or option {value!r} on that message")
        values = {
            b["block_id"]: {b["element"]["action_id"]: {"type": b["element"]["type"], "value": (typed or {}).get(b["block_id"])}}
            for b in message_blocks
            if b.get("type") == "input"
        }
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team_id},
            "trigger_id": self.slack.new_trigger_id(),
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
            "state": {"values": values},
            "actions": [action],
        }
        return self.interaction(payload)

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

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None, **kw) -> Sent:
        """An event as Slack delivers it; `retry` sends it again as Slack's retries do (same event_id, X-Slack-Retry-Num)."""
        if retry is not None:
            kw["headers"] = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        body = {
            "token": "legacy-verification-token-unused",
            "team_id": self.team_id,
            "api_app_id": "A0LPBOT",
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": self.team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        if self.enterprise_id:
            # Events API reference: the envelope names the organisation, and an org-wide install's
            # authorization has no team of its own.
            body["enterprise_id"] = self.enterprise_id
            body["authorizations"] = [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": None,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": True,
                }
            ]
        return self.post(json.dumps(body), "application/json", **kw)

    def step(self, callback_id: str, inputs: dict, *, execution_id: str = "Fx0STEP1", event_id: str | None = None, **kw) -> Sent:
        """A Workflow Builder step of this app running: the `function_executed` event, shaped as Slack's
        Events API sends it (a function execution's own `bot_access_token`, no acting user)."""
        event = {
            "type": "function_executed",
            "function": {"id": "Fn0LPBOT", "callback_id": callback_id, "title": callback_id, "type": "app", "app_id": "A0LPBOT"},
            "inputs": inputs,
            "function_execution_id": execution_id,
            "workflow_execution_id": "Wx0WORKFLOW",
            "event_ts": self.slack._next_ts(),
            "bot_access_token": "xwfp-" + execution_id,
        }
        return self.event(event, event_id=event_id, **kw)

    # -- what people do in channels, as events ----------------------------------------------------
    def say(self, text: str, *, user: str = "U0ALICE", channel: str = "C0GENERAL", thread_ts: str | None = None) -> tuple[dict, Sent]:
        """A person writes a message: Slack stores it and sends the app a message event."""
        message = self.slack.post_as(user, channel, text, thread_ts)
        event = {**message, "channel": channel, "channel_type": self._channel_type(channel), "event_ts": message["ts"]}
        return message, self.event(event)

    def edit(self, message: dict, text: str, *, channel: str = "C0GENERAL") -> Sent:
        edited = {**message, "text": text, "edited": {"user": message.get("user"), "ts": self.slack._next_ts()}}
        event = {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "channel_type": self._channel_type(channel),
            "hidden": True,
            "message": edited,
            "previous_message": message,
            "ts": self.slack._next_ts(),
        }
        return self.event(event)

    def delete(self, message: dict, *, channel: str = "C0GENERAL") -> Sent:
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "channel": channel,
            "channel_type": self._channel_type(channel),
            "hidden": True,
            "deleted_ts": message["ts"],
            "previous_message": message,
            "ts": self.slack._next_ts(),
        }
        return self.event(event)

    def react(self, name: str, message: dict, *, user: str = "U0BOB", channel: str = "C0GENERAL", removed: bool = False, **kw) -> Sent:
        """Someone adds (or removes) a reaction to a message; item_user is its author, absent for an app's message."""
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user,
            "reaction": name,
            "item": {"type": "message", "channel": channel, "ts": message["ts"]},
            "event_ts": self.slack._next_ts(),
        }
        if message.get("user"):
            event["item_user"] = message["user"]
        return self.event(event, **kw)

    def _channel_type(self, channel: str) -> str:
        return "group" if channel in self.slack.private else "channel"
