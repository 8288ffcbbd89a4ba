"""Where a kudos was said: a public channel, a private one, a DM, or nowhere.

A channel ID's first letter does not tell: Slack gives private channels C IDs too (a G channel
converted keeps being private under its new C ID). A slash command says it in `channel_name`;
otherwise conversations.info does. When neither can say, the answer is "private", the choice
that can only hide words, never show them.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk import WebClient

from bot.slack_terms import SLACK_FAILURES, failure_code
from storage import Store
from storage import kudos as kudos_store
from storage.kudos import DM, NOWHERE, PRIVATE, PUBLIC

log = logging.getLogger(__name__)


def from_command(channel_id: str | None, channel_name: str | None) -> str:
    """The visibility of the conversation a slash command was typed in, from what Slack sent with it."""
    if not channel_id:
        return NOWHERE
    name = channel_name or ""
    if name == "directmessage" or name.startswith("mpdm-") or channel_id.startswith("D"):
        return DM
    if name == "privategroup" or channel_id.startswith("G"):
        return PRIVATE
    return PUBLIC


def from_info(channel: dict) -> str:
    """The visibility of a conversation from conversations.info's `channel` object."""
    if channel.get("is_im") or channel.get("is_mpim"):
        return DM
    if channel.get("is_private") or channel.get("is_group"):
        return PRIVATE
    return PUBLIC


def ask_slack(client: WebClient, channel_id: str) -> str | None:
    """The conversation's visibility from conversations.info; None when Slack will not describe it
    (gone, private without the bot, a missing scope, Slack unreachable): callers treat that as private."""
    try:
        return from_info(client.conversations_info(channel=channel_id)["channel"])
    except SLACK_FAILURES as error:
        log.info("could not tell whether %s is public (%s); treating it as private", channel_id, failure_code(error))
        return None


class Places:
    """conversations.info answers, cached per (team, channel): a channel rarely changes sides."""

    def __init__(self, max_entries: int = 5000):
        self._max = max_entries
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def visibility(self, client: WebClient, team_id: str, channel_id: str | None) -> str:
        if not channel_id:
            return NOWHERE
        key = (team_id, channel_id)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = ask_slack(client, channel_id)
        if found is None:
            return PRIVATE  # not cached: the next kudos asks again
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return found


def settle_unknown(store: Store, client_for: Callable[[str], WebClient | None]) -> dict[str, int]:
    """Give kudos stored before visibility was recorded their real one: one conversations.info
    per distinct channel. A channel Slack will not describe (gone, or private without the bot)
    settles as private. Returns how many rows each visibility received."""
    settled: dict[str, int] = {}
    for team_id, channel_id in kudos_store.channels_to_settle(store.db):
        client = client_for(team_id)
        if client is None:
            continue  # a workspace no longer installed: its rows stay "unknown", which reads as private
        visibility = ask_slack(client, channel_id) or PRIVATE
        with store.write() as db:
            settled[visibility] = settled.get(visibility, 0) + kudos_store.settle_visibility(db, team_id, channel_id, visibility)
    if settled:
        log.info("settled where earlier kudos were said: %s", settled)
    return settled
