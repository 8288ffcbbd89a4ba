"""Kudos through /lp over signed HTTP: giving, the rules, and reading them back."""

import json
import threading

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.helpers import block_text, stored

BOB, CAROL, DAVE, ALICE = "<@U0BOB|bob>", "<@U0CAROL|carol>", "<@U0DAVE|dave>", "<@U0ALICE|alice>"


def dms(slack, user):
    return [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == user]


def test_kudos_is_public_stored_and_dmed(ask, services, slack):
    reply = ask(f"kudos {BOB} dive deep for tracing the memory leak to a stale cache")
    assert reply["response_type"] == "in_channel"
    assert reply["text"] == "Kudos to <@U0BOB> for Dive Deep"
    assert "<@U0ALICE> recognized <@U0BOB> for *:mag: 12. Dive Deep*" in block_text(reply)
    assert "> for tracing the memory leak to a stale cache" in block_text(reply)
    (row,) = stored(services)
    assert row["giver_id"] == "U0ALICE" and row["recipient_id"] == "U0BOB" and row["principle"] == "dive-deep"
    assert row["reason"] == "for tracing the memory leak to a stale cache"
    assert row["team_id"] == "T0LOCAL" and row["channel_id"] == "C0GENERAL"
    assert row["created_at"] == "2026-11-25T14:30:00.000000+00:00"
    slack.wait_for(lambda calls: dms(slack, "U0BOB"))
    assert "recognized you for *:mag: 12. Dive Deep* in <#C0GENERAL>" in block_text(dms(slack, "U0BOB")[0])


@pytest.mark.parametrize("verb", ["kudos", "thanks"])
@pytest.mark.parametrize("principle", ["#ownership", "2", "ownership", "ownrship"])
def test_principle_in_any_form(ask, services, verb, principle):
    ask(f"{verb} <@U0BOB> {principle} for owning the outage follow-ups")
    assert [r["principle"] for r in stored(services)] == ["ownership"]


def test_several_recipients_and_the_giver_is_dropped(ask, services):
    reply = ask(f"kudos {BOB}, {CAROL} and {ALICE} disagree and commit for backing the launch plan")
    assert "<@U0BOB> and <@U0CAROL>" in block_text(reply)
    assert sorted(r["recipient_id"] for r in stored(services)) == ["U0BOB", "U0CAROL"]
    assert stored(services)[0]["principle"] == "have-backbone-disagree-and-commit"


def test_the_giver_hears_they_were_left_out(sender, slack):
    sender.command(f"kudos {BOB} {ALICE} frugality for cutting the build bill in half")
    slack.wait_for(lambda calls: len([c for c in calls if c.method == "response_url"]) >= 2)
    note = slack.calls_to("response_url")[1].params
    assert note["response_type"] == "ephemeral" and "I left you out" in note["text"]


SAY_WHY = (
    "Say why, in at least 10 characters (5 in Chinese, Japanese or Korean): what did they do? "
    "For example `/lp kudos @alex ownership for staying with the outage until it was fixed`."
)
IS_A_BOT = " is a bot; kudos are for people. Thank the person behind it instead!"


@pytest.mark.parametrize(
    "text, says",
    [
        (
            f"kudos {ALICE} ownership for being me, always",
            "Kudos are for other people — you can't give them to yourself. Who helped you lately?",
        ),
        ("kudos <@U0LPBOT> ownership for answering all our questions", "<@U0LPBOT>" + IS_A_BOT),
        ("kudos <@U0DEPLOY|deploybot> deliver results for shipping on time", "<@U0DEPLOY>" + IS_A_BOT),
        (
            "kudos <@U0NOBODY> ownership for something worth saying",
            "I couldn't find <@U0NOBODY> in this workspace. Check the mention and try again.",
        ),
        (f"kudos {BOB} ownership", SAY_WHY),
        (f"kudos {BOB} ownership for it", SAY_WHY),
        (f"kudos {BOB} ownership " + "x" * 1001, "That's 1001 characters; please keep the why to 1000 at most."),
        (
            f"kudos {BOB} qwerty for being excellent to everyone",
            "Which principle is your kudos for <@U0BOB> about? Nothing is saved until you pick one.",
        ),
        (f"kudos {BOB}", "For which principle? For example `/lp kudos @alex ownership for fixing the deploy`."),
        (
            "kudos @bob ownership for being excellent",
            "Slack didn't link @bob to a person: type @ and pick them from the list Slack offers (the name turns into a mention), then send it again.",
        ),
        (
            "kudos",
            "Start with the people you want to thank, mentioned with @: "
            "`/lp kudos @alex ownership for staying with the outage until it was fixed` (a whole @group works too).",
        ),
    ],
)
def test_refusals_are_ephemeral_and_store_nothing(ask, services, slack, text, says):
    reply = ask(text)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == says
    assert stored(services) == []
    # ask() returns once the listener is done, so a DM or a post sent after the reply would be seen here.
    assert not slack.calls_to("chat.postMessage")


