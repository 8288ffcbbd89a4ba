"""manifest.yml is the single source of what the app asks Slack for; keep it in step with the code."""

import importlib
import re
from pathlib import Path

import pytest
import yaml

from bot.doctor import BOT_SCOPES

ROOT = Path(__file__).resolve().parent.parent
LISTENER_MODULES = sorted((ROOT / "bot" / "listeners").glob("*.py"))
DECORATOR = re.compile(r"@app\.(command|event|action|shortcut|view)\((.+)\)\s*$", re.MULTILINE)
# The bot scopes each Web API method needs; methods absent here need none beyond the token.
METHOD_SCOPES = {
    "chat_postMessage": ("chat:write",),
    "chat_postEphemeral": ("chat:write",),
    "chat_update": ("chat:write",),
    "conversations_open": ("im:write",),
    "users_info": ("users:read",),
    "conversations_info": ("channels:read", "groups:read"),
    "conversations_history": ("channels:history", "groups:history"),
    "team_info": ("team:read",),
    "conversations_members": ("channels:read", "groups:read"),
    "usergroups_users_list": ("usergroups:read",),
    "usergroups_list": ("usergroups:read",),
    "reactions_add": ("reactions:write",),
    "files_upload_v2": ("files:write",),
}
# The scopes each event needs; "message" arrives as message.channels and message.groups.
EVENT_SCOPES = {
    "reaction_added": ("reactions:read",),
    "reaction_removed": ("reactions:read",),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
}
SUBSCRIBED_AS = {"message": {"message.channels", "message.groups"}}


@pytest.fixture(scope="module")
def manifest():
    try:
        loaded = yaml.safe_load((ROOT / "manifest.yml").read_text())
    except yaml.YAMLError as error:
        pytest.fail(f"manifest.yml is not valid YAML, so Slack would refuse it: {error}")
    if not isinstance(loaded, dict) or "oauth_config" not in loaded or "features" not in loaded:
        pytest.fail("manifest.yml lost its features or oauth_config section; compare it with git history")
    return loaded


def registered(kind: str) -> set[str]:
    """Every ID the listeners register for `kind`, with constants resolved in their module."""
    found = set()
    for path in LISTENER_MODULES:
        module = importlib.import_module(f"bot.listeners.{path.stem}")
        for decorator_kind, argument in DECORATOR.findall(path.read_text()):
            if decorator_kind == kind:
                found.add(eval(argument.split(",")[0], vars(module)))  # noqa: S307 - our own source
    return found


def test_slash_command(manifest):
    (command,) = manifest["features"]["slash_commands"]
    assert {command["command"]} == registered("command")
    assert command["should_escape"] is True
    assert command["usage_hint"]


def test_modes_and_surfaces(manifest):
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_every_event_handled_is_subscribed(manifest):
    handled = {name for event in registered("event") for name in SUBSCRIBED_AS.get(event, {event})}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == handled


def test_every_shortcut_is_declared(manifest):
    declared = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert declared == registered("shortcut")


def test_only_the_scopes_the_code_uses(manifest):
    source = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py") if p.name != "console_slack.py")
    used = {scope for method, scopes in METHOD_SCOPES.items() if re.search(rf"\.{method}\(", source) for scope in scopes}
    used |= {scope for event in manifest["settings"]["event_subscriptions"]["bot_events"] for scope in EVENT_SCOPES.get(event, ())}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == used | {"commands"}
    # ...and `lpbot doctor` checks a workspace for exactly those.
    assert set(BOT_SCOPES) == used | {"commands"}
