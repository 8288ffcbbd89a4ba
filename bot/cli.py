"""The `lpbot` command: run the bot in the mode its settings call for, or the local console."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import IO, Mapping, Sequence

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError

from bot.app import build_services, create_app
from bot.console import run_console
from bot.logs import configure_logging
from bot.server import HttpServer
from bot.settings import ConfigError, Settings, load_settings
from principles import CatalogError
from storage import StorageError

log = logging.getLogger("lpbot")

EPILOG = """\
examples:
  lpbot                      run in the mode the environment calls for (the console when no tokens are set)
  lpbot console              the local console, with Slack played by a stand-in
  echo "/lp 7" | lpbot console   one scripted command
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lpbot",
        description="LP Bot: your team's principles in Slack.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot (Socket Mode, HTTP mode or the console, from the environment)",
        description="Socket Mode with SLACK_BOT_TOKEN and SLACK_APP_TOKEN; HTTP mode with SLACK_BOT_TOKEN "
        "and SLACK_SIGNING_SECRET; otherwise the local console.",
    )
    commands.add_parser(
        "console",
        help="talk to the real bot locally, Slack played by a stand-in",
        description="Type /lp commands as a demo user, or pipe them in one per line.",
        epilog="example:\n  printf '/lp list\\n/lp 7\\n' | lpbot console",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    env = os.environ if env is None else env
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    try:
        settings = load_settings(env)
        configure_logging(settings.log_level, (settings.signing_secret or "",))
        if args.command == "console" or settings.mode == "console":
            return run_console(settings, stdin, stdout)
        return _run(settings)
    except (ConfigError, CatalogError, StorageError) as error:
        print(f"lpbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _run(settings: Settings) -> int:
    services = build_services(settings)
    try:
        app = create_app(settings, services)
    except BoltError as error:
        # Bolt checks the bot token with auth.test while it builds the app.
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({_reason(error)}); copy it again from OAuth & Permissions") from None
    if settings.mode == "socket":
        log.info("starting in Socket Mode")
        SocketModeHandler(app, settings.app_token).start()
    else:
        server = HttpServer(app, services, host=settings.host, port=settings.port)
        log.info("starting in HTTP mode on %s", server.url)
        server.serve_forever()
    return 0


def _reason(error: Exception) -> str:
    text = str(error)
    for known in ("invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"):
        if known in text:
            return known
    return "the token check failed"


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())
