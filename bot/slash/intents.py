"""The /lp command language: the text after /lp in, an intent out. Pure; never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.insights.figures import DEFAULT_WEEKS, MAX_WEEKS, parse_period
from bot.kudos import rules
from bot.messages.text import hours
from bot.slack.terms import CHANNEL_MENTION, GROUP_ID, GROUP_MENTION, USER_ID, USER_MENTION, Roster
from bot.weekly import schedule_time

COMMAND = "/lp"

#: (usage, what it does) for every subcommand; /lp help is built from this list.
USAGE: list[tuple[str, str]] = [
    # {number}, {name} and {slug} are filled from the team's own catalog (messages.help_reply).
    ("/lp <number or name>", "show a principle: `/lp {number}`, `/lp {name}`, `/lp #{slug}`, even with typos"),
    ("/lp show <principle>", "the same, spelled out"),
    ("/lp list [page]", "all the principles, one line each (a long list comes in pages)"),
    ("/lp random", "a principle picked at random"),
    ("/lp search <words>", "principles whose names and texts mention your words"),
    ("/lp kudos @someone <principle> <why>", "thank people (or a whole @group) for living a principle (also `/lp thanks`)"),
    (
        "/lp leaderboard [#channel|@group] [principle] [week|month|quarter|year|all]",
        "who was recognized most, in the workspace, a channel or a group; this quarter unless you say",
    ),
    ("/lp stats [@someone|#channel|@group]", "kudos received and given, by principle, for a person, a channel or a group"),
    ("/lp recent [principle]", "the latest kudos"),
    ("/lp undo", f"take back the last kudos you gave (within {hours(rules.UNDO_WINDOW)})"),
    ("/lp dm on|off", "whether I message you when you receive kudos"),
    ("/lp summary [quarter|year|N months]", "a DM with the kudos you received, by principle, for a review (last 6 months)"),
    (
        "/lp insights [share] [quarter|year|N weeks]",
        f"a chart of what the team recognized, week by week, and whether the principle of the week moved it (last {DEFAULT_WEEKS} weeks)",
    ),
    ("/lp digest #channel on|off", "admins: a monthly culture digest in that channel, on its first working day"),
    ("/lp week [next]", "this channel's principle of the week, or the next one"),
    (
        "/lp schedule #channel <weekday> <HH:MM> [Area/City]",
        "admins: post a principle there every week (`/lp schedule` lists them for anyone)",
    ),
    ("/lp schedule off #channel", "admins: stop a channel's weekly post"),
    ("/lp leaderboard off|on #channel", "admins: hide or show leaderboards in a channel (people still see their own stats)"),
    ("/lp help", "this list"),
]

# Slack sends mentions as <@U123|name> when the command escapes them, or <@U123>.
_MENTION = USER_MENTION
_CHANNEL = CHANNEL_MENTION
_LEADING_MENTIONS = re.compile(rf"^(?:\s*(?:<@{USER_ID}(?:\|[^>]*)?>|<!subteam\^{GROUP_ID}(?:\|[^>]*)?>|,|and\b|&amp;)\s*)+")


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ListAll:
    page: int = 1


@dataclass(frozen=True)
class Show:
    query: str


@dataclass(frozen=True)
class RandomPick:
    pass


@dataclass(frozen=True)
class Search:
    words: str


@dataclass(frozen=True)
class NearMiss:
    """A first word one slip away from a subcommand: `command` is the one meant, `rest` the text after it."""

    command: str
    rest: str


@dataclass(frozen=True)
class UsageError:
    """Text we understood enough to know it is incomplete; `message` says what to type."""

    message: str


@dataclass(frozen=True)
class GiveKudos:
    recipients: tuple[str, ...]
    text: str  # the principle and the why, still together
    groups: tuple[Roster, ...] = ()


@dataclass(frozen=True)
class Leaderboard:
    principle: str
    period: str
    roster: Roster | None = None


@dataclass(frozen=True)
class Stats:
    user_id: str | None
    roster: Roster | None = None


@dataclass(frozen=True)
class ShowInsights:
    weeks: int
    label: str
    share: bool  # in the channel for everyone, instead of the chart in a DM to the asker


@dataclass(frozen=True)
class SetDigest:
    channel_id: str
    enabled: bool


@dataclass(frozen=True)
class ShowLeaderboards:
    """An admin's choice for a channel: leaderboards shown there, or the principle mix instead."""

    channel_id: str
    shown: bool


@dataclass(frozen=True)
class Summary:
    """The kudos the asker received in the last `days`, for a review: `label` says the span in words."""

    days: int
    label: str


@dataclass(frozen=True)
class Recent:
    principle: str


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class DirectMessages:
    enabled: bool | None  # None: say whether they are on


@dataclass(frozen=True)
class Week:
    next: bool


@dataclass(frozen=True)
class ListSchedules:
    pass


@dataclass(frozen=True)
class SetSchedule:
    channel_id: str
    weekday: int
    time: str
    tz: str | None


@dataclass(frozen=True)
class StopSchedule:
    channel_id: str


