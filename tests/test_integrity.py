"""Every kudos is recorded once, and the giver is told the truth about it, whatever Slack's side does."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import subprocess

import pytest

from bot import cli
from storage import Store
from tests.helpers import block_text, stored

REASON = "for owning the release from start to finish"


def test_a_slash_command_replayed_after_the_duplicate_window_is_stored_once(sender, slack, services, clock):
    first = sender.command(f"kudos <@U0BOB|bob> ownership {REASON}")
    slack.wait_for_response(first.response_url)
    clock.advance(minutes=3)  # past the one-minute content rule, inside Slack's five-minute signature window
    again = sender.replay()
    assert again.status == 200
    reply = slack.wait_for(lambda calls: [c for c in calls if c.method == "response_url" and c.params["_url"] == first.response_url][1:])[0]
    assert "kept just the one" in block_text(reply.params)
    assert len(stored(services)) == 1


def test_a_modal_submission_replayed_later_is_stored_once(sender, slack, services, clock):
    sender.shortcut("give_kudos")
    view = slack.wait_for_call("views.open").params["view"]
    sender.submit(view, recipients=["U0BOB"], principle="ownership", reason=REASON, channel="C0GENERAL")
    clock.advance(minutes=4)
    assert sender.replay().status == 200
    assert len(stored(services)) == 1
    public = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "C0GENERAL"]
    assert len(public) == 1


def test_the_same_words_sent_again_as_a_new_request_later_count_again(ask, services, clock):
    ask(f"kudos <@U0BOB|bob> ownership {REASON}")
    clock.advance(minutes=3)
    ask(f"kudos <@U0BOB|bob> ownership {REASON}")  # a new request: a new trigger_id, a deliberate second thanks
    assert len(stored(services)) == 2


def test_a_stored_kudos_is_reported_as_stored_when_the_response_url_drops(sender, slack, services):
    slack.fail_next("response_url", 0, times=4)  # every attempt, retries included, is cut off
    sent = sender.command(f"kudos <@U0BOB|bob> <@U0CAROL|carol> ownership {REASON}", channel="C0GENERAL")
    assert sent.status == 200
    told = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postEphemeral"])
    texts = [block_text(c.params) for c in told]
    assert all(c.params["user"] == "U0ALICE" and c.params["channel"] == "C0GENERAL" for c in told)
    assert "Your kudos is saved, but Slack didn't let me post it in the channel" in texts[0]
    assert "nothing was changed" not in " ".join(texts)
    # Each recipient's DM goes out on its own, whatever happened to the public post.
    for person in ("U0BOB", "U0CAROL"):
        slack.wait_for(lambda calls, p=person: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == p])
    assert {r["id"] for r in stored(services)} == {1}


def test_when_neither_reply_nor_ephemeral_works_the_giver_gets_a_dm(sender, slack, services):
    slack.fail_next("response_url", 0, times=4)
    slack.fail_next("chat.postEphemeral", 200, body={"ok": False, "error": "channel_not_found"}, times=2)
    sender.command(f"kudos <@U0BOB|bob> ownership {REASON}", channel="C0GENERAL")
    dm = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "U0ALICE"])[0]
    assert "Your kudos is saved" in block_text(dm.params)


def test_one_recipients_failed_dm_does_not_stop_the_next(ask, slack):
    slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "cannot_dm_bot"})
    ask(f"kudos <@U0BOB|bob> <@U0CAROL|carol> ownership {REASON}")
    (dm,) = slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params["channel"] == "U0CAROL"])
    # Bob's DM was tried first and refused; Carol's still went, with the whole kudos in it.
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["U0BOB", "U0CAROL"]
    # ...and the giver alone hears that Bob was not told (as for another organisation's people in a Slack Connect channel).
    (note,) = [c.params for c in slack.calls_to("chat.postEphemeral") if c.params["user"] == "U0ALICE"]
    assert note["text"] == "Your kudos is saved, but Slack would not let me DM <@U0BOB> about it; tell them yourself if you like."
    assert dm.params["text"] == "You got kudos for Ownership"
    assert block_text(dm.params) == (
        "You got kudos for Ownership\n:sparkles: <@U0ALICE> recognized you for *:key: 2. Ownership* in <#C0GENERAL>:\n"
        f"> {REASON}\nTurn these messages off with `/lp dm off`."
    )


def _open_store(path, barrier):
    barrier.wait()
    Store(path).open().close()  # an exception here ends the child with exit code 1


def test_forty_processes_opening_a_new_database_at_once_all_succeed(tmp_path):
    # Children come from a fresh fork server, not from this process: a plain fork would hand each of
    # them every socket and pipe the test session holds (other tests' servers among them).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["storage", "tests.test_integrity"])
    path = tmp_path / "new" / "lpbot.db"
    barrier = context.Barrier(40)
    children = [context.Process(target=_open_store, args=(path, barrier)) for _ in range(40)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    assert [child.exitcode for child in children] == [0] * 40
    store = Store(path).open()
    assert store.pending_migrations() == []
    store.close()


@pytest.mark.parametrize("command", [["export", "kudos"], ["backup", "copy.db"], ["forget", "U0BOB"], ["weekly"]])
def test_a_misspelt_database_path_is_refused_and_nothing_is_created(tmp_path, capsys, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "dtaa" / "lpbot.db"
    env = {"LPBOT_DB": str(missing), "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s" * 32}
    assert cli.main(command, env=env, stdout=io.StringIO()) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "LPBOT_DB" in err and str(missing) in err
    assert not missing.parent.exists() and not (tmp_path / "copy.db").exists()


def _immutable(*paths) -> bool:
    return all(subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode == 0 for p in paths)


def test_export_reads_a_database_on_a_read_only_mount(tmp_path, ask, services):
    ask(f"kudos <@U0BOB|bob> ownership {REASON}")
    folder = tmp_path / "restored"
    folder.mkdir()
    services.store.backup(folder / "lpbot.db")
    if not _immutable(folder / "lpbot.db", folder):
        subprocess.run(["chattr", "-i", str(folder / "lpbot.db")], capture_output=True)
        pytest.skip("this filesystem cannot make a file immutable (chattr +i), even for root")
    try:
        out = io.StringIO()
        assert cli.main(["export", "kudos", "--format", "json"], env={"LPBOT_DB": str(folder / "lpbot.db")}, stdout=out) == 0
        copy = io.StringIO()
        assert cli.main(["backup", str(tmp_path / "again.db")], env={"LPBOT_DB": str(folder / "lpbot.db")}, stdout=copy) == 0
    finally:
        subprocess.run(["chattr", "-i", str(folder), str(folder / "lpbot.db")], check=True)
    (row,) = json.loads(out.getvalue())
    assert row["reason"] == REASON and row["visibility"] == "public"
    assert sorted(os.listdir(folder)) == ["lpbot.db"]
