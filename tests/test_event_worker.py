"""The event worker: a busy channel's kudos done in a second process, as they are done in one.

The real app over HTTP with LPBOT_EVENT_PROCESS on, so messages' and reactions' work after the ack runs
in a child process (`python -c`, its own services on the same database file) and the stand-in sees its
calls. The child keeps real time: these tests do not move the clock.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.request

import pytest

import tests.test_conversation_kudos as conversation_tests
from bot.app import build_services, create_app
from bot.listeners.event_worker import CATCH_UP_THREADS, CHILD_THREADS, Backlog, EventWorker
from bot.ops.server import HEALTH_PATH, HttpServer
from bot.settings import Settings
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.helpers import stored
from tests.slack_stand_in import LocalSlack, SlackSender
from tests.test_disk_faults import APOLOGY

IN_THE_WORKER = pytest.mark.settings(event_process=True)
MESSAGE_TS = re.compile(r"\d{10}\.\d{6}")  # the stand-in's, from the time a message was sent


def settle(services):
    assert services.listener_pool.wait_idle(15)


def worker(services):
    assert services.listener_pool.elsewhere is not None, "LPBOT_EVENT_PROCESS is on: the worker started"
    return services.listener_pool.elsewhere


def noticed(child, timeout: float = 5.0) -> None:
    """Until the main process has seen the child stop (its reader thread sees the output end)."""
    deadline = time.monotonic() + timeout
    while child.problem is None and time.monotonic() < deadline:
        time.sleep(0.01)  # polling another process's end, not waiting for time to pass
    assert child.problem is not None and not child.running


@pytest.fixture(autouse=True)
def _the_worker_did_the_work(request):
    """A scenario marked for the worker fails unless the child really did some of its work."""
    if not any(m.kwargs.get("event_process") for m in request.node.iter_markers("settings")):
        yield
        return
    services = request.getfixturevalue("services")
    yield
    assert worker(services).handled + (worker(services).problem is not None) > 0, "the child handled none of the events"


def in_the_worker(test):
    """One of tests/test_conversation_kudos.py's scenarios again, with the event worker doing the work."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return test(*args, **kwargs)

    return IN_THE_WORKER(run)


# The same scenarios as in one process, and the same answers. Each is one the second process could get
# wrong by knowing less than the main one: the words heard before a reaction, a channel made private or
# given a new ID, an edit.
test_the_prompt_suggests_principles_from_the_messages_words = in_the_worker(
    conversation_tests.test_the_prompt_suggests_principles_from_the_messages_words
)
test_editing_an_inline_kudos_updates_it_and_deleting_withdraws_it = in_the_worker(
    conversation_tests.test_editing_an_inline_kudos_updates_it_and_deleting_withdraws_it
)
test_a_channel_made_private_keeps_its_kudos_private_from_then_on = in_the_worker(
    conversation_tests.test_a_channel_made_private_keeps_its_kudos_private_from_then_on
)
test_a_channel_given_a_new_id_keeps_its_kudos = in_the_worker(conversation_tests.test_a_channel_given_a_new_id_keeps_its_kudos)


def said_to_slack(slack) -> list[str]:
    """Every call the bot made, as JSON, without what differs from run to run (message timestamps)."""
    calls = []
    for call in slack.calls:
        params = {k: v for k, v in call.params.items() if k not in ("ts", "thread_ts", "message_ts", "permalink")}
        calls.append(MESSAGE_TS.sub("<ts>", json.dumps([call.method, call.status, params], sort_keys=True)))
    return sorted(calls)


def a_busy_minute(tmp_path, event_process: bool) -> tuple[list[str], list[tuple], int]:
    """Chat, an inline kudos, a reaction's prompt and a refusal, sent to a fresh app: what Slack was sent,
    what was stored, and how many events the worker finished."""
    slack = LocalSlack().start()
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=slack.api_url,
        db_path=tmp_path / f"event-process-{event_process}.db",
        event_process=event_process,
    )
    services = build_services(settings)
    server = HttpServer(create_app(settings, services), services, host="127.0.0.1", port=0).start()
    try:
        sender = SlackSender(server.events_url, SIGNING_SECRET, slack)
        talk, _ = sender.say("I dug into the logs and traced the root cause of the memory leak", user="U0CAROL")
        # One at a time, so that which of two at once asks Slack first is not what is compared.
        sender.say("<@U0BOB> :clap: #ownership for taking the pager over the holidays", user="U0ALICE")
        settle(services)
        sender.react("clap", talk, user="U0BOB")
        settle(services)
        sender.say("<@U0ALICE> :clap: #ownership thanks for everything", user="U0ALICE")  # thanking oneself
        settle(services)
        rows = [(r["giver_id"], r["recipient_id"], r["principle"], r["reason"], r["visibility"]) for r in stored(services)]
        elsewhere = services.listener_pool.elsewhere
        return said_to_slack(slack), rows, elsewhere.handled if isinstance(elsewhere, EventWorker) else 0
    finally:
        server.close()
        services.listener_pool.shutdown()
        services.store.close()
        slack.stop()


