"""Slack's 3-second deadlines hold when the Web API is slow, and the right workspace, place and person are used."""

from __future__ import annotations

import pytest

from bot.app import web_client
from bot.slack.people import Directory
from storage import kudos as kudos_store
from tests.helpers import block_text, field
from tests.slack_stand_in import DemoUser

REASON = "Stayed with the outage until the root cause was found"


@pytest.fixture
def crowd(slack):
    """Twenty-five more people in the workspace."""
    people = [f"U0P{n:02d}" for n in range(25)]
    for user_id in people:
        slack.users[user_id] = DemoUser(user_id, user_id.lower(), f"Person {user_id}")
    return people


def open_modal(sender, slack):
    sender.shortcut("give_kudos")
    return slack.wait_for_call("views.open").params["view"]


def dms_to(slack, user_id):
    return [c for c in slack.calls if c.method == "chat.postMessage" and c.params["channel"] == user_id]


def test_fifteen_recipients_on_a_slow_day_are_checked_within_the_deadline(sender, slack, services, crowd):
    view = open_modal(sender, slack)
    for _ in range(16):
        slack.delay_next("users.info", 0.2)
    # The sender gives up after 3 s, as Slack does: a late ack fails here.
    sent = sender.submit(view, recipients=crowd[:15], principle="ownership", reason=REASON, channel="C0GENERAL")
    assert (sent.status, sent.body) == (200, "")
    assert len({r["id"] for r in kudos_store.export_rows(services.store.db)}) == 1
    slack.wait_for(lambda calls: all(dms_to(slack, person) for person in crowd[:15]))


@pytest.mark.settings(ack_budget=0.3)  # the bot's 2 s budget, shortened with Slack's slowness below
def test_when_slack_is_slower_than_the_deadline_the_modal_closes_and_the_answer_comes_by_dm(sender, slack, services, crowd):
    view = open_modal(sender, slack)
    for _ in range(3):
        slack.delay_next("users.info", 0.8)
    sent = sender.submit(view, recipients=crowd[:2], principle="ownership", reason=REASON, channel="C0GENERAL")
    assert (sent.status, sent.body) == (200, "")  # acked in time, no inline errors possible any more
    note = slack.wait_for(lambda calls: dms_to(slack, "U0ALICE"))[0]
    assert "Sent!" in block_text(note.params)
    slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "C0GENERAL"])
    assert len({r["id"] for r in kudos_store.export_rows(services.store.db)}) == 1


@pytest.mark.settings(ack_budget=0.3)  # the bot's 2 s budget, shortened with Slack's slowness below
def test_a_refusal_found_after_the_ack_is_told_by_dm_and_nothing_is_stored(sender, slack, services):
    view = open_modal(sender, slack)
    for _ in range(2):
        slack.delay_next("users.info", 0.8)
    sent = sender.submit(view, recipients=["U0DEPLOY"], principle="ownership", reason=REASON, channel="C0GENERAL")
    assert (sent.status, sent.body) == (200, "")
    note = slack.wait_for(lambda calls: dms_to(slack, "U0ALICE"))[0]
    assert "Your kudos wasn't saved" in block_text(note.params) and "is a bot" in block_text(note.params)
    assert list(kudos_store.export_rows(services.store.db)) == []


def test_more_than_twenty_recipients_is_an_inline_error(sender, slack, services, crowd):
    view = open_modal(sender, slack)
    sent = sender.submit(view, recipients=crowd[:21], principle="ownership", reason=REASON, channel="C0GENERAL")
    assert sent.json()["errors"]["recipients"].startswith("That's 21 people; one kudos can thank up to 20")
    assert [c for c in slack.calls if c.method == "users.info"] == []


def test_the_message_shortcut_opens_the_modal_before_asking_for_the_link(waits, sender, slack, services):
    slack.fail_next("chat.getPermalink", 500, body={"ok": False, "error": "internal_error"}, times=2)
    sender.shortcut(
        "give_kudos_for_message",
        channel={"id": "C0GENERAL", "name": "general"},
        message={"type": "message", "user": "U0CAROL", "ts": "1764000000.000100", "text": "Fixed it"},
    )
    opened = slack.wait_for_call("views.open")
    assert opened.status == 200 and opened.response["ok"]
    update = slack.wait_for_call("views.update")
    assert update.response["ok"] and "p1764000000000100" in update.params["view"]["private_metadata"]
    methods = [c.method for c in slack.calls]
    assert methods.index("views.open") < methods.index("chat.getPermalink")
    assert waits == [1.0, 2.0]  # the back-off happened after the modal was up, not before


def test_a_trigger_older_than_three_seconds_is_refused_by_the_stand_in(sender, slack, caplog):
    sender.shortcut("give_kudos", trigger_age=3.5)
    refused = slack.wait_for_call("views.open")
    assert refused.response == {"ok": False, "error": "expired_trigger_id"}


def test_a_modal_from_a_slack_connect_channel_is_stored_under_the_installing_workspace(sender, slack, services):
    view = open_modal(sender, slack)
    sender.submit(view, from_team="T0OTHERORG", recipients=["U0BOB"], principle="ownership", reason=REASON, channel="C0GENERAL")
    (row,) = kudos_store.export_rows(services.store.db)
    assert row["team_id"] == "T0LOCAL"


