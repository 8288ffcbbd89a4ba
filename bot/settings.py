"""Settings, read once from the environment at start-up and checked there."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from bot.slack.terms import is_user_id
from principles.catalog import DEFAULT_SET

DEFAULT_DB = "./data/lpbot.db"
DEFAULT_PORT = 3000
DEFAULT_DAILY_KUDOS = 5

ROTATIONS = ("balanced", "sequential", "shuffle")
#: Reacting with this emoji to someone's message starts a kudos for it (a standard one, so it works at once).
DEFAULT_KUDOS_EMOJI = "clap"
INLINE_REPLIES = ("thread", "reaction")
_EMOJI_NAME = re.compile(r"[a-z0-9_+'-]{1,100}")


class ConfigError(ValueError):
    """A setting that cannot work; the message names the variable and what to do."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    api_url: str | None = None
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    db_path: Path = Path(DEFAULT_DB)
    principles: str = DEFAULT_SET
    daily_kudos: int = DEFAULT_DAILY_KUDOS
    kudos_channel: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    log_bodies: bool = False
    admins: frozenset[str] = frozenset()
    rotation: str = "balanced"
    grace_hours: int = 24
    startup_wait: int = 60
    # How long a stopping bot lets listeners finish (SIGTERM to exit): inside a container's grace period.
    stop_seconds: int = 8
    # How often Socket Mode checks its connection; a dropped one is opened again within about this long.
    socket_ping_seconds: int = 10
    # Whatever a modal submission must ask Slack before its ack gets this long (Slack's deadline is 3 s).
    # Not an environment variable: Slack's deadline is fixed; tests shorten it.
    ack_budget: float = 2.0
    leaderboards: bool = True
    # Slack Connect: another organisation's people on leaderboards and in insights' reach (off: left off).
    external_on_boards: bool = False
    kudos_emoji: str = DEFAULT_KUDOS_EMOJI
    principle_reactions: bool = False
    inline_kudos: bool = True
    inline_reply: str = "thread"
    # Events' work after their ack (kudos in messages and reactions) in a second process, so it never
    # shares an interpreter with acknowledgements. Off here (the console, tests); on by default for `lpbot run`.
    event_process: bool = False
    replica_url: str | None = None
    replica_sync: int = 1
    holidays: str | None = None  # LPBOT_HOLIDAYS: a country code; the digest skips its public holidays
    token_key: str | None = None  # LPBOT_TOKEN_KEY: encrypts installation tokens at rest (OAuth mode)

    @property
    def mode(self) -> str:
        """'socket', 'http', 'oauth' or 'console', from which credentials are present."""
        if self.client_id and self.client_secret and not self.bot_token:
            return "oauth"
        if self.bot_token and self.app_token:
            return "socket"
        if self.bot_token and self.signing_secret:
            return "http"
        return "console"

    def __repr__(self) -> str:
        # Settings end up in logs and tracebacks; the secrets must not.
        shown = {
            k: v for k, v in self.__dict__.items() if k not in ("bot_token", "app_token", "signing_secret", "client_secret", "token_key")
        }
        return f"Settings(mode={self.mode!r}, {', '.join(f'{k}={v!r}' for k, v in shown.items())})"


