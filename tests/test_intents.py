"""The /lp language as pure functions: parse, answer, and the help that documents it."""

import pytest

from bot.slack.person import Person
from bot.slash import answers
from bot.slash.answers import Asker
from bot.slash.intents import Help, ListAll, RandomPick, Search, Show, UsageError, parse
from tests.slack_stand_in import DEMO_USERS

PEOPLE = {u.id: Person(u.id, u.name, u.tz, is_bot=u.is_bot) for u in DEMO_USERS}


@pytest.fixture
def asker():
    return Asker(team_id="T0LOCAL", user_id="U0ALICE", channel_id="C0GENERAL", lookup=PEOPLE.get)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("list", ListAll()),
        ("random", RandomPick()),
        ("show 7", Show("7")),
        ("search customer trust", Search("customer trust")),
        ("dive deep", Show("dive deep")),
        ("list of things", UsageError("Try `/lp list`, or a page: `/lp list 2`.")),
    ],
)
def test_parse(text, intent):
    assert parse(text) == intent


@pytest.mark.parametrize("text", ["show", "search", "find  "])
def test_incomplete_commands_say_what_to_type(text):
    intent = parse(text)
    assert isinstance(intent, UsageError) and "/lp " in intent.message


def test_help_lists_every_subcommand(services, asker):
    (reply,) = answers.answer(Help(), services, asker).replies
    # Every verb parse() understands, listed by hand so a verb missing from USAGE fails here.
    for verb in ("list", "random", "search", "show", "kudos", "thanks", "leaderboard", "stats", "recent", "undo", "dm", "help"):
        assert f"/lp {verb}" in reply.text


def test_random_uses_the_injected_source(services, asker):
    services.rng.seed(1)
    first = answers.answer(RandomPick(), services, asker).replies[0].text
    services.rng.seed(1)
    assert answers.answer(RandomPick(), services, asker).replies[0].text == first
