"""What the bot remembers of recent conversation: in memory only, bounded, never written down."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

# A draft waits as long as the command's response_url can still post its thank-you (Slack: 30 minutes).
DRAFT_LIFE = timedelta(minutes=30)


@dataclass(frozen=True)
class KudosDraft:
    """A kudos whose giver named no principle: everything but the principle, until they pick one.
    Recipients are already checked; the rules run again when it is given."""

    team_id: str
    giver_id: str
    recipients: tuple[str, ...]
    dropped_self: bool
    groups: tuple[str, ...]
    reason: str
    channel_id: str | None
    visibility: str
    request_key: str | None
    made: datetime


class Heard:
    """What this process remembers of recent conversation, in memory only and briefly.

    - events already handled: Slack delivers at least once, and a retry must not prompt twice;
    - the words of recent messages in channels the bot is in, so a reaction's prompt can suggest
      principles without reading history (conversations.history allows one call a minute);
    - who was already told why their reaction did nothing, so they are told once;
    - kudos drafts waiting for their giver to pick a principle (never written down: a restart
      forgets them, and the giver is asked to send the kudos again).
    """

    def __init__(self, max_entries: int = 5000):
        self._max = max_entries
        self._lock = threading.Lock()
        self._events: OrderedDict[str, None] = OrderedDict()
        self._words: OrderedDict[tuple[str | None, str, str], str] = OrderedDict()
        self._told: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._drafts: OrderedDict[str, KudosDraft] = OrderedDict()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            return self._add(self._events, event_id)

    def remember(self, team_id: str | None, channel_id: str, ts: str, text: str) -> None:
        # team_id as Bolt's context gives it, the same on both sides (None where Slack sent none).
        with self._lock:
            self._words[(team_id, channel_id, ts)] = text
            self._trim(self._words)

    def words(self, team_id: str | None, channel_id: str, ts: str) -> str | None:
        with self._lock:
            return self._words.get((team_id, channel_id, ts))

    def tell_once(self, team_id: str, user_id: str, why: str) -> bool:
        with self._lock:
            return self._add(self._told, (team_id, user_id, why))

    def keep_draft(self, draft: KudosDraft) -> str:
        """Keep a draft until its giver picks a principle; the token names it in the prompt's buttons."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._drafts[token] = draft
            self._trim(self._drafts)
        return token

    def take_draft(self, token: str, giver_id: str, now: datetime) -> KudosDraft | None:
        """The giver's draft, once: a second click finds nothing. Someone else's token, or an old one, finds nothing too."""
        with self._lock:
            draft = self._drafts.get(token)
            if draft is None or draft.giver_id != giver_id:
                return None
            del self._drafts[token]
        return draft if now - draft.made <= DRAFT_LIFE else None

    def _add(self, seen: OrderedDict, key) -> bool:
        if key in seen:
            return False
        seen[key] = None
        self._trim(seen)
        return True

    def _trim(self, kept: OrderedDict) -> None:
        while len(kept) > self._max:
            kept.popitem(last=False)
