"""The stand-in is the only fake in the suite; these keep its Slack-like behaviour honest."""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.console.stand_in import RULES
from tests.slack_stand_in import DEMO_CHANNELS, LocalSlack, PostingLimits, SlackSender


def post(slack, channel):
    request = urllib.request.Request(
        slack.api_url + "chat.postMessage",
        data=json.dumps({"channel": channel, "text": "hi"}).encode(),
        headers={"Authorization": "Bearer xoxb-t", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


@pytest.fixture
def limited():
    channels = {**DEMO_CHANNELS, "C000001": "a", "C000002": "b", "C000003": "c"}
    slack = LocalSlack(channels=channels, limits=PostingLimits(per_channel_seconds=1, window_posts=2, window_seconds=60)).start()
    yield slack
    slack.stop()


def test_posting_limits_answer_429_with_a_whole_second_retry_after(limited):
    now = [1000.0]
    limited.clock = lambda: now[0]  # the stand-in's clock, moved by hand: no test waits for a window
    assert post(limited, "C000001") == (200, None)
    now[0] += 0.4
    assert post(limited, "C000001") == (429, "1")  # the same channel within a second: 0.6 s left, rounded up
    assert post(limited, "C000002") == (200, None)
    now[0] += 20.2
    assert post(limited, "C000003") == (429, "40")  # the workspace's 60 s window is used up: 39.4 s left, rounded up
    now[0] += 39.4
    assert post(limited, "C000003") == (200, None)  # a new window
    assert limited.delivered == {"C000001": 1, "C000002": 1, "C000003": 1}


def test_unknown_methods_and_tokens_are_refused_like_slack():
    slack = LocalSlack(valid_tokens={"xoxb-good"}).start()
    try:
        request = urllib.request.Request(slack.api_url + "auth.test", data=b"", headers={"Authorization": "Bearer xoxb-bad"})
        with urllib.request.urlopen(request) as response:
            assert json.loads(response.read()) == {"ok": False, "error": "invalid_auth"}
    finally:
        slack.stop()
    anyone = LocalSlack().start()
    try:
        with urllib.request.urlopen(urllib.request.Request(anyone.api_url + "auth.test", data=b"")) as response:
            assert json.loads(response.read()) == {"ok": False, "error": "not_authed"}
    finally:
        anyone.stop()


# -- it refuses what Slack refuses ------------------------------------------------------------

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}


@pytest.fixture
def api(slack):
    return WebClient(token="xoxb-t", base_url=slack.api_url, retry_handlers=[])


def slack_error(call) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data


@pytest.mark.parametrize(
    "blocks, text",
    [
        ([{"type": "no_such_block"}], "hi"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "hi"),
        ([SECTION] * 51, "hi"),
        ([SECTION], ""),  # blocks need a text fallback
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "a",
                            "placeholder": {"type": "plain_text", "text": "p"},
                            "options": [{"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151}],
                        }
                    ],
                }
            ],
            "hi",
        ),
        # Two buttons with one action_id in one actions block (Block Kit: unique within the block).
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "A"}, "value": "a"},
                        {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "B"}, "value": "b"},
                    ],
                }
            ],
            "hi",
        ),
        # Two blocks with one block_id in one message (Block Kit: unique for each message).
        ([{**SECTION, "block_id": "twice"}, {**SECTION, "block_id": "twice"}], "hi"),
        # A select with 101 options (Block Kit: at most 100).
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "a",
                            "placeholder": {"type": "plain_text", "text": "p"},
                            "options": [{"text": {"type": "plain_text", "text": f"o{n}"}, "value": f"v{n}"} for n in range(101)],
                        }
                    ],
                }
            ],
            "hi",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")  # slack_sdk's own nudge, the point here
def test_messages_slack_would_refuse_are_refused(api, blocks, text):
    assert slack_error(lambda: api.chat_postMessage(channel="C0GENERAL", text=text, blocks=blocks))["error"] == "invalid_blocks"


def test_views_slack_would_refuse_are_refused(api, slack):
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [SECTION] * 101}
    refused = slack_error(lambda: api.views_open(trigger_id=slack.new_trigger_id(), view=modal))
    assert refused["error"] == "invalid_arguments" and "100 blocks" in " ".join(refused["response_metadata"]["messages"])
    home = {"type": "home", "blocks": [{**SECTION, "block_id": "b1"}, {**SECTION, "block_id": "b1"}]}
    refused = slack_error(lambda: api.views_publish(user_id="U0ALICE", view=home))
    assert refused["response_metadata"]["messages"] == ["block_id 'b1' is used by more than one block"]


