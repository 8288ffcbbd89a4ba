"""The one kudos service: every way of giving (the /lp command, the modal, a reaction, an inline
message, a draft's button) gives, announces and takes back through these functions.

Who may give, who is thanked, who gets a DM, how a group is named and where the thank-you goes are
decided here once; the listeners and `conversation` only turn Slack's payloads into these calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot import messages
from bot.asker import Asker
from bot.kudos import rules
from bot.kudos.heard import KudosDraft
from bot.messages import Answer, Reply
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.delivery import change_public_post, post_message, send_dm, tell_privately
from bot.slack.person import LookupFailed, Person
from bot.slack.terms import SLACK_FAILURES, Roster, failure_code
from principles import Catalog, Principle, match_principle, search_principles
from principles.matching import SUGGESTION_COUNT
from storage import kudos as kudos_store
from storage import organisations

log = logging.getLogger(__name__)


# -- giving ------------------------------------------------------------------------------------


def give(
    services: Services,
    asker: Asker,
    recipients: tuple[str, ...],
    principle: Principle,
    reason: str,
    channel_id: str | None,
    message_link: str | None,
    dropped_self: bool,
    visibility: str,
    groups: tuple[str, ...] = (),
) -> rules.Given:
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
        outside=outside_people(services, asker, (asker.user_id, *recipients)),
    )


def outside_people(services: Services, asker: Asker, people: tuple[str, ...]) -> tuple[str, ...]:
    """Those Slack says belong to another organisation: a home team_id not ours, and not a workspace of
    our Enterprise Grid organisation. Slack gives no flag for it (its Slack Connect guide: tell external
    people implicitly). Every answer is already cached by the checks before; one Slack cannot give counts as ours."""
    ours = organisations.organisation_of(services.store.db, asker.team_id)
    outside = []
    for user_id in people:
        try:
            person = asker.lookup(user_id)
        except Refusal:
            continue
        if person is None or not person.team_id or person.team_id == asker.team_id:
            continue
        if ours is not None and person.enterprise_id == ours.enterprise_id:
            continue
        outside.append(user_id)
    return tuple(outside)


def give_typed(services: Services, asker: Asker, recipients: tuple[str, ...], groups: tuple[Roster, ...], text: str) -> Answer:
    """A kudos typed as words (`/lp kudos @sam ownership for …`): stored and announced, or, when the
    words name no principle, kept as a draft while the giver picks one (nothing is stored for a guess)."""
    match, reason = rules.split_principle(services.catalog, text)
    if match.principle is None:
        if not text:
            raise Refusal(messages.WHICH_PRINCIPLE)
        return _ask_which_principle(services, asker, recipients, groups, text, match.suggestions)
    handles, members = groups_of(asker, groups)
    recipients, dropped_self = rules.check_recipients(asker.user_id, recipients, asker.lookup, members)
    given = give(services, asker, recipients, match.principle, reason, asker.channel_id, None, dropped_self, asker.visibility, handles)
    return announce(services, asker.team_id, given)


def _ask_which_principle(
    services: Services, asker: Asker, recipients: tuple[str, ...], groups: tuple[Roster, ...], text: str, near: tuple[Principle, ...]
) -> Answer:
    """The people and the why are checked now, so the click that picks the principle only adds it."""
    handles, members = groups_of(asker, groups)
    recipients, dropped_self = rules.check_recipients(asker.user_id, recipients, asker.lookup, members)
    reason = rules.check_reason(text)
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


def give_draft(services: Services, asker: Asker, token: str, slug: str) -> Answer:
    """The giver picked a principle for their draft: store it and announce it as /lp kudos would have."""
    principle = services.catalog.by_slug(slug)
    draft = services.heard.take_draft(token, asker.user_id, services.clock()) if principle else None
    if draft is None or principle is None:
        raise Refusal(messages.DRAFT_GONE)
    asker = replace(asker, team_id=draft.team_id, request_key=draft.request_key, visibility=draft.visibility)
    given = give(
        services,
        asker,
        draft.recipients,
        principle,
        draft.reason,
        draft.channel_id,
        None,
        draft.dropped_self,
        draft.visibility,
        draft.groups,
    )
    return announce(services, draft.team_id, given)


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
    # Every input is checked before any refusal is raised, so the modal shows all that needs fixing at once.
    problems: list[Refusal] = []
    principle = services.catalog.by_slug(form.principle or "")
    if principle is None:
        problems.append(Refusal(messages.CHOOSE_PRINCIPLE, field="principle"))
    handles: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    dropped_self = False
    try:
        handles, members = groups_of(asker, form.groups)
        recipients, dropped_self = rules.check_recipients(asker.user_id, form.recipients, asker.lookup, members)
    except Refusal as refusal:
        if refusal.field is None:
            raise  # Slack could not say who is in a group: not something the person can fix in the form
        problems.append(refusal)
    channel = form_channel(form, services)
    if not channel:
        problems.append(Refusal(messages.CHOOSE_CHANNEL, field="channel"))
    # Stored the way Slack sends command text, with &, < and > as entities, so every reason reads alike.
    reason = messages.escape(form.reason)
    try:
        rules.check_reason(reason)
    except Refusal as refusal:
        problems.append(refusal)
    if problems or principle is None or channel is None:  # (each of those two added a problem: they narrow types)
        raise Refusal.together(problems)
    link = form.metadata.get("link")
    message_link = link if isinstance(link, str) else None
    # A link into a private channel, a DM or a group DM is shown only inside that same conversation:
    # anywhere else it would tell people where and when something was said that they cannot read.
    withheld = bool(message_link) and form.metadata.get("link_public") is not True and channel != form.metadata.get("channel")
    if withheld:
        message_link = None
    given = give(services, asker, recipients, principle, reason, channel, message_link, dropped_self, visibility, handles)
    return replace(given, link_withheld=withheld)


def groups_of(asker: Asker, groups: tuple[Roster, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The handles and the members of the user groups a kudos thanks."""
    handles, members = [], []
    for group in groups:
        handle, people = asker.roster(group)
        handles.append(handle)
        members.extend(sorted(people))
    return tuple(handles), tuple(members)