def test_what_slack_is_sent_and_what_is_stored_are_the_same_with_the_worker_as_without(tmp_path):
    here = a_busy_minute(tmp_path, event_process=False)
    there = a_busy_minute(tmp_path, event_process=True)
    assert here[1] == [("U0ALICE", "U0BOB", "ownership", "for taking the pager over the holidays", "public")]
    assert here[2] == 0 and there[2] == 3, "the kudos, the reaction and the refusal went to the child; chat did not"
    assert there[:2] == here[:2]


@IN_THE_WORKER
def test_events_are_done_by_the_child_process(sender, slack, services):
    child = worker(services)
    assert child.running and child.pid not in (None, os.getpid())
    sender.say("<@U0BOB> :clap: #ownership for taking the pager over the holidays", user="U0ALICE")
    settle(services)
    assert child.handled == 1
    assert [(r["giver_id"], r["recipient_id"], r["principle"]) for r in stored(services)] == [("U0ALICE", "U0BOB", "ownership")]
    (reply,) = [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert reply["text"] == ":key: <@U0ALICE> recognized <@U0BOB> for *Ownership*."


@IN_THE_WORKER
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="scheduling policies are Linux's")
def test_the_childs_workers_give_way_to_the_acknowledgements(sender, slack, services):
    """The child's worker threads run at SCHED_IDLE (sched(7)): the kernel lets any normal thread that
    wakes, such as the main process's next acknowledgement, run before them. The thread reading the
    events and the catch-up threads keep the normal policy."""
    child = worker(services)
    sender.say("<@U0BOB> :clap: #ownership for taking the pager over the holidays", user="U0ALICE")
    settle(services)
    policies = {int(tid): os.sched_getscheduler(int(tid)) for tid in os.listdir(f"/proc/{child.pid}/task")}
    assert sum(policy == os.SCHED_IDLE for policy in policies.values()) == CHILD_THREADS
    assert policies[child.pid] == os.SCHED_OTHER, "the thread reading the events"
    assert sum(policy == os.SCHED_OTHER for policy in policies.values()) >= 1 + CATCH_UP_THREADS
    assert os.sched_getscheduler(0) == os.SCHED_OTHER, "the main process keeps the normal policy"


class Machine:
    """The clock and each thread's wait for a core, as the backlog reads them, set by the test."""

    def __init__(self):
        self.now = 100.0
        self.waited: dict[int, float] = {}

    def clock(self) -> float:
        return self.now

    def wait_of(self, thread: int) -> float:
        return self.waited.get(thread, 0.0)


def backlog_on(machine: Machine) -> Backlog:
    return Backlog(late=1.0, starved=0.2, rest=10.0, clock=machine.clock, waited=machine.wait_of)


def test_idle_threads_take_the_events_in_order_while_they_keep_up():
    machine = Machine()
    backlog = backlog_on(machine)
    for n in range(3):
        backlog.put({"id": n})
    machine.now += 0.9
    assert not backlog.behind()
    assert [backlog.take(idle=True)["id"] for _ in range(3)] == [0, 1, 2]


def test_an_event_left_waiting_a_second_goes_to_a_catch_up_thread():
    machine = Machine()
    backlog = backlog_on(machine)
    backlog.put({"id": 1})
    machine.now += 0.5
    backlog.put({"id": 2})
    machine.now += 0.5
    assert backlog.behind()
    assert backlog.take(idle=False) == {"id": 1}
    assert not backlog.behind(), "the one left has waited half a second"
    assert backlog.take(idle=True) == {"id": 2}


def test_an_idle_thread_starved_of_cores_hands_the_next_events_to_catch_up_threads():
    machine = Machine()
    backlog = backlog_on(machine)
    backlog.put({"id": 1})
    first = backlog.take(idle=True)
    me = threading.get_native_id()
    backlog.put({"id": 2})
    machine.waited[me] = 0.19
    assert not backlog.behind()
    machine.waited[me] = 0.2  # ready to run for 0.2 s in all, and not run: other programs have the cores
    assert not backlog.behind(), "the backlog looked a moment ago; it reads /proc a few times a second"
    machine.now += 0.1
    assert backlog.behind()
    assert backlog.take(idle=False) == {"id": 2}
    backlog.finished(first)
    machine.now += 9.9
    assert backlog.behind(), "for ten seconds the idle threads take nothing: the machine is busy"
    machine.now += 0.1
    assert not backlog.behind(), "ten seconds on, and the thread that was starved is done"