#: Every variable LP Bot reads (tests/test_settings.py keeps this in step with the code and README).
KNOWN_VARIABLES = frozenset(
    """
    LPBOT_ADMINS LPBOT_DAILY_KUDOS LPBOT_DB LPBOT_EVENT_PROCESS LPBOT_EXTERNAL_ON_BOARDS
    LPBOT_GRACE_HOURS LPBOT_HOLIDAYS LPBOT_HOST LPBOT_INLINE_KUDOS LPBOT_INLINE_REPLY
    LPBOT_KUDOS_CHANNEL
    LPBOT_KUDOS_EMOJI LPBOT_LEADERBOARDS LPBOT_LOG_BODIES LPBOT_LOG_FORMAT LPBOT_LOG_LEVEL LPBOT_PRINCIPLES
    LPBOT_PRINCIPLE_REACTIONS LPBOT_REPLICA_SYNC LPBOT_REPLICA_URL LPBOT_ROTATION LPBOT_SOCKET_PING_SECONDS LPBOT_STARTUP_WAIT
    LPBOT_STOP_SECONDS LPBOT_TOKEN_KEY
    LPBOT_WEEKLY_GRACE_HOURS PORT SLACK_API_URL SLACK_APP_TOKEN SLACK_BOT_TOKEN SLACK_CLIENT_ID SLACK_CLIENT_SECRET
    SLACK_SIGNING_SECRET
    """.split()
)
# Set by LP Bot itself, for itself (replication.UNDER_LITESTREAM): known, never documented.
_INTERNAL = frozenset({"LPBOT_UNDER_LITESTREAM"})


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """One line for each LPBOT_* or SLACK_* variable LP Bot does not read (a typo is otherwise silently
    ignored: `LPBOT_DAILY_KUDO=3` changes nothing), naming the closest it does read."""
    lines = []
    for name in sorted(env):
        if name.startswith(("LPBOT_", "SLACK_")) and name not in KNOWN_VARIABLES | _INTERNAL:
            closest = difflib.get_close_matches(name, KNOWN_VARIABLES, n=1, cutoff=0.7)
            hint = f" (did you mean {closest[0]}?)" if closest else ""
            lines.append(f"lpbot: ignoring {name}: LP Bot has no such setting{hint}")
    return lines


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build Settings from an environment mapping; raise ConfigError on the first problem."""

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    bot_token, app_token, signing_secret = get("SLACK_BOT_TOKEN"), get("SLACK_APP_TOKEN"), get("SLACK_SIGNING_SECRET")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb- (OAuth & Permissions page)")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information page)")
    if app_token and not bot_token and not get("SLACK_CLIENT_ID"):
        raise ConfigError("SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both")
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    if bool(client_id) != bool(client_secret):
        raise ConfigError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (Basic Information > App Credentials)")
    oauth = bool(client_id) and not bot_token
    if oauth and not signing_secret:
        raise ConfigError("SLACK_CLIENT_ID is set: installing into many workspaces runs in HTTP mode and needs SLACK_SIGNING_SECRET")
    if oauth and app_token:
        raise ConfigError("SLACK_APP_TOKEN is set with SLACK_CLIENT_ID: OAuth installs run in HTTP mode; unset one of them")
    if signing_secret and not bot_token and not oauth:
        raise ConfigError("SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: HTTP mode needs both")
    if bot_token and not (app_token or signing_secret):
        raise ConfigError("SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode): set one")

    api_url = get("SLACK_API_URL")
    if api_url:
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError("SLACK_API_URL must start with http:// or https://")
        api_url = api_url.rstrip("/") + "/"

    log_level = (get("LPBOT_LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(log_level), int):
        raise ConfigError("LPBOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")

    log_format = (get("LPBOT_LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ConfigError(f"LPBOT_LOG_FORMAT must be text or json, got {log_format!r}")

    kudos_channel = get("LPBOT_KUDOS_CHANNEL")
    if kudos_channel and kudos_channel[:1] not in ("C", "G"):
        raise ConfigError("LPBOT_KUDOS_CHANNEL must be a channel ID such as C0123ABCD (not a #name)")

    admins = frozenset(a for a in re.split(r"[\s,]+", get("LPBOT_ADMINS") or "") if a)
    for admin in admins:
        if not is_user_id(admin):
            raise ConfigError(f"LPBOT_ADMINS must list Slack user IDs such as U0123ABCD; {admin!r} is not one")
    kudos_emoji = (get("LPBOT_KUDOS_EMOJI") or DEFAULT_KUDOS_EMOJI).strip(":").lower()
    if not _EMOJI_NAME.fullmatch(kudos_emoji):
        raise ConfigError(f"LPBOT_KUDOS_EMOJI must be an emoji name such as clap or lp-kudos, got {kudos_emoji!r}")
    inline_reply = (get("LPBOT_INLINE_REPLY") or "thread").lower()
    if inline_reply not in INLINE_REPLIES:
        raise ConfigError(f"LPBOT_INLINE_REPLY must be thread or reaction, got {inline_reply!r}")
    replica_url = get("LPBOT_REPLICA_URL")
    if replica_url and not re.fullmatch(r"[a-z][a-z0-9+]*://\S+", replica_url):
        raise ConfigError("LPBOT_REPLICA_URL must be a replica URL such as s3://bucket/lpbot or file:///backups/lpbot")
    rotation = (get("LPBOT_ROTATION") or "balanced").lower()
    if rotation not in ROTATIONS:
        raise ConfigError(f"LPBOT_ROTATION must be one of {', '.join(ROTATIONS)}, got {rotation!r}")

    return Settings(
        bot_token=bot_token,
        app_token=app_token,
        signing_secret=signing_secret,
        client_id=client_id,
        client_secret=client_secret,
        api_url=api_url,
        host=get("LPBOT_HOST") or "0.0.0.0",
        port=_integer(env, "PORT", DEFAULT_PORT, low=1, high=65535),
        db_path=Path(get("LPBOT_DB") or DEFAULT_DB),
        principles=get("LPBOT_PRINCIPLES") or DEFAULT_SET,
        daily_kudos=_integer(env, "LPBOT_DAILY_KUDOS", DEFAULT_DAILY_KUDOS, low=0, high=10_000),
        kudos_channel=kudos_channel,
        log_level=log_level,
        log_format=log_format,
        log_bodies=_switch(env, "LPBOT_LOG_BODIES", False),
        admins=admins,
        rotation=rotation,
        leaderboards=_switch(env, "LPBOT_LEADERBOARDS", True),
        external_on_boards=_switch(env, "LPBOT_EXTERNAL_ON_BOARDS", False),
        kudos_emoji=kudos_emoji,
        principle_reactions=_switch(env, "LPBOT_PRINCIPLE_REACTIONS", False),
        inline_kudos=_switch(env, "LPBOT_INLINE_KUDOS", True),
        inline_reply=inline_reply,
        event_process=_switch(env, "LPBOT_EVENT_PROCESS", True),
        replica_url=replica_url,
        token_key=_token_key(get("LPBOT_TOKEN_KEY")),
        holidays=_country(get("LPBOT_HOLIDAYS")),
        replica_sync=_integer(env, "LPBOT_REPLICA_SYNC", 1, low=1, high=3600),
        # Weekly posts and digests alike; LPBOT_WEEKLY_GRACE_HOURS is its first name, still read.
        grace_hours=_integer(env, "LPBOT_GRACE_HOURS", _integer(env, "LPBOT_WEEKLY_GRACE_HOURS", 24, low=0, high=168), low=0, high=168),
        startup_wait=_integer(env, "LPBOT_STARTUP_WAIT", 60, low=0, high=3600),
        stop_seconds=_integer(env, "LPBOT_STOP_SECONDS", 8, low=1, high=600),
        socket_ping_seconds=_integer(env, "LPBOT_SOCKET_PING_SECONDS", 10, low=1, high=300),
    )


def _integer(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _country(code: str | None) -> str | None:
    """A country the holidays library knows, by its ISO code (GB, DE, US …), with an optional
    subdivision after a dash (US-CA, DE-BY)."""
    if not code:
        return None
    import holidays

    country, _, subdivision = code.strip().upper().partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported or (subdivision and subdivision not in supported[country]):
        raise ConfigError(f"LPBOT_HOLIDAYS must be a country code the holidays library knows, like GB, DE or US-CA, got {code!r}")
    return f"{country}-{subdivision}" if subdivision else country


def _token_key(key: str | None) -> str | None:
    """A Fernet key (32 bytes, URL-safe base64), as `cryptography`'s Fernet.generate_key() prints it."""
    if not key:
        return None
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        raise ConfigError(
            "LPBOT_TOKEN_KEY must be a Fernet key: make one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from None
    return key


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off"):
        raise ConfigError(f"{name} must be on or off, got {raw!r}")
    return raw == "on"
