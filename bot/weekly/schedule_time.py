"""When a channel's weekly post falls due: schedule text, weeks and moments in the schedule's own zone.

Pure: time always comes in as `now`, so every rule can be tested at any moment of any week in any zone.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.messages import quote
from storage.weekly import WEEKDAYS, Schedule


class ScheduleError(ValueError):
    """Schedule text that cannot work; the message says what to type instead."""


def parse_weekday(text: str) -> int:
    word = text.lower()
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    raise ScheduleError(f"“{quote(text, 20)}” isn't a weekday; use monday … sunday (or mon … sun).")


def parse_time(text: str) -> str:
    found = re.fullmatch(r"([01]?\d|2[0-3])[:.h]?([0-5]\d)", text)
    if not found:
        raise ScheduleError(f"“{quote(text, 20)}” isn't a time; use 24-hour HH:MM, for example 09:30.")
    return f"{int(found.group(1)):02d}:{found.group(2)}"


# The longest IANA zone name is 32 characters; anything far longer is not one.
_ZONE_NAME_LIMIT = 64


def parse_zone(text: str) -> str:
    """The zone name if zoneinfo knows it; ScheduleError (never anything else) if not."""
    try:
        if len(text) > _ZONE_NAME_LIMIT:
            raise ValueError(text)
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: an area alone ("Europe") names a folder of zones, which zoneinfo tries to read as one.
        raise ScheduleError(f"“{quote(text, 40)}” isn't a time zone; use an Area/City name such as Europe/Berlin.") from None
    return text


def occurrence(schedule: Schedule, now: datetime) -> tuple[str, datetime]:
    """This week's scheduled moment (weeks start on Monday in the schedule's zone) and the week's key."""
    zone = ZoneInfo(schedule.tz)
    local_today = now.astimezone(zone).date()
    day = local_today - timedelta(days=local_today.weekday() - schedule.weekday)
    hour, minute = map(int, schedule.time.split(":"))
    # A time inside a spring-forward gap does not exist; the round trip through UTC moves it
    # to the real moment an hour later, which is when a person would expect it.
    at = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(timezone.utc)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", at


def local_time(schedule: Schedule, moment: datetime) -> str:
    """A moment as the channel's people read it: in the schedule's zone, e.g. 'Mon 30 Nov 09:00'."""
    return moment.astimezone(ZoneInfo(schedule.tz)).strftime("%a %d %b %H:%M")


def next_run(schedule: Schedule, now: datetime) -> datetime:
    _, at = occurrence(schedule, now)
    return at if at > now else occurrence(schedule, now + timedelta(days=7))[1]
