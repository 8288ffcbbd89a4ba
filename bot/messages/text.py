"""Text a person typed, made inert for mrkdwn: `escape`, `quote`, `user_text`, `mentions`; a leaf."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.slack.terms import checked_user_id, is_channel_id, is_user_id

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")


# Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) can make a line read
# backwards or reorder a name and a reason; nothing a person means to say needs them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def hours(window: timedelta) -> str:
    """A rule's time window as a sentence says it: "24 hours", built from the rule's own constant."""
    count = int(window.total_seconds() // 3600)
    return f"{count} hour" if count == 1 else f"{count} hours"


def escape(text: str) -> str:
    """Make text a person typed inert in mrkdwn: no pings, no disguised links, no reversed reading.

    Slack already sends slash-command text with &, < and > as entities; those are left
    as they are, so "R&D" neither pings anyone nor shows up as "R&amp;amp;D".
    """
    text = _BIDI_CONTROLS.sub("", text)
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str, limit: int = 80) -> str:
    """A short, safe, single-line echo of user input, for 'I could not find ...' replies: mentions and
    channels Slack encoded (`<@U…|bob>`, `<#C…|general>`) read as mentions and channels, not as markup."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return user_text(flat)


def safe_link(url: str, label: str) -> str:
    # Only plain web links go into <url|label>; anything else could smuggle markup.
    if re.fullmatch(r"https?://[^\s<>|]+", url):
        return f"<{url}|{label}>"
    return ""


_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def user_text(text: str) -> str:
    """Text a person wrote, made safe for mrkdwn.

    Slack encodes real mentions, channel links and URLs as <...> tokens. A user or channel
    mention whose ID we can check is kept (as a bare ID, so a label cannot lie); a URL is
    kept as the plain address, never as a relabelled link; everything else, including
    <!channel>, <!here> and <!subteam^...>, is escaped and so shown, not acted on.
    """
    out, last = [], 0
    for token in _SLACK_TOKEN.finditer(text):
        out.append(escape(text[last : token.start()]))
        inner = token.group(1)
        target = inner.split("|", 1)[0]
        if target.startswith("@") and is_user_id(target[1:]):
            out.append(f"<{target}>")
        elif target.startswith("#") and is_channel_id(target[1:]):
            out.append(f"<{target}>")
        elif re.fullmatch(r"https?://[^\s|]+", target):
            out.append(escape(target))
        elif target.startswith("!subteam^") and "|" in inner:
            out.append(escape("@" + inner.split("|", 1)[1].lstrip("@")))  # a group by its handle, never pinged
        else:
            out.append(escape(token.group(0)))
        last = token.end()
    out.append(escape(text[last:]))
    return "".join(out)


def mentions(user_ids) -> str:
    names = [f"<@{checked_user_id(u)}>" for u in user_ids]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def quote_block(reason: str) -> str:
    return "\n".join("> " + line for line in user_text(reason).splitlines() or [""])
