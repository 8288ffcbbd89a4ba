"""Kudos: recording, counting, reading back, exporting and forgetting."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database


def iso(moment: datetime) -> str:
    """How times are stored: ISO 8601 in UTC, fixed width, so text order is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


#: Where a kudos was said. Only "public" kudos show their words to everyone; "unknown" (rows from
#: before visibility was recorded, not yet settled with Slack) is treated as private.
PUBLIC, PRIVATE, DM, NOWHERE, UNKNOWN = "public", "private", "dm", "none", "unknown"
VISIBILITIES = (PUBLIC, PRIVATE, DM, NOWHERE, UNKNOWN)


@dataclass(frozen=True)
class KudosRecord:
    id: int
    team_id: str
    giver_id: str
    recipients: tuple[str, ...]
    principle: str
    reason: str
    channel_id: str | None
    message_link: str | None
    created_at: str
    visibility: str = UNKNOWN


@dataclass(frozen=True)
class Viewer:
    """Someone about to read kudos, and the conversation they are reading in (None: App Home, a DM with the app)."""

    user_id: str
    channel_id: str | None = None


def _visible_to(viewer: Viewer) -> tuple[str, list]:
    """The privacy rule as SQL over `kudos k`: words said in private are read only by the giver,
    the recipients, or inside the conversation they were said in."""
    return (
        " AND (k.visibility = ? OR k.giver_id = ? OR k.channel_id = ?"
        " OR EXISTS (SELECT 1 FROM kudos_recipients r WHERE r.kudos_id = k.id AND r.recipient_id = ?))",
        [PUBLIC, viewer.user_id, viewer.channel_id or "", viewer.user_id],
    )


def count_given_since(db: Database, team_id: str, giver_id: str, since: datetime) -> int:
    row = db.execute(
        "SELECT count(*) FROM kudos WHERE team_id = ? AND giver_id = ? AND created_at >= ?",
        [team_id, giver_id, iso(since)],
    ).fetchone()
    return row[0]


def find_duplicate(
    db: Database, team_id: str, giver_id: str, recipients: tuple[str, ...], principle: str, reason: str, since: datetime
) -> int | None:
    """The id of the same kudos (giver, recipients, principle, reason) given since `since`, if any."""
    candidates = db.execute(
        "SELECT id FROM kudos WHERE team_id = ? AND giver_id = ? AND principle = ? AND reason = ? AND created_at >= ? ORDER BY id DESC",
        [team_id, giver_id, principle, reason, iso(since)],
    ).fetchall()
    wanted = sorted(recipients)
    for (kudos_id,) in candidates:
        if _recipients_of(db, kudos_id) == wanted:
            return kudos_id
    return None


def find_by_request(db: Database, team_id: str, request_key: str) -> int | None:
    """The kudos an earlier delivery of the same Slack request stored, if any."""
    row = db.execute("SELECT id FROM kudos WHERE team_id = ? AND request_key = ?", [team_id, request_key]).fetchone()
    return row[0] if row else None


