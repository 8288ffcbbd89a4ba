"""Reading back what the bot did, for assertions: Block Kit as text, kudos as stored."""

from __future__ import annotations

from storage import kudos as kudos_store


def block_text(message: dict) -> str:
    """All the human-readable text in a message or view, blocks and fallback alike."""
    parts = [message.get("text", "")]
    for block in message.get("blocks") or []:
        parts.append(_texts(block))
    return "\n".join(p for p in parts if p)


def _texts(node) -> str:
    if isinstance(node, dict):
        return "\n".join(
            [node["text"] if isinstance(node.get("text"), str) else ""]
            + [_texts(v) for k, v in node.items() if k != "text" or not isinstance(v, str)]
        ).strip()
    if isinstance(node, list):
        return "\n".join(_texts(n) for n in node).strip()
    return ""


def buttons(message: dict) -> list[dict]:
    return [e for b in message.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]]


def field(view: dict, block_id: str) -> dict:
    """The input block of a modal with this block_id."""
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def stored(services) -> list[dict]:
    """Every kudos in the test's database, as `lpbot export` writes them (one row per recipient)."""
    return list(kudos_store.export_rows(services.store.db))
