"""One bounded, expiring cache for what Slack said: people (users.info), places (conversations.info)
and rosters (usergroups.*, conversations.members). Each answer is kept for a while and the least
recently used go first past the bound, so memory stays flat however many people and channels a
workspace has; a lock makes it safe across the listener threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache

_MISSING = object()


class SlackAnswers:
    """Answers kept for `seconds`, at most `entries` of them; `clock` is injectable so tests move time."""

    def __init__(self, seconds: float, entries: int, clock: Callable[[], float] = time.monotonic):
        self._answers: TTLCache = TTLCache(maxsize=entries, ttl=seconds, timer=clock)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._answers.get(key, default)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._answers[key] = value

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._answers.pop(key, None)

    def get_or_ask(self, key: Hashable, ask: Callable[[], Any]) -> Any:
        """The kept answer, or `ask()`'s, kept. Slack is asked outside the lock, so one slow call
        never holds up answers already kept; an exception from `ask` keeps nothing."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = ask()
        self.put(key, value)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)
