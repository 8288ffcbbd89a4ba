"""Kudos in the conversation: a reaction's prompt, inline kudos' replies, a draft's principle picker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.models.blocks import (
    ButtonElement,
)

from bot.messages.kudos import thanked
from bot.messages.modal import principle_select
from bot.messages.parts import notice, section
from bot.messages.replies import Reply
from bot.messages.text import escape, hours, mentions, quote
from bot.slack.terms import checked_user_id, is_user_id
from principles.catalog import Catalog, Principle

DRAFT_PICK = "kudos_draft_pick"  # action_ids start with this; each button adds its place


DRAFT_OTHER = "kudos_draft_other"


DRAFT_ACTIONS = re.compile(f"^({DRAFT_PICK}_\\d+|{DRAFT_OTHER})$")


_DRAFT_BLOCK = "kudos_draft"


DRAFT_GONE = "That kudos is no longer waiting (it was sent, or I restarted in between): send it again with `/lp kudos`."


def which_principle_prompt(recipients, groups, picks, catalog: Catalog, token: str) -> Reply:
    """Shown to the giver alone when their kudos named no principle: nothing is saved until they pick one."""
    who = thanked(recipients, groups)
    buttons = [ButtonElement(text=p.name[:75], action_id=f"{DRAFT_PICK}_{i}", value=p.slug).to_dict() for i, p in enumerate(picks)]
    other = principle_select(catalog, None)
    other.update(action_id=DRAFT_OTHER, placeholder={"type": "plain_text", "text": "Other…"})
    text = f"Which principle is your kudos for {who} about? Nothing is saved until you pick one."
    actions = {"type": "actions", "block_id": f"{_DRAFT_BLOCK}|{token}", "elements": [*buttons, other]}
    return Reply(text=text, blocks=[section(text), actions])


def read_draft_choice(body: dict) -> tuple[str, str] | None:
    """(draft token, principle slug) from a click on which_principle_prompt; None when it is not one."""
    action = (body.get("actions") or [{}])[0]
    kind, _, token = str(action.get("block_id", "")).partition("|")
    principle = action.get("value") or (action.get("selected_option") or {}).get("value")
    if kind != _DRAFT_BLOCK or not token or not isinstance(principle, str):
        return None
    return token, principle


REACTION_PICK = "reaction_kudos_pick"  # action_ids start with this; each button adds its place


REACTION_OTHER = "reaction_kudos_other"


REACTION_WHY = "why"


_REACTION_BLOCK = "reaction_kudos"


DEFAULT_REACTION_WHY = "for this message"
ALREADY_RECOGNIZED = "You already recognized this message for a principle; remove your reaction to take it back."
EDIT_NOT_KEPT = "The kudos stays as it was before the edit."


@dataclass(frozen=True)
class ReactionChoice:
    """What the person picked on a reaction prompt, and the message it is about."""

    channel_id: str
    ts: str
    author: str
    emoji: str
    principle: str | None
    why: str


def reaction_prompt(author: str, channel_id: str, ts: str, emoji: str, picks, catalog: Catalog, *, max_reason: int) -> Reply:
    """Shown to the reactor alone: recognize the message's author for one of the principles it fits."""
    # The message the prompt is about travels in the block_id (255 characters): a choice from a
    # menu can only carry its own 150-character value.
    about = f"{_REACTION_BLOCK}|{channel_id}|{ts}|{checked_user_id(author)}|{emoji}"[:255]
    buttons: list[dict] = [
        ButtonElement(text=f"{p.name}"[:75], action_id=f"{REACTION_PICK}_{i}", value=p.slug).to_dict() for i, p in enumerate(picks)
    ]
    other = principle_select(catalog, None)
    other.update(action_id=REACTION_OTHER, placeholder={"type": "plain_text", "text": "Other…"})
    text = f"Recognize <@{author}> for…"
    return Reply(
        text=f"Recognize <@{author}> for a principle?",
        blocks=[
            section(f"{text} (your :{escape(emoji)}: reaction). One click sends it; ignore this to send nothing."),
            {
                "type": "input",
                "block_id": REACTION_WHY,
                "optional": True,
                "label": {"type": "plain_text", "text": "Why (optional)"},
                "hint": {"type": "plain_text", "text": f"Left empty, it says “{DEFAULT_REACTION_WHY}”, with a link to it."},
                "element": {"type": "plain_text_input", "action_id": REACTION_WHY, "max_length": max_reason},
            },
            {"type": "actions", "block_id": about, "elements": [*buttons, other]},
        ],
    )


