"""Running the bot as an operator does: start, health, stop, logs, bad files."""

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from bot import cli
from bot.ops.logs import configure_logging
from tests.slack_stand_in import SlackSender

SECRET = "operations-signing-secret-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, process, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.05)  # polling for the server to come up, not waiting for time to pass
    raise AssertionError("the bot never became healthy")


@pytest.fixture
def running_bot(tmp_path, slack):
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-operations",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
        "LPBOT_HOST": "127.0.0.1",
        "LPBOT_DB": str(tmp_path / "lpbot.db"),
        # A one-second stop budget: the test of the budget waits one second, not the default eight.
        "LPBOT_STOP_SECONDS": "1",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait()


def test_http_mode_reports_health_and_stops_cleanly_on_sigterm(running_bot, slack, tmp_path):
    process, url = running_bot
    report = wait_until_healthy(url, process)
    file_state = report.pop("database_file")
    assert file_state["file"] == "ok" and file_state["writable"] is True and file_state["free_bytes"] > 0
    assert report == {
        "status": "ok",
        "database": "ok",
        "migrations": "applied",
        "scheduler": "running",
        "last_weekly_post": None,
        "replication": {"configured": False},
        "event_worker": "running",  # LPBOT_EVENT_PROCESS is on by default
    }
    sender = SlackSender(url + "/slack/events", SECRET, slack)
    # A slow users.info keeps this kudos in flight: not yet stored, not yet answered.
    slack.delay_next("users.info", 0.3)  # well inside the one-second stop budget
    sent = sender.command("kudos <@U0BOB|bob> ownership for owning the shutdown work")
    assert sent.status == 200
    slack.wait_for_call("users.info")
    # And an inline kudos in the event worker's hands, waiting on Slack for its permalink.
    slack.delay_next("chat.getPermalink", 0.3)
    said, _ = sender.say("<@U0CAROL> :clap: #ownership for the calm handover", user="U0BOB")
    slack.wait_for_call("chat.getPermalink", answered=False)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    # The kudos in flight when the signal came were still stored and answered before the exit.
    assert slack.calls_to("response_url")[0].params["text"] == "Kudos to <@U0BOB> for Ownership"
    (thanks,) = [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == said["ts"]]
    assert thanks["text"] == ":key: <@U0BOB> recognized <@U0CAROL> for *Ownership*."
    exported = subprocess.run(
        [sys.executable, "-m", "bot", "export", "kudos", "--format", "json"],
        env={**os.environ, "LPBOT_DB": str(tmp_path / "lpbot.db")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(row["reason"] for row in json.loads(exported.stdout)) == ["for owning the shutdown work", "for the calm handover"]
    logs = process.stderr.read()
    assert "stopping: finishing the work in hand" in logs and "xoxb-operations" not in logs and SECRET not in logs


def test_a_corrupted_database_is_one_clear_line(tmp_path, capsys):
    db = tmp_path / "lpbot.db"
    db.write_bytes(b"this is not a database, it is a shopping list" * 100)
    assert cli.main(["console"], env={"LPBOT_DB": str(db)}, stdin=io.StringIO("")) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith(f"lpbot: LPBOT_DB={db}: cannot open the database") and "restore" in err
    assert db.read_bytes().startswith(b"this is not a database")  # nothing overwritten


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_logs_never_show_tokens_or_the_secret(log_format):
    stream = io.StringIO()
    configure_logging("DEBUG", ("a-signing-secret-value",), log_format=log_format, stream=stream)
    log = logging.getLogger("lpbot.test")
    try:
        raise RuntimeError("Slack said no to xoxb-1234-5678-abcdef with secret a-signing-secret-value")
    except RuntimeError:
        log.exception("request with Authorization: Bearer xoxp-9999 failed; app token xapp-1-A1-2-3")
    out = stream.getvalue()
    for secret in ("xoxb-1234", "xoxp-9999", "xapp-1-A1", "a-signing-secret-value"):
        assert secret not in out
    assert "RuntimeError" in out and "[redacted]" in out
    if log_format == "json":
        record = json.loads(out.strip().splitlines()[-1])
        assert record["level"] == "ERROR" and record["logger"] == "lpbot.test" and "Traceback" in record["exception"]
    logging.getLogger().handlers.clear()


def doctor(slack, tmp_path, **extra):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-doctor",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "LPBOT_DB": str(tmp_path / "lpbot.db"),
        **extra,
    }
    out = io.StringIO()
    code = cli.main(["doctor"], env=env, stdout=out)
    return code, out.getvalue().splitlines()


def test_doctor_all_well(slack, tmp_path):
    from storage import Store

    Store(tmp_path / "lpbot.db").open().close()  # the bot has run once
    code, lines = doctor(slack, tmp_path)
    assert code == 0
    assert all(line.startswith("ok  ") for line in lines)
    assert any("SLACK_BOT_TOKEN works: @lpbot in LP Bot local (T0LOCAL)" in line for line in lines)
    assert any("is writable and up to date" in line for line in lines)


def test_doctor_reports_a_database_not_created_yet_without_creating_it(slack, tmp_path):
    code, lines = doctor(slack, tmp_path)
    assert code == 0
    assert any("does not exist yet" in line and "LPBOT_DB" in line for line in lines)
    assert not (tmp_path / "lpbot.db").exists()


def test_doctor_finds_each_problem(slack, tmp_path, services):
    from datetime import datetime, timezone

    from storage import weekly as weekly_store

    with services.store.write() as db:
        for channel in ("C0GENERAL", "C0RANDOM", "C0GONE"):
            weekly_store.save_schedule(
                db, weekly_store.Schedule("T0LOCAL", channel, 0, "09:00", "UTC", "U0ALICE", "active"), datetime.now(timezone.utc)
            )
    slack.not_member.add("C0RANDOM")
    slack.granted_scopes = ("commands", "chat:write")
    code, lines = doctor(slack, tmp_path, LPBOT_DB=str(services.settings.db_path))
    assert code == 1
    assert "FAIL missing scopes: users:read, channels:read, groups:read: add them" in "\n".join(lines)
    # Features a workspace may leave out are reported as on or off, not as failures.
    assert "ok   off: kudos by reacting to a message (needs reactions:read; see manifest.yml)" in lines
    assert "ok   off: kudos for a @group and boards for a group (needs usergroups:read; see manifest.yml)" in lines
    assert "ok   member of #general, which has a weekly post" in lines
    assert "FAIL not a member of #random, which has a weekly post: type `/invite @LP Bot` there" in lines
    assert any(line.startswith("FAIL scheduled channel C0GONE: channel_not_found") for line in lines)


def test_doctor_says_which_features_the_granted_scopes_allow(slack, tmp_path):
    slack.granted_scopes = ("commands", "chat:write", "users:read", "channels:read", "groups:read", "reactions:read")
    code, lines = doctor(slack, tmp_path)
    assert code == 0
    assert "ok   on: kudos by reacting to a message" in lines
    assert (
        "ok   off: inline kudos in messages, and a sure single weekly post after a timeout (needs channels:history, groups:history; see manifest.yml)"
        in lines
    )


def test_doctor_with_a_revoked_token(slack, tmp_path):
    slack.valid_tokens = {"xoxb-another"}
    code, lines = doctor(slack, tmp_path)
    assert code == 1
    assert "FAIL SLACK_BOT_TOKEN was refused (invalid_auth): copy the Bot User OAuth Token again from OAuth & Permissions" in lines


@pytest.mark.parametrize("command", ["run", "console", "weekly", "digest", "export", "backup", "restore", "forget", "doctor"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: lpbot {command}" in text and "example" in text


def test_socket_mode_answers_and_reconnects_after_a_dropped_connection(tmp_path, slack):
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-operations",
        "SLACK_APP_TOKEN": "xapp-1-operations",
        "SLACK_API_URL": slack.api_url,
        "LPBOT_DB": str(tmp_path / "lpbot.db"),
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    env["LPBOT_SOCKET_PING_SECONDS"] = "1"  # a dropped connection is noticed within a second, not ten
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        slack.wait_for(lambda calls: [c for c in calls if c.method == "socket_connected"], timeout=20)
        envelope, response_url = slack.socket_command("frugal")
        assert slack.wait_for_response(response_url, timeout=10).params["text"].startswith("10. Frugality")
        # The ack frame and the reply travel separately; either may arrive first.
        slack.wait_for(lambda calls: [c for c in calls if c.method == "socket_ack" and c.params.get("envelope_id") == envelope])

        slack.socket_drop()
        slack.wait_for(lambda calls: len([c for c in calls if c.method == "socket_connected"]) >= 2, timeout=20)
        assert len(slack.calls_to("apps.connections.open")) >= 2
        _, response_url = slack.socket_command("dive deep")
        assert slack.wait_for_response(response_url, timeout=10).params["text"].startswith("12. Dive Deep")

        # Kudos in the conversation arrive as events over the socket too.
        said = slack.post_as("U0ALICE", "C0GENERAL", "<@U0BOB> :clap: #ownership for the release checklist")
        slack.socket_event({**said, "channel": "C0GENERAL", "channel_type": "channel"})
        slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts") == said["ts"]], 10)
        slack.socket_event(
            {
                "type": "reaction_added",
                "user": "U0CAROL",
                "reaction": "clap",
                "item_user": "U0BOB",
                "item": {"type": "message", "channel": "C0GENERAL", "ts": said["ts"]},
            }
        )
        prompt = slack.wait_for_call("chat.postEphemeral", timeout=10).params
        assert prompt["user"] == "U0CAROL" and "Recognize <@U0BOB>" in prompt["text"]

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "xapp-1-operations" not in process.stderr.read()


def test_a_read_only_database_is_refused_at_start_in_one_line(tmp_path, capsys):
    from storage import Store

    db = tmp_path / "lpbot.db"
    Store(db).open().close()
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("this filesystem cannot make a file immutable (chattr +i), even for root")
    try:
        assert cli.main(["console"], env={"LPBOT_DB": str(db)}, stdin=io.StringIO("")) == 2
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "readonly database" in err and "that the file is writable" in err


def test_a_full_disk_loses_nothing_already_stored(ask, services):
    ask("kudos <@U0BOB|bob> ownership for owning the disk space alerts")
    # SQLite's own limit on pages stands in for a full disk: the next write has no room.
    services.store.db.execute(f"PRAGMA max_page_count = {services.store.db.execute('PRAGMA page_count').fetchone()[0]}")
    from bot.kudos import rules
    from storage import kudos as kudos_store

    with pytest.raises(Exception, match="full"):
        for n in range(200):  # fill what little room the last page has
            rules.give(
                services.store,
                team_id="T0LOCAL",
                giver_id="U0CAROL",
                recipients=("U0BOB",),
                principle=services.catalog.by_slug("frugality"),
                reason=f"for saving space, attempt {n} " + "x" * 200,
                channel_id="C0GENERAL",
                message_link=None,
                now=services.clock(),
                giver_zone=rules.UTC,
                daily_limit=0,
                visibility="public",
            )
    rows = list(kudos_store.export_rows(services.store.db))
    assert rows[0]["reason"] == "for owning the disk space alerts"
    assert services.store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # (The page limit holds for this connection only: tests/test_disk_faults.py fills a real disk under
    # the running bot.) What the operator is told for SQLite's own words:
    from storage import describe_failure

    assert describe_failure(Exception("database or disk is full")) == (
        "the disk holding LPBOT_DB is full or failing: free space there; nothing stored was lost"
    )


def test_slack_sdk_debug_logging_never_shows_the_token(slack):
    from bot.app import web_client
    from bot.settings import Settings

    stream = io.StringIO()
    configure_logging("DEBUG", (), stream=stream)
    try:
        client = web_client(Settings(bot_token="xoxb-debug-secret-token", signing_secret="s" * 16, api_url=slack.api_url))
        client.chat_postMessage(channel="C0GENERAL", text="hello")
        client.users_info(user="U0BOB")
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(logging.WARNING)
    out = stream.getvalue()
    assert "chat.postMessage" in out  # slack_sdk did log the calls at debug level...
    assert "xoxb-debug-secret-token" not in out  # ...and the token never reached the log, whoever logged


def test_a_listener_stuck_on_slack_does_not_keep_the_bot_past_its_stop_budget(running_bot, slack):
    process, url = running_bot
    wait_until_healthy(url, process)
    sender = SlackSender(url + "/slack/events", SECRET, slack)
    slack.delay_next("users.info", 30.0)  # Slack hangs far longer than any stop budget
    assert sender.command("kudos <@U0BOB|bob> ownership for owning the hanging call").status == 200
    slack.wait_for_call("users.info", answered=False)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=12) == 0
    assert "stopped after 1s with listeners still waiting on Slack" in process.stderr.read()


def test_doctor_warns_of_a_database_others_can_read(slack, tmp_path):
    from storage import Store

    Store(tmp_path / "lpbot.db").open().close()
    (tmp_path / "lpbot.db").chmod(0o644)  # made before LP Bot kept its files private, or copied carelessly
    code, lines = doctor(slack, tmp_path)
    assert code == 1
    db = tmp_path / "lpbot.db"
    # Its WAL and shared-memory files, which doctor's own look opened, take the main file's mode.
    expected = (
        f"FAIL readable by other users of this machine: {db}, {db}-wal, {db}-shm: run `chmod 600` on them (and `chmod 700` their folder)"
    )
    assert expected in lines


@pytest.mark.parametrize("bodies", [False, True])
def test_debug_logs_name_the_call_never_the_words(ask, services, bodies):
    import io as _io

    from bot.ops.logs import configure_logging

    stream = _io.StringIO()
    configure_logging("DEBUG", (), "text", stream=stream, bodies=bodies)
    try:
        ask("kudos <@U0BOB|bob> ownership for the confidential layoff spreadsheet", channel="G0PRIVATE")
        assert services.listener_pool.wait_idle(10)  # the DM to Bob is sent too
    finally:
        configure_logging("WARNING", (), "text", stream=_io.StringIO())
    logged = stream.getvalue()
    if not bodies:
        # Which method, and how it went: the DM to Bob is sent through chat.postMessage and answered 200.
        assert f"DEBUG slack_sdk.web.base_client: Sending a request ({services.settings.api_url}chat.postMessage)" in logged
        assert "DEBUG slack_sdk.web.base_client: Received the following response (status 200)" in logged
    # The words only when an operator asked for bodies (LPBOT_LOG_BODIES=on).
    assert ("layoff spreadsheet" in logged) is bodies


def test_a_reader_that_stops_early_ends_the_export_quietly(tmp_path):
    from datetime import datetime, timezone

    from storage import Store
    from storage import kudos as kudos_store

    store = Store(tmp_path / "lpbot.db").open()
    with store.write() as db:
        for n in range(3000):  # more than a pipe holds, so the writer meets the closed pipe
            kudos_store.insert_kudos(
                db, team_id="T1", giver_id="U0A", recipients=("U0B",), principle="ownership", reason=f"reason number {n} " * 4,
                channel_id="C1", message_link=None, created_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
            )  # fmt: skip
    store.close()
    env = {**os.environ, "LPBOT_DB": str(tmp_path / "lpbot.db")}
    done = subprocess.run(
        f"{sys.executable} -c 'from bot.cli import main_exit; main_exit()' export kudos --format csv | head -2",
        shell=True, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.splitlines()[0].startswith("id,created_at,team_id")
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


@pytest.mark.parametrize(("setting", "line"), [(None, "available, not in use"), ("reaction", "on")])
def test_doctor_says_on_only_for_the_reaction_reply_when_it_is_chosen(slack, tmp_path, setting, line):
    extra = {"LPBOT_INLINE_REPLY": setting} if setting else {}
    _, lines = doctor(slack, tmp_path, **extra)
    assert f"ok   {line}: answering inline kudos with a reaction (LPBOT_INLINE_REPLY=reaction)" in lines


def test_a_start_logs_no_known_noise():
    import io as _io
    import logging as _logging

    from bot.ops.logs import configure_logging

    stream = _io.StringIO()
    configure_logging("INFO", (), "text", stream=stream)
    try:
        _logging.getLogger("slack_bolt.App").warning("As you gave `client` as well, `token` will be unused.")
        _logging.getLogger("apscheduler.scheduler").info('Added job "weekly" to job store "default"')
        _logging.getLogger("slack_bolt.App").warning("a warning worth reading")
    finally:
        configure_logging("WARNING", (), "text", stream=_io.StringIO())
    assert stream.getvalue().count("\n") == 1 and "a warning worth reading" in stream.getvalue()


def test_lpbot_health_asks_the_running_bot_in_http_mode(server, capsys):
    port = server.url.rsplit(":", 1)[1]
    http = {"SLACK_BOT_TOKEN": "xoxb-health", "SLACK_SIGNING_SECRET": SECRET, "PORT": port}
    assert cli.main(["health"], env=http) == 0
    assert cli.main(["health"], env={**http, "PORT": str(free_port())}) == 1
    assert capsys.readouterr().err.startswith("lpbot: /healthz on port ")
    # Socket Mode has no port to ask.
    assert cli.main(["health"], env={"SLACK_BOT_TOKEN": "xoxb-health", "SLACK_APP_TOKEN": "xapp-1-health"}) == 0


def test_doctor_without_a_token_checks_what_it_can_and_says_what_it_could_not(tmp_path):
    from storage import Store

    Store(tmp_path / "lpbot.db").open().close()
    out = io.StringIO()
    code = cli.main(["doctor"], env={"LPBOT_DB": str(tmp_path / "lpbot.db")}, stdout=out)
    lines = out.getvalue().splitlines()
    assert code == 0
    assert [line[:4] for line in lines] == ["ok  ", "skip", "ok  ", "ok  "]
    assert lines[1] == (
        "skip not checked: the bot token, its scopes and the scheduled channels (SLACK_BOT_TOKEN is not set); "
        "set SLACK_BOT_TOKEN to check a workspace"
    )
    assert "is writable and up to date" in lines[0]
    assert lines[2:] == [
        "ok   the database files are readable by their owner only",
        "ok   replication: off (set LPBOT_REPLICA_URL to copy the database off this machine continuously)",
    ]


def test_export_help_names_every_column_it_writes(capsys):
    from storage.kudos import EXPORT_COLUMNS

    with pytest.raises(SystemExit):
        cli.main(["export", "--help"], env={})
    shown = " ".join(capsys.readouterr().out.split())
    assert [column for column in EXPORT_COLUMNS if column not in shown] == []
    assert "visibility (public, private, dm, none, unknown)" in shown