def best_fits(catalog: Catalog, why: str, near: tuple[Principle, ...] = ()) -> list[Principle]:
    """The three principles a why fits best: what its words mention, then the names it came close to,
    then the catalog's order."""
    ranked = [*search_principles(catalog, why, limit=SUGGESTION_COUNT), *near, *catalog.principles]
    return list(dict.fromkeys(ranked))[:SUGGESTION_COUNT]


def said_not_a_person(lookup: Callable[[str], Person | None], user_id: str) -> bool:
    """Whether Slack says this ID is Slackbot, an app's bot user or a deactivated account. Where Slack
    does not know the ID or cannot say right now, no: only a person can type a command or fill in a
    modal, and the event paths, which anything can cause, ask for a known person first."""
    try:
        person = lookup(user_id)
    except LookupFailed:
        return False
    return person is not None and (person.is_bot or person.deleted)


def people_count(lookup: Callable[[str], Person | None], members) -> int:
    """How many people a roster has: its members but Slackbot, apps' bot users and deactivated accounts
    (a member Slack cannot describe right now counts as a person)."""
    return sum(1 for member in members if not said_not_a_person(lookup, member))


def known_person(lookup: Callable[[str], Person | None], user_id: str) -> bool:
    """For events, which anything can cause: a person Slack knows and says is active, or nothing is done."""
    try:
        return lookup(user_id) is not None and not said_not_a_person(lookup, user_id)
    except Refusal:
        return False


def _zone_for_limit(services: Services, asker: Asker) -> ZoneInfo:
    """The giver's zone, where the daily limit's day runs; not worth a users.info call when there is no limit."""
    if not services.settings.daily_kudos:
        return rules.UTC
    try:
        giver = asker.lookup(asker.user_id)
    except LookupFailed:
        return rules.UTC  # a day counted in UTC beats refusing the kudos
    return giver.zone if giver else rules.UTC


@dataclass(frozen=True)
class StepGiven:
    """What a Workflow Builder step hands to the next step: the kudos and where it was thanked."""

    kudos_id: int
    link: str  # the public thank-you's permalink; "" when there was no channel to thank in


def give_from_step(
    services: Services,
    client: WebClient,
    asker: Asker,
    recipients: tuple[str, ...],
    principle_text: str,
    why: str,
    channel_id: str | None,
) -> StepGiven:
    """A kudos a workflow gives on behalf of the person running it: every rule of /lp kudos, the
    step's execution counted once (`asker.request_key`), thanked in `channel_id` (or the configured
    channel) and DMed as any kudos is. A Refusal says, in a workflow builder's words, what to fix."""
    found = match_principle(services.catalog, principle_text, named=True) if principle_text.strip() else None
    if found is None or found.principle is None:
        raise Refusal(messages.step_principle_unknown(principle_text, found.suggestions if found else ()))
    recipients, dropped_self = rules.check_recipients(asker.user_id, recipients, asker.lookup)
    channel = channel_id or services.settings.kudos_channel
    visibility = services.places.visibility(client, asker.team_id, channel) if channel else kudos_store.NOWHERE
    # Stored the way Slack sends command text, with &, < and > as entities, so every reason reads alike.
    given = give(services, asker, recipients, found.principle, messages.escape(why), channel, None, dropped_self, visibility)
    if given.duplicate:
        link = _permalink_of(services, client, given.kudos_id)
        return StepGiven(given.kudos_id, link)
    if not channel:
        send_recipient_dms(services, client, asker.team_id, given)
        return StepGiven(given.kudos_id, "")
    problem = thank_in_channel(services, client, asker.team_id, given, channel)
    if problem:
        log.info("a workflow's kudos was stored but not posted in its channel: %s", problem)
        return StepGiven(given.kudos_id, "")
    return StepGiven(given.kudos_id, _permalink_of(services, client, given.kudos_id))