def test_an_event_that_arrives_as_a_rest_ends_goes_back_to_a_free_idle_thread():
    machine = Machine()
    backlog = backlog_on(machine)
    backlog.put({"id": 1})
    first = backlog.take(idle=True)
    machine.waited[threading.get_native_id()] = 0.2
    machine.now += 0.1
    assert backlog.behind(), "starved: the rest begins, until 110.1"
    backlog.finished(first)
    taken: list[dict | None] = []
    idle = threading.Thread(target=lambda: taken.append(backlog.take(idle=True)), daemon=True)
    idle.start()
    polled_until = time.monotonic() + 5
    while backlog._idle_free == 0 and time.monotonic() < polled_until:
        time.sleep(0.001)  # polling for the idle thread to be waiting, not waiting for time to pass
    machine.now += 9.5
    backlog.put({"id": 2})  # in the rest's last half second, with no catch-up thread free to take it
    machine.now += 0.6  # the rest is over; of the 0.6 s it has waited, 0.1 came after it
    assert not backlog.behind(), "waiting through a rest is not being starved again"
    catch_up = threading.Thread(target=lambda: taken.append(backlog.take(idle=False)), daemon=True)
    catch_up.start()  # its look finds nothing behind and tells the idle threads
    idle.join(timeout=5)
    assert taken == [{"id": 2}], "the idle thread took it, before anything closed"
    backlog.close()
    catch_up.join(timeout=5)
    assert taken == [{"id": 2}, None]


def test_an_event_waiting_on_a_slow_slack_is_not_starved():
    machine = Machine()
    backlog = backlog_on(machine)
    backlog.put({"id": 1})
    backlog.take(idle=True)
    machine.now += 30  # asleep on Slack's answer: no wait for a core
    backlog.put({"id": 2})
    assert not backlog.behind()
    assert backlog.take(idle=True) == {"id": 2}


def test_a_closed_backlog_gives_out_what_is_left_to_anyone_then_none():
    machine = Machine()
    backlog = backlog_on(machine)
    backlog.put({"id": 1})
    backlog.put({"id": 2})
    backlog.close()
    assert backlog.take(idle=False) == {"id": 1}, "at closing, a catch-up thread need not wait for it to be late"
    assert backlog.take(idle=True) == {"id": 2}
    assert backlog.take(idle=True) is None and backlog.take(idle=False) is None


@IN_THE_WORKER
def test_when_the_child_stops_its_work_in_hand_and_all_after_are_done_here_once(sender, slack, services, server):
    child = worker(services)
    slack.delay_next("users.info", 0.5)  # the child waits on Slack with this kudos in hand
    first, _ = sender.say("<@U0BOB> :clap: #ownership for taking the pager over the holidays", user="U0ALICE")
    slack.wait_for_call("users.info", answered=False)
    os.kill(child.pid, signal.SIGKILL)
    noticed(child)
    second, _ = sender.say("<@U0BOB> :clap: #ownership for the calm handover", user="U0CAROL")
    settle(services)
    assert sorted((r["giver_id"], r["reason"]) for r in stored(services)) == [
        ("U0ALICE", "for taking the pager over the holidays"),
        ("U0CAROL", "for the calm handover"),
    ]
    thanked = [c.params["thread_ts"] for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts") and c.status == 200]
    assert sorted(thanked) == sorted([first["ts"], second["ts"]]), "each thanked once, by this process"
    assert child.handled == 0
    with urllib.request.urlopen(server.url + HEALTH_PATH) as response:
        report = json.loads(response.read())
    assert report["status"] == "ok"
    assert report["event_worker"] == "stopped (exit status -9): events are handled in the main process"


@IN_THE_WORKER
def test_a_failure_in_the_child_is_told_to_the_person_privately(sender, slack, services, settings):
    settings.db_path.rename(settings.db_path.with_name("moved-away.db"))  # the file both processes opened, gone
    sender.say("<@U0BOB> :clap: #ownership for taking the pager over the holidays", user="U0ALICE")
    settle(services)
    assert worker(services).handled == 1, "the child handled it, by apologising"
    (told,) = [c.params for c in slack.calls_to("chat.postEphemeral") if c.params.get("user") == "U0ALICE"]
    assert (told["text"], told["channel"]) == (APOLOGY, "C0GENERAL")
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")], "nothing thanked that was not stored"


def test_a_child_that_cannot_start_leaves_the_work_here(tmp_path):
    settings = Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, db_path=tmp_path / "lpbot.db", event_process=True)
    done_here: list[dict] = []
    broken = EventWorker(settings, done_here.append, command=[sys.executable, "-c", "import sys; sys.exit(3)"]).start(timeout=10)
    assert broken.problem == "stopped while starting" and not broken.running
    job = {"kind": "message", "team_id": "T0LOCAL", "event": {"type": "message"}}
    broken.hand_over(job)
    assert done_here == [job] and broken.wait_idle(0)
    assert broken.state() == "stopped while starting: events are handled in the main process"
