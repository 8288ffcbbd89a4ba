"""manifest.yml is the single source of what the app asks Slack for; keep it in step with the code."""

import copy
import importlib
import re
from pathlib import Path

import pytest
import yaml

from bot.ops.doctor import BOT_SCOPES

ROOT = Path(__file__).resolve().parent.parent
LISTENER_MODULES = sorted((ROOT / "bot" / "listeners").glob("*.py"))
DECORATOR = re.compile(r"@app\.(command|event|action|shortcut|view|function)\((.+)\)\s*$", re.MULTILINE)
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
    "channel_id_changed": ("channels:read",),
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
                found.add(eval(argument.split(",")[0], vars(module)))  # our own source, read as Python
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


# Slack sends these to org-wide installs only (Events API: team_access_granted, team_access_revoked).
ORG_ONLY_EVENTS = {"team_access_granted", "team_access_revoked"}


def test_every_event_handled_is_subscribed(manifest):
    from bot.ops.manifest import manifest as app_manifest

    handled = {name for event in registered("event") for name in SUBSCRIBED_AS.get(event, {event})}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == handled - ORG_ONLY_EVENTS
    assert set(yaml.safe_load(app_manifest(org=True))["settings"]["event_subscriptions"]["bot_events"]) == handled


def test_every_shortcut_is_declared(manifest):
    declared = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert declared == registered("shortcut")


def test_only_the_scopes_the_code_uses(manifest):
    source = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py") if p.name != "stand_in.py")
    used = {scope for method, scopes in METHOD_SCOPES.items() if re.search(rf"\.{method}\(", source) for scope in scopes}
    used |= {scope for event in manifest["settings"]["event_subscriptions"]["bot_events"] for scope in EVENT_SCOPES.get(event, ())}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == used | {"commands"}
    # ...and `lpbot doctor` checks a workspace for exactly those.
    assert set(BOT_SCOPES) == used | {"commands"}


# Slack's published manifest limits, as facts: slackapi/manifest-schema, schemas/manifest.schema.1.0.0.json
# (the schema "Create New App -> From a manifest" validates against). Each entry: where in the manifest,
# then minLength/maxLength for text, minItems/maxItems for lists, and a pattern where the schema has one.
MANIFEST_LIMITS: dict[str, dict] = {
    "display_information.name": {"minLength": 1, "maxLength": 35},
    "display_information.description": {"minLength": 1, "maxLength": 140},
    "display_information.background_color": {"minLength": 4, "maxLength": 7, "pattern": r"^#[0-9a-fA-F]{3,6}$"},
    "display_information.long_description": {"minLength": 175, "maxLength": 4000},
    "features.bot_user.display_name": {"minLength": 1, "maxLength": 80},
    "features.shortcuts": {"minItems": 1, "maxItems": 10},
    "features.shortcuts[].name": {"minLength": 1, "maxLength": 24},
    "features.shortcuts[].callback_id": {"minLength": 1, "maxLength": 255},
    "features.shortcuts[].description": {"minLength": 1, "maxLength": 150},
    "features.shortcuts[].type": {"enum": ("message", "global")},
    "features.slash_commands": {"minItems": 1, "maxItems": 50},
    "features.slash_commands[].command": {"minLength": 2, "maxLength": 32, "pattern": r"^/"},
    "features.slash_commands[].description": {"minLength": 1, "maxLength": 2000},
    "features.slash_commands[].usage_hint": {"minLength": 1, "maxLength": 1000},
    "features.slash_commands[].url": {"maxLength": 3000, "pattern": r"^https?://"},
    "oauth_config.redirect_urls": {"maxItems": 1000},
    "oauth_config.redirect_urls[]": {"maxLength": 2500},
    "oauth_config.scopes.bot": {"maxItems": 255},
    "oauth_config.scopes.bot[]": {"maxLength": 50, "pattern": r"^[a-z]+(\.[a-z]+)?(:[a-z_.]+)*$"},
    "settings.event_subscriptions.request_url": {"maxLength": 3500, "pattern": r"^https?://"},
    "settings.event_subscriptions.bot_events": {"maxItems": 100},
    "settings.event_subscriptions.bot_events[]": {"maxLength": 50, "pattern": r"^[a-z_]+(\.[a-z_]+)?$"},
    "settings.interactivity.request_url": {"maxLength": 3500, "pattern": r"^https?://"},
}
# A custom step's parameter types: the schema's enum for "slack-functions.parameter" (the same file).
FUNCTION_PARAMETER_TYPES = {
    "integer", "number", "boolean", "string", "object", "array", "slack#/types/user_context", "slack#/types/user_permission",
    "slack#/types/user_id", "slack#/types/channel_id", "slack#/types/usergroup_id", "slack#/types/timestamp", "slack#/types/blocks",
    "slack#/types/credential/oauth2", "slack#/types/date", "slack#/types/interactivity", "slack#/types/rich_text",
    "slack#/types/form_input", "slack#/types/form_input_object", "slack#/types/message_ts", "slack#/types/message_context",
}  # fmt: skip
# The schema's "app-manifests.v1.hermes.functions": at most 50, each with these four.
FUNCTION_REQUIRED = ("title", "description", "input_parameters", "output_parameters")
# Slack's manifest requires these (the schema's "required" lists).
MANIFEST_REQUIRED = {
    "": ("display_information",),
    "display_information": ("name",),
    "features.bot_user": ("display_name",),
    "features.shortcuts[]": ("name", "type", "callback_id", "description"),
    "features.slash_commands[]": ("command", "description"),
    "settings.interactivity": ("is_enabled",),
}


