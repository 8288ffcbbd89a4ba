"""The stand-in is the only fake in the suite; these keep its Slack-like behaviour honest."""

import json
import urllib.error
import urllib.request

import pytest

from bot.local_slack import DEMO_CHANNELS, LocalSlack, PostingLimits


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
    assert post(limited, "C000001") == (200, None)
    status, retry_after = post(limited, "C000001")  # same channel within a second
    assert status == 429 and retry_after == "1"
    assert post(limited, "C000002") == (200, None)
    status, retry_after = post(limited, "C000003")  # the workspace's window is used up
    assert status == 429 and 1 <= int(retry_after) <= 60
    assert limited.delivered == {"C000001": 1, "C000002": 1}


def test_unknown_methods_and_tokens_are_refused_like_slack():
    slack = LocalSlack(valid_tokens={"xoxb-good"}).start()
    try:
        request = urllib.request.Request(slack.api_url + "auth.test", data=b"", headers={"Authorization": "Bearer xoxb-bad"})
        with urllib.request.urlopen(request) as response:
            assert json.loads(response.read()) == {"ok": False, "error": "invalid_auth"}
    finally:
        slack.stop()
