"""Who Slack says a user is, as plain values: `Person`, and `LookupFailed` when Slack could not say. A leaf."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.refusal import Refusal


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    tz: str = "UTC"
    is_bot: bool = False
    is_admin: bool = False
    deleted: bool = False
    # Their home workspace and Enterprise Grid organisation, as users.info says: in a Slack Connect
    # channel, another organisation's people have a team_id that is not ours.
    team_id: str | None = None
    enterprise_id: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


class LookupFailed(Refusal):
    """Slack could not say who someone is (a missing scope, a rate limit that outlasted the retries)."""

    def __init__(self, code: str):
        super().__init__(
            f"I couldn't check that with Slack just now (it said `{code}`), so nothing was saved. "
            "Please try again; if it keeps happening, ask whoever runs LP Bot to run `lpbot doctor`.",
            field="recipients",
            plain=f"Slack couldn't confirm these people ({code}); please try again.",
        )
        self.code = code
