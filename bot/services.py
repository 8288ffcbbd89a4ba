"""What listeners need besides Slack's own arguments, built once by the app factory."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from bot.people import Directory
from bot.settings import Settings
from principles import Catalog
from storage import Store


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
    # How Slack-call retries wait; tests record the waits instead of sleeping through them.
    sleep: Callable[[float], None] = time.sleep
    # Set by the running bot's scheduler, so a schedule changed in Slack takes effect at once.
    on_schedule_change: Callable[[str, str], None] | None = None
