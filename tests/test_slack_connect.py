"""Slack Connect: a channel shared with another organisation. Its people can thank and be thanked, and
are left off leaderboards and insights' reach unless LPBOT_EXTERNAL_ON_BOARDS=on (README, "Your data").

Slack gives no "external" flag: its Slack Connect guide says to tell an external person implicitly, by a
home team_id that is not the installing workspace's (and, on Enterprise Grid, not of its organisation).
"""

from __future__ import annotations

import io
import json

import pytest

from bot import cli
from bot.console.stand_in import DemoUser
from storage import kudos as kudos_store
from storage import organisations

PAT = "U0PAT"  # of the partner organisation, in a channel shared with it
REASON = "for pairing on the partner integration until it shipped"


@pytest.fixture
def partner(slack):
    slack.users[PAT] = DemoUser(PAT, "pat", "Pat Partner", "Europe/Paris", team_id="T0PARTNER")
    return PAT


def thank_across(ask, sender, slack):
    """Alice thanks Pat and Bob; Pat thanks Carol with the modal from the shared channel."""
    ask(f"kudos <@{PAT}|pat> <@U0BOB|bob> ownership {REASON}")
    sender.shortcut("give_kudos", user=PAT)
    view = slack.wait_for_call("views.open").params["view"]
    sent = sender.submit(
        view, user=PAT, from_team="T0PARTNER", recipients=["U0CAROL"], principle="ownership", reason=REASON, channel="C0GENERAL"
    )
    assert (sent.status, sent.body) == (200, "")


def insights(settings, **env: str) -> dict:
    out = io.StringIO()
    env = {"LPBOT_DB": str(settings.db_path), **env}
    assert cli.main(["insights", "--format", "json", "--since", "2026-11-01"], env=env, stdout=out) == 0
    return json.loads(out.getvalue())


def test_the_other_organisations_people_are_thanked_but_left_off_the_boards(ask, sender, slack, services, settings, partner):
    thank_across(ask, sender, slack)
    db = services.store.db
    # Every kudos is stored under the installing workspace, Pat's among them; Pat is noted as outside.
    assert [(r["giver_id"], r["recipient_id"], r["team_id"]) for r in kudos_store.export_rows(db)] == [
        ("U0ALICE", "U0BOB", "T0LOCAL"),
        ("U0ALICE", PAT, "T0LOCAL"),
        (PAT, "U0CAROL", "T0LOCAL"),
    ]
    assert kudos_store.outside_people(db, "T0LOCAL") == {PAT}
    assert ask("leaderboard all")["text"] == (
        "Kudos leaderboard, of all time\n:first_place_medal: <@U0BOB> — 1\n:first_place_medal: <@U0CAROL> — 1"
    )
    found = insights(settings)
    # Two kudos; givers Alice (Pat left out), recognized Bob and Carol, people taking part the three of ours.
    assert (found["kudos"], found["givers"], found["recognized"], found["participants"]) == (2, 1, 2, 3)


@pytest.mark.settings(external_on_boards=True)
def test_with_external_on_boards_they_are_counted_like_anyone(ask, sender, slack, settings, partner):
    thank_across(ask, sender, slack)
    assert ask("leaderboard all")["text"] == (
        "Kudos leaderboard, of all time\n:first_place_medal: <@U0BOB> — 1\n:first_place_medal: <@U0CAROL> — 1\n"
        f":first_place_medal: <@{PAT}> — 1"
    )
    found = insights(settings, LPBOT_EXTERNAL_ON_BOARDS="on")
    assert (found["kudos"], found["givers"], found["recognized"], found["participants"]) == (2, 2, 3, 4)


def test_a_grid_colleague_from_another_workspace_of_our_organisation_is_not_outside(ask, slack, services):
    with services.store.write() as db:
        organisations.remember(db, "T0LOCAL", "E0ACME", False, services.clock())
    slack.users["W0GRID"] = DemoUser("W0GRID", "gia", "Gia Grid", team_id="T0SALES", enterprise_id="E0ACME")
    slack.users["W0AWAY"] = DemoUser("W0AWAY", "abe", "Abe Away", team_id="T0ELSE", enterprise_id="E0OTHER")
    ask(f"kudos <@W0GRID|gia> <@W0AWAY|abe> ownership {REASON}")
    assert kudos_store.outside_people(services.store.db, "T0LOCAL") == {"W0AWAY"}


def test_forgetting_a_person_forgets_that_they_were_outside(ask, sender, slack, services, settings, partner):
    thank_across(ask, sender, slack)
    assert cli.main(["forget", PAT, "--yes"], env={"LPBOT_DB": str(settings.db_path)}) == 0
    assert kudos_store.outside_people(services.store.db, "T0LOCAL") == set()
