"""Operator mistakes and a Slack that is down at start: one line naming the real cause, never a traceback."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bot import cli
from tests.test_operations import free_port

SECRET = "startup-signing-secret-0123456789"


def http_env(tmp_path, api_url: str, **extra) -> dict:
    return {
        "SLACK_BOT_TOKEN": "xoxb-startup-token-123",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "LPBOT_HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "LPBOT_DB": str(tmp_path / "lpbot.db"),
        **extra,
    }


def closed_api_url() -> str:
    return f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def last_line(capsys, tries: int) -> str:
    """The closing line, after exactly one log line for each try that is followed by a wait."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(lines)
    assert sum("trying again in" in line for line in lines) == tries == len(lines) - 1, lines
    return lines[-1]


def test_a_port_in_use_is_one_line_naming_port(tmp_path, slack, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = http_env(tmp_path, slack.api_url, PORT=str(port))
        assert cli.main(["run"], env=env) == 2
    assert f"PORT={port} is already in use" in one_line(capsys)


def test_a_host_that_does_not_resolve_is_one_line_naming_lpbot_host(tmp_path, slack, capsys):
    env = http_env(tmp_path, slack.api_url, LPBOT_HOST="no-such-host.invalid")
    assert cli.main(["run"], env=env) == 2
    assert "LPBOT_HOST=no-such-host.invalid is not an address of this machine" in one_line(capsys)


def test_slack_unreachable_at_start_retries_a_bounded_time_then_exits_with_the_cause(tmp_path, capsys, caplog):
    waits: list[float] = []
    api_url = closed_api_url()
    env = http_env(tmp_path, api_url, LPBOT_STARTUP_WAIT="20")
    assert cli.main(["run"], env=env, sleep=waits.append) == 1
    assert waits == [1, 2, 4, 8, 5]  # doubling, cut to what is left of the 20 s
    err = last_line(capsys, tries=5)
    assert f"cannot reach Slack's Web API at {api_url}" in err and "gave up after 20 s (LPBOT_STARTUP_WAIT)" in err
    assert "refused" not in err.lower().replace("connection refused", "")


@pytest.mark.parametrize("status, says", [(500, "Slack answered 500: it may be having an outage"), (429, "rate-limiting")])
def test_a_slack_outage_at_start_is_not_blamed_on_the_token(tmp_path, slack, capsys, status, says):
    slack.fail_next("auth.test", status, body={"ok": False, "error": "internal_error" if status == 500 else "ratelimited"}, times=99)
    assert cli.main(["run"], env=http_env(tmp_path, slack.api_url, LPBOT_STARTUP_WAIT="3"), sleep=lambda s: None) == 1
    err = last_line(capsys, tries=2)
    assert says in err and "SLACK_BOT_TOKEN" not in err


def test_slack_coming_back_during_the_wait_lets_the_start_go_on(tmp_path, slack):
    slack.fail_next("auth.test", 503, body={"ok": False, "error": "service_unavailable"}, times=2)
    process_env = {**os.environ, **http_env(tmp_path, slack.api_url, LPBOT_STARTUP_WAIT="10")}
    process_env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=process_env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{process_env['PORT']}/healthz"
    try:
        deadline = time.monotonic() + 20
        report = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    report = json.loads(response.read())
                    break
            except urllib.error.HTTPError as error:
                assert error.code == 503 and json.loads(error.read())["status"] == "starting"
            except OSError:
                pass
            time.sleep(0.05)  # polling for the server's state, not waiting for time to pass
        assert report and report["status"] == "ok" and "slack" not in report
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_healthz_says_why_while_slack_is_unreachable_then_the_bot_exits(tmp_path):
    env = {**os.environ, **http_env(tmp_path, closed_api_url(), LPBOT_STARTUP_WAIT="3")}
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{env['PORT']}/healthz"
    seen = None
    deadline = time.monotonic() + 10
    while seen is None and time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1)
        except urllib.error.HTTPError as error:
            answer = (error.code, json.loads(error.read()))
            # Until the first attempt to reach Slack has failed, "starting" has no reason yet.
            seen = answer if "slack" in answer[1] else None
        except OSError:
            pass
        time.sleep(0.05)  # polling for the server's state
    assert seen is not None, "no 503 with a reason from /healthz while waiting for Slack"
    status, report = seen
    assert status == 503 and report["status"] == "starting" and "cannot reach Slack's Web API" in report["slack"]
    assert process.wait(timeout=15) == 1
    lines = process.stderr.read().strip().splitlines()
    assert "Traceback" not in "\n".join(lines)
    assert lines[-1].startswith("lpbot: cannot reach Slack's Web API") and "gave up after 3 s" in lines[-1]
    assert sum("trying again" in line for line in lines) == 2  # one line a try: waits of 1 s and 2 s


def test_doctor_with_slack_unreachable_is_one_finding_not_a_traceback(tmp_path, capsys):
    out = io.StringIO()
    env = {
        "SLACK_BOT_TOKEN": "xoxb-doctor-1",
        "SLACK_APP_TOKEN": "xapp-doctor-1",
        "SLACK_API_URL": closed_api_url(),
        "LPBOT_DB": str(tmp_path / "x.db"),
    }
    assert cli.main(["doctor"], env=env, stdout=out) == 1
    assert any(line.startswith("FAIL cannot reach Slack's Web API") for line in out.getvalue().splitlines())
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [
        {"PORT": "xoxb-1234567890-abcdefghij"},
        {"LPBOT_ADMINS": SECRET},
        {"LPBOT_ROTATION": "xapp-1-A0-123-abc"},
    ],
)
def test_configuration_errors_never_echo_a_token_or_the_secret(tmp_path, capsys, extra):
    env = {"SLACK_BOT_TOKEN": "xoxb-real-token-1", "SLACK_SIGNING_SECRET": SECRET, "LPBOT_DB": str(tmp_path / "x.db"), **extra}
    assert cli.main(["run"], env=env) == 2
    err = one_line(capsys)
    assert list(extra)[0] in err and "[redacted]" in err
    assert SECRET not in err and "xoxb-" not in err and "xapp-" not in err
