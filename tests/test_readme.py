"""Every command the README shows, run the way a reader would run it (as sqlite-utils' docs tests do).

A command is found in the README's `sh` blocks and in its inline code; each one either runs here, in a
scratch folder holding a database with real kudos, or is listed in ELSEWHERE with the test that covers
it (or why no machine of ours can run it). A command added to the README without either fails the test.
"""

from __future__ import annotations

import argparse
import io
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.app import create_app
from bot.ops.server import HttpServer
from storage import kudos as kudos_store
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.test_operations import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = str(Path(sys.executable).parent) + "/"

# Every `lpbot` command, as its parser knows them (argparse keeps them on its subparsers action).
COMMANDS = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices

# The README's words for a command, where they hold a placeholder, and what the test runs for them.
FILLED_IN: dict[str, list[str]] = {
    "lpbot manifest --http https://<your host>": ["lpbot manifest --http https://lp.example.com"],
    "lpbot manifest --http https://<your host> --oauth --org": ["lpbot manifest --http https://lp.example.com --oauth --org"],
    "lpbot insights --format json [--weeks N | --since DATE] [--team T]": [
        "lpbot insights --format json --weeks 4",
        "lpbot insights --format json --since 2026-11-01 --team T0LOCAL",
    ],
    "lpbot <command> --help": [f"lpbot {name} --help" for name in COMMANDS],
    "lpbot export kudos --format csv|json [--since 2026-01-01]": [
        "lpbot export kudos --format csv",
        "lpbot export kudos --format json --since 2026-01-01",
    ],
    "lpbot import kudos FILE": ["lpbot import kudos kudos.csv"],
    "lpbot import weekly FILE": ["lpbot import weekly weekly.csv"],
    # Named in the prose as the command itself; its help says how to call it.
    "lpbot export": ["lpbot export --help"],
    "lpbot backup": ["lpbot backup --help"],
    "lpbot restore": ["lpbot restore --help"],
    "lpbot run": ["lpbot run --help"],
    "lpbot forget": ["lpbot forget --help"],
}

# Commands this test does not run, each with the test that does or the reason none can here.
ELSEWHERE: dict[str, str] = {
    "make run": "starts the console on a terminal; `printf … | lpbot console` below is the same console",
    "make test": "what CI runs: this suite",
    "make check": "this suite less the tests that start processes",
    "make bench": "bench/ack_latency.py, run and recorded in docs/benchmarks.md",
    "SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… .venv/bin/lpbot": "test_operations.py::test_socket_mode_answers_and_reconnects_after_a_dropped_connection",
    "docker build -t lpbot .": "no Docker engine on our machines; test_container.py checks the Dockerfile's rules",
    "docker run -d --name lpbot -v lpbot-data:/data -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_APP_TOKEN=xapp-… lpbot": "no Docker engine here",
    "docker compose up -d": "no Docker engine; test_container.py::test_compose_keeps_data_on_a_named_volume_and_tokens_out",
    "pip install 'lpbot[replicate]'": "the locks install it for the suite; test_container.py::test_the_lock_file_is_what_gets_installed",
    "pip install datasette && datasette data/lpbot.db": "not one of our dependencies; Datasette reads any SQLite file",
    "LPBOT_REPLICA_URL=s3://my-bucket/lpbot lpbot run": "test_replication.py::test_a_new_machine_comes_back_with_every_kudos_the_replica_had (S3 played by moto)",
    "LPBOT_REPLICA_URL=file:///mnt/backups/lpbot lpbot run": "test_replication.py::test_a_new_machine_comes_back_with_every_kudos_the_replica_had",
    "lpbot restore --to ./restored.db": "test_replication.py::test_restore_to_a_point_in_time_and_never_over_a_live_database",
    "lpbot restore --timestamp 2026-11-27T18:00:00Z --to ./before-the-mistake.db": (
        "test_replication.py::test_restore_to_a_point_in_time_and_never_over_a_live_database"
    ),
    "lpbot restore --force": "test_replication.py::test_restore_to_a_point_in_time_and_never_over_a_live_database",
    "lpbot console --verbose": "test_console.py::test_console_log_lines_go_to_a_file_unless_verbose",
}


def readme_commands() -> list[str]:
    """The commands the README shows, in its order: each line of a `sh` block (a trailing comment and a
    line continuation handled as a shell would), and inline code that starts with a command we ship."""
    text = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#\s.*$", "", line)
            if line.strip():
                found.append(" ".join(line.split()))
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if re.match(r"(lpbot(\s|$)|\.venv/bin/|printf |make |docker |pip |datasette )", span):
            found.append(span)
    return list(dict.fromkeys(found))


