"""Slash commands: /lp and its subcommands."""

from __future__ import annotations

from slack_bolt import App

from bot.asker import asker_for
from bot.listeners.guard import guarded, later
from bot.services import Services
from bot.slack import places
from bot.slack.delivery import deliver
from bot.slash.answers import answer, answered_at_once
from bot.slash.intents import COMMAND, parse


def register(app: App, services: Services) -> None:
    def on_the_request_thread(next):
        # The command acknowledges at once (a lookup's answer, or a bare ack before its work goes to
        # `later`), so it runs where Bolt waits for that acknowledgement (ListenerPool.run_next_here).
        services.listener_pool.run_next_here()
        next()

    @app.command(COMMAND, middleware=[on_the_request_thread])
    @guarded
    def lp_command(ack, command, respond, client, context, args):
        intent = parse(command.get("text", ""))
        # The installing workspace, from Bolt's context: in a Slack Connect channel the
        # payload's own team_id can be the other organisation's.
        team_id = context.team_id or command["team_id"]
        channel_id = command.get("channel_id")
        trigger_id = command.get("trigger_id")
        asker = asker_for(
            services,
            client,
            team_id,
            command["user_id"],
            channel_id=channel_id,
            visibility=places.from_command(channel_id, command.get("channel_name")),
            request_key=f"command:{trigger_id}" if trigger_id else None,
            # A kudos is thanked through it, and /lp undo can replace that message for its 30 minutes.
            response_url=command.get("response_url"),
        )
        if answered_at_once(intent):
            # A lookup is ready in well under a millisecond: it is the acknowledgement, with no second request.
            (reply,) = answer(intent, services, asker).replies
            ack(**reply.as_kwargs())
            return
        ack()

        later(services.listener_pool, args, lambda: deliver(answer(intent, services, asker), respond, client, asker.user_id, channel_id))
