"""The schema, one step at a time. Never edit a step that has shipped: add a new one."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("lpbot")


@migrations()
def m001_kudos(db: Database) -> None:
    # Every table carries team_id so one file can serve several workspaces.
    db["kudos"].create(
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
    db["kudos"].create_index(["team_id", "created_at"])
    db["kudos"].create_index(["team_id", "giver_id", "created_at"])
    db["kudos_recipients"].create(
        {"kudos_id": int, "team_id": str, "recipient_id": str, "created_at": str},
        pk=("kudos_id", "recipient_id"),
        not_null={"team_id", "recipient_id", "created_at"},
        foreign_keys=[("kudos_id", "kudos", "id")],
    )
    db["kudos_recipients"].create_index(["team_id", "recipient_id", "created_at"])
    db["kudos_recipients"].create_index(["team_id", "created_at"])
    db["member_settings"].create(
        {"team_id": str, "user_id": str, "kudos_dms": int},
        pk=("team_id", "user_id"),
        not_null={"team_id", "user_id", "kudos_dms"},
        defaults={"kudos_dms": 1},
    )


@migrations()
def m002_monthly_rollup(db: Database) -> None:
    # Leaderboards and stats over a big team read per-month totals instead of every row:
    # 1,000,000 kudos made a quarter's leaderboard take 150 ms from the rows, under 10 from these.
    db["kudos_recipients"].add_column("principle", str)
    db.execute("UPDATE kudos_recipients SET principle = (SELECT principle FROM kudos WHERE kudos.id = kudos_id)")
    db["kudos_recipients"].create_index(["team_id", "created_at", "principle"])
    db["kudos"].create_index(["team_id", "giver_id", "created_at", "principle"])
    db["kudos_monthly"].create(
        {"team_id": str, "month": str, "recipient_id": str, "principle": str, "received": int},
        pk=("team_id", "month", "recipient_id", "principle"),
        not_null={"received"},
    )
    db["kudos_monthly"].create_index(["team_id", "recipient_id", "month"])
    db.execute(
        "INSERT INTO kudos_monthly (team_id, month, recipient_id, principle, received)"
        " SELECT team_id, substr(created_at, 1, 7), recipient_id, principle, count(*) FROM kudos_recipients"
        " GROUP BY 1, 2, 3, 4"
    )
    # Triggers keep the totals right in the same transaction as every insert and delete.
    db.execute(
        """CREATE TRIGGER kudos_monthly_add AFTER INSERT ON kudos_recipients BEGIN
            INSERT INTO kudos_monthly (team_id, month, recipient_id, principle, received)
            VALUES (NEW.team_id, substr(NEW.created_at, 1, 7), NEW.recipient_id, NEW.principle, 1)
            ON CONFLICT (team_id, month, recipient_id, principle) DO UPDATE SET received = received + 1;
        END"""
    )
    db.execute(
        """CREATE TRIGGER kudos_monthly_remove AFTER DELETE ON kudos_recipients BEGIN
            UPDATE kudos_monthly SET received = received - 1
            WHERE team_id = OLD.team_id AND month = substr(OLD.created_at, 1, 7)
              AND recipient_id = OLD.recipient_id AND principle = OLD.principle;
            DELETE FROM kudos_monthly
            WHERE team_id = OLD.team_id AND month = substr(OLD.created_at, 1, 7)
              AND recipient_id = OLD.recipient_id AND principle = OLD.principle AND received <= 0;
        END"""
    )
