"""Which bot token speaks for which workspace: one fixed token, or the installations OAuth stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.settings import Settings
from storage.database import create_private

log = logging.getLogger(__name__)

# Refresh a rotating token this long before it expires, as Bolt does for requests.
ROTATE_MINUTES_BEFORE = 120


def oauth_database(settings: Settings) -> Path:
    """Installations and OAuth states live beside the app's database, in their own file."""
    return settings.db_path.with_name(settings.db_path.stem + "-oauth.db")


def installation_store(settings: Settings) -> SQLite3InstallationStore:
    create_private(oauth_database(settings))  # it holds bot tokens: its owner alone may read it
    return SQLite3InstallationStore(database=str(oauth_database(settings)), client_id=settings.client_id or "")


def state_store(settings: Settings) -> SQLite3OAuthStateStore:
    return SQLite3OAuthStateStore(database=str(oauth_database(settings)), expiration_seconds=600)


class InstalledWorkspaces:
    """Bot clients for work no request started (weekly posts), one per installed workspace."""

    def __init__(self, settings: Settings, store: SQLite3InstallationStore, make_client: Callable[[str], WebClient]):
        self.store = store
        self.make_client = make_client
        self.rotator = TokenRotator(client_id=settings.client_id or "", client_secret=settings.client_secret or "", client=make_client(""))

    def client_for(self, team_id: str) -> WebClient | None:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            log.info("no installation for team %s (uninstalled?); skipping its work", team_id)
            return None
        if bot.bot_refresh_token:
            refreshed = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE)
            if refreshed is not None:
                self.store.save_bot(refreshed)
                bot = refreshed
        return self.make_client(bot.bot_token)
