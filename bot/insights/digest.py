"""The monthly culture digest: each enrolled channel gets last month's insights on the first working
day of the month, at its weekly post's time and zone, exactly once (the same ledger as the weekly post,
storage/weekly.py's `DIGEST`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient

from bot import messages
from bot.insights import charts, figures, gather
from bot.scheduler import Outcome, post_failed, run_each
from bot.services import Services
from bot.slack.delivery import upload_image
from bot.slack.terms import SLACK_FAILURES, failure_code
from storage import kudos as kudos_store
from storage import weekly as weekly_store
from storage.weekly import DIGEST, Digest, PostStatus

log = logging.getLogger(__name__)

SHOUT_OUTS = 3
# Marks a digest post in the channel, as the weekly post is marked, so it can be recognized later.
DIGEST_EVENT = "lpbot_digest"


def _time_and_zone(services: Services, digest: Digest) -> tuple[time, ZoneInfo]:
    """The channel's weekly post time and zone when it has one (so a change there moves the digest too), else the digest's own."""
    schedule = weekly_store.get_schedule(services.store.db, digest.team_id, digest.channel_id)
    at, tz = (schedule.time, schedule.tz) if schedule else (digest.time, digest.tz)
    hour, minute = (int(part) for part in at.split(":"))
    try:
        return time(hour, minute), ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return time(hour, minute), ZoneInfo("UTC")


def first_working_day(year: int, month: int, country: str | None = None) -> date:
    """The month's first weekday that is not a public holiday of `country` (LPBOT_HOLIDAYS), if one is set."""
    days_off = _public_holidays(country, year)
    day = date(year, month, 1)
    while day.weekday() >= 5 or day in days_off:  # Saturday, Sunday, a public holiday
        day += timedelta(days=1)
    return day


def _public_holidays(country: str | None, year: int):
    if not country:
        return frozenset()
    import holidays

    code, _, subdivision = country.partition("-")
    return holidays.country_holidays(code, subdiv=subdivision or None, years=year)


def _due(services: Services, digest: Digest, now: datetime, months_ahead: int = 0) -> tuple[str, datetime]:
    """(the month the digest is about, when it is due) for the month `now` falls in, in the digest's zone."""
    at, zone = _time_and_zone(services, digest)
    local = now.astimezone(zone)
    year, month = local.year, local.month + months_ahead
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    when = datetime.combine(first_working_day(year, month, services.settings.holidays), at, tzinfo=zone)
    about = date(year, month, 1) - timedelta(days=1)
    return f"{about:%Y-%m}", when


def when_text(services: Services, digest: Digest, now: datetime) -> str:
    """When the next digest goes out, as the admin will read it."""
    _, when = _due(services, digest, now)
    if when <= now:
        _, when = _due(services, digest, now, months_ahead=1)
    return f"next on {when:%a %d %b %Y at %H:%M} ({when.tzinfo})"


def next_due_times(services: Services, now: datetime) -> list[datetime]:
    """When each channel's next digest is due, from `now` on (the console stops its clock there)."""
    moments = []
    for digest in weekly_store.list_digests(services.store.db):
        _, when = _due(services, digest, now)
        moments.append(when if when > now else _due(services, digest, now, months_ahead=1)[1])
    return moments


def month_span(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a month in UTC, as every count in LP Bot uses calendar periods in UTC."""
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=timezone.utc)
    return start, (start + timedelta(days=32)).replace(day=1)


def compose(services: Services, team_id: str, month: str) -> tuple[messages.Reply, figures.Insights]:
    since, until = month_span(month)
    label = f"{since:%B %Y}"
    columns = figures.weeks_of_month(since)
    outside_too = services.settings.external_on_boards
    found = gather.gather_insights(
        services.store.db, services.catalog, team_id, f"Kudos by principle, {label}", columns, since, until, outside_too
    )
    db = services.store.db
    # Under-recognized: the fewest kudos among principles that had some (those with none have nothing to quote).
    totals = found.totals
    under = sorted((slug for slug in found.principles if totals[slug]), key=lambda slug: (totals[slug], found.principles.index(slug)))
    quotes = (kudos_store.newest_public_kudos_for(db, team_id, slug, since, until) for slug in under)
    shout_outs = [record for record in quotes if record is not None][:SHOUT_OUTS]
    least = services.catalog.by_slug(found.least[0]) if found.least else None
    return messages.digest_post(found, services.catalog, label, shout_outs, least), found


def run_due(
    services: Services,
    client: WebClient | None,
    now: datetime,
    team_id: str | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[Outcome]:
    """Post every digest due at `now` and not posted yet; safe to call as often as you like."""
    digests = weekly_store.list_digests(services.store.db, team_id)
    return run_each(services, client, digests, run_digest, now, should_stop, "digest")


def run_digest(services: Services, client: WebClient, digest: Digest, now: datetime) -> Outcome | None:
    month, at = _due(services, digest, now)
    if now < at or now - at > timedelta(hours=services.settings.grace_hours):
        return None  # not yet, or missed beyond the grace period: next month's comes as usual
    if digest.updated_at and at < datetime.fromisoformat(digest.updated_at):
        return None  # due before it was turned on: never promised, so the first comes next month
    team, channel = digest.team_id, digest.channel_id
    existing = weekly_store.entry(services.store.db, team, channel, month, ledger=DIGEST)
    if existing is not None and existing.status != PostStatus.FAILED:
        return None  # posted, in progress or in doubt: never twice, and no figures composed for nothing
    message, found = compose(services, team, month)
    least = found.least[0] if found.least else ""
    with services.store.write() as db:
        claimed = weekly_store.claim(db, team, channel, month, least, at, now, ledger=DIGEST)
    if claimed is None:
        return None  # posted, in progress elsewhere, or in doubt: never twice
    try:
        response = client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            metadata={"event_type": DIGEST_EVENT, "event_payload": {"month": month}},
        )
    except (TimeoutError, ConnectionError) as error:
        # It may have gone out: at most once matters more than at least once for a monthly post.
        with services.store.write() as db:
            weekly_store.finish(db, team, channel, month, PostStatus.UNCERTAIN, now, error=type(error).__name__, ledger=DIGEST)
        log.warning("digest for %s/%s (%s) timed out; not trying again this month", team, channel, month)
        return Outcome(channel, month, PostStatus.UNCERTAIN, type(error).__name__)
    except SLACK_FAILURES as error:
        return _failed(services, client, digest, month, failure_code(error), now)
    with services.store.write() as db:
        weekly_store.finish(db, team, channel, month, PostStatus.POSTED, now, message_ts=response.get("ts"), ledger=DIGEST)
    problem = upload_image(
        client,
        channel,
        messages.Upload(
            charts.heatmap_png(found, services.catalog), f"lp-digest-{month}.png", found.title, charts.alt_text(found, services.catalog)
        ),
    )
    if problem:
        log.info("digest for %s/%s posted without its chart: %s", team, channel, problem)
    log.info("digest for %s/%s: %s", team, channel, month)
    return Outcome(channel, month, PostStatus.POSTED)


def _failed(services: Services, client: WebClient, digest: Digest, month: str, code: str, now: datetime) -> Outcome:
    def switch_off(db) -> None:
        weekly_store.delete_digest(db, digest.team_id, digest.channel_id)

    def notice(explanation: str) -> messages.Reply:
        return messages.notice(f"I switched off the monthly digest in <#{digest.channel_id}>: {explanation}")

    return post_failed(services, client, digest, month, code, now, ledger=DIGEST, what="digest", stop=switch_off, stopped_notice=notice)
