"""The stand-in is the only fake in the suite; these keep its Slack-like behaviour honest."""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

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
    assert slack_error(lambda: api.views_open(trigger_id=fresh, view=modal))["error"] == "invalid_trigger_id"
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
