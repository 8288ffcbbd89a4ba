"""Modal submissions."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot import blocks, kudos
from bot.answers import Asker, announce, give_from_form
from bot.delivery import post_in_channel, send_dm
from bot.people import LookupFailed
from bot.services import Services

_CHANNEL_FIXES = {
    "not_in_channel": "I'm not in that channel yet: invite me with `/invite @LP Bot`, then send them again.",
    "channel_not_found": "I can't see that channel (it may be private): invite me with `/invite @LP Bot`.",
    "is_archived": "That channel is archived; choose another one.",
}


def register(app: App, services: Services) -> None:
    @app.view(blocks.KUDOS_MODAL)
    def submit_kudos(ack, body, view, client):
        form = blocks.read_kudos_modal(view)
        asker = Asker(
            team_id=body["user"].get("team_id") or body["team"]["id"],
            user_id=body["user"]["id"],
            channel_id=None,
            lookup=partial(services.people.lookup, client),
        )
        try:
            given = give_from_form(form, services, asker)
        except kudos.Refusal as refusal:
            ack(response_action="errors", errors={refusal.field: refusal.plain})
            return
        except LookupFailed as failed:
            ack(response_action="errors", errors={"recipients": f"Slack couldn't confirm these people ({failed.code}); please try again."})
            return
        ack()
        answer = announce(given, services, asker.team_id)
        if given.duplicate:
            return
        public, *_ = answer.replies
        problem = post_in_channel(client, given.channel_id, public)
        if problem:
            fix = _CHANNEL_FIXES.get(problem, f"Slack said `{blocks.escape(problem)}`; please try again.")
            note = blocks.notice(
                f"Your kudos for {blocks.mentions(given.recipients)} is saved, but I couldn't post it in "
                f"<#{given.channel_id}>. {fix}"
            )
            send_dm(client, asker.user_id, note)
        for user_id, dm in answer.dms:
            send_dm(client, user_id, dm)
