"""Enterprise Grid: one org-wide install serving every workspace the organisation grants, through the
real app over signed HTTP. The OAuth answer, the commands' and the events' bodies are shaped as Slack's
OAuth v2, slash command and Events API references give them for org-wide installs."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from bot.console.stand_in import DemoUser
from bot.slack.workspaces import installation_store
from bot.weekly import poster
from storage import organisations
from tests.conftest import OAUTH_SECRET as SECRET
from tests.helpers import stored
from tests.slack_stand_in import SlackSender
from tests.test_workspaces import install, schedule_for

MONDAY = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
ORG_TOKEN = "xoxb-E0ORG-installed"


def settled(services):
    assert services.listener_pool.wait_idle(10)


def test_an_org_wide_install_serves_each_granted_workspace_and_stops_where_access_is_revoked(oauth, slack):
    settings, services, server = oauth
    status, _ = install(server, "code-E0ORG")
    assert status == 200
    # slack_sdk's store keeps it under the organisation, with no team of its own.
    bot = installation_store(settings).find_bot(enterprise_id="E0ORG", team_id=None, is_enterprise_install=True)
    assert (bot.bot_token, bot.is_enterprise_install) == (ORG_TOKEN, True)

    org = SlackSender(server.events_url, SECRET, slack, team_id="T0TEAM2", enterprise_id="E0ORG")
    assert org.event({"type": "team_access_granted", "team_ids": ["T0TEAM2", "T0TEAM3"], "event_ts": "1796000000.000100"}).status == 200
    settled(services)
    assert organisations.organisation_of(services.store.db, "T0TEAM3") == organisations.Organisation("E0ORG", True)

    # A Grid person (a W… ID) thanks someone from a granted workspace: stored under that workspace.
    slack.users["W0GRIDBO"] = DemoUser("W0GRIDBO", "gridbob", "Grid Bob")
    sent = org.command("kudos <@W0GRIDBO|gridbob> ownership for owning the org rollout", user="W0GRIDAL")
    assert slack.wait_for_response(sent.response_url).params["text"] == "Kudos to <@W0GRIDBO> for Ownership"
    settled(services)
    (row,) = stored(services)
    assert (row["team_id"], row["giver_id"], row["recipient_id"]) == ("T0TEAM2", "W0GRIDAL", "W0GRIDBO")
    assert {c.token for c in slack.calls_to("users.info")} == {ORG_TOKEN}

    # Weekly posts: each workspace's own, each with the organisation's token.
    schedule_for(services, "T0TEAM2")
    schedule_for(services, "T0TEAM3")
    outcomes = poster.run_due(services, None, MONDAY)
    assert [(o.channel_id, o.status) for o in outcomes] == [("C0GENERAL", "posted"), ("C0GENERAL", "posted")]
    assert [c.token for c in slack.calls_to("chat.postMessage")][-2:] == [ORG_TOKEN, ORG_TOKEN]

    # The organisation takes T0TEAM3 away: its posts stop, T0TEAM2's go on.
    assert org.event({"type": "team_access_revoked", "team_ids": ["T0TEAM3"], "event_ts": "1796000000.000200"}).status == 200
    settled(services)
    assert organisations.organisation_of(services.store.db, "T0TEAM3") is None
    assert services.client_for("T0TEAM3") is None
    assert services.client_for("T0TEAM2").token == ORG_TOKEN


def test_a_request_from_a_grid_workspace_teaches_the_bot_its_organisation(oauth, slack):
    settings, services, server = oauth
    install(server, "code-E0ORG")
    org = SlackSender(server.events_url, SECRET, slack, team_id="T0TEAM4", enterprise_id="E0ORG")
    sent = org.command("help")
    assert sent.status == 200 and sent.json()["text"]  # answered in the ack, through the org's install
    deadline = time.monotonic() + 5
    while organisations.organisation_of(services.store.db, "T0TEAM4") is None and time.monotonic() < deadline:
        time.sleep(0.02)  # polling the bot's own database for the middleware's write
    assert organisations.organisation_of(services.store.db, "T0TEAM4") == organisations.Organisation("E0ORG", True)
    # So a weekly post there, which no request starts, finds the organisation's token.
    schedule_for(services, "T0TEAM4")
    (outcome,) = poster.run_due(services, None, MONDAY)
    assert outcome.status == "posted" and slack.calls_to("chat.postMessage")[-1].token == ORG_TOKEN