def test_every_readme_command_is_run_here_or_covered_elsewhere():
    commands = readme_commands()
    assert "lpbot backup backups/lpbot-2026-11-27.db" in commands and "make test" in commands  # the reader finds both kinds
    unaccounted = [c for c in commands if c not in ELSEWHERE and c not in FILLED_IN and not runnable(c)]
    assert unaccounted == [], "run them in test_the_readme_commands_work, or say in ELSEWHERE where they are tested"
    tests = {path.name: path.read_text() for path in (ROOT / "tests").glob("test_*.py")}
    for command, where in ELSEWHERE.items():
        assert command in commands, f"{command!r} is no longer in the README: drop it from ELSEWHERE"
        for module, name in re.findall(r"(test_\w+\.py)::(test_\w+)", where):
            assert f"def {name}(" in tests[module], f"{module}::{name} (for {command!r}) does not exist"


def runnable(command: str) -> bool:
    """Whether the test can run the README's words as they are: no placeholder, nothing long-running."""
    return not re.search(r"…|<[a-z ]+>|\[|\||FILE\b", command.replace("printf '/lp list\\n/lp frugal\\n' | ", ""))


@pytest.fixture
def readers_folder(tmp_path, monkeypatch, ask, clock, slack, services, settings):
    """A folder like a reader's checkout after some use: data/lpbot.db with kudos in it and a weekly post
    scheduled, and a bot answering in HTTP mode for `lpbot health`."""
    assert settings.db_path == tmp_path / "data" / "lpbot.db"  # the README's default path, relative to here
    ask("kudos <@U0BOB|bob> ownership for owning the release train")
    ask("kudos <@U0CAROL|carol> frugality for trimming the CI bill by half", user="U0BOB")
    ask("schedule <#C0GENERAL|general> monday 09:00 UTC")
    ask("digest <#C0GENERAL|general> on")
    port = free_port()
    server = HttpServer(create_app(settings, services), services, host="127.0.0.1", port=port).start()
    monkeypatch.chdir(tmp_path)
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url, "PORT": str(port)}
    yield tmp_path, env
    services.listener_pool.wait_idle(10)
    server.close()


def run(command: str, env: dict[str, str], folder: Path, capsys) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one README command: `lpbot …` through the real entry point in this
    process (a second each saved), anything else in a shell in the reader's folder."""
    words = shlex.split(command)
    if words[0] == "lpbot":
        out = io.StringIO()
        capsys.readouterr()
        try:
            code = cli.main(words[1:], env=env, stdin=io.StringIO("yes\n"), stdout=out)
        except SystemExit as exited:  # argparse ends --help this way
            code = int(exited.code or 0)
        captured = capsys.readouterr()
        # argparse writes help to sys.stdout, not the stdout the command was handed.
        return code, out.getvalue() + captured.out, captured.err
    done = subprocess.run(
        command.replace(".venv/bin/", VENV_BIN),
        shell=True,
        cwd=folder,
        env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


def test_the_readme_commands_work(readers_folder, capsys):
    folder, env = readers_folder
    before = set(folder.iterdir())
    ran = []
    for written in readme_commands():
        if written in ELSEWHERE:
            continue
        for command in FILLED_IN.get(written, [written]):
            code, out, err = run(command, env, folder, capsys)
            assert "Traceback" not in err, f"{command}: {err}"
            assert code == 0, f"{command} exited {code}: {err}"
            if command == "lpbot export kudos --format csv":
                (folder / "kudos.csv").write_text(out)  # for `lpbot import kudos FILE`
            if command == "lpbot export weekly":
                (folder / "weekly.csv").write_text(out)
            ran.append((command, out, err))
    said = {command: (out, err) for command, out, err in ran}
    # What the README says each does.
    assert "14. Deliver Results" in said["printf '/lp list\\n/lp frugal\\n' | .venv/bin/lpbot console"][0]
    with sqlite3.connect(folder / "backups" / "lpbot-2026-11-27.db") as backup:
        assert backup.execute("select count(*) from kudos").fetchone() == (2,)
    assert said["lpbot export kudos --format csv"][0].splitlines()[0] == ",".join(kudos_store.EXPORT_COLUMNS)
    assert said["lpbot import kudos kudos.csv"][0] == "imported 0 kudos (2 already there) from kudos.csv\n"  # stored once
    principles = said['.venv/bin/sqlite-utils data/lpbot.db "select principle, count(*) from kudos group by principle" --table'][0]
    assert "frugality" in principles and "ownership" in principles
    # On the real clock: this week's post is due, past its grace (skipped) or already done, by the day CI runs.
    assert re.fullmatch(r"nothing due\n|\d{4}-W\d\d #general \(C0GENERAL\) (posted \S+|skipped)\n", said["lpbot weekly"][0])
    assert "display_information:" in said["lpbot manifest"][0]
    assert "https://lp.example.com/slack/events" in said["lpbot manifest --http https://lp.example.com"][0]
    # Nothing the README shows leaves a stray file (the sqlite-utils arguments once made one named after the query).
    made = {path.name for path in set(folder.iterdir()) - before}
    assert made <= {"backups", "kudos.csv", "weekly.csv"}, made
