"""Which bot token speaks for which workspace: one fixed token, or the installations OAuth stored."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.settings import Settings
from storage.database import create_private
from storage.organisations import Organisation

log = logging.getLogger(__name__)

# Refresh a rotating token this long before it expires, as Bolt does for requests.
ROTATE_MINUTES_BEFORE = 120


def oauth_database(settings: Settings) -> Path:
    """Installations and OAuth states live beside the app's database, in their own file."""
    return settings.db_path.with_name(settings.db_path.stem + "-oauth.db")


def installation_store(settings: Settings) -> SQLite3InstallationStore:
    create_private(oauth_database(settings))  # it holds bot tokens: its owner alone may read it
    database, client_id = str(oauth_database(settings)), settings.client_id or ""
    if settings.token_key:
        return SealedInstallationStore(database=database, client_id=client_id, key=settings.token_key)
    return SQLite3InstallationStore(database=database, client_id=client_id)


# A sealed token reads "fernet:<token>": one stored before the key was set (plain xoxb-…) still reads.
_SEALED = "fernet:"
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class SealedInstallationStore(SQLite3InstallationStore):
    """slack_sdk's SQLite installation store with every token encrypted at rest (cryptography's Fernet:
    AES in CBC mode with an HMAC), under LPBOT_TOKEN_KEY. A copy of the file alone gives no token."""

    def __init__(self, *, database: str, client_id: str, key: str):
        super().__init__(database=database, client_id=client_id)
        self._fernet = Fernet(key.encode())

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def find_bot(self, **kwargs) -> Bot | None:
        return self._opened(super().find_bot(**kwargs))

    def find_installation(self, **kwargs) -> Installation | None:
        return self._opened(super().find_installation(**kwargs))

    def _sealed(self, stored):
        sealed = copy.copy(stored)
        for name in TOKEN_FIELDS:
            token = getattr(sealed, name, None)
            if isinstance(token, str) and token and not token.startswith(_SEALED):
                setattr(sealed, name, _SEALED + self._fernet.encrypt(token.encode()).decode())
        return sealed

    def _opened(self, found):
        if found is None:
            return None
        for name in TOKEN_FIELDS:
            token = getattr(found, name, None)
            if isinstance(token, str) and token.startswith(_SEALED):
                try:
                    setattr(found, name, self._fernet.decrypt(token[len(_SEALED) :].encode()).decode())
                except InvalidToken:
                    log.error("LPBOT_TOKEN_KEY does not open the stored tokens: is it the key they were saved with?")
                    return None
        return found


def state_store(settings: Settings) -> SQLite3OAuthStateStore:
    return SQLite3OAuthStateStore(database=str(oauth_database(settings)), expiration_seconds=600)


class InstalledWorkspaces:
    """Bot clients for work no request started (weekly posts), one per installed workspace."""

    def __init__(
        self,
        settings: Settings,
        store: SQLite3InstallationStore,
        make_client: Callable[[str], WebClient],
        organisation_of: Callable[[str], Organisation | None] = lambda team_id: None,
    ):
        self.store = store
        self.organisation_of = organisation_of
        self.make_client = make_client
        self.rotator = TokenRotator(client_id=settings.client_id or "", client_secret=settings.client_secret or "", client=make_client(""))

    def client_for(self, team_id: str) -> WebClient | None:
        # On Enterprise Grid the installation is stored under the organisation: the workspace's own
        # install beside it, or one org-wide install for every workspace the organisation granted.
        organisation = self.organisation_of(team_id)
        enterprise_id = organisation.enterprise_id if organisation else None
        bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and organisation:
            bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        if bot is None:
            log.info("no installation for team %s (uninstalled?); skipping its work", team_id)
            return None
        if bot.bot_refresh_token:
            refreshed = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE)
            if refreshed is not None:
                self.store.save_bot(refreshed)
                bot = refreshed
        return self.make_client(bot.bot_token)
