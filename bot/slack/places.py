"""Where a kudos was said: a public channel, a private one, a DM, or nowhere.

A channel ID's first letter does not tell: Slack gives private channels C IDs too (a G channel
converted keeps being private under its new C ID). A slash command says it in `channel_name`;
otherwise conversations.info does. When neither can say, the answer is "private", the choice
that can only hide words, never show them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.slack.cache import SlackAnswers
from bot.slack.terms import SLACK_FAILURES, failure_code
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


def channel_name(client: WebClient, channel_id: str) -> str | None:
    """The channel's name as people know it (for an operator's output), or None when Slack will not say."""
    try:
        return client.conversations_info(channel=channel_id)["channel"].get("name")
    except SLACK_FAILURES as error:
        log.info("could not name %s (%s)", channel_id, failure_code(error))
        return None


# A channel can be made private at any time; the conversion event says so at once, and an answer is
# asked again after this long in case that event was missed.
CACHE_SECONDS = 600
CACHE_ENTRIES = 5000


class Places:
    """conversations.info answers, kept per (workspace, channel) for CACHE_SECONDS."""

    def __init__(self, max_entries: int = CACHE_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self._answers = SlackAnswers(CACHE_SECONDS, max_entries, clock)

    def visibility(self, client: WebClient, team_id: str, channel_id: str | None) -> str:
        if not channel_id:
            return NOWHERE
        kept = self._answers.get((team_id, channel_id))
        if kept is not None:
            return kept
        found = ask_slack(client, channel_id)
        if found is None:
            return PRIVATE  # not cached: the next kudos asks again
        self.learn(team_id, channel_id, found)
        return found

    def learn(self, team_id: str, channel_id: str, visibility: str) -> None:
        """What Slack told us about a channel without being asked (it became private)."""
        self._answers.put((team_id, channel_id), visibility)

    def forget(self, team_id: str, channel_id: str) -> None:
        self._answers.forget((team_id, channel_id))


def became_private(places: Places, store: Store, team_id: str, channel_id: str) -> None:
    """A channel was made private: so it is from now on, for new kudos and for the ones said there before."""
    places.learn(team_id, channel_id, PRIVATE)
    with store.write() as db:
        changed = kudos_store.make_private(db, team_id, channel_id)
    log.info("a channel became private: %d of its kudos now read as private", changed)


def channel_moved(places: Places, store: Store, team_id: str, old_id: str, new_id: str) -> None:
    """Slack gave a channel a new ID: its kudos follow, and what we knew of the old ID is asked again."""
    places.forget(team_id, old_id)
    places.forget(team_id, new_id)
    with store.write() as db:
        kudos_store.move_channel(db, team_id, old_id, new_id)


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
