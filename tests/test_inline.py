"""Reading messages and reactions as kudos, and /lp team scopes: the pure functions, on their own."""

import pytest

from bot.kudos.inline import base_emoji, principle_for_emoji, principle_in, read_message
from bot.slack.terms import Roster
from bot.slash.intents import GiveKudos, Leaderboard, ShowLeaderboards, Stats, UsageError, parse
from principles import load_catalog

CATALOG = load_catalog()


@pytest.mark.parametrize(("reaction", "name"), [("clap", "clap"), ("clap::skin-tone-4", "clap"), (":LP-Kudos:", "lp-kudos")])
def test_base_emoji(reaction, name):
    assert base_emoji(reaction) == name


def test_a_message_with_mentions_the_emoji_and_a_principle():
    meant = read_message("<@U0BOB> and <@U0KIM> :clap::skin-tone-2: #ownership thanks for the on-call week", "clap")
    assert meant.recipients == ("U0BOB", "U0KIM") and meant.groups == ()
    assert meant.text == "#ownership thanks for the on-call week"
    match, why = principle_in(CATALOG, meant.text)
    assert match.principle.slug == "ownership" and why == "thanks for the on-call week"


def test_a_group_mention_with_or_without_its_handle():
    meant = read_message("<!subteam^S0ENG|@eng-team> <!subteam^S0OPS> :clap: #frugality for the cheaper CI", "clap")
    assert meant.groups == (Roster("group", "S0ENG", "eng-team"), Roster("group", "S0OPS", ""))


def test_a_principle_tagged_later_in_the_message():
    meant = read_message("<@U0BOB> :clap: thanks for the calm rollback #ownership", "clap")
    match, why = principle_in(CATALOG, meant.text)
    assert match.principle.slug == "ownership" and why == "thanks for the calm rollback"


@pytest.mark.parametrize(
    "text",
    [
        "",
        ":clap: :clap: what a demo",  # applause, nobody named
        "<@U0BOB> lunch?",  # no emoji
        "<@U0BOB> :clapping: #ownership for the work",  # another emoji that starts the same
        "<!channel> :clap: #ownership for the work",  # @channel is not a person
    ],
)
def test_what_is_not_a_kudos(text):
    assert read_message(text, "clap") is None


def test_a_principles_own_emoji():
    assert principle_for_emoji(CATALOG, "key").slug == "ownership"
    assert principle_for_emoji(CATALOG, "mag::skin-tone-2").slug == "dive-deep"
    assert principle_for_emoji(CATALOG, "thumbsup") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "kudos <!subteam^S0ENG|@eng-team> ownership for it",
            GiveKudos((), "ownership for it", (Roster("group", "S0ENG", "eng-team"),)),
        ),
        ("leaderboard <#C0ENG|eng> month", Leaderboard("", "month", Roster("channel", "C0ENG", "eng"))),
        ("top dive deep <!subteam^S0ENG|@eng>", Leaderboard("dive deep", "quarter", Roster("group", "S0ENG", "eng"))),
        ("leaderboard off <#C0ENG|eng>", ShowLeaderboards("C0ENG", False)),
        ("leaderboards on <#C0ENG|eng>", ShowLeaderboards("C0ENG", True)),
        ("stats <!subteam^S0ENG|@eng>", Stats(None, Roster("group", "S0ENG", "eng"))),
    ],
)
def test_team_scopes_in_commands(text, intent):
    assert parse(text) == intent


@pytest.mark.parametrize("text", ["leaderboard off", "leaderboard on eng", "stats eng", "leaderboard <#C0A|a> <#C0B|b>"])
def test_unclear_team_commands_say_what_to_type(text):
    assert isinstance(parse(text), UsageError)


def test_group_members_are_thanked_without_the_giver_bots_or_the_deactivated():
    from bot.kudos.rules import check_recipients
    from bot.refusal import Refusal
    from bot.slack.person import Person

    people = {
        "U0BOB": Person("U0BOB", "Bob"),
        "U0BOT": Person("U0BOT", "Bot", is_bot=True),
        "U0GONE": Person("U0GONE", "Gone", deleted=True),
        "U0ME": Person("U0ME", "Me"),
    }
    recipients, dropped = check_recipients("U0ME", (), people.get, group_members=("U0ME", "U0BOB", "U0BOT", "U0GONE", "U0NOBODY"))
    assert recipients == ("U0BOB",) and dropped is False
    with pytest.raises(Refusal, match="nobody in that group"):
        check_recipients("U0ME", (), people.get, group_members=("U0ME", "U0BOT"))
    with pytest.raises(Refusal, match="up to 30"):
        check_recipients("U0ME", (), people.get, group_members=tuple(f"U0P{i:03d}" for i in range(31)))
    # Someone named alongside the group keeps the usual refusal.
    with pytest.raises(Refusal, match="is a bot"):
        check_recipients("U0ME", ("U0BOT",), people.get, group_members=("U0BOB",))
