"""Slash commands: /lp and its subcommands."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot import places
from bot.answers import Asker, answer, answered_at_once, remember_public_post
from bot.delivery import deliver
from bot.intents import COMMAND, parse
from bot.listeners.guard import guarded, later
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    @guarded
    def lp_command(ack, command, respond, client, context, args):
        intent = parse(command.get("text", ""))
        # The installing workspace, from Bolt's context: in a Slack Connect channel the
        # payload's own team_id can be the other organisation's.
        team_id = context.team_id or command["team_id"]
        channel_id = command.get("channel_id")
        trigger_id = command.get("trigger_id")
        asker = Asker(
            team_id=team_id,
            user_id=command["user_id"],
            channel_id=channel_id,
            lookup=partial(services.people.lookup, client, team_id),
            visibility=places.from_command(channel_id, command.get("channel_name")),
            request_key=f"command:{trigger_id}" if trigger_id else None,
            members=partial(services.teams.members, client, team_id),
            place=partial(services.places.visibility, client, team_id),
        )
        if answered_at_once(intent):
            # A lookup is ready in well under a millisecond: it is the acknowledgement, with no second request.
            (reply,) = answer(intent, services, asker).replies
            ack(**reply.as_kwargs())
            return
        ack()

        def answer_and_deliver() -> None:
            answered = answer(intent, services, asker)
            if answered.kudos_id is not None and command.get("response_url"):
                # Thanked through the response_url: /lp undo can replace that message for its 30 minutes.
                remember_public_post(services, team_id, answered.kudos_id, channel_id, response_url=command["response_url"])
            deliver(answered, respond, client, asker.user_id, channel_id)

        later(services.listener_pool, args, answer_and_deliver)
