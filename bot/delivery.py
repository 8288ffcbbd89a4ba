"""Sending what the core decided: replies through the response_url, messages through the Web API."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.blocks import Reply

if TYPE_CHECKING:  # answers use weekly, which uses delivery: import for type checking only
    from bot.answers import Answer
    from bot.services import Services

log = logging.getLogger(__name__)


def deliver(answer: Answer, respond, client: WebClient) -> None:
    for reply in answer.replies:
        respond(**reply.as_kwargs())
    for user_id, reply in answer.dms:
        send_dm(client, user_id, reply)


def send_dm(client: WebClient, user_id: str, reply: Reply) -> bool:
    """A direct message from the app; a failure is logged, never shown to someone else."""
    try:
        # Posting to a user ID delivers to the app's DM with them (chat:write is enough).
        client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
        return True
    except SlackApiError as error:
        log.warning("could not DM %s: %s", user_id, error.response.get("error"))
        return False


def post_in_channel(client: WebClient, channel_id: str, reply: Reply) -> str | None:
    """Post a message; returns None on success or Slack's error code (e.g. not_in_channel)."""
    try:
        client.chat_postMessage(channel=channel_id, text=reply.text, blocks=reply.blocks)
        return None
    except SlackApiError as error:
        return error.response.get("error") or "unknown_error"


def open_kudos_modal(client: WebClient, services: Services, trigger_id: str, **choices) -> None:
    """Open the kudos modal; `choices` are kudos_modal's (recipients, principle, channel_id, link)."""
    view = blocks.kudos_modal(services.catalog, default_channel=services.settings.kudos_channel, **choices)
    client.views_open(trigger_id=trigger_id, view=view)