def values_at(document, path: str) -> list:
    """Every value at a dotted path; `[]` steps into each item of a list. Missing parts yield nothing."""
    found = [document]
    for part in filter(None, path.split(".")):
        each = part.endswith("[]")
        key = part.removesuffix("[]")
        found = [item[key] for item in found if isinstance(item, dict) and key in item]
        if each:
            found = [element for item in found if isinstance(item, list) for element in item]
    return found


def manifest_problems(document: dict) -> list[str]:
    problems = []
    for path, limits in MANIFEST_LIMITS.items():
        for value in values_at(document, path):
            size = len(value)
            if "minLength" in limits and size < limits["minLength"] or "minItems" in limits and size < limits["minItems"]:
                problems.append(f"{path} is shorter than Slack allows ({size})")
            if "maxLength" in limits and size > limits["maxLength"] or "maxItems" in limits and size > limits["maxItems"]:
                problems.append(f"{path} is longer than Slack allows ({size}): {value!r}")
            if "pattern" in limits and not re.search(limits["pattern"], value):
                problems.append(f"{path} does not match Slack's pattern: {value!r}")
            if "enum" in limits and value not in limits["enum"]:
                problems.append(f"{path} is not one of {limits['enum']}: {value!r}")
    for path, keys in MANIFEST_REQUIRED.items():
        for value in values_at(document, path) if path else [document]:
            problems += [f"{path or 'the manifest'} lacks {key}" for key in keys if key not in value]
    return problems


def test_the_manifest_keeps_within_slacks_published_limits(manifest):
    assert manifest_problems(manifest) == []


def test_the_limits_check_refuses_what_slack_refuses(manifest):
    too_long = copy.deepcopy(manifest)
    too_long["features"]["shortcuts"][1]["name"] = "Give kudos for this message"  # 27 characters
    assert manifest_problems(too_long) == ["features.shortcuts[].name is longer than Slack allows (27): 'Give kudos for this message'"]


def test_the_shipped_manifest_is_the_socket_mode_output():
    from bot.ops.manifest import manifest as app_manifest

    assert (ROOT / "manifest.yml").read_text() == app_manifest()


@pytest.mark.parametrize(
    "mode", [{}, {"http": "https://lpbot.example.com"}, {"http": "https://lpbot.example.com/", "oauth": True, "org": True}]
)
def test_every_mode_keeps_within_slacks_limits(mode):
    from bot.ops.manifest import manifest as app_manifest

    document = yaml.safe_load(app_manifest(**mode))
    assert manifest_problems(document) == []
    settings = document["settings"]
    assert settings["socket_mode_enabled"] is ("http" not in mode)
    assert settings["org_deploy_enabled"] is bool(mode.get("org"))
    if "http" in mode:
        events = "https://lpbot.example.com/slack/events"
        assert settings["event_subscriptions"]["request_url"] == settings["interactivity"]["request_url"] == events
        assert document["features"]["slash_commands"][0]["url"] == events
    if mode.get("oauth"):
        assert document["oauth_config"]["redirect_urls"] == ["https://lpbot.example.com/slack/oauth_redirect"]


def test_lpbot_manifest_prints_it_and_refuses_a_url_slack_would(capsys):
    import io

    from bot import cli
    from bot.ops.manifest import manifest as app_manifest

    out = io.StringIO()
    assert cli.main(["manifest", "--http", "https://lpbot.example.com"], env={}, stdout=out) == 0
    assert out.getvalue() == app_manifest(http="https://lpbot.example.com")
    assert cli.main(["manifest", "--oauth"], env={}, stdout=io.StringIO()) == 2
    assert capsys.readouterr().err.strip().endswith("--oauth needs --http: Slack sends people back to the bot's own /slack/oauth_redirect")


def test_the_workflow_step_is_in_the_org_manifest_only_and_matches_its_listener():
    from bot.ops.manifest import manifest as app_manifest

    assert "functions" not in yaml.safe_load(app_manifest())
    assert "functions" not in yaml.safe_load(app_manifest(http="https://lpbot.example.com"))
    org = yaml.safe_load(app_manifest(org=True))
    # Custom steps need an org-ready app whose steps run in the app itself (Slack's custom steps for Bolt guide).
    assert (org["settings"]["org_deploy_enabled"], org["settings"]["function_runtime"]) == (True, "remote")
    functions = org["functions"]
    assert set(functions) == registered("function") and len(functions) <= 50
    for definition in functions.values():
        assert all(definition.get(key) for key in FUNCTION_REQUIRED)
        for side in ("input_parameters", "output_parameters"):
            parameters = definition[side]["properties"]
            assert set(definition[side]["required"]) <= set(parameters)
            for parameter in parameters.values():
                assert parameter["type"] in FUNCTION_PARAMETER_TYPES and parameter["title"] and parameter["description"]
                if parameter["type"] == "array":
                    assert parameter["items"]["type"] in FUNCTION_PARAMETER_TYPES
    # What the listener reads is what the manifest declares.
    step = functions["give_kudos"]
    assert set(step["input_parameters"]["properties"]) == {"giver", "recipients", "principle", "why", "channel"}
    assert set(step["output_parameters"]["properties"]) == {"kudos_id", "link"}
