"""Slash commands: /lp and its subcommands."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.answers import Asker, answer
from bot.commands import COMMAND, parse
from bot.delivery import deliver
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def lp_command(ack, command, respond, client):
        ack()
        asker = Asker(
            team_id=command["team_id"],
            user_id=command["user_id"],
            channel_id=command.get("channel_id"),
            lookup=partial(services.people.lookup, client),
        )
        deliver(answer(parse(command.get("text", "")), services, asker), respond, client)
