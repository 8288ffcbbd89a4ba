"""The kudos modal, opened from the shortcuts, a principle card and App Home, and filled in as a person would."""

import json

import pytest

from bot.kudos.rules import LIMITS
from bot.messages import GIVE_KUDOS_ACTION, KUDOS_MODAL, RECOGNIZE_ACTION, kudos_modal
from principles import load_catalog
from storage import kudos as kudos_store
from tests.helpers import block_text, buttons, field, stored

REASON = "Stayed with the outage until the root cause was found"
CATALOG = load_catalog()


def open_from_shortcut(sender, slack, count=1):
    sent = sender.shortcut("give_kudos")
    assert sent.status == 200
    return slack.wait_for_call("views.open", count).params["view"]


def opened_id(slack, count=1):
    """The id the stand-in gave the `count`-th modal the bot opened."""
    call = slack.wait_for(lambda calls: [c for c in calls if c.method == "views.open" and c.status == 200][count - 1 :])[0]
    return call.response["view"]["id"]


def test_global_shortcut_modal_filled_and_submitted(sender, slack, services):
    view = open_from_shortcut(sender, slack)
    assert view["callback_id"] == KUDOS_MODAL
    assert [b["block_id"] for b in view["blocks"]] == ["recipients", "groups", "principle", "reason", "channel"]
    assert len(field(view, "principle")["element"]["options"]) == 14

    sent = sender.submit(view, recipients=["U0BOB", "U0CAROL"], principle="earn-trust", reason=REASON, channel="C0RANDOM")
    assert (sent.status, sent.body) == (200, "")
    post = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "C0RANDOM"])[0]
    assert "<@U0ALICE> recognized <@U0BOB> and <@U0CAROL> for *:handshake: 11. Earn Trust*" in block_text(post.params)
    assert sorted(r["recipient_id"] for r in stored(services)) == ["U0BOB", "U0CAROL"]
    assert stored(services)[0]["channel_id"] == "C0RANDOM"
    slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "U0CAROL"])


@pytest.mark.parametrize(
    "answers, field, message",
    [
        ({"recipients": ["U0ALICE"]}, "recipients", "can't give them to yourself"),
        ({"recipients": ["U0DEPLOY"]}, "recipients", "Deploy Bot is a bot"),
        ({"reason": "thanks"}, "reason", "at least 10 characters"),
        ({"reason": "y" * 1001}, "reason", "1000 at most"),
        ({"channel": None}, "channel", "Choose a channel"),
    ],
)
def test_problems_are_shown_inline_in_the_modal(sender, slack, services, answers, field, message):
    view = open_from_shortcut(sender, slack)
    sent = sender.submit(view, **{"recipients": ["U0BOB"], "principle": "ownership", "reason": REASON, "channel": "C0GENERAL", **answers})
    assert sent.status == 200
    body = sent.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [field] and message in body["errors"][field]
    assert "<" not in body["errors"][field] and "`" not in body["errors"][field]
    assert stored(services) == []


@pytest.mark.settings(kudos_channel="C0RANDOM")
def test_configured_kudos_channel_is_the_default(sender, slack, services):
    view = open_from_shortcut(sender, slack)
    assert field(view, "channel")["element"]["initial_conversation"] == "C0RANDOM"
    sender.submit(view, recipients=["U0BOB"], principle="ownership", reason=REASON, channel=None)
    slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "C0RANDOM"])


def test_a_double_submit_is_stored_once(sender, slack, services):
    view = open_from_shortcut(sender, slack)
    answers = {"recipients": ["U0BOB"], "principle": "ownership", "reason": REASON, "channel": "C0GENERAL"}
    assert sender.submit(view, **answers).status == 200
    assert sender.submit(view, **answers).status == 200
    assert len(stored(services)) == 1
    public = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "C0GENERAL"]
    assert len(public) == 1


def test_message_shortcut_prefills_the_author_and_links_the_message(sender, slack, services):
    sent = sender.shortcut(
        "give_kudos_for_message",
        channel={"id": "C0GENERAL", "name": "general"},
        message={"type": "message", "user": "U0CAROL", "ts": "1764000000.000100", "text": "Fixed the flaky test"},
    )
    assert sent.status == 200
    slack.wait_for_call("views.update")
    view = slack.open_view(opened_id(slack))
    assert field(view, "recipients")["element"]["initial_users"] == ["U0CAROL"]
    assert field(view, "channel")["element"]["initial_conversation"] == "C0GENERAL"
    sender.submit(view, principle="insist-on-the-highest-standards", reason="Fixed the flaky test for good")
    post = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "C0GENERAL"])[0]
    link = "https://lpbot-local.slack.com/archives/C0GENERAL/p1764000000000100"
    assert f"<{link}|the message>" in block_text(post.params)
    (record,) = kudos_store.recent_kudos(services.store.db, "T0LOCAL", viewer=None)
    assert record.message_link == link and record.recipients == ("U0CAROL",)


def test_recognize_button_on_a_card_chooses_the_principle(ask, sender, slack):
    card = ask("frugality")
    button = next(b for b in buttons(card) if b["action_id"] == RECOGNIZE_ACTION)
    sender.click(button["action_id"], button["value"], channel="C0RANDOM")
    view = slack.wait_for_call("views.open").params["view"]
    assert field(view, "principle")["element"]["initial_option"]["value"] == "frugality"
    assert field(view, "channel")["element"]["initial_conversation"] == "C0RANDOM"


def test_a_channel_the_bot_cannot_post_in_keeps_the_kudos_and_tells_the_giver(sender, slack, services):
    slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "not_in_channel"})
    sender.submit(open_from_shortcut(sender, slack), recipients=["U0BOB"], principle="ownership", reason=REASON, channel="C0RANDOM")
    note = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "U0ALICE"])[0]
    assert "is saved, but I couldn't post it in <#C0RANDOM>" in block_text(note.params)
    assert "/invite @LP Bot" in block_text(note.params)
    assert len(stored(services)) == 1


