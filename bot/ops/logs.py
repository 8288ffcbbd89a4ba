"""Logging set-up, with tokens and secrets scrubbed from every record."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

# Slack tokens (bot, user, app-level, refresh, config) and anything after "Bearer".
_SECRET = re.compile(r"(xox[abposer]-|xapp-|xoxe\.xox[bp]-)[A-Za-z0-9-]+|(?<=Bearer )\S+")


#: The variables whose values must never be printed, whatever else goes wrong.
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET")


def secrets_in(env) -> tuple[str, ...]:
    return tuple(value for name in SECRET_VARIABLES if (value := (env.get(name) or "").strip()))


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Text with anything shaped like a Slack token, and each of `secrets`, replaced by [redacted]."""
    return RedactSecrets(secrets).scrub(text)


class RedactSecrets(logging.Filter):
    def __init__(self, extra_secrets: tuple[str, ...] = ()):
        super().__init__()
        # A very short "secret" would blank out ordinary letters everywhere; real ones are long.
        self._extra = tuple(s for s in extra_secrets if len(s) >= 8)

    def scrub(self, text: str) -> str:
        text = _SECRET.sub("[redacted]", text)
        for secret in self._extra:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            # Format the traceback now so that its text, too, is scrubbed.
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


# slack_sdk and Bolt log at DEBUG what they send and receive whole: message text (the words of private
# kudos), view contents, request payloads. Kept: which call, and how it went.
_SLACK_LIBRARIES = ("slack_sdk", "slack_bolt", "lpbot.bolt")  # lpbot.bolt: the logger our Bolt app is given
_CALL = re.compile(r"url: (?P<url>[^,\s]+)|status: (?P<status>\d+)")


class KeepBodiesOut(logging.Filter):
    """At DEBUG, Slack's libraries' lines say which method was called and how it went, never what was
    sent or received; LPBOT_LOG_BODIES=on lets the whole line through, for an operator who asks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG or not record.name.startswith(_SLACK_LIBRARIES):
            return True
        text = record.getMessage()
        kept = [m.group("url") or f"status {m.group('status')}" for m in _CALL.finditer(text)]
        head = re.split(r"[:({\[]| - ", text, maxsplit=1)[0].strip()
        record.msg = f"{head} ({', '.join(kept)})" if kept else f"{head} (details left out)"
        record.args = None
        return True


class KnownNoise(logging.Filter):
    """Lines every start printed that say nothing to an operator: Bolt reads SLACK_BOT_TOKEN from the
    environment itself and then warns that the client we hand it wins (it should); APScheduler says
    "Added job" for each job it was given."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.name.startswith(_SLACK_LIBRARIES) and "`token` will be unused" in text:
            return False
        return not (record.name.startswith("apscheduler") and record.levelno <= logging.INFO and text.startswith("Added job"))


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    level: str, secrets: tuple[str, ...] = (), log_format: str = "text", stream=None, bodies: bool = False, file: Path | None = None
) -> None:
    """Log to `stream` (stderr by default) or, given `file`, append to that file (the console keeps its
    replies on the screen and its log lines there)."""
    handler: logging.Handler = logging.FileHandler(file, encoding="utf-8") if file else logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(KnownNoise())
    if not bodies:
        handler.addFilter(KeepBodiesOut())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
