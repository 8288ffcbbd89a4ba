"""/lp summary: the kudos you received, by principle, in a DM, for a review."""

from __future__ import annotations

import pytest

from bot.slash.intents import Summary, UsageError, parse
from tests.helpers import block_text


def summary_dm(slack, user: str) -> dict:
    (dm,) = [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == user and "Your kudos," in c.params["text"]]
    return dm


def test_your_summary_comes_by_dm_grouped_by_principle_with_the_words_you_may_read(ask, slack):
    ask("kudos <@U0BOB|bob> ownership for owning the release notes", channel="C0GENERAL")
    ask("kudos <@U0BOB|bob> ownership for taking the pager on a holiday", user="U0CAROL", channel="G0PRIVATE")
    ask("kudos <@U0BOB|bob> frugality for halving the build bill", user="U0DAVE", channel="C0GENERAL")
    ask("kudos <@U0CAROL|carol> dive deep for the long log hunt", channel="C0GENERAL")  # Carol's, not Bob's
    reply = ask("summary", user="U0BOB")
    assert (reply["text"], reply["response_type"]) == ("Your summary of the last 6 months is in your DMs with me.", "ephemeral")
    dm = summary_dm(slack, "U0BOB")
    assert dm["text"] == "Your kudos, the last 6 months: 3"
    text = block_text(dm)
    # Ownership first (two kudos), the private one's words included: they were said to Bob.
    ownership = text.split("*Ownership* — 2\n", 1)[1].split("\n*", 1)[0]
    assert ownership.splitlines() == [
        "• <@U0CAROL>, 2026-11-25: for taking the pager on a holiday",
        "• <@U0ALICE>, 2026-11-25: for owning the release notes",
    ]
    assert "*Frugality* — 1\n• <@U0DAVE>, 2026-11-25: for halving the build bill" in text
    assert "long log hunt" not in text


def test_an_empty_summary_says_so_kindly(ask, slack):
    ask("summary year", user="U0DAVE")
    (dm,) = [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "U0DAVE"]
    assert dm["text"] == (
        "No kudos for you in the last year (to 25 Nov 2026) yet. When someone recognizes you, it shows up here; `/lp recent` shows the team's latest."
    )


@pytest.mark.parametrize(
    "text, intent",
    [
        ("summary", Summary(182, "the last 6 months")),
        ("summary quarter", Summary(91, "the last quarter")),
        ("summary year", Summary(365, "the last year")),
        ("summary 9 months", Summary(274, "the last 9 months")),
        ("summary 1m", Summary(30, "the last month")),
        (
            "summary 30 months",
            UsageError("Try `/lp summary` (the last 6 months), `/lp summary quarter`, `year` or `9 months` (up to 24 months)."),
        ),
        (
            "summary lately",
            UsageError("Try `/lp summary` (the last 6 months), `/lp summary quarter`, `year` or `9 months` (up to 24 months)."),
        ),
    ],
)
def test_the_summary_takes_a_span_in_months(text, intent):
    assert parse(text) == intent
