"""The /lp command language: text in, an intent out, and the reply each intent earns."""

from __future__ import annotations

from dataclasses import dataclass

from bot import blocks
from bot.blocks import Reply
from bot.services import Services
from principles import match_principle, search_principles

COMMAND = "/lp"

#: (usage, what it does) for every subcommand; /lp help is built from this list.
USAGE: list[tuple[str, str]] = [
    ("/lp <number or name>", "show a principle: `/lp 7`, `/lp dive deep`, `/lp #ownership`, even with typos"),
    ("/lp show <principle>", "the same, spelled out"),
    ("/lp list", "all the principles, one line each"),
    ("/lp random", "a principle picked at random"),
    ("/lp search <words>", "principles whose names and texts mention your words"),
    ("/lp help", "this list"),
]


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ListAll:
    pass


@dataclass(frozen=True)
class Show:
    query: str


@dataclass(frozen=True)
class RandomPick:
    pass


@dataclass(frozen=True)
class Search:
    words: str


@dataclass(frozen=True)
class UsageError:
    """Text we understood enough to know it is incomplete; `message` says what to type."""

    message: str


Intent = Help | ListAll | Show | RandomPick | Search | UsageError


def parse(text: str) -> Intent:
    """Turn the text after /lp into an intent. Never raises, whatever the text."""
    words = text.split()
    if not words:
        return Help()
    verb, rest = words[0].lower(), " ".join(words[1:])
    if verb in ("help", "?", "-h", "--help"):
        return Help()
    if verb == "list" and not rest:
        return ListAll()
    if verb == "random" and not rest:
        return RandomPick()
    if verb == "show":
        return Show(rest) if rest else UsageError("Which principle? Try `/lp show 7` or `/lp show ownership`.")
    if verb in ("search", "find"):
        return Search(rest) if rest else UsageError("Search for what? Try `/lp search customers`.")
    return Show(" ".join(words))


def answer(intent: Intent, services: Services) -> Reply:
    """The reply for an intent; pure apart from the random pick, whose source is injected."""
    catalog = services.catalog
    match intent:
        case Help():
            return blocks.help_reply(catalog.name, USAGE)
        case ListAll():
            return blocks.list_reply(catalog)
        case RandomPick():
            return blocks.principle_card(services.rng.choice(catalog.principles))
        case Search(words):
            return blocks.search_reply(words, search_principles(catalog, words))
        case Show(query):
            found = match_principle(catalog, query)
            if found.principle:
                return blocks.principle_card(found.principle)
            return blocks.not_found_reply(query, found.suggestions)
        case UsageError(message):
            return blocks.notice(message)
    raise TypeError(f"unhandled intent {intent!r}")
