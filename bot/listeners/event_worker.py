"""A second process for what a channel's events ask after their acknowledgement.

An inline kudos or a kudos reaction is several milliseconds of work after Slack has its answer: the
write, two or three Web API calls, the messages built. In the process that acknowledges, that work
shares the interpreter with the next requests' acknowledgements, and a busy channel's events queue
behind it (docs/benchmarks.md). So in HTTP and Socket Mode the listeners for messages and reactions
hand each event here, and a child process (`main` below, started with `python -c`) does the work with its
own services on the same database file.

- The child gets each event in the order it arrived, as JSON lines on its stdin, with the token and
  the team of the client Bolt made for the request. It answers each with a line on its stdout once the
  work is done. Changes of place (a channel made private or given a new ID) are applied before the
  next event is read, so a later kudos there is never judged by what the child knew before.
- What the main process heard and the child needs is sent with the event: the words of the message a
  reaction is about (the first look in the main process remembers them; see bot/kudos/heard.py).
- If the child cannot start, or stops, the events it had not finished are done again in the main
  process, and so is everything after. A kudos is stored once however often it is run (its request
  key), so none is lost or counted twice; one the child had stored but not yet thanked in its thread
  when it stopped stays unthanked there.
- The child's worker threads run at idle priority (`give_way`), so the work they do never delays an
  acknowledgement. When they are not keeping up (`Backlog`: an event waited a second for one, or one of
  them waited 0.1 s for a core, and then for ten seconds), catch-up threads at the normal priority take
  the next events.

Settings' default is one process, for the console and the tests; `lpbot run` reads LPBOT_EVENT_PROCESS
(on unless set to off).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO

from slack_sdk import WebClient

from bot.kudos import conversation
from bot.listeners.guard import failed_event
from bot.slack import places
from principles import CatalogError
from storage import StorageError

log = logging.getLogger(__name__)

# The kinds of work handed over; run_event does each, in either process.
EVENT_KINDS = ("message", "reaction_added", "reaction_removed", "channel_moved")
START_SECONDS = 30.0
CHILD_MAIN = "import sys; from bot.listeners.event_worker import main; sys.exit(main())"
READY = "ready"
# Threads in the child: most of their time is spent waiting on Slack, as the main process's `later` pool.
CHILD_THREADS = 32
# Those threads run at idle priority; catch-up threads at the normal one take the next events while
# they are not keeping up (`Backlog`). Beside two busy loops, idle threads alone left thank-yous 32 s
# late (docs/benchmarks.md). Not keeping up: an event has waited LATE_SECONDS for a thread (a slow Slack
# keeps all of them busy), or STARVED_SECONDS for a core (on an idle thread, or with one free to take
# it; a kudos needs about 5 ms of CPU), and for REST_SECONDS after the latter.
LATE_SECONDS = 1.0
STARVED_SECONDS = 0.1
REST_SECONDS = 10.0
CATCH_UP_THREADS = 4


def run_event(services, client: WebClient, job: dict) -> None:
    """Do one handed-over event's work, in whichever process has it; a failure is told as any listener's."""
    kind, team_id, event = job["kind"], job.get("team_id"), job.get("event") or {}
    words = job.get("words")
    try:
        if words is not None:  # what the main process heard of the message this reaction is about
            item = event.get("item") or {}
            services.heard.remember(team_id, str(item.get("channel") or ""), str(item.get("ts") or ""), words)
        if kind == "channel_moved":
            old_id, new_id = event.get("old_channel_id"), event.get("new_channel_id")
            if isinstance(old_id, str) and isinstance(new_id, str):
                places.channel_moved(services.places, services.store, team_id or "", old_id, new_id)
        else:
            getattr(conversation, kind)(services, client, team_id, event)
    except Exception as error:  # noqa: BLE001 - every failure is answered here, as the listeners' guard does
        failed_event(error, {"type": "event_callback", "team_id": team_id, "event": event}, client)


def changes_a_place(job: dict) -> bool:
    """Work that changes what is known of a channel: done before the next event is looked at."""
    subtype = (job.get("event") or {}).get("subtype")
    return job["kind"] == "channel_moved" or (job["kind"] == "message" and subtype == "channel_convert_to_private")


class EventWorker:
    """The main process's side: hands events to the child, counts what is unfinished, and takes the
    work back if the child stops."""

    def __init__(self, settings, fallback: Callable[[dict], None], *, command: list[str] | None = None):
        """`fallback` does a job in this process (on the listener pool's `later` threads)."""
        self._settings = settings
        self._fallback = fallback
        # Not `-m`: this module would then be loaded twice, as __main__ and as itself when bot.app imports it.
        self._command = command or [sys.executable, "-c", CHILD_MAIN]
        self._lock = threading.Condition()  # the bookkeeping: what is unfinished, whether the child is there
        self._writing = threading.Lock()
        self._unfinished: dict[int, dict] = {}
        self._next_id = 0
        self._process: subprocess.Popen | None = None
        self._stopping = False
        self.handled = 0  # events the child finished
        self.problem: str | None = None  # why the child is not doing the work, once it is not

    # -- starting and stopping ----------------------------------------------------------------

    def start(self, timeout: float = START_SECONDS) -> EventWorker:
        """Start the child and wait until it is ready; if it cannot be, the work stays in this process."""
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        try:
            process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        except OSError as error:
            self._give_up(f"could not start ({error.strerror or error})")
            return self
        assert process.stdin is not None and process.stdout is not None  # both are pipes, above
        self._process = process
        try:
            process.stdin.write(base64.b64encode(pickle.dumps(self._settings)).decode() + "\n")
            process.stdin.flush()
        except OSError:
            pass  # it stopped already: the ready line will not come either
        ready = _read_line_within(process.stdout, timeout)
        if ready != READY:
            process.kill()
            self._give_up("did not start" if ready is None else "stopped while starting")
            return self
        threading.Thread(target=self._read_answers, args=(process.stdout,), name="lpbot-event-worker", daemon=True).start()
        log.info("events are handled in a second process (pid %s)", process.pid)
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self.problem is None and self._process.poll() is None

    def state(self) -> str:
        """What /healthz says of it."""
        if self.running:
            return "running"
        return f"{self.problem or 'stopped'}: events are handled in the main process"

    def shutdown(self, timeout: float = 10.0) -> None:
        """Let the child finish what it has and stop; what it could not finish is done here."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is None or process.poll() is not None:
            return
        with self._writing:
            try:
                assert process.stdin is not None
                process.stdin.close()  # end of input: the child finishes its work in hand, then exits
            except OSError:
                pass
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the event worker did not stop within %ss; stopping it", timeout)
            process.kill()
            process.wait()
        self._taken_back()

    # -- handing over ----------------------------------------------------------------------------

    def hand_over(self, job: dict) -> None:
        """Send one event's work to the child, or do it here if the child is not there."""
        # One writer at a time, so the child reads the events in the order they arrived. A separate lock
        # from the bookkeeping's: a write waiting on a full pipe never keeps the reader of the child's
        # answers waiting too (the child would then wait on us, and we on it).
        with self._writing:
            with self._lock:
                if not self.running or self._stopping:
                    self._fallback(job)
                    return
                self._next_id += 1
                job = {**job, "id": self._next_id}
                self._unfinished[self._next_id] = job
                process = self._process
            assert process is not None and process.stdin is not None
            try:
                process.stdin.write(json.dumps(job, separators=(",", ":")) + "\n")
                process.stdin.flush()
                return
            except (OSError, ValueError):  # the child is gone (a broken pipe), or its input was closed
                pass
        self._give_up("stopped")

    def wait_idle(self, timeout: float) -> bool:
        """True once the child has finished everything handed to it (or handed it back)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._unfinished, timeout)

    # -- the child's answers ------------------------------------------------------------------

    def _read_answers(self, answers: IO[str]) -> None:
        for line in answers:
            try:
                done = int(json.loads(line)["done"])
            except (ValueError, KeyError, TypeError):
                continue
            with self._lock:
                if self._unfinished.pop(done, None) is not None:
                    self.handled += 1
                self._lock.notify_all()
        # End of its output: the child has stopped. Whatever it had not finished is done here.
        if not self._stopping:
            code = self._process.wait() if self._process else None
            self._give_up(f"stopped (exit status {code})")

    def _give_up(self, why: str) -> None:
        with self._lock:
            first = self.problem is None
            self.problem = self.problem or why
        if first and not self._stopping:
            log.warning("the event worker %s; events are handled in this process from now on", why)
        self._taken_back()

    def _taken_back(self) -> None:
        with self._lock:
            unfinished = list(self._unfinished.values())
            self._unfinished.clear()
            self._lock.notify_all()
        for job in unfinished:
            self._fallback(job)


def _read_line_within(stream: IO[str], timeout: float) -> str | None:
    """The stream's next line without its newline, None if none came within `timeout` seconds."""
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return got[0].rstrip("\n") if got else None


# -- the child process ----------------------------------------------------------------------------


def serve(jobs: IO[str], answers: IO[str]) -> int:
    """The child: read the settings, then events, until the main process closes our input."""
    from bot.app import build_services, web_client
    from bot.ops.logs import configure_logging

    settings = pickle.loads(base64.b64decode(jobs.readline()))
    configure_logging(settings.log_level, (settings.signing_secret or "",), settings.log_format, bodies=settings.log_bodies)
    services = build_services(settings, create=False)
    clients: dict[tuple[str | None, str | None], WebClient] = {}
    answering = threading.Lock()

    def client_for(job: dict) -> WebClient:
        """A client like the one Bolt made for the event's request: its token and team."""
        key = (job.get("token"), job.get("client_team_id"))
        if key not in clients:
            if len(clients) > 1000:
                clients.clear()  # installations come and go; the clients are cheap to make again
            clients[key] = web_client(settings, token=key[0], team_id=key[1])
        return clients[key]

    def work(job: dict) -> None:
        try:
            run_event(services, client_for(job), job)
        finally:
            with answering:
                answers.write(json.dumps({"done": job["id"]}) + "\n")
                answers.flush()

    backlog = Backlog()

    def keep_working(idle: bool) -> None:
        if idle:
            give_way()
        while (job := backlog.take(idle)) is not None:
            try:
                work(job)
            except Exception as error:  # noqa: BLE001 - run_event answers failures; this thread must outlive any other
                log.error("an event's work failed: %s", error.__class__.__name__)
            finally:
                if idle:
                    backlog.finished(job)

    threads = [threading.Thread(target=keep_working, args=(True,)) for _ in range(CHILD_THREADS)]
    threads += [threading.Thread(target=keep_working, args=(False,)) for _ in range(CATCH_UP_THREADS)]
    for thread in threads:
        thread.start()
    answers.write(READY + "\n")
    answers.flush()
    for line in jobs:
        try:
            job = json.loads(line)
        except ValueError:
            continue
        if job.get("kind") not in EVENT_KINDS:
            continue
        if changes_a_place(job):
            work(job)  # before the next event: it may be a kudos in that very channel
        else:
            backlog.put(job)
    backlog.close()
    for thread in threads:
        thread.join()
    services.store.close()
    return 0


def waited_for_a_core(thread: int) -> float:
    """Seconds a thread of this process has been ready to run but not running, so far (its run delay in
    /proc's schedstat); 0 where the kernel does not say. Waiting on Slack is sleeping, not this."""
    try:
        with open(f"/proc/self/task/{thread}/schedstat") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


class Backlog:
    """The events the child has read and not finished. The idle-priority threads take the oldest as soon
    as they are free. The catch-up threads, at the normal priority, take the next ones instead while the
    idle threads are not keeping up (`behind`): an event has waited `late` seconds here for a thread; or
    it has waited `starved` seconds for a core, on an idle thread or here with an idle thread free to
    take it (other programs keep the machine busy, and an idle thread then hardly runs), after which the
    idle threads rest for `rest` seconds. A slow Slack is neither: its threads sleep on the answer."""

    def __init__(
        self,
        late: float = LATE_SECONDS,
        starved: float = STARVED_SECONDS,
        rest: float = REST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        waited: Callable[[int], float] = waited_for_a_core,
    ):
        self._late, self._starved, self._rest = late, starved, rest
        self._starved_until = 0.0  # while the clock is before this, idle threads take nothing
        self._looked = float("-inf")  # when the idle threads' waits for a core were last read
        self._clock, self._waited = clock, waited
        self._lock = threading.Lock()
        self._for_idle = threading.Condition(self._lock)
        self._for_catch_up = threading.Condition(self._lock)
        self._waiting: deque[tuple[float, dict]] = deque()  # (arrived, job), oldest first
        self._started: dict[int, tuple[int, float]] = {}  # an idle thread's job -> (thread, its wait for a core then)
        self._idle_free = 0  # idle threads waiting for a job
        self._closed = False

    def put(self, job: dict) -> None:
        with self._lock:
            self._waiting.append((self._clock(), job))
            # Looked at by the thread reading the events, which is never short of a core.
            (self._for_catch_up if self._behind() else self._for_idle).notify()

    def close(self) -> None:
        """No more will come: the threads finish what is here, then `take` answers None."""
        with self._lock:
            self._closed = True
            self._for_idle.notify_all()
            self._for_catch_up.notify_all()

    def behind(self) -> bool:
        with self._lock:
            return self._behind()

    def take(self, idle: bool) -> dict | None:
        """The next job for an idle thread, or for a catch-up thread; None once closed and nothing is left."""
        waiting_room = self._for_idle if idle else self._for_catch_up
        with self._lock:
            while True:
                if self._waiting and (self._closed or self._behind() != idle):
                    _, job = self._waiting.popleft()
                    if idle:
                        thread = threading.get_native_id()
                        self._started[job["id"]] = (thread, self._waited(thread))
                    if self._waiting:
                        self._for_idle.notify()  # the next may be theirs now: a woken thread that was not let take re-waits
                    return job
                if self._closed and not self._waiting:
                    return None
                if idle:
                    self._idle_free += 1
                    waiting_room.wait()
                    self._idle_free -= 1
                else:
                    if self._waiting and self._idle_free:
                        # Not behind (a rest has ended): what waits is the idle threads' again, and they
                        # sleep until told.
                        self._for_idle.notify()
                    # Being behind is a matter of time passing: the catch-up threads look every so often.
                    waiting_room.wait(self._starved / 2)

    def finished(self, job: dict) -> None:
        """An idle thread's job is done: it no longer counts towards being behind."""
        with self._lock:
            if self._started.pop(job["id"], None) is not None:
                self._for_idle.notify()

    def _behind(self) -> bool:
        now = self._clock()
        if self._waiting and now - self._waiting[0][0] >= self._late:
            return True  # help while every idle thread is busy; they take again once one is free
        if now < self._starved_until:
            return True
        if now - self._looked < self._starved / 4:
            return False  # looked a moment ago (each look reads /proc for every idle thread at work)
        self._looked = now
        # Starved: an event left waiting although an idle thread was free to take it (none got a core
        # to), or one on an idle thread that has waited that long for a core.
        # A wait during a rest does not count: the idle threads were told to take nothing then.
        unpicked = self._idle_free > 0 and bool(self._waiting) and now - max(self._waiting[0][0], self._starved_until) >= self._starved
        if unpicked or any(self._waited(thread) - before >= self._starved for thread, before in self._started.values()):
            # The machine has no core to spare for idle threads. Anything they took now would wait as
            # long, so for a while they take nothing, and then they try again.
            self._starved_until = now + self._rest
            return True
        return False


def give_way() -> None:
    """Run the calling thread at SCHED_IDLE (Linux, sched(7)).

    A normal thread that wakes, such as the main process's next acknowledgement, then takes the core
    from it at once; at the normal policy, or at nice 10, it could wait out the rest of our time slice
    (docs/benchmarks.md). What it costs: this thread runs only when a core has nothing normal to do, so
    on a busy machine a thank-you comes a few milliseconds later. On one that other programs keep busy it
    would hardly run at all, which is what the catch-up threads are for (`LATE_SECONDS`). If it is caught
    holding SQLite's write lock, the main process's writer waits for it asleep (the busy timeout), which
    leaves it the core.
    """
    if not hasattr(os, "SCHED_IDLE"):
        return
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except OSError:  # a sandbox that refuses it: the work is done all the same, less politely
        log.info("the event worker runs at the normal priority (SCHED_IDLE refused)")


def main() -> int:
    # The main process says when to stop, by closing our input: Ctrl-C in a terminal reaches the whole
    # process group, and the work in hand is finished first, as the main process finishes its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Our stdout carries the answers alone: anything else printed goes to stderr with the logs.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        return serve(sys.stdin, answers)
    except (StorageError, CatalogError) as error:  # our own one-line sentences: the file, and what to do
        log.error("the event worker stopped: %s", error)
        return 1
    except Exception as error:  # noqa: BLE001 - one line for the operator; the main process does the work
        log.error("the event worker stopped: %s", error.__class__.__name__)
        return 1
