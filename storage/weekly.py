"""Scheduled posts: weekly-post schedules, monthly digests, and the ledger that makes each happen exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlite_utils import Database

from storage.kudos import iso

# A claim this old whose post never finished belongs to a process that died mid-post.
STALE_CLAIM = timedelta(minutes=15)


# Schedule.weekday indexes these: 0 is Monday, as Python's date.weekday().
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Schedule:
    team_id: str
    channel_id: str
    weekday: int
    time: str
    tz: str
    created_by: str
    state: str
    paused_reason: str | None = None
    updated_at: str | None = None

    @property
    def active(self) -> bool:
        return self.state == "active"


class PostStatus(StrEnum):
    """Where a week's post stands in the ledger. Each (team, channel, week) has one row.

    claimed -> posted | failed | uncertain   (the post was sent: it went out, Slack refused, or it timed out)
    uncertain, stale claimed -> posted | failed   (settled from the channel's history)
    failed -> claimed   (tried again this week, with the principle first chosen)
    skipped             (missed beyond the grace period; final, like posted)
    """

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"


# Which states each outcome may follow; an update from any other state changes nothing.
_FOLLOWS: dict[PostStatus, tuple[PostStatus, ...]] = {
    PostStatus.POSTED: (PostStatus.CLAIMED, PostStatus.UNCERTAIN),
    PostStatus.FAILED: (PostStatus.CLAIMED, PostStatus.UNCERTAIN),
    PostStatus.UNCERTAIN: (PostStatus.CLAIMED,),
}


@dataclass(frozen=True)
class LedgerEntry:
    period: str  # the ISO week (weekly posts) or the month (digests)
    principle: str
    status: PostStatus
    scheduled_for: str
    claimed_at: str | None = None

    @property
    def posted(self) -> bool:
        return self.status == PostStatus.POSTED

    def in_doubt(self, now: datetime) -> bool:
        """Whether the post may or may not have gone out: it timed out, or its claimer died mid-post."""
        stale = self.status == PostStatus.CLAIMED and self.claimed_at is not None and self.claimed_at < iso(now - STALE_CLAIM)
        return self.status == PostStatus.UNCERTAIN or stale


_LEDGER_READ = "period, principle, status, scheduled_for, claimed_at"
#: The ledgers: the weekly post's (one row a week) and the monthly digest's (one row a month, in `week`).
WEEKLY, DIGEST = "weekly_posts", "digest_posts"
_LEDGERS = (WEEKLY, DIGEST)


def _ledger_table(name: str) -> str:
    if name not in _LEDGERS:
        raise ValueError(f"no ledger called {name!r}")
    return name


def _entry(row: dict) -> LedgerEntry:
    return LedgerEntry(**{**row, "status": PostStatus(row["status"])})


_SCHEDULE_COLUMNS = "team_id, channel_id, weekday, time, tz, created_by, state, paused_reason"
_SCHEDULE_READ = _SCHEDULE_COLUMNS + ", updated_at"


def save_schedule(db: Database, schedule: Schedule, now: datetime) -> None:
    db.execute(
        f"INSERT INTO schedules ({_SCHEDULE_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (team_id, channel_id) DO UPDATE SET weekday = excluded.weekday, time = excluded.time,"
        " tz = excluded.tz, created_by = excluded.created_by, state = excluded.state,"
        " paused_reason = excluded.paused_reason, updated_at = excluded.updated_at",
        [
            schedule.team_id,
            schedule.channel_id,
            schedule.weekday,
            schedule.time,
            schedule.tz,
            schedule.created_by,
            schedule.state,
            schedule.paused_reason,
            iso(now),
        ],
    )


def delete_schedule(db: Database, team_id: str, channel_id: str) -> bool:
    return db.execute("DELETE FROM schedules WHERE team_id = ? AND channel_id = ?", [team_id, channel_id]).rowcount > 0


def pause_schedule(db: Database, team_id: str, channel_id: str, reason: str, now: datetime) -> None:
    db.execute(
        "UPDATE schedules SET state = 'paused', paused_reason = ?, updated_at = ? WHERE team_id = ? AND channel_id = ?",
        [reason, iso(now), team_id, channel_id],
    )


def get_schedule(db: Database, team_id: str, channel_id: str) -> Schedule | None:
    row = db.execute(f"SELECT {_SCHEDULE_READ} FROM schedules WHERE team_id = ? AND channel_id = ?", [team_id, channel_id]).fetchone()
    return Schedule(*row) if row else None


def list_schedules(db: Database, team_id: str | None = None, *, active_only: bool = False) -> list[Schedule]:
    sql, params = f"SELECT {_SCHEDULE_READ} FROM schedules WHERE 1 = 1", []
    if team_id:
        sql += " AND team_id = ?"
        params.append(team_id)
    if active_only:
        sql += " AND state = 'active'"
    return [Schedule(**row) for row in db.query(sql + " ORDER BY team_id, channel_id", params)]


def ledger(db: Database, team_id: str, channel_id: str) -> list[LedgerEntry]:
    """Every week's entry for a channel, oldest first."""
    rows = db.query(
        f"SELECT {_LEDGER_READ} FROM weekly_posts WHERE team_id = ? AND channel_id = ? ORDER BY scheduled_for",
        [team_id, channel_id],
    )
    return [_entry(row) for row in rows]


def entry(db: Database, team_id: str, channel_id: str, period: str, ledger: str = WEEKLY) -> LedgerEntry | None:
    rows = db.query(
        f"SELECT {_LEDGER_READ} FROM {_ledger_table(ledger)} WHERE team_id = ? AND channel_id = ? AND period = ?",
        [team_id, channel_id, period],
    )
    return next((_entry(row) for row in rows), None)


def claim(
    db: Database,
    team_id: str,
    channel_id: str,
    week: str,
    principle: str,
    scheduled_for: datetime,
    now: datetime,
    ledger: str = WEEKLY,
    eligible: tuple[str, ...] = (),
) -> str | None:
    """Claim the week's post for this process; returns the principle to post, or None if it is not ours.

    A week already posted (or skipped) is never claimed again. A failed one is claimed again
    with the principle it was first given, so a retry posts the same thing. A claim whose
    process died is not taken over here: the caller first settles it from the channel's
    history (LedgerEntry.in_doubt), which marks it failed if the post never went out.
    """
    table = _ledger_table(ledger)
    # Only the weekly ledger keeps the set a balanced pick was drawn among.
    extra, values = (", eligible", [",".join(eligible)]) if eligible and ledger == WEEKLY else ("", [])
    inserted = db.execute(
        f"INSERT INTO {table} (team_id, channel_id, period, principle, status, scheduled_for, claimed_at, attempts{extra})"
        f" VALUES (?, ?, ?, ?, 'claimed', ?, ?, 1{', ?' if extra else ''}) ON CONFLICT (team_id, channel_id, period) DO NOTHING",
        [team_id, channel_id, week, principle, iso(scheduled_for), iso(now), *values],
    ).rowcount
    if inserted:
        return principle
    reclaimed = db.execute(
        f"UPDATE {table} SET status = 'claimed', claimed_at = ?, attempts = attempts + 1"
        " WHERE team_id = ? AND channel_id = ? AND period = ? AND status = 'failed'",
        [iso(now), team_id, channel_id, week],
    ).rowcount
    if not reclaimed:
        return None
    return db.execute(
        f"SELECT principle FROM {table} WHERE team_id = ? AND channel_id = ? AND period = ?",
        [team_id, channel_id, week],
    ).fetchone()[0]


def finish(
    db: Database,
    team_id: str,
    channel_id: str,
    week: str,
    status: PostStatus,
    now: datetime,
    *,
    error: str | None = None,
    message_ts: str | None = None,
    ledger: str = WEEKLY,
) -> bool:
    """Move a claimed or uncertain week to `status`; False (and nothing changed) from any other state."""
    allowed = _FOLLOWS[status]
    marks = ", ".join("?" * len(allowed))
    return (
        db.execute(
            f"UPDATE {_ledger_table(ledger)} SET status = ?, posted_at = ?, error = ?, message_ts = ?"
            f" WHERE team_id = ? AND channel_id = ? AND period = ? AND status IN ({marks})",
            [status, iso(now) if status == PostStatus.POSTED else None, error, message_ts, team_id, channel_id, week, *allowed],
        ).rowcount
        > 0
    )


def record_skipped(db: Database, team_id: str, channel_id: str, week: str, scheduled_for: datetime, now: datetime) -> bool:
    """Note a week missed beyond the grace period; True the first time only, so it is logged once."""
    return (
        db.execute(
            "INSERT INTO weekly_posts (team_id, channel_id, period, principle, status, scheduled_for, claimed_at, attempts, error)"
            " VALUES (?, ?, ?, '', 'skipped', ?, ?, 0, 'missed beyond the grace period')"
            " ON CONFLICT (team_id, channel_id, period) DO NOTHING",
            [team_id, channel_id, week, iso(scheduled_for), iso(now)],
        ).rowcount
        > 0
    )


#: What `lpbot export weekly` writes: one record per posted principle of the week.
WEEKLY_EXPORT_COLUMNS = ("team_id", "channel_id", "week", "principle", "posted_at", "eligible")


def export_weekly(db: Database) -> list[dict]:
    """Every principle of the week that went out, oldest first; `eligible` is the set a balanced pick was
    drawn among (slugs, comma-separated), empty for the other rotations."""
    rows = db.execute(
        "SELECT team_id, channel_id, period, principle, posted_at, coalesce(eligible, '') FROM weekly_posts"
        " WHERE status = 'posted' ORDER BY posted_at, team_id, channel_id"
    ).fetchall()
    return [dict(zip(WEEKLY_EXPORT_COLUMNS, row, strict=True)) for row in rows]


def import_weekly(db: Database, posts: list[dict]) -> int:
    """Posted weeks from an export, in the caller's transaction; a week the ledger already has (posted,
    skipped or in progress) is left as it is, so importing twice changes nothing. How many were new."""
    added = 0
    for post in posts:
        added += db.execute(
            "INSERT INTO weekly_posts (team_id, channel_id, period, principle, status, scheduled_for, claimed_at, posted_at, attempts,"
            " eligible) VALUES (?, ?, ?, ?, 'posted', ?, ?, ?, 1, ?) ON CONFLICT (team_id, channel_id, period) DO NOTHING",
            [
                post["team_id"],
                post["channel_id"],
                post["week"],
                post["principle"],
                post["posted_at"],
                post["posted_at"],
                post["posted_at"],
                post["eligible"] or None,
            ],
        ).rowcount
    return added


def last_posted_at(db: Database) -> str | None:
    return db.execute("SELECT max(posted_at) FROM weekly_posts WHERE status = 'posted'").fetchone()[0]


@dataclass(frozen=True)
class Digest:
    """A channel's monthly culture digest; `time` and `tz` apply when the channel has no weekly post."""

    team_id: str
    channel_id: str
    time: str
    tz: str
    created_by: str
    updated_at: str | None = None  # when it was turned on (or changed): no digest before that is owed


def save_digest(db: Database, digest: Digest, now: datetime) -> None:
    db.execute(
        "INSERT INTO digests (team_id, channel_id, time, tz, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (team_id, channel_id) DO UPDATE SET time = excluded.time, tz = excluded.tz,"
        " created_by = excluded.created_by, updated_at = excluded.updated_at",
        [digest.team_id, digest.channel_id, digest.time, digest.tz, digest.created_by, iso(now)],
    )


def delete_digest(db: Database, team_id: str, channel_id: str) -> bool:
    return db.execute("DELETE FROM digests WHERE team_id = ? AND channel_id = ?", [team_id, channel_id]).rowcount > 0


def list_digests(db: Database, team_id: str | None = None) -> list[Digest]:
    sql = "SELECT team_id, channel_id, time, tz, created_by, updated_at FROM digests"
    params = []
    if team_id:
        sql += " WHERE team_id = ?"
        params.append(team_id)
    return [Digest(**row) for row in db.query(sql + " ORDER BY team_id, channel_id", params)]
