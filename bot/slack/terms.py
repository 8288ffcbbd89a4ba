"""Slack's vocabulary in one place: the shapes of its IDs, and what its error codes mean for a person.

Pure: patterns and words, no calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

# IDs as Slack writes them: U/W for people (W on Enterprise Grid), C/G for channels, D for DMs.
USER_ID = r"[UW][A-Z0-9]{2,20}"
CHANNEL_ID = r"[CG][A-Z0-9]{2,20}"
GROUP_ID = r"S[A-Z0-9]{2,20}"  # a user group (a "subteam"), such as @eng-team
USER_MENTION = re.compile(rf"<@({USER_ID})(?:\|[^>]*)?>")
GROUP_MENTION = re.compile(rf"<!subteam\^({GROUP_ID})(?:\|([^>]*))?>")
CHANNEL_MENTION = re.compile(rf"<#({CHANNEL_ID})(?:\|([^>]*))?>")


@dataclass(frozen=True)
class Roster:
    """A roster named in a message: a channel (its members) or a user group. What a board or a kudos covers."""

    kind: str  # "channel" or "group"
    id: str
    label: str = ""  # the name Slack sent with the mention, shown back as typed


#: Slack said no, or could not be reached (a timeout, a dropped connection).
SLACK_FAILURES = (SlackApiError, URLError, OSError)


def is_user_id(text: object) -> bool:
    return isinstance(text, str) and re.fullmatch(USER_ID, text) is not None


def is_group_id(text: object) -> bool:
    return isinstance(text, str) and re.fullmatch(GROUP_ID, text) is not None


def is_channel_id(text: object) -> bool:
    return isinstance(text, str) and re.fullmatch(CHANNEL_ID, text) is not None


def checked_user_id(user_id: str) -> str:
    """The ID itself if it is a Slack user ID; only such IDs are ever written as <@mentions>."""
    if not is_user_id(user_id):
        raise ValueError(f"not a Slack user ID: {user_id!r}")
    return user_id


def failure_code(error: Exception) -> str:
    """Slack's error code, or the kind of failure on the way to Slack."""
    if isinstance(error, SlackApiError):
        return error.response.get("error") or f"http_{error.response.status_code}"
    return type(error).__name__


# Errors about a channel that no retry fixes, each explained once, for whoever must act on it.
CHANNEL_PROBLEMS = {
    "not_in_channel": "I'm not a member of <#{channel}>: invite me with `/invite @LP Bot` there.",
    "channel_not_found": "I can't see <#{channel}> (deleted, or private without me): invite me with `/invite @LP Bot` there.",
    "is_archived": "<#{channel}> has been archived.",
}
# Slack's answers that mean the token itself is refused (at start-up, by doctor, for a post).
TOKEN_REFUSALS = ("invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "no_permission")
# Errors about the app's own token or permissions: the operator's to fix.
TOKEN_PROBLEMS = {
    "token_revoked": "my token for this workspace was revoked: reinstall LP Bot.",
    "invalid_auth": "Slack no longer accepts my token: whoever runs LP Bot should run `lpbot doctor`.",
    "not_authed": "I had no token to post with: whoever runs LP Bot should run `lpbot doctor`.",
    "account_inactive": "my Slack account for this workspace is inactive: reinstall LP Bot to bring it back.",
    "missing_scope": "I lack a permission I need: reinstall LP Bot from its manifest to grant it.",
}
PERMANENT_PROBLEMS = {**CHANNEL_PROBLEMS, **TOKEN_PROBLEMS}


def explain(code: str, channel_id: str) -> str:
    """A person's sentence for Slack's error `code` about `channel_id`."""
    known = PERMANENT_PROBLEMS.get(code)
    if known:
        return known.format(channel=channel_id)
    # Slack's codes are snake_case words; anything else is dropped rather than shown as markup.
    return f"Slack said `{re.sub(r'[^a-z0-9_]', '', code)}`; please try again."
