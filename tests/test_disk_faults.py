"""When the disk or the file fails while the bot runs: nothing is thanked that was not stored, every
giver hears it, Slack always gets its acknowledgement, and /healthz says what the bot can do (issue 17).

The full disk is a real small filesystem (a tmpfs of 4 MB) mounted by the test: CI and developers run
the suite as root here. Where mounting is not allowed the disk tests skip and say so; the file tests
need no mount. A filesystem turned read-only under a running bot cannot be staged here (Linux refuses
to remount a filesystem read-only while a file on it is open for writing, as the database is), so that
case is covered by the same write-failure path as the full disk."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from bot.settings import Settings
from storage import kudos as kudos_store
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

BOB = "<@U0BOB|bob>"
APOLOGY = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment; "
    "if it keeps happening, let whoever runs LP Bot know."
)


def healthz(server) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# -- the file deleted or replaced -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_database_deleted_or_replaced_while_running_takes_no_more_kudos(ask, services, server, slack, settings, how):
    assert ask(f"kudos {BOB} ownership for the first careful rollout")["response_type"] == "in_channel"
    path = settings.db_path
    moved = path.with_name("moved-away.db")
    path.rename(moved)  # the file the bot opened lives on under another name
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    if how == "replaced":
        path.write_bytes(b"")  # someone puts another (empty) file where LPBOT_DB points
    reply = ask(f"kudos {BOB} ownership for the second careful rollout")
    # Not thanked in public: the giver hears it failed, privately.
    assert reply == {**reply, "response_type": "ephemeral", "text": APOLOGY}
    assert not [c for c in slack.calls_to("response_url") if c.params.get("response_type") == "in_channel"][1:]
    status, report = healthz(server)
    assert status == 503 and report["database_file"]["file"] == "not the file opened at start"
    assert report["database_file"]["writable"] is False
    what = "deleted" if how == "deleted" else "replaced by another file"
    assert report["database"] == (
        f"LPBOT_DB={path} was {what} while the bot ran: nothing more is written; put the file back (or restore it) and restart the bot"
    )
    # Nothing creates a new database at the path after start-up.
    assert path.exists() == (how == "replaced") and (how == "deleted" or path.stat().st_size == 0)
    assert len(list(kudos_store.export_rows(services.store.db))) == 1  # the one stored before, and no other


# -- a full disk, a read-only filesystem -----------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here ({made.stderr.strip()}): run as root to test a full or read-only disk")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def settings(tmp_path, slack, request):
    marker = request.node.get_closest_marker("settings")
    db_path = tmp_path / "data" / "lpbot.db"
    if "small_disk" in request.fixturenames:
        db_path = request.getfixturevalue("small_disk") / "lpbot.db"
    return Settings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=slack.api_url, db_path=db_path, **(marker.kwargs if marker else {})
    )


def fill(disk) -> None:
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass  # the disk is full


def test_a_full_disk_refuses_kudos_privately_and_healthz_says_so(small_disk, ask, services, server, slack):
    assert ask(f"kudos {BOB} ownership for the first careful rollout")["response_type"] == "in_channel"
    fill(small_disk)
    for n in range(4):
        reply = ask(f"kudos {BOB} ownership for careful rollout number {n} with a longer why " + "x" * 600)
        assert reply["text"] == APOLOGY and reply["response_type"] == "ephemeral"
    status, report = healthz(server)
    assert status == 503 and report["database_file"]["writable"] is False
    assert report["database"] == "the disk holding LPBOT_DB is full or failing: free space there; nothing stored was lost"
    assert len(list(kudos_store.export_rows(services.store.db))) == 1


def test_the_modal_on_a_full_disk_closes_in_time_and_tells_the_giver(small_disk, sender, slack, services, server):
    from tests.test_kudos_modal import open_from_shortcut

    view = open_from_shortcut(sender, slack)
    fill(small_disk)
    sent = sender.submit(
        view, recipients=["U0BOB"], principle="ownership", reason="for the careful rollout " + "x" * 600, channel="C0GENERAL"
    )
    assert sent.status == 200  # acknowledged, never a 500
    told = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "U0ALICE"])[0]
    assert told.params["text"] == APOLOGY
    assert list(kudos_store.export_rows(services.store.db)) == []


def test_an_inline_kudos_that_cannot_be_stored_tells_its_author(small_disk, sender, slack, services, server):
    fill(small_disk)
    sender.say("<@U0BOB> :clap: #ownership thanks for carrying the whole on-call week " + "x" * 600, user="U0CAROL")
    told = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postEphemeral" and c.params.get("user") == "U0CAROL"])[0]
    assert told.params["text"] == APOLOGY and told.params["channel"] == "C0GENERAL"
    assert list(kudos_store.export_rows(services.store.db)) == []


def test_a_lookup_that_fails_has_the_apology_as_its_acknowledgement(ask, sender, services, slack):
    assert ask(f"kudos {BOB} ownership for the first careful rollout")["response_type"] == "in_channel"

    def posted() -> list:  # to the response_url, not in an acknowledgement (which the stand-in records too)
        return [call for call in slack.calls_to("response_url") if not call.params.get("_in_ack")]

    thanked = len(posted())
    with services.store.write() as db:
        for table in ("kudos_totals", "kudos_monthly"):  # what the leaderboards read
            db.execute(f"DROP TABLE {table}")
    sent = sender.command("leaderboard")
    # The apology is the acknowledgement itself: /lp runs on the request's thread, where nothing may
    # wait on another request to Slack before the acknowledgement is sent.
    assert sent.status == 200 and sent.json() == {**sent.json(), "response_type": "ephemeral", "text": APOLOGY}
    assert services.listener_pool.wait_idle(10)
    assert len(posted()) == thanked  # no second request for the apology
