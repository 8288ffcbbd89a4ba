"""What is said in private stays with the people who could already read it; counts may travel."""

from __future__ import annotations

import pytest

from bot import messages
from bot.app import web_client
from bot.slack import places
from bot.weekly import poster
from storage import Store
from storage import kudos as kudos_store
from storage.migrations import migrations
from tests.helpers import block_text

BOB, CAROL, DAVE = "<@U0BOB|bob>", "<@U0CAROL|carol>", "<@U0DAVE|dave>"


@pytest.fixture
def places_to_talk(slack):
    """A private channel with a C ID (as Slack gives them today), and a DM between Alice and the app."""
    slack.channels["C0SECRET"] = "secret-project"
    slack.private.add("C0SECRET")
    slack.dms.add("D0ALICE")
    return slack


@pytest.fixture
def kudos_everywhere(ask, places_to_talk):
    ask(f"kudos {BOB} ownership for the public postmortem write-up", channel="C0GENERAL")
    ask(f"kudos {BOB} ownership for the layoffs spreadsheet clean-up", channel="C0SECRET")
    ask(f"kudos {CAROL} ownership for the reorg slides nobody may see", channel="G0PRIVATE")
    ask(f"kudos {DAVE} ownership for covering my sick leave quietly", channel="D0ALICE")


def test_each_kudos_records_where_it_was_said(kudos_everywhere, services):
    rows = {r["reason"].split()[2]: r["visibility"] for r in kudos_store.export_rows(services.store.db)}
    assert rows == {"public": "public", "layoffs": "private", "reorg": "private", "my": "dm"}


def test_recent_in_a_public_channel_shows_only_public_words_and_counts_the_rest(kudos_everywhere, ask):
    reply = ask("recent", user="U0CAROL", channel="C0RANDOM")
    text = block_text(reply)
    assert "public postmortem" in text
    # Carol is a recipient of the reorg kudos, so she may read that one; the others are not hers.
    assert "reorg slides" in text
    for secret in ("layoffs", "sick leave", "C0SECRET", "D0ALICE"):
        assert secret not in text
    assert "2 kudos were given in private conversations" in text


def test_recent_inside_the_private_conversation_shows_its_own_words(kudos_everywhere, ask):
    text = block_text(ask("recent", user="U0DAVE", channel="C0SECRET"))
    assert "layoffs spreadsheet" in text  # said here, read here
    assert "reorg slides" not in text


def test_givers_and_recipients_read_their_own_private_kudos_anywhere(kudos_everywhere, ask):
    giver = block_text(ask("recent", user="U0ALICE", channel="C0RANDOM"))
    assert all(words in giver for words in ("layoffs", "reorg", "sick leave"))
    recipient = block_text(ask("recent", user="U0BOB", channel="C0RANDOM"))
    assert "layoffs" in recipient and "sick leave" not in recipient


def test_stats_and_leaderboards_show_counts_never_words(kudos_everywhere, ask):
    text = block_text(ask(f"stats {BOB}", user="U0DAVE", channel="C0RANDOM")) + block_text(ask("leaderboard", user="U0DAVE"))
    assert "Ownership 2" in text  # both of Bob's kudos count, the private one too
    for secret in ("layoffs", "secret", "C0SECRET"):
        assert secret not in text


def test_app_home_shows_the_person_their_kudos_wherever_given(kudos_everywhere, sender, slack):
    sender.event({"type": "app_home_opened", "user": "U0BOB", "tab": "home"})
    text = block_text(slack.wait_for_call("views.publish").params["view"])
    assert "layoffs spreadsheet" in text and "public postmortem" in text
    assert "reorg" not in text


@pytest.mark.settings(rotation="sequential")
def test_the_weekly_recap_never_quotes_a_private_channel_with_a_c_id(ask, services, slack, clock, places_to_talk):
    from tests.test_weekly import at, posts, schedule

    client = web_client(services.settings, services.sleep)
    schedule(services)
    poster.run_due(services, client, at("2026-11-30T08:00:00"))
    clock.now = at("2026-12-02T10:00:00")
    ask(f"kudos {BOB} customer obsession for the churn numbers before the board saw them", channel="C0SECRET")
    poster.run_due(services, client, at("2026-12-07T08:00:00"))
    text = block_text(posts(slack)[-1])
    assert "Customer Obsession got 1 kudos" in text  # the count travels
    assert "churn" not in text and "<@U0ALICE> recognized" not in text  # the words do not


