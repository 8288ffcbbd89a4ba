"""The running bot's clock: one cron job per weekly schedule, in that schedule's own zone.

APScheduler's CronTrigger works in the schedule's zone, so 09:00 stays 09:00 across
daylight-saving changes. A sweep every few minutes catches up after downtime and retries
failed posts; the ledger makes running the same week twice harmless.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from bot.insights import digest
from bot.services import Services
from bot.weekly import poster
from storage import weekly as weekly_store

log = logging.getLogger(__name__)

SWEEP_MINUTES = 5
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def job_id(team_id: str, channel_id: str) -> str:
    return f"weekly:{team_id}:{channel_id}"


class WeeklyScheduler:
    def __init__(self, services: Services, client: WebClient | None = None):
        """`client` posts for every workspace; None means each workspace's own token (OAuth installs)."""
        self.services = services
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
        for outcome in poster.run_due(self.services, self.client, now, should_stop=self._stopping.is_set):
            log.info("weekly %s in %s: %s", outcome.week, outcome.channel_id, outcome.status)
        # Monthly digests ride on the same sweep: at most five minutes late, and caught up after downtime.
        for posted in digest.run_due(self.services, self.client, now, should_stop=self._stopping.is_set):
            log.info("digest %s in %s: %s", posted.month, posted.channel_id, posted.status)

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
