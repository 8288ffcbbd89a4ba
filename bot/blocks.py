"""Block Kit for every message the bot sends, built from plain values by pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from principles.catalog import Catalog, Principle

SHARE_ACTION = "share_principle"
# Slack's limits: 3,000 characters in a section's text, 150 in a header.
_SECTION_LIMIT = 3000
_HEADER_LIMIT = 150
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class Reply:
    """A message: fallback text (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    response_type: str = "ephemeral"

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks, "response_type": self.response_type}


def escape(text: str) -> str:
    """Make text a person typed inert in mrkdwn: no pings, no disguised links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str, limit: int = 80) -> str:
    """A short, escaped, single-line echo of user input, for 'I could not find ...' replies."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return escape(flat)


def checked_user_id(user_id: str) -> str:
    """The ID itself if it is a Slack user ID; only such IDs are ever written as <@mentions>."""
    if not isinstance(user_id, str) or not _USER_ID.fullmatch(user_id):
        raise ValueError(f"not a Slack user ID: {user_id!r}")
    return user_id


def _section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text[:_SECTION_LIMIT])).to_dict()


def _context(text: str) -> dict:
    return ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()


def _header(text: str) -> dict:
    return HeaderBlock(text=text[:_HEADER_LIMIT]).to_dict()


def _link(url: str, label: str) -> str:
    # Only plain web links go into <url|label>; anything else could smuggle markup.
    if re.fullmatch(r"https?://[^\s<>|]+", url):
        return f"<{url}|{label}>"
    return ""


def principle_line(principle: Principle) -> str:
    return f"*{escape(principle.title)}* — {escape(principle.summary)}"


def principle_card(principle: Principle, *, shareable: bool = True, shared_by: str | None = None) -> Reply:
    """The full card for one principle; `shared_by` is a user ID the bot has checked."""
    blocks = [_header(principle.title), _section(f"*{escape(principle.summary)}*")]
    if principle.description:
        blocks.append(_section(escape(principle.description)))
    if principle.practice:
        blocks.append(_section(f"*What it looks like on a team*\n{escape(principle.practice)}"))
    if principle.questions:
        bullets = "\n".join(f"• {escape(q)}" for q in principle.questions)
        blocks.append(_section(f"*Ask yourself*\n{bullets}"))
    footer = [f"`/lp {principle.slug}`"]
    source = _link(principle.url, "Source")
    if source:
        footer.append(source)
    if shared_by:
        footer.append(f"Shared by <@{shared_by}>")
    blocks.append(_context(" · ".join(footer)))
    if shareable:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Share in channel", action_id=SHARE_ACTION, value=principle.slug),
                ]
            ).to_dict()
        )
    return Reply(
        text=f"{principle.number}. {principle.name}: {principle.summary}",
        blocks=blocks,
        response_type="in_channel" if shared_by else "ephemeral",
    )


def list_reply(catalog: Catalog) -> Reply:
    lines = [principle_line(p) for p in catalog]
    blocks = [_header(catalog.name)]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > _SECTION_LIMIT:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(_section("\n".join(chunk)))
    blocks.append(_context("Open one with `/lp <number or name>`, for example `/lp 1`."))
    return Reply(text=f"{catalog.name}: {len(catalog)} principles", blocks=blocks)


def not_found_reply(query: str, suggestions: tuple[Principle, ...] | list[Principle]) -> Reply:
    asked = quote(query)
    if suggestions:
        options = "\n".join(f"• `/lp {p.slug}` — {escape(p.name)}" for p in suggestions)
        text = f"I couldn't pin down “{asked}” to one principle. Did you mean one of these?\n{options}"
    else:
        text = f"I couldn't find a principle matching “{asked}”. Try `/lp list` to see them all."
    return Reply(text=text, blocks=[_section(text)])


def search_reply(words: str, results: list[Principle]) -> Reply:
    asked = quote(words)
    if not results:
        text = f"Nothing in the principles mentions “{asked}”. Try other words, or `/lp list`."
        return Reply(text=text, blocks=[_section(text)])
    lines = "\n".join(principle_line(p) for p in results)
    text = f"Principles for “{asked}”, best match first:\n{lines}"
    return Reply(
        text=text,
        blocks=[_section(f"Principles for “{asked}”, best match first:"), _section(lines), _context("Open one with `/lp <number>`.")],
    )


def help_reply(catalog_name: str, usage: list[tuple[str, str]]) -> Reply:
    lines = "\n".join(f"`{command}` — {what}" for command, what in usage)
    return Reply(
        text=f"LP Bot keeps {catalog_name} close at hand. Commands:\n{lines}",
        blocks=[
            _section(f"*LP Bot* keeps *{escape(catalog_name)}* close at hand."),
            _section(lines),
            _context("Replies only you can see stay private; use *Share in channel* to show a principle to everyone."),
        ],
    )


def notice(text: str) -> Reply:
    """A short ephemeral answer: a refusal, a confirmation, an apology. `text` must already be safe."""
    return Reply(text=text, blocks=[_section(text)])


APOLOGY = notice(
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment; "
    "if it keeps happening, let whoever runs LP Bot know."
)


def home_view(catalog: Catalog) -> dict:
    """The App Home tab."""
    blocks = [
        _header("LP Bot"),
        _section(f"Your team's principles: *{escape(catalog.name)}*. Type `/lp help` anywhere to see what I can do."),
        DividerBlock().to_dict(),
    ]
    blocks.extend(list_reply(catalog).blocks[1:])
    return {"type": "home", "blocks": blocks[:100]}
