"""The pure functions the listeners lean on, tested directly on hand-made values."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.kudos.rules import local_day, period_start, split_principle
from bot.messages import escape, user_text
from principles import load_catalog

CATALOG = load_catalog("amazon")
UTC = timezone.utc


@pytest.mark.parametrize(
    "text, slug, reason",
    [
        ("dive deep for reading every log line", "dive-deep", "for reading every log line"),
        ("12 for reading every log line", "dive-deep", "for reading every log line"),
        ("#dive-deep thanks", "dive-deep", "thanks"),
        ("Have Backbone; Disagree and Commit for the review", "have-backbone-disagree-and-commit", "for the review"),
        ("ownrship for the rollback", "ownership", "for the rollback"),  # a typo in the first words
        ("frugality", "frugality", ""),
    ],
)
def test_split_principle_takes_the_longest_leading_name(text, slug, reason):
    match, rest = split_principle(CATALOG, text)
    assert (match.principle.slug, rest) == (slug, reason)


def test_split_principle_without_a_principle_suggests_and_keeps_no_reason():
    match, rest = split_principle(CATALOG, "zzz qqq for nothing in particular")
    assert match.principle is None and rest == ""


def test_local_day_is_a_calendar_day_in_the_zone_across_a_dst_change():
    berlin = ZoneInfo("Europe/Berlin")
    # 29 March 2026 in Berlin is 23 hours long: summer time starts at 02:00.
    start, tomorrow = local_day(datetime(2026, 3, 29, 12, tzinfo=UTC), berlin)
    assert start == datetime(2026, 3, 29, tzinfo=berlin) and tomorrow == datetime(2026, 3, 30, tzinfo=berlin)
    assert (tomorrow.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600


def test_local_day_follows_the_zone_not_utc():
    start, _ = local_day(datetime(2026, 11, 25, 14, 30, tzinfo=UTC), ZoneInfo("Pacific/Auckland"))
    assert start.date().isoformat() == "2026-11-26"


@pytest.mark.parametrize(
    "period, expected",
    [
        ("week", datetime(2026, 11, 23, tzinfo=UTC)),
        ("month", datetime(2026, 11, 1, tzinfo=UTC)),
        ("quarter", datetime(2026, 10, 1, tzinfo=UTC)),
        ("year", datetime(2026, 1, 1, tzinfo=UTC)),
        ("all", None),
    ],
)
def test_period_start(period, expected):
    assert period_start(period, datetime(2026, 11, 25, 14, 30, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("R&D <script>", "R&amp;D &lt;script&gt;"),
        ("R&amp;D", "R&amp;D"),  # Slack's own entities are not escaped twice
        ("<!channel> hi", "&lt;!channel&gt; hi"),
        ("abc\u202edef", "abcdef"),
    ],
)
def test_escape_leaves_nothing_that_pings_links_or_reverses(typed, shown):
    assert escape(typed) == shown


@pytest.mark.parametrize(
    "sent, shown",
    [
        ("thanks <@U0BOB|bob>", "thanks <@U0BOB>"),  # a checked mention stays, its label goes
        ("see <#C0GENERAL|general>", "see <#C0GENERAL>"),
        ("<https://evil.example|docs.example.com>", "https://evil.example"),  # no disguised link
        ("<!here> and <!subteam^S123|@eng>", "&lt;!here&gt; and @eng"),  # a group by its handle, never pinged
        ("<!subteam^S123>", "&lt;!subteam^S123&gt;"),
        ("<@nobody>", "&lt;@nobody&gt;"),
    ],
)
def test_user_text_keeps_only_checked_mentions_and_plain_links(sent, shown):
    assert user_text(sent) == shown


def test_equal_counts_share_a_rank_and_a_medal():
    from bot.messages import leaderboard_reply

    text = leaderboard_reply([("U0BOB", 2), ("U0CAROL", 2), ("U0DAVE", 1)], None, "quarter").text
    assert text.splitlines()[1:] == [
        ":first_place_medal: <@U0BOB> — 2",
        ":first_place_medal: <@U0CAROL> — 2",
        ":third_place_medal: <@U0DAVE> — 1",
    ]