def test_daily_limit_counts_in_the_givers_time_zone(ask, services, clock):
    # 14:30 UTC on 25 November is 03:30 on the 26th in Auckland, where Dave lives.
    for n in range(5):
        assert ask(f"kudos {BOB} ownership for owning incident number {n}", user="U0DAVE")["response_type"] == "in_channel"
    refused = ask(f"kudos {BOB} ownership for owning incident number 6", user="U0DAVE")
    assert "given your 5 kudos for today" in refused["text"]
    assert "midnight your time, in 20 h 30 min" in refused["text"]
    clock.advance(hours=20, minutes=29)
    assert "given your 5" in ask(f"kudos {BOB} ownership for owning incident seven", user="U0DAVE")["text"]
    clock.advance(minutes=1)
    assert ask(f"kudos {BOB} ownership for owning incident eight", user="U0DAVE")["response_type"] == "in_channel"
    assert len(stored(services)) == 6


@pytest.mark.settings(daily_kudos=0)
def test_no_daily_limit_when_set_to_zero(ask, services):
    for n in range(8):
        ask(f"kudos {CAROL} think big for idea number {n} of many")
    assert len(stored(services)) == 8


def test_the_same_kudos_twice_within_a_minute_is_stored_once(ask, services, clock):
    text = f"kudos {BOB} bias for action for rolling back the bad deploy fast"
    assert ask(text)["response_type"] == "in_channel"
    clock.advance(seconds=30)
    again = ask(text)
    assert again["response_type"] == "ephemeral" and "kept just the one" in again["text"]
    assert len(stored(services)) == 1
    clock.advance(seconds=31)
    assert ask(text)["response_type"] == "in_channel"
    assert len(stored(services)) == 2


INJECTIONS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0TEAM|@devs>",
    "<https://evil.example/login|https://docs.example.com>",
    "&lt;!channel&gt;",
    "<@U0BOB|@channel>",
    "<javascript:alert(1)|click>",
    "*bold* _it_ `code` <#C0GENERAL|general>",
]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_mention_injection_in_the_why_is_inert(ask, slack, injection):
    public = ask(f"kudos {BOB} earn trust for being candid in the review {injection}")
    raw = json.dumps(public) + json.dumps(slack.wait_for(lambda calls: dms(slack, "U0BOB")))
    assert "<!" not in raw
    assert "|https://docs" not in raw and "<https://evil" not in raw and "<javascript" not in raw
    assert "|@channel>" not in raw and "|@devs>" not in raw


def test_checked_mentions_in_the_why_stay_mentions(ask):
    public = ask(f"kudos {BOB} earn trust for pairing with {CAROL} on the fix in <#C0GENERAL|general>")
    assert "pairing with <@U0CAROL> on the fix in <#C0GENERAL>" in block_text(public)


