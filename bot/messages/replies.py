"""What a listener sends: `Reply`, `Upload`, `Answer`, and the short `notice`; a leaf."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A message: fallback text (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    response_type: str = "ephemeral"

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks, "response_type": self.response_type}


@dataclass(frozen=True)
class Upload:
    """A picture to send as a file: into the channel when `public`, else into a DM with the asker."""

    image: bytes
    filename: str
    title: str
    alt_text: str
    public: bool = False


@dataclass(frozen=True)
class Answer:
    """Replies to send through the response_url, in order, DMs to send to (user, reply), and pictures."""

    replies: list[Reply]
    dms: list[tuple[str, Reply]] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    # Public messages to change: (where a kudos was thanked, what it says now), e.g. after /lp undo.
    edits: list[tuple[Any, Reply]] = field(default_factory=list)
