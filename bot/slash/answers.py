"""What each /lp intent earns: the replies to send and the DMs, from the rules and the store."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import messages
from bot.insights import charts, digest, figures
from bot.kudos import rules
from bot.kudos.heard import KudosDraft
from bot.messages import Answer, Reply, Upload
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.people import LookupFailed, Person
from bot.slack.rosters import TeamUnknown
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
    Search,
    SetDigest,
    SetSchedule,
    Show,
    ShowInsights,
    ShowLeaderboards,
    Stats,
    StopSchedule,
    TeamScope,
    Undo,
    UsageError,
    Week,
)
from bot.weekly import poster, schedule_time
from principles import Catalog, Principle, match_principle, search_principles
from principles.matching import SUGGESTION_COUNT
from storage import kudos as kudos_store
from storage import weekly as weekly_store

RECENT_LIMIT = 10
# /lp recent says how many it left out, up to this many ("100 or more"): a count, never the words.
HIDDEN_MOST = 100


@dataclass(frozen=True)
class Asker:
    """Who typed the command, where, and how to learn about other people.

    `visibility` is the conversation's (public, private, dm, none): a kudos given here keeps it.
    `request_key` names the Slack request, so a replay of it is answered but stored once.
    """

    team_id: str
    user_id: str
    channel_id: str | None
    lookup: Callable[[str], Person | None]
    visibility: str = kudos_store.NOWHERE
    request_key: str | None = None
    # A team's (name, members) for a channel or a user group, asked of Slack; None where no client is at hand.
    members: Callable[[TeamScope], tuple[str, frozenset[str]]] | None = None
    # A channel's visibility (public, private, dm), asked of Slack; None where no client is at hand.
    place: Callable[[str], str] | None = None
    # A slash command's response_url: its kudos is thanked there, and undo can replace that message.
    response_url: str | None = None

    def team(self, scope: TeamScope) -> tuple[str, frozenset[str]]:
        """A team's name and members. A channel's are shown only to its members, unless it is public:
        who is in a private channel (and how they were thanked) is for the people in it. Every way of
        not being allowed to see gets one sentence, so the answer tells nobody whether a channel exists."""
        if self.members is None:
            raise Refusal("I can't look up teams here; mention the people instead.")
        if scope.kind != "channel":
            return self.members(scope)
        try:
            name, people = self.members(scope)
        except TeamUnknown:
            raise Refusal(messages.CHANNEL_NOT_SHOWN) from None
        if self.user_id not in people and (self.place is None or self.place(scope.id) != kudos_store.PUBLIC):
            raise Refusal(messages.CHANNEL_NOT_SHOWN)
        return name, people

    def sees(self, channel_id: str) -> bool:
        """Whether the asker may read about this channel: a public one, or a private one they are in."""
        try:
            self.team(TeamScope("channel", channel_id, ""))
        except Refusal:
            return False
        return True

    @property
    def viewer(self) -> kudos_store.Viewer:
        return kudos_store.Viewer(self.user_id, self.channel_id)


def answered_at_once(intent: Intent) -> bool:
    """Intents answered from the catalog and the database alone, with no Slack call and no write:
    their answer goes in the acknowledgement itself, which Slack shows at once."""
    match intent:
        case Help() | ListAll() | RandomPick() | Search() | Show() | UsageError() | NearMiss() | Recent():
            return True
        case Leaderboard(team=None) | Stats(team=None) | DirectMessages(None):
            return True
    return False


def answer(intent: Intent, services: Services, asker: Asker) -> Answer:
    """What to send for an intent. A rule's refusal becomes a short ephemeral reply."""
    try:
        return _answer(intent, services, asker)
    except Refusal as refusal:  # a rule said no, or Slack could not say (LookupFailed)
        return Answer([messages.notice(str(refusal))])


