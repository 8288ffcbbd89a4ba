"""Sending what the core decided: replies through the response_url, messages through the Web API."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.messages import Answer, Reply, Upload
from bot.slack.terms import SLACK_FAILURES, failure_code
from storage.kudos import PublicPost

log = logging.getLogger(__name__)


def deliver(answer: Answer, respond, client: WebClient, user_id: str, channel_id: str | None) -> None:
    """Send the replies through the response_url and the DMs through the Web API, each on its own.

    What is done is done before this runs (a kudos is stored), so a reply Slack will not take
    reaches the asker another way instead of failing the request, and a recipient's DM never
    waits on anyone else's message.
    """
    for reply in answer.replies:
        if not _responded(respond, reply):
            fallback = messages.undelivered_post(reply) if reply.response_type == "in_channel" else reply
            tell_privately(client, user_id, channel_id, fallback)
    undelivered = [recipient for recipient, reply in answer.dms if not send_dm(client, recipient, reply)]
    if undelivered:
        tell_privately(client, user_id, channel_id, messages.dms_not_delivered(undelivered))
    for post, reply in answer.edits:
        if not change_public_post(client, post, reply):
            tell_privately(client, user_id, channel_id, messages.notice(messages.POST_NOT_CHANGED))
    for upload in answer.uploads:
        problem = upload_image(client, channel_id if upload.public else None, upload, dm_to=user_id)
        if problem:
            note = messages.chart_not_sent(problem)
            if not _responded(respond, note):
                tell_privately(client, user_id, channel_id, note)


def upload_image(client: WebClient, channel_id: str | None, upload: Upload, dm_to: str | None = None) -> str | None:
    """Share a picture in a channel, or in the app's DM with `dm_to`; None on success, else Slack's error code.

    files_upload_v2 is slack_sdk's three steps (an upload URL, the bytes, completing the upload
    into the conversation); a DM needs its conversation ID first, from conversations.open.
    """
    try:
        if channel_id is None:
            channel_id = client.conversations_open(users=dm_to)["channel"]["id"]
        client.files_upload_v2(channel=channel_id, file=upload.image, filename=upload.filename, title=upload.title, alt_txt=upload.alt_text)
        return None
    except SLACK_FAILURES as error:
        log.info("could not share %s: %s", upload.filename, failure_code(error))
        return failure_code(error)
    except Exception as error:  # noqa: BLE001 - slack_sdk raises its own SlackRequestError when the upload URL refuses the bytes
        log.warning("could not upload %s: %s", upload.filename, error)
        return "upload_failed"


def _responded(respond, reply: Reply) -> bool:
    try:
        response = respond(**reply.as_kwargs())
    except Exception as error:  # noqa: BLE001 - a dropped or refused response_url; the asker hears another way
        log.warning("the response_url did not take a reply (%s)", type(error).__name__)
        return False
    status = getattr(response, "status_code", 200)
    if status != 200:
        log.warning("the response_url answered %s", status)
    return status == 200


def tell_privately(client: WebClient, user_id: str, channel_id: str | None, reply: Reply) -> bool:
    """Show `reply` to one person: ephemeral where they are, else in a DM from the app."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=reply.text, blocks=reply.blocks)
            return True
        except SLACK_FAILURES as error:
            log.info("no ephemeral message in %s (%s); sending a DM instead", channel_id, failure_code(error))
    return send_dm(client, user_id, reply)


def send_dm(client: WebClient, user_id: str, reply: Reply) -> bool:
    """A direct message from the app; a failure is logged, never shown to someone else."""
    try:
        # Posting to a user ID delivers to the app's DM with them (chat:write is enough).
        client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
        return True
    except SLACK_FAILURES as error:
        log.warning("could not DM %s: %s", user_id, failure_code(error))
        return False


def post_message(client: WebClient, channel_id: str, reply: Reply, thread_ts: str | None = None) -> tuple[str | None, str | None]:
    """Post a message (in a thread under `thread_ts`, if given): (None, its ts) on success, (Slack's
    error code, None) otherwise (e.g. not_in_channel)."""
    try:
        sent = client.chat_postMessage(channel=channel_id, text=reply.text, blocks=reply.blocks, thread_ts=thread_ts)
        return None, sent.get("ts")
    except SLACK_FAILURES as error:
        return failure_code(error), None


def change_public_post(client: WebClient, post: PublicPost, reply: Reply) -> bool:
    """Replace a kudos' public thank-you with `reply` (a withdrawal, a new version): chat.update for a
    message the bot posted, replace_original through the slash command's response_url (callers check
    rules.still_editable first). False when Slack would not change it; the caller tells the giver."""
    if post.channel_id and post.ts:
        try:
            client.chat_update(channel=post.channel_id, ts=post.ts, text=reply.text, blocks=reply.blocks)
            return True
        except SLACK_FAILURES as error:
            log.info("could not change a kudos' public post: %s", failure_code(error))
            return False
    if post.response_url:
        try:
            answer = WebhookClient(post.response_url).send(text=reply.text, blocks=reply.blocks, replace_original=True)
            return answer.status_code == 200
        except SLACK_FAILURES as error:
            log.info("could not change a kudos' public post through its response_url: %s", type(error).__name__)
    return False


def open_view(client: WebClient, trigger_id: str, view: dict) -> dict | None:
    """Open a modal; returns the opened view (its id and hash), or None when Slack refused."""
    try:
        return client.views_open(trigger_id=trigger_id, view=view)["view"]
    except SLACK_FAILURES as error:
        # Most often expired_trigger_id: the person clicked and Slack gave up before we answered.
        log.warning("could not open the modal: %s", failure_code(error))
        return None
