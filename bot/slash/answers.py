"""What each /lp intent earns: the replies to send and the DMs, from the rules and the store."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from bot import messages
from bot.asker import Asker
from bot.insights import charts, digest, figures, gather
from bot.kudos import rules, service
from bot.messages import Answer, Reply, Upload
from bot.refusal import Refusal
from bot.services import Services
from bot.slash.intents import (
    USAGE,
    DirectMessages,
    GiveKudos,
    Help,
    Intent,
    Leaderboard,
    ListAll,
    ListSchedules,
    NearMiss,
    RandomPick,
    Recent,
    Roster,
    Search,
    SetDigest,
    SetSchedule,
    Show,
    ShowInsights,
    ShowLeaderboards,
    Stats,
    StopSchedule,
    Summary,
    Undo,
    UsageError,
    Week,
)
from bot.weekly import poster, schedule_time
from principles import match_principle, search_principles
from storage import kudos as kudos_store
from storage import weekly as weekly_store

RECENT_LIMIT = 10
# A summary reads at most this many kudos: more than any review needs, within one DM's 50 blocks by principle.
SUMMARY_MOST = 500
# /lp recent says how many it left out, up to this many ("100 or more"): a count, never the words.
HIDDEN_MOST = 100


def answered_at_once(intent: Intent) -> bool:
    """Intents answered from the catalog and the database alone, with no Slack call and no write:
    their answer goes in the acknowledgement itself, which Slack shows at once."""
    match intent:
        case Help() | ListAll() | RandomPick() | Search() | Show() | UsageError() | NearMiss() | Recent():
            return True
        case Leaderboard(roster=None) | Stats(roster=None) | DirectMessages(None):
            return True
    return False


def answer(intent: Intent, services: Services, asker: Asker) -> Answer:
    """What to send for an intent. A rule's refusal becomes a short ephemeral reply."""
    try:
        handler = HANDLERS.get(type(intent))
        return handler(intent, services, asker) if handler else Answer([_reply(intent, services)])
    except Refusal as refusal:  # a rule said no, or Slack could not say (LookupFailed)
        return Answer([messages.notice(str(refusal))])


# -- one handler per intent: (intent, services, asker) -> Answer --------------------------------


def _give_kudos(intent: GiveKudos, services: Services, asker: Asker) -> Answer:
    return service.give_typed(services, asker, intent.recipients, intent.groups, intent.text)


def _undo(intent: Undo, services: Services, asker: Asker) -> Answer:
    return service.undo(services, asker)


def _leaderboard(intent: Leaderboard, services: Services, asker: Asker) -> Answer:
    principle = _principle_or_refuse(services, intent.principle) if intent.principle else None
    # Calendar periods in UTC: one leaderboard for the whole workspace, whoever asks.
    since = rules.period_start(intent.period, services.clock())
    roster = intent.roster
    label, among = asker.roster(roster) if roster else ("", None)
    name = messages.roster_name(roster, label) if roster else None
    db = services.store.db
    if not _leaderboards_shown(services, asker, roster):
        # A workspace that recognizes for culture, not points: no ranking, but what it values.
        mix = kudos_store.principle_mix(db, asker.team_id, since, among)
        return Answer([messages.no_leaderboards_reply(mix, services.catalog, intent.period, name)])
    slug = principle.slug if principle else None
    rows = kudos_store.leaderboard(db, asker.team_id, since, slug, among=among, outside_too=services.settings.external_on_boards)
    return Answer([messages.leaderboard_reply(rows, principle, intent.period, name)])


def _stats(intent: Stats, services: Services, asker: Asker) -> Answer:
    db, quarter = services.store.db, rules.period_start("quarter", services.clock())
    if intent.user_id is None and intent.roster:
        label, among = asker.roster(intent.roster)
        this_quarter = kudos_store.principle_mix(db, asker.team_id, quarter, among)
        ever = kudos_store.principle_mix(db, asker.team_id, None, among)
        name = messages.roster_name(intent.roster, label)
        size = service.people_count(asker.lookup, among)
        return Answer([messages.roster_stats_reply(name, size, services.catalog, this_quarter, ever)])
    user_id = intent.user_id or asker.user_id
    return Answer(
        [
            messages.stats_reply(
                user_id,
                services.catalog,
                kudos_store.received_by_principle(db, asker.team_id, user_id, quarter),
                kudos_store.received_by_principle(db, asker.team_id, user_id),
                kudos_store.given_by_principle(db, asker.team_id, user_id, quarter),
                kudos_store.given_by_principle(db, asker.team_id, user_id),
            )
        ]
    )


def _show_leaderboards(intent: ShowLeaderboards, services: Services, asker: Asker) -> Answer:
    _require_admin(services, asker, "leaderboards")
    with services.store.write() as db:
        kudos_store.set_leaderboards(db, asker.team_id, intent.channel_id, intent.shown, asker.user_id, services.clock())
    return Answer([messages.leaderboards_setting_saved(intent.channel_id, intent.shown)])


