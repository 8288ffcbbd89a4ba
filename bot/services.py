"""What listeners need besides Slack's own arguments, built once by the app factory."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

from bot.people import Directory
from bot.places import Places
from bot.settings import Settings
from principles import Catalog
from storage import Store

# Listeners ack first, then wait on Slack and SQLite; Bolt's default of 5 workers let a burst
# of kudos queue the acks themselves behind that waiting (32 was worse: more threads
# fighting over the interpreter lock). See docs/benchmarks.md.
LISTENER_THREADS = 12
LOOKUP_THREADS = 16


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    store: Store
    # Injected so tests can set the time and the dice instead of waiting or guessing.
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = field(default_factory=random.Random)
    people: Directory = field(default_factory=Directory)
    places: Places = field(default_factory=Places)
    # How Slack-call retries wait; tests record the waits instead of sleeping through them.
    sleep: Callable[[float], None] = time.sleep
    # Where Bolt runs listeners; the bot waits for it to drain when it stops.
    listener_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="lpbot-listener")
    )
    # Asks Slack several things at once while a listener waits to ack (a modal's people and channel);
    # separate from the listener pool so a burst of listeners cannot starve their own lookups.
    lookup_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="lpbot-lookup")
    )
    # Set by the running bot's scheduler, so a schedule changed in Slack takes effect at once.
    on_schedule_change: Callable[[str, str], None] | None = None
    scheduler_running: Callable[[], bool] | None = None
    # What keeps the bot from reaching Slack at start, for /healthz; None once Slack answered.
    startup_problem: str | None = None
    # The bot client for a workspace, for work no request started (weekly posts); set by create_app.
    client_for: Callable[[str], object] | None = None