def test_the_message_shortcut_in_a_dm_preselects_no_channel(sender, slack):
    slack.dms.add("D0ALICE")
    sender.shortcut(
        "give_kudos_for_message",
        channel={"id": "D0ALICE", "name": "directmessage"},
        message={"type": "message", "user": "U0BOB", "ts": "1764000000.000200", "text": "Thanks"},
    )
    view = slack.wait_for_call("views.open").params["view"]
    channel_block = next(b for b in view["blocks"] if b["block_id"] == "channel")
    assert "initial_conversation" not in channel_block["element"]
    assert field(view, "recipients")["element"]["initial_users"] == ["U0BOB"]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "message", "user": "USLACKBOT", "ts": "1.2", "text": "Reminder: standup"},
        {"type": "message", "subtype": "bot_message", "bot_id": "B0DEPLOY", "ts": "1.3", "text": "Deployed"},
        {"type": "message", "user": "U0DEPLOY", "bot_id": "B0DEPLOY", "ts": "1.4", "text": "Deployed"},
    ],
)
def test_the_message_shortcut_on_an_apps_message_prefills_nobody_and_says_why(sender, slack, message):
    sender.shortcut("give_kudos_for_message", channel={"id": "C0GENERAL", "name": "general"}, message=message)
    view = slack.wait_for_call("views.open").params["view"]
    who = field(view, "recipients")
    assert "initial_users" not in who["element"]
    assert "from an app" in who["hint"]["text"]


def test_people_are_cached_per_workspace_and_the_cache_is_bounded(settings, slack):
    client = web_client(settings)
    now = [0.0]
    people = Directory(clock=lambda: now[0], max_entries=2)
    people.lookup(client, "T0LOCAL", "U0BOB")
    people.lookup(client, "T0LOCAL", "U0BOB")
    assert len(slack.calls_to("users.info")) == 1
    people.lookup(client, "T0OTHER", "U0BOB")  # the same ID in another workspace is asked again
    assert len(slack.calls_to("users.info")) == 2
    people.lookup(client, "T0LOCAL", "U0CAROL")  # a third entry pushes out the oldest
    people.lookup(client, "T0LOCAL", "U0BOB")
    assert len(slack.calls_to("users.info")) == 4
    now[0] += 601
    people.lookup(client, "T0LOCAL", "U0BOB")  # and entries age out
    assert len(slack.calls_to("users.info")) == 5


def test_a_hanging_slack_never_delays_an_acknowledgement(sender, slack, services, crowd):
    import threading

    # users.info hangs: every kudos waits on it after its acknowledgement, more of them than listener threads.
    holds = [slack.hold_next("users.info") for _ in range(60)]
    results: list = []

    def give(person):  # twenty givers, so no daily limit is reached
        results.append(sender.command("kudos <@U0BOB|bob> ownership for staying with the outage to the end", user=person))

    threads = [threading.Thread(target=give, args=(p,)) for p in crowd[:20]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each was acknowledged within Slack's 3 s (the sender gives up then, as Slack does).
    assert [r.status for r in results] == [200] * 20
    # Lookups are answered in the acknowledgement itself, hanging Slack or not.
    for text, starts in (("7", "7. Insist on the Highest Standards"), ("help", "LP Bot"), ("list", "Amazon Leadership Principles")):
        sent = sender.command(text)
        assert sent.status == 200 and sent.json()["text"].startswith(starts)
    for hold in holds:
        hold.set()
    assert services.listener_pool.wait_idle(30)
    assert len(list(kudos_store.export_rows(services.store.db))) == 20


def test_every_command_is_answered_while_every_listener_thread_is_busy(sender, services):
    import threading

    from bot.services import LISTENER_THREADS

    # Every listener thread held (as by buttons whose listeners wait on a hanging Slack): /lp still
    # answers, because it runs on the request's own thread (ListenerPool.run_next_here). On the pool it
    # would queue behind them, and Slack would give up after 3 s.
    release = threading.Event()
    held = [services.listener_pool.submit(release.wait) for _ in range(LISTENER_THREADS)]
    try:
        lookup = sender.command("7")
        assert lookup.status == 200 and lookup.json()["text"].startswith("7. Insist on the Highest Standards")
        kudos = sender.command("kudos <@U0BOB|bob> ownership for staying with the outage to the end")
        assert kudos.status == 200  # its thank-you comes later, from the `later` threads
    finally:
        release.set()
    assert all(hold.result(timeout=5) for hold in held)
    assert services.listener_pool.wait_idle(30)
    assert len(list(kudos_store.export_rows(services.store.db))) == 1


def test_only_the_next_listener_runs_on_the_calling_thread():
    import threading

    from bot.services import ListenerPool

    pool = ListenerPool(2, later_workers=1)
    try:
        pool.run_next_here()
        assert pool.submit(threading.get_ident).result() == threading.get_ident()
        assert pool.submit(threading.get_ident).result() != threading.get_ident()  # the mark is used up
        pool.run_next_here()
        failing = pool.submit(lambda: 1 / 0)
        assert isinstance(failing.exception(), ZeroDivisionError)  # kept in its future, as on a pool thread
        assert pool.wait_idle(5)
    finally:
        pool.shutdown()
    console = ListenerPool(2)  # no `later` threads: what follows an ack would run here too, so nothing does
    try:
        console.run_next_here()
        assert console.submit(threading.get_ident).result() != threading.get_ident()
    finally:
        console.shutdown()
