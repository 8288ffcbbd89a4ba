"""Slash commands: /lp and its subcommands."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import COMMAND, answer, parse
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def lp_command(ack, command, respond):
        ack()
        reply = answer(parse(command.get("text", "")), services)
        respond(**reply.as_kwargs())
