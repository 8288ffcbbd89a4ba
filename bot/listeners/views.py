"""Modal submissions."""

from __future__ import annotations

from concurrent.futures import Future, wait

from slack_bolt import App

from bot import messages
from bot.asker import Asker, asker_for
from bot.kudos import rules, service
from bot.listeners.guard import guarded
from bot.refusal import Refusal
from bot.services import Services
from bot.slack.delivery import send_dm


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
        trigger_id = body.get("trigger_id") or view.get("id")
        asker = asker_for(services, client, team_id, user_id, request_key=f"view:{trigger_id}" if trigger_id else None)
        lookup = asker.lookup
        # Slack shows the person an error if the ack takes over 3 s: whatever must be asked of Slack before
        # the ack gets settings.ack_budget; past it the modal closes and the answer comes by message.
        # Everything the rules need from Slack, asked at once: the giver (their zone), each
        # recipient, each group's members, and whether the channel is public.
        pool = services.lookup_pool
        people = [pool.submit(lookup, person) for person in dict.fromkeys((user_id, *form.recipients))]
        groups = [pool.submit(_group_and_its_people, asker, group) for group in form.groups]
        place = pool.submit(services.places.visibility, client, team_id, service.form_channel(form, services))
        _, pending = wait([*people, *groups, place], timeout=services.settings.ack_budget)
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
                given = service.give_from_form(form, services, asker, place.result())
            except Refusal as refusal:
                ack(response_action="errors", errors=refusal.errors())
                return
            ack()
        _announce(given, services, asker, client)


def _group_and_its_people(asker: Asker, group) -> None:
    """Ask for a group's members, then for each of them, so the rules find the answers cached."""
    for person in sorted(asker.roster(group)[1]):
        asker.lookup(person)


def _give_after_ack(form, services: Services, asker: Asker, place: Future, client) -> rules.Given | None:
    """The modal has closed: store the kudos, and tell the giver by DM what happened either way."""
    try:
        given = service.give_from_form(form, services, asker, place.result())
    except Refusal as refusal:
        send_dm(client, asker.user_id, messages.kudos_not_saved(str(refusal)))
        return None
    send_dm(client, asker.user_id, service.confirmation(given))
    return given


def _announce(given: rules.Given, services: Services, asker: Asker, client) -> None:
    channel = given.channel_id or ""  # give_from_form refuses a modal kudos with no channel
    problem = service.thank_in_channel(services, client, asker.team_id, given, channel)
    if problem:
        send_dm(client, asker.user_id, messages.kudos_saved_not_posted(given.recipients, channel, problem))
