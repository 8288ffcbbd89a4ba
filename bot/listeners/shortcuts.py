"""Shortcuts: "Give kudos" from anywhere, and "Kudos for this message"."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import messages
from bot.kudos import service
from bot.listeners.guard import guarded
from bot.services import Services
from bot.slack import places
from bot.slack.delivery import open_view
from bot.slack.terms import SLACK_FAILURES, failure_code
from storage.kudos import PUBLIC

log = logging.getLogger(__name__)

GIVE_KUDOS = "give_kudos"
GIVE_KUDOS_FOR_MESSAGE = "give_kudos_for_message"
SLACKBOT = "USLACKBOT"


def register(app: App, services: Services) -> None:
    @app.shortcut(GIVE_KUDOS)
    @guarded
    def give_kudos_shortcut(ack, shortcut, client):
        ack()
        open_view(client, shortcut["trigger_id"], service.kudos_modal_view(services))

    @app.shortcut(GIVE_KUDOS_FOR_MESSAGE)
    @guarded
    def give_kudos_for_message_shortcut(ack, shortcut, client, context):
        ack()
        message, channel = shortcut.get("message") or {}, shortcut.get("channel") or {}
        channel_id = channel.get("id")
        author = message.get("user")
        from_app = bool(message.get("bot_id")) or message.get("subtype") == "bot_message" or author == SLACKBOT
        choices = {
            "recipients": (author,) if author and not from_app else (),
            "recipients_hint": messages.FROM_AN_APP if from_app else None,
            # The picker lists channels only: a DM or group DM cannot be the place to thank publicly.
            "channel_id": channel_id if places.from_command(channel_id, channel.get("name")) in ("public", "private") else None,
        }
        # A trigger_id lives 3 seconds: open the modal first, then look up the link and fill it in.
        opened = open_view(client, shortcut["trigger_id"], service.kudos_modal_view(services, **choices))
        if opened is None:
            return
        try:
            link = client.chat_getPermalink(channel=channel_id, message_ts=message.get("ts"))["permalink"]
        except SLACK_FAILURES as error:
            log.info("no permalink for the message: %s", failure_code(error))
            return
        # Whether the link may travel: only a public channel's may. Asked of Slack (a private channel
        # can have a C ID and its own name here), and private whenever Slack cannot say.
        public = services.places.visibility(client, context.team_id, channel_id) == PUBLIC
        view = service.kudos_modal_view(services, link=link, link_public=public, **choices)
        try:
            client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)
        except SLACK_FAILURES as error:
            # The person may have submitted already (hash_conflict, not_found): the kudos simply has no link.
            log.info("could not add the message link to the modal: %s", failure_code(error))
