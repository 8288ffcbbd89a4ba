"""Junk from anyone on the internet gets a 4xx, one short log line at most, and no work done."""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.ops.server import MAX_BODY_BYTES, RefusalLog
from storage import kudos as kudos_store
from tests.conftest import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"


def raw_post(url: str, body: bytes, content_type: str, timestamp: str | None = None, sign: bool = False) -> int:
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=forged"}
    if sign:
        headers["X-Slack-Signature"] = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body.decode()) or ""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


JUNK = [
    (b"payload=%7Bnot+json", FORM, None, False),
    (b"command=%2Flp&text=help", FORM, "abc", False),
    (b"\xff\xfe\xfd", FORM, None, False),
    (b"payload=" + quote("[1,2]").encode(), FORM, None, True),
    (b"payload=" + quote('"just a string"').encode(), FORM, None, True),
    (b"payload=%7Bnot+json", FORM, None, True),
    (b"{not json", "application/json", None, True),
    (b"command=%2Flp&text=help&team_id=T0LOCAL", "application/json", None, True),
    (b'"a json string"', "application/json", None, True),
]


@pytest.mark.parametrize("body, content_type, timestamp, sign", JUNK)
def test_junk_gets_a_4xx_and_no_traceback(server, slack, caplog, body, content_type, timestamp, sign):
    caplog.set_level(logging.INFO)
    status = raw_post(server.events_url, body, content_type, timestamp, sign)
    assert 400 <= status < 500
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info or r.exc_text for r in caplog.records)
    # Waitress notes "Task queue depth is 1" when a request lands before its worker threads are all
    # waiting (just after start); that is the server's own line, not one of ours about the request.
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name != "waitress.queue"]
    assert len(warnings) <= 1 and all("\n" not in r.getMessage() for r in warnings)
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


def test_a_flood_of_junk_logs_one_line(server, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(30):
        assert raw_post(server.events_url, b"payload=%7Bnot+json", FORM) == 401
    assert len([r for r in caplog.records if r.name == "bot.ops.server"]) == 1


def test_refusal_log_reports_what_it_kept_quiet_about(caplog):
    now = [0.0]
    refusals = RefusalLog(every_seconds=60, clock=lambda: now[0])
    caplog.set_level(logging.WARNING)
    for _ in range(5):
        refusals.refused("a bad or stale signature")
    now[0] = 61
    refusals.refused("a bad or stale signature")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and lines[1].endswith("(and 4 more since the last report)")


def test_a_body_over_the_limit_is_refused_before_it_is_read(server, slack):
    # Claim a huge body and send a little of it: the answer comes without waiting for the rest.
    with socket.create_connection((server.host, server.port), timeout=3) as connection:
        connection.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\nContent-Length: {MAX_BODY_BYTES * 50}\r\n\r\n".encode()
            + b"x" * 1000
        )
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"413"


def test_a_signed_real_request_still_works_after_the_gate(ask):
    assert "Customer Obsession" in json.dumps(ask("1"))


def test_slacks_ssl_check_is_answered(server):
    assert raw_post(server.events_url, b"ssl_check=1&token=legacy", FORM, timestamp="") == 200


def test_a_command_that_mentions_payload_is_still_answered(ask, services):
    # Bolt alone takes any form body containing "payload" for an interaction and drops it.
    reply = ask("kudos <@U0BOB|bob> ownership for fixing the payload parser")
    assert reply["response_type"] == "in_channel"
    assert [r["reason"] for r in kudos_store.export_rows(services.store.db)] == ["for fixing the payload parser"]
