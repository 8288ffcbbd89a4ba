"""Modal submissions."""

from __future__ import annotations

from concurrent.futures import Future, wait
from functools import partial

from slack_bolt import App

from bot import messages
from bot.kudos import rules
from bot.listeners.guard import guarded
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.delivery import post_message, send_dm
from bot.slash.answers import Asker, announce, form_channel, give_from_form, remember_public_post

# Slack shows the person an error if the ack takes over 3 s. Whatever must be asked of Slack
# before the ack gets this long; past it the modal closes and the answer comes by message.
ACK_BUDGET_SECONDS = 2.0


def register(app: App, services: Services) -> None:
    @app.view(messages.KUDOS_MODAL)
    @guarded
    def submit_kudos(ack, body, view, client, context):
        form = messages.read_kudos_modal(view)
        if len(set(form.recipients)) > rules.MAX_RECIPIENTS:
            ack(response_action="errors", errors={"recipients": rules.too_many_recipients(len(set(form.recipients))).plain})
            return
        # The installing workspace (view.app_installed_team_id, through Bolt): from a Slack Connect
        # channel the payload's team and user.team_id are the other organisation's.
        team_id = context.team_id
        user_id = body["user"]["id"]
        lookup = partial(services.people.lookup, client, team_id)
        trigger_id = body.get("trigger_id") or view.get("id")
        members = partial(services.teams.members, client, team_id)
        asker = Asker(team_id, user_id, None, lookup, request_key=f"view:{trigger_id}" if trigger_id else None, members=members)
        # Everything the rules need from Slack, asked at once: the giver (their zone), each
        # recipient, each group's members, and whether the channel is public.
        pool = services.lookup_pool
        people = [pool.submit(lookup, person) for person in dict.fromkeys((user_id, *form.recipients))]
        groups = [pool.submit(_group_and_its_people, asker, group) for group in form.groups]
        place = pool.submit(services.places.visibility, client, team_id, form_channel(form, services))
        _, pending = wait([*people, *groups, place], timeout=ACK_BUDGET_SECONDS)
        if pending:
            # A slow Slack today: close the modal in time, finish the checks, answer by message.
            ack()
            wait(pending)
            given = _give_after_ack(form, services, asker, place, client)
            if given is None:
                return
        else:
            try:
                for recipient in people[1:] + groups:
                    recipient.result()  # a LookupFailed about a recipient surfaces here (the giver's zone has a fallback)
                given = give_from_form(form, services, asker, place.result())
            except Refusal as refusal:
                ack(response_action="errors", errors={refusal.field or "reason": refusal.plain})
                return
            ack()
        _announce(given, services, asker, client)


def _group_and_its_people(asker: Asker, group) -> None:
    """Ask for a group's members, then for each of them, so the rules find the answers cached."""
    for person in sorted(asker.team(group)[1]):
        asker.lookup(person)


def _give_after_ack(form, services: Services, asker: Asker, place: Future, client) -> rules.Given | None:
    """The modal has closed: store the kudos, and tell the giver by DM what happened either way."""
    try:
        given = give_from_form(form, services, asker, place.result())
    except Refusal as refusal:
        send_dm(client, asker.user_id, messages.kudos_not_saved(str(refusal)))
        return None
    confirmation = messages.kudos_confirmation(
        given.recipients, given.principle, dropped_self=given.dropped_self, duplicate=given.duplicate, groups=given.groups
    )
    send_dm(client, asker.user_id, confirmation)
    return given


def _announce(given: rules.Given, services: Services, asker: Asker, client) -> None:
    answer = announce(given, services, asker.team_id)
    if given.duplicate:
        return
    public, *_ = answer.replies
    channel = given.channel_id or ""  # give_from_form refuses a modal kudos with no channel
    problem, ts = post_message(client, channel, public)
    if problem:
        send_dm(client, asker.user_id, messages.kudos_saved_not_posted(given.recipients, channel, problem))
    else:
        remember_public_post(services, asker.team_id, given.kudos_id, channel, ts=ts)
    for user_id, dm in answer.dms:
        send_dm(client, user_id, dm)
