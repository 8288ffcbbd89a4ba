"""What the console prints: Slack's messages, views and mrkdwn as a terminal shows them."""

from __future__ import annotations

import html
import json
import re

from bot.slack.terms import CHANNEL_MENTION, USER_MENTION


def render_mrkdwn(text: str, names: dict[str, str]) -> str:
    """Slack mrkdwn as a terminal shows it: mentions by name, links spelled out, entities decoded."""
    text = USER_MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = CHANNEL_MENTION.sub(lambda m: "#" + (m.group(2) or names.get(m.group(1), m.group(1))), text)
    text = re.sub(r"<!(here|channel|everyone)>", r"@\1", text)
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return html.unescape(text)


def render_blocks(blocks: list[dict], names: dict[str, str], buttons: list[dict]) -> list[str]:
    """Lines of text for a list of blocks; buttons are numbered and appended to `buttons`."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block.get("text", {}).get("text", "")
            lines += [title, "=" * min(len(title), 60)]
        elif kind == "section":
            if block.get("text"):
                lines += render_mrkdwn(block["text"].get("text", ""), names).splitlines()
            for field in block.get("fields", []):
                lines.append(render_mrkdwn(field.get("text", ""), names))
        elif kind == "context":
            parts = [render_mrkdwn(e.get("text", ""), names) for e in block.get("elements", []) if "text" in e]
            lines.append("  " + " · ".join(parts))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            labels = []
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    buttons.append(element)
                    labels.append(f"[{len(buttons)}: {element['text']['text']}]")
                elif element.get("type") in ("static_select", "external_select"):
                    labels.append(f"[{element.get('placeholder', {}).get('text', 'menu')} :pick <principle>]")
            lines.append(" ".join(labels))
        elif kind == "input":
            lines.append(_input_line(block, names))
    return lines


def _input_line(block: dict, names: dict[str, str]) -> str:
    """An input as the modal shows it: its label, what is already filled in, and whether it may stay empty."""
    label = block.get("label", {}).get("text", "input")
    element = block.get("element", {})
    shown = [
        *("@" + names.get(user, user) for user in element.get("initial_users", ())),
        *(option["text"]["text"] for option in element.get("initial_options", ())),
        *([element["initial_option"]["text"]["text"]] if element.get("initial_option") else []),
        *(["#" + names.get(channel, channel)] if (channel := element.get("initial_conversation")) else []),
        *([element["initial_value"]] if element.get("initial_value") else []),
    ]
    value = ", ".join(shown) if shown else "(empty)"
    return f"{label}: {value}" + ("" if block.get("optional") else "  [required]")


def fill_in_hint(view: dict) -> str:
    """How to fill in this modal with :submit; the channel part is shown as needed when the modal needs it."""
    channel = next((b for b in view.get("blocks", []) if b.get("block_id") == "channel"), None)
    needed = channel is not None and not channel.get("optional") and not channel.get("element", {}).get("initial_conversation")
    where = " | #channel" if needed else " [| #channel]"
    return f":submit @who [@who …] [@group] | principle | why{where}"


def render_call(call, names: dict[str, str], buttons: list[dict]) -> str:
    params = call.params
    if call.method == "functions.completeSuccess":
        outputs = json.loads(params["outputs"]) if isinstance(params.get("outputs"), str) else params.get("outputs") or {}
        return "── Workflow step done ──\n" + "\n".join(f"{name}: {value}" for name, value in outputs.items())
    if call.method == "functions.completeError":
        return f"── Workflow step failed ──\n{params.get('error', '')}"
    if call.method == "reactions.add":
        return f"── LP Bot reacted :{params.get('name')}: to that message ──"
    if call.method in ("views.publish", "views.open"):
        view = params.get("view") or {}
        where = {"views.publish": "App Home", "views.open": "Modal"}[call.method]
        title = (view.get("title") or {}).get("text", "")
        body = render_blocks(view.get("blocks", []), names, buttons)
        if call.method == "views.open":
            body.append(f"Fill it in: {fill_in_hint(view)}")
        heading = f"── {where}{': ' + title if title else ''} ──"
    else:
        if call.method == "response_url":
            visibility = "everyone in the channel" if params.get("response_type") == "in_channel" else "only you"
            heading = f"── LP Bot (visible to {visibility}) ──"
        elif call.method == "chat.postEphemeral":
            heading = f"── LP Bot in #{names.get(params.get('channel', ''), params.get('channel', ''))} (visible to only you) ──"
        else:
            channel = params.get("channel", "")
            # The bot DMs people by posting to their user ID.
            place = f"DM to {names.get(channel, channel)}" if channel.startswith(("U", "W")) else "#" + names.get(channel, channel)
            thread = ", in the message's thread" if params.get("thread_ts") else ""
            heading = f"── LP Bot in {place}{thread} ──"
        body = render_blocks(params.get("blocks") or [], names, buttons) or [render_mrkdwn(params.get("text", ""), names)]
    return "\n".join([heading, *body])