@pytest.mark.parametrize(
    "channel, slack_says, visibility",
    [
        ("C0GENERAL", None, "public"),
        ("C0SECRET", None, "private"),  # a C id, and private all the same
        ("C0GENERAL", "missing_scope", "private"),  # Slack will not describe it: hidden, to be safe
    ],
)
def test_a_modal_kudos_takes_the_visibility_of_the_channel_it_is_posted_in(
    sender, slack, services, places_to_talk, channel, slack_says, visibility
):
    if slack_says:
        slack.fail_next("conversations.info", 200, body={"ok": False, "error": slack_says})
    sender.shortcut("give_kudos")
    view = slack.wait_for_call("views.open").params["view"]
    sender.submit(view, recipients=["U0BOB"], principle="ownership", reason="Kept the launch on track", channel=channel)
    slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == channel])
    (row,) = kudos_store.export_rows(services.store.db)
    assert row["visibility"] == visibility


def test_existing_kudos_are_settled_once_per_channel_and_unknowns_stay_private(tmp_path, slack, settings, places_to_talk):
    path = tmp_path / "old.db"
    path.touch()  # a Store's connections never create a file: only open() does, at start-up
    old = Store(path)
    migrations.apply(old.db, stop_before="m004_visibility_and_request_keys")
    for n, channel in enumerate(["C0GENERAL", "C0GENERAL", "C0SECRET", "D0ALICE", "C0GONE", None]):
        old.db.execute(
            "INSERT INTO kudos (team_id, giver_id, principle, reason, channel_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            ["T0LOCAL", "U0ALICE", "ownership", f"reason {n}", channel, f"2026-01-0{n + 1}T00:00:00+00:00"],
        )
        old.db.execute(
            "INSERT INTO kudos_recipients (kudos_id, team_id, recipient_id, principle, created_at) VALUES (?, ?, ?, ?, ?)",
            [n + 1, "T0LOCAL", "U0BOB", "ownership", f"2026-01-0{n + 1}T00:00:00+00:00"],
        )
    old.db.conn.commit()
    old.close()

    store = Store(path).open()
    viewer = kudos_store.Viewer("U0CAROL", "C0RANDOM")
    # Before Slack is asked, nothing is shown to anyone but the people in it.
    assert kudos_store.recent_kudos(store.db, "T0LOCAL", viewer=viewer) == []
    client = web_client(settings)
    settled = places.settle_unknown(store, lambda team: client)
    assert settled == {"public": 2, "private": 2, "dm": 1}
    asked = sorted(c.params["channel"] for c in slack.calls_to("conversations.info"))
    assert asked == ["C0GENERAL", "C0GONE", "C0SECRET", "D0ALICE"]  # once per distinct channel
    by_reason = {r["reason"]: r["visibility"] for r in kudos_store.export_rows(store.db)}
    assert by_reason == {
        "reason 0": "public",
        "reason 1": "public",
        "reason 2": "private",
        "reason 3": "dm",
        "reason 4": "private",  # channel_not_found: Slack would not say, so it stays hidden
        "reason 5": "none",
    }
    assert places.settle_unknown(store, lambda team: client) == {}  # nothing left to ask
    store.close()


@pytest.mark.parametrize(
    "name, expected", [("privategroup", "private"), ("directmessage", "dm"), ("mpdm-a--b-1", "dm"), ("general", "public")]
)
def test_a_slash_command_says_where_it_was_typed(name, expected):
    assert places.from_command("C0123", name) == expected


def test_bidirectional_overrides_cannot_reverse_a_thank_you(ask, slack):
    reply = ask(f"kudos {BOB} ownership for fixing \u202eecnatsni eht\u202c the payments \u2067bug\u2069 today")
    text = block_text(reply)
    assert not any(ch in text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "ecnatsni eht" in text and "the payments bug today" in text
    assert messages.escape("a\u202eb\u2066c") == "abc"


def test_recent_counts_what_it_left_out_only_over_the_span_it_shows(fresh_db):
    from datetime import datetime, timedelta, timezone

    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for n in range(30):
        kudos_store.insert_kudos(
            fresh_db, team_id="T1", giver_id="U0GIVER", recipients=("U0BOB",), principle="ownership",
            reason=f"reason {n}", channel_id="C1", message_link=None, created_at=start + timedelta(hours=n),
            visibility="private" if n % 3 == 0 else "public",
        )  # fmt: skip
    viewer = kudos_store.Viewer("U0CAROL", "C0ELSEWHERE")
    shown = kudos_store.recent_kudos(fresh_db, "T1", viewer=viewer, limit=10)
    assert [r.reason for r in shown][:2] == ["reason 29", "reason 28"] and len(shown) == 10
    # The ten public kudos shown span hours 16-29; the private ones among them are 18, 21, 24 and 27.
    assert kudos_store.count_hidden_from(fresh_db, "T1", viewer, since=shown[-1].created_at) == 4
    assert kudos_store.count_hidden_from(fresh_db, "T1", viewer) == 10
    assert kudos_store.count_hidden_from(fresh_db, "T1", viewer, most=3) == 3