def test_leaderboard_ranks_ties_in_a_stable_order(ask, clock):
    ask(f"kudos {CAROL} ownership for owning the rollout end to end")
    ask(f"kudos {BOB} ownership for owning the database migration", user="U0CAROL")
    ask(f"kudos {DAVE} {BOB} frugality for cutting the cloud bill", user="U0CAROL")
    board = ask("leaderboard")
    assert "this quarter" in board["text"]
    lines = block_text(board).splitlines()
    ranked = [line for line in lines if "—" in line and "<@" in line]
    assert ranked[0].endswith("<@U0BOB> — 2")
    assert [line.split("> —")[0].split("<@")[1] for line in ranked[1:3]] == ["U0CAROL", "U0DAVE"]
    only_frugal = ask("leaderboard frugal all")
    assert "<@U0CAROL>" not in block_text(only_frugal) and "<@U0DAVE> — 1" in block_text(only_frugal)


def test_leaderboard_periods(ask, clock):
    ask(f"kudos {CAROL} think big for the five-year platform vision")
    clock.advance(days=40)  # 4 January 2027: a new quarter, month, week and year
    ask(f"kudos {DAVE} deliver results for shipping the January release")
    assert "<@U0CAROL>" not in block_text(ask("leaderboard"))
    assert "<@U0CAROL>" not in block_text(ask("leaderboard year"))
    assert "<@U0CAROL> — 1" in block_text(ask("leaderboard all"))
    assert "no kudos yet" in ask("leaderboard dive deep week")["text"]


def test_stats_by_principle(ask):
    ask(f"kudos {BOB} ownership for owning the on-call handbook")
    ask(f"kudos {BOB} dive deep for finding the race in the scheduler", user="U0CAROL")
    ask(f"kudos {CAROL} dive deep for reading every log line", user="U0BOB")
    text = block_text(ask(f"stats {BOB}"))
    assert "*Received this quarter:* 2 — Dive Deep 1, Ownership 1" in text
    assert "*Given all time:* 1 — Dive Deep 1" in text
    assert "*Received all time:* 0" in block_text(ask("stats"))


def test_recent_and_filtered_by_principle(ask):
    ask(f"kudos {BOB} ownership for owning the on-call handbook")
    ask(f"kudos {CAROL} frugality for reusing the old cluster")
    recent = block_text(ask("recent"))
    assert recent.index("reusing the old cluster") < recent.index("on-call handbook")
    assert "on-call handbook" not in block_text(ask("recent frugality"))


def test_undo_within_a_day(ask, services, clock):
    ask(f"kudos {BOB} ownership for owning the on-call handbook")
    clock.advance(hours=23)
    assert "withdrawn" in ask("undo")["text"]
    assert stored(services) == []
    ask(f"kudos {BOB} ownership for owning the on-call handbook again")
    clock.advance(hours=25)
    assert "nothing to undo" in ask("undo")["text"]
    assert len(stored(services)) == 1


def test_dm_off_and_on(ask, slack):
    assert "won't message you" in ask("dm off", user="U0BOB")["text"]
    ask(f"kudos {BOB} {CAROL} ownership for owning the launch checklist")
    slack.wait_for(lambda calls: dms(slack, "U0CAROL"))
    assert dms(slack, "U0BOB") == []
    assert "I'll message you" in ask("dm on", user="U0BOB")["text"]
    ask(f"kudos {BOB} ownership for owning the retro actions too")
    slack.wait_for(lambda calls: dms(slack, "U0BOB"))


def test_twenty_concurrent_kudos_are_all_stored(sender, slack, services):
    givers = [f"U{n:04d}GIVER" for n in range(20)]
    results = []

    def give(giver):
        results.append(sender.command(f"kudos {BOB} ownership for owning part {giver} of the migration", user=giver))

    threads = [threading.Thread(target=give, args=(g,)) for g in givers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in results] == [200] * 20
    replies = [slack.wait_for_response(r.response_url).params for r in results]
    assert all(r["response_type"] == "in_channel" for r in replies)
    assert sorted(r["giver_id"] for r in stored(services)) == sorted(givers)


def test_a_storage_failure_gets_an_apology_not_a_traceback(ask, services):
    with services.store.write() as db:
        db.execute("DROP TABLE kudos_recipients")
    reply = ask(f"kudos {BOB} ownership for owning the incident review")
    assert reply["response_type"] == "ephemeral"
    assert "Sorry, something went wrong on my side" in reply["text"]
    assert "Traceback" not in json.dumps(reply)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_kudos_text_gets_a_reply_and_never_a_server_error(sender, slack, text):
    sent = sender.command(f"kudos {BOB} {text}")
    assert sent.status == 200
    reply = slack.wait_for_response(sent.response_url).params
    assert reply["text"]
    assert reply["response_type"] in ("ephemeral", "in_channel")


