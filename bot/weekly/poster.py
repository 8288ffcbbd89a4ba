"""Posting the principle of the week: each channel's post once a week, checked against the ledger.

The only weekly module that talks to Slack. When a post is due comes from bot/weekly/schedule_time.py,
which principle from bot/weekly/rotation.py, and the ledger's states from storage/weekly.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.scheduler import Outcome, post_failed, run_each
from bot.services import Services
from bot.slack.terms import SLACK_FAILURES
from bot.weekly.rotation import BALANCE_WINDOW, Choice, choose_principle, question_for
from bot.weekly.schedule_time import occurrence
from principles import Principle
from storage import kudos as kudos_store
from storage import weekly as weekly_store
from storage.kudos import iso
from storage.weekly import LedgerEntry, PostStatus, Schedule

log = logging.getLogger(__name__)

POST_EVENT = "lpbot_weekly_post"
# An outcome, not a ledger state: the post failed for good and the schedule was paused.
HISTORY_LIMIT = 15
# A post that timed out was sent within the client's timeout and retries of its claim.
STALE_WINDOW = weekly_store.STALE_CLAIM
# Slack's clock, not ours, stamps the message; a machine whose clock is off by minutes (no NTP, a VM
# resumed) would otherwise look in the wrong minutes, miss the post and send the week twice.
CLOCK_SKEW = timedelta(minutes=15)


def _posted(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    return [entry for entry in entries if entry.posted]


def plan(services: Services, schedule: Schedule, now: datetime, *, exclude_week: str | None = None) -> Choice:
    """The choice for the channel's post at `now`, from its history and the team's kudos."""
    db = services.store.db
    shown = [e for e in _posted(weekly_store.ledger(db, schedule.team_id, schedule.channel_id)) if e.period != exclude_week]
    counts = kudos_store.kudos_by_principle_since(db, schedule.team_id, now - BALANCE_WINDOW)
    return choose_principle(
        services.settings.rotation, services.catalog, shown, counts, now=now, seed=f"{schedule.team_id}:{schedule.channel_id}"
    )


def run_due(
    services: Services,
    client: WebClient | None,
    now: datetime,
    team_id: str | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[Outcome]:
    """Post every weekly post that is due at `now` and not yet posted; safe to call as often as you like.

    `client` posts for every workspace; None means each workspace's own (services.client_for).
    `should_stop` is asked between channels, so a stopping bot does not start another post.
    """
    schedules = weekly_store.list_schedules(services.store.db, team_id, active_only=True)
    return run_each(services, client, schedules, run_schedule, now, should_stop, "weekly post")


def run_schedule(services: Services, client: WebClient, schedule: Schedule, now: datetime) -> Outcome | None:
    week, at = occurrence(schedule, now)
    # A slot from before the schedule was set (or last changed) was never promised.
    if now < at or (schedule.updated_at and iso(at) < schedule.updated_at):
        return None
    team, channel = schedule.team_id, schedule.channel_id
    if not _still_to_post(services, client, schedule, week, now):
        return Outcome(channel, week, PostStatus.POSTED)
    if now - at > timedelta(hours=services.settings.grace_hours):
        with services.store.write() as db:
            first_time = weekly_store.record_skipped(db, team, channel, week, at, now)
        if first_time:
            log.warning("weekly post for %s/%s in %s skipped: the bot was down past the grace period", team, channel, week)
            return Outcome(channel, week, PostStatus.SKIPPED)
        return None
    choice = plan(services, schedule, at, exclude_week=week)
    with services.store.write() as db:
        slug = weekly_store.claim(db, team, channel, week, choice.principle.slug, at, now, eligible=choice.eligible)
    if slug is None:
        return None
    principle = services.catalog.by_slug(slug) or choice.principle
    try:
        message = compose(services, schedule, principle, choice if principle == choice.principle else None, at)
        response = client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            # Marks the post as this week's, so after a timeout we can tell whether it went out.
            metadata={"event_type": POST_EVENT, "event_payload": {"week": week}},
        )
    except SlackApiError as error:
        code = error.response.get("error") or f"http_{error.response.status_code}"
        return _failed(services, client, schedule, week, slug, code, now)
    except (TimeoutError, ConnectionError) as error:
        # The request left; Slack may have posted it. Decide on the next run, from the channel.
        with services.store.write() as db:
            weekly_store.finish(db, team, channel, week, PostStatus.UNCERTAIN, now, error=type(error).__name__)
        log.warning("weekly post for %s/%s in %s timed out; will check the channel before trying again", team, channel, week)
        return Outcome(channel, week, PostStatus.UNCERTAIN, slug, type(error).__name__)
    except (URLError, OSError) as error:
        return _failed(services, client, schedule, week, slug, type(error).__name__, now)
    except Exception:
        # Release the claim so the next sweep can try again, then let run_due log it.
        _failed(services, client, schedule, week, slug, "internal_error", now)
        raise
    with services.store.write() as db:
        weekly_store.finish(db, team, channel, week, PostStatus.POSTED, now, message_ts=response.get("ts"))
    log.info("weekly post for %s/%s in %s: %s", team, channel, week, slug)
    return Outcome(channel, week, PostStatus.POSTED, slug)


def _still_to_post(services: Services, client: WebClient, schedule: Schedule, week: str, now: datetime) -> bool:
    """When a post may or may not have gone out, look in the channel: True if the week still needs posting."""
    team, channel = schedule.team_id, schedule.channel_id
    current = weekly_store.entry(services.store.db, team, channel, week)
    if current is None or not current.in_doubt(now):
        return True
    found: dict | None = None
    try:
        # The post went out, if at all, just after the claim; its metadata names the week, so nothing
        # else in the channel can be mistaken for it. Distributed apps outside the Marketplace get one
        # history call a minute and 15 messages a call: one call, over the minutes after the claim
        # widened by CLOCK_SKEW on both sides, since Slack's clock stamped the post.
        claimed = datetime.fromisoformat(current.claimed_at) if current.claimed_at else now - STALE_WINDOW
        history = client.conversations_history(
            channel=channel,
            include_all_metadata=True,
            limit=HISTORY_LIMIT,
            oldest=f"{(claimed - CLOCK_SKEW).timestamp():.6f}",
            latest=f"{(claimed + STALE_WINDOW + CLOCK_SKEW).timestamp():.6f}",
        )
        messages: list[dict] = history.get("messages") or []
        found = next((message for message in messages if _is_post_for(message, week)), None)
    except SLACK_FAILURES as error:
        log.warning("could not check %s/%s for the timed-out post (%s); posting again", team, channel, error)
    with services.store.write() as db:
        if found:
            weekly_store.finish(db, team, channel, week, PostStatus.POSTED, now, message_ts=found.get("ts"))
        else:
            weekly_store.finish(db, team, channel, week, PostStatus.FAILED, now, error="timed out and not in the channel")
    return found is None


def _is_post_for(message: dict, week: str) -> bool:
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == POST_EVENT and (metadata.get("event_payload") or {}).get("week") == week


def _failed(services: Services, client: WebClient, schedule: Schedule, week: str, slug: str, code: str, now: datetime) -> Outcome:
    def pause(db) -> None:  # rather than retry every sweep all week
        weekly_store.pause_schedule(db, schedule.team_id, schedule.channel_id, code, now)

    def notice(explanation: str) -> messages.Reply:
        return messages.schedule_paused_notice(schedule.channel_id, explanation)

    return post_failed(
        services,
        client,
        schedule,
        week,
        code,
        now,
        ledger=weekly_store.WEEKLY,
        what="weekly post",
        stop=pause,
        stopped_notice=notice,
        principle=slug,
    )


def compose(services: Services, schedule: Schedule, principle: Principle, choice: Choice | None, at: datetime):
    db = services.store.db
    entries = _posted(weekly_store.ledger(db, schedule.team_id, schedule.channel_id))
    earlier = [e for e in entries if e.scheduled_for < iso(at)]
    question = question_for(principle, sum(1 for e in earlier if e.principle == principle.slug))
    recap = None
    if earlier:
        previous = services.catalog.by_slug(earlier[-1].principle)
        since = datetime.fromisoformat(earlier[-1].scheduled_for)
        if previous:
            # The recap is read by the whole channel: it quotes only what was said in public.
            quoted = kudos_store.newest_public_kudos_for(db, schedule.team_id, previous.slug, since, at)
            count = kudos_store.count_kudos_for(db, schedule.team_id, previous.slug, since, at)
            recap = messages.WeeklyRecap(previous, count, quoted)
    return messages.weekly_post(principle, choice.why if choice else None, question, recap)
