"""The SQLite file: one connection per thread, WAL, migrations applied at start."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from storage.migrations import migrations

# Long enough to ride out another thread's write; short enough that a stuck lock
# still surfaces as an error well inside Slack's patience for a follow-up reply.
BUSY_TIMEOUT_MS = 5000


class StorageError(RuntimeError):
    """The database cannot be opened or used; the message names the file and the fix."""


def describe_failure(error: BaseException) -> str | None:
    """What an operator should do about a database error seen while running, if we know."""
    text = str(error).lower()
    if "disk is full" in text or "disk i/o error" in text:
        return "the disk holding LPBOT_DB is full or failing: free space there; nothing stored was lost"
    if "readonly" in text or "read-only" in text:
        return "LPBOT_DB has become read-only: make the file and its folder writable again"
    if "malformed" in text or "not a database" in text:
        return "LPBOT_DB is damaged: stop the bot and restore the file from a backup made with `lpbot backup`"
    return None


class Store:
    """Access to the database file.

    Bolt runs listeners on worker threads and sqlite3 connections belong to the thread
    that opened them, so each thread gets its own connection on first use.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    def open(self) -> "Store":
        """Create the file and its folder if needed, then bring the schema up to date."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            migrations.apply(self.db)
            with self.write() as db:
                # Rewrite a header field with its own value: a read-only file fails here, at
                # start-up, rather than at the first kudos someone gives.
                version = db.execute("PRAGMA user_version").fetchone()[0]
                db.execute(f"PRAGMA user_version = {int(version)}")
        except (OSError, sqlite3.Error) as error:
            raise StorageError(
                f"LPBOT_DB={self.path}: cannot open the database ({error}); check the path, that the file is "
                "writable and the disk has room, or restore it from a backup made with `lpbot backup`"
            ) from None
        return self

    @property
    def db(self) -> Database:
        database = getattr(self._local, "db", None)
        if database is None:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last few
            # commits. It spares an fsync per kudos, which otherwise held the write lock.
            connection.execute("PRAGMA synchronous = NORMAL")
            database = Database(connection, execute_plugins=False)
            database.enable_wal()
            self._local.db = database
            with self._lock:
                self._connections.append(connection)
        return database

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction that takes the write lock up front.

        A deferred transaction that reads and then writes can fail with "database is
        locked" when another thread wrote in between; BEGIN IMMEDIATE waits instead.
        """
        database = self.db
        database.conn.execute("BEGIN IMMEDIATE")
        try:
            yield database
        except BaseException:
            database.conn.rollback()
            raise
        else:
            database.conn.commit()

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database, safe while the bot keeps writing."""
        target = Path(target)
        if target.exists():
            raise StorageError(f"{target}: already exists; choose a new file name")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(target)
            try:
                # SQLite's online backup copies page by page and restarts if a writer interferes.
                self.db.conn.backup(copy)
            finally:
                copy.close()
        except (OSError, sqlite3.Error) as error:
            raise StorageError(f"{target}: backup failed ({error})") from None

    def pending_migrations(self) -> list[str]:
        return [m.name for m in migrations.pending(self.db)]

    def ping(self) -> bool:
        try:
            return self.db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    def close(self) -> None:
        """Close every connection; call once the threads that used them are done."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.close()
            except sqlite3.ProgrammingError:
                # Opened by a thread that still runs; it goes when that thread does.
                pass
        self._local = threading.local()
