"""What the bot remembers of recent conversation: in memory only, bounded, never written down."""

from __future__ import annotations

import threading
from collections import OrderedDict


class Heard:
    """What this process remembers of recent conversation, in memory only and briefly.

    - events already handled: Slack delivers at least once, and a retry must not prompt twice;
    - the words of recent messages in channels the bot is in, so a reaction's prompt can suggest
      principles without reading history (conversations.history allows one call a minute);
    - who was already told why their reaction did nothing, so they are told once.
    """

    def __init__(self, max_entries: int = 5000):
        self._max = max_entries
        self._lock = threading.Lock()
        self._events: OrderedDict[str, None] = OrderedDict()
        self._words: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._told: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            return self._add(self._events, event_id)

    def remember(self, team_id: str, channel_id: str, ts: str, text: str) -> None:
        with self._lock:
            self._words[(team_id, channel_id, ts)] = text
            self._trim(self._words)

    def words(self, team_id: str, channel_id: str, ts: str) -> str | None:
        with self._lock:
            return self._words.get((team_id, channel_id, ts))

    def tell_once(self, team_id: str, user_id: str, why: str) -> bool:
        with self._lock:
            return self._add(self._told, (team_id, user_id, why))

    def _add(self, seen: OrderedDict, key) -> bool:
        if key in seen:
            return False
        seen[key] = None
        self._trim(seen)
        return True

    def _trim(self, kept: OrderedDict) -> None:
        while len(kept) > self._max:
            kept.popitem(last=False)
