"""/lp over real, signed HTTP requests against the real app and the local Slack stand-in."""

import json
import time
import urllib.request

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.messages import RECOGNIZE_ACTION, SHARE_ACTION
from tests.helpers import block_text, buttons


def test_bare_command_shows_help(ask):
    reply = ask("")
    assert reply["response_type"] == "ephemeral"
    assert "/lp list" in block_text(reply) and "/lp search" in block_text(reply)


def test_help(ask):
    assert "/lp random" in block_text(ask("help"))


def test_list_shows_every_principle_in_order(ask, services):
    text = block_text(ask("list"))
    positions = [text.index(p.name) for p in services.catalog]
    assert positions == sorted(positions)


@pytest.mark.parametrize("text", ["12", "dive deep", "show dive-deep", "#dive-deep", "dive dep"])
def test_principle_card(ask, text):
    reply = ask(text)
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": ":mag: 12. Dive Deep", "emoji": True}}
    assert "What it looks like on a team" in block_text(reply)
    assert [b["action_id"] for b in buttons(reply)] == [SHARE_ACTION, RECOGNIZE_ACTION]


def test_random_shows_a_card(ask, services):
    reply = ask("random")
    assert any(reply["text"].startswith(f"{p.number}. {p.name}:") for p in services.catalog)


def test_search(ask):
    reply = ask("search root cause")
    assert "Dive Deep" in block_text(reply)
    assert "Principles for “root cause”" in reply["text"]


def test_unknown_principle_suggests_three(ask):
    reply = ask("de")
    assert reply["response_type"] == "ephemeral"
    text = reply["text"]
    assert "“de”" in text and text.count("• `/lp ") == 3


def test_share_in_channel_posts_publicly_and_names_the_sharer(ask, sender, slack):
    card = ask("frugality")
    share = buttons(card)[0]
    clicked = sender.click(share["action_id"], share["value"], user="U0BOB")
    assert clicked.status == 200
    shared = slack.wait_for_response(clicked.response_url).params
    assert shared["response_type"] == "in_channel"
    assert shared["replace_original"] is False
    assert "Shared by <@U0BOB>" in block_text(shared)
    assert not buttons(shared)


def test_share_of_a_removed_principle_explains(sender, slack):
    clicked = sender.click(SHARE_ACTION, "no-such-principle")
    reply = slack.wait_for_response(clicked.response_url).params
    assert reply["response_type"] == "ephemeral"
    assert "no longer in the catalog" in reply["text"]


@pytest.mark.parametrize(
    "hostile",
    [
        "<!channel>",
        "<!here>",
        "<!subteam^S123|devs>",
        "<@U0BOB>",
        "<https://evil.example|docs.example.com>",
        "x & y > z",
        "search <!everyone>",
        "'; DROP TABLE kudos; --",
    ],
)
def test_user_text_is_never_echoed_unescaped(ask, hostile):
    reply = ask(hostile)
    raw = json.dumps(reply)
    # A user mention whose ID checks out is shown as a mention (never with a label that could lie);
    # nothing else typed is acted on.
    assert "<!" not in raw and "<@U0BOB|" not in raw and "<https://evil" not in raw
    assert reply["response_type"] == "ephemeral"


@pytest.mark.parametrize(
    "odd",
    ["a" * 4000, "\x00\x01\x07 bell", "🚀🔥 think big 🚀", "\n\n\t", "7 7 7", "show " + "x" * 3990],
)
def test_odd_input_gets_a_helpful_reply(ask, odd):
    reply = ask(odd)
    assert reply["text"]
    assert len(reply["text"]) < 3000


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_gets_a_reply_and_never_a_server_error(sender, slack, text):
    sent = sender.command(text)
    assert sent.status == 200
    reply = slack.wait_for_response(sent.response_url).params
    assert reply["text"]
    assert reply["response_type"] == "ephemeral"


def test_forged_signature_is_refused(sender, slack):
    sent = sender.command("7", signature="v0=" + "0" * 64)
    assert sent.status == 401
    assert not slack.calls_to("response_url")


def test_ten_minute_old_request_is_refused(sender, slack):
    sent = sender.command("7", timestamp=int(time.time()) - 600)
    assert sent.status == 401
    assert not slack.calls_to("response_url")


def test_app_home_lists_the_principles(sender, slack):
    sent = sender.event({"type": "app_home_opened", "user": "U0CAROL", "tab": "home", "channel": "D0CAROL"})
    assert sent.status == 200
    published = slack.wait_for_call("views.publish").params
    assert published["user_id"] == "U0CAROL"
    assert published["view"]["type"] == "home"
    assert "Customer Obsession" in block_text(published["view"])


def test_healthz_reports_database_and_migrations(server):
    with urllib.request.urlopen(server.url + "/healthz") as response:
        assert response.status == 200
        report = json.loads(response.read())
    file_state = report.pop("database_file")
    assert file_state["file"] == "ok" and file_state["writable"] is True and file_state["free_bytes"] > 0
    assert report == {
        "status": "ok",
        "database": "ok",
        "migrations": "applied",
        "scheduler": "not started",
        "last_weekly_post": None,
        "replication": {"configured": False},
    }


def test_the_bot_token_goes_to_slack_as_a_bearer_header(ask, sender, slack):
    sender.event({"type": "app_home_opened", "user": "U0CAROL", "tab": "home"})
    published = slack.wait_for_call("views.publish")
    assert published.token == "xoxb-test-token" and published.token_in_header