def _recent(intent: Recent, services: Services, asker: Asker) -> Answer:
    principle = _principle_or_refuse(services, intent.principle) if intent.principle else None
    slug = principle.slug if principle else None
    db = services.store.db
    records = kudos_store.recent_kudos(db, asker.team_id, viewer=asker.viewer, principle=slug, limit=RECENT_LIMIT)
    # Counted over the span the list covers (all time when it is not full): what was left out of it.
    span_start = records[-1].created_at if len(records) == RECENT_LIMIT else None
    hidden = kudos_store.count_hidden_from(db, asker.team_id, asker.viewer, slug, since=span_start, most=HIDDEN_MOST)
    return Answer([messages.recent_reply(records, services.catalog, principle, hidden, most=HIDDEN_MOST)])


def _summary(intent: Summary, services: Services, asker: Asker) -> Answer:
    """The kudos the asker received, for a review: into their DM, since it holds the words of private kudos too."""
    now = services.clock()
    # The person's own kudos are theirs to read wherever they were said (the privacy rule's recipients).
    records = kudos_store.recent_kudos(
        services.store.db,
        asker.team_id,
        viewer=kudos_store.Viewer(asker.user_id),
        recipient=asker.user_id,
        since=now - timedelta(days=intent.days),
        limit=SUMMARY_MOST,
    )
    summary = messages.summary_dm(records, services.catalog, intent.label, f"{now:%d %b %Y}")
    return Answer([messages.summary_sent(intent.label)], dms=[(asker.user_id, summary)])


def _week_answer(intent: Week, services: Services, asker: Asker) -> Answer:
    return Answer([_week(services, asker, intent.next)])


def _list_schedules(intent: ListSchedules, services: Services, asker: Asker) -> Answer:
    # Anyone may look; only admins may change (below). Only the channels the asker can see: a
    # private channel's weekly post names the channel.
    now = services.clock()
    upcoming_posts = [
        (schedule, schedule_time.local_time(schedule, schedule_time.next_run(schedule, now)))
        for schedule in weekly_store.list_schedules(services.store.db, asker.team_id)
        if asker.sees(schedule.channel_id)
    ]
    return Answer([messages.schedules_reply(upcoming_posts)])


def _set_schedule(intent: SetSchedule, services: Services, asker: Asker) -> Answer:
    _require_admin(services, asker)
    admin = asker.lookup(asker.user_id)
    zone = intent.tz or (admin.tz if admin else "UTC")
    schedule = weekly_store.Schedule(asker.team_id, intent.channel_id, intent.weekday, intent.time, zone, asker.user_id, "active")
    with services.store.write() as db:
        before = weekly_store.get_schedule(db, asker.team_id, intent.channel_id)
        weekly_store.save_schedule(db, schedule, services.clock())
    services.status.schedule_changed(schedule.team_id, schedule.channel_id)
    when = schedule_time.local_time(schedule, schedule_time.next_run(schedule, services.clock()))
    return Answer([messages.schedule_saved(schedule, when, replaced=before)])


def _stop_schedule(intent: StopSchedule, services: Services, asker: Asker) -> Answer:
    _require_admin(services, asker)
    with services.store.write() as db:
        was_scheduled = weekly_store.delete_schedule(db, asker.team_id, intent.channel_id)
    services.status.schedule_changed(asker.team_id, intent.channel_id)
    return Answer([messages.schedule_stopped(intent.channel_id, was_scheduled)])


def _show_insights(intent: ShowInsights, services: Services, asker: Asker) -> Answer:
    return _insights(services, asker, intent.weeks, intent.label, intent.share)


def _set_digest(intent: SetDigest, services: Services, asker: Asker) -> Answer:
    _require_admin(services, asker, "digest")
    now = services.clock()
    with services.store.write() as db:
        if not intent.enabled:
            had_one = weekly_store.delete_digest(db, asker.team_id, intent.channel_id)
            return Answer([messages.digest_saved(intent.channel_id, False, had_one=had_one)])
        admin = asker.lookup(asker.user_id)
        enrolment = weekly_store.Digest(asker.team_id, intent.channel_id, "09:00", admin.tz if admin else "UTC", asker.user_id)
        weekly_store.save_digest(db, enrolment, now)
    return Answer([messages.digest_saved(intent.channel_id, True, digest.when_text(services, enrolment, now))])


def _direct_messages(intent: DirectMessages, services: Services, asker: Asker) -> Answer:
    if intent.enabled is None:
        return Answer([messages.dm_setting_now(kudos_store.kudos_dms_enabled(services.store.db, asker.team_id, asker.user_id))])
    with services.store.write() as db:
        kudos_store.set_kudos_dms(db, asker.team_id, asker.user_id, intent.enabled)
    return Answer([messages.dm_setting_saved(intent.enabled)])