def test_trigger_ids_expire_after_three_seconds_and_work_once(api, slack):
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [SECTION]}
    assert slack_error(lambda: api.views_open(trigger_id=slack.new_trigger_id(age=3.1), view=modal))["error"] == "expired_trigger_id"
    fresh = slack.new_trigger_id()
    assert api.views_open(trigger_id=fresh, view=modal)["ok"]
    assert slack_error(lambda: api.views_open(trigger_id=fresh, view=modal))["error"] == "exchanged_trigger_id"
    assert slack_error(lambda: api.views_open(trigger_id="made-up", view=modal))["error"] == "invalid_trigger_id"


def test_posting_where_the_bot_is_not(api, slack):
    slack.not_member.add("C0RANDOM")
    assert slack_error(lambda: api.chat_postMessage(channel="C0RANDOM", text="hi"))["error"] == "not_in_channel"
    assert slack_error(lambda: api.chat_postMessage(channel="D0NOBODY", text="hi"))["error"] == "channel_not_found"
    assert slack_error(lambda: api.chat_postMessage(channel="U0DEPLOY", text="hi"))["error"] == "channel_not_found"  # a bot has no DM
    assert api.chat_postMessage(channel="U0BOB", text="hi")["ok"]  # a person does


def test_a_private_channel_is_invisible_to_a_bot_outside_it(api, slack):
    assert api.conversations_info(channel="G0PRIVATE")["channel"]["is_private"] is True
    slack.not_member.add("G0PRIVATE")
    assert slack_error(lambda: api.conversations_info(channel="G0PRIVATE"))["error"] == "channel_not_found"


def test_a_response_url_takes_five_posts(slack):
    url = slack.new_response_url()
    statuses = []
    for n in range(6):
        request = urllib.request.Request(
            url, data=json.dumps({"text": f"reply {n}"}).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses == [200] * 5 + [404]


def test_conversations_history_gives_fifteen_messages_and_one_call_a_minute(api, slack):
    for n in range(20):
        api.chat_postMessage(channel="C0GENERAL", text=f"message {n}")
    history = api.conversations_history(channel="C0GENERAL", limit=100)
    assert len(history["messages"]) == 15 and history["has_more"]
    refused = slack_error(lambda: api.conversations_history(channel="C0GENERAL"))
    assert refused["error"] == "ratelimited"


def test_the_sender_waits_no_longer_than_slack_does():
    with socket.socket() as silent:  # accepts the connection, never answers: an app that never acks
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/slack/events"
        assert SlackSender(url, "s" * 32, LocalSlack()).deadline == 3.0  # Slack's: acknowledge within 3 s
        sender = SlackSender(url, "s" * 32, LocalSlack(), deadline=0.3)
        started = time.monotonic()
        with pytest.raises(OSError):
            sender.command("help")
        assert 0.3 <= time.monotonic() - started < 2.0


# -- every rule the stand-in enforces, each with a refusal -------------------------------------

MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [SECTION]}
HOME = {"type": "home", "blocks": [SECTION]}


def _posted(api) -> str:
    return api.chat_postMessage(channel="C0GENERAL", text="hi")["ts"]


def _stale_hash(api, slack):
    opened = api.views_open(trigger_id=slack.new_trigger_id(), view=MODAL)["view"]
    api.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
    return api.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)  # the hash of before the update


def _uploaded_twice(api, slack):
    ticket = api.files_getUploadURLExternal(filename="a.png", length=3)
    urllib.request.urlopen(urllib.request.Request(ticket["upload_url"], data=b"png")).close()
    files = [{"id": ticket["file_id"], "title": "a"}]
    api.files_completeUploadExternal(files=files, channel_id="C0GENERAL")
    return api.files_completeUploadExternal(files=files, channel_id="C0GENERAL")


def _ephemeral_to_a_non_member(api, slack):
    slack.members["C0RANDOM"].discard("U0BOB")
    return api.chat_postEphemeral(channel="C0RANDOM", user="U0BOB", text="hi")


def _without_the_scope(api, slack):
    slack.granted_scopes = ("chat:write",)
    return api.reactions_add(channel="C0GENERAL", timestamp="1.1", name="clap")


