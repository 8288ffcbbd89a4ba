"""Events Slack sends without anyone typing a command."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.kudos import conversation, home
from bot.listeners.event_worker import changes_a_place, run_event
from bot.listeners.guard import after_ack
from bot.services import Services
from bot.slack.terms import checked_user_id
from storage import organisations

log = logging.getLogger(__name__)


class SettleOnArrival(Middleware):
    """Acknowledges at once an everyday event with nothing more to do (`conversation.settled_on_arrival`),
    without trying a listener or handing it to a thread: most of a busy channel's events."""

    def __init__(self, services: Services):
        self._services = services

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        if body.get("type") == "event_callback":
            try:
                settled = conversation.settled_on_arrival(self._services, req.context.team_id, body)
            except Exception:
                log.warning("could not look at an event before its listener", exc_info=True)
                settled = False
            if settled:
                return BoltResponse(status=200, body="")  # what Bolt answers for an event it acknowledges
        return next()


def register(app: App, services: Services) -> None:
    # Bolt acknowledges events before their listener runs; the listeners wait on Slack (users.info,
    # posts), so they run after the acknowledgement, off the threads that acknowledge commands.
    later = after_ack(services.listener_pool)

    # Slack delivers events at least once (again after a slow answer, with X-Slack-Retry-Num).
    # A busy channel's events are looked at first, before any listener: a redelivery, chat that
    # thanks nobody and a reaction that means nothing are acknowledged there and then, and only
    # the rest reach the listeners below, each once. Bolt already drops the bot's own events.
    app.use(SettleOnArrival(services))

    def handed(kind: str, event: dict, client: WebClient, context, words: str | None = None) -> None:
        """The event's work after the ack: in the event worker's process when there is one, else here
        on the `later` threads. A change of place is also applied here, where commands ask about places."""
        # The client as Bolt made it for this request: its token, and the team_id it sends with every call.
        job = {
            "kind": kind,
            "team_id": context.team_id,
            "token": client.token,
            "client_team_id": client.default_params.get("team_id"),
            "event": event,
        }
        pool = services.listener_pool
        elsewhere = pool.elsewhere
        if elsewhere is None or changes_a_place(job):
            pool.run_later(lambda: run_event(services, client, job))
        if elsewhere is not None:
            elsewhere.hand_over(job if words is None else {**job, "words": words})

    # The busiest first: Bolt tries listeners in the order they were registered (see register_listeners).

    @app.event("message")
    def message(event, client, context):
        if services.listener_pool.elsewhere is not None:
            conversation.remember_edit(services, context.team_id, event)  # for a later reaction's prompt, here
        handed("message", event, client, context)

    @app.event("reaction_added")
    def reaction_added(event, client, context):
        words = None
        if services.listener_pool.elsewhere is not None:  # what this process heard of the message, for the prompt
            item = event.get("item") or {}
            words = services.heard.words(context.team_id, str(item.get("channel") or ""), str(item.get("ts") or ""))
        handed("reaction_added", event, client, context, words)

    @app.event("reaction_removed")
    def reaction_removed(event, client, context):
        handed("reaction_removed", event, client, context)

    @app.event("app_home_opened")
    @later
    def publish_home(event, client, context):
        if event.get("tab") != "home":
            return
        user_id = checked_user_id(event["user"])
        view = home.home_tab(services, client, context.team_id, user_id)
        client.views_publish(user_id=user_id, view=view)

    @app.event("channel_id_changed")
    def channel_id_changed(event, client, context):
        handed("channel_moved", event, client, context)

    # Enterprise Grid, an org-wide install: the organisation grants the app workspaces, or takes them back.
    @app.event("team_access_granted")
    @later
    def team_access_granted(event, body, context):
        enterprise_id = body.get("enterprise_id") or context.enterprise_id
        teams = [t for t in event.get("team_ids") or [] if isinstance(t, str)]
        if isinstance(enterprise_id, str) and teams:
            with services.store.write() as db:
                for team_id in teams:
                    organisations.remember(db, team_id, enterprise_id, True, services.clock())

    @app.event("team_access_revoked")
    @later
    def team_access_revoked(event, body, context):
        enterprise_id = body.get("enterprise_id") or context.enterprise_id
        teams = [t for t in event.get("team_ids") or [] if isinstance(t, str)]
        if isinstance(enterprise_id, str):
            with services.store.write() as db:
                organisations.forget(db, enterprise_id, teams)
