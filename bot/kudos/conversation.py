"""Kudos given where the conversation happens: a reaction on someone's message, or a message
that is itself the thank-you (`@sam :clap: #ownership thanks for …`).

Every rule of /lp kudos applies (no self, no bots, the daily limit, once per Slack request,
escaping, where it was said); this module turns Slack's events into those calls and answers
in the conversation: privately to the person who acted, publicly in the message's thread.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from slack_sdk import WebClient

from bot import messages
from bot.asker import Asker, asker_for
from bot.kudos import rules, service
from bot.kudos.inline import (
    base_emoji,
    principle_for_emoji,
    principle_in,
    read_message,
    request_key_for_message,
    request_key_for_reaction,
)
from bot.refusal import Refusal
from bot.services import Services
from bot.slack import places
from bot.slack.delivery import change_public_post, tell_privately
from bot.slack.terms import SLACK_FAILURES, failure_code, is_user_id
from principles import Principle, search_principles
from storage import kudos as kudos_store

log = logging.getLogger(__name__)

# Slack sends these message subtypes for what a person wrote; every other subtype (joins, bot
# messages, topic changes…) is not a person speaking and is left alone.
SPOKEN = (None, "thread_broadcast", "file_share")
# Only channels: a DM with the app is not where colleagues read a thank-you.
CHANNEL_TYPES = {"channel": kudos_store.PUBLIC, "group": kudos_store.PRIVATE}
PICKS = 3


def _asker(services: Services, client: WebClient, team_id: str, user_id: str, channel_id: str, visibility: str, key: str) -> Asker:
    return asker_for(services, client, team_id, user_id, channel_id=channel_id, visibility=visibility, request_key=key)


def _kudos_reaction(services: Services, reaction: str) -> tuple[str, Principle | None] | None:
    """(the emoji, the principle it records directly or None to prompt), or None if the reaction means nothing here."""
    emoji = base_emoji(reaction)
    if emoji == services.settings.kudos_emoji:
        return emoji, None
    if services.settings.principle_reactions:
        principle = principle_for_emoji(services.catalog, emoji)
        if principle:
            return emoji, principle
    return None


# Events a busy channel sends most; most of them need nothing beyond a first look.
EVERYDAY_EVENTS = ("message", "reaction_added", "reaction_removed")
# Message subtypes with work of their own (the listener's), besides what people say.
CHANGES = ("channel_convert_to_private", "message_changed", "message_deleted")


def settled_on_arrival(services: Services, team_id: str | None, body: dict) -> bool:
    """Whether an everyday event is done with by this first look, so nothing more runs for it.

    Done with: a redelivery of an event already heard (each event is handled once, by its
    event_id, here and nowhere else), chat that thanks nobody (its words are remembered for a
    reaction's suggestions), a message from an app, a reaction that means no kudos. Everything
    else (an inline kudos, a kudos reaction, an edit, a deletion) goes on to its listener.
    It reads only the event and what this process holds in memory (no Slack call, no SQL), since
    it runs before the event is acknowledged; it spares a busy channel's chatter the listeners'
    matching and two thread hand-offs each.
    """
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") not in EVERYDAY_EVENTS:
        return False
    if not services.heard.first_time(body.get("event_id")):
        return True
    if event["type"] != "message":
        return _kudos_reaction(services, str(event.get("reaction", ""))) is None
    subtype = event.get("subtype")
    if subtype in CHANGES:
        return False
    if subtype not in SPOKEN or event.get("bot_id"):
        return True  # joins, topic changes, apps' posts: nobody speaking
    return _chat(services, team_id, event)


def _chat(services: Services, team_id: str | None, said: dict) -> bool:
    """True when a spoken message is only chat: remembered, and nothing more to do."""
    channel_id, ts, author = str(said.get("channel") or ""), str(said.get("ts") or ""), str(said.get("user") or "")
    if not CHANNEL_TYPES.get(said.get("channel_type") or "") or not channel_id or not ts or not is_user_id(author):
        return True
    services.heard.remember(team_id, channel_id, ts, str(said.get("text") or ""))
    return not services.settings.inline_kudos or read_message(str(said.get("text") or ""), services.settings.kudos_emoji) is None


# -- reactions ---------------------------------------------------------------------------------


def reaction_added(services: Services, client: WebClient, team_id: str, event: dict) -> None:
    item = event.get("item") or {}
    meaning = _kudos_reaction(services, str(event.get("reaction", "")))
    reactor, channel_id, ts = str(event.get("user") or ""), str(item.get("channel") or ""), str(item.get("ts") or "")
    if meaning is None or item.get("type") != "message" or not is_user_id(reactor) or not channel_id or not ts:
        return
    emoji, principle = meaning
    author = str(event.get("item_user") or "")
    lookup = partial(services.people.lookup, client, team_id)
    try:
        if not service.known_person(lookup, reactor):
            return  # an app's bot user adding an emoji is not a person thanking anyone: quietly nothing
        why_not = _why_no_kudos(reactor, author, lookup)
        if why_not:
            if services.heard.tell_once(team_id, reactor, why_not):
                tell_privately(client, reactor, channel_id, messages.reaction_not_for_kudos(why_not, emoji))
            return
        if principle is None:
            picks = _picks(services, team_id, channel_id, ts)
            tell_privately(
                client,
                reactor,
                channel_id,
                messages.reaction_prompt(author, channel_id, ts, emoji, picks, services.catalog, max_reason=rules.MAX_REASON),
            )
            return
        reply = give_for_message(services, client, team_id, reactor, author, principle, "", channel_id, ts, emoji)
    except Refusal as refusal:
        reply = messages.notice(str(refusal))
    tell_privately(client, reactor, channel_id, reply)


def _why_no_kudos(reactor: str, author: str, lookup) -> str | None:
    if not is_user_id(author):
        return "bot"  # a message with no person behind it: an app's, a workflow's
    if author == reactor:
        return "self"
    person = lookup(author)
    if person is None or person.is_bot:
        return "bot"
    return None


def _picks(services: Services, team_id: str, channel_id: str, ts: str) -> list[Principle]:
    """The principles a message's words fit best; when its words are unknown or fit none, those the team recognized least lately."""
    words = services.heard.words(team_id, channel_id, ts) or ""
    picks = search_principles(services.catalog, words, limit=PICKS) if words.strip() else []
    if len(picks) < PICKS:
        since = rules.period_start("quarter", services.clock())
        mix = kudos_store.principle_mix(services.store.db, team_id, since)
        least = sorted(services.catalog, key=lambda p: (mix.get(p.slug, 0), p.number))
        picks += [p for p in least if p not in picks][: PICKS - len(picks)]
    return picks


def give_for_message(
    services: Services,
    client: WebClient,
    team_id: str,
    giver: str,
    author: str,
    principle: Principle,
    typed_why: str,
    channel_id: str,
    ts: str,
    emoji: str,
) -> messages.Reply:
    """Record a kudos for a message's author, thank them in the message's thread, and say to the giver what happened."""
    visibility = services.places.visibility(client, team_id, channel_id)
    key = request_key_for_reaction(channel_id, ts, giver, emoji)
    asker = _asker(services, client, team_id, giver, channel_id, visibility, key)
    recipients, dropped_self = rules.check_recipients(giver, (author,), asker.lookup)
    # Stored the way Slack sends text, with &, < and > as entities, so every reason reads alike.
    why = messages.escape(typed_why) if typed_why else messages.DEFAULT_REACTION_WHY
    given = service.give(
        services, asker, recipients, principle, why, channel_id, _permalink(client, channel_id, ts), dropped_self, visibility
    )
    if given.duplicate:
        return messages.notice(messages.ALREADY_RECOGNIZED)
    problem = service.thank_in_channel(services, client, team_id, given, channel_id, thread_ts=ts)
    if problem:
        log.info("could not thank in the thread: %s", problem)
    return messages.reaction_kudos_recorded(given.recipients, given.principle, emoji, rules.UNDO_WINDOW)


def choice_made(
    services: Services, client: WebClient, team_id: str, user_id: str, choice: messages.ReactionChoice
) -> messages.Reply | None:
    """The reactor picked a principle on the prompt: the confirmation that replaces the prompt, or
    None when the choice no longer names a principle (the prompt stays)."""
    principle = services.catalog.by_slug(choice.principle or "")
    if principle is None:
        return None
    return give_for_message(
        services, client, team_id, user_id, choice.author, principle, choice.why, choice.channel_id, choice.ts, choice.emoji
    )


def reaction_removed(services: Services, client: WebClient, team_id: str, event: dict) -> None:
    item = event.get("item") or {}
    meaning = _kudos_reaction(services, str(event.get("reaction", "")))
    reactor, channel_id, ts = str(event.get("user") or ""), str(item.get("channel") or ""), str(item.get("ts") or "")
    if meaning is None or not is_user_id(reactor) or not channel_id or not ts:
        return
    key = request_key_for_reaction(channel_id, ts, reactor, meaning[0])
    withdrawn = rules.withdraw(services.store, team_id=team_id, request_key=key, now=services.clock())
    if withdrawn:
        removed = withdrawn.record
        name = service.principle_name(services, removed.principle)
        tell_privately(client, reactor, channel_id, messages.kudos_withdrawn(removed.recipients, name))
        service.take_back_post(services, client, withdrawn, channel_id)


# -- messages --------------------------------------------------------------------------------


def message(services: Services, client: WebClient, team_id: str, event: dict) -> None:
    subtype = event.get("subtype")
    if subtype == "channel_convert_to_private":
        places.became_private(services.places, services.store, team_id, str(event.get("channel") or ""))
    elif subtype == "message_changed":
        _edited(services, client, team_id, event)
    elif subtype == "message_deleted":
        _withdraw_message(services, client, team_id, event.get("channel"), event.get("deleted_ts"))
    elif subtype in SPOKEN and not event.get("bot_id"):
        _spoken(services, client, team_id, event, event.get("channel_type"))


def _spoken(services: Services, client: WebClient, team_id: str, said: dict, channel_type: str | None) -> None:
    channel_id, ts, author = str(said.get("channel") or ""), str(said.get("ts") or ""), str(said.get("user") or "")
    text = str(said.get("text") or "")
    visibility = CHANNEL_TYPES.get(channel_type or "")
    if not visibility or not channel_id or not ts or not is_user_id(author):
        return
    services.heard.remember(team_id, channel_id, ts, text)
    if not services.settings.inline_kudos:
        return
    meant = read_message(text, services.settings.kudos_emoji)
    if meant is None:
        return
    asker = _asker(services, client, team_id, author, channel_id, visibility, request_key_for_message(channel_id, ts))
    try:
        if not service.known_person(asker.lookup, author):
            return  # Slackbot's reminders, apps, workflows: not a person speaking, so quietly nothing
        match, why = principle_in(services.catalog, meant.text)
        if match.principle is None:
            # Nothing is recorded for a principle nobody named. A #tag that names none is a near miss,
            # answered with the closest names; no principle at all, with the ones the words fit best.
            emoji = services.settings.kudos_emoji
            tag = next((word for word in meant.text.split() if word.startswith("#")), None)
            if tag:
                reply = messages.inline_near_miss(tag, match.suggestions, emoji)
            else:
                reply = messages.inline_no_principle(service.best_fits(services.catalog, meant.text, match.suggestions), emoji)
            tell_privately(client, author, channel_id, reply)
            return
        handles, members = service.groups_of(asker, meant.groups)
        recipients, dropped_self = rules.check_recipients(author, meant.recipients, asker.lookup, members)
        link = _permalink(client, channel_id, ts)
        given = service.give(services, asker, recipients, match.principle, why, channel_id, link, dropped_self, visibility, handles)
    except Refusal as refusal:
        tell_privately(client, author, channel_id, messages.inline_refused(str(refusal)))
        return
    if given.duplicate:
        # A redelivered event (this very message) is thanked once, quietly; the same words in a new
        # message a moment later get the answer /lp kudos gives.
        key = request_key_for_message(channel_id, ts)
        this_message = kudos_store.find_by_request(services.store.db, team_id, key)
        if this_message != given.kudos_id:
            tell_privately(client, author, channel_id, messages.kudos_confirmation((), given.principle, dropped_self=False, duplicate=True))
        return
    _answer_inline(services, client, team_id, given, channel_id, said.get("thread_ts") or ts, ts)


def _answer_inline(
    services: Services, client: WebClient, team_id: str, given: rules.Given, channel_id: str, thread_ts: str, ts: str
) -> None:
    """The message is its own thank-you: answer under it, or with a reaction on it, not with a new channel message."""
    if services.settings.inline_reply == "reaction":
        name = base_emoji(given.principle.emoji) if given.principle.emoji else "white_check_mark"
        try:
            client.reactions_add(channel=channel_id, timestamp=ts, name=name)
            service.send_recipient_dms(services, client, team_id, given, channel_id)
            return
        except SLACK_FAILURES as error:
            log.info("could not react to an inline kudos (%s); answering in the thread", failure_code(error))
    thanks = messages.in_thread_thanks(given.giver_id, given.recipients, given.principle, given.groups)
    problem = service.thank_in_channel(services, client, team_id, given, channel_id, thread_ts=thread_ts, public=thanks)
    if problem:
        log.info("could not answer an inline kudos in its thread: %s", problem)


def remember_edit(services: Services, team_id: str, event: dict) -> None:
    """An edited message's new words, remembered as its first words were, where they were said in a channel."""
    now_said = event.get("message") or {}
    channel_id, ts = event.get("channel"), now_said.get("ts")
    if event.get("subtype") != "message_changed" or not CHANNEL_TYPES.get(event.get("channel_type") or ""):
        return
    if isinstance(channel_id, str) and isinstance(ts, str) and channel_id and ts:
        services.heard.remember(team_id, channel_id, ts, str(now_said.get("text") or ""))


def _edited(services: Services, client: WebClient, team_id: str, event: dict) -> None:
    now_said, channel_id = event.get("message") or {}, event.get("channel")
    ts, author = now_said.get("ts"), now_said.get("user")
    if not channel_id or not ts or not services.settings.inline_kudos:
        return  # with inline kudos switched off, messages neither give nor take back kudos
    if now_said.get("subtype") == "tombstone":  # a message with replies, deleted: its place stays, its words go
        _withdraw_message(services, client, team_id, channel_id, ts)
        return
    key = request_key_for_message(channel_id, ts)
    since = services.clock() - rules.UNDO_WINDOW
    existing = kudos_store.given_for_request(services.store.db, team_id, key, since)
    if existing is None:
        if _sent_at(ts) >= since and CHANNEL_TYPES.get(event.get("channel_type") or ""):
            _spoken(
                services, client, team_id, {**now_said, "channel": channel_id}, event.get("channel_type")
            )  # an edit that makes it a kudos
        return
    if not is_user_id(author) or author != existing.giver_id:
        return
    services.heard.remember(team_id, channel_id, ts, now_said.get("text") or "")
    meant = read_message(now_said.get("text") or "", services.settings.kudos_emoji)
    asker = _asker(services, client, team_id, author, channel_id, existing.visibility, key)
    try:
        if not service.known_person(asker.lookup, author):
            return  # Slackbot's reminders, apps, workflows: not a person speaking, so quietly nothing
        match, why = principle_in(services.catalog, meant.text) if meant else (None, "")
        if meant is None or match is None or match.principle is None:
            _withdraw_message(services, client, team_id, channel_id, ts)
            return
        _, members = service.groups_of(asker, meant.groups)
        recipients, _ = rules.check_recipients(author, meant.recipients, asker.lookup, members)
        reason = rules.check_reason(why)
        outside = service.outside_people(services, asker, (author, *recipients))
        with services.store.write() as db:
            kudos_store.revise_kudos(db, existing.id, recipients=recipients, principle=match.principle.slug, reason=reason)
            kudos_store.note_outside(db, team_id, outside, services.clock())
            post = kudos_store.public_post(db, existing.id)
    except Refusal as refusal:
        tell_privately(client, author, channel_id, messages.inline_refused(f"{refusal} {messages.EDIT_NOT_KEPT}"))
        return
    tell_privately(client, author, channel_id, messages.inline_kudos_changed(match.principle, recipients))
    if post:  # the thank-you under the message shows the new version
        if not change_public_post(client, post, messages.in_thread_thanks(author, recipients, match.principle)):
            tell_privately(client, author, channel_id, messages.notice(messages.POST_NOT_CHANGED))


def _withdraw_message(services: Services, client: WebClient, team_id: str, channel_id, ts) -> None:
    if not channel_id or not ts:
        return
    withdrawn = rules.withdraw(services.store, team_id=team_id, request_key=request_key_for_message(channel_id, ts), now=services.clock())
    if withdrawn and is_user_id(withdrawn.record.giver_id):
        tell_privately(client, withdrawn.record.giver_id, channel_id, messages.inline_kudos_changed(None))
        service.take_back_post(services, client, withdrawn, channel_id)


def _sent_at(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=rules.UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.min.replace(tzinfo=rules.UTC)


def _permalink(client: WebClient, channel_id: str, ts: str) -> str | None:
    try:
        return client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"]
    except SLACK_FAILURES as error:
        log.info("no permalink for %s/%s: %s", channel_id, ts, failure_code(error))
        return None
