"""`lpbot import kudos`: what export writes, or another tool's file in the same shape, read back safely."""

from __future__ import annotations

import io
import json

import pytest

from bot import cli
from storage import Store
from storage import kudos as kudos_store

HEADER = "id,created_at,team_id,channel_id,visibility,giver_id,recipient_id,principle,reason\n"
ROWS = (
    "7,2026-03-02T09:30:00+00:00,T0LOCAL,C0GENERAL,public,U0ALICE,U0BOB,ownership,for owning the spring release\n"
    "7,2026-03-02T09:30:00+00:00,T0LOCAL,C0GENERAL,public,U0ALICE,U0CAROL,ownership,for owning the spring release\n"
    "8,2026-03-05T16:00:00Z,T0LOCAL,G0LEADS,private,U0CAROL,U0DAVE,frugality,for the cheaper staging cluster\n"
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "lpbot.db"
    Store(path).open().close()
    return path


def run(db, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        code = cli.main(["import", *args], env={"LPBOT_DB": str(db)}, stdout=out)
    return code, out.getvalue().strip(), err.getvalue().strip()


def exported(db) -> list[dict]:
    store = Store(db).open_read_only()
    try:
        return list(kudos_store.export_rows(store.db))
    finally:
        store.close()


def test_a_file_is_imported_once_with_its_recipients_and_visibility(db, tmp_path):
    source = tmp_path / "kudos.csv"
    source.write_text(HEADER + ROWS)
    assert run(db, "kudos", str(source)) == (0, f"imported 2 kudos (0 already there) from {source}", "")
    rows = exported(db)
    assert [(r["giver_id"], r["recipient_id"], r["principle"], r["visibility"], r["created_at"]) for r in rows] == [
        ("U0ALICE", "U0BOB", "ownership", "public", "2026-03-02T09:30:00.000000+00:00"),
        ("U0ALICE", "U0CAROL", "ownership", "public", "2026-03-02T09:30:00.000000+00:00"),
        ("U0CAROL", "U0DAVE", "frugality", "private", "2026-03-05T16:00:00.000000+00:00"),
    ]
    # The same file again stores nothing new.
    assert run(db, "kudos", str(source)) == (0, f"imported 0 kudos (2 already there) from {source}", "")
    assert len(exported(db)) == 3


def test_an_export_imports_into_a_new_database_as_it_was(db, tmp_path):
    source = tmp_path / "kudos.csv"
    source.write_text(HEADER + ROWS)
    run(db, "kudos", str(source))
    out = io.StringIO()
    assert cli.main(["export", "kudos", "--format", "json"], env={"LPBOT_DB": str(db)}, stdout=out) == 0
    (tmp_path / "export.json").write_text(out.getvalue())
    fresh = tmp_path / "fresh.db"
    Store(fresh).open().close()
    assert run(fresh, "kudos", str(tmp_path / "export.json"))[:2] == (
        0,
        f"imported 2 kudos (0 already there) from {tmp_path / 'export.json'}",
    )
    strip = [{k: v for k, v in r.items() if k != "id"} for r in exported(db)]
    assert [{k: v for k, v in r.items() if k != "id"} for r in exported(fresh)] == strip


def test_an_export_imported_back_into_its_own_database_adds_nothing(ask, settings, tmp_path):
    """The bot's own kudos (Slack request keys, not the import's content keys) are recognised by what they
    say: who, whom, which principle, why and when."""
    ask("kudos <@U0BOB|bob> <@U0CAROL|carol> ownership for owning the release train together")
    ask("kudos <@U0ALICE|alice> frugality for trimming the CI bill &amp; the cache", user="U0BOB")
    env = {"LPBOT_DB": str(settings.db_path)}
    out = io.StringIO()
    assert cli.main(["export", "kudos"], env=env, stdout=out) == 0
    (tmp_path / "back.csv").write_text(out.getvalue())
    before = exported(settings.db_path)
    assert run(settings.db_path, "kudos", str(tmp_path / "back.csv"))[:2] == (
        0,
        f"imported 0 kudos (2 already there) from {tmp_path / 'back.csv'}",
    )
    assert exported(settings.db_path) == before


def test_every_problem_is_named_by_line_and_field_and_nothing_is_written(db, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text(
        HEADER
        + ROWS
        + "9,last tuesday,T0LOCAL,C0GENERAL,public,U0ALICE,U0BOB,ownership,for something\n"
        + "10,2026-03-06T10:00:00Z,T0LOCAL,C0GENERAL,loud,U0ALICE,bob,think-small,for something\n"
        + "11,2026-03-06T10:00:00Z,T0LOCAL,,,U0ALICE,U0ALICE,ownership,\n"
    )
    code, out, err = run(db, "kudos", str(source))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "lpbot: nothing was imported; fix these and run it again:",
        f"{source}: line 5: created_at 'last tuesday' is not an ISO 8601 time, like 2026-11-02T09:30:00+00:00",
        f"{source}: line 6: recipient_id 'bob' is not a Slack user ID (U… or W…)",
        f"{source}: line 6: principle 'think-small' is not in the catalog (its slugs, as `lpbot export` writes them)",
        f"{source}: line 6: visibility 'loud' is not one of public, private, dm, none, unknown",
        f"{source}: line 7: reason is empty",
        f"{source}: line 7: giver_id and recipient_id are the same person",
    ]
    assert exported(db) == []


def test_a_file_that_is_not_the_export_shape_is_one_line(db, tmp_path):
    (tmp_path / "notes.csv").write_text("name,score\nbob,3\n")
    code, _, err = run(db, "kudos", str(tmp_path / "notes.csv"))
    assert (code, err) == (
        1,
        f"lpbot: {tmp_path / 'notes.csv'}: the header lacks id, created_at, team_id, giver_id, recipient_id, principle, reason; "
        "it needs id, created_at, team_id, giver_id, recipient_id, principle, reason (and may have channel_id, visibility)",
    )
    (tmp_path / "x.json").write_text(json.dumps({"kudos": []}))
    assert run(db, "kudos", str(tmp_path / "x.json"))[2] == (
        f"lpbot: {tmp_path / 'x.json'}: a JSON list of records is expected, as `lpbot export kudos --format json` writes"
    )


WEEKLY = (
    "team_id,channel_id,week,principle,posted_at,eligible\n"
    'T0LOCAL,C0GENERAL,2026-W10,ownership,2026-03-02T09:00:00Z,"ownership,frugality,dive-deep"\n'
    "T0LOCAL,C0GENERAL,2026-W11,frugality,2026-03-09T09:00:00+00:00,\n"
)


def test_posted_weeks_are_exported_and_imported_once(db, tmp_path):
    source = tmp_path / "weekly.csv"
    source.write_text(WEEKLY)
    assert run(db, "weekly", str(source)) == (0, f"imported 2 posted weeks (0 already there) from {source}", "")
    assert run(db, "weekly", str(source))[1] == f"imported 0 posted weeks (2 already there) from {source}"
    out = io.StringIO()
    assert cli.main(["export", "weekly"], env={"LPBOT_DB": str(db)}, stdout=out) == 0
    assert out.getvalue().splitlines() == [
        "team_id,channel_id,week,principle,posted_at,eligible",
        'T0LOCAL,C0GENERAL,2026-W10,ownership,2026-03-02T09:00:00.000000+00:00,"ownership,frugality,dive-deep"',
        "T0LOCAL,C0GENERAL,2026-W11,frugality,2026-03-09T09:00:00.000000+00:00,",
    ]
    # What was imported counts as posted for the rotation and insights, as any week the bot posted.
    store = Store(db).open_read_only()
    try:
        from storage import weekly as weekly_store

        assert [(e.period, e.principle, str(e.status)) for e in weekly_store.ledger(store.db, "T0LOCAL", "C0GENERAL")] == [
            ("2026-W10", "ownership", "posted"),
            ("2026-W11", "frugality", "posted"),
        ]
    finally:
        store.close()


def test_a_weekly_file_with_problems_writes_nothing(db, tmp_path):
    source = tmp_path / "weekly.csv"
    source.write_text(WEEKLY + "T0LOCAL,general,week 12,think-small,soon,frugal\n")
    code, _, err = run(db, "weekly", str(source))
    assert code == 1
    assert err.splitlines()[1:] == [
        f"{source}: line 4: channel_id 'general' is not a Slack channel ID",
        f"{source}: line 4: week 'week 12' is not an ISO week, like 2026-W14",
        f"{source}: line 4: principle 'think-small' is not in the catalog (its slugs, as `lpbot export` writes them)",
        f"{source}: line 4: principle 'frugal' is not in the catalog (its slugs, as `lpbot export` writes them)",
        f"{source}: line 4: posted_at 'soon' is not an ISO 8601 time, like 2026-11-02T09:00:00+00:00",
    ]
    out = io.StringIO()
    cli.main(["export", "weekly"], env={"LPBOT_DB": str(db)}, stdout=out)
    assert out.getvalue() == "team_id,channel_id,week,principle,posted_at,eligible\n"
