"""Retrying Slack calls: wait out a 429's Retry-After, back off on server errors.

slack_sdk's own handlers call time.sleep directly; these take the wait as a function so a
test can record it instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

Sleep = Callable[[float], None]


class WaitRetryAfter(RetryHandler):
    def __init__(self, sleep: Sleep = time.sleep, max_retry_count: int = 3):
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        header = next((v for k, v in (response.headers or {}).items() if k.lower() == "retry-after"), ["1"])
        try:
            wait = float(header[0] if isinstance(header, list) else header)
        except ValueError:
            wait = 1.0
        state.next_attempt_requested = True
        self.sleep(max(wait, 0.0))
        state.increment_current_attempt()


class BackOffOnServerErrors(RetryHandler):
    """Two more tries after a 5xx, 1 s then 2 s apart: enough for a blip, bounded for an outage."""

    def __init__(self, sleep: Sleep = time.sleep, max_retry_count: int = 2):
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and 500 <= response.status_code < 600

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        state.next_attempt_requested = True
        self.sleep(2.0**state.current_attempt)
        state.increment_current_attempt()


def retry_handlers(sleep: Sleep = time.sleep) -> list[RetryHandler]:
    return [ConnectionErrorRetryHandler(max_retry_count=2), WaitRetryAfter(sleep), BackOffOnServerErrors(sleep)]
