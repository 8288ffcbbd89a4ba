"""The app factory: settings in, a ready Bolt app out. Nothing here runs at import."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.listeners import register_listeners
from bot.listeners.event_worker import EventWorker, run_event
from bot.ops.doctor import BOT_SCOPES
from bot.ops.replication import ReplicationStatus
from bot.services import Services, utc_now
from bot.settings import Settings
from bot.slack.retries import Sleep, retry_handlers
from bot.slack.workspaces import InstalledWorkspaces, installation_store, state_store
from principles import load_catalog
from storage import Store, organisations
from storage.organisations import Organisation

SLACK_API_URL = "https://slack.com/api/"


def build_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    sleep: Sleep = time.sleep,
    create: bool = True,
) -> Services:
    """Everything the bot needs, once, for every mode: the principles, the database (a new one only
    when `create`), and a Slack client per workspace. Raises CatalogError or StorageError."""
    catalog = load_catalog(settings.principles)
    store = Store(settings.db_path).open(create=create)
    return Services(
        settings=settings,
        catalog=catalog,
        store=store,
        client_for=clients_for_workspaces(settings, sleep, store),
        clock=clock,
        rng=rng or random.Random(),
        sleep=sleep,
        replication=ReplicationStatus(settings) if settings.replica_url else None,
    )


def web_client(
    settings: Settings, sleep: Sleep = time.sleep, token: str | None = None, timeout: float = 10, team_id: str | None = None
) -> WebClient:
    """`team_id` goes with every call, as Bolt's client for a request sends it (an org-wide token needs it)."""
    return WebClient(
        team_id=team_id,
        token=token or settings.bot_token,
        base_url=settings.api_url or SLACK_API_URL,
        timeout=timeout,  # type: ignore[arg-type]  # annotated int, used as urllib's float seconds
        retry_handlers=retry_handlers(sleep),
    )


def clients_for_workspaces(settings: Settings, sleep: Sleep = time.sleep, store: Store | None = None) -> Callable[[str], WebClient | None]:
    """The bot client for a workspace, for work no request started (weekly posts): the one token, or
    with OAuth each installed workspace's own, or its organisation's (None once it is uninstalled)."""
    if settings.mode == "oauth":
        make_client = lambda token: web_client(settings, sleep, token)  # noqa: E731

        def organisation_of(team_id: str) -> Organisation | None:
            return organisations.organisation_of(store.db, team_id) if store else None

        return InstalledWorkspaces(settings, installation_store(settings), make_client, organisation_of).client_for
    client = web_client(settings, sleep)
    return lambda team_id: client


def create_app(settings: Settings, services: Services) -> App:
    oauth = None
    if settings.mode == "oauth":
        installations = installation_store(settings)
        oauth = OAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=installations,
            state_store=state_store(settings),
        )
    app = App(
        listener_executor=services.listener_pool,
        client=web_client(settings, services.sleep),
        # Socket Mode requests arrive over an authenticated socket and carry no signature;
        # HTTP mode always has a secret (settings refuse to start without one).
        signing_secret=settings.signing_secret or "",
        oauth_settings=oauth,
        logger=logging.getLogger("lpbot.bolt"),
    )
    if oauth:
        # tokens_revoked and app_uninstalled remove the workspace's stored installation.
        app.enable_token_revocation_listeners()
        _remember_organisations(app, services)
    register_listeners(app, services)
    if settings.event_process and settings.mode != "console":
        services.listener_pool.elsewhere = _event_worker(settings, services)
    return app


def _event_worker(settings: Settings, services: Services) -> EventWorker:
    """The second process for events' work; what it cannot do (it did not start, or stopped) is done
    here after the ack, as without it."""

    def here(job: dict) -> None:
        client = web_client(settings, services.sleep, token=job.get("token"), team_id=job.get("client_team_id"))
        services.listener_pool.run_later(lambda: run_event(services, client, job))

    return EventWorker(settings, here).start()


def _remember_organisations(app: App, services: Services) -> None:
    """Every request from an Enterprise Grid workspace says its organisation (Bolt's context): kept,
    once per workspace and process, so weekly posts there find the organisation's installation."""
    known: set[tuple[str, str, bool]] = set()

    @app.middleware
    def remember_organisation(context, next):
        seen = (context.team_id, context.enterprise_id, bool(context.is_enterprise_install))
        if seen[0] and seen[1] and seen not in known:
            known.add(seen)

            def remember() -> None:
                with services.store.write() as db:
                    organisations.remember(db, seen[0], seen[1], seen[2], services.clock())

            # Off the request's path: a write waiting on the database lock must never delay an acknowledgement.
            services.listener_pool.run_later(remember)
        next()
