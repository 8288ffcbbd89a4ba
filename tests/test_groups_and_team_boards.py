"""Kudos for a whole user group, and leaderboards and stats for one team, through /lp and messages."""

import pytest

from bot.console.stand_in import DemoUser
from storage import kudos as kudos_store
from tests.helpers import block_text, stored

ENG = "<!subteam^S0ENG|@eng-team>"


def test_a_group_is_thanked_as_one_kudos_without_the_giver_or_bots(ask, services):
    reply = ask(f"kudos {ENG} ownership for getting the launch over the line")
    assert "recognized *@eng-team* (2 people) for" in block_text(reply)
    assert "<!subteam" not in block_text(reply), "the post names the group without pinging all of it again"
    rows = stored(services)
    assert sorted(r["recipient_id"] for r in rows) == ["U0BOB", "U0CAROL"]  # Alice gave it; Deploy Bot is a bot
    assert len({r["id"] for r in rows}) == 1
    assert kudos_store.count_given_since(services.store.db, "T0LOCAL", "U0ALICE", services.clock().replace(hour=0)) == 1


def test_a_group_and_people_together(ask, services):
    ask(f"kudos <@U0DAVE|dave> {ENG} ownership for getting the launch over the line")
    assert sorted(r["recipient_id"] for r in stored(services)) == ["U0BOB", "U0CAROL", "U0DAVE"]


def test_a_group_over_thirty_people_is_refused(ask, services, slack):
    crowd = [DemoUser(f"U0P{i:03d}", f"p{i}", f"Person {i}") for i in range(31)]
    slack.users.update({u.id: u for u in crowd})
    slack.groups["S0BIG"] = ("everybody", tuple(u.id for u in crowd))
    reply = ask("kudos <!subteam^S0BIG|@everybody> ownership for the all-hands demo day")
    assert "That's 31 people; a kudos for a group can thank up to 30" in reply["text"]
    assert reply["response_type"] == "ephemeral" and stored(services) == []


def test_an_unknown_group_and_a_missing_scope_are_explained(ask, services, slack):
    assert "couldn't find that user group" in ask("kudos <!subteam^S0NOPE|@ghosts> ownership for haunting the release")["text"]
    slack.granted_scopes = tuple(s for s in slack.granted_scopes if s != "usergroups:read")
    assert "usergroups:read" in ask(f"kudos {ENG} ownership for getting the launch over the line")["text"]
    assert stored(services) == []


