"""The running bot's clock, and what every scheduled post shares.

`Scheduler` keeps one cron job per weekly schedule, in that schedule's own zone, and a sweep; at
each it runs the posting jobs it was given (the weekly post, the monthly digest). `run_each`,
`Outcome`, `STOPPED` and `post_failed` are the parts both posters use, so a failure means the same
thing, and is told the same way, for either.

APScheduler's CronTrigger works in the schedule's zone, so 09:00 stays 09:00 across
daylight-saving changes. A sweep every few minutes catches up after downtime and retries
failed posts; the ledger makes running the same week twice harmless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from bot import messages
from bot.services import Services
from bot.slack.delivery import send_dm
from bot.slack.terms import PERMANENT_PROBLEMS, explain
from storage import weekly as weekly_store
from storage.weekly import PostStatus

log = logging.getLogger(__name__)

SWEEP_MINUTES = 5
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# A post that will not be tried again until someone acts: the weekly schedule is paused, the digest
# switched off, and whoever set it up is told once.
STOPPED = "stopped"
# Outcomes that mean a post did not go out, or may not have.
NOT_POSTED = (PostStatus.FAILED, PostStatus.UNCERTAIN, STOPPED)


@dataclass(frozen=True)
class Outcome:
    channel_id: str
    period: str  # the ISO week of a weekly post (2026-W14), the month a digest is about (2026-11)
    status: str  # a PostStatus, or STOPPED
    principle: str | None = None
    error: str | None = None
    team_id: str = ""  # the workspace, filled in by run_each (the CLI asks it for the channel's name)


# One sweep's job: (services, client or None for each workspace's own, now, should_stop) -> outcomes.
PostingJob = Callable[..., list[Outcome]]


def run_each(
    services: Services, client: WebClient | None, items: Iterable, run_one, now: datetime, should_stop: Callable[[], bool], what: str
) -> list[Outcome]:
    """Run `run_one(services, client, item, now)` for each scheduled item (a weekly post, a digest) with its
    workspace's client, keeping the outcomes. One broken channel must not stop the others."""
    outcomes = []
    for item in items:
        if should_stop():
            break
        team_client = client or services.client_for(item.team_id)
        if team_client is None:
            continue  # a workspace no longer installed
        try:
            outcome = run_one(services, team_client, item, now)
        except Exception:  # logged here; the next channel still gets its post
            log.exception("%s for %s/%s failed", what, item.team_id, item.channel_id)
            continue
        if outcome:
            outcomes.append(replace(outcome, team_id=item.team_id))
    return outcomes


def post_failed(
    services: Services,
    client: WebClient,
    item,
    period: str,
    code: str,
    now: datetime,
    *,
    ledger: str,
    what: str,
    stop: Callable,
    stopped_notice: Callable[[str], messages.Reply],
    principle: str | None = None,
) -> Outcome:
    """Slack refused a post. The ledger says failed, so the next sweep tries again; when no retry can
    fix it (PERMANENT_PROBLEMS: the channel, the token), `stop(db)` stops it and whoever set it up is
    told once, by DM, with Slack's reason in plain words."""
    team, channel = item.team_id, item.channel_id
    permanent = code in PERMANENT_PROBLEMS
    with services.store.write() as db:
        weekly_store.finish(db, team, channel, period, PostStatus.FAILED, now, error=code, ledger=ledger)
        if permanent:
            stop(db)
    if not permanent:
        log.warning("%s for %s/%s (%s) failed: %s; trying again at the next sweep", what, team, channel, period, code)
        return Outcome(channel, period, PostStatus.FAILED, principle, code)
    log.warning("%s for %s/%s stopped: %s", what, team, channel, code)
    # A token error may stop this DM too; the log line stays.
    if item.created_by:
        send_dm(client, item.created_by, stopped_notice(explain(code, channel)))
    return Outcome(channel, period, STOPPED, principle, code)


def job_id(team_id: str, channel_id: str) -> str:
    return f"weekly:{team_id}:{channel_id}"


class Scheduler:
    def __init__(self, services: Services, jobs: Iterable[PostingJob], client: WebClient | None = None):
        """`jobs` run at every sweep and weekly slot, in order (the weekly post, then the digest);
        `client` posts for every workspace; None means each workspace's own token (OAuth installs)."""
        self.services = services
        self.jobs = tuple(jobs)
        self.client = client
        self.scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
        self._stopping = threading.Event()

    def start(self) -> None:
        """Post whatever is due now (catching up after downtime), then keep time."""
        self.run_due()
        for schedule in weekly_store.list_schedules(self.services.store.db, active_only=True):
            self._add(schedule)
        self.scheduler.add_job(self.run_due, "interval", minutes=SWEEP_MINUTES, id="weekly:sweep")
        self.services.status.subscribe_schedule_changes(self.sync)
        self.services.status.scheduler_running = lambda: self.scheduler.running
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop keeping time; a weekly run in progress finishes the channel it is on, then stops."""
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def run_due(self) -> None:
        now = self.services.clock()
        # Monthly digests ride on the same sweep as weekly posts: at most five minutes late, and caught up after downtime.
        for job in self.jobs:
            for outcome in job(self.services, self.client, now, should_stop=self._stopping.is_set):
                log.info("%s in %s: %s", outcome.period, outcome.channel_id, outcome.status)

    def sync(self, team_id: str, channel_id: str) -> None:
        """Bring one channel's job in line with its stored schedule (added, changed or removed)."""
        schedule = weekly_store.get_schedule(self.services.store.db, team_id, channel_id)
        if self.scheduler.get_job(job_id(team_id, channel_id)):
            self.scheduler.remove_job(job_id(team_id, channel_id))
        if schedule and schedule.active:
            self._add(schedule)

    def _add(self, schedule: weekly_store.Schedule) -> None:
        self.scheduler.add_job(
            self.run_due,
            trigger=trigger_for(schedule),
            id=job_id(schedule.team_id, schedule.channel_id),
            replace_existing=True,
            misfire_grace_time=None,
        )


def trigger_for(schedule: weekly_store.Schedule) -> CronTrigger:
    hour, minute = schedule.time.split(":")
    return CronTrigger(day_of_week=_DAYS[schedule.weekday], hour=int(hour), minute=int(minute), timezone=schedule.tz)
