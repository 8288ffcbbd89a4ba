"""What listeners need besides Slack's own arguments, built once by the app factory."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from slack_sdk import WebClient

from bot.kudos.heard import Heard
from bot.ops.replication import ReplicationStatus
from bot.settings import Settings
from bot.slack.people import Directory
from bot.slack.places import Places
from bot.slack.rosters import Rosters
from principles import Catalog
from storage import Store

# Listeners ack first, then wait on Slack and SQLite; Bolt's default of 5 workers let a burst
# of kudos queue the acks themselves behind that waiting (32 was worse: more threads
# fighting over the interpreter lock). See docs/benchmarks.md.
LISTENER_THREADS = 12
# Threads for what follows an acknowledgement; most of their time is spent waiting on Slack.
AFTER_ACK_THREADS = 32
LOOKUP_THREADS = 16


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class BotStatus:
    """What the running process learns as it runs: the one mutable part of the services.

    Schedule changes are announced here (the scheduler subscribes when it starts), and /healthz
    reads the scheduler's state and why Slack is not reachable yet.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on_schedule_change: list[Callable[[str, str], None]] = []
        self.scheduler_running: Callable[[], bool] | None = None  # None: no scheduler in this process
        self.slack_problem: str | None = None  # None: Slack answered (or was not asked yet)

    def subscribe_schedule_changes(self, listener: Callable[[str, str], None]) -> None:
        with self._lock:
            self._on_schedule_change.append(listener)

    def schedule_changed(self, team_id: str, channel_id: str) -> None:
        """A schedule was saved or removed in Slack: whoever keeps time takes it up at once."""
        with self._lock:
            listeners = list(self._on_schedule_change)
        for listener in listeners:
            listener(team_id, channel_id)


class Elsewhere(Protocol):
    """Another process that takes events' work after their ack (bot/listeners/event_worker.py)."""

    def hand_over(self, job: dict) -> None: ...

    def wait_idle(self, timeout: float) -> bool: ...

    def shutdown(self, timeout: float = 10.0) -> None: ...

    def state(self) -> str: ...


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener executor, which can also say when every listener has finished: the console
    waits for that instead of guessing from a quiet spell.

    Listeners acknowledge on these threads; work that can wait on Slack after the acknowledgement
    (a kudos' posts and DMs, events) runs on `later`, a pool of its own, so a slow or hanging Web API
    can hold those threads but never delay an acknowledgement (Slack gives each request 3 s)."""

    def __init__(self, max_workers: int, later_workers: int = 0, name: str = "lpbot-listener"):
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._running = 0
        self._idle = threading.Condition()
        self.later: ListenerPool | None = ListenerPool(later_workers, name="lpbot-after-ack") if later_workers else None
        # The event worker, when events' work runs in a process of its own (LPBOT_EVENT_PROCESS; set by create_app).
        self.elsewhere: Elsewhere | None = None
        self._here = threading.local()  # run_next_here's mark, for this thread only

    def run_next_here(self) -> None:
        """Run the next listener this thread hands over on this thread, at once (`/lp`, see commands).

        Bolt's thread runner gives a command to the pool and then looks for its acknowledgement every
        10 ms, so a command answered in its acknowledgement took 10 ms at best, and 20 when the listener
        thread was a little late. Run on the request's own thread, the acknowledgement is there when the
        runner first looks. Only for a listener that acknowledges without waiting on Slack and leaves
        the rest to `later`; without `later` (the console) everything stays on the pool.
        """
        if self.later is not None:
            self._here.next = True

    def submit(self, fn, /, *args, **kwargs):
        with self._idle:
            self._running += 1
        if getattr(self._here, "next", False):
            self._here.next = False
            done: Future = Future()
            try:
                done.set_result(fn(*args, **kwargs))
            except Exception as error:  # noqa: BLE001 - kept in the future, as the pool's threads would
                done.set_exception(error)
            self._finished(done)
            return done
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self._idle:
            self._running -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once no listener is running, nor any work it left for later (here or in the event
        worker); False if that took longer than `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._idle:
                if not self._idle.wait_for(lambda: self._running == 0, max(0.0, deadline - time.monotonic())):
                    return False
            if self.elsewhere is not None and not self.elsewhere.wait_idle(max(0.0, deadline - time.monotonic())):
                return False
            if self.later is not None and not self.later.wait_idle(max(0.0, deadline - time.monotonic())):
                return False
            with self._idle:
                if self._running == 0:
                    return True  # else a listener started meanwhile, and may leave more work: wait again

    def run_later(self, work: Callable[[], None]) -> None:
        """Run work that may wait on Slack after the acknowledgement: on `later`, or here if there is none."""
        if self.later is None:
            work()
        else:
            self.later.submit(work)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if self.elsewhere is not None:
            self.elsewhere.shutdown()  # what it cannot finish comes back to `later`, which stops after it
        if self.later is not None:
            self.later.shutdown(wait=wait, cancel_futures=cancel_futures)


@dataclass(frozen=True)
class Services:
    """Everything listeners and jobs need besides Slack's own arguments, built once by
    bot.app.build_services for every mode and never reassigned afterwards."""

    settings: Settings
    catalog: Catalog
    store: Store
    # The bot client for a workspace, for work no request started (weekly posts, settling old
    # rows): the one token, or with OAuth each installation's own (None once uninstalled).
    client_for: Callable[[str], WebClient | None]
    # Injected so tests can set the time and the dice instead of waiting or guessing.
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = field(default_factory=random.Random)
    # How Slack-call retries wait; tests record the waits instead of sleeping through them.
    sleep: Callable[[float], None] = time.sleep
    people: Directory = field(default_factory=Directory)
    places: Places = field(default_factory=Places)
    rosters: Rosters = field(default_factory=Rosters)
    heard: Heard = field(default_factory=Heard)
    status: BotStatus = field(default_factory=BotStatus)
    # How the Litestream replica stands (None: LPBOT_REPLICA_URL is not set), for /healthz and doctor.
    replication: ReplicationStatus | None = None
    # Where Bolt runs listeners; the bot waits for it to drain when it stops.
    listener_pool: ListenerPool = field(default_factory=lambda: ListenerPool(LISTENER_THREADS, AFTER_ACK_THREADS))
    # Asks Slack several things at once while a listener waits to ack (a modal's people and channel);
    # separate from the listener pool so a burst of listeners cannot starve their own lookups.
    lookup_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="lpbot-lookup")
    )