def test_an_inline_kudos_for_a_group_names_it(sender, slack, services):
    sender.say("<!subteam^S0ENG> :clap: #ownership thanks for the launch weekend")
    reply = slack.wait_for(lambda calls: [c.params for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts")])[0]
    assert "*@eng-team* (2 people)" in block_text(reply)
    assert services.listener_pool.wait_idle(10)
    assert sorted(r["recipient_id"] for r in stored(services)) == ["U0BOB", "U0CAROL"]


def give_some(ask):
    ask("kudos <@U0BOB|bob> ownership for owning the flaky test until it was fixed")
    ask("kudos <@U0CAROL|carol> ownership for owning the on-call handover notes", user="U0DAVE")
    ask("kudos <@U0CAROL|carol> frugality for cutting the build bill in half", user="U0DAVE")
    ask("kudos <@U0DAVE|dave> frugality for cancelling the unused licences", user="U0BOB")


def test_a_channels_leaderboard_ranks_its_members_only(ask, slack):
    give_some(ask)
    slack.members["C0RANDOM"] = {"U0ALICE", "U0CAROL", "U0DAVE"}
    reply = ask("leaderboard <#C0RANDOM|random>")
    assert "Kudos leaderboard in <#C0RANDOM>" in reply["text"]
    assert "<@U0CAROL> — 2" in reply["text"] and "<@U0DAVE> — 1" in reply["text"] and "U0BOB" not in reply["text"]


def test_a_groups_leaderboard_with_a_principle_and_period(ask):
    give_some(ask)
    reply = ask(f"leaderboard {ENG} ownership all")
    assert "Kudos leaderboard in @eng-team for Ownership, of all time" in reply["text"]
    assert "<@U0BOB> — 1" in reply["text"] and "<@U0CAROL> — 1" in reply["text"] and "U0DAVE" not in reply["text"]


def test_a_teams_stats_are_counts_by_principle(ask):
    give_some(ask)
    reply = ask(f"stats {ENG}")
    assert "Kudos for @eng-team (3 people)" in reply["text"]  # Alice, Bob and Carol: its deploy bot is no person
    assert "Received this quarter:* 3 — Ownership 2, Frugality 1" in reply["text"]
    assert "Not recognized this quarter:*" in reply["text"]


NOT_SHOWN = (
    "I can show a channel's board and stats only to people in it, for a channel I'm in: ask from inside the channel, "
    "or `/invite @LP Bot` there first."
)


def test_a_board_for_a_channel_the_bot_cannot_see_says_what_to_do(ask, slack):
    slack.private.add("C0RANDOM")
    slack.not_member.add("C0RANDOM")
    assert ask("leaderboard <#C0RANDOM|random>")["text"] == NOT_SHOWN


@pytest.mark.parametrize(
    ("command", "seen_inside"),
    [
        ("leaderboard <#G0PRIVATE|leads>", "Kudos leaderboard in <#G0PRIVATE>, this quarter\n:first_place_medal: <@U0CAROL> — 2"),
        (
            "stats <#G0PRIVATE|leads>",
            "Kudos for <#G0PRIVATE> (2 people)\n*Received this quarter:* 2 — Frugality 1, Ownership 1",
        ),  # Alice and Carol: the bot is no person
        ("leaderboard <#C0SECRET|secret>", "Kudos leaderboard in <#C0SECRET>, this quarter\n:first_place_medal: <@U0CAROL> — 2"),
    ],
)
def test_a_private_channels_board_is_for_its_members_only(ask, slack, command, seen_inside):
    give_some(ask)
    slack.channels["C0SECRET"] = "secret"  # private, with a C ID as Slack gives them today
    slack.private.add("C0SECRET")
    for channel in ("G0PRIVATE", "C0SECRET"):
        slack.members[channel] = {"U0ALICE", "U0CAROL", "U0LPBOT"}
    outsider = ask(command, user="U0BOB")
    assert outsider["text"] == NOT_SHOWN and "U0CAROL" not in outsider["text"]
    # A channel that does not exist gets the very same answer: nothing tells the two apart.
    assert ask(command.replace("G0PRIVATE", "G0NOSUCH").replace("C0SECRET", "C0NOSUCH"), user="U0BOB")["text"] == NOT_SHOWN
    # Its members see it.
    inside = ask(command, user="U0CAROL")
    assert inside["text"].startswith(seen_inside)


def test_an_admin_switches_leaderboards_off_in_one_channel(ask):
    give_some(ask)
    assert "Leaderboards are off in <#C0GENERAL>" in ask("leaderboard off <#C0GENERAL|general>")["text"]
    here = ask("leaderboard", channel="C0GENERAL")
    assert "switched off here" in here["text"] and "Frugality 2, Ownership 2" in here["text"] and "<@U0" not in here["text"]
    # Elsewhere the board still ranks; a board *for* that channel does not.
    assert ":first_place_medal:" in ask("leaderboard", channel="C0RANDOM")["text"]
    assert "switched off here" in ask("leaderboard <#C0GENERAL|general>", channel="C0RANDOM")["text"]
    assert "Received all time:* 2" in ask("stats", user="U0CAROL")["text"]  # your own stats stay
    ask("leaderboard on <#C0GENERAL|general>")
    assert ":first_place_medal:" in ask("leaderboard", channel="C0GENERAL")["text"]


def test_only_admins_switch_rankings(ask, services):
    reply = ask("leaderboard off <#C0GENERAL|general>", user="U0BOB")
    assert reply["text"] == (
        "Only workspace admins and the people listed in LPBOT_ADMINS can change where leaderboards are shown. "
        "Ask one of them, or try `/lp stats` for your own kudos."
    )
    assert kudos_store.leaderboards_shown(services.store.db, "T0LOCAL", "C0GENERAL")


HIDE_OR_SHOW = "Try `/lp leaderboard off #channel` to hide leaderboards there, or `/lp leaderboard on #channel`."
ONE_AT_A_TIME = "One channel or group at a time: `/lp leaderboard #channel` or `/lp leaderboard @group`."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("leaderboard off", HIDE_OR_SHOW),
        ("leaderboard off general", HIDE_OR_SHOW),
        ("leaderboard <#C0A|a> <!subteam^S0ENG|@eng>", ONE_AT_A_TIME),
    ],
)
def test_unclear_board_commands_say_what_to_type(ask, text, expected):
    assert ask(text)["text"] == expected
