"""Who belongs to a user group or a channel, asked of Slack and kept for a few minutes.

Kudos for a group, and leaderboards for a channel or group, need the members; groups and channels change
slowly, and usergroups.* and conversations.members are rate-limited, so answers are cached per
(workspace, group or channel).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.refusal import Refusal
from bot.slack.cache import SlackAnswers
from bot.slack.terms import SLACK_FAILURES, failure_code

log = logging.getLogger(__name__)

CACHE_SECONDS = 300
CACHE_ENTRIES = 2000
# conversations.members pages hold up to 1,000 IDs; a board for a channel past this many is a
# board for most of the workspace, so the rest would change little.
MEMBER_PAGES = 20


@dataclass(frozen=True)
class Group:
    id: str
    handle: str  # without the @
    members: tuple[str, ...]


class RosterUnknown(Refusal):
    """Slack would not say who is in a group or channel."""


class Rosters:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = CACHE_ENTRIES):
        self._answers = SlackAnswers(CACHE_SECONDS, max_entries, clock)

    def group_members(self, client: WebClient, team_id: str, group_id: str) -> tuple[str, ...]:
        """The people in a user group; RosterUnknown when Slack will not say (no such group, no scope)."""

        def ask() -> tuple[str, ...]:
            try:
                users = client.usergroups_users_list(usergroup=group_id).get("users") or []
            except SLACK_FAILURES as error:
                code = failure_code(error)
                log.info("usergroups.users.list failed for %s: %s", group_id, code)
                if code in ("no_such_subteam", "subteam_not_found"):
                    raise RosterUnknown("I couldn't find that user group. Check the @handle and try again.", field="recipients") from None
                raise _cannot_ask(code) from None
            return tuple(u for u in users if isinstance(u, str))

        return self._cached(("members", team_id, group_id), ask)  # type: ignore[return-value]

    def groups(self, client: WebClient, team_id: str) -> tuple[Group, ...]:
        """The workspace's enabled user groups with their members, one usergroups.list call."""

        def ask() -> tuple[Group, ...]:
            try:
                found = client.usergroups_list(include_users=True).get("usergroups") or []
            except SLACK_FAILURES as error:
                raise _cannot_ask(failure_code(error)) from None
            return tuple(
                Group(g["id"], g.get("handle") or g.get("name") or g["id"], tuple(g.get("users") or ()))
                for g in found
                if isinstance(g, dict) and g.get("id") and not g.get("date_delete")
            )

        return self._cached(("groups", team_id, ""), ask)  # type: ignore[return-value]

    def handle(self, client: WebClient, team_id: str, group_id: str) -> str | None:
        try:
            return next((g.handle for g in self.groups(client, team_id) if g.id == group_id), None)
        except RosterUnknown:
            return None

    def members(self, client: WebClient, team_id: str, scope) -> tuple[str, frozenset[str]]:
        """A roster (a channel or a user group) as (its name as typed: a group's handle, a channel's name; and its members)."""
        if scope.kind == "channel":
            return scope.label, self.channel_members(client, team_id, scope.id)
        handle = scope.label or self.handle(client, team_id, scope.id) or "a user group"
        return handle, frozenset(self.group_members(client, team_id, scope.id))

    def channel_members(self, client: WebClient, team_id: str, channel_id: str) -> frozenset[str]:
        def ask() -> frozenset[str]:
            members: set[str] = set()
            cursor = None
            try:
                for _ in range(MEMBER_PAGES):
                    page = client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
                    members.update(page.get("members") or ())
                    cursor = (page.get("response_metadata") or {}).get("next_cursor")
                    if not cursor:
                        break
            except SLACK_FAILURES as error:
                code = failure_code(error)
                if code in ("channel_not_found", "not_in_channel"):
                    raise RosterUnknown(
                        f"I can't see who is in <#{channel_id}>. Invite me there with `/invite @LP Bot`, then ask again."
                    ) from None
                raise _cannot_ask(code) from None
            return frozenset(members)

        return self._cached(("channel", team_id, channel_id), ask)  # type: ignore[return-value]

    def _cached(self, key: tuple[str, str, str], ask: Callable[[], object]) -> object:
        return self._answers.get_or_ask(key, ask)


def _cannot_ask(code: str) -> RosterUnknown:
    if code == "missing_scope":
        return RosterUnknown(
            "I'm not allowed to read user groups or channel members here; ask whoever runs LP Bot to reinstall it "
            "from its manifest (`usergroups:read`), or run `lpbot doctor`.",
            field="recipients",
        )
    return RosterUnknown(
        f"I couldn't ask Slack who is in that channel or group just now (it said `{code}`). Please try again.", field="recipients"
    )
