"""The Slack app manifest for each way of running LP Bot: Socket Mode (the shipped manifest.yml),
HTTP mode with its request URLs, OAuth with its redirect URL, and an org-wide install. `lpbot manifest`
prints it; tests/test_manifest.py holds every mode to Slack's published manifest limits and keeps
manifest.yml equal to the Socket Mode output."""

from __future__ import annotations

from urllib.parse import urlsplit

# Up to "oauth_config:": the same in every mode.
_TOP = """# Create the Slack app from this file: api.slack.com/apps -> Create New App -> From a manifest.
# It asks for exactly what LP Bot uses; tests/test_manifest.py keeps the two in step.
display_information:
  name: LP Bot
  description: Your team's principles in everyday work, with principle-tagged kudos.
  background_color: "#1d3557"
features:
  app_home:
    home_tab_enabled: true
    # Kudos notifications arrive as DMs from the app; people read them here but cannot reply.
    messages_tab_enabled: true
    messages_tab_read_only_enabled: true
  bot_user:
    display_name: LP Bot
    always_online: true
  shortcuts:
    - name: Give kudos
      type: global
      callback_id: give_kudos
      description: Recognise someone for living one of the principles
    - name: Kudos for this message
      type: message
      callback_id: give_kudos_for_message
      description: Thank the author of this message for a principle
  slash_commands:
    - command: /lp
      description: Principles, kudos and leaderboards
      usage_hint: "[principle] | list | search <words> | kudos @someone <principle> <why> | help"
      should_escape: true
"""
_SCOPES = """  scopes:
    bot:
      - commands
      - chat:write
      - users:read
      # channels:read and groups:read let `lpbot doctor` check the bot is in each scheduled channel.
      - channels:read
      - groups:read
      # After a weekly post timed out, LP Bot reads the channel to see whether it went out
      # before trying again, so the week still gets exactly one post.
      # They also let LP Bot read kudos written into messages (`@sam :clap: #ownership thanks for …`).
      # An admin who will not grant them drops these two lines, the two message events below, and
      # sets LPBOT_INLINE_KUDOS=off; everything else keeps working (`lpbot doctor` says what is on).
      - channels:history
      - groups:history
      # Reacting with the kudos emoji to someone's message starts a kudos. Optional: drop this line
      # and the two reaction events below to do without.
      - reactions:read
      # Only for LPBOT_INLINE_REPLY=reaction (answering an inline kudos with an emoji). Optional.
      - reactions:write
      # /lp insights and the monthly digest send their chart as a picture: into the channel, or into
      # the app's DM with whoever asked (im:write opens that DM). Optional: without them the figures
      # come in words only.
      - files:write
      - im:write
      # Kudos for a whole @group, and leaderboards for a group. Optional: without it, people are
      # mentioned one by one and boards cover the workspace or a channel.
      - usergroups:read
"""
_EVENTS = """  event_subscriptions:
    bot_events:
      - app_home_opened
      - reaction_added
      - reaction_removed
      - message.channels
      - message.groups
      # A channel that gets a new ID (as when it is converted) keeps its kudos under the new one.
      - channel_id_changed
"""


# The Workflow Builder step (bot/listeners/functions.py answers it). Custom steps need an org-ready app
# (settings.org_deploy_enabled) installed at the organisation level, so only the --org manifest has it.
_FUNCTIONS = """functions:
  give_kudos:
    title: Give kudos for a principle
    description: Recognise people for living one of your principles, as /lp kudos does
    input_parameters:
      properties:
        giver:
          type: slack#/types/user_id
          title: Giver
          description: Who is giving the kudos; usually the person who used this workflow
        recipients:
          type: array
          items:
            type: slack#/types/user_id
          title: Recipients
          description: The people to thank
        principle:
          type: string
          title: Principle
          description: Its number, name or alias, as in /lp kudos (for example ownership)
        why:
          type: string
          title: Why
          description: What they did, in a sentence
        channel:
          type: slack#/types/channel_id
          title: Channel
          description: Where to thank them in public; without one the kudos is recorded and DMed only
      required:
        - giver
        - recipients
        - principle
        - why
    output_parameters:
      properties:
        kudos_id:
          type: string
          title: Kudos ID
          description: The kudos as LP Bot stored it
        link:
          type: string
          title: Thank-you link
          description: The public thank-you, when it was posted in a channel
      required:
        - kudos_id
"""


class ManifestError(ValueError):
    """A base URL Slack would refuse; the message says what to give."""


def manifest(*, http: str | None = None, oauth: bool = False, org: bool = False) -> str:
    """The manifest as YAML text. `http`: the public HTTPS base URL LP Bot answers on (HTTP mode);
    `oauth`: distribution through /slack/install (needs `http`); `org`: deployable org-wide on Enterprise Grid."""
    if oauth and not http:
        raise ManifestError("--oauth needs --http: Slack sends people back to the bot's own /slack/oauth_redirect")
    base = _base(http) if http else None
    top, events, interactivity = _TOP, _EVENTS, "  interactivity:\n    is_enabled: true\n"
    oauth_config = "oauth_config:\n"
    if base:
        # HTTP mode: the slash command, the events and the clicks all come to the one endpoint.
        url = f"{base}/slack/events"
        top = top.replace("      should_escape: true\n", f"      should_escape: true\n      url: {url}\n")
        events = events.replace("  event_subscriptions:\n", f"  event_subscriptions:\n    request_url: {url}\n")
        interactivity += f"    request_url: {url}\n"
    if oauth:
        oauth_config += f"  redirect_urls:\n    - {base}/slack/oauth_redirect\n"
    # Bolt apps run their own steps: Slack sends function_executed to the bot (a "remote" runtime).
    runtime = "  function_runtime: remote\n" if org else ""
    rest = (
        runtime + f"  org_deploy_enabled: {'true' if org else 'false'}\n"
        f"  socket_mode_enabled: {'false' if base else 'true'}\n"
        "  token_rotation_enabled: false\n"
    )
    functions = _FUNCTIONS if org else ""
    if org:
        # An org-wide install hears which workspaces the organisation grants it, and takes back.
        events = events.replace(
            "      - channel_id_changed\n", "      - channel_id_changed\n      - team_access_granted\n      - team_access_revoked\n"
        )
    return top + oauth_config + _SCOPES + "settings:\n" + events + interactivity + rest + functions


def _base(url: str) -> str:
    parts = urlsplit(url)
    # Slack's manifest schema takes request URLs matching ^https?:// ; Slack itself calls only HTTPS.
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ManifestError(f"--http must be the bot's public HTTPS address, like https://lpbot.example.com (got {url!r})")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"
