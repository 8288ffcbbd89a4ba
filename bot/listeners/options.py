"""Options Slack asks for as someone types in a menu: the principle picker of a long custom catalog."""

from __future__ import annotations

from slack_bolt import App

from bot import messages
from bot.listeners.guard import guarded
from bot.refusal import Refusal
from bot.services import Services
from principles import match_principle, search_principles


def register(app: App, services: Services) -> None:
    @app.options(messages.PRINCIPLE_SELECT)
    @app.options(messages.REACTION_OTHER)
    @guarded
    def principle_options(ack, payload):
        ack(options=messages.principle_options(matching_principles(services, payload.get("value") or "")))

    @app.options(messages.GROUPS_SELECT)
    @guarded
    def group_options(ack, payload, client, context):
        typed = (payload.get("value") or "").strip().lstrip("@").lower()
        try:
            groups = services.rosters.groups(client, context.team_id)
        except Refusal:
            groups = ()  # no usergroups:read here: the menu stays empty, people can still be chosen
        ack(options=messages.group_options(g for g in groups if typed in g.handle.lower()))


def matching_principles(services: Services, typed: str) -> list:
    """What the menu offers for `typed`: everything when empty, else the exact match, then the best hits, then prefixes."""
    catalog = services.catalog
    if not typed.strip():
        return list(catalog)
    found = match_principle(catalog, typed)
    ranked = ([found.principle] if found.principle else []) + list(found.suggestions)
    ranked += search_principles(catalog, typed, limit=messages.STATIC_OPTIONS)
    words = typed.lower().split()
    ranked += [p for p in catalog if all(w in p.name.lower() for w in words)]
    return list(dict.fromkeys(ranked))