def _answer(intent: Intent, services: Services, asker: Asker) -> Answer:
    match intent:
        case GiveKudos():
            return _give_kudos(intent, services, asker)
        case Leaderboard(query, period, team):
            principle = _principle_or_refuse(services, query) if query else None
            # Calendar periods in UTC: one leaderboard for the whole team, whoever asks.
            since = rules.period_start(period, services.clock())
            label, among = asker.team(team) if team else ("", None)
            name = messages.team_name(team, label) if team else None
            db = services.store.db
            if not _rankings_shown(services, asker, team):
                # A team that recognizes for culture, not points: no ranking, but what it values.
                mix = kudos_store.principle_mix(db, asker.team_id, since, among)
                return Answer([messages.no_leaderboards_reply(mix, services.catalog, period, name)])
            with_principle = principle.slug if principle else None
            rows = kudos_store.leaderboard(db, asker.team_id, since, with_principle, among=among)
            return Answer([messages.leaderboard_reply(rows, principle, period, name)])
        case Stats(None, team) if team:
            label, among = asker.team(team)
            db, quarter = services.store.db, rules.period_start("quarter", services.clock())
            this_quarter = kudos_store.principle_mix(db, asker.team_id, quarter, among)
            ever = kudos_store.principle_mix(db, asker.team_id, None, among)
            return Answer([messages.team_stats_reply(messages.team_name(team, label), len(among), services.catalog, this_quarter, ever)])
        case ShowLeaderboards(channel_id, shown):
            _require_admin(services, asker, "leaderboards")
            with services.store.write() as db:
                kudos_store.set_leaderboards(db, asker.team_id, channel_id, shown, asker.user_id, services.clock())
            return Answer([messages.leaderboards_setting_saved(channel_id, shown)])
        case Stats(user_id):
            user_id = user_id or asker.user_id
            db, now = services.store.db, services.clock()
            quarter = rules.period_start("quarter", now)
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
        case Recent(query):
            principle = _principle_or_refuse(services, query) if query else None
            slug = principle.slug if principle else None
            db = services.store.db
            records = kudos_store.recent_kudos(db, asker.team_id, viewer=asker.viewer, principle=slug, limit=RECENT_LIMIT)
            # Counted over the span the list covers (all time when it is not full): what was left out of it.
            span_start = records[-1].created_at if len(records) == RECENT_LIMIT else None
            hidden = kudos_store.count_hidden_from(db, asker.team_id, asker.viewer, slug, since=span_start, most=HIDDEN_MOST)
            return Answer([messages.recent_reply(records, services.catalog, principle, hidden)])
        case Undo():
            withdrawn = rules.undo(services.store, team_id=asker.team_id, giver_id=asker.user_id, now=services.clock())
            removed = withdrawn.record
            name = principle_name(services, removed.principle)
            replies, edits = [messages.kudos_withdrawn(removed.recipients, name)], []
            if withdrawn.post and rules.still_editable(withdrawn.post, services.clock()):
                edits.append((withdrawn.post, messages.public_kudos_withdrawn(removed.giver_id, removed.recipients, name)))
            elif withdrawn.post:
                replies.append(messages.notice(messages.POST_NOT_CHANGED))
            return Answer(replies, edits=edits)
        case Week(upcoming):
            return Answer([_week(services, asker, upcoming)])
        case ListSchedules():
            # Anyone may look; only admins may change (below).
            now = services.clock()
            # Only the channels the asker can see: a private channel's weekly post names the channel.
            upcoming_posts = [
                (schedule, schedule_time.local_time(schedule, schedule_time.next_run(schedule, now)))
                for schedule in weekly_store.list_schedules(services.store.db, asker.team_id)
                if asker.sees(schedule.channel_id)
            ]
            return Answer([messages.schedules_reply(upcoming_posts)])
        case SetSchedule(channel_id, weekday, at, tz):
            _require_admin(services, asker)
            admin = asker.lookup(asker.user_id)
            schedule = weekly_store.Schedule(
                asker.team_id, channel_id, weekday, at, tz or (admin.tz if admin else "UTC"), asker.user_id, "active"
            )
            with services.store.write() as db:
                before = weekly_store.get_schedule(db, asker.team_id, channel_id)
                weekly_store.save_schedule(db, schedule, services.clock())
            services.status.schedule_changed(schedule.team_id, schedule.channel_id)
            when = schedule_time.local_time(schedule, schedule_time.next_run(schedule, services.clock()))
            return Answer([messages.schedule_saved(schedule, when, replaced=before)])
        case StopSchedule(channel_id):
            _require_admin(services, asker)
            with services.store.write() as db:
                was_scheduled = weekly_store.delete_schedule(db, asker.team_id, channel_id)
            services.status.schedule_changed(asker.team_id, channel_id)
            return Answer([messages.schedule_stopped(channel_id, was_scheduled)])
        case ShowInsights(weeks, label, share):
            return _insights(services, asker, weeks, label, share)
        case SetDigest(channel_id, enabled):
            _require_admin(services, asker, "digest")
            now = services.clock()
            with services.store.write() as db:
                if not enabled:
                    weekly_store.delete_digest(db, asker.team_id, channel_id)
                    return Answer([messages.digest_saved(channel_id, False)])
                admin = asker.lookup(asker.user_id)
                enrolment = weekly_store.Digest(asker.team_id, channel_id, "09:00", admin.tz if admin else "UTC", asker.user_id)
                weekly_store.save_digest(db, enrolment, now)
            return Answer([messages.digest_saved(channel_id, True, digest.when_text(services, enrolment, now))])
        case DirectMessages(None):
            return Answer([messages.dm_setting_now(kudos_store.kudos_dms_enabled(services.store.db, asker.team_id, asker.user_id))])
        case DirectMessages(bool() as enabled):
            with services.store.write() as db:
                kudos_store.set_kudos_dms(db, asker.team_id, asker.user_id, enabled)
            return Answer([messages.dm_setting_saved(enabled)])
    return Answer([_reply(intent, services)])


