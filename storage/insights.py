"""The counts behind /lp insights and the monthly digest: kudos by principle and week, and who took part.

Counts only: nothing here reads the words of a kudos or where it was said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.kudos import iso


@dataclass(frozen=True)
class Participation:
    kudos: int
    givers: int
    recognized: int  # distinct people who received at least one kudos
    participants: int  # distinct people who gave or received


def counts_by_week(db: Database, team_id: str, first_week: datetime, since: datetime, until: datetime) -> dict[tuple[str, int], int]:
    """Kudos in [since, until) by (principle, week), the week counted in whole weeks from `first_week` (a Monday, UTC)."""
    rows = db.execute(
        "SELECT principle, CAST((julianday(created_at) - julianday(?)) / 7 AS INTEGER) AS week, count(*)"
        " FROM kudos WHERE team_id = ? AND created_at >= ? AND created_at < ? GROUP BY principle, week",
        [iso(first_week), team_id, iso(since), iso(until)],
    ).fetchall()
    return {(principle, week): count for principle, week, count in rows}


def participation(db: Database, team_id: str, since: datetime, until: datetime) -> Participation:
    span = [team_id, iso(since), iso(until)]
    kudos, givers = db.execute(
        "SELECT count(*), count(DISTINCT giver_id) FROM kudos WHERE team_id = ? AND created_at >= ? AND created_at < ?", span
    ).fetchone()
    recognized = db.execute(
        "SELECT count(DISTINCT recipient_id) FROM kudos_recipients WHERE team_id = ? AND created_at >= ? AND created_at < ?", span
    ).fetchone()[0]
    participants = db.execute(
        "SELECT count(*) FROM (SELECT giver_id FROM kudos WHERE team_id = ? AND created_at >= ? AND created_at < ?"
        " UNION SELECT recipient_id FROM kudos_recipients WHERE team_id = ? AND created_at >= ? AND created_at < ?)",
        span + span,
    ).fetchone()[0]
    return Participation(kudos, givers, recognized, participants)


def featured(db: Database, team_id: str, since: datetime, until: datetime) -> list[tuple[str, str]]:
    """(scheduled_for, principle) of every principle of the week posted in [since, until), in any channel."""
    return db.execute(
        "SELECT scheduled_for, principle FROM weekly_posts WHERE team_id = ? AND status = 'posted'"
        " AND scheduled_for >= ? AND scheduled_for < ? ORDER BY scheduled_for",
        [team_id, iso(since), iso(until)],
    ).fetchall()