def test_app_home_shows_kudos_received_and_the_give_button(ask, sender, slack):
    ask("kudos <@U0CAROL> dive deep for reading every single log line")
    sender.event({"type": "app_home_opened", "user": "U0CAROL", "tab": "home"})
    view = slack.wait_for_call("views.publish").params["view"]
    text = block_text(view)
    assert "reading every single log line" in text
    assert "*Your principles*\n`▇▇▇▇▇▇▇▇▇▇` 1 received · `·         ` 0 given — Dive Deep" in text
    # Carol's teams, counts only: both her user groups, with what they were recognized for.
    assert "*@eng-team (3 people) this quarter:* Dive Deep 1" in text and "*@everyone (4 people) this quarter:*" in text
    assert GIVE_KUDOS_ACTION in json.dumps(view)
    # From App Home, as Slack sends it: no channel and no response_url.
    assert sender.click(GIVE_KUDOS_ACTION, "", user="U0CAROL", channel=None).status == 200
    assert slack.wait_for_call("views.open").params["view"]["callback_id"] == KUDOS_MODAL


def test_a_group_chosen_in_the_modal_is_thanked_as_one(sender, slack, services):
    view = open_from_shortcut(sender, slack)
    offered = sender.suggest(view, "groups", "eng").json()["options"]
    assert offered == [{"text": {"type": "plain_text", "text": "@eng-team"}, "value": "S0ENG"}]
    sent = sender.submit(view, recipients=[], groups=[("S0ENG", "@eng-team")], principle="ownership", reason=REASON, channel="C0GENERAL")
    assert (sent.status, sent.body) == (200, "")
    post = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "C0GENERAL"])[0]
    assert "recognized *@eng-team* (2 people)" in block_text(post.params)
    assert sorted(r["recipient_id"] for r in stored(services)) == ["U0BOB", "U0CAROL"]


def test_nobody_and_no_group_is_shown_inline(sender, slack, services):
    view = open_from_shortcut(sender, slack)
    body = sender.submit(view, recipients=[], principle="ownership", reason=REASON, channel="C0GENERAL").json()
    assert body["errors"] == {"recipients": "Choose at least one person, or a group, to thank."}


def test_app_home_shows_the_workspace_when_groups_cannot_be_read(ask, sender, slack):
    slack.granted_scopes = tuple(s for s in slack.granted_scopes if s != "usergroups:read")
    ask("kudos <@U0CAROL> dive deep for reading every single log line")
    sender.event({"type": "app_home_opened", "user": "U0DAVE", "tab": "home"})
    text = block_text(slack.wait_for_call("views.publish").params["view"])
    assert "*your workspace this quarter:* Dive Deep 1" in text


@pytest.mark.parametrize(
    ("source", "posted_in", "link_shown"),
    [
        ({"id": "G0PRIVATE", "name": "leads"}, "C0GENERAL", False),  # a private channel's message, thanked in public
        ({"id": "G0PRIVATE", "name": "leads"}, "G0PRIVATE", True),  # thanked inside that same private channel
        ({"id": "D0ALICEBOB", "name": "directmessage"}, "C0GENERAL", False),  # a DM's message
        ({"id": "C0RANDOM", "name": "random"}, "C0GENERAL", True),  # a public channel's link may travel
    ],
)
def test_a_link_into_a_private_conversation_stays_there(sender, slack, services, source, posted_in, link_shown):
    sent = sender.shortcut(
        "give_kudos_for_message",
        channel=source,
        message={"type": "message", "user": "U0CAROL", "ts": "1764000000.000100", "text": "Took the pager all weekend"},
    )
    assert sent.status == 200
    slack.wait_for_call("views.update")
    view = slack.open_view(opened_id(slack))
    sender.submit(view, principle="ownership", reason="Took the pager all weekend", channel=posted_in)
    post = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == posted_in])[0]
    link = f"https://lpbot-local.slack.com/archives/{source['id']}/p1764000000000100"
    text = block_text(post.params)
    (record,) = kudos_store.recent_kudos(services.store.db, "T0LOCAL", viewer=None)
    if link_shown:
        assert f"<{link}|the message>" in text and record.message_link == link
    else:
        assert source["id"] not in json.dumps(post.params) and "About a message in a private conversation" in text
        assert record.message_link is None


def test_every_input_to_fix_is_shown_at_once(sender, slack, services):
    """Slack shows an error under each block named in `errors`; one round trip should show them all."""
    view = open_from_shortcut(sender, slack)
    body = sender.submit(view, recipients=[], principle=None, reason="short", channel=None).json()
    assert body == {
        "response_action": "errors",
        "errors": {
            "principle": "Choose a principle.",
            "recipients": "Choose at least one person, or a group, to thank.",
            "channel": "Choose a channel to thank them in.",
            "reason": "Say what they did, in at least 10 characters.",
        },
    }
    assert stored(services) == []


def test_the_channel_is_required_only_where_there_is_no_other(sender, slack):
    """From the global shortcut there is no channel to fall back on, so Slack itself asks for one; opened
    from a channel (or with LPBOT_KUDOS_CHANNEL set) it is filled in and may be cleared."""
    assert field(open_from_shortcut(sender, slack), "channel")["optional"] is False
    from_a_channel = kudos_modal(CATALOG, limits=LIMITS, channel_id="C0GENERAL")
    assert field(from_a_channel, "channel")["optional"] is True
    assert field(kudos_modal(CATALOG, limits=LIMITS, default_channel="C0RANDOM"), "channel")["optional"] is True