def _insights(services: Services, asker: Asker, weeks: int, label: str, share: bool) -> Answer:
    """The figures in words, and the chart to send: into the asker's DM, or into the channel when shared."""
    if share and not asker.channel_id:
        raise Refusal("Share it from the channel you want it in: type `/lp insights share` there.")
    now = services.clock()
    columns = figures.weeks_ending(now, weeks)
    # Up to the end of this week: everything given so far, with the current week as the last column.
    until = columns[-1] + timedelta(weeks=1)
    title = f"Kudos by principle, {label} (to {now:%d %b %Y})"
    found = digest.gather_insights(services.store.db, services.catalog, asker.team_id, title, columns, columns[0], until)
    catalog = services.catalog
    chart = Upload(charts.heatmap_png(found, catalog), "lp-insights.png", found.title, charts.alt_text(found, catalog), public=share)
    return Answer([messages.insights_reply(found, catalog, shared_by=asker.user_id if share else None)], uploads=[chart])


HOME_TEAMS = 3


def home_teams(services: Services, client, team_id: str, user_id: str) -> list[tuple[str, int, dict[str, int]]]:
    """For App Home: the user groups a person is in (up to three), each as (name, size, its principle
    mix this quarter); the whole workspace when they are in none or groups cannot be read."""
    quarter = rules.period_start("quarter", services.clock())
    db = services.store.db
    try:
        groups = [g for g in services.teams.groups(client, team_id) if user_id in g.members][:HOME_TEAMS]
    except Refusal:
        groups = []
    if not groups:
        return [("your workspace", 0, kudos_store.principle_mix(db, team_id, quarter))]
    return [(f"@{g.handle}", len(g.members), kudos_store.principle_mix(db, team_id, quarter, g.members)) for g in groups]


def _rankings_shown(services: Services, asker: Asker, team: TeamScope | None) -> bool:
    """Rankings are off workspace-wide by setting, or in a channel by an admin: where the board is
    asked for, and for a channel's own board."""
    if not services.settings.leaderboards:
        return False
    db = services.store.db
    channels = {asker.channel_id} | ({team.id} if team and team.kind == "channel" else set())
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


