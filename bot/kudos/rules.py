"""The rules of kudos: who may be thanked, for what, how often, and what counts as the same one twice.

Pure apart from the store and the clock, which are passed in. Every refusal is a `Refusal`
whose text is the friendly, already-escaped sentence the giver should read.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.messages import KudosLimits
from bot.messages.text import hours
from bot.refusal import Refusal
from bot.slack.person import Person
from principles import Catalog, Match, Principle, match_principle
from storage import Store
from storage import kudos as kudos_store

MIN_REASON = 10
MAX_REASON = 1000
# One kudos thanks a handful of people; a longer list is more likely a mistake than a team.
MAX_RECIPIENTS = 20
# A user group is thanked as one: up to this many people in all, the giver and bots left out.
MAX_GROUP_PEOPLE = 30
# What the kudos modal states in its hints, from the same numbers.
LIMITS = KudosLimits(MIN_REASON, MAX_REASON, MAX_GROUP_PEOPLE)
DUPLICATE_WINDOW = timedelta(minutes=1)
UNDO_WINDOW = timedelta(hours=24)
UTC = ZoneInfo("UTC")
# Typos are looked for in the first few words only: past that, any text resembles something.
_TYPO_WORDS = 3

PERIODS = ("week", "month", "quarter", "year", "all")
DEFAULT_PERIOD = "quarter"


@dataclass(frozen=True)
class Given:
    kudos_id: int
    giver_id: str
    recipients: tuple[str, ...]
    principle: Principle
    reason: str
    channel_id: str | None
    message_link: str | None
    duplicate: bool = False
    dropped_self: bool = False
    visibility: str = kudos_store.UNKNOWN
    groups: tuple[str, ...] = ()  # the handles of user groups thanked, named in the post instead of every member
    link_withheld: bool = False  # about a message in a private conversation: its link stays there


def split_principle(catalog: Catalog, text: str) -> tuple[Match, str]:
    """Split 'dive deep for finding the leak' into the principle and the reason.

    The principle is the longest run of leading words that names exactly one principle
    (its number, #slug, name or alias: never a common word); failing that, the longest run of up to
    three words that is a clear typo of one. What follows is the reason.
    """
    words = text.split()
    # No name is longer than the catalog's longest key, so longer runs need no trying.
    longest = catalog.longest_key_words
    for width in range(min(len(words), longest), 0, -1):
        match = match_principle(catalog, " ".join(words[:width]), fuzzy=False, named=True)
        if match.found:
            return match, " ".join(words[width:])
    widest = Match(None)
    for width in range(min(len(words), _TYPO_WORDS), 0, -1):
        match = match_principle(catalog, " ".join(words[:width]), named=True)
        if match.found:
            # A typo match forgives extra words too ("ownrship for" still reads as Ownership); the
            # narrowest run naming the same principle leaves those words in the reason.
            while (
                width > 1 and (narrower := match_principle(catalog, " ".join(words[: width - 1]), named=True)).principle == match.principle
            ):
                match, width = narrower, width - 1
            return match, " ".join(words[width:])
        if width == min(len(words), _TYPO_WORDS):
            widest = match  # its suggestions answer for the whole attempt
    return widest, ""


def too_many_recipients(count: int) -> Refusal:
    return Refusal(
        f"That's {count} people; one kudos can thank up to {MAX_RECIPIENTS}. Split it, or thank a smaller group.",
        field="recipients",
    )


def check_recipients(
    giver_id: str, recipients: tuple[str, ...], lookup: Callable[[str], Person | None], group_members: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], bool]:
    """The recipients kudos can go to, and whether the giver was dropped from those they named.

    People named one by one must each be thankable (a refusal says who is not); members of a
    user group are thanked as a group, so the giver, bots and deactivated people are left out quietly.
    """
    unique = tuple(dict.fromkeys(recipients))
    if len(unique) > MAX_RECIPIENTS:
        raise too_many_recipients(len(unique))
    if group_members:
        return _with_groups(giver_id, unique, lookup, group_members)
    if not unique:
        raise Refusal(
            "Who are the kudos for? Mention them: `/lp kudos @alex ownership for fixing the deploy`.",
            field="recipients",
            plain="Choose at least one person, or a group, to thank.",
        )
    others = tuple(r for r in unique if r != giver_id)
    if not others:
        raise Refusal("Kudos are for other people — you can't give them to yourself. Who helped you lately?", field="recipients")
    for user_id in others:
        person = lookup(user_id)
        if person is None or person.deleted:
            raise Refusal(
                f"I couldn't find <@{user_id}> in this workspace. Check the mention and try again.",
                field="recipients",
                plain="One of these people isn't in this workspace any more; please remove them.",
            )
        if person.is_bot:
            raise Refusal(
                f"<@{user_id}> is a bot; kudos are for people. Thank the person behind it instead!",
                field="recipients",
                plain=f"{person.name} is a bot; kudos are for people. Please remove it.",
            )
    return others, len(others) != len(unique)


def _with_groups(
    giver_id: str, named: tuple[str, ...], lookup: Callable[[str], Person | None], group_members: tuple[str, ...]
) -> tuple[tuple[str, ...], bool]:
    others = check_recipients(giver_id, named, lookup)[0] if set(named) - {giver_id} else ()
    members = tuple(m for m in dict.fromkeys(group_members) if m != giver_id and m not in others)
    if len(others) + len(members) > MAX_GROUP_PEOPLE:
        raise Refusal(
            f"That's {len(others) + len(members)} people; a kudos for a group can thank up to {MAX_GROUP_PEOPLE}. "
            "Thank a smaller group, or the people who did it by name.",
            field="groups",
        )
    thankable = []
    for user_id in members:
        person = lookup(user_id)
        if person is not None and not person.deleted and not person.is_bot:
            thankable.append(user_id)
    everyone = others + tuple(thankable)
    if not everyone:
        raise Refusal("There's nobody in that group I can thank besides you. Mention the people who helped instead.", field="groups")
    return everyone, giver_id in named


def reason_length(reason: str) -> int:
    """How long a why reads, for the minimum: a wide character (Chinese, Japanese, Korean: Unicode's
    East Asian Width W or F) counts as two, since one carries about what two letters do; "助かりました"
    is a whole thank-you in six. Slack sends &, < and > as entities: count what was typed."""
    typed = html.unescape(reason)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in typed)


def check_reason(reason: str) -> str:
    reason = reason.strip()
    length = len(html.unescape(reason))
    if reason_length(reason) < MIN_REASON:
        raise Refusal(
            f"Say why, in at least {MIN_REASON} characters ({MIN_REASON // 2} in Chinese, Japanese or Korean): what did they do? "
            "For example `/lp kudos @alex ownership for staying with the outage until it was fixed`.",
            field="reason",
            plain=f"Say what they did, in at least {MIN_REASON} characters.",
        )
    if length > MAX_REASON:
        raise Refusal(f"That's {length} characters; please keep the why to {MAX_REASON} at most.", field="reason")
    return reason


def give(
    store: Store,
    *,
    team_id: str,
    giver_id: str,
    recipients: tuple[str, ...],
    principle: Principle,
    reason: str,
    channel_id: str | None,
    message_link: str | None,
    now: datetime,
    giver_zone: ZoneInfo,
    daily_limit: int,
    visibility: str,
    request_key: str | None = None,
    dropped_self: bool = False,
    groups: tuple[str, ...] = (),
    response_url: str | None = None,
    outside: tuple[str, ...] = (),
) -> Given:
    """Store a kudos in one transaction, unless it is a duplicate or over the daily limit.

    Two rules make a kudos count once: the same Slack request (`request_key`, e.g. its
    trigger_id) whenever it arrives again, and the same content pressed twice within a minute.
    `response_url`: where the public thank-you will be posted (a slash command's), recorded in the
    same transaction so that undoing the kudos can replace it. `outside`: the people among giver and
    recipients Slack says belong to another organisation, noted so boards can leave them off.
    """
    reason = check_reason(reason)
    given = Given(
        0,
        giver_id,
        recipients,
        principle,
        reason,
        channel_id,
        message_link,
        dropped_self=dropped_self,
        visibility=visibility,
        groups=groups,
    )
    with store.write() as db:
        duplicate = request_key and kudos_store.find_by_request(db, team_id, request_key)
        duplicate = duplicate or kudos_store.find_duplicate(
            db, team_id, giver_id, recipients, principle.slug, reason, since=now - DUPLICATE_WINDOW
        )
        if duplicate:
            return replace(given, kudos_id=duplicate, duplicate=True)
        if daily_limit:
            day_start, next_day = local_day(now, giver_zone)
            if kudos_store.count_given_since(db, team_id, giver_id, day_start) >= daily_limit:
                raise Refusal(
                    field="recipients",
                    message=f"You've given your {daily_limit} kudos for today — thank you for noticing so much! "
                    f"Your count starts again at midnight your time, {_in_time(next_day - now)}.",
                )
        kudos_id = kudos_store.insert_kudos(
            db,
            team_id=team_id,
            giver_id=giver_id,
            recipients=recipients,
            principle=principle.slug,
            reason=reason,
            channel_id=channel_id,
            message_link=message_link,
            created_at=now,
            visibility=visibility,
            request_key=request_key,
        )
        if response_url:
            kudos_store.record_public_post(db, kudos_id, team_id, now, channel_id=channel_id, response_url=response_url)
        kudos_store.note_outside(db, team_id, outside, now)
    return replace(given, kudos_id=kudos_id)


@dataclass(frozen=True)
class Withdrawn:
    """A kudos taken back, and where it had been thanked in public (None: nowhere known)."""

    record: kudos_store.KudosRecord
    post: kudos_store.PublicPost | None


# A slash command's response_url takes posts, replace_original among them, for 30 minutes (Slack's
# "Handling user interaction" page); a message the bot posted can be updated for as long as it exists.
RESPONSE_URL_LIFE = timedelta(minutes=30)


def still_editable(post: kudos_store.PublicPost, now: datetime) -> bool:
    """Whether Slack still lets the bot change this public thank-you."""
    if post.ts:
        return True
    return bool(post.response_url) and now - datetime.fromisoformat(post.posted_at) < RESPONSE_URL_LIFE


def undo(store: Store, *, team_id: str, giver_id: str, now: datetime) -> Withdrawn:
    with store.write() as db:
        latest = kudos_store.latest_given(db, team_id, giver_id, since=now - UNDO_WINDOW)
        if latest is None:
            raise Refusal(f"You haven't given any kudos in the last {hours(UNDO_WINDOW)}, so there is nothing to undo.")
        post = kudos_store.public_post(db, latest.id)
        kudos_store.delete_kudos(db, latest.id)
    return Withdrawn(latest, post)


def withdraw(store: Store, *, team_id: str, request_key: str, now: datetime) -> Withdrawn | None:
    """Take back the kudos a message or a reaction gave, if it is still inside the undo window."""
    with store.write() as db:
        found = kudos_store.given_for_request(db, team_id, request_key, since=now - UNDO_WINDOW)
        if found is None:
            return None
        post = kudos_store.public_post(db, found.id)
        kudos_store.delete_kudos(db, found.id)
    return Withdrawn(found, post)


def local_day(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start of today and of tomorrow in `zone`, as aware datetimes."""
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # Build tomorrow from the date, not start + 24h: days around a DST change are 23 or 25 hours.
    tomorrow = (start + timedelta(days=1, hours=3)).replace(hour=0, tzinfo=None)
    return start, tomorrow.replace(tzinfo=zone)


def period_start(period: str, now: datetime, zone: ZoneInfo = UTC) -> datetime | None:
    """Where 'this week/month/quarter/year' begins in `zone`; None for all time."""
    local = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if period == "week":
        start = local - timedelta(days=local.weekday())
    elif period == "month":
        start = local.replace(day=1)
    elif period == "quarter":
        start = local.replace(month=3 * ((local.month - 1) // 3) + 1, day=1)
    elif period == "year":
        start = local.replace(month=1, day=1)
    else:
        return None
    return start.replace(tzinfo=zone).astimezone(timezone.utc)


def _in_time(delta: timedelta) -> str:
    minutes = max(1, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"in {hours} h {minutes} min"
    return f"in {minutes} min"
