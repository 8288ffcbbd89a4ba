"""Who is asking or giving, where, and how to learn about other people: one `Asker`, built one way
(`asker_for`) by every entry point, so each Slack request brings the same powers to the core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from slack_sdk import WebClient

from bot import messages
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.person import Person
from bot.slack.rosters import RosterUnknown
from bot.slack.terms import Roster
from storage import kudos as kudos_store


@dataclass(frozen=True)
class Asker:
    """Who acted, where, and how to learn about other people.

    `visibility` is the conversation's (public, private, dm, none): a kudos given here keeps it.
    `request_key` names the Slack request, so a replay of it is answered but stored once.
    """

    team_id: str
    user_id: str
    channel_id: str | None
    lookup: Callable[[str], Person | None]
    visibility: str = kudos_store.NOWHERE
    request_key: str | None = None
    # A roster's (name, members), for a channel or a user group, asked of Slack; None where no client is at hand.
    members: Callable[[Roster], tuple[str, frozenset[str]]] | None = None
    # A channel's visibility (public, private, dm), asked of Slack; None where no client is at hand.
    place: Callable[[str], str] | None = None
    # A slash command's response_url: its kudos is thanked there, and undo can replace that message.
    response_url: str | None = None

    def roster(self, scope: Roster) -> tuple[str, frozenset[str]]:
        """A roster's name and members. A channel's are shown only to its members, unless it is public:
        who is in a private channel (and how they were thanked) is for the people in it. Every way of
        not being allowed to see gets one sentence, so the answer tells nobody whether a channel exists."""
        if self.members is None:
            raise Refusal(messages.NO_ROSTERS_HERE)
        if scope.kind != "channel":
            return self.members(scope)
        try:
            name, people = self.members(scope)
        except RosterUnknown:
            raise Refusal(messages.CHANNEL_NOT_SHOWN) from None
        if self.user_id not in people and (self.place is None or self.place(scope.id) != kudos_store.PUBLIC):
            raise Refusal(messages.CHANNEL_NOT_SHOWN)
        return name, people

    def sees(self, channel_id: str) -> bool:
        """Whether the asker may read about this channel: a public one, or a private one they are in."""
        try:
            self.roster(Roster("channel", channel_id, ""))
        except Refusal:
            return False
        return True

    @property
    def viewer(self) -> kudos_store.Viewer:
        return kudos_store.Viewer(self.user_id, self.channel_id)


def asker_for(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    *,
    channel_id: str | None = None,
    visibility: str = kudos_store.NOWHERE,
    request_key: str | None = None,
    response_url: str | None = None,
) -> Asker:
    """The Asker of one Slack request: people, rosters and places asked of this workspace's client, cached."""
    return Asker(
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        lookup=partial(services.people.lookup, client, team_id),
        visibility=visibility,
        request_key=request_key,
        members=partial(services.rosters.members, client, team_id),
        place=partial(services.places.visibility, client, team_id),
        response_url=response_url,
    )
