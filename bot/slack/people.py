"""Who a Slack user is (a person or a bot, and their time zone), asked of users.info and cached."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

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
        self._clock = clock
        self._max = max_entries
        self._cache: OrderedDict[tuple[str, str], tuple[float, Person | None]] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, client: WebClient, team_id: str, user_id: str) -> Person | None:
        """The person, or None when Slack does not know the ID; LookupFailed when Slack cannot say."""
        now = self._clock()
        key = (team_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
            if cached and now - cached[0] < CACHE_SECONDS:
                self._cache.move_to_end(key)
                return cached[1]
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") == "user_not_found":
                person = None
            else:
                log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
                raise LookupFailed(error.response.get("error") or "unknown_error") from None
        except SLACK_FAILURES as error:
            # A timeout or a dropped connection is Slack not saying, as much as an error code is:
            # callers fall back the same way (the daily limit's day in UTC, a recipient not confirmed).
            log.warning("users.info did not answer for %s: %s", user_id, type(error).__name__)
            raise LookupFailed("no_answer") from None
        else:
            person = Person(
                id=user["id"],
                name=user.get("real_name") or user.get("name") or user["id"],
                tz=user.get("tz") or "UTC",
                is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
                is_admin=bool(user.get("is_admin") or user.get("is_owner")),
                deleted=bool(user.get("deleted")),
            )
        with self._lock:
            self._cache[key] = (now, person)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return person
