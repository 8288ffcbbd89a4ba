"""`lpbot import kudos FILE`: the kudos another tool (or `lpbot export kudos`) wrote, read back.

The file is what export writes: one record per (kudos, recipient), CSV with a header or a JSON list,
the columns of storage.kudos.EXPORT_COLUMNS (`id` groups the recipients of one kudos; `visibility`
may be left out and then reads as unknown, which the privacy rule treats as private). Every record
is checked before anything is written, and each problem names its line (CSV) or item (JSON) and field.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.slack.terms import is_channel_id, is_user_id
from principles import Catalog
from storage.kudos import DM, NOWHERE, PRIVATE, PUBLIC, UNKNOWN, iso

REQUIRED = ("id", "created_at", "team_id", "giver_id", "recipient_id", "principle", "reason")
VISIBILITIES = (PUBLIC, PRIVATE, DM, NOWHERE, UNKNOWN)
# The longest why a kudos keeps (the rules' MAX_REASON), with room for the entities Slack adds.
MAX_REASON_STORED = 5000
PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class ImportedKudos:
    team_id: str
    giver_id: str
    recipients: tuple[str, ...]
    principle: str
    reason: str
    channel_id: str | None
    created_at: datetime
    visibility: str

    @property
    def request_key(self) -> str:
        """The same kudos from the same file, or from the export it came from, is stored once: its key is its content."""
        content = json.dumps(
            [self.team_id, self.giver_id, sorted(self.recipients), self.principle, self.reason, self.created_at.isoformat()]
        )
        return "import:" + hashlib.sha256(content.encode()).hexdigest()[:32]


class ImportProblems(ValueError):
    """The file cannot be imported as it is; nothing was written. The message lists what to fix."""


def read_kudos(path: Path, catalog: Catalog, file_format: str | None = None) -> list[ImportedKudos]:
    """Every kudos in the file, checked; ImportProblems (all of them, up to PROBLEMS_SHOWN) otherwise."""
    if not path.is_file():
        raise ImportProblems(f"{path}: no such file")
    kind = file_format or ("json" if path.suffix.lower() == ".json" else "csv")
    records, where = _records(path, kind)
    problems: list[str] = []
    grouped: dict[tuple[str, str], dict] = {}
    for place, record in zip(where, records, strict=True):
        found = _check(record, catalog)
        if isinstance(found, list):
            problems += [f"{path}: {place}: {problem}" for problem in found]
            continue
        key = (found["team_id"], found["id"])
        kudos = grouped.setdefault(key, {**found, "recipients": []})
        if (kudos["giver_id"], kudos["principle"], kudos["reason"], kudos["created_at"]) != (
            found["giver_id"],
            found["principle"],
            found["reason"],
            found["created_at"],
        ):
            problems.append(f"{path}: {place}: id {found['id']} is another kudos' id (its giver, principle, why or time differ)")
        elif found["recipient_id"] not in kudos["recipients"]:
            kudos["recipients"].append(found["recipient_id"])
    if problems:
        more = f"\n… and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
        raise ImportProblems("nothing was imported; fix these and run it again:\n" + "\n".join(problems[:PROBLEMS_SHOWN]) + more)
    return [
        ImportedKudos(
            k["team_id"],
            k["giver_id"],
            tuple(k["recipients"]),
            k["principle"],
            k["reason"],
            k["channel_id"],
            k["created_at"],
            k["visibility"],
        )
        for k in grouped.values()
    ]


def _records(
    path: Path, kind: str, required: tuple[str, ...] = REQUIRED, optional: str = "channel_id, visibility", what: str = "kudos"
) -> tuple[list[dict], list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    if kind == "json":
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportProblems(f"{path}: not JSON (line {error.lineno}: {error.msg}); export writes a list of records") from None
        if not isinstance(loaded, list) or not all(isinstance(item, dict) for item in loaded):
            raise ImportProblems(f"{path}: a JSON list of records is expected, as `lpbot export {what} --format json` writes")
        return loaded, [f"item {n}" for n in range(1, len(loaded) + 1)]
    reader = csv.DictReader(text.splitlines())
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportProblems(f"{path}: the header lacks {', '.join(missing)}; it needs {', '.join(required)} (and may have {optional})")
    rows = list(reader)
    return rows, [f"line {n}" for n in range(2, len(rows) + 2)]


WEEKLY_REQUIRED = ("team_id", "channel_id", "week", "principle", "posted_at")
_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


def read_weekly(path: Path, catalog: Catalog, file_format: str | None = None) -> list[dict]:
    """Every posted week in the file, checked (the columns `lpbot export weekly` writes); ImportProblems otherwise."""
    if not path.is_file():
        raise ImportProblems(f"{path}: no such file")
    kind = file_format or ("json" if path.suffix.lower() == ".json" else "csv")
    records, where = _records(path, kind, WEEKLY_REQUIRED, "eligible", "weekly")
    problems, posts = [], []
    for place, record in zip(where, records, strict=True):
        value = {name: ("" if record.get(name) is None else str(record.get(name)).strip()) for name in (*WEEKLY_REQUIRED, "eligible")}
        found = [f"{name} is empty" for name in WEEKLY_REQUIRED if not value[name]]
        if value["team_id"] and not (value["team_id"][0] in "TE" and value["team_id"].isalnum()):
            found.append(f"team_id {value['team_id']!r} is not a Slack workspace ID (T…)")
        if value["channel_id"] and not is_channel_id(value["channel_id"]):
            found.append(f"channel_id {value['channel_id']!r} is not a Slack channel ID")
        if value["week"] and not _WEEK.match(value["week"]):
            found.append(f"week {value['week']!r} is not an ISO week, like 2026-W14")
        eligible = [slug for slug in value["eligible"].replace(";", ",").split(",") if slug.strip()]
        for slug in [value["principle"], *eligible]:
            if slug and catalog.by_slug(slug.strip()) is None:
                found.append(f"principle {slug.strip()!r} is not in the catalog (its slugs, as `lpbot export` writes them)")
        posted_at = None
        if value["posted_at"]:
            try:
                moment = datetime.fromisoformat(value["posted_at"].replace("Z", "+00:00"))
                posted_at = iso(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
            except ValueError:
                found.append(f"posted_at {value['posted_at']!r} is not an ISO 8601 time, like 2026-11-02T09:00:00+00:00")
        if found:
            problems += [f"{path}: {place}: {problem}" for problem in found]
        else:
            posts.append({**value, "posted_at": posted_at, "eligible": ",".join(s.strip() for s in eligible)})
    if problems:
        more = f"\n… and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
        raise ImportProblems("nothing was imported; fix these and run it again:\n" + "\n".join(problems[:PROBLEMS_SHOWN]) + more)
    return posts


def _check(record: dict, catalog: Catalog) -> dict | list[str]:
    problems = []
    value = {name: ("" if record.get(name) is None else str(record.get(name)).strip()) for name in (*REQUIRED, "channel_id", "visibility")}
    for name in REQUIRED:
        if not value[name]:
            problems.append(f"{name} is empty")
    if value["team_id"] and not (value["team_id"][0] in "TE" and value["team_id"].isalnum()):
        problems.append(f"team_id {value['team_id']!r} is not a Slack workspace ID (T…)")
    for name in ("giver_id", "recipient_id"):
        if value[name] and not is_user_id(value[name]):
            problems.append(f"{name} {value[name]!r} is not a Slack user ID (U… or W…)")
    if value["giver_id"] and value["giver_id"] == value["recipient_id"]:
        problems.append("giver_id and recipient_id are the same person")
    if value["principle"] and catalog.by_slug(value["principle"]) is None:
        problems.append(f"principle {value['principle']!r} is not in the catalog (its slugs, as `lpbot export` writes them)")
    if len(value["reason"]) > MAX_REASON_STORED:
        problems.append(f"reason is {len(value['reason'])} characters; at most {MAX_REASON_STORED}")
    if value["channel_id"] and not is_channel_id(value["channel_id"]) and not value["channel_id"].startswith("D"):
        problems.append(f"channel_id {value['channel_id']!r} is not a Slack conversation ID")
    visibility = value["visibility"] or UNKNOWN
    if visibility not in VISIBILITIES:
        problems.append(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    created_at = None
    if value["created_at"]:
        try:
            created_at = datetime.fromisoformat(value["created_at"].replace("Z", "+00:00"))
            created_at = created_at if created_at.tzinfo else created_at.replace(tzinfo=timezone.utc)
        except ValueError:
            problems.append(f"created_at {value['created_at']!r} is not an ISO 8601 time, like 2026-11-02T09:30:00+00:00")
    if problems:
        return problems
    return {**value, "created_at": created_at, "channel_id": value["channel_id"] or None, "visibility": visibility}