def _permalink_of(services: Services, client: WebClient, kudos_id: int) -> str:
    post = kudos_store.public_post(services.store.db, kudos_id)
    if post is None or not post.channel_id or not post.ts:
        return ""
    try:
        return str(client.chat_getPermalink(channel=post.channel_id, message_ts=post.ts)["permalink"])
    except SLACK_FAILURES as error:
        log.info("no permalink for a workflow's kudos: %s", failure_code(error))
        return ""


# -- announcing --------------------------------------------------------------------------------


def _public_thanks(given: rules.Given) -> Reply:
    return messages.kudos_message(
        given.giver_id, given.recipients, given.principle, given.reason, given.message_link, given.groups, given.link_withheld
    )


def _recipient_dms(services: Services, team_id: str, given: rules.Given) -> list[tuple[str, Reply]]:
    """The DM each recipient gets about a new kudos, unless they turned kudos DMs off."""
    if given.duplicate:
        return []
    dm = messages.kudos_dm(given.giver_id, given.principle, given.reason, given.channel_id)
    db = services.store.db
    return [(user, dm) for user in given.recipients if kudos_store.kudos_dms_enabled(db, team_id, user)]


def confirmation(given: rules.Given) -> Reply:
    """What the giver alone sees: who was thanked, who was left out (themselves), or that it was already given."""
    return messages.kudos_confirmation(
        given.recipients, given.principle, dropped_self=given.dropped_self, duplicate=given.duplicate, groups=given.groups
    )


def announce(services: Services, team_id: str, given: rules.Given) -> Answer:
    """A stored kudos as an Answer for a response_url (the slash command, a draft's button): the public
    thank-you, the giver's confirmation where there is news for them, and the recipients' DMs."""
    if given.duplicate:
        return Answer([confirmation(given)])
    replies = [_public_thanks(given), confirmation(given)] if given.dropped_self else [_public_thanks(given)]
    return Answer(replies, _recipient_dms(services, team_id, given))


def thank_in_channel(
    services: Services, client: WebClient, team_id: str, given: rules.Given, channel_id: str, *, thread_ts: str | None = None, public=None
) -> str | None:
    """Post the public thank-you (under `thread_ts` when given; `public` instead of the usual
    message), remember where it is so undo can change it, and DM the recipients. None, or Slack's
    error code when the post failed (the kudos stays stored; the caller tells the giver)."""
    if given.duplicate:
        return None
    problem, ts = post_message(client, channel_id, public or _public_thanks(given), thread_ts=thread_ts)
    if problem is None:
        remember_public_post(services, team_id, given.kudos_id, channel_id, ts=ts)
    send_recipient_dms(services, client, team_id, given, channel_id)
    return problem


def send_recipient_dms(services: Services, client: WebClient, team_id: str, given: rules.Given, channel_id: str | None = None) -> None:
    """Each recipient's DM; those Slack will not take (another organisation's people in a Slack Connect
    channel, for one) are named to the giver, privately, so nobody thinks they were told."""
    undelivered = [user_id for user_id, dm in _recipient_dms(services, team_id, given) if not send_dm(client, user_id, dm)]
    if undelivered:
        tell_privately(client, given.giver_id, channel_id, messages.dms_not_delivered(undelivered))


def remember_public_post(
    services: Services, team_id: str, kudos_id: int, channel_id: str | None, *, ts: str | None = None, response_url: str | None = None
) -> None:
    """Where a kudos was thanked in public, so withdrawing it later changes that message too."""
    with services.store.write() as db:
        kudos_store.record_public_post(db, kudos_id, team_id, services.clock(), channel_id=channel_id, ts=ts, response_url=response_url)


# -- taking back -------------------------------------------------------------------------------


def principle_name(services: Services, slug: str) -> str:
    principle = services.catalog.by_slug(slug)
    return principle.name if principle else slug


def undo(services: Services, asker: Asker) -> Answer:
    """/lp undo: the giver's last kudos within the undo window is withdrawn, and its public thank-you says so."""
    withdrawn = rules.undo(services.store, team_id=asker.team_id, giver_id=asker.user_id, now=services.clock())
    removed = withdrawn.record
    name = principle_name(services, removed.principle)
    replies, edits = [messages.kudos_withdrawn(removed.recipients, name)], []
    if withdrawn.post and rules.still_editable(withdrawn.post, services.clock()):
        edits.append((withdrawn.post, messages.public_kudos_withdrawn(removed.giver_id, removed.recipients, name)))
    elif withdrawn.post:
        replies.append(messages.notice(messages.POST_NOT_CHANGED))
    return Answer(replies, edits=edits)


def take_back_post(services: Services, client: WebClient, withdrawn: rules.Withdrawn, channel_id: str) -> None:
    """A reaction removed or a message deleted took the kudos away: its public thank-you says so, or
    its giver hears that it could not be changed."""
    if withdrawn.post is None:
        return
    removed = withdrawn.record
    reply = messages.public_kudos_withdrawn(removed.giver_id, removed.recipients, principle_name(services, removed.principle))
    if not (rules.still_editable(withdrawn.post, services.clock()) and change_public_post(client, withdrawn.post, reply)):
        tell_privately(client, removed.giver_id, channel_id, messages.notice(messages.POST_NOT_CHANGED))
