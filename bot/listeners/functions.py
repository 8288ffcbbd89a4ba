"""Workflow Builder: the custom step "Give kudos for a principle" (the manifest's `functions`, `--org` only)."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.asker import asker_for
from bot.kudos import service
from bot.listeners.guard import after_ack
from bot.messages import STEP_FAILED, STEP_NEEDS_GIVER
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.terms import is_channel_id, is_user_id

log = logging.getLogger(__name__)

# The step's callback_id: the manifest's `functions` key (bot/ops/manifest.py) names the same.
GIVE_KUDOS_STEP = "give_kudos"


def register(app: App, services: Services) -> None:
    # Bolt acknowledges function_executed itself; the step waits on Slack (users.info, the post), so it
    # runs after the acknowledgement, as events do, and ends with complete() or fail() either way.
    later = after_ack(services.listener_pool)

    @app.function(GIVE_KUDOS_STEP)
    @later
    def give_kudos_step(event, complete, fail, client, context):
        inputs = event.get("inputs") or {}
        giver, channel = inputs.get("giver"), inputs.get("channel")
        recipients = inputs.get("recipients") or []
        if not is_user_id(giver):
            fail(error=STEP_NEEDS_GIVER)
            return
        asker = asker_for(
            services,
            client,
            context.team_id,
            giver,
            channel_id=channel if is_channel_id(channel) else None,
            # Slack may run a step again after a slow answer: its execution is counted once.
            request_key=f"step:{context.function_execution_id}",
        )
        chosen = tuple(r for r in recipients if isinstance(r, str))
        try:
            given = service.give_from_step(
                services, client, asker, chosen, str(inputs.get("principle") or ""), str(inputs.get("why") or ""), asker.channel_id
            )
        except Refusal as refusal:
            fail(error=refusal.plain)
            return
        except Exception:
            log.exception("the Give kudos step failed")
            fail(error=STEP_FAILED)
            return
        complete(outputs={"kudos_id": str(given.kudos_id), "link": given.link})
