"""Principle of the week: on time in each zone, exactly once, and the right principle."""

import logging
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_services, web_client
from bot.insights import digest
from bot.messages import RECOGNIZE_ACTION
from bot.scheduler import STOPPED, Scheduler, job_id, trigger_for
from bot.weekly import poster, rotation, schedule_time
from principles import load_catalog
from storage import weekly as weekly_store
from storage.weekly import LedgerEntry, PostStatus, Schedule
from tests.helpers import block_text, buttons

UTC = timezone.utc
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def schedule(services, channel="C0GENERAL", weekday=0, at="09:00", tz="Europe/Berlin", created=CREATED, team="T0LOCAL"):
    saved = Schedule(team, channel, weekday, at, tz, "U0ALICE", "active")
    with services.store.write() as db:
        weekly_store.save_schedule(db, saved, created)
    return weekly_store.get_schedule(services.store.db, team, channel)


def posts(slack, channel="C0GENERAL"):
    return [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if "+" not in text else datetime.fromisoformat(text)


# -- on time, in the schedule's zone -------------------------------------------------


@pytest.mark.parametrize(
    "tz, weekday, time_, now, expected",
    [
        # Berlin: summer time starts Sunday 29 March 2026, so Monday 09:00 moves from 08:00 to 07:00 UTC.
        ("Europe/Berlin", 0, "09:00", "2026-03-24T00:00:00", "2026-03-30T07:00:00+00:00"),
        ("Europe/Berlin", 0, "09:00", "2026-03-17T00:00:00", "2026-03-23T08:00:00+00:00"),
        # ...and ends Sunday 25 October 2026: back to 08:00 UTC.
        ("Europe/Berlin", 0, "09:00", "2026-10-20T00:00:00", "2026-10-26T08:00:00+00:00"),
        # Los Angeles: 02:30 on Sunday 8 March 2026 does not exist; it happens at 03:30 PDT.
        ("America/Los_Angeles", 6, "02:30", "2026-03-05T00:00:00", "2026-03-08T10:30:00+00:00"),
        ("America/Los_Angeles", 0, "09:00", "2026-10-27T00:00:00", "2026-11-02T17:00:00+00:00"),
        # Auckland is UTC+13 in November: Monday 09:00 there is Sunday 20:00 UTC.
        ("Pacific/Auckland", 0, "09:00", "2026-11-26T00:00:00", "2026-11-29T20:00:00+00:00"),
    ],
)
def test_next_run_is_local_time_across_daylight_saving(tz, weekday, time_, now, expected):
    s = Schedule("T", "C1", weekday, time_, tz, "U1", "active")
    assert schedule_time.next_run(s, at(now)) == datetime.fromisoformat(expected)
    # The running bot's cron trigger agrees with the rule that `lpbot weekly` and the ledger use.
    # (Compared in UTC: a local time inside a DST gap never compares equal across zones.)
    assert trigger_for(s).get_next_fire_time(None, at(now)).astimezone(UTC) == datetime.fromisoformat(expected)


def test_berlin_post_arrives_at_nine_local_on_the_dst_monday(services, client, slack):
    schedule(services)
    assert poster.run_due(services, client, at("2026-03-30T06:59:00")) == []
    (outcome,) = poster.run_due(services, client, at("2026-03-30T07:00:00"))
    assert outcome.status == "posted" and outcome.period == "2026-W14"
    assert len(posts(slack)) == 1


def test_auckland_week_is_its_own_local_week(services, client, slack):
    schedule(services, tz="Pacific/Auckland")
    assert poster.run_due(services, client, at("2026-11-29T19:59:00")) == []
    (outcome,) = poster.run_due(services, client, at("2026-11-29T20:00:00"))
    assert outcome.period == "2026-W49"


# -- exactly once ------------------------------------------------------------------------


def test_reruns_and_restarts_post_once(services, client, slack, settings):
    schedule(services)
    monday = at("2026-11-30T08:00:00")
    assert [o.status for o in poster.run_due(services, client, monday)] == ["posted"]
    assert poster.run_due(services, client, monday + timedelta(minutes=5)) == []
    restarted = build_services(settings)  # a new process on the same file, mid-week
    assert poster.run_due(restarted, web_client(settings), monday + timedelta(hours=3)) == []
    restarted.store.close()
    assert len(posts(slack)) == 1
    assert [o.status for o in poster.run_due(services, client, monday + timedelta(days=7))] == ["posted"]


def test_two_threads_racing_for_the_same_week_post_once(services, client, slack, settings):
    schedule(services)
    others = [build_services(settings) for _ in range(4)]
    start = threading.Barrier(len(others))
    results = []

    def race(other):
        start.wait()
        results.extend(poster.run_due(other, web_client(settings), at("2026-11-30T08:00:00")))

    threads = [threading.Thread(target=race, args=(o,)) for o in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [o.status for o in results] == ["posted"]
    assert len(posts(slack)) == 1
    for other in others:
        other.store.close()


def test_two_processes_running_lpbot_weekly_post_once(services, slack, settings):
    schedule(services)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "LPBOT_DB": str(settings.db_path),
    }
    command = [sys.executable, "-m", "bot", "weekly", "--as-of", "2026-11-30T09:00:00+01:00"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    printed = sorted(out for out, _ in outputs)
    drawn = weekly_store.entry(services.store.db, "T0LOCAL", "C0GENERAL", "2026-W49").principle
    assert printed == [f"2026-W49 #general (C0GENERAL) posted {drawn}\n", "nothing due\n"]
    assert len(posts(slack)) == 1


# -- catching up, and failures ----------------------------------------------------------


def test_catch_up_within_the_grace_period(services, client, slack):
    schedule(services)
    (outcome,) = poster.run_due(services, client, at("2026-12-01T07:59:00"))  # 23h59 late
    assert outcome.status == "posted"


def test_beyond_the_grace_the_week_is_skipped_and_logged_once(services, client, slack, caplog):
    schedule(services)
    with caplog.at_level(logging.WARNING, logger="bot.weekly.poster"):
        (outcome,) = poster.run_due(services, client, at("2026-12-01T08:01:00"))
        assert poster.run_due(services, client, at("2026-12-02T08:00:00")) == []
    assert outcome.status == "skipped"
    assert [r.message for r in caplog.records if "skipped" in r.message] == [
        "weekly post for T0LOCAL/C0GENERAL in 2026-W49 skipped: the bot was down past the grace period"
    ]
    assert posts(slack) == []
    assert [o.status for o in poster.run_due(services, client, at("2026-12-07T08:00:00"))] == ["posted"]


@pytest.mark.settings(grace_hours=2)
def test_grace_hours_setting(services, client, slack):
    schedule(services)
    assert poster.run_due(services, client, at("2026-11-30T10:01:00"))[0].status == "skipped"


def test_rate_limited_post_waits_retry_after_then_posts(services, client, slack, waits):
    schedule(services)
    slack.fail_next("chat.postMessage", 429, headers={"Retry-After": "7"})
    (outcome,) = poster.run_due(services, client, at("2026-11-30T08:00:00"))
    assert outcome.status == "posted"
    assert waits == [7.0]
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_server_errors_back_off_then_post(services, client, slack, waits):
    schedule(services)
    slack.fail_next("chat.postMessage", 503, body={"ok": False, "error": "service_unavailable"}, times=2)
    (outcome,) = poster.run_due(services, client, at("2026-11-30T08:00:00"))
    assert outcome.status == "posted"
    assert waits == [1.0, 2.0]


def test_a_failed_post_is_retried_within_the_week_with_the_same_principle(services, client, slack, waits):
    schedule(services)
    slack.fail_next("chat.postMessage", 500, body={"ok": False, "error": "internal_error"}, times=3)
    (failed,) = poster.run_due(services, client, at("2026-11-30T08:00:00"))
    assert failed.status == "failed"
    (retried,) = poster.run_due(services, client, at("2026-11-30T08:05:00"))
    assert retried.status == "posted" and retried.principle == failed.principle
    assert len(posts(slack)) == 4  # three refused, one delivered


@pytest.mark.parametrize(
    "channel, fault",
    [
        ("C0GONE", None),
        ("C0GENERAL", "not_in_channel"),
        # Token and permission errors: retrying every few minutes all week would change nothing.
        ("C0GENERAL", "token_revoked"),
        ("C0GENERAL", "account_inactive"),
        ("C0GENERAL", "invalid_auth"),
        ("C0GENERAL", "missing_scope"),
        ("C0GENERAL", "not_authed"),
    ],
)
def test_a_post_slack_refuses_for_good_pauses_and_tells_the_admin_once(services, client, slack, channel, fault):
    schedule(services, channel=channel)
    if fault:
        slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": fault})
    (outcome,) = poster.run_due(services, client, at("2026-11-30T08:00:00"))
    assert outcome.status == STOPPED
    assert not weekly_store.get_schedule(services.store.db, "T0LOCAL", channel).active
    dm = posts(slack, "U0ALICE")[0]
    assert f"paused the weekly principle post for <#{channel}>" in block_text(dm)
    assert f"/lp schedule off <#{channel}>" in block_text(dm)
    assert poster.run_due(services, client, at("2026-11-30T08:05:00")) == []  # the next sweep does not retry
    assert poster.run_due(services, client, at("2026-12-07T08:00:00")) == []
    assert len(posts(slack, "U0ALICE")) == 1


# -- which principle ---------------------------------------------------------------------


def run_weeks(services, client, weeks, start="2026-11-30T08:00:00"):
    chosen = []
    for n in range(weeks):
        (outcome,) = poster.run_due(services, client, at(start) + timedelta(days=7 * n))
        chosen.append(outcome.principle)
    return chosen


@pytest.mark.settings(rotation="sequential")
def test_sequential_goes_in_order_and_starts_again(services, client):
    schedule(services)
    slugs = [p.slug for p in services.catalog]
    assert run_weeks(services, client, 16) == slugs + slugs[:2]


@pytest.mark.settings(rotation="shuffle")
def test_shuffle_shows_each_principle_once_a_round(services, client):
    schedule(services)
    chosen = run_weeks(services, client, 28)
    everything = sorted(p.slug for p in services.catalog)
    assert sorted(chosen[:14]) == everything and sorted(chosen[14:]) == everything
    assert chosen[:14] != [p.slug for p in services.catalog]  # shuffled, not in order
    assert chosen[:14] != chosen[14:]


def test_balanced_never_repeats_within_six_weeks_over_a_full_cycle(services, client):
    schedule(services)
    chosen = run_weeks(services, client, 20)
    for n, slug in enumerate(chosen):
        assert slug not in chosen[max(0, n - 6) : n]


@pytest.mark.settings(daily_kudos=0)
def test_balanced_picks_the_least_recognized(ask, services, client, clock):
    clock.now = at("2026-11-20T10:00:00")
    for principle in [p.slug for p in services.catalog][:13]:
        ask(f"kudos <@U0BOB> {principle} for living this one visibly this month", user="U0CAROL")
    schedule(services)
    (outcome,) = poster.run_due(services, client, at("2026-11-30T08:00:00"))
    # Drawn at random among the three least recognized (Deliver Results had none; then the first two
    # of those with one), and the ledger keeps the set it was drawn from.
    eligible = ("deliver-results", "customer-obsession", "ownership")
    assert outcome.principle in eligible
    row = services.store.db.execute("SELECT eligible FROM weekly_posts WHERE period = '2026-W49'").fetchone()
    assert tuple(row[0].split(",")) == eligible


def test_choose_principle_explains_itself():
    catalog = load_catalog()
    counts = {p.slug: 3 for p in catalog} | {"frugality": 1}
    choice = rotation.choose_principle("balanced", catalog, [], counts, now=CREATED, seed="x")
    assert choice.eligible == ("frugality", "customer-obsession", "ownership")
    # The same channel and week draw the same principle, whoever asks and however often.
    assert rotation.choose_principle("balanced", catalog, [], counts, now=CREATED, seed="x") == choice
    picked = choice.principle
    others = " and ".join(catalog.by_slug(s).name for s in choice.eligible if s != picked.slug).replace(" and ", ", ")
    assert choice.why == (
        f"{counts[picked.slug]} kudos for {picked.name} in the last 8 weeks: among the 3 least recognized lately "
        f"of the 14 not shown here in the last 6 weeks, drawn at random with {others}."
    )
    shown = [LedgerEntry("2025-W52", "frugality", PostStatus.POSTED, "2025-12-22T08:00:00.000000+00:00")]
    assert "frugality" not in rotation.choose_principle("balanced", catalog, shown, counts, now=CREATED, seed="x").eligible


def test_the_draw_over_many_weeks_favours_none_of_the_three():
    from collections import Counter
    from datetime import timedelta as _td

    catalog = load_catalog()
    counts = {p.slug: 3 for p in catalog} | {"frugality": 1, "earn-trust": 1, "dive-deep": 2}
    drawn = Counter(
        rotation.choose_principle("balanced", catalog, [], counts, now=CREATED + _td(weeks=n), seed="C1").principle.slug for n in range(300)
    )
    assert set(drawn) == {"frugality", "earn-trust", "dive-deep"} and min(drawn.values()) >= 70


# -- the post -------------------------------------------------------------------------------


@pytest.mark.settings(rotation="sequential")
def test_the_post_has_the_principle_a_question_a_recap_and_a_button(ask, services, client, slack, clock):
    schedule(services)
    poster.run_due(services, client, at("2026-11-30T08:00:00"))
    clock.now = at("2026-12-02T10:00:00")
    ask("kudos <@U0BOB|bob> customer obsession for calling the customer back himself", user="U0CAROL")
    ask("kudos <@U0DAVE|dave> customer obsession for the accessibility fixes", user="U0CAROL", channel="G0PRIVATE")
    poster.run_due(services, client, at("2026-12-07T08:00:00"))
    first, second = posts(slack)
    text = block_text(second)
    assert second["blocks"][0]["text"]["text"] == "Principle of the week: :key: 2. Ownership"
    assert "Act like the product is yours" in text and "What it looks like on a team" in text
    assert "*This week, ask yourself:* What did you leave slightly better than you found it this week?" in text
    assert "*Last week:* Customer Obsession got 2 kudos." in text
    assert "<@U0CAROL> recognized <@U0BOB>" in text and "calling the customer back himself" in text
    assert "accessibility" not in text  # the private-channel kudos is counted, never quoted
    (button,) = buttons(second)
    assert (button["action_id"], button["value"]) == (RECOGNIZE_ACTION, "ownership")
    assert button["text"]["text"] == "Recognize someone for Ownership"
    assert "Principle 2 of 14, taken in order." in text


@pytest.mark.settings(rotation="sequential")
def test_questions_rotate_each_time_a_principle_returns(services, client, slack):
    schedule(services)
    run_weeks(services, client, 15)
    first, fifteenth = posts(slack)[0], posts(slack)[14]
    questions = services.catalog.principles[0].questions
    assert questions[0] in block_text(first) and questions[1] in block_text(fifteenth)


# -- in Slack -------------------------------------------------------------------------------------


def test_admin_schedules_lists_and_stops(ask, services):
    reply = ask("schedule <#C0RANDOM|random> friday 16:30 America/New_York")
    assert "every Friday at 16:30 America/New_York" in reply["text"]
    saved = weekly_store.get_schedule(services.store.db, "T0LOCAL", "C0RANDOM")
    assert (saved.weekday, saved.time, saved.tz, saved.created_by) == (4, "16:30", "America/New_York", "U0ALICE")
    ask("schedule <#C0GENERAL|general> mon 9:00")
    assert weekly_store.get_schedule(services.store.db, "T0LOCAL", "C0GENERAL").tz == "Europe/London"  # Alice's zone
    listed = block_text(ask("schedule"))
    assert "<#C0RANDOM> — Fridays at 16:30 America/New_York · next: Fri 27 Nov 16:30 · active" in listed
    assert "Stopped" in ask("schedule off <#C0RANDOM|random>")["text"]
    assert weekly_store.get_schedule(services.store.db, "T0LOCAL", "C0RANDOM") is None


def test_the_schedule_list_names_only_channels_the_asker_can_see(ask, slack):
    slack.members["G0PRIVATE"] = {"U0ALICE", "U0CAROL", "U0LPBOT"}
    ask("schedule <#G0PRIVATE|leads> monday 09:00 UTC")
    ask("schedule <#C0GENERAL|general> monday 09:00 UTC")
    inside = block_text(ask("schedule", user="U0CAROL"))
    assert "<#G0PRIVATE> — Mondays at 09:00 UTC" in inside and "<#C0GENERAL> — Mondays at 09:00 UTC" in inside
    outside = block_text(ask("schedule", user="U0BOB"))
    assert "G0PRIVATE" not in outside and "<#C0GENERAL> — Mondays at 09:00 UTC" in outside


def test_only_admins_change_schedules(ask, services):
    refused = ask("schedule <#C0RANDOM|random> friday 16:30", user="U0BOB")
    assert "Only workspace admins" in refused["text"]
    assert "No weekly posts are scheduled" in ask("schedule", user="U0BOB")["text"]  # looking is for everyone
    assert weekly_store.list_schedules(services.store.db) == []


@pytest.mark.settings(admins=frozenset({"U0BOB"}))
def test_people_in_lpbot_admins_change_schedules(ask):
    assert "Scheduled" in ask("schedule <#C0RANDOM|random> friday 16:30", user="U0BOB")["text"]


@pytest.mark.parametrize(
    "text, says",
    [
        ("schedule #general monday 09:00", "Try `/lp schedule #channel"),
        ("schedule <#C0GENERAL|general> someday 09:00", "isn't a weekday"),
        ("schedule <#C0GENERAL|general> monday 25:00", "isn't a time"),
        ("schedule <#C0GENERAL|general> monday 09:00 Mars/Olympus", "isn't a time zone"),
        # Areas alone are folders of zones: zoneinfo raises IsADirectoryError for them.
        ("schedule <#C0GENERAL|general> monday 09:00 Europe", "isn't a time zone"),
        ("schedule <#C0GENERAL|general> monday 09:00 America", "isn't a time zone"),
        ("schedule <#C0GENERAL|general> monday 09:00 Etc", "isn't a time zone"),
        ("schedule <#C0GENERAL|general> monday 09:00 " + "Europe/" * 43, "isn't a time zone"),
        ("schedule off", "Try `/lp schedule #channel"),
    ],
)
def test_schedule_mistakes_say_what_to_type(ask, text, says):
    reply = ask(text)
    assert reply["response_type"] == "ephemeral" and says in reply["text"]


@pytest.mark.settings(rotation="sequential")
def test_week_and_week_next_in_a_channel(ask, services, client, clock):
    assert "no principle of the week yet" in ask("week")["text"]
    schedule(services)
    assert "Coming up in this channel on Mon 30 Nov 09:00: *Customer Obsession*" in ask("week")["text"]
    poster.run_due(services, client, at("2026-11-30T08:00:00"))
    clock.now = at("2026-12-01T12:00:00")
    assert ask("week")["text"].startswith("1. Customer Obsession:")
    assert "Coming up in this channel on Mon 07 Dec 09:00: *Ownership*" in ask("week next")["text"]


def test_the_scheduler_keeps_one_job_per_schedule_and_follows_changes(ask, services, settings, slack):
    schedule(services, tz="Pacific/Auckland")
    scheduler = Scheduler(services, [poster.run_due, digest.run_due], web_client(settings))
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job(job_id("T0LOCAL", "C0GENERAL"))
        # APScheduler keeps real time: the next run is the coming Monday 09:00 in Auckland, whenever this runs.
        local, now = job.next_run_time.astimezone(ZoneInfo("Pacific/Auckland")), datetime.now(UTC)
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
        assert now < job.next_run_time <= now + timedelta(days=7)
        assert str(job.trigger.timezone) == "Pacific/Auckland"
        ask("schedule <#C0RANDOM|random> wednesday 10:15 Europe/Berlin")
        added = scheduler.scheduler.get_job(job_id("T0LOCAL", "C0RANDOM"))
        assert str(added.trigger) == "cron[day_of_week='wed', hour='10', minute='15']"
        assert str(added.trigger.timezone) == "Europe/Berlin"
        ask("schedule off <#C0GENERAL|general>")
        assert scheduler.scheduler.get_job(job_id("T0LOCAL", "C0GENERAL")) is None
    finally:
        scheduler.shutdown()


@pytest.mark.parametrize("slack_time", ["2026-11-30T08:00:01", "2026-11-30T07:48:01", "2026-11-30T08:12:01"])
def test_a_timed_out_post_that_went_out_is_not_posted_again(services, settings, slack, slack_time):
    schedule(services)
    # Slack and the bot agree on the time; or the bot's clock is 12 minutes ahead of Slack's, or behind it.
    slack.wall_clock = at(slack_time).timestamp
    impatient = web_client(settings, services.sleep, timeout=0.3)
    held = slack.hold_next("chat.postMessage")  # Slack posts it, but answers only after the client gave up
    (outcome,) = poster.run_due(services, impatient, at("2026-11-30T08:00:00"))
    assert outcome.status == "uncertain"
    held.set()
    slack.wait_for(lambda calls: slack.calls_to("chat.postMessage")[0].status == 200)
    (settled,) = poster.run_due(services, impatient, at("2026-11-30T08:05:00"))
    assert settled.status == "posted"
    assert slack.delivered == {"C0GENERAL": 1}
    # One history call, within the limits Slack sets distributed apps: 15 messages, a narrow window.
    (looked,) = slack.calls_to("conversations.history")
    assert int(looked.params["limit"]) <= 15
    oldest, latest = float(looked.params["oldest"]), float(looked.params["latest"])
    assert oldest <= at(slack_time).timestamp() <= latest
    assert latest - oldest == (poster.STALE_WINDOW + 2 * poster.CLOCK_SKEW).total_seconds()
    assert weekly_store.entry(services.store.db, "T0LOCAL", "C0GENERAL", "2026-W49").status == "posted"


def test_a_timed_out_post_that_never_arrived_is_sent_again(services, settings, slack):
    schedule(services)
    impatient = web_client(settings, services.sleep, timeout=0.3)
    held = slack.hold_next("chat.postMessage")
    slack.fail_next("chat.postMessage", 500, body={"ok": False, "error": "internal_error"})  # and it is lost
    (outcome,) = poster.run_due(services, impatient, at("2026-11-30T08:00:00"))
    assert outcome.status == "uncertain"
    held.set()
    slack.wait_for(lambda calls: slack.calls_to("chat.postMessage")[0].status == 500)
    (retried,) = poster.run_due(services, web_client(settings, services.sleep), at("2026-11-30T08:05:00"))
    assert retried.status == "posted" and retried.principle == outcome.principle
    assert slack.delivered == {"C0GENERAL": 1}


def test_a_post_whose_process_died_after_sending_is_found_not_repeated(services, client, slack):
    schedule(services)
    monday = at("2026-11-30T08:00:00")
    slack.wall_clock = (monday + timedelta(seconds=1)).timestamp
    (first,) = poster.run_due(services, client, monday)
    # Make it look as if the process died between Slack's answer and writing it down.
    with services.store.write() as db:
        db.execute("UPDATE weekly_posts SET status = 'claimed', posted_at = NULL")
    assert poster.run_due(services, client, monday + timedelta(minutes=5)) == []  # still someone else's claim
    (settled,) = poster.run_due(services, client, monday + timedelta(minutes=20))
    assert settled.status == "posted"
    assert slack.delivered == {"C0GENERAL": 1}


def test_a_stopping_bot_starts_no_further_posts(services, client, slack):
    for n in range(3):
        schedule(services, channel=["C0GENERAL", "C0RANDOM", "G0PRIVATE"][n])
    asked = []

    def stop_after_first():
        asked.append(True)
        return len(asked) > 1

    outcomes = poster.run_due(services, client, at("2026-11-30T08:00:00"), should_stop=stop_after_first)
    assert len(outcomes) == 1 and len(slack.calls_to("chat.postMessage")) == 1
    assert len(poster.run_due(services, client, at("2026-11-30T08:05:00"))) == 2  # the rest go out on the next run
