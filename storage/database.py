"""The SQLite file: one connection per thread, WAL, migrations applied at start."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from storage.migrations import migrations

log = logging.getLogger(__name__)
# "LPCO": the console's demo database, so the real bot never mistakes it for a real install's.
CONSOLE_APPLICATION_ID = 0x4C50434F
# Below this much free space beside the database, a kudos may not fit (a WAL frame, a checkpoint):
# /healthz says so before a write fails.
LOW_DISK_BYTES = 1_000_000

# Long enough to ride out another thread's write; short enough that a stuck lock
# still surfaces as an error well inside Slack's patience for a follow-up reply.
BUSY_TIMEOUT_MS = 5000
# How long a write waits its turn behind this process's other writers: the person was answered
# already (the ack), so waiting beats losing the kudos; a write takes about a millisecond.
WRITE_QUEUE_SECONDS = 30.0


# The database holds people's words and the OAuth file holds bot tokens: their owner alone reads them,
# whatever the umask. SQLite gives a database's -wal and -shm files the main file's permissions.
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700


def create_private(path: Path) -> None:
    """Make `path`'s folder (owner only, when this creates it) and an empty file readable by its owner
    only, unless it exists: SQLite then opens a file that was never readable by anyone else."""
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, mode=OWNER_ONLY_FOLDER)
            path.parent.chmod(OWNER_ONLY_FOLDER)  # mkdir's mode is masked by the umask; chmod is not
        except FileExistsError:
            pass  # another process starting on the same new path made it a moment ago
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    except FileExistsError:
        return
    os.fchmod(descriptor, OWNER_ONLY_FILE)
    os.close(descriptor)


def readable_by_others(path: Path) -> list[Path]:
    """The files of a database (itself, -wal, -shm) that people other than the owner may read."""
    found = []
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                found.append(candidate)
        except FileNotFoundError:
            continue
    return found


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

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        # One writer at a time within this process, queued here: SQLite's busy handler retries with
        # sleeps and no order, so under a burst some writer could wait past BUSY_TIMEOUT_MS and fail
        # while others went ahead (measured: 14 of 1,000 kudos at 500 requests/s). Other processes
        # (a cron job, a second replica) are still held off by SQLite's own lock.
        self._write_lock = threading.RLock()
        # The file this process opened (device, inode): a file deleted or replaced at LPBOT_DB while the
        # bot runs is noticed before the next write, which would otherwise go into the unlinked file.
        self._identity: tuple[int, int] | None = None
        self.lost: str | None = None  # why writes stopped, once the file at the path is not ours
        self.last_write_error: str | None = None  # the last write's failure (full, read-only), None once one succeeds

    def open(self, *, create: bool = True) -> Store:
        """Bring the schema up to date, creating the file and its folder first when `create`.

        Only the bot itself creates a database: a command that reads data (`create=False`)
        refuses a path with nothing there, so a misspelt LPBOT_DB is not mistaken for an empty team.
        """
        if not create:
            self._require_file()
        try:
            create_private(self.path)
            self._wait_for_wal()
            # Under the write lock: two processes starting on a new file (two replicas, the bot and
            # a cron job) would otherwise both read "nothing applied" and both try to create tables.
            with self.write() as db:
                migrations.apply(db)
                # Rewrite a header field with its own value: a read-only file fails here, at
                # start-up, rather than at the first kudos someone gives.
                version = db.execute("PRAGMA user_version").fetchone()[0]
                db.execute(f"PRAGMA user_version = {int(version)}")
            self._identity = self._file_identity()
        except (OSError, sqlite3.Error) as error:
            raise StorageError(
                f"LPBOT_DB={self.path}: cannot open the database ({error}); check the path, that the file is "
                "writable and the disk has room, or restore it from a backup made with `lpbot backup`"
            ) from None
        return self

    def _wait_for_wal(self) -> None:
        """Open this thread's connection, which switches a new file to WAL.

        Changing the journal mode needs the file to itself, and SQLite can answer "locked" at once
        rather than wait when many processes open a new file together; a short, bounded wait fixes it.
        """
        delay = 0.01
        for _ in range(12):  # about 40 s at most, in doubling steps capped at 5 s
            try:
                self.ping_connection()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                self._local = threading.local()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.ping_connection()

    def ping_connection(self) -> None:
        """Open this thread's connection now (a fresh file becomes WAL here), raising what SQLite says."""
        self.db.execute("SELECT 1").fetchone()

    def open_read_only(self) -> Store:
        """Open an existing database only to read it: a restored backup, a read-only mount. Nothing is migrated."""
        self._require_file()
        self.read_only = True
        try:
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as error:
            raise StorageError(f"LPBOT_DB={self.path}: cannot read the database ({error})") from None
        return self

    def _require_file(self) -> None:
        if not self.path.is_file():
            raise StorageError(f"LPBOT_DB={self.path}: no database there; check the path (only the running bot creates a new one)")

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def check_file(self) -> str | None:
        """Why the file at LPBOT_DB is no longer the one this process opened (deleted, replaced), or None."""
        if self.lost or self._identity is None:
            return self.lost
        now = self._file_identity()
        if now != self._identity:
            what = "deleted" if now is None else "replaced by another file"
            self.lost = (
                f"LPBOT_DB={self.path} was {what} while the bot ran: nothing more is written; put the file back "
                "(or restore it) and restart the bot"
            )
            log.error("%s", self.lost)
        return self.lost

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            # mode=rw: a connection never creates a file. Only open() does, at start-up; a path whose
            # file was deleted meanwhile gets an error here, not a new, empty database.
            uri = f"{self.path.resolve().as_uri()}?mode=rw"
            return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        uri = self.path.resolve().as_uri()
        try:
            connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return connection
        except sqlite3.OperationalError:
            # A WAL-mode file on a read-only mount cannot have its -shm index created: read it as
            # immutable, which is true there, since nothing can write to it.
            return sqlite3.connect(f"{uri}?immutable=1", uri=True)

    @property
    def db(self) -> Database:
        database = getattr(self._local, "db", None)
        if database is None:
            connection = self._connect()
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last few
            # commits. It spares an fsync per kudos, which otherwise held the write lock.
            connection.execute("PRAGMA synchronous = NORMAL")
            database = Database(connection, execute_plugins=False)
            if not self.read_only:
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
        lost = self.check_file()
        if lost:
            raise StorageError(lost)
        database = self.db
        if not self._write_lock.acquire(timeout=WRITE_QUEUE_SECONDS):
            raise sqlite3.OperationalError("database is locked: writes queued longer than WRITE_QUEUE_SECONDS")
        try:
            database.conn.execute("BEGIN IMMEDIATE")
            try:
                yield database
            except BaseException:
                database.conn.rollback()
                raise
            else:
                database.conn.commit()
        except (OSError, sqlite3.Error) as error:
            self.last_write_error = describe_failure(error) or str(error)
            raise
        finally:
            self._write_lock.release()
        self.last_write_error = None

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database, safe while the bot keeps writing."""
        target = Path(target)
        if target.exists():
            raise StorageError(f"{target}: already exists; choose a new file name")
        try:
            create_private(target)  # a backup holds the same words as the database
            copy = sqlite3.connect(target)
            try:
                # SQLite's online backup copies page by page and restarts if a writer interferes.
                self.db.conn.backup(copy)
            finally:
                copy.close()
        except (OSError, sqlite3.Error) as error:
            raise StorageError(f"{target}: backup failed ({error})") from None

    def mark_as_console(self) -> None:
        """Mark the file as the console's demo database, in SQLite's application_id header field."""
        self.db.execute(f"PRAGMA application_id = {CONSOLE_APPLICATION_ID}")

    def made_by_console(self) -> bool:
        """Whether the file carries the console's mark, asked of SQLite (the header may still be in the WAL)."""
        try:
            connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                return connection.execute("PRAGMA application_id").fetchone()[0] == CONSOLE_APPLICATION_ID
            finally:
                connection.close()
        except sqlite3.Error:
            return False

    def pending_migrations(self) -> list[str]:
        return [m.name for m in migrations.pending(self.db)]

    def ping(self) -> bool:
        if self.check_file():
            return False
        try:
            return self.db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    def condition(self) -> dict:
        """What the bot can do with its file now, for /healthz: whether it is the file opened at start,
        whether it can be read and written, the free space beside it, and the last write's failure."""
        problem = self.check_file()
        report: dict = {"file": "ok" if problem is None else "not the file opened at start"}
        try:
            usage = shutil.disk_usage(self.path.parent)
            report["free_bytes"] = usage.free
            # A filesystem remounted read-only says so in statvfs; os.access alone does not see it.
            read_only_fs = bool(os.statvfs(self.path.parent).f_flag & os.ST_RDONLY)
        except OSError:
            report["free_bytes"], read_only_fs = None, False
        writable = problem is None and not read_only_fs and os.access(self.path, os.W_OK)
        report["writable"] = writable and self.last_write_error is None
        if problem:
            report["problem"] = problem
        elif read_only_fs or not writable:
            report["problem"] = describe_failure(sqlite3.OperationalError("readonly")) or "read-only"
        elif self.last_write_error:
            report["problem"] = self.last_write_error
        elif report["free_bytes"] is not None and report["free_bytes"] < LOW_DISK_BYTES:
            report["problem"] = describe_failure(sqlite3.OperationalError("disk is full")) or "disk full"
            report["writable"] = False
        return report

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
