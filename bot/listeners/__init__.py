"""Every Slack listener, grouped by kind; each group registers itself on the app."""

from __future__ import annotations

import logging
import sqlite3

from slack_bolt import App

from bot.listeners.guard import describe
from bot.messages import APOLOGY
from bot.services import Services
from storage import describe_failure

log = logging.getLogger(__name__)


def register_listeners(app: App, services: Services) -> None:
    # Imported here, not above: the event worker's process imports this package for its own module and
    # needs none of the groups (the commands' answers bring matplotlib, half a second of start-up).
    from bot.listeners import actions, commands, events, functions, options, shortcuts, views

    # In order of traffic. Bolt tries listeners in the order they were registered, and trying one that
    # does not match costs as much as building all its arguments: a channel's message used to pass
    # twelve before its own (a quarter of its CPU in the profile of bench/ack_latency.py's events).
    commands.register(app, services)
    events.register(app, services)
    actions.register(app, services)
    functions.register(app, services)
    options.register(app, services)
    shortcuts.register(app, services)
    views.register(app, services)

    @app.error
    def apologise(error, body, respond):
        # Listeners answer their own failures (guard.guarded); this catches what fails around them
        # (a middleware). The person hears that it failed, and the log gets the detail they must not see.
        advice = describe_failure(error) if isinstance(error, sqlite3.Error) else None
        log.error(
            "request failed for %s%s", describe(body if isinstance(body, dict) else {}), f": {advice}" if advice else "", exc_info=error
        )
        if respond is not None and isinstance(body, dict) and body.get("response_url"):
            try:
                respond(**APOLOGY.as_kwargs(), replace_original=False)
            except Exception:  # the apology is best effort; the error is logged above
                log.warning("could not send the apology", exc_info=True)
