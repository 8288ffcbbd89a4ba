"""Reading Block Kit back as text, for assertions."""

from __future__ import annotations


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


def fill_modal(view: dict, **answers) -> dict:
    """The view as Slack returns it on submit, filled the way a person fills it.

    `answers` maps an input block's block_id to the value chosen: a list of user IDs for a
    users select, an option value for a static select, a channel ID, or text.
    """
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        state = {"type": element["type"]}
        answer = answers.get(block["block_id"])
        if element["type"] == "multi_users_select":
            state["selected_users"] = answer if answer is not None else element.get("initial_users", [])
        elif element["type"] == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == answer), element.get("initial_option"))
            state["selected_option"] = chosen
        elif element["type"] == "conversations_select":
            state["selected_conversation"] = answer if answer is not None else element.get("initial_conversation")
        else:
            state["value"] = answer
        values[block["block_id"]] = {element["action_id"]: state}
    return {**view, "id": view.get("id", "V0TEST"), "state": {"values": values}}
