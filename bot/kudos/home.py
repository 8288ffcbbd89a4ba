"""App Home: the person's own tab, built from their kudos and the groups they belong to."""

from __future__ import annotations

from functools import partial

from slack_sdk import WebClient

from bot import messages
from bot.kudos import rules
from bot.kudos.service import people_count
from bot.refusal import Refusal
from bot.services import Services
from storage import kudos as kudos_store

# Recent kudos shown on the tab.
HOME_RECENT = 5


def home_tab(services: Services, client: WebClient, team_id: str, user_id: str) -> dict:
    """The App Home view of one person."""
    db = services.store.db
    # The person's own tab: kudos they received are theirs to read wherever they were said.
    viewer = kudos_store.Viewer(user_id)
    received = kudos_store.recent_kudos(db, team_id, viewer=viewer, recipient=user_id, limit=HOME_RECENT)
    mix = kudos_store.received_by_principle(db, team_id, user_id)
    given = kudos_store.given_by_principle(db, team_id, user_id)
    groups = home_groups(services, client, team_id, user_id)
    this_month = kudos_store.principle_mix(db, team_id, rules.period_start("month", services.clock()))
    blind_spots = [p for p in services.catalog if not this_month.get(p.slug)]
    return messages.home_view(services.catalog, received, mix, groups, given=given, blind_spots=blind_spots)


HOME_GROUPS = 3


def home_groups(services: Services, client: WebClient, team_id: str, user_id: str) -> list[tuple[str, int, dict[str, int]]]:
    """For App Home: the user groups a person is in (up to three), each as (name, size, its principle
    mix this quarter); the whole workspace when they are in none or groups cannot be read."""
    quarter = rules.period_start("quarter", services.clock())
    db = services.store.db
    try:
        groups = [g for g in services.rosters.groups(client, team_id) if user_id in g.members][:HOME_GROUPS]
    except Refusal:
        groups = []
    if not groups:
        return [("your workspace", 0, kudos_store.principle_mix(db, team_id, quarter))]
    lookup = partial(services.people.lookup, client, team_id)
    return [(f"@{g.handle}", people_count(lookup, g.members), kudos_store.principle_mix(db, team_id, quarter, g.members)) for g in groups]
