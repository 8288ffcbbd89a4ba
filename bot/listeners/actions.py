"""Buttons on the bot's messages."""

from __future__ import annotations

import re

from slack_bolt import App

from bot import messages
from bot.asker import asker_for
from bot.kudos import conversation, service
from bot.listeners.guard import guarded
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.delivery import deliver, open_view
from bot.slack.terms import checked_user_id


def register(app: App, services: Services) -> None:
    @app.action(messages.SHARE_ACTION)
    @guarded
    def share_principle(ack, action, body, respond):
        ack()
        principle = services.catalog.by_slug(action.get("value", ""))
        if principle is None:
            reply = messages.PRINCIPLE_GONE
        else:
            reply = messages.principle_card(principle, shareable=False, shared_by=checked_user_id(body["user"]["id"]))
        respond(**reply.as_kwargs(), replace_original=False)

    @app.action(messages.RECOGNIZE_ACTIONS)
    @guarded
    def recognize_principle(ack, action, body, client):
        ack()
        principle = services.catalog.by_slug(action.get("value", ""))
        channel_id = (body.get("channel") or {}).get("id")
        open_view(client, body["trigger_id"], service.kudos_modal_view(services, principle=principle, channel_id=channel_id))

    @app.action(messages.GIVE_KUDOS_ACTION)
    @guarded
    def give_kudos_from_home(ack, body, client):
        ack()
        open_view(client, body["trigger_id"], service.kudos_modal_view(services))

    @app.action(messages.DRAFT_ACTIONS)
    @guarded
    def principle_for_draft(ack, body, client, context, respond):
        ack()
        choice = messages.read_draft_choice(body)
        if choice is None:
            return
        team_id = context.team_id or (body.get("team") or {}).get("id")
        user_id = checked_user_id(body["user"]["id"])
        channel_id = (body.get("channel") or {}).get("id")
        asker = asker_for(services, client, team_id, user_id, channel_id=channel_id, response_url=body.get("response_url"))
        try:
            answer = service.give_draft(services, asker, *choice)
        except Refusal as refusal:
            respond(**messages.notice(str(refusal)).as_kwargs(), replace_original=False)
            return
        deliver(answer, respond, client, user_id, channel_id)
        # The question is answered: take it away, so nobody clicks it again.
        respond(delete_original=True)

    @app.action(re.compile(f"^({messages.REACTION_PICK}_\\d+|{messages.REACTION_OTHER})$"))
    @guarded
    def recognize_from_reaction(ack, body, client, context, respond):
        ack()
        choice = messages.read_reaction_choice(body)
        if choice is None:
            return
        try:
            confirmation = conversation.choice_made(services, client, context.team_id, checked_user_id(body["user"]["id"]), choice)
        except Refusal as refusal:
            # The prompt stays, so the person can fix the why or pick again.
            respond(**messages.notice(str(refusal)).as_kwargs(), replace_original=False)
            return
        if confirmation is not None:
            respond(**confirmation.as_kwargs(), replace_original=True)