def _give_kudos(intent: GiveKudos, services: Services, asker: Asker) -> Answer:
    match, reason = rules.split_principle(services.catalog, intent.text)
    if match.principle is None:
        if not intent.text:
            raise Refusal(messages.WHICH_PRINCIPLE)
        return _ask_which_principle(intent, services, asker, match.suggestions)
    handles, members = groups_of(asker, intent.groups)
    recipients, dropped_self = rules.check_recipients(asker.user_id, intent.recipients, asker.lookup, members)
    given = give_kudos(
        services, asker, recipients, match.principle, reason, asker.channel_id, None, dropped_self, asker.visibility, handles
    )
    return announce(given, services, asker.team_id)


def _ask_which_principle(intent: GiveKudos, services: Services, asker: Asker, near: tuple[Principle, ...]) -> Answer:
    """A kudos that named no principle is not stored: the giver picks one of those its why fits best.

    The people and the why are checked now, so the click that picks the principle only adds it."""
    handles, members = groups_of(asker, intent.groups)
    recipients, dropped_self = rules.check_recipients(asker.user_id, intent.recipients, asker.lookup, members)
    reason = rules.check_reason(intent.text)
    picks = best_fits(services.catalog, reason, near)
    draft = KudosDraft(
        asker.team_id,
        asker.user_id,
        recipients,
        dropped_self,
        handles,
        reason,
        asker.channel_id,
        asker.visibility,
        asker.request_key,
        services.clock(),
    )
    token = services.heard.keep_draft(draft)
    return Answer([messages.which_principle_prompt(recipients, handles, picks, services.catalog, token)])


def best_fits(catalog: Catalog, why: str, near: tuple[Principle, ...] = ()) -> list[Principle]:
    """The three principles a why fits best: what its words mention, then the names it came close to,
    then the catalog's order."""
    ranked = [*search_principles(catalog, why, limit=SUGGESTION_COUNT), *near, *catalog.principles]
    return list(dict.fromkeys(ranked))[:SUGGESTION_COUNT]


def give_draft(services: Services, asker: Asker, token: str, slug: str) -> Answer:
    """The giver picked a principle for their draft: store it and announce it as /lp kudos would have."""
    principle = services.catalog.by_slug(slug)
    draft = services.heard.take_draft(token, asker.user_id, services.clock()) if principle else None
    if draft is None or principle is None:
        raise Refusal(messages.DRAFT_GONE)
    asker = replace(asker, team_id=draft.team_id, request_key=draft.request_key, visibility=draft.visibility)
    recipients, reason, channel_id = draft.recipients, draft.reason, draft.channel_id
    given = give_kudos(services, asker, recipients, principle, reason, channel_id, None, draft.dropped_self, draft.visibility, draft.groups)
    return announce(given, services, draft.team_id)


