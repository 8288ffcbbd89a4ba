"""The `lpbot` command: run the bot in the mode its settings call for, or the local console."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError

from bot.app import SLACK_API_URL, build_services, create_app, web_client
from bot.console.session import run_console
from bot.insights import digest, figures, gather
from bot.ops import doctor, importing, replication
from bot.ops.logs import configure_logging, scrub, secrets_in
from bot.ops.manifest import ManifestError
from bot.ops.manifest import manifest as app_manifest
from bot.ops.server import HttpServer
from bot.ops.startup import SlackUnavailable, wait_for_slack
from bot.scheduler import NOT_POSTED, Scheduler
from bot.settings import ConfigError, Settings, load_settings, unknown_variables
from bot.slack import places
from bot.slack.terms import TOKEN_REFUSALS, checked_user_id
from bot.slack.workspaces import oauth_database
from bot.weekly import poster
from principles import CatalogError, load_catalog
from storage import StorageError, Store
from storage import insights as insights_store
from storage import kudos as kudos_store
from storage import weekly as weekly_store

log = logging.getLogger("lpbot")

EPILOG = """\
examples:
  lpbot                          run in the mode the environment calls for (the console when no tokens are set)
  lpbot console                  the local console, with Slack played by a stand-in
  echo "/lp 7" | lpbot console   one scripted command
  lpbot export kudos --format json --since 2026-01-01
  lpbot backup backup.db
  lpbot forget U0123ABCD
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
        "and SLACK_SIGNING_SECRET; otherwise the local console. SIGTERM or Ctrl-C stops it cleanly.",
        epilog="examples:\n  SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-... lpbot run\n"
        "  SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... PORT=8080 lpbot run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    console_ = commands.add_parser(
        "console",
        help="talk to the real bot locally, Slack played by a stand-in",
        description="Type /lp commands as a demo user, or pipe them in one per line. Its database is data/console.db "
        "(unless LPBOT_DB names one) and its log lines go to console.log beside it, so they stay out of the replies.",
        epilog="example:\n  printf '/lp list\\n/lp 7\\n' | lpbot console",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    console_.add_argument("--verbose", action="store_true", help="print the bot's log lines among the replies instead")
    export = commands.add_parser(
        "export",
        help="write kudos to stdout as CSV or JSON",
        description="One record per (kudos, recipient): id, created_at (ISO 8601, UTC), team_id, channel_id, "
        "visibility (public, private, dm, none, unknown), giver_id, recipient_id, principle (the slug), reason.",
        epilog="examples:\n  lpbot export kudos --format csv > kudos.csv\n  lpbot export kudos --format json --since 2026-01-01",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("what", choices=["kudos", "weekly"], help="what to export: kudos, or the principles of the week that were posted")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--since", type=_since, help="only kudos given on or after this date or time (UTC unless it says)")
    importing_ = commands.add_parser(
        "import",
        help="read kudos back from a file `lpbot export kudos` (or another tool) wrote",
        description="The records export writes (CSV with a header, or a JSON list): every record is checked first and "
        "nothing is written if any is wrong; all of them go in one transaction, safely beside a running bot; a kudos "
        "already stored (the same file imported twice) is stored once.",
        epilog="examples:\n  lpbot import kudos kudos.csv\n  lpbot import kudos old-tool.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing_.add_argument("what", choices=["kudos", "weekly"], help="what to import: kudos, or posted principles of the week")
    importing_.add_argument("path", help="the CSV or JSON file")
    importing_.add_argument("--format", choices=["csv", "json"], help="the file's format (by default, from its name: .json or CSV)")
    backup = commands.add_parser(
        "backup",
        help="copy the live database safely to a new file",
        description="Uses SQLite's online backup, so it is safe while the bot runs.",
        epilog="example:\n  lpbot backup backups/lpbot-$(date +%F).db",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument("path", help="the new file to write (must not exist)")
    forget = commands.add_parser(
        "forget",
        help="remove a person from all kudos, given and received",
        description="Deletes the kudos they gave, removes them from kudos they received (a kudos left with "
        "nobody to thank goes too), replaces mentions of them in reasons, and drops their settings.",
        epilog="examples:\n  lpbot forget U0123ABCD        (asks first)\n  lpbot forget U0123ABCD --yes  (for scripts)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    forget.add_argument("user_id", type=_user_id, help="the Slack user ID, e.g. U0123ABCD")
    forget.add_argument("--yes", action="store_true", help="do not ask: for scripts")
    weekly_cmd = commands.add_parser(
        "weekly",
        help="post the weekly principles due at a moment, then exit (for cron)",
        description="Posts every weekly principle that is due at --as-of (default: now) and not yet posted. "
        "Safe to run as often as you like: each channel gets one post a week.",
        epilog="examples:\n  lpbot weekly\n  lpbot weekly --as-of 2026-11-30T09:00:00+01:00",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    weekly_cmd.add_argument("--as-of", type=_since, help="the moment to act as, ISO 8601 (UTC unless it says)")
    digest_cmd = commands.add_parser(
        "digest",
        help="post the monthly culture digests due at a moment, then exit (for cron)",
        description="Posts every monthly digest that is due at --as-of (default: now) and not yet posted. "
        "Safe to run as often as you like: each channel gets one digest a month.",
        epilog="examples:\n  lpbot digest\n  lpbot digest --as-of 2026-12-01T09:00:00+01:00",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    digest_cmd.add_argument("--as-of", type=_since, help="the moment to act as, ISO 8601 (UTC unless it says)")
    commands.add_parser(
        "doctor",
        help="check the configuration against Slack: token, scopes, channels, database",
        description="Prints one line per finding and exits 1 if any check fails.",
        epilog="example:\n  SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-... lpbot doctor",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    insights_cmd = commands.add_parser(
        "insights",
        help="print a team's insights as JSON, for dashboards: totals, reach, blind spots and the nudge effect",
        description="The figures /lp insights puts into words, over the last N weeks (12 unless you say) or since a date.",
        epilog="examples:\n  lpbot insights --format json\n  lpbot insights --format json --weeks 26 --team T0123ABCD\n"
        "  lpbot insights --format json --since 2026-09-01",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    insights_cmd.add_argument("--format", choices=("json",), default="json", help="json (the only format yet)")
    span = insights_cmd.add_mutually_exclusive_group()
    span.add_argument("--weeks", type=int, help=f"the last N calendar weeks, this one included (1 to {figures.MAX_WEEKS})")
    span.add_argument("--since", type=_since, help="from this date (ISO 8601) to now")
    insights_cmd.add_argument("--team", help="the workspace's team ID; needed when the database holds more than one")
    commands.add_parser(
        "health",
        help="exit 0 if the running bot answers /healthz as healthy (for container health checks)",
        description="In HTTP mode asks the bot's own GET /healthz on 127.0.0.1:PORT; Socket Mode has no port to ask, so it passes.",
        epilog="example (Docker):\n  HEALTHCHECK CMD lpbot health",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    manifest_cmd = commands.add_parser(
        "manifest",
        help="print the Slack app manifest for how you run LP Bot (paste it at api.slack.com/apps)",
        description="Socket Mode unless --http is given; the output is always within Slack's published manifest limits.",
        epilog="examples:\n  lpbot manifest\n  lpbot manifest --http https://lpbot.example.com\n"
        "  lpbot manifest --http https://lpbot.example.com --oauth --org",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    manifest_cmd.add_argument("--http", metavar="URL", help="HTTP mode: the bot's public HTTPS address (request URLs end in /slack/events)")
    manifest_cmd.add_argument("--oauth", action="store_true", help="install through OAuth (/slack/install); needs --http")
    manifest_cmd.add_argument("--org", action="store_true", help="let an Enterprise Grid org install it org-wide")
    restore_cmd = commands.add_parser(
        "restore",
        help="bring the database back from its Litestream replica (LPBOT_REPLICA_URL)",
        description="Restores the database from the replica, the latest state or as it was at --timestamp. "
        "It will not replace an existing database unless told to with --force: stop the bot first.",
        epilog="examples:\n  lpbot restore --to ./restored.db\n  lpbot restore --timestamp 2026-11-27T18:00:00Z --force",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore_cmd.add_argument("--timestamp", type=_since, help="the moment to restore to, ISO 8601 (UTC unless it says)")
    restore_cmd.add_argument("--to", type=Path, help="where to write it (default: LPBOT_DB)")
    restore_cmd.add_argument("--force", action="store_true", help="replace a database that exists there")
    return parser


def _since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-01-31 or 2026-01-31T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _user_id(value: str) -> str:
    try:
        return checked_user_id(value.strip().upper())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a Slack user ID like U0123ABCD") from None


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    sleep=time.sleep,
) -> int:
    args = build_parser().parse_args(argv)
    env = os.environ if env is None else env
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    try:
        settings = load_settings(env)
        for line in unknown_variables(env):
            print(line, file=sys.stderr)
        configure_logging(settings.log_level, (settings.signing_secret or "",), settings.log_format, bodies=settings.log_bodies)
        if args.command in ("export", "backup", "forget"):
            _refuse_the_demo(settings)
            return _data_command(args, settings, stdout, stdin)
        if args.command == "import":
            _refuse_the_demo(settings)
            return _import(args, settings, stdout)
        if args.command == "weekly":
            _refuse_the_demo(settings)
            return _weekly(args, settings, stdout)
        if args.command == "digest":
            _refuse_the_demo(settings)
            return _digest(args, settings, stdout)
        if args.command == "health":
            return _health(settings)
        if args.command == "insights":
            return _insights_json(args, settings, stdout)
        if args.command == "manifest":
            try:
                stdout.write(app_manifest(http=args.http, oauth=args.oauth, org=args.org))
            except ManifestError as error:
                print(f"lpbot: {error}", file=sys.stderr)
                return 2
            return 0
        if args.command == "doctor":
            return _doctor(settings, stdout)
        if args.command == "restore":
            code, line = replication.restore(settings, to=args.to, timestamp=args.timestamp, force=args.force)
            print(line, file=stdout if code == 0 else sys.stderr)
            return code
        if args.command == "console" or settings.mode == "console":
            if not env.get("LPBOT_DB"):
                # The demo's team, channels and kudos stay out of the file a real install will use.
                settings = replace(settings, db_path=settings.db_path.with_name(CONSOLE_DB))
            if not getattr(args, "verbose", False):
                settings.db_path.parent.mkdir(parents=True, exist_ok=True)
                log_file = settings.db_path.with_name(CONSOLE_LOG)
                configure_logging(settings.log_level, (), settings.log_format, bodies=settings.log_bodies, file=log_file)
            return run_console(settings, stdin, stdout)
        _refuse_the_demo(settings)
        if settings.replica_url and not env.get(replication.UNDER_LITESTREAM):
            replication.run_under_litestream(settings, ["run"])  # does not return: Litestream runs the bot
        return _run(settings, sleep)
    except (ConfigError, CatalogError, StorageError) as error:
        # Settings may not have loaded, so scrub with whatever secrets the environment holds.
        print(f"lpbot: {scrub(str(error), secrets_in(env))}", file=sys.stderr)
        return 2
    except SlackUnavailable as error:
        print(f"lpbot: {scrub(str(error), secrets_in(env))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _health(settings: Settings) -> int:
    """The mode comes from the same settings the bot runs with, not re-derived from variables."""
    if settings.mode not in ("http", "oauth"):
        return 0
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/healthz", timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"lpbot: /healthz on port {settings.port} did not answer healthy ({error})", file=sys.stderr)
        return 1


def _confirmed(question: str, stdin: IO[str], stdout: IO[str]) -> bool:
    stdout.write(question)
    stdout.flush()
    return stdin.readline().strip().lower() in ("y", "yes")


def _insights_json(args, settings: Settings, stdout: IO[str]) -> int:
    store = Store(settings.db_path).open_read_only()
    try:
        held = insights_store.teams(store.db)
        team = args.team or (held[0] if len(held) == 1 else None)
        if team is None:
            raise ConfigError(f"--team is needed: this database holds kudos for {', '.join(held) or 'no workspace yet'}")
        now = datetime.now(timezone.utc)
        if args.since:
            weeks = max(1, min(figures.MAX_WEEKS, (figures.week_start(now) - figures.week_start(args.since)).days // 7 + 1))
        elif args.weeks is not None:
            if not 1 <= args.weeks <= figures.MAX_WEEKS:
                raise ConfigError(f"--weeks must be from 1 to {figures.MAX_WEEKS}")
            weeks = args.weeks
        else:
            weeks = figures.DEFAULT_WEEKS
        columns = figures.weeks_ending(now, weeks)
        catalog = load_catalog(settings.principles)
        title = f"Kudos by principle, the last {weeks} weeks, to {now:%d %b %Y}"
        until = columns[-1] + timedelta(weeks=1)
        found = gather.gather_insights(store.db, catalog, team, title, columns, columns[0], until, settings.external_on_boards)
    finally:
        store.close()
    json.dump({"team": team, **figures.as_json(found)}, stdout, indent=2, ensure_ascii=False)
    stdout.write("\n")
    return 0


def _refuse_the_demo(settings: Settings) -> None:
    """A database the console made holds its demo workspace, channels and kudos, not a real install's:
    the real modes refuse it with one line, rather than post into the demo's channels and pause."""
    if settings.db_path.is_file() and Store(settings.db_path).made_by_console():
        raise ConfigError(
            f"LPBOT_DB={settings.db_path} is the console's demo database: point LPBOT_DB at another file for the real bot "
            "(the console keeps its own, data/console.db)"
        )


def _run(settings: Settings, sleep=time.sleep) -> int:
    services = build_services(settings)
    stop = threading.Event()
    _stop_on_signals(stop)
    server: HttpServer | None = None
    try:
        if settings.mode != "socket":
            # Listen first, so /healthz can say why the bot is not up yet while it waits for Slack.
            server = HttpServer(None, services, host=settings.host, port=settings.port).start()
        if settings.bot_token:
            api_url = settings.api_url or SLACK_API_URL
            wait_for_slack(settings, api_url, sleep=_interruptible(stop, sleep), report=_note_problem(services))
        app = create_app(settings, services)
    except BoltError as error:
        # Bolt checks the token again while it builds the app; a refusal there is still the token's.
        _abandon(server, services)
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({_reason(error)}); copy it again from OAuth & Permissions") from None
    except BaseException:
        _abandon(server, services)
        raise
    if stop.is_set():
        _abandon(server, services)
        return 0
    keeper = Scheduler(services, [poster.run_due, digest.run_due], None if settings.mode == "oauth" else app.client)
    keeper.start()
    # Kudos stored before visibility was recorded read as private until Slack says where they were given.
    threading.Thread(target=places.settle_unknown, args=(services.store, services.client_for), daemon=True).start()
    if settings.mode == "socket":
        socket_mode = SocketModeHandler(app, settings.app_token, ping_interval=settings.socket_ping_seconds)
        socket_mode.connect()
        log.info("running in Socket Mode")
        stop_taking_work = socket_mode.close
    else:
        assert server is not None  # started above for every mode but Socket Mode
        server.routes.attach(app)
        log.info("running in HTTP mode on port %s", server.port)
        stop_taking_work = server.close
    stop.wait()
    log.info("stopping: finishing the work in hand")
    deadline = time.monotonic() + settings.stop_seconds
    stop_taking_work()
    drained = threading.Thread(target=services.listener_pool.shutdown, daemon=True)
    drained.start()
    drained.join(max(0.0, deadline - time.monotonic()))
    if drained.is_alive():
        # A listener stuck on a slow Slack call must not keep the process past its stop
        # budget; whatever it had stored is committed, what it had not is rolled back.
        log.warning("stopped after %ss with listeners still waiting on Slack", settings.stop_seconds)
        logging.shutdown()
        os._exit(0)
    # A weekly run in progress stops after its current channel; the ledger lets the next start go on.
    keeper.shutdown()
    services.store.close()
    log.info("stopped")
    return 0


def _abandon(server: HttpServer | None, services) -> None:
    if server is not None:
        server.close()
    services.store.close()


def _note_problem(services):
    def report(problem: str | None) -> None:
        services.status.slack_problem = problem

    return report


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`, without the handler ever taking a lock.

    A handler calling stop.set() runs in the main thread, which may hold that very Event's lock at
    that moment (inside stop.wait()); a second signal close behind the first (Ctrl-C reaching both
    Litestream and the bot, which Litestream then forwards) deadlocked the bot there. The handler
    writes a byte to a pipe instead, and a thread sets the event.
    """
    read_end, write_end = os.pipe()

    def relay() -> None:
        os.read(read_end, 1)
        stop.set()

    threading.Thread(target=relay, name="lpbot-signals", daemon=True).start()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: os.write(write_end, b"x"))


def _import(args, settings: Settings, stdout: IO[str]) -> int:
    catalog = load_catalog(settings.principles)
    weekly = args.what == "weekly"
    try:
        read = importing.read_weekly if weekly else importing.read_kudos
        found: list = read(Path(args.path), catalog, args.format)
    except importing.ImportProblems as problems:
        print(f"lpbot: {problems}", file=sys.stderr)
        return 1
    store = Store(settings.db_path).open(create=False)
    try:
        # One transaction under the write lock (BEGIN IMMEDIATE): a running bot's writes wait their turn.
        with store.write() as db:
            added = weekly_store.import_weekly(db, found) if weekly else kudos_store.import_kudos(db, found)
    finally:
        store.close()
    what = "posted weeks" if weekly else "kudos"
    print(f"imported {added} {what} ({len(found) - added} already there) from {args.path}", file=stdout)
    return 0


def _interruptible(stop: threading.Event, sleep):
    """A wait that SIGTERM cuts short: stopping must not wait out Slack's outage."""
    if sleep is not time.sleep:
        return sleep
    return lambda seconds: stop.wait(seconds) and None


def _data_command(args, settings: Settings, stdout: IO[str], stdin: IO[str]) -> int:
    # Reading needs no write access (a restored backup, a read-only mount); none of these creates a database.
    store = Store(settings.db_path)
    store.open(create=False) if args.command == "forget" else store.open_read_only()
    try:
        if args.command == "export":
            weekly = args.what == "weekly"
            rows = weekly_store.export_weekly(store.db) if weekly else kudos_store.export_rows(store.db, args.since)
            columns = weekly_store.WEEKLY_EXPORT_COLUMNS if weekly else kudos_store.EXPORT_COLUMNS
            if args.format == "json":
                json.dump(list(rows), stdout, indent=1, ensure_ascii=False)
                stdout.write("\n")
            else:
                writer = csv.DictWriter(stdout, fieldnames=columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        elif args.command == "backup":
            folder = Path(args.path).parent
            if not folder.is_dir() and not folder.parent.is_dir():
                # One new folder (`backups/`) is made; a typo in a path should not quietly make a tree of them.
                raise ConfigError(f"{folder}: no such folder; create it first, or choose another path")
            store.backup(args.path)
            print(f"Backed up {settings.db_path} to {args.path}", file=sys.stderr)
        elif args.command == "forget":
            if not args.yes and not _confirmed(f"Remove {args.user_id} from every kudos, for good? Type yes: ", stdin, stdout):
                print("lpbot: nothing removed (answer yes, or add --yes)", file=sys.stderr)
                return 1
            with store.write() as db:
                removed = kudos_store.forget_user(db, args.user_id)
            print(
                f"Forgot {args.user_id}: {removed['given']} kudos given deleted, removed from {removed['received']} "
                f"received ({removed['emptied']} left with nobody deleted), {removed['mentions']} reasons reworded",
                file=sys.stderr,
            )
    finally:
        store.close()
    return 0


def _weekly(args, settings: Settings, stdout: IO[str]) -> int:
    def line(outcome, channel: str) -> str:
        return f"{outcome.period} {channel} {outcome.status} {outcome.principle or ''}".rstrip()

    return _post_due(args, settings, stdout, "weekly principles", poster.run_due, line, NOT_POSTED)


def _digest(args, settings: Settings, stdout: IO[str]) -> int:
    def line(outcome, channel: str) -> str:
        return f"{outcome.period} {channel} {outcome.status}"

    return _post_due(args, settings, stdout, "digests", digest.run_due, line, NOT_POSTED)


def _post_due(args, settings: Settings, stdout: IO[str], what: str, run_due, line, not_posted) -> int:
    """`lpbot weekly` and `lpbot digest`: post what is due at --as-of, one line each, for cron."""
    if settings.mode == "console":
        raise ConfigError(f"SLACK_BOT_TOKEN is needed to post {what} (the console has :advance for that)")
    services = build_services(settings, create=False)
    # services.client_for gives each workspace its own token, as in the running bot (OAuth: each installation's).
    try:
        outcomes = run_due(services, None, args.as_of or services.clock())
        names: dict[tuple[str, str], str] = {}
        for outcome in outcomes:
            detail = f" ({outcome.error})" if outcome.error else ""
            print(line(outcome, _channel(services, outcome, names)) + detail, file=stdout)
        if not outcomes:
            print("nothing due", file=stdout)
    finally:
        services.store.close()
    # Cron and CI notice a non-zero exit: any post that did not go out (or may not have) is one.
    return 1 if any(o.status in not_posted for o in outcomes) else 0


def _channel(services, outcome, names: dict[tuple[str, str], str]) -> str:
    """#name for an operator to read, asked of Slack once per channel; the ID where Slack cannot say
    (a channel archived since, a token that stopped working)."""
    key = (outcome.team_id, outcome.channel_id)
    if key not in names:
        client = services.client_for(outcome.team_id)
        name = places.channel_name(client, outcome.channel_id) if client else None
        names[key] = f"#{name} ({outcome.channel_id})" if name else outcome.channel_id
    return names[key]


def _doctor(settings: Settings, stdout: IO[str]) -> int:
    # Doctor looks and changes nothing: a database that does not exist yet is reported, not created.
    store = Store(settings.db_path).open(create=False) if settings.db_path.is_file() else None
    try:
        if settings.mode in ("console", "oauth"):
            # No one workspace's token to try: check everything on this machine, and say what was not checked.
            findings = [*doctor.local(store, settings.db_path), doctor.not_checked(settings.mode)]
        else:
            findings = doctor.check(web_client(settings), store, settings.db_path, settings.inline_reply)
        findings.append(doctor.file_modes(settings.db_path, oauth_database(settings)))
        findings.append(doctor.replication(settings))
    finally:
        if store:
            store.close()
    for finding in findings:
        print(finding, file=stdout)
    return 0 if all(f.ok for f in findings) else 1


def _reason(error: Exception) -> str:
    text = str(error)
    for known in TOKEN_REFUSALS:
        if known in text:
            return known
    return "the token check failed"


#: The console's own database, beside the real one, when LPBOT_DB does not name one.
CONSOLE_DB = "console.db"
#: Where the console's log lines go, beside its database, unless `lpbot console --verbose`.
CONSOLE_LOG = "console.log"


def main_exit() -> None:
    """Console-script entry point. A reader that stops early (`lpbot export kudos | head -5`) closes
    the pipe: that ends the command quietly, as it does for any Unix tool, not with a traceback."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again while flushing stdout at exit; point it at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141  # 128 + SIGPIPE, what a shell reports for a command cut off by its reader
    sys.exit(code)