REFUSALS = {
    # rule key: (what to call, the error Slack answers)
    "no_text": (lambda api, slack: api.chat_postMessage(channel="C0GENERAL", text=""), "no_text"),
    "ephemeral_member": (_ephemeral_to_a_non_member, "user_not_in_channel"),
    "text_length": (lambda api, slack: api.chat_postEphemeral(channel="C0GENERAL", user="U0BOB", text="x" * 40_001), "msg_too_long"),
    "update_own": (lambda api, slack: api.chat_update(channel="C0GENERAL", ts="1.000001", text="hi"), "message_not_found"),
    "history_member": (
        lambda api, slack: slack.not_member.add("C0RANDOM") or api.conversations_history(channel="C0RANDOM"),
        "not_in_channel",
    ),
    "view_type": (lambda api, slack: api.views_open(trigger_id=slack.new_trigger_id(), view=HOME), "invalid_arguments"),
    "view_size": (
        lambda api, slack: api.views_publish(
            user_id="U0ALICE",
            view={**HOME, "private_metadata": "", "callback_id": "x", "blocks": [SECTION] * 5, "external_id": "e" * 250_001},
        ),
        "view_too_large",
    ),
    "publish_user": (lambda api, slack: api.views_publish(user_id="", view=HOME), "invalid_arguments"),
    "view_hash": (_stale_hash, "hash_conflict"),
    "reaction_name": (lambda api, slack: api.reactions_add(channel="C0GENERAL", timestamp=_posted(api), name=":clap:"), "invalid_name"),
    "reaction_twice": (
        lambda api, slack: [api.reactions_add(channel="C0GENERAL", timestamp=ts, name="clap") for ts in [_posted(api)] * 2],
        "already_reacted",
    ),
    "upload_arguments": (lambda api, slack: api.files_getUploadURLExternal(filename="a.png", length=0), "missing_argument"),
    "alt_text": (lambda api, slack: api.files_getUploadURLExternal(filename="a.png", length=3, alt_txt="a" * 1001), "alt_txt_too_large"),
    "upload_once": (_uploaded_twice, "file_not_found"),
    "no_such_group": (lambda api, slack: api.usergroups_users_list(usergroup="S0NOSUCH"), "no_such_subteam"),
    "missing_scope": (_without_the_scope, "missing_scope"),
    "step_completion": (
        lambda api, slack: api.api_call("functions.completeError", json={"function_execution_id": "Fx1"}),
        "invalid_arguments",
    ),
}


@pytest.mark.parametrize("rule", sorted(REFUSALS))
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")  # slack_sdk's nudge, for no_text
def test_what_slack_refuses_the_stand_in_refuses(api, slack, rule):
    call, error = REFUSALS[rule]
    assert slack_error(lambda: call(api, slack))["error"] == error


# Rules whose refusals are tested above in their own words.
TESTED_BY = {
    "block_models": test_messages_slack_would_refuse_are_refused,
    "message_blocks": test_messages_slack_would_refuse_are_refused,
    "select_options": test_messages_slack_would_refuse_are_refused,
    "option_value": test_messages_slack_would_refuse_are_refused,
    "unique_block_id": test_messages_slack_would_refuse_are_refused,
    "unique_action_id": test_messages_slack_would_refuse_are_refused,
    "text_fallback": test_messages_slack_would_refuse_are_refused,
    "view_blocks": test_views_slack_would_refuse_are_refused,
    "channel_not_found": test_posting_where_the_bot_is_not,
    "not_in_channel": test_posting_where_the_bot_is_not,
    "private_invisible": test_a_private_channel_is_invisible_to_a_bot_outside_it,
    "response_url": test_a_response_url_takes_five_posts,
    "history_limit": test_conversations_history_gives_fifteen_messages_and_one_call_a_minute,
    "trigger_expiry": test_trigger_ids_expire_after_three_seconds_and_work_once,
    "trigger_once": test_trigger_ids_expire_after_three_seconds_and_work_once,
    "tokens": test_unknown_methods_and_tokens_are_refused_like_slack,
    "rate_limits": test_posting_limits_answer_429_with_a_whole_second_retry_after,
    "ack_deadline": test_the_sender_waits_no_longer_than_slack_does,
}


def test_every_rule_says_where_slack_says_it_and_has_a_refusal_test():
    keys = [rule.key for rule in RULES]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(REFUSALS) | set(TESTED_BY), "a rule without a test, or a test without its rule in RULES"
    assert not set(REFUSALS) & set(TESTED_BY)
    assert all(rule.source and rule.refuses for rule in RULES)