Intent = (
    Help
    | ListAll
    | Show
    | RandomPick
    | Search
    | UsageError
    | NearMiss
    | GiveKudos
    | Leaderboard
    | Stats
    | Recent
    | Undo
    | DirectMessages
    | Week
    | ListSchedules
    | SetSchedule
    | StopSchedule
    | ShowLeaderboards
    | ShowInsights
    | SetDigest
    | Summary
)


def parse(text: str) -> Intent:
    """Turn the text after /lp into an intent. Never raises, whatever the text."""
    words = text.split()
    if not words:
        return Help()
    verb, rest = words[0].lower(), " ".join(words[1:])
    if verb in ("help", "?", "-h", "--help"):
        return Help()
    if verb == "list" and (not rest or rest.isdecimal()):
        # A long custom catalog comes in pages, so one message stays well inside Slack's limits.
        return ListAll(int(rest) if rest else 1)
    if verb == "random" and not rest:
        return RandomPick()
    if verb == "show":
        return Show(rest) if rest else UsageError("Which principle? Try `/lp show 7` or `/lp show ownership`.")
    if verb in ("search", "find"):
        return Search(rest) if rest else UsageError("Search for what? Try `/lp search customers`.")
    if verb in ("kudos", "thanks", "thank"):
        return _parse_kudos(text.strip()[len(words[0]) :])
    if verb in ("leaderboard", "leaderboards", "top"):
        return _parse_leaderboard(words[1:])
    if verb == "stats":
        if not rest:
            return Stats(None)
        mentioned = _MENTION.fullmatch(rest)
        roster = _roster(rest)
        if mentioned or roster:
            return Stats(mentioned.group(1) if mentioned else None, roster)
        return UsageError(
            "Try `/lp stats` for yourself, `/lp stats @someone`, or a channel or group: `/lp stats #channel`, `/lp stats @group`."
        )
    if verb == "recent":
        return Recent(rest)
    if verb == "undo" and not rest:
        return Undo()
    if verb == "random" and not rest:
        return RandomPick()
    if verb == "week" and rest.lower() in ("", "next"):
        return Week(next=rest.lower() == "next")
    if verb == "schedule":
        return _parse_schedule(words[1:])
    if verb in ("insights", "insight"):
        share = any(w.lower() == "share" for w in words[1:])
        period = parse_period(" ".join(w for w in words[1:] if w.lower() != "share"))
        if period is None:
            return UsageError(
                f"Try `/lp insights` (the last {DEFAULT_WEEKS} weeks), `/lp insights quarter`, `year` or `8 weeks` "
                f"(up to {MAX_WEEKS} weeks)."
            )
        return ShowInsights(period.weeks, period.label, share)
    if verb == "summary":
        span = summary_span(rest)
        if span is None:
            return UsageError(
                f"Try `/lp summary` (the last 6 months), `/lp summary quarter`, `year` or `9 months` (up to {SUMMARY_MONTHS} months)."
            )
        return Summary(*span)
    if verb == "digest":
        channel = _CHANNEL.fullmatch(words[1]) if len(words) == 3 else None
        if not channel or words[2].lower() not in ("on", "off"):
            return UsageError("Try `/lp digest #channel on` for a monthly culture digest there, or `/lp digest #channel off`.")
        return SetDigest(channel.group(1), words[2].lower() == "on")
    if verb == "dm":
        if rest.lower() in ("on", "off"):
            return DirectMessages(rest.lower() == "on")
        if not rest:
            return DirectMessages(None)
        return UsageError("Try `/lp dm off` to stop kudos messages, or `/lp dm on` to get them again.")
    if verb in ("undo", "random", "list", "week") and rest:
        # The command, with words it does not take ("undo please", "list abc"): say what it takes.
        return UsageError(_TAKES[verb])
    meant = near_command(verb)
    if meant:
        return NearMiss(meant, rest)
    if re.fullmatch(r"[-−]\d+", words[0]) and len(words) == 1:
        return Show(words[0])  # a negative number names no principle; the answer says which numbers do
    return Show(" ".join(words))


_TAKES = {
    "undo": f"`/lp undo` takes back your last kudos (within {hours(rules.UNDO_WINDOW)}); it takes nothing after it.",
    "random": "`/lp random` shows a principle picked at random; it takes nothing after it.",
    "list": "Try `/lp list`, or a page: `/lp list 2`.",
    "week": "Try `/lp week` for this week's principle, or `/lp week next`.",
}
COMMANDS = (
    "help",
    "list",
    "random",
    "show",
    "search",
    "kudos",
    "thanks",
    "leaderboard",
    "stats",
    "recent",
    "undo",
    "week",
    "schedule",
    "insights",
    "digest",
    "summary",
)


# A review looks back at most two years; a month here is 30 days (the span is counted in days, in UTC).
SUMMARY_MONTHS = 24


