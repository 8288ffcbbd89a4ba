"""The kudos modal and its payload reader, with the principle and group pickers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.slack.terms import Roster, checked_user_id, is_group_id
from principles.catalog import Catalog, Principle

KUDOS_MODAL = "kudos_modal"


GROUPS_SELECT = "groups"


# Slack allows 100 options in a static select; a longer catalog is searched as the person types.
STATIC_OPTIONS = 100
FROM_AN_APP = "That message is from an app, not a person: choose who to thank."


PRINCIPLE_SELECT = "principle"


def principle_option(principle: Principle) -> dict:
    # An option's text holds 75 characters; its value (the slug, which the catalog keeps to 150) 150.
    return {"text": {"type": "plain_text", "text": f"{principle.number}. {principle.name}"[:75]}, "value": principle.slug}


def group_options(groups) -> list[dict]:
    """User groups (teams.Group) as menu options: the handle shown, the ID sent back."""
    return [{"text": {"type": "plain_text", "text": f"@{g.handle}"[:75]}, "value": g.id} for g in list(groups)[:STATIC_OPTIONS]]


def principle_options(principles) -> list[dict]:
    return [principle_option(p) for p in list(principles)[:STATIC_OPTIONS]]


def principle_select(catalog: Catalog, chosen: Principle | None) -> dict:
    placeholder = {"type": "plain_text", "text": "Choose a principle"}
    element: dict[str, Any]
    if len(catalog) <= STATIC_OPTIONS:
        element = {"type": "static_select", "options": principle_options(catalog)}
    else:
        # Options come from the app (bot/listeners/options.py), filtered by what is typed.
        element = {"type": "external_select", "min_query_length": 0}
    element.update(action_id=PRINCIPLE_SELECT, placeholder=placeholder)
    if chosen:
        element["initial_option"] = principle_option(chosen)
    return element


@dataclass(frozen=True)
class KudosLimits:
    """The kudos rules' bounds the modal states in its hints: the builders are told them, they do not decide them."""

    min_reason: int
    max_reason: int
    max_people: int


def kudos_modal(
    catalog: Catalog,
    *,
    limits: KudosLimits,
    recipients: tuple[str, ...] = (),
    principle: Principle | None = None,
    channel_id: str | None = None,
    default_channel: str | None = None,
    link: str | None = None,
    link_public: bool = False,
    recipients_hint: str | None = None,
) -> dict:
    """The 'Give kudos' modal. The channel it came from and the linked message travel back with
    the submission in private_metadata (read_kudos_modal reads them): `link_public` says whether the
    message's conversation is a public channel, since a link into a private one may be shown only there."""
    recipients_element: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "recipients",
        "placeholder": {"type": "plain_text", "text": "Choose people"},
    }
    if recipients:
        recipients_element["initial_users"] = [checked_user_id(u) for u in recipients]
    principle_element = principle_select(catalog, principle)
    channel_element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "channel",
        "placeholder": {"type": "plain_text", "text": "Where to thank them"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id or default_channel:
        channel_element["initial_conversation"] = channel_id or default_channel
    return {
        "type": "modal",
        "callback_id": KUDOS_MODAL,
        "private_metadata": json.dumps({"channel": channel_id, "link": link, "link_public": link_public}),
        "title": {"type": "plain_text", "text": "Give kudos"},
        "submit": {"type": "plain_text", "text": "Send kudos"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "recipients",
                # Optional to Slack: a group alone is enough; give_from_form asks for one or the other.
                "optional": True,
                "label": {"type": "plain_text", "text": "Who"},
                "element": recipients_element,
                **({"hint": {"type": "plain_text", "text": recipients_hint}} if recipients_hint else {}),
            },
            {
                "type": "input",
                "block_id": GROUPS_SELECT,
                "optional": True,
                "label": {"type": "plain_text", "text": "Or a whole group"},
                "hint": {"type": "plain_text", "text": f"Everyone in it but you and bots, up to {limits.max_people} people."},
                "element": {
                    "type": "multi_external_select",
                    "action_id": GROUPS_SELECT,
                    "min_query_length": 0,
                    "max_selected_items": 3,
                    "placeholder": {"type": "plain_text", "text": "@eng-team"},
                },
            },
            {
                "type": "input",
                "block_id": "principle",
                "label": {"type": "plain_text", "text": "For which principle"},
                "element": principle_element,
            },
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why"},
                "hint": {
                    "type": "plain_text",
                    "text": f"What did they do? At least {limits.min_reason} characters "
                    f"({limits.min_reason // 2} in Chinese, Japanese or Korean), at most {limits.max_reason:,}.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "min_length": 1,
                    "max_length": 3000,
                    "placeholder": {"type": "plain_text", "text": "Stayed with the outage until the root cause was found"},
                },
            },
            {
                "type": "input",
                "block_id": "channel",
                # Required when there is nowhere else to thank them: no channel it was opened from, none configured.
                "optional": bool(channel_id or default_channel),
                "label": {"type": "plain_text", "text": "Post in"},
                "element": channel_element,
            },
        ],
    }


@dataclass(frozen=True)
class KudosForm:
    """What a person filled in on the kudos modal."""

    recipients: tuple[str, ...]
    groups: tuple[Roster, ...]
    principle: str | None
    reason: str
    channel_id: str | None
    metadata: dict


def read_kudos_modal(view: dict) -> KudosForm:
    values = view.get("state", {}).get("values", {})

    def field_value(block: str, key: str):
        return (values.get(block, {}).get(block) or {}).get(key)

    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    return KudosForm(
        recipients=tuple(field_value("recipients", "selected_users") or ()),
        groups=tuple(
            Roster("group", option["value"], option.get("text", {}).get("text", "").lstrip("@"))
            for option in field_value(GROUPS_SELECT, "selected_options") or ()
            if is_group_id(option.get("value"))
        ),
        principle=(field_value("principle", "selected_option") or {}).get("value"),
        reason=field_value("reason", "value") or "",
        channel_id=field_value("channel", "selected_conversation"),
        metadata=metadata if isinstance(metadata, dict) else {},
    )


CHOOSE_PRINCIPLE = "Choose a principle."


CHOOSE_CHANNEL = "Choose a channel to thank them in."
