"""The schema, one step at a time. Never edit a step that has shipped: add a new one."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("lpbot")


@migrations()
def m001_kudos(db: Database) -> None:
    # Every table carries team_id so one file can serve several workspaces.
    db.table("kudos").create(
        {
            "id": int,
            "team_id": str,
            "giver_id": str,
            "principle": str,
            "reason": str,
            "channel_id": str,
            "message_link": str,
            "created_at": str,
        },
        pk="id",
        not_null={"team_id", "giver_id", "principle", "reason", "created_at"},
    )
    db.table("kudos").create_index(["team_id", "created_at"])
    db.table("kudos").create_index(["team_id", "giver_id", "created_at"])
    db.table("kudos_recipients").create(
        {"kudos_id": int, "team_id": str, "recipient_id": str, "created_at": str},
        pk=("kudos_id", "recipient_id"),
        not_null={"team_id", "recipient_id", "created_at"},
        foreign_keys=[("kudos_id", "kudos", "id")],
    )
    db.table("kudos_recipients").create_index(["team_id", "recipient_id", "created_at"])
    db.table("kudos_recipients").create_index(["team_id", "created_at"])
    db.table("member_settings").create(
        {"team_id": str, "user_id": str, "kudos_dms": int},
        pk=("team_id", "user_id"),
        not_null={"team_id", "user_id", "kudos_dms"},
        defaults={"kudos_dms": 1},
    )


@migrations()
def m002_kudos_totals(db: Database) -> None:
    # Leaderboards and stats over a big team read totals instead of every row: on 1,000,000
    # kudos a quarter's leaderboard took ~150 ms from the rows and takes a few ms from these.
    db.table("kudos_recipients").add_column("principle", str)
    db.execute("UPDATE kudos_recipients SET principle = (SELECT principle FROM kudos WHERE kudos.id = kudos_id)")
    db.table("kudos_recipients").create_index(["team_id", "created_at", "principle"])
    db.table("kudos").create_index(["team_id", "giver_id", "created_at", "principle"])
    # WITHOUT ROWID keeps each total inside its key's b-tree, so a range read touches nothing else.
    db.execute(
        """CREATE TABLE kudos_monthly (
            team_id TEXT NOT NULL, month TEXT NOT NULL, recipient_id TEXT NOT NULL, principle TEXT NOT NULL,
            received INTEGER NOT NULL,
            PRIMARY KEY (team_id, month, recipient_id, principle)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE kudos_totals (
            team_id TEXT NOT NULL, recipient_id TEXT NOT NULL, principle TEXT NOT NULL, received INTEGER NOT NULL,
            PRIMARY KEY (team_id, recipient_id, principle)
        ) WITHOUT ROWID"""
    )
    db.table("kudos_monthly").create_index(["team_id", "principle", "month", "recipient_id", "received"])
    db.table("kudos_monthly").create_index(["team_id", "recipient_id", "month", "principle", "received"])
    db.table("kudos_totals").create_index(["team_id", "principle", "recipient_id", "received"])
    db.execute(
        "INSERT INTO kudos_monthly (team_id, month, recipient_id, principle, received)"
        " SELECT team_id, substr(created_at, 1, 7), recipient_id, principle, count(*) FROM kudos_recipients"
        " GROUP BY 1, 2, 3, 4"
    )
    db.execute(
        "INSERT INTO kudos_totals (team_id, recipient_id, principle, received)"
        " SELECT team_id, recipient_id, principle, count(*) FROM kudos_recipients GROUP BY 1, 2, 3"
    )
    # Triggers keep the totals right in the same transaction as every insert and delete.
    keys = {
        "kudos_monthly": {
            "team_id": "{row}.team_id",
            "month": "substr({row}.created_at, 1, 7)",
            "recipient_id": "{row}.recipient_id",
            "principle": "{row}.principle",
        },
        "kudos_totals": {"team_id": "{row}.team_id", "recipient_id": "{row}.recipient_id", "principle": "{row}.principle"},
    }
    for table, key in keys.items():
        columns = ", ".join(key)
        new_values = ", ".join(value.format(row="NEW") for value in key.values())
        match = " AND ".join(f"{column} = {value.format(row='OLD')}" for column, value in key.items())
        db.execute(
            f"""CREATE TRIGGER {table}_add AFTER INSERT ON kudos_recipients BEGIN
                INSERT INTO {table} ({columns}, received) VALUES ({new_values}, 1)
                ON CONFLICT ({columns}) DO UPDATE SET received = received + 1;
            END"""
        )
        db.execute(
            f"""CREATE TRIGGER {table}_remove AFTER DELETE ON kudos_recipients BEGIN
                UPDATE {table} SET received = received - 1 WHERE {match};
                DELETE FROM {table} WHERE {match} AND received <= 0;
            END"""
        )


@migrations()
def m003_weekly(db: Database) -> None:
    db.table("schedules").create(
        {
            "team_id": str,
            "channel_id": str,
            "weekday": int,  # 0 = Monday, as Python's date.weekday()
            "time": str,  # HH:MM in the schedule's own zone
            "tz": str,
            "created_by": str,
            "state": str,  # active | paused
            "paused_reason": str,
            "updated_at": str,
        },
        pk=("team_id", "channel_id"),
        not_null={"team_id", "channel_id", "weekday", "time", "tz", "created_by", "state", "updated_at"},
    )
    # The ledger: a row is claimed before a post is sent, so each (team, channel, week) posts once.
    db.table("weekly_posts").create(
        {
            "team_id": str,
            "channel_id": str,
            "week": str,  # ISO week of the scheduled time in the schedule's zone, e.g. 2026-W48
            "principle": str,
            "status": str,  # claimed | posted | failed | uncertain | skipped
            "scheduled_for": str,
            "claimed_at": str,
            "posted_at": str,
            "attempts": int,
            "error": str,
            "message_ts": str,
        },
        pk=("team_id", "channel_id", "week"),
        not_null={"team_id", "channel_id", "week", "principle", "status", "scheduled_for", "claimed_at", "attempts"},
    )
    db.table("weekly_posts").create_index(["team_id", "channel_id", "scheduled_for"])


@migrations()
def m004_visibility_and_request_keys(db: Database) -> None:
    # Where a kudos was said decides who may read its words. Rows from before this step have a
    # channel but no answer yet: "unknown" counts as private until the bot asks Slack
    # (bot/slack/places.py settles them once per distinct channel at start).
    db.table("kudos").add_column("visibility", str)
    db.execute("UPDATE kudos SET visibility = CASE WHEN channel_id IS NULL THEN 'none' ELSE 'unknown' END")
    db.table("kudos").create_index(["team_id", "visibility", "principle", "created_at"])
    # The Slack request that gave the kudos (a trigger_id, an event_id): a replay or a retry of
    # the same request, whenever it arrives within the signature window, is stored once.
    db.table("kudos").add_column("request_key", str)
    db.execute("CREATE UNIQUE INDEX kudos_request_key ON kudos (team_id, request_key) WHERE request_key IS NOT NULL")


@migrations()
def m005_channel_settings(db: Database) -> None:
    # Per-channel choices an admin makes in Slack; today, whether rankings are shown there.
    db.table("channel_settings").create(
        {"team_id": str, "channel_id": str, "leaderboards": int, "updated_by": str, "updated_at": str},
        pk=("team_id", "channel_id"),
        not_null={"team_id", "channel_id", "leaderboards"},
    )


@migrations()
def m006_insights_and_digests(db: Database) -> None:
    # /lp insights counts kudos by principle and week over a span: this index answers it alone.
    db.table("kudos").create_index(["team_id", "created_at", "principle"])
    # Channels that get the monthly culture digest. Its time and zone follow the channel's weekly
    # post when there is one; these are for a channel without.
    db.table("digests").create(
        {"team_id": str, "channel_id": str, "time": str, "tz": str, "created_by": str, "updated_at": str},
        pk=("team_id", "channel_id"),
        not_null={"team_id", "channel_id", "time", "tz", "created_by", "updated_at"},
    )
    # The digest's ledger: the same columns and states as weekly_posts, so one set of functions keeps
    # both exactly once; "week" holds the month the digest is about, e.g. 2026-11.
    db.table("digest_posts").create(
        {column.name: column.type for column in db.table("weekly_posts").columns},
        pk=("team_id", "channel_id", "week"),
        not_null={"team_id", "channel_id", "week", "principle", "status", "scheduled_for", "claimed_at", "attempts"},
    )


@migrations()
def m007_weekly_totals(db: Database) -> None:
    # /lp insights reads weeks: totals per week kept by triggers, so twelve weeks of a big team are a
    # few thousand rows to read instead of every kudos in them (a second on a million kudos).
    # The week is its Monday (UTC) as YYYY-MM-DD; kudos are counted once, however many recipients.
    monday = "date({row}.created_at, 'weekday 0', '-6 days')"
    tables = {
        "kudos_weekly": ({"team_id": str, "week": str, "principle": str, "kudos": int}, "principle", "kudos", "kudos"),
        "kudos_weekly_givers": ({"team_id": str, "week": str, "giver_id": str, "given": int}, "giver_id", "given", "kudos"),
        "kudos_weekly_received": (
            {"team_id": str, "week": str, "recipient_id": str, "received": int},
            "recipient_id",
            "received",
            "kudos_recipients",
        ),
    }
    for table, (columns, key, count, source) in tables.items():
        db.table(table).create(columns, pk=("team_id", "week", key), not_null=set(columns))
        db.execute(
            f"INSERT INTO {table} (team_id, week, {key}, {count})"
            f" SELECT team_id, {monday.format(row=source)}, {key}, count(*) FROM {source} GROUP BY 1, 2, 3"
        )
        new, old = monday.format(row="NEW"), monday.format(row="OLD")
        db.execute(
            f"""CREATE TRIGGER {table}_add AFTER INSERT ON {source} BEGIN
                INSERT INTO {table} (team_id, week, {key}, {count}) VALUES (NEW.team_id, {new}, NEW.{key}, 1)
                ON CONFLICT (team_id, week, {key}) DO UPDATE SET {count} = {count} + 1;
            END"""
        )
        db.execute(
            f"""CREATE TRIGGER {table}_remove AFTER DELETE ON {source} BEGIN
                UPDATE {table} SET {count} = {count} - 1 WHERE team_id = OLD.team_id AND week = {old} AND {key} = OLD.{key};
                DELETE FROM {table} WHERE team_id = OLD.team_id AND week = {old} AND {key} = OLD.{key} AND {count} <= 0;
            END"""
        )
    # An edited inline kudos can change its principle.
    db.execute(
        """CREATE TRIGGER kudos_weekly_revise AFTER UPDATE OF principle ON kudos WHEN OLD.principle <> NEW.principle BEGIN
            UPDATE kudos_weekly SET kudos = kudos - 1
             WHERE team_id = OLD.team_id AND week = date(OLD.created_at, 'weekday 0', '-6 days') AND principle = OLD.principle;
            DELETE FROM kudos_weekly WHERE kudos <= 0
             AND team_id = OLD.team_id AND week = date(OLD.created_at, 'weekday 0', '-6 days') AND principle = OLD.principle;
            INSERT INTO kudos_weekly (team_id, week, principle, kudos)
            VALUES (NEW.team_id, date(NEW.created_at, 'weekday 0', '-6 days'), NEW.principle, 1)
            ON CONFLICT (team_id, week, principle) DO UPDATE SET kudos = kudos + 1;
        END"""
    )


@migrations()
def m008_kudos_posts(db: Database) -> None:
    # Where each kudos was thanked in public, so withdrawing or editing it can change that message too:
    # a message's channel and ts (chat.update), or the slash command's response_url (replace_original).
    db.table("kudos_posts").create(
        {"kudos_id": int, "team_id": str, "channel_id": str, "ts": str, "response_url": str, "posted_at": str},
        pk="kudos_id",
        not_null={"kudos_id", "team_id", "posted_at"},
        foreign_keys=[("kudos_id", "kudos", "id")],
    )


@migrations()
def m009_weekly_eligible(db: Database) -> None:
    # The balanced rotation draws the week's principle among the least recognized: the ledger keeps the
    # set it was drawn from (comma-separated slugs), so insights can compare with the ones not drawn.
    db.execute("ALTER TABLE weekly_posts ADD COLUMN eligible TEXT")


@migrations()
def m010_ledger_period(db: Database) -> None:
    # Both ledgers key a post by its period: an ISO week for the weekly post, a month for the digest.
    # The column was named `week` in both; SQLite renames it in the unique key and index as well.
    for table in ("weekly_posts", "digest_posts"):
        db.execute(f"ALTER TABLE {table} RENAME COLUMN week TO period")


@migrations()
def m011_org_workspaces(db: Database) -> None:
    # Enterprise Grid: the organisation of each workspace, so a weekly post finds the org-wide install's token.
    db.table("org_workspaces").create(
        {"team_id": str, "enterprise_id": str, "org_install": int, "updated_at": str},
        pk="team_id",
        not_null={"team_id", "enterprise_id", "org_install", "updated_at"},
    )


@migrations()
def m012_outside_people(db: Database) -> None:
    # People Slack says belong to another organisation (a Slack Connect channel's other side), noted when
    # they give or are thanked, so boards and reach can leave them out (LPBOT_EXTERNAL_ON_BOARDS).
    db.table("outside_people").create(
        {"team_id": str, "user_id": str, "noted_at": str},
        pk=("team_id", "user_id"),
        not_null={"team_id", "user_id", "noted_at"},
    )
