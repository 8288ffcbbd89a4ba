"""Principles as messages: the card, the list, search, help, and the lookups that missed."""

from __future__ import annotations

import functools
import re

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
)

from bot.messages.parts import SECTION_LIMIT, context, header, notice, section, shorten
from bot.messages.replies import Reply
from bot.messages.text import escape, quote, safe_link
from principles.catalog import Catalog, Principle

RECOGNIZE_ACTION = "recognize_principle"


# Several Recognize buttons in one block (App Home's blind spots) each add their place: Slack refuses
# two equal action_ids in one block.
RECOGNIZE_ACTIONS = re.compile(f"^{RECOGNIZE_ACTION}(_\\d+)?$")


SHARE_ACTION = "share_principle"


# Lists stay well inside what one Slack message can carry, whatever a custom catalog holds:
# at most LIST_PAGE lines of at most LINE_SUMMARY characters of summary each (~5,000 characters).
LIST_PAGE = 25


LINE_SUMMARY = 140


def principle_line(principle: Principle) -> str:
    return f"*{escape(principle.title)}* — {escape(shorten(principle.summary, LINE_SUMMARY))}"


def principle_card(principle: Principle, *, shareable: bool = True, shared_by: str | None = None) -> Reply:
    """The full card for one principle; `shared_by` is a user ID the bot has checked."""
    if shared_by is None:
        # The lookup most asked for, the same blocks every time: built (and checked by slack_sdk's
        # models) once per principle, a twentieth of a lookup's CPU. Each reply gets its own list.
        text, blocks, response_type = _unshared_card(principle, shareable)
        return Reply(text=text, blocks=list(blocks), response_type=response_type)
    return _card(principle, shareable, shared_by)


@functools.lru_cache(maxsize=1024)
def _unshared_card(principle: Principle, shareable: bool) -> tuple[str, tuple[dict, ...], str]:
    card = _card(principle, shareable, None)
    return card.text, tuple(card.blocks), card.response_type


def _card(principle: Principle, shareable: bool, shared_by: str | None) -> Reply:
    blocks = [header(principle.title), section(f"*{escape(principle.summary)}*")]
    if principle.description:
        blocks.append(section(escape(principle.description)))
    if principle.practice:
        blocks.append(section(f"*What it looks like on a team*\n{escape(principle.practice)}"))
    if principle.questions:
        bullets = "\n".join(f"• {escape(q)}" for q in principle.questions)
        blocks.append(section(f"*Ask yourself*\n{bullets}"))
    footer = [f"`/lp {principle.slug}`"]
    source = safe_link(principle.url, "Source")
    if source:
        footer.append(source)
    if shared_by:
        footer.append(f"Shared by <@{shared_by}>")
    blocks.append(context(" · ".join(footer)))
    if shareable:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Share in channel", action_id=SHARE_ACTION, value=principle.slug),
                    ButtonElement(text="Recognize someone for this", action_id=RECOGNIZE_ACTION, value=principle.slug),
                ]
            ).to_dict()
        )
    return Reply(
        text=f"{principle.number}. {principle.name}: {principle.summary}",
        blocks=blocks,
        response_type="in_channel" if shared_by else "ephemeral",
    )


def list_pages(catalog: Catalog) -> int:
    return max(1, -(-len(catalog) // LIST_PAGE))


def no_such_page(page: int, pages: int) -> str:
    if pages == 1:
        return f"The list has one page, so there is no page {page}: `/lp list` shows them all."
    return f"The list has {pages} pages: try `/lp list` or `/lp list {pages}`."


def did_you_mean(command: str, rest: str) -> str:
    """The subcommand a slip of the keyboard meant, with the rest of what was typed kept (mentions as mentions)."""
    kept = f" {quote(rest, limit=200)}" if rest else ""
    return f"Did you mean `/lp {command}`{kept}? `/lp help` lists every command."


def no_such_number(typed: str, count: int) -> str:
    return f"There are {count} principles, numbered 1 to {count}, so “{quote(typed)}” is none of them: try `/lp list`."


def list_reply(catalog: Catalog, page: int = 1) -> Reply:
    pages = list_pages(catalog)
    page = min(max(page, 1), pages)
    shown = catalog.principles[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    lines = [principle_line(p) for p in shown]
    title = catalog.name if pages == 1 else f"{catalog.name} ({page} of {pages})"
    blocks = [header(title)]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    hint = "Open one with `/lp <number or name>`, for example `/lp 1`."
    if page < pages:
        hint += f" More: `/lp list {page + 1}`."
    blocks.append(context(hint))
    return Reply(text=f"{catalog.name}: {len(catalog)} principles", blocks=blocks)


def not_found_reply(query: str, suggestions: tuple[Principle, ...] | list[Principle]) -> Reply:
    asked = quote(query)
    if suggestions:
        options = "\n".join(f"• `/lp {p.slug}` — {escape(p.name)}" for p in suggestions)
        text = f"I couldn't pin down “{asked}” to one principle. Did you mean one of these?\n{options}"
    else:
        text = f"I couldn't find a principle matching “{asked}”. Try `/lp list` to see them all."
    return Reply(text=text, blocks=[section(text)])


def search_reply(words: str, results: list[Principle]) -> Reply:
    asked = quote(words)
    if not results:
        text = f"Nothing in the principles mentions “{asked}”. Try other words, or `/lp list`."
        return Reply(text=text, blocks=[section(text)])
    lines = "\n".join(principle_line(p) for p in results)
    text = f"Principles for “{asked}”, best match first:\n{lines}"
    return Reply(
        text=text,
        blocks=[section(f"Principles for “{asked}”, best match first:"), section(lines), context("Open one with `/lp <number>`.")],
    )


def help_reply(catalog: Catalog, usage: list[tuple[str, str]]) -> Reply:
    """The commands, with examples from the team's own principles (a custom catalog's, not Amazon's)."""
    principles = catalog.principles
    examples = {
        "number": str(min(7, len(principles))),
        "name": escape(principles[min(11, len(principles) - 1)].name.lower()),
        "slug": escape(principles[min(1, len(principles) - 1)].slug),
    }
    lines = "\n".join(f"`{command}` — {what.format(**examples) if '{' in what else what}" for command, what in usage)
    catalog_name = catalog.name
    return Reply(
        text=f"LP Bot keeps {catalog_name} close at hand. Commands:\n{lines}",
        blocks=[
            section(f"*LP Bot* keeps *{escape(catalog_name)}* close at hand."),
            section(lines),
            context("Replies only you can see stay private; use *Share in channel* to show a principle to everyone."),
        ],
    )


PRINCIPLE_GONE = notice("That principle is no longer in the catalog. Try `/lp list` for the current ones.")
