"""Shortcuts: "Give kudos" from anywhere, and "Give kudos for this message"."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.delivery import open_kudos_modal
from bot.services import Services

log = logging.getLogger(__name__)

GIVE_KUDOS = "give_kudos"
GIVE_KUDOS_FOR_MESSAGE = "give_kudos_for_message"


def register(app: App, services: Services) -> None:
    @app.shortcut(GIVE_KUDOS)
    def give_kudos_shortcut(ack, shortcut, client):
        ack()
        open_kudos_modal(client, services, shortcut["trigger_id"])

    @app.shortcut(GIVE_KUDOS_FOR_MESSAGE)
    def give_kudos_for_message_shortcut(ack, shortcut, client):
        ack()
        message, channel_id = shortcut.get("message", {}), shortcut.get("channel", {}).get("id")
        author = message.get("user")
        # A bot's message has no person to thank; the giver picks someone instead.
        recipients = (author,) if author and not message.get("bot_id") else ()
        link = None
        try:
            link = client.chat_getPermalink(channel=channel_id, message_ts=message.get("ts"))["permalink"]
        except SlackApiError as error:
            log.info("no permalink for the message: %s", error.response.get("error"))
        open_kudos_modal(client, services, shortcut["trigger_id"], recipients=recipients, channel_id=channel_id, link=link)