def read_reaction_choice(body: dict) -> ReactionChoice | None:
    """The choice made on a reaction prompt; None when the payload is not one of ours."""
    action = (body.get("actions") or [{}])[0]
    parts = str(action.get("block_id", "")).split("|")
    if len(parts) != 5 or parts[0] != _REACTION_BLOCK or not is_user_id(parts[3]):
        return None
    principle = action.get("value") or (action.get("selected_option") or {}).get("value")
    typed = ((body.get("state") or {}).get("values") or {}).get(REACTION_WHY, {}).get(REACTION_WHY, {}).get("value") or ""
    return ReactionChoice(parts[1], parts[2], parts[3], parts[4], principle, typed.strip())


def reaction_not_for_kudos(why: str, emoji: str) -> Reply:
    """A kudos reaction on a message no kudos can go to, explained once."""
    reasons = {
        "self": "that's your own message, and kudos are for others",
        "bot": "that message is from an app, and kudos are for people",
    }
    return notice(
        f"Your :{escape(emoji)}: reaction didn't start a kudos: {reasons[why]}. "
        "React to a teammate's message to recognize them (I'll only say this once)."
    )


def reaction_kudos_recorded(recipients, principle: Principle, emoji: str, undo_window: timedelta) -> Reply:
    return notice(
        f"Recorded: kudos to {mentions(recipients)} for *{escape(principle.name)}*. "
        f"Remove your :{escape(emoji)}: reaction within {hours(undo_window)} to take it back."
    )


def in_thread_thanks(giver_id: str, recipients, principle: Principle, groups=()) -> Reply:
    """The bot's short answer under a message that was itself the thank-you: the principle, not the words again."""
    text = f"{principle.emoji or ':clap:'} {mentions([giver_id])} recognized {thanked(recipients, groups)} for *{escape(principle.name)}*."
    return Reply(text=text, blocks=[section(text)], response_type="in_channel")


def inline_kudos_changed(principle: Principle | None, recipients=()) -> Reply:
    """The author edited or deleted the message that was a kudos."""
    if principle is None:
        return notice("Your message is no longer a kudos, so I took the kudos back.")
    return notice(f"Updated: your kudos is now for {mentions(recipients)}, for *{escape(principle.name)}*.")


def inline_no_principle(picks, emoji: str) -> Reply:
    """Mentions and the kudos emoji, but no principle named: nothing saved, and the ones the why fits best."""
    example = f"`@someone :{escape(emoji)}: #{escape(picks[0].slug) if picks else 'ownership'} thanks for …`"
    names = ", ".join(f"*{escape(p.name)}* (`#{escape(p.slug)}`)" for p in picks[:3])
    return notice(
        f"That looks like a kudos, but it names no principle, so I saved nothing. Your words fit {names} best: "
        f"edit the message to add one, like {example}."
    )


def inline_near_miss(query: str, suggestions, emoji: str) -> Reply:
    """Mentions and the kudos emoji, but no principle I know: how to make it count."""
    example = f"`@someone :{escape(emoji)}: #ownership thanks for …`"
    if suggestions:
        names = ", ".join(f"*{escape(p.name)}* (`#{escape(p.slug)}`)" for p in suggestions[:3])
        return notice(
            f"That looks like a kudos, but I couldn't tell which principle “{quote(query, 40)}” is. "
            + f"Did you mean {names}? Edit the message to add it, like {example}."
        )
    return notice(
        f"That looks like a kudos, but it names no principle. Edit the message to add one, like {example} (`/lp list` shows them all)."
    )


def inline_refused(reason: str) -> Reply:
    return notice(f"Your message wasn't recorded as a kudos: {reason}")
