"""The counts behind /lp insights and the monthly digest: kudos by principle and week, and who took part.

Counts only: nothing here reads the words of a kudos or where it was said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database

from storage.kudos import iso, without_outside


@dataclass(frozen=True)
class Participation:
    kudos: int
    givers: int
    recognized: int  # distinct people who received at least one kudos
    participants: int  # distinct people who gave or received


def _whole_weeks(since: datetime, until: datetime) -> tuple[str, str] | None:
    """The span as Mondays (YYYY-MM-DD) when it starts and ends on a Monday at midnight UTC, so the
    weekly totals answer it; None for any other span (the digest's calendar months)."""
    start, end = since.astimezone(timezone.utc), until.astimezone(timezone.utc)
    for moment in (start, end):
        if moment.weekday() != 0 or (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
            return None
    return f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"


def counts_by_week(db: Database, team_id: str, first_week: datetime, since: datetime, until: datetime) -> dict[tuple[str, int], int]:
    """Kudos in [since, until) by (principle, week), the week counted in whole weeks from `first_week` (a Monday, UTC)."""
    weeks = _whole_weeks(since, until)
    if weeks:
        rows = db.execute(
            "SELECT principle, week, kudos FROM kudos_weekly WHERE team_id = ? AND week >= ? AND week < ?", [team_id, *weeks]
        ).fetchall()
        first = first_week.astimezone(timezone.utc).date()
        return {(principle, (datetime.strptime(week, "%Y-%m-%d").date() - first).days // 7): count for principle, week, count in rows}
    rows = db.execute(
        "SELECT principle, CAST((julianday(created_at) - julianday(?)) / 7 AS INTEGER) AS week, count(*)"
        " FROM kudos WHERE team_id = ? AND created_at >= ? AND created_at < ? GROUP BY principle, week",
        [iso(first_week), team_id, iso(since), iso(until)],
    ).fetchall()
    return {(principle, week): count for principle, week, count in rows}


def participation(db: Database, team_id: str, since: datetime, until: datetime, outside_too: bool = False) -> Participation:
    """How many kudos, and how many people gave, were thanked, took part; another organisation's people are
    not counted among the people unless `outside_too` (their kudos still count)."""
    weeks = _whole_weeks(since, until)
    ours, ours_params = without_outside("person", team_id, outside_too)
    if weeks:
        span = [team_id, *weeks]
        givers_sql = "SELECT giver_id AS person, given AS n FROM kudos_weekly_givers WHERE team_id = ? AND week >= ? AND week < ?"
        received_sql = "SELECT recipient_id AS person FROM kudos_weekly_received WHERE team_id = ? AND week >= ? AND week < ?"
    else:
        span = [team_id, iso(since), iso(until)]
        givers_sql = "SELECT giver_id AS person, 1 AS n FROM kudos WHERE team_id = ? AND created_at >= ? AND created_at < ?"
        received_sql = "SELECT recipient_id AS person FROM kudos_recipients WHERE team_id = ? AND created_at >= ? AND created_at < ?"
    kudos = db.execute(f"SELECT coalesce(sum(n), 0) FROM ({givers_sql})", span).fetchone()[0]
    givers = db.execute(f"SELECT count(DISTINCT person) FROM ({givers_sql}) WHERE 1{ours}", span + ours_params).fetchone()[0]
    recognized = db.execute(f"SELECT count(DISTINCT person) FROM ({received_sql}) WHERE 1{ours}", span + ours_params).fetchone()[0]
    participants = db.execute(
        f"SELECT count(*) FROM (SELECT person FROM ({givers_sql}) UNION SELECT person FROM ({received_sql})) WHERE 1{ours}",
        span + span + ours_params,
    ).fetchone()[0]
    return Participation(kudos, givers, recognized, participants)


def featured(db: Database, team_id: str, since: datetime, until: datetime) -> list[tuple[str, str]]:
    """(scheduled_for, principle) of every principle of the week posted in [since, until), in any channel."""
    return db.execute(
        "SELECT scheduled_for, principle FROM weekly_posts WHERE team_id = ? AND status = 'posted'"
        " AND scheduled_for >= ? AND scheduled_for < ? ORDER BY scheduled_for",
        [team_id, iso(since), iso(until)],
    ).fetchall()


def drawn(db: Database, team_id: str, since: datetime, until: datetime) -> list[tuple[str, str, tuple[str, ...]]]:
    """(scheduled_for, principle, the slugs it was drawn among) of every weekly post in [since, until)
    that the balanced rotation drew at random; posts from before the draw existed have no set."""
    rows = db.execute(
        "SELECT scheduled_for, principle, eligible FROM weekly_posts WHERE team_id = ? AND status = 'posted'"
        " AND eligible IS NOT NULL AND scheduled_for >= ? AND scheduled_for < ? ORDER BY scheduled_for",
        [team_id, iso(since), iso(until)],
    ).fetchall()
    return [(at, slug, tuple(eligible.split(","))) for at, slug, eligible in rows]


def teams(db: Database) -> list[str]:
    """The workspaces a database holds kudos for, in order."""
    return [row[0] for row in db.execute("SELECT DISTINCT team_id FROM kudos ORDER BY 1").fetchall()]
