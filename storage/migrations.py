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