def summary_span(text: str) -> tuple[int, str] | None:
    """(days, words) for '', 'quarter', 'year', '6 months', '6m' or '6'; None for anything else."""
    words = text.strip().lower()
    if words in ("", "half", "half year", "half-year"):
        return 182, "the last 6 months"
    if words == "quarter":
        return 91, "the last quarter"
    if words == "year":
        return 365, "the last year"
    found = re.fullmatch(r"(\d{1,2})\s*(?:m|mo|month|months)?", words)
    if found and 1 <= int(found.group(1)) <= SUMMARY_MONTHS:
        months = int(found.group(1))
        return round(months * 30.44), "the last month" if months == 1 else f"the last {months} months"
    return None


def near_command(word: str) -> str | None:
    """The subcommand a mistyped first word most likely meant ("lsit", "leaderbord", "stat", "kudo",
    "schedul"): one letter off, two swapped, or cut short, for words of four letters or more."""
    word = word.lower()
    if len(word) < 4 or word in COMMANDS:
        return None
    for command in COMMANDS:
        if command.startswith(word) or _one_edit(word, command):
            return command
    return None


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_SCHEDULE_USAGE = (
    "Try `/lp schedule #channel monday 09:00 Europe/Berlin` (the zone is optional; yours is the default), "
    "`/lp schedule off #channel`, or `/lp schedule` to list them."
)


def _parse_schedule(args: list[str]) -> Intent:
    if not args:
        return ListSchedules()
    if args[0].lower() in ("off", "stop", "remove"):
        channel = _CHANNEL.fullmatch(args[1]) if len(args) == 2 else None
        return StopSchedule(channel.group(1)) if channel else UsageError(_SCHEDULE_USAGE)
    channel = _CHANNEL.fullmatch(args[0])
    if not channel or len(args) not in (3, 4):
        return UsageError(_SCHEDULE_USAGE)
    try:
        return SetSchedule(
            channel.group(1),
            schedule_time.parse_weekday(args[1]),
            schedule_time.parse_time(args[2]),
            schedule_time.parse_zone(args[3]) if len(args) == 4 else None,
        )
    except schedule_time.ScheduleError as error:
        return UsageError(str(error))


def _roster(word: str) -> Roster | None:
    """A channel or user-group mention standing alone, as the scope of a board."""
    channel = _CHANNEL.fullmatch(word)
    if channel:
        return Roster("channel", channel.group(1), channel.group(2) or "")
    group = GROUP_MENTION.fullmatch(word)
    if group:
        return Roster("group", group.group(1), (group.group(2) or "").lstrip("@"))
    return None


def _parse_leaderboard(args: list[str]) -> Intent:
    if args and args[0].lower() in ("on", "off"):
        channel = _CHANNEL.fullmatch(args[1]) if len(args) == 2 else None
        if not channel:
            return UsageError("Try `/lp leaderboard off #channel` to hide leaderboards there, or `/lp leaderboard on #channel`.")
        return ShowLeaderboards(channel.group(1), args[0].lower() == "on")
    period = rules.DEFAULT_PERIOD
    periods = [word for word in args if word.lower() in rules.PERIODS]
    if len(periods) > 1:
        return UsageError("One period at a time: `week`, `month`, `quarter`, `year` or `all`.")
    if periods:  # anywhere: `/lp leaderboard week ownership` and `/lp leaderboard ownership week` alike
        period, args = periods[0].lower(), [word for word in args if word is not periods[0]]
    unlinked = next((word for word in args if _UNLINKED.fullmatch(word)), None)
    if unlinked:
        return UsageError(_unlinked(unlinked))
    rosters = [roster for word in args if (roster := _roster(word))]
    if len(rosters) > 1:
        return UsageError("One channel or group at a time: `/lp leaderboard #channel` or `/lp leaderboard @group`.")
    rest = [word for word in args if not _roster(word)]
    return Leaderboard(" ".join(rest), period, rosters[0] if rosters else None)


# An @name that Slack did not turn into a mention (typed too fast, pasted): plain text, not an ID.
_UNLINKED = re.compile(r"@[\w.\-]{1,80}")


def _unlinked(word: str) -> str:
    return (
        f"Slack didn't link {word} to a person: type @ and pick them from the list Slack offers (the name turns "
        "into a mention), then send it again."
    )


def _parse_kudos(text: str) -> Intent:
    first = text.split()[0] if text.split() else ""
    if _UNLINKED.fullmatch(first):
        return UsageError(_unlinked(first))
    lead = _LEADING_MENTIONS.match(text)
    if not lead or not (_MENTION.search(lead.group(0)) or GROUP_MENTION.search(lead.group(0))):
        return UsageError(
            "Start with the people you want to thank, mentioned with @: "
            "`/lp kudos @alex ownership for staying with the outage until it was fixed` (a whole @group works too)."
        )
    recipients = tuple(_MENTION.findall(lead.group(0)))
    groups = tuple(Roster("group", group_id, label.lstrip("@")) for group_id, label in GROUP_MENTION.findall(lead.group(0)))
    return GiveKudos(recipients, text[lead.end() :].strip(), tuple(dict.fromkeys(groups)))
