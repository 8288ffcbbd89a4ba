"""Which Enterprise Grid organisation each workspace belongs to, as Slack's requests say.

An org-wide install stores one bot token for the organisation (its team is none); a Grid workspace's
own install stores the organisation beside the workspace. Work no request starts (weekly posts,
digests) knows only the workspace, so the organisation is kept here, learned from the requests and
from team_access_granted, and dropped on team_access_revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.kudos import iso


@dataclass(frozen=True)
class Organisation:
    enterprise_id: str
    org_install: bool  # the app was installed for the whole organisation, not for this workspace alone


def remember(db: Database, team_id: str, enterprise_id: str, org_install: bool, now: datetime) -> None:
    db.execute(
        "INSERT INTO org_workspaces (team_id, enterprise_id, org_install, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id, org_install = excluded.org_install,"
        " updated_at = excluded.updated_at",
        [team_id, enterprise_id, int(org_install), iso(now)],
    )


def organisation_of(db: Database, team_id: str) -> Organisation | None:
    row = db.execute("SELECT enterprise_id, org_install FROM org_workspaces WHERE team_id = ?", [team_id]).fetchone()
    return Organisation(row[0], bool(row[1])) if row else None


def forget(db: Database, enterprise_id: str, team_ids: list[str]) -> int:
    """The organisation took these workspaces away from the app: its work there stops."""
    marks = ", ".join("?" for _ in team_ids)
    if not team_ids:
        return 0
    return db.execute(f"DELETE FROM org_workspaces WHERE enterprise_id = ? AND team_id IN ({marks})", [enterprise_id, *team_ids]).rowcount