def groups_of(asker: Asker, groups: tuple[TeamScope, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The handles and the members of the user groups a kudos thanks."""
    handles, members = [], []
    for group in groups:
        handle, people = asker.team(group)
        handles.append(handle)
        members.extend(sorted(people))
    return tuple(handles), tuple(members)


def give_kudos(
    services: Services,
    asker: Asker,
    recipients,
    principle,
    reason: str,
    channel_id,
    message_link,
    dropped_self: bool,
    visibility: str,
    groups: tuple[str, ...] = (),
):
    """rules.give with what the settings, the clock and the giver's zone say. Only people give
    kudos: Slackbot, apps, workflows and deactivated accounts are refused, whatever the way of giving."""
    if said_not_a_person(asker.lookup, asker.user_id):
        raise Refusal(messages.NOT_FROM_A_PERSON)
    return rules.give(
        services.store,
        team_id=asker.team_id,
        giver_id=asker.user_id,
        recipients=recipients,
        principle=principle,
        reason=reason,
        channel_id=channel_id,
        message_link=message_link,
        now=services.clock(),
        giver_zone=_zone_for_limit(services, asker),
        daily_limit=services.settings.daily_kudos,
        visibility=visibility,
        request_key=asker.request_key,
        dropped_self=dropped_self,
        groups=groups,
        response_url=asker.response_url,
    )


def said_not_a_person(lookup: Callable[[str], Person | None], user_id: str) -> bool:
    """Whether Slack says this ID is Slackbot, an app's bot user or a deactivated account. Where Slack
    does not know the ID or cannot say right now, no: only a person can type a command or fill in a
    modal, and the event paths, which anything can cause, ask for a known person first."""
    try:
        person = lookup(user_id)
    except LookupFailed:
        return False
    return person is not None and (person.is_bot or person.deleted)


def _zone_for_limit(services: Services, asker: Asker):
    """The giver's zone, where the daily limit's day runs; not worth a users.info call when there is no limit."""
    if not services.settings.daily_kudos:
        return rules.UTC
    try:
        giver = asker.lookup(asker.user_id)
    except LookupFailed:
        return rules.UTC  # a day counted in UTC beats refusing the kudos
    return giver.zone if giver else rules.UTC


def kudos_modal_view(services: Services, **choices) -> dict:
    """The kudos modal for this catalog and settings; `choices` are messages.kudos_modal's."""
    return messages.kudos_modal(services.catalog, limits=rules.LIMITS, default_channel=services.settings.kudos_channel, **choices)


def form_channel(form: messages.KudosForm, services: Services) -> str | None:
    """Where a kudos from the modal is announced: the channel chosen, the configured one, or where it was opened."""
    chosen = form.channel_id or services.settings.kudos_channel or form.metadata.get("channel")
    return chosen if isinstance(chosen, str) else None


def give_from_form(form: messages.KudosForm, services: Services, asker: Asker, visibility: str) -> rules.Given:
    """Store the kudos a person filled in on the modal; a Refusal names the input to fix.

    `visibility` is that of the channel it is announced in (form_channel), asked of Slack by the caller.
    """
    principle = services.catalog.by_slug(form.principle or "")
    if principle is None:
        raise Refusal(messages.CHOOSE_PRINCIPLE, field="principle")
    handles, members = groups_of(asker, form.groups)
    recipients, dropped_self = rules.check_recipients(asker.user_id, form.recipients, asker.lookup, members)
    channel = form_channel(form, services)
    if not channel:
        raise Refusal(messages.CHOOSE_CHANNEL, field="channel")
    link = form.metadata.get("link")
    # Stored the way Slack sends command text, with &, < and > as entities, so every reason reads alike.
    reason = messages.escape(form.reason)
    message_link = link if isinstance(link, str) else None
    # A link into a private channel, a DM or a group DM is shown only inside that same conversation:
    # anywhere else it would tell people where and when something was said that they cannot read.
    withheld = bool(message_link) and form.metadata.get("link_public") is not True and channel != form.metadata.get("channel")
    if withheld:
        message_link = None
    given = give_kudos(services, asker, recipients, principle, reason, channel, message_link, dropped_self, visibility, handles)
    return replace(given, link_withheld=withheld)


def principle_name(services: Services, slug: str) -> str:
    principle = services.catalog.by_slug(slug)
    return principle.name if principle else slug


def remember_public_post(
    services: Services, team_id: str, kudos_id: int, channel_id: str | None, *, ts: str | None = None, response_url: str | None = None
) -> None:
    """Where a kudos was thanked in public, so withdrawing it later changes that message too."""
    with services.store.write() as db:
        kudos_store.record_public_post(db, kudos_id, team_id, services.clock(), channel_id=channel_id, ts=ts, response_url=response_url)


def announce(given: rules.Given, services: Services, team_id: str) -> Answer:
    """The public thank-you and the recipients' DMs for a stored kudos (nothing new for a duplicate)."""
    confirmation = messages.kudos_confirmation(
        given.recipients, given.principle, dropped_self=given.dropped_self, duplicate=given.duplicate, groups=given.groups
    )
    if given.duplicate:
        return Answer([confirmation])
    public = messages.kudos_message(
        given.giver_id, given.recipients, given.principle, given.reason, given.message_link, given.groups, given.link_withheld
    )
    replies = [public, confirmation] if given.dropped_self else [public]
    dm = messages.kudos_dm(given.giver_id, given.principle, given.reason, given.channel_id)
    db = services.store.db
    dms = [(user, dm) for user in given.recipients if kudos_store.kudos_dms_enabled(db, team_id, user)]
    return Answer(replies, dms)


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