def insert_kudos(
    db: Database,
    *,
    team_id: str,
    giver_id: str,
    recipients: tuple[str, ...],
    principle: str,
    reason: str,
    channel_id: str | None,
    message_link: str | None,
    created_at: datetime,
    visibility: str = UNKNOWN,
    request_key: str | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO kudos (team_id, giver_id, principle, reason, channel_id, message_link, created_at, visibility, request_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [team_id, giver_id, principle, reason, channel_id, message_link, iso(created_at), visibility, request_key],
    )
    kudos_id = cursor.lastrowid
    assert kudos_id is not None  # an INSERT on a rowid table always has one
    at = iso(created_at)
    db.conn.executemany(
        "INSERT INTO kudos_recipients (kudos_id, team_id, recipient_id, principle, created_at) VALUES (?, ?, ?, ?, ?)",
        [(kudos_id, team_id, recipient, principle, at) for recipient in recipients],
    )
    return kudos_id


def _recipients_of(db: Database, kudos_id: int) -> list[str]:
    rows = db.execute("SELECT recipient_id FROM kudos_recipients WHERE kudos_id = ? ORDER BY recipient_id", [kudos_id]).fetchall()
    return [r[0] for r in rows]


_RECORD_COLUMNS = "k.id, k.team_id, k.giver_id, k.principle, k.reason, k.channel_id, k.message_link, k.created_at, k.visibility"


def _records(db: Database, sql: str, params: list) -> list[KudosRecord]:
    """Run a SELECT of _RECORD_COLUMNS and attach every row's recipients with one more query."""
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    recipients: dict[int, list[str]] = {row["id"]: [] for row in rows}
    if rows:
        marks = ", ".join("?" * len(recipients))
        for kudos_id, recipient in db.execute(
            f"SELECT kudos_id, recipient_id FROM kudos_recipients WHERE kudos_id IN ({marks}) ORDER BY kudos_id, recipient_id",
            list(recipients),
        ):
            recipients[kudos_id].append(recipient)
    return [KudosRecord(**row, recipients=tuple(recipients[row["id"]])) for row in rows]


def _starts_a_month(moment: datetime) -> bool:
    utc = moment.astimezone(timezone.utc)
    return utc.day == 1 and (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0)


def _received_source(since: datetime | None) -> tuple[str, str, list]:
    """Where to count received kudos from, as (table, extra condition, its parameters):
    all-time totals, monthly totals when the period starts a UTC month, the rows otherwise."""
    if since is None:
        return "kudos_totals", "", []
    if _starts_a_month(since):
        return "kudos_monthly", " AND month >= ?", [since.astimezone(timezone.utc).strftime("%Y-%m")]
    rows = "(SELECT team_id, recipient_id, principle, created_at, 1 AS received FROM kudos_recipients)"
    return rows, " AND created_at >= ?", [iso(since)]


def note_outside(db: Database, team_id: str, user_ids: Collection[str], now: datetime) -> None:
    """Remember that these people belong to another organisation, in the caller's transaction."""
    for user_id in user_ids:
        db.execute(
            "INSERT INTO outside_people (team_id, user_id, noted_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO UPDATE SET noted_at = excluded.noted_at",
            [team_id, user_id, iso(now)],
        )


def outside_people(db: Database, team_id: str) -> set[str]:
    return {row[0] for row in db.execute("SELECT user_id FROM outside_people WHERE team_id = ?", [team_id]).fetchall()}


def without_outside(column: str, team_id: str, outside_too: bool) -> tuple[str, list]:
    """A condition leaving out another organisation's people (none when `outside_too`)."""
    if outside_too:
        return "", []
    return f" AND {column} NOT IN (SELECT user_id FROM outside_people WHERE team_id = ?)", [team_id]


def _among(people: Collection[str] | None) -> tuple[str, list]:
    """A condition keeping the recipients in `people` (None: everyone), one parameter whatever its size."""
    if people is None:
        return "", []
    return " AND recipient_id IN (SELECT value FROM json_each(?))", [json.dumps(sorted(people))]


def leaderboard(
    db: Database,
    team_id: str,
    since: datetime | None,
    principle: str | None = None,
    limit: int = 10,
    among: Collection[str] | None = None,
    outside_too: bool = False,
) -> list[tuple[str, int]]:
    """Top recipients by kudos received, of `among` if given (a team's members); ties broken by user ID so
    the order is stable. Another organisation's people are left off unless `outside_too`."""
    source, period, params = _received_source(since)
    scope, scope_params = _among(among)
    ours, ours_params = without_outside("recipient_id", team_id, outside_too)
    sql = f"SELECT recipient_id, sum(received) AS total FROM {source} WHERE team_id = ?{period}{scope}{ours}"
    params = [team_id, *params, *scope_params, *ours_params]
    if principle:
        sql += " AND principle = ?"
        params.append(principle)
    # "+recipient_id": grouping by the bare column lures SQLite into walking the per-person
    # index end to end to save a sort; the period's range on the key is far cheaper.
    sql += " GROUP BY +recipient_id ORDER BY total DESC, recipient_id LIMIT ?"
    return [(row[0], row[1]) for row in db.execute(sql, [*params, limit]).fetchall()]


def principle_mix(db: Database, team_id: str, since: datetime | None, among: Collection[str] | None = None) -> dict[str, int]:
    """How often the team (or the people `among`) was recognized for each principle since `since` (None: ever)."""
    source, period, params = _received_source(since)
    scope, scope_params = _among(among)
    sql = f"SELECT principle, sum(received) FROM {source} WHERE team_id = ?{period}{scope} GROUP BY principle"
    return dict(db.execute(sql, [team_id, *params, *scope_params]).fetchall())


def received_by_principle(db: Database, team_id: str, user_id: str, since: datetime | None = None) -> dict[str, int]:
    source, period, params = _received_source(since)
    sql = f"SELECT principle, sum(received) FROM {source} WHERE team_id = ? AND recipient_id = ?{period} GROUP BY principle"
    return dict(db.execute(sql, [team_id, user_id, *params]).fetchall())


def given_by_principle(db: Database, team_id: str, user_id: str, since: datetime | None = None) -> dict[str, int]:
    sql = "SELECT principle, count(*) FROM kudos WHERE team_id = ? AND giver_id = ?"
    params = [team_id, user_id]
    if since:
        sql += " AND created_at >= ?"
        params.append(iso(since))
    return dict(db.execute(sql + " GROUP BY principle", params).fetchall())


def recent_kudos(
    db: Database,
    team_id: str,
    *,
    viewer: Viewer | None,
    principle: str | None = None,
    recipient: str | None = None,
    limit: int = 10,
    since: datetime | None = None,
) -> list[KudosRecord]:
    """The newest kudos `viewer` may read (None: the operator, who may read all), newest first."""
    sql = f"SELECT {_RECORD_COLUMNS} FROM kudos k WHERE k.team_id = ?"
    params: list = [team_id]
    if since:
        sql += " AND k.created_at >= ?"
        params.append(iso(since))
    if principle:
        sql += " AND k.principle = ?"
        params.append(principle)
    if recipient:
        sql += " AND k.id IN (SELECT kudos_id FROM kudos_recipients WHERE team_id = ? AND recipient_id = ?)"
        params += [team_id, recipient]
    if viewer:
        rule, rule_params = _visible_to(viewer)
        sql += rule
        params += rule_params
    sql += " ORDER BY k.created_at DESC, k.id DESC LIMIT ?"
    return _records(db, sql, [*params, limit])


def count_hidden_from(
    db: Database, team_id: str, viewer: Viewer, principle: str | None = None, *, since: str | None = None, most: int = 100
) -> int:
    """How many of the team's kudos since `since` (a stored created_at) `viewer` may not read, up to `most`.

    A count reveals no words. It covers the span of what /lp recent showed, newest first, and stops
    at `most`: counting every private kudos of a big team's history took a quarter of a second.
    """
    rule, rule_params = _visible_to(viewer)
    sql = f"SELECT 1 FROM kudos k WHERE k.team_id = ? AND NOT (1 = 1{rule})"
    params: list = [team_id, *rule_params]
    if principle:
        sql += " AND k.principle = ?"
        params.append(principle)
    if since:
        sql += " AND k.created_at >= ?"
        params.append(since)
    sql += " ORDER BY k.created_at DESC LIMIT ?"
    return db.execute(f"SELECT count(*) FROM ({sql})", [*params, most]).fetchone()[0]


def latest_given(db: Database, team_id: str, giver_id: str, since: datetime) -> KudosRecord | None:
    found = _records(
        db,
        f"SELECT {_RECORD_COLUMNS} FROM kudos k WHERE k.team_id = ? AND k.giver_id = ? AND k.created_at >= ?"
        " ORDER BY k.created_at DESC, k.id DESC LIMIT 1",
        [team_id, giver_id, iso(since)],
    )
    return found[0] if found else None


def kudos_by_principle_since(db: Database, team_id: str, since: datetime) -> dict[str, int]:
    """How many kudos each principle got in the team since a moment (kudos, not recipients)."""
    rows = db.execute(
        "SELECT principle, count(*) FROM kudos WHERE team_id = ? AND created_at >= ? GROUP BY principle",
        [team_id, iso(since)],
    ).fetchall()
    return dict(rows)


def count_kudos_for(db: Database, team_id: str, principle: str, since: datetime, until: datetime) -> int:
    return db.execute(
        "SELECT count(*) FROM kudos WHERE team_id = ? AND principle = ? AND created_at >= ? AND created_at < ?",
        [team_id, principle, iso(since), iso(until)],
    ).fetchone()[0]


def newest_public_kudos_for(db: Database, team_id: str, principle: str, since: datetime, until: datetime) -> KudosRecord | None:
    """The newest kudos for a principle in [since, until) that was said in a public channel: safe to quote anywhere."""
    found = _records(
        db,
        f"SELECT {_RECORD_COLUMNS} FROM kudos k WHERE k.team_id = ? AND k.visibility = ? AND k.principle = ?"
        " AND k.created_at >= ? AND k.created_at < ? ORDER BY k.created_at DESC, k.id DESC LIMIT 1",
        [team_id, PUBLIC, principle, iso(since), iso(until)],
    )
    return found[0] if found else None


def channels_to_settle(db: Database) -> list[tuple[str, str]]:
    """(team, channel) pairs whose kudos' visibility is not known yet."""
    return db.execute(
        "SELECT DISTINCT team_id, channel_id FROM kudos WHERE visibility = ? AND channel_id IS NOT NULL ORDER BY 1, 2",
        [UNKNOWN],
    ).fetchall()


def settle_visibility(db: Database, team_id: str, channel_id: str, visibility: str) -> int:
    return db.execute(
        "UPDATE kudos SET visibility = ? WHERE team_id = ? AND channel_id = ? AND visibility = ?",
        [visibility, team_id, channel_id, UNKNOWN],
    ).rowcount


def make_private(db: Database, team_id: str, channel_id: str) -> int:
    """A channel became private: its kudos, the earlier ones too, read as private from now on (Slack
    itself hides a private channel's history from non-members). Returns how many changed."""
    return db.execute(
        "UPDATE kudos SET visibility = ? WHERE team_id = ? AND channel_id = ? AND visibility IN (?, ?)",
        [PRIVATE, team_id, channel_id, PUBLIC, UNKNOWN],
    ).rowcount


def move_channel(db: Database, team_id: str, old_id: str, new_id: str) -> int:
    """Slack gave a channel a new ID (channel_id_changed): its kudos follow it."""
    return db.execute("UPDATE kudos SET channel_id = ? WHERE team_id = ? AND channel_id = ?", [new_id, team_id, old_id]).rowcount


def given_for_request(db: Database, team_id: str, request_key: str, since: datetime) -> KudosRecord | None:
    """The kudos a Slack request (a message, a reaction) gave since `since`: what an edit or an undo acts on."""
    found = _records(
        db,
        f"SELECT {_RECORD_COLUMNS} FROM kudos k WHERE k.team_id = ? AND k.request_key = ? AND k.created_at >= ?",
        [team_id, request_key, iso(since)],
    )
    return found[0] if found else None


def revise_kudos(db: Database, kudos_id: int, *, recipients: tuple[str, ...], principle: str, reason: str) -> None:
    """Rewrite a kudos after its message was edited; its time and place stay, the totals follow."""
    db.execute("UPDATE kudos SET principle = ?, reason = ? WHERE id = ?", [principle, reason, kudos_id])
    (team_id, created_at) = db.execute("SELECT team_id, created_at FROM kudos WHERE id = ?", [kudos_id]).fetchone()
    db.execute("DELETE FROM kudos_recipients WHERE kudos_id = ?", [kudos_id])
    db.conn.executemany(
        "INSERT INTO kudos_recipients (kudos_id, team_id, recipient_id, principle, created_at) VALUES (?, ?, ?, ?, ?)",
        [(kudos_id, team_id, recipient, principle, created_at) for recipient in recipients],
    )


def leaderboards_shown(db: Database, team_id: str, channel_id: str | None) -> bool:
    """Whether an admin left rankings on in this channel (they are, unless turned off there)."""
    row = db.execute(
        "SELECT leaderboards FROM channel_settings WHERE team_id = ? AND channel_id = ?", [team_id, channel_id or ""]
    ).fetchone()
    return row is None or bool(row[0])


def set_leaderboards(db: Database, team_id: str, channel_id: str, shown: bool, by: str, at: datetime) -> None:
    db.execute(
        "INSERT INTO channel_settings (team_id, channel_id, leaderboards, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (team_id, channel_id) DO UPDATE SET leaderboards = excluded.leaderboards,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        [team_id, channel_id, int(shown), by, iso(at)],
    )


@dataclass(frozen=True)
class PublicPost:
    """Where a kudos was thanked in public: a message (channel, ts), or a slash command's response_url."""

    channel_id: str | None
    ts: str | None
    response_url: str | None
    posted_at: str


def record_public_post(
    db: Database,
    kudos_id: int,
    team_id: str,
    at: datetime,
    *,
    channel_id: str | None,
    ts: str | None = None,
    response_url: str | None = None,
) -> None:
    # A kudos withdrawn in the moment between its post and this record leaves nothing to record.
    db.execute(
        "INSERT OR REPLACE INTO kudos_posts (kudos_id, team_id, channel_id, ts, response_url, posted_at)"
        " SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM kudos WHERE id = ?)",
        [kudos_id, team_id, channel_id, ts, response_url, iso(at), kudos_id],
    )


def public_post(db: Database, kudos_id: int) -> PublicPost | None:
    row = db.execute("SELECT channel_id, ts, response_url, posted_at FROM kudos_posts WHERE kudos_id = ?", [kudos_id]).fetchone()
    return PublicPost(*row) if row else None


def delete_kudos(db: Database, kudos_id: int) -> None:
    db.execute("DELETE FROM kudos_posts WHERE kudos_id = ?", [kudos_id])
    db.execute("DELETE FROM kudos_recipients WHERE kudos_id = ?", [kudos_id])
    db.execute("DELETE FROM kudos WHERE id = ?", [kudos_id])


EXPORT_COLUMNS = (
    "id",
    "created_at",
    "team_id",
    "channel_id",
    "visibility",
    "giver_id",
    "recipient_id",
    "principle",
    "reason",
)


def export_rows(db: Database, since: datetime | None = None) -> Iterator[dict]:
    """One row per (kudos, recipient), oldest first."""
    # A database from before visibility was recorded (an old backup opened read-only) has no column for it.
    visibility = "k.visibility" if "visibility" in db.table("kudos").columns_dict else f"'{UNKNOWN}'"
    sql = (
        f"SELECT k.id, k.created_at, k.team_id, k.channel_id, {visibility}, k.giver_id, r.recipient_id, k.principle, k.reason"
        " FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id"
    )
    params = []
    if since:
        sql += " WHERE k.created_at >= ?"
        params.append(iso(since))
    for row in db.execute(sql + " ORDER BY k.created_at, k.id, r.recipient_id", params):
        yield dict(zip(EXPORT_COLUMNS, row, strict=True))


def import_kudos(db: Database, kudos: list) -> int:
    """Store imported kudos (bot.ops.importing's, each with its content's request_key), in the caller's
    transaction; one already stored, from this file or an earlier import, is skipped. How many were new."""
    added = 0
    for one in kudos:
        if find_by_request(db, one.team_id, one.request_key) is not None or _already_stored(db, one):
            continue
        insert_kudos(
            db,
            team_id=one.team_id,
            giver_id=one.giver_id,
            recipients=one.recipients,
            principle=one.principle,
            reason=one.reason,
            channel_id=one.channel_id,
            message_link=None,
            created_at=one.created_at,
            visibility=one.visibility,
            request_key=one.request_key,
        )
        added += 1
    return added


def _already_stored(db: Database, one) -> bool:
    """Whether this database holds the same kudos (who, whom, what, why and when) under any request key:
    an export imported back into the database it came from adds nothing."""
    sql = "SELECT id FROM kudos WHERE team_id = ? AND giver_id = ? AND principle = ? AND reason = ? AND created_at = ?"
    for (kudos_id,) in db.execute(sql, [one.team_id, one.giver_id, one.principle, one.reason, iso(one.created_at)]).fetchall():
        held = {r[0] for r in db.execute("SELECT recipient_id FROM kudos_recipients WHERE kudos_id = ?", [kudos_id]).fetchall()}
        if held == set(one.recipients):
            return True
    return False


def forget_user(db: Database, user_id: str) -> dict[str, int]:
    """Remove a person everywhere: kudos they gave, their place among recipients, mentions of them."""
    given = [r[0] for r in db.execute("SELECT id FROM kudos WHERE giver_id = ?", [user_id]).fetchall()]
    for kudos_id in given:
        delete_kudos(db, kudos_id)
    received = db.execute("DELETE FROM kudos_recipients WHERE recipient_id = ?", [user_id]).rowcount
    # A kudos whose only recipient was this person has nobody left to thank.
    db.execute("DELETE FROM kudos_posts WHERE kudos_id NOT IN (SELECT kudos_id FROM kudos_recipients)")
    orphans = db.execute("DELETE FROM kudos WHERE id NOT IN (SELECT kudos_id FROM kudos_recipients)").rowcount
    mention = re.compile(rf"<@{re.escape(user_id)}(\|[^>]*)?>|\b{re.escape(user_id)}\b")
    rewritten = 0
    for kudos_id, reason in db.execute("SELECT id, reason FROM kudos WHERE instr(reason, ?) > 0", [user_id]).fetchall():
        db.execute("UPDATE kudos SET reason = ? WHERE id = ?", [mention.sub("someone", reason), kudos_id])
        rewritten += 1
    db.execute("DELETE FROM member_settings WHERE user_id = ?", [user_id])
    db.execute("DELETE FROM outside_people WHERE user_id = ?", [user_id])
    db.execute("UPDATE channel_settings SET updated_by = NULL WHERE updated_by = ?", [user_id])
    # Who set up a weekly post or a digest is not needed to run it.
    db.execute("UPDATE schedules SET created_by = '' WHERE created_by = ?", [user_id])
    db.execute("UPDATE digests SET created_by = '' WHERE created_by = ?", [user_id])
    return {"given": len(given), "received": received, "emptied": orphans, "mentions": rewritten}


def kudos_dms_enabled(db: Database, team_id: str, user_id: str) -> bool:
    row = db.execute("SELECT kudos_dms FROM member_settings WHERE team_id = ? AND user_id = ?", [team_id, user_id]).fetchone()
    return row is None or bool(row[0])


def set_kudos_dms(db: Database, team_id: str, user_id: str, enabled: bool) -> None:
    db.execute(
        "INSERT INTO member_settings (team_id, user_id, kudos_dms) VALUES (?, ?, ?)"
        " ON CONFLICT (team_id, user_id) DO UPDATE SET kudos_dms = excluded.kudos_dms",
        [team_id, user_id, int(enabled)],
    )
