"""Who a Slack user is (a person or a bot, and their time zone), asked of users.info and cached."""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.cache import SlackAnswers
from bot.slack.person import LookupFailed, Person
from bot.slack.terms import SLACK_FAILURES

log = logging.getLogger(__name__)

# Names and time zones change rarely; ten minutes keeps users.info calls (rate tier 4) low.
CACHE_SECONDS = 600
# Enough for every active person of a large workspace; past it the least recently asked go first.
CACHE_ENTRIES = 20_000


class Directory:
    """users.info answers cached per (workspace, user): one process may serve several workspaces,
    and the same ID must never answer for another one."""

    def __init__(self, clock=time.monotonic, max_entries: int = CACHE_ENTRIES):
        self._answers = SlackAnswers(CACHE_SECONDS, max_entries, clock)

    def lookup(self, client: WebClient, team_id: str, user_id: str) -> Person | None:
        """The person, or None when Slack does not know the ID; LookupFailed when Slack cannot say."""
        return self._answers.get_or_ask((team_id, user_id), lambda: _ask_slack(client, user_id))


def _ask_slack(client: WebClient, user_id: str) -> Person | None:
    """users.info: the person, None when Slack does not know the ID; LookupFailed when it cannot say."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            return None
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        raise LookupFailed(error.response.get("error") or "unknown_error") from None
    except SLACK_FAILURES as error:
        # A timeout or a dropped connection is Slack not saying, as much as an error code is:
        # callers fall back the same way (the daily limit's day in UTC, a recipient not confirmed).
        log.warning("users.info did not answer for %s: %s", user_id, type(error).__name__)
        raise LookupFailed("no_answer") from None
    return Person(
        id=user["id"],
        name=user.get("real_name") or user.get("name") or user["id"],
        tz=user.get("tz") or "UTC",
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        deleted=bool(user.get("deleted")),
        team_id=user.get("team_id"),
        enterprise_id=(user.get("enterprise_user") or {}).get("enterprise_id"),
    )
