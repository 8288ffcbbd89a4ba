"""Kudos written into a conversation: reading a message or a reaction. Pure; never calls Slack.

A message such as `@sam @kim :clap: #ownership thanks for the migration` is a kudos: it mentions
people (or a user group), carries the kudos emoji, and names a principle before its why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kudos.rules import split_principle
from bot.slack.terms import GROUP_MENTION, USER_MENTION, Roster
from principles import Catalog, Match, Principle, match_principle

_SKIN_TONE = "::skin-tone-"
_HASHTAG = re.compile(r"(?<![\w&])#([\w-]{2,150})")


def base_emoji(reaction: str) -> str:
    """A reaction's name without its skin tone: 'clap::skin-tone-3' is 'clap'."""
    return reaction.split(_SKIN_TONE, 1)[0].strip(":").lower()


def _emoji_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf":{re.escape(name)}:(?::skin-tone-\d:)?", re.IGNORECASE)


def has_emoji(text: str, name: str) -> bool:
    return _emoji_pattern(name).search(text) is not None


@dataclass(frozen=True)
class InlineKudos:
    """A message that is meant as a kudos; `text` is what is left: the principle and the why."""

    recipients: tuple[str, ...]
    groups: tuple[Roster, ...]
    text: str


def read_message(text: str, emoji: str) -> InlineKudos | None:
    """The kudos a message means, or None when it is not one (no mention, or no kudos emoji)."""
    if not text or not has_emoji(text, emoji):
        return None
    recipients = tuple(dict.fromkeys(USER_MENTION.findall(text)))
    groups = tuple(dict.fromkeys(Roster("group", gid, label.lstrip("@")) for gid, label in GROUP_MENTION.findall(text)))
    if not recipients and not groups:
        return None
    rest = _emoji_pattern(emoji).sub(" ", GROUP_MENTION.sub(" ", USER_MENTION.sub(" ", text)))
    # What is left between and around the mentions: joining words people put there, not the why.
    rest = re.sub(r"^[\s,:;.!&]*(?:(?:and|&amp;)\s+)?", "", " ".join(rest.split()))
    return InlineKudos(recipients, groups, rest)


def principle_in(catalog: Catalog, text: str) -> tuple[Match, str]:
    """The principle and the why of an inline kudos: named first (as for /lp kudos), or as a #tag anywhere."""
    match, why = split_principle(catalog, text)
    if match.principle:
        return match, why
    for tag in _HASHTAG.finditer(text):
        tagged = match_principle(catalog, tag.group(1), fuzzy=False)
        if tagged.principle:
            why = " ".join((text[: tag.start()] + " " + text[tag.end() :]).split())
            return tagged, why
    return match, why


def principle_for_emoji(catalog: Catalog, reaction: str) -> Principle | None:
    """The principle whose own emoji this reaction is, if any."""
    name = base_emoji(reaction)
    return next((p for p in catalog if p.emoji and base_emoji(p.emoji) == name), None)


def request_key_for_reaction(channel_id: str, ts: str, reactor: str, emoji: str) -> str:
    """One kudos per person, message and emoji: a redelivered event, or a second click, is stored once,
    and removing that reaction finds it again."""
    return f"reaction:{channel_id}:{ts}:{reactor}:{base_emoji(emoji)}"


def request_key_for_message(channel_id: str, ts: str) -> str:
    return f"message:{channel_id}:{ts}"
