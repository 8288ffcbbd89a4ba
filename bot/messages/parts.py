"""The pieces every surface builds with: sections, contexts, headers within Slack's limits."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.messages.replies import Reply

# Slack's limits: 3,000 characters in a section's text, 150 in a header.
SECTION_LIMIT = 3000


HEADER_LIMIT = 150


def section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT])).to_dict()


def context(text: str) -> dict:
    return ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()


def header(text: str) -> dict:
    return HeaderBlock(text=text[:HEADER_LIMIT]).to_dict()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notice(text: str) -> Reply:
    """A short ephemeral answer: a refusal, a confirmation, an apology. `text` must already be safe."""
    return Reply(text=text, blocks=[section(text)])


APOLOGY = notice(
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment; "
    "if it keeps happening, let whoever runs LP Bot know."
)
