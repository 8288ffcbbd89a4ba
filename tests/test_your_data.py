"""Export, backup and forget: a team's data stays its own."""

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli

BOB, CAROL = "<@U0BOB|bob>", "<@U0CAROL|carol>"


@pytest.fixture
def env(settings):
    return {"LPBOT_DB": str(settings.db_path)}


@pytest.fixture
def some_kudos(ask, clock):
    ask(f"kudos {BOB} {CAROL} ownership for owning the release train together")
    clock.advance(days=3)
    ask(f"kudos {CAROL} dive deep for finding the leak with {BOB} watching", user="U0DAVE")
    clock.advance(days=3)
    ask("kudos <@U0ALICE> frugality for trimming the CI bill by half", user="U0BOB")


def export(env, *args):
    out = io.StringIO()
    assert cli.main(["export", "kudos", *args], env=env, stdout=out) == 0
    return out.getvalue()


def test_export_json_has_one_record_per_recipient(some_kudos, env):
    records = json.loads(export(env, "--format", "json"))
    assert [(r["id"], r["recipient_id"]) for r in records] == [(1, "U0BOB"), (1, "U0CAROL"), (2, "U0CAROL"), (3, "U0ALICE")]
    assert set(records[0]) == {"id", "created_at", "team_id", "channel_id", "visibility", "giver_id", "recipient_id", "principle", "reason"}
    assert records[0]["created_at"] == "2026-11-25T14:30:00.000000+00:00"
    assert records[2]["principle"] == "dive-deep"


def test_export_csv_since(some_kudos, env):
    rows = list(csv.DictReader(io.StringIO(export(env, "--since", "2026-11-27"))))
    assert [(r["id"], r["giver_id"]) for r in rows] == [("2", "U0DAVE"), ("3", "U0BOB")]


def test_export_rejects_a_bad_date(env, capsys):
    with pytest.raises(SystemExit):
        cli.main(["export", "kudos", "--since", "last tuesday"], env=env)
    assert "not a date like 2026-01-31" in capsys.readouterr().err


def test_backup_of_the_live_database(some_kudos, env, services, tmp_path):
    target = tmp_path / "backups" / "copy.db"
    assert cli.main(["backup", str(target)], env=env) == 0
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM kudos").fetchone() == (3,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


def test_backup_never_overwrites(some_kudos, env, tmp_path, capsys):
    target = tmp_path / "copy.db"
    target.write_text("precious")
    assert cli.main(["backup", str(target)], env=env) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "precious"


def test_forget_leaves_no_trace_of_a_person(some_kudos, env, services):
    assert cli.main(["forget", "U0BOB", "--yes"], env=env) == 0
    records = json.loads(export(env, "--format", "json"))
    assert [(r["id"], r["recipient_id"]) for r in records] == [(1, "U0CAROL"), (2, "U0CAROL")]
    assert "U0BOB" not in json.dumps(records)
    assert records[1]["reason"] == "for finding the leak with someone watching"
    db = services.store.db
    assert db.execute("SELECT count(*) FROM kudos_recipients WHERE recipient_id = 'U0BOB'").fetchone() == (0,)


def test_the_database_is_browsable_with_sqlite_utils(some_kudos, settings):
    # The sqlite-utils CLI comes with the sqlite-utils dependency, beside this Python.
    tool = str(Path(sys.executable).parent / "sqlite-utils")
    tables = subprocess.run([tool, "tables", str(settings.db_path), "--counts"], capture_output=True, text=True, check=True)
    counts = {t["table"]: t["count"] for t in json.loads(tables.stdout)}
    assert counts["kudos"] == 3 and counts["kudos_recipients"] == 4


def test_forget_asks_first_and_a_no_removes_nothing(some_kudos, env, capsys):
    import io

    before = export(env, "--format", "json")
    out = io.StringIO()
    assert cli.main(["forget", "U0BOB"], env=env, stdin=io.StringIO("no\n"), stdout=out) == 1
    assert out.getvalue() == "Remove U0BOB from every kudos, for good? Type yes: "
    assert capsys.readouterr().err.strip().endswith("lpbot: nothing removed (answer yes, or add --yes)")
    assert export(env, "--format", "json") == before
    assert cli.main(["forget", "U0BOB"], env=env, stdin=io.StringIO("yes\n"), stdout=io.StringIO()) == 0
    assert "U0BOB" not in export(env, "--format", "json")


def test_a_backup_into_a_folder_that_does_not_exist_is_refused(env, tmp_path, capsys, some_kudos):
    assert cli.main(["backup", str(tmp_path / "no" / "such" / "x.db")], env=env) == 2
    assert capsys.readouterr().err.strip() == f"lpbot: {tmp_path / 'no' / 'such'}: no such folder; create it first, or choose another path"
    assert not (tmp_path / "no").exists()
