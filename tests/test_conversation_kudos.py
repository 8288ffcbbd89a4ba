"""Kudos where the conversation happens: reactions and inline messages, through the real app as Slack sends them."""

import threading

import pytest

from bot.kudos import conversation
from storage import kudos as kudos_store
from tests.helpers import block_text, stored


def rows(services):
    return services.store.db.execute("SELECT id, giver_id, principle, reason, message_link, visibility, request_key FROM kudos").fetchall()


def ephemerals(slack, user):
    return [c.params for c in slack.calls_to("chat.postEphemeral") if c.params.get("user") == user and c.status == 200]


def settle(services):
    assert services.listener_pool.wait_idle(10)


# -- reactions ------------------------------------------------------------------------------------


def test_a_kudos_reaction_prompts_the_reactor_and_one_click_records_it(sender, slack, services):
    message, _ = sender.say("Rolled back the bad deploy and wrote the incident timeline for everyone", user="U0CAROL")
    sender.react("clap", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    assert prompt["user"] == "U0BOB" and prompt["channel"] == "C0GENERAL"
    assert "Recognize <@U0CAROL> for" in block_text(prompt)
    settle(services)
    assert stored(services) == [], "a prompt alone records nothing"

    sent = sender.press(prompt["blocks"], "ownership", user="U0BOB")
    assert sent.status == 200
    confirmation = slack.wait_for_response(sent.response_url).params
    assert confirmation["replace_original"] is True and "Recorded: kudos to <@U0CAROL> for *Ownership*" in block_text(confirmation)
    ((_, giver, principle, reason, link, visibility, key),) = rows(services)
    assert (giver, principle, reason, visibility) == ("U0BOB", "ownership", "for this message", "public")
    assert link.endswith(f"/archives/C0GENERAL/p{message['ts'].replace('.', '')}")
    assert key == f"reaction:C0GENERAL:{message['ts']}:U0BOB:clap"
    # The public thank-you goes under the message, not as a new channel message.
    thread = slack.wait_for(lambda calls: [c.params for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts")])
    assert thread[0]["channel"] == "C0GENERAL" and thread[0]["thread_ts"] == message["ts"]
    assert "<@U0BOB> recognized <@U0CAROL>" in block_text(thread[0])
    slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params.get("channel") == "U0CAROL"])


def test_the_prompt_suggests_principles_from_the_messages_words(sender, slack):
    message, _ = sender.say("I dug into the logs and traced the root cause of the memory leak", user="U0CAROL")
    sender.react("clap::skin-tone-3", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    first_button = next(b for b in prompt["blocks"] if b["type"] == "actions")["elements"][0]
    assert first_button["value"] == "dive-deep"


def test_a_typed_why_is_kept_and_escaped(sender, slack, services):
    message, _ = sender.say("shipped it", user="U0CAROL")
    sender.react("clap", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    sent = sender.press(prompt["blocks"], "bias-for-action", typed={"why": "shipped the fix <!channel> before lunch"}, user="U0BOB")
    slack.wait_for_response(sent.response_url)
    assert rows(services)[0][3] == "shipped the fix &lt;!channel&gt; before lunch"


def test_a_too_short_why_keeps_the_prompt_and_says_why(sender, slack, services):
    message, _ = sender.say("shipped it", user="U0CAROL")
    sender.react("clap", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    sent = sender.press(prompt["blocks"], "ownership", typed={"why": "ok"}, user="U0BOB")
    answer = slack.wait_for_response(sent.response_url).params
    assert answer["replace_original"] is False and "at least 10 characters" in answer["text"]
    assert stored(services) == []


def test_the_other_menu_records_any_principle(sender, slack, services):
    message, _ = sender.say("kept the customer in the loop all week", user="U0CAROL")
    sender.react("clap", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    sent = sender.press(prompt["blocks"], "frugality", user="U0BOB")
    slack.wait_for_response(sent.response_url)
    assert rows(services)[0][2] == "frugality"


@pytest.mark.parametrize(("author", "says"), [("U0BOB", "your own message"), ("U0DEPLOY", "from an app"), (None, "from an app")])
def test_reacting_to_ones_own_or_an_apps_message_is_explained_once(sender, slack, services, author, says):
    message = slack.post_as(author, "C0GENERAL", "deployed v2") if author else {"ts": slack._next_ts(), "text": "hi"}
    sender.react("clap", message, user="U0BOB")
    slack.wait_for_call("chat.postEphemeral")
    sender.react("clap", message, user="U0BOB")
    settle(services)
    (told,) = ephemerals(slack, "U0BOB")
    assert says in told["text"]
    assert stored(services) == []


def test_removing_the_reaction_takes_the_kudos_back_within_the_undo_window(sender, slack, services, clock):
    message, _ = sender.say("wrote the migration runbook", user="U0CAROL")
    sender.react("clap", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    slack.wait_for_response(sender.press(prompt["blocks"], "ownership", user="U0BOB").response_url)
    assert len(stored(services)) == 1
    sender.react("clap", message, user="U0BOB", removed=True)
    slack.wait_for_call("chat.postEphemeral", 2)
    settle(services)
    assert stored(services) == []
    assert kudos_store.leaderboard(services.store.db, "T0LOCAL", None) == []


def test_removing_the_reaction_after_the_window_keeps_the_kudos(sender, slack, services, clock):
    message, _ = sender.say("wrote the migration runbook", user="U0CAROL")
    sender.react("clap", message, user="U0BOB")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    slack.wait_for_response(sender.press(prompt["blocks"], "ownership", user="U0BOB").response_url)
    clock.advance(hours=25)
    sender.react("clap", message, user="U0BOB", removed=True)
    settle(services)
    assert len(stored(services)) == 1


def test_a_redelivered_reaction_prompts_once(sender, slack, services):
    message, _ = sender.say("fixed the flaky test", user="U0CAROL")
    sender.react("clap", message, user="U0BOB", event_id="Ev0SAME")
    sender.react("clap", message, user="U0BOB", event_id="Ev0SAME", retry=1)
    settle(services)
    assert len(ephemerals(slack, "U0BOB")) == 1


def test_other_reactions_cost_nothing(sender, slack, services):
    message, _ = sender.say("lunch?", user="U0CAROL")
    before = len(slack.calls)
    sender.react("dart", message, user="U0BOB")
    sender.react("thumbsup", message, user="U0BOB")
    settle(services)
    assert slack.calls[before:] == [], "a reaction that means nothing here asks Slack nothing"


@pytest.mark.settings(principle_reactions=True)
def test_a_principles_own_emoji_records_directly_when_switched_on(sender, slack, services):
    message, _ = sender.say("dug through three services to find the leak", user="U0CAROL")
    sender.react("mag", message, user="U0BOB")  # Dive Deep's emoji
    told = slack.wait_for_call("chat.postEphemeral").params
    assert "Recorded: kudos to <@U0CAROL> for *Dive Deep*" in told["text"]
    ((_, giver, principle, reason, *_),) = rows(services)
    assert (giver, principle, reason) == ("U0BOB", "dive-deep", "for this message")
    sender.react("mag", message, user="U0BOB", removed=True)
    slack.wait_for_call("chat.postEphemeral", 2)
    settle(services)
    assert stored(services) == []


def test_a_reaction_in_a_private_channel_keeps_its_words_private(sender, slack, services):
    message, _ = sender.say("stayed late to fix payroll", user="U0CAROL", channel="G0PRIVATE")
    sender.react("clap", message, user="U0BOB", channel="G0PRIVATE")
    prompt = slack.wait_for_call("chat.postEphemeral").params
    slack.wait_for_response(sender.press(prompt["blocks"], "ownership", user="U0BOB", channel="G0PRIVATE").response_url)
    assert rows(services)[0][5] == "private"


# -- inline kudos ---------------------------------------------------------------------------------


def test_an_inline_kudos_is_recorded_and_answered_in_its_thread(sender, slack, services):
    message, sent = sender.say("<@U0BOB> <@U0CAROL> :clap: #ownership thanks for carrying the on-call week", user="U0ALICE")
    assert sent.status == 200
    reply = slack.wait_for(lambda calls: [c.params for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts")])[0]
    assert reply["thread_ts"] == message["ts"] and "recognized <@U0BOB> and <@U0CAROL> for *Ownership*" in block_text(reply)
    assert "carrying the on-call" not in block_text(reply), "the message is its own thank-you; the bot does not repeat it"
    settle(services)
    assert sorted(r["recipient_id"] for r in stored(services)) == ["U0BOB", "U0CAROL"]
    (row,) = {(r["reason"], r["visibility"], r["principle"]) for r in stored(services)}
    assert row == ("thanks for carrying the on-call week", "public", "ownership")


def test_an_inline_kudos_names_the_principle_by_name_too(sender, slack, services):
    sender.say("<@U0BOB> :clap: dive deep for finding the real cause of the outage")
    slack.wait_for_call("chat.postMessage")
    settle(services)
    assert stored(services)[0]["principle"] == "dive-deep"


def test_a_redelivered_message_event_is_recorded_and_answered_once(sender, slack, services):
    message = slack.post_as("U0ALICE", "C0GENERAL", "<@U0BOB> :clap: #frugality for halving the CI bill this month")
    event = {**message, "channel": "C0GENERAL", "channel_type": "channel"}
    sender.event(event, event_id="Ev0ONE")
    sender.event(event, event_id="Ev0ONE", retry=1)
    sender.event(event, event_id="Ev0TWO")  # even a new event_id for the same message: the message is the key
    settle(services)
    assert len(stored(services)) == 1
    assert len([c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1


def test_editing_an_inline_kudos_updates_it_and_deleting_withdraws_it(sender, slack, services):
    message, _ = sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    slack.wait_for_call("chat.postMessage")
    settle(services)
    sender.edit(message, "<@U0BOB> <@U0CAROL> :clap: #frugality for the smooth and cheap database migration")
    settle(services)
    assert {(r["recipient_id"], r["principle"]) for r in stored(services)} == {("U0BOB", "frugality"), ("U0CAROL", "frugality")}
    assert kudos_store.principle_mix(services.store.db, "T0LOCAL", None) == {"frugality": 2}
    assert "now for <@U0BOB> and <@U0CAROL>" in ephemerals(slack, "U0ALICE")[-1]["text"]
    # The thank-you under the message shows the new version.
    (update,) = slack.calls_to("chat.update")
    assert update.params["text"] == ":moneybag: <@U0ALICE> recognized <@U0BOB> and <@U0CAROL> for *Frugality*."
    sender.delete(message)
    settle(services)
    assert stored(services) == []
    assert "took the kudos back" in ephemerals(slack, "U0ALICE")[-1]["text"]


def test_an_edit_that_removes_the_emoji_withdraws_and_one_that_adds_it_records(sender, slack, services):
    message, _ = sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    settle(services)
    sender.edit(message, "<@U0BOB> for the smooth database migration")
    settle(services)
    assert stored(services) == []
    plain, _ = sender.say("<@U0CAROL> #ownership for reviewing every pull request today")
    settle(services)
    assert stored(services) == []
    sender.edit(plain, "<@U0CAROL> :clap: #ownership for reviewing every pull request today")
    settle(services)
    assert [r["recipient_id"] for r in stored(services)] == ["U0CAROL"]


def test_edits_after_the_undo_window_change_nothing(sender, slack, services, clock):
    message, _ = sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    settle(services)
    clock.advance(hours=25)
    sender.delete(message)
    settle(services)
    assert len(stored(services)) == 1


def test_a_near_miss_gets_a_private_hint_with_suggestions(sender, slack, services):
    sender.say("<@U0BOB> :clap: #velocity for the smooth database migration")
    hint = slack.wait_for_call("chat.postEphemeral").params
    assert hint["user"] == "U0ALICE" and "velocity" in hint["text"] and "(`#bias-for-action`)" in hint["text"]
    settle(services)
    assert stored(services) == []


@pytest.mark.parametrize(
    "text",
    [
        "great work today :clap: :clap:",  # the emoji alone: applause, not a kudos
        "<@U0BOB> see you at lunch",  # a mention alone
        "<@U0BOB> :thumbsup: #ownership for the migration runbook",  # another emoji
    ],
)
def test_ordinary_messages_are_left_alone(sender, slack, services, text):
    before = len(slack.calls)
    sender.say(text)
    settle(services)
    assert stored(services) == [] and slack.calls[before:] == []


def test_messages_from_bots_and_other_subtypes_are_ignored(sender, slack, services):
    text = "<@U0BOB> :clap: #ownership for the smooth database migration"
    sender.event(
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0OTHER",
            "text": text,
            "ts": "1.1",
            "channel": "C0GENERAL",
            "channel_type": "channel",
        }
    )
    sender.event(
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U0DAVE",
            "text": text,
            "ts": "1.2",
            "channel": "C0GENERAL",
            "channel_type": "channel",
        }
    )
    sender.event({"type": "message", "user": "U0ALICE", "text": text, "ts": "1.3", "channel": "D0ALICE", "channel_type": "im"})
    # The bot's own messages (its thread replies quote nobody's words, but still): Bolt drops them.
    sender.event(
        {
            "type": "message",
            "user": "U0LPBOT",
            "bot_id": "B0LPBOT",
            "text": text,
            "ts": "1.4",
            "channel": "C0GENERAL",
            "channel_type": "channel",
        }
    )
    sender.event({"type": "message", "user": "U0LPBOT", "text": text, "ts": "1.5", "channel": "C0GENERAL", "channel_type": "channel"})
    settle(services)
    assert stored(services) == []


def test_a_thread_broadcast_counts_and_is_answered_in_its_thread(sender, slack, services):
    parent, _ = sender.say("release notes for v3")
    message = slack.post_as("U0CAROL", "C0GENERAL", "<@U0BOB> :clap: #ownership for writing the release notes", thread_ts=parent["ts"])
    sender.event({**message, "subtype": "thread_broadcast", "channel": "C0GENERAL", "channel_type": "channel"})
    reply = slack.wait_for(lambda calls: [c.params for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts")])[0]
    assert reply["thread_ts"] == parent["ts"]
    settle(services)
    assert stored(services)[0]["giver_id"] == "U0CAROL"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("<@U0ALICE> :clap: #ownership for my own great migration work", "can't give them to yourself"),
        ("<@U0DEPLOY> :clap: #ownership for deploying all day long", "is a bot"),
        ("<@U0BOB> :clap: #ownership ty", "at least 10 characters"),
    ],
)
def test_inline_refusals_are_private_and_store_nothing(sender, slack, services, text, says):
    sender.say(text)
    told = slack.wait_for_call("chat.postEphemeral").params
    assert told["user"] == "U0ALICE" and says in told["text"]
    settle(services)
    assert stored(services) == []


def test_inline_kudos_keep_the_daily_limit(sender, slack, services):
    for i in range(5):
        sender.say(f"<@U0BOB> :clap: #ownership for migration step number {i}")
    settle(services)
    sender.say("<@U0BOB> :clap: #ownership for migration step number six")
    told = slack.wait_for_call("chat.postEphemeral").params
    assert "You've given your 5 kudos for today" in told["text"]
    assert len(stored(services)) == 5


@pytest.mark.settings(inline_kudos=False)
def test_inline_kudos_can_be_switched_off(sender, slack, services):
    sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    settle(services)
    assert stored(services) == []


@pytest.mark.settings(inline_reply="reaction")
def test_an_inline_kudos_can_be_answered_with_a_reaction(sender, slack, services):
    message, _ = sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    slack.wait_for_call("reactions.add")
    settle(services)
    assert slack.reactions == [("C0GENERAL", message["ts"], "key")]  # Ownership's emoji
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]


@pytest.mark.settings(kudos_emoji="lp-kudos")
def test_a_custom_kudos_emoji(sender, slack, services):
    sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    settle(services)
    assert stored(services) == []
    sender.say("<@U0BOB> :lp-kudos: #ownership for the smooth database migration")
    settle(services)
    assert len(stored(services)) == 1


def test_an_inline_kudos_in_a_private_channel_is_private(sender, slack, services):
    sender.say("<@U0BOB> :clap: #ownership for the payroll fix nobody saw", channel="G0PRIVATE")
    settle(services)
    assert stored(services)[0]["visibility"] == "private"


# -- only people give kudos -----------------------------------------------------------------------


def test_slackbot_reminding_a_channel_gives_no_kudos(sender, slack, services):
    # A reminder Slackbot posts in the inline form: a message from USLACKBOT, with no bot_id.
    sender.say("<@U0BOB> :clap: #ownership thanks for taking the on-call week", user="USLACKBOT")
    settle(services)
    assert stored(services) == []
    assert [c for c in slack.calls if c.method in ("chat.postMessage", "chat.postEphemeral")] == []


@pytest.mark.settings(principle_reactions=True)
def test_an_apps_bot_user_adding_a_principle_emoji_gives_no_kudos(sender, slack, services):
    message, _ = sender.say("dug through three services to find the leak", user="U0CAROL")
    sender.react("mag", message, user="U0DEPLOY")  # Dive Deep's emoji, added by an app's bot user
    settle(services)
    assert stored(services) == []
    assert [c for c in slack.calls if c.method in ("chat.postMessage", "chat.postEphemeral")] == []


@pytest.mark.settings(principle_reactions=True)
def test_a_channel_made_private_keeps_its_kudos_private_from_then_on(sender, slack, services):
    before, _ = sender.say("dug through three services to find the leak", user="U0CAROL", channel="C0RANDOM")
    sender.react("mag", before, user="U0BOB", channel="C0RANDOM")
    slack.wait_for_call("chat.postEphemeral")
    settle(services)
    assert [r["visibility"] for r in stored(services)] == ["public"]
    # An admin converts #random to a private channel: Slack says so with a message of this subtype.
    slack.private.add("C0RANDOM")
    sender.event(
        {
            "type": "message",
            "subtype": "channel_convert_to_private",
            "channel": "C0RANDOM",
            "channel_type": "group",
            "user": "U0ALICE",
            "text": "made this channel private",
            "ts": "1764100000.000100",
        }
    )
    settle(services)
    after, _ = sender.say("traced the slow query to a missing index", user="U0CAROL", channel="C0RANDOM")
    sender.react("key", after, user="U0BOB", channel="C0RANDOM")  # Ownership's: not the same kudos twice
    slack.wait_for_call("chat.postEphemeral", 2)
    settle(services)
    # The new kudos is private, and so is the earlier one: Slack hides the channel's history from outsiders now.
    assert [r["visibility"] for r in stored(services)] == ["private", "private"]


def test_a_channel_given_a_new_id_keeps_its_kudos(sender, slack, services):
    message, _ = sender.say("<@U0BOB> :clap: #ownership thanks for the calm rollback", user="U0CAROL", channel="C0RANDOM")
    settle(services)
    assert [r["channel_id"] for r in stored(services)] == ["C0RANDOM"]
    sender.event(
        {"type": "channel_id_changed", "old_channel_id": "C0RANDOM", "new_channel_id": "C0RANDOM2", "event_ts": "1764100000.000200"}
    )
    settle(services)
    assert [r["channel_id"] for r in stored(services)] == ["C0RANDOM2"]


def test_deleting_an_inline_kudos_changes_its_thank_you_in_the_thread(sender, slack, services):
    message, _ = sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    thanks = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts")])[0]
    settle(services)
    sender.delete(message)
    settle(services)
    (update,) = slack.calls_to("chat.update")
    assert update.status == 200 and update.params["channel"] == "C0GENERAL"  # the withdrawal
    posted = next(m for m in slack.history["C0GENERAL"] if m.get("thread_ts") == message["ts"] or m["text"] == update.params["text"])
    assert posted["text"] == "A kudos for Ownership was withdrawn" and thanks.params["thread_ts"] == message["ts"]


def test_an_inline_kudos_that_names_no_principle_stores_nothing(sender, slack, services):
    sender.say("<@U0BOB> :clap: for fixing the flaky build today", user="U0CAROL")
    told = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postEphemeral" and c.params.get("user") == "U0CAROL"])[0]
    settle(services)
    assert stored(services) == []
    assert told.params["text"].startswith("That looks like a kudos, but it names no principle, so I saved nothing. Your words fit *")
    assert "Bias for Action" not in told.params["text"]
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]


def test_the_same_inline_kudos_twice_in_a_minute_is_answered_as_the_command_is(sender, slack, services):
    sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    settle(services)
    sender.say("<@U0BOB> :clap: #ownership for the smooth database migration")
    told = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postEphemeral" and c.params.get("user") == "U0ALICE"])[0]
    assert told.params["text"] == "You sent exactly these kudos a moment ago, so I kept just the one. :slightly_smiling_face:"
    assert len(stored(services)) == 1


# -- the first look, before any listener ------------------------------------------------------------

CHANNEL = {"channel": "C0GENERAL", "channel_type": "channel", "ts": "1790000000.000100"}
ON_A_MESSAGE = {"item": {"type": "message", "channel": "C0GENERAL", "ts": "1790000000.000100"}, "item_user": "U0CAROL"}
EVERYDAY = [
    ("chat", {"type": "message", "user": "U0ALICE", "text": "lunch at noon?", **CHANNEL}, True),
    ("a reaction that means nothing", {"type": "reaction_added", "user": "U0BOB", "reaction": "thumbsup", **ON_A_MESSAGE}, True),
    ("its removal", {"type": "reaction_removed", "user": "U0BOB", "reaction": "thumbsup", **ON_A_MESSAGE}, True),
    ("a join", {"type": "message", "subtype": "channel_join", "user": "U0DAVE", "text": "joined", **CHANNEL}, True),
    ("an app's post", {"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER", "text": "<@U0BOB> :clap: hi", **CHANNEL}, True),
    (
        "a DM to the app",
        {"type": "message", "user": "U0ALICE", "text": "<@U0BOB> :clap: #ownership", **CHANNEL, "channel_type": "im"},
        True,
    ),
    ("an inline kudos", {"type": "message", "user": "U0ALICE", "text": "<@U0BOB> :clap: #ownership for the fix", **CHANNEL}, False),
    ("a kudos reaction", {"type": "reaction_added", "user": "U0BOB", "reaction": "clap", **ON_A_MESSAGE}, False),
    ("its removal too", {"type": "reaction_removed", "user": "U0BOB", "reaction": "clap::skin-tone-3", **ON_A_MESSAGE}, False),
    ("an edit", {"type": "message", "subtype": "message_changed", "message": {"ts": "1.1", "text": "x"}, **CHANNEL}, False),
    ("a deletion", {"type": "message", "subtype": "message_deleted", "deleted_ts": "1.1", **CHANNEL}, False),
    ("a channel made private", {"type": "message", "subtype": "channel_convert_to_private", **CHANNEL}, False),
]


@pytest.mark.parametrize("event, settled", [pytest.param(e, s, id=name) for name, e, s in EVERYDAY])
def test_the_first_look_settles_what_needs_nothing_more_and_every_redelivery(services, event, settled):
    body = {"type": "event_callback", "team_id": "T0LOCAL", "event_id": "Ev0FIRST", "event": event}
    assert conversation.settled_on_arrival(services, "T0LOCAL", body) is settled
    assert conversation.settled_on_arrival(services, "T0LOCAL", body) is True, "the same event_id again is a redelivery"


def test_events_other_than_a_channels_everyday_ones_go_to_their_listener(services):
    body = {"type": "event_callback", "event_id": "Ev0HOME", "event": {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}}
    assert conversation.settled_on_arrival(services, "T0LOCAL", body) is False
    assert conversation.settled_on_arrival(services, "T0LOCAL", body) is False, "app_home_opened is not deduplicated here"


def test_chat_is_acknowledged_without_a_listener_thread_and_still_feeds_suggestions(sender, slack, services):
    def listener_threads():
        # Thread objects, not names: an earlier test's pool threads carry the same names and may still be
        # exiting while this test runs, so only a thread that was not there before counts as started here.
        return {t for t in threading.enumerate() if t.name.startswith(("lpbot-listener", "lpbot-after-ack"))}

    before = listener_threads()
    message, sent = sender.say("I dug into the logs and traced the root cause of the memory leak", user="U0CAROL")
    thumbs = sender.react("thumbsup", message, user="U0BOB")
    assert (sent.status, sent.body, thumbs.status, thumbs.body) == (200, "", 200, "")
    assert listener_threads() - before == set(), "chat and a meaningless reaction start no listener"
    sender.react("clap", message, user="U0BOB")
    settle(services)
    assert listener_threads() - before, "a kudos reaction does"
    (prompt,) = ephemerals(slack, "U0BOB")
    first_button = next(b for b in prompt["blocks"] if b["type"] == "actions")["elements"][0]
    assert first_button["value"] == "dive-deep", "the words the first look remembered chose the suggestions"
