"""The app factory: settings in, a ready Bolt app out. Nothing here runs at import."""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime
from typing import Callable

from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners import register_listeners
from bot.retries import Sleep, retry_handlers
from bot.services import Services, utc_now
from bot.settings import Settings
from principles import load_catalog
from storage import Store

SLACK_API_URL = "https://slack.com/api/"


def build_services(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now, rng: random.Random | None = None
) -> Services:
    """Load the principles and open the database; raises CatalogError or StorageError."""
    catalog = load_catalog(settings.principles)
    store = Store(settings.db_path).open()
    return Services(settings=settings, catalog=catalog, store=store, clock=clock, rng=rng or random.Random())


def web_client(settings: Settings, sleep: Sleep = time.sleep) -> WebClient:
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url or SLACK_API_URL,
        timeout=10,
        retry_handlers=retry_handlers(sleep),
    )


def create_app(settings: Settings, services: Services) -> App:
    app = App(
        listener_executor=services.listener_pool,
        client=web_client(settings, services.sleep),
        # Socket Mode requests arrive over an authenticated socket and carry no signature;
        # HTTP mode always has a secret (settings refuse to start without one).
        signing_secret=settings.signing_secret or "",
        logger=logging.getLogger("lpbot.bolt"),
    )
    register_listeners(app, services)
    return app