def test_a_missing_scope_is_explained_not_mistaken_for_an_unknown_person(ask, services, slack):
    slack.fail_next("users.info", 200, body={"ok": False, "error": "missing_scope"})
    reply = ask(f"kudos {CAROL} ownership for owning the release checklist")
    assert reply["response_type"] == "ephemeral"
    assert "it said `missing_scope`" in reply["text"] and "lpbot doctor" in reply["text"]
    assert stored(services) == []


@pytest.mark.settings(leaderboards=False)
def test_with_leaderboards_off_nobody_is_ranked_and_the_team_sees_its_principle_mix(ask):
    ask("kudos <@U0BOB|bob> ownership for owning the flaky test until it was fixed")
    ask("kudos <@U0CAROL|carol> ownership for owning the on-call handover notes", user="U0DAVE")
    ask("kudos <@U0CAROL|carol> frugality for cutting the build bill in half", user="U0DAVE")
    reply = ask("leaderboard")
    assert "Leaderboards are switched off here" in reply["text"] and "Ownership 2, Frugality 1" in reply["text"]
    assert "<@U0" not in reply["text"] and ":first_place_medal:" not in reply["text"]
    assert "Received all time:* 2" in ask("stats", user="U0CAROL")["text"]  # your own stats stay


def test_leaderboards_setting_is_on_or_off():
    from bot.settings import ConfigError, load_settings

    assert load_settings({"LPBOT_LEADERBOARDS": "OFF"}).leaderboards is False
    assert load_settings({}).leaderboards is True
    with pytest.raises(ConfigError, match="LPBOT_LEADERBOARDS must be on or off"):
        load_settings({"LPBOT_LEADERBOARDS": "sometimes"})


# -- the record and what people see agree -----------------------------------------------------------


WITHDRAWN = "~<@U0ALICE> recognized <@U0BOB> for Ownership~ — withdrawn by its giver."


def test_undo_replaces_the_public_thank_you(sender, slack, services):
    sent = sender.command(f"kudos {BOB} ownership for carrying the pager through the holidays")
    slack.wait_for_response(sent.response_url)
    undone = sender.command("undo")
    assert "is withdrawn" in slack.wait_for_response(undone.response_url).params["text"]
    replaced = slack.wait_for(
        lambda calls: [
            c for c in calls if c.method == "response_url" and c.params["_url"] == sent.response_url and c.params.get("replace_original")
        ]
    )[0]
    assert replaced.params["text"] == "A kudos for Ownership was withdrawn" and block_text(replaced.params).endswith(WITHDRAWN)
    assert "carrying the pager" not in str(replaced.params)


def test_undo_after_slack_stopped_taking_edits_says_so(sender, slack, services, clock):
    sent = sender.command(f"kudos {BOB} ownership for carrying the pager through the holidays")
    slack.wait_for_response(sent.response_url)
    clock.advance(minutes=31)  # a response_url takes posts for 30 minutes
    undone = sender.command("undo")
    told = slack.wait_for(lambda calls: [c for c in calls if c.method == "response_url" and c.params["_url"] == undone.response_url][1:])[0]
    assert told.params["text"] == (
        "The thank-you already posted could not be changed (Slack lets me edit it only for a while): delete it yourself if you'd like it gone."
    )
    assert not [c for c in slack.calls_to("response_url") if c.params.get("replace_original")]


def test_recent_for_a_principle_names_it_once_in_bold(ask):
    ask(f"kudos {BOB} ownership for owning the release notes")
    reply = ask("recent ownership")
    assert reply["blocks"][0]["text"]["text"] == "*Latest kudos for Ownership*"
    assert (
        ask("recent frugality")["text"]
        == "No kudos for *Frugality* you can read here yet. Start with `/lp kudos @someone <principle> <why>`."
    )