HANDLERS: dict[type, Callable[..., Answer]] = {
    GiveKudos: _give_kudos,
    Undo: _undo,
    Leaderboard: _leaderboard,
    Stats: _stats,
    ShowLeaderboards: _show_leaderboards,
    Recent: _recent,
    Week: _week_answer,
    ListSchedules: _list_schedules,
    SetSchedule: _set_schedule,
    StopSchedule: _stop_schedule,
    ShowInsights: _show_insights,
    SetDigest: _set_digest,
    DirectMessages: _direct_messages,
    Summary: _summary,
}


def _insights(services: Services, asker: Asker, weeks: int, label: str, share: bool) -> Answer:
    """The figures in words, and the chart to send: into the asker's DM, or into the channel when shared."""
    if share and not asker.channel_id:
        raise Refusal(messages.SHARE_FROM_A_CHANNEL)
    now = services.clock()
    columns = figures.weeks_ending(now, weeks)
    # Up to the end of this week: everything given so far, with the current week as the last column.
    until = columns[-1] + timedelta(weeks=1)
    title = f"Kudos by principle, {label}, to {now:%d %b %Y}"
    outside_too = services.settings.external_on_boards
    found = gather.gather_insights(services.store.db, services.catalog, asker.team_id, title, columns, columns[0], until, outside_too)
    catalog = services.catalog
    reply = messages.insights_reply(found, catalog, shared_by=asker.user_id if share else None)
    if not found.kudos:
        return Answer([reply])  # an empty chart tells nobody anything
    chart = Upload(
        charts.heatmap_png(found, catalog, partial_last_week=True),
        "lp-insights.png",
        found.title,
        charts.alt_text(found, catalog),
        public=share,
    )
    return Answer([reply], uploads=[chart])


def _leaderboards_shown(services: Services, asker: Asker, roster: Roster | None) -> bool:
    """Leaderboards are off workspace-wide by setting, or in a channel by an admin: where the board is
    asked for, and for a channel's own board."""
    if not services.settings.leaderboards:
        return False
    db = services.store.db
    channels = {asker.channel_id} | ({roster.id} if roster and roster.kind == "channel" else set())
    return all(kudos_store.leaderboards_shown(db, asker.team_id, channel) for channel in channels if channel)


def _require_admin(services: Services, asker: Asker, subject: str = "schedule") -> None:
    """Only admins go past here; `subject` (messages.ADMIN_SUBJECTS) says what the refusal is about."""
    if asker.user_id in services.settings.admins:
        return
    person = asker.lookup(asker.user_id)
    if person is None or not person.is_admin:
        raise Refusal(messages.admins_only(subject))


def _week(services: Services, asker: Asker, upcoming: bool) -> Reply:
    now = services.clock()
    channel = asker.channel_id or ""
    schedule = weekly_store.get_schedule(services.store.db, asker.team_id, channel)
    if schedule is None:
        return messages.NO_WEEKLY_POST_HERE
    week, at = schedule_time.occurrence(schedule, now)
    current = weekly_store.entry(services.store.db, asker.team_id, channel, week)
    if not upcoming and current and current.posted:
        principle = services.catalog.by_slug(current.principle)
        if principle:
            return messages.principle_card(principle)
    if upcoming and current and current.posted:
        at = schedule_time.next_run(schedule, now)
        choice = poster.plan(services, schedule, at)
    else:
        at = at if at > now else schedule_time.next_run(schedule, now)
        choice = poster.plan(services, schedule, at, exclude_week=week)
    when = schedule_time.local_time(schedule, at)
    return messages.coming_up(choice.principle, choice.why, when)


def _principle_or_refuse(services: Services, query: str):
    found = match_principle(services.catalog, query)
    if found.principle is None:
        raise Refusal(messages.not_found_reply(query, found.suggestions).text)
    return found.principle


def _reply(intent: Intent, services: Services) -> Reply:
    """Replies that need nothing but the catalog."""
    catalog = services.catalog
    match intent:
        case Help():
            return messages.help_reply(catalog, USAGE)
        case ListAll(page):
            pages = messages.list_pages(catalog)
            if not 1 <= page <= pages:
                return messages.notice(messages.no_such_page(page, pages))
            return messages.list_reply(catalog, page)
        case RandomPick():
            return messages.principle_card(services.rng.choice(catalog.principles))
        case Search(words):
            return messages.search_reply(words, search_principles(catalog, words))
        case Show(query) if re.fullmatch(r"[-−+]?\d+", query.strip()) and not catalog.by_number(int(query.strip().replace("−", "-"))):
            return messages.notice(messages.no_such_number(query.strip(), len(catalog)))
        case Show(query):
            found = match_principle(catalog, query)
            if found.principle:
                return messages.principle_card(found.principle)
            return messages.not_found_reply(query, found.suggestions)
        case UsageError(message):
            return messages.notice(message)
        case NearMiss(command, rest):
            return messages.notice(messages.did_you_mean(command, rest))
    raise TypeError(f"unhandled intent {intent!r}")
