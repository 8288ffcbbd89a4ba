"""`lpbot doctor`: check a configuration against the real Web API, one line per finding."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ops.replication import read_state
from bot.ops.startup import slack_problem
from bot.settings import Settings
from bot.slack.terms import SLACK_FAILURES
from storage import Store
from storage import weekly as weekly_store
from storage.database import readable_by_others

#: The scopes without which LP Bot does not work at all.
CORE_SCOPES = ("commands", "chat:write", "users:read", "channels:read", "groups:read")
REACTION_REPLY = "answering inline kudos with a reaction (LPBOT_INLINE_REPLY=reaction)"
#: Features a workspace may leave out, and the scopes each needs (manifest.yml says which lines to drop).
FEATURE_SCOPES = {
    "inline kudos in messages, and a sure single weekly post after a timeout": ("channels:history", "groups:history"),
    "kudos by reacting to a message": ("reactions:read",),
    REACTION_REPLY: ("reactions:write",),
    "kudos for a @group and boards for a group": ("usergroups:read",),
    "charts as pictures in /lp insights and the monthly digest": ("files:write", "im:write"),
}
#: Every bot scope the code uses; tests keep this, manifest.yml and the code's Web API calls in step.
BOT_SCOPES = CORE_SCOPES + tuple(scope for scopes in FEATURE_SCOPES.values() for scope in scopes)


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str
    checked: bool = True  # False: doctor could not look (no token), which is neither a pass nor a failure

    def __str__(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark if self.checked else 'skip'} {self.text}"


def local(store: Store | None, db_path: Path) -> list[Finding]:
    """What doctor can check on this machine alone: the database. `store` is None when LPBOT_DB names no file yet."""
    if store is None:
        return [
            Finding(
                True, f"database {db_path} does not exist yet: the bot creates it at its first start (check LPBOT_DB if it has run before)"
            )
        ]
    return [_database(store)]


def not_checked(mode: str) -> Finding:
    why = "in OAuth mode each workspace's own token is used as it comes" if mode == "oauth" else "SLACK_BOT_TOKEN is not set"
    return Finding(
        True,
        f"not checked: the bot token, its scopes and the scheduled channels ({why}); set SLACK_BOT_TOKEN to check a workspace",
        checked=False,
    )


def check(client: WebClient, store: Store | None, db_path: Path, inline_reply: str = "thread") -> list[Finding]:
    """`store` is None when LPBOT_DB names no file yet."""
    findings = local(store, db_path)
    try:
        identity = client.auth_test()
    except SLACK_FAILURES as error:
        problem = slack_problem(error, client.base_url)
        if problem is None and isinstance(error, SlackApiError):  # only Slack itself refuses a token
            code = error.response.get("error")
            problem = f"SLACK_BOT_TOKEN was refused ({code}): copy the Bot User OAuth Token again from OAuth & Permissions"
        findings.append(Finding(False, problem or "Slack did not answer"))
        return findings
    findings.append(Finding(True, f"SLACK_BOT_TOKEN works: @{identity.get('user')} in {identity.get('team')} ({identity.get('team_id')})"))
    granted = {scope.strip() for scope in _header(identity, "X-OAuth-Scopes").split(",") if scope.strip()}
    missing = [scope for scope in CORE_SCOPES if scope not in granted]
    if missing:
        findings.append(
            Finding(
                False,
                f"missing scopes: {', '.join(missing)}: add them under OAuth & Permissions "
                "(or recreate the app from manifest.yml), then reinstall it",
            )
        )
    else:
        findings.append(Finding(True, f"granted scopes cover the core of LP Bot ({', '.join(CORE_SCOPES)})"))
    findings.extend(_feature(feature, scopes, granted, inline_reply) for feature, scopes in FEATURE_SCOPES.items())
    for schedule in weekly_store.list_schedules(store.db, identity.get("team_id")) if store else []:
        findings.append(_membership(client, schedule.channel_id))
    return findings


def _feature(feature: str, scopes: tuple[str, ...], granted: set[str], inline_reply: str = "thread") -> Finding:
    lacking = [scope for scope in scopes if scope not in granted]
    if lacking:
        # A feature left out on purpose is not a failure: the line says what it would take.
        return Finding(True, f"off: {feature} (needs {', '.join(lacking)}; see manifest.yml)")
    if feature == REACTION_REPLY and inline_reply != "reaction":
        return Finding(True, f"available, not in use: {feature}")  # the scope is granted; the setting chose threads
    return Finding(True, f"on: {feature}")


def _header(response, name: str) -> str:
    for key, value in (response.headers or {}).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return ""


def _membership(client: WebClient, channel_id: str) -> Finding:
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        return Finding(
            False, f"scheduled channel {channel_id}: {error.response.get('error')}: invite LP Bot there, or `/lp schedule off` it"
        )
    name = f"#{channel.get('name', channel_id)}"
    if channel.get("is_member"):
        return Finding(True, f"member of {name}, which has a weekly post")
    return Finding(False, f"not a member of {name}, which has a weekly post: type `/invite @LP Bot` there")


def file_modes(db_path: Path, oauth_path: Path) -> Finding:
    """Whether the files that hold words and tokens are readable by their owner alone."""
    exposed = readable_by_others(db_path) + readable_by_others(oauth_path)
    if exposed:
        names = ", ".join(str(p) for p in exposed)
        return Finding(False, f"readable by other users of this machine: {names}: run `chmod 600` on them (and `chmod 700` their folder)")
    return Finding(True, "the database files are readable by their owner only")


def _database(store: Store) -> Finding:
    try:
        pending = store.pending_migrations()
        with store.write():
            pass  # taking the write lock proves the file and its folder are writable
    except sqlite3.Error as error:
        return Finding(False, f"database {store.path} is not usable ({error}): check the path, the disk and its permissions")
    if pending:
        return Finding(False, f"database {store.path} has {len(pending)} migrations pending: start the bot once to apply them")
    return Finding(True, f"database {store.path} is writable and up to date")


def replication(settings: Settings) -> Finding:
    """Whether the database is replicated, and how far behind the replica is."""
    if not settings.replica_url:
        return Finding(True, "replication: off (set LPBOT_REPLICA_URL to copy the database off this machine continuously)")
    state = read_state(settings)
    if state.problem:
        return Finding(False, f"replication to {settings.replica_url.split('?', 1)[0]}: {state.problem}")
    if state.last_sync is None:
        return Finding(False, "replication: the replica has nothing yet: is `lpbot run` running (it starts Litestream)?")
    ago = round((datetime.now(timezone.utc) - state.last_sync).total_seconds())
    behind = f", {state.behind} transactions behind" if state.behind else ", up to date"
    return Finding(True, f"replication: last sync {state.last_sync:%Y-%m-%d %H:%M:%S} UTC ({ago} s ago){behind}")
