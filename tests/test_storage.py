import threading

from storage import Store


def test_open_creates_the_folder_and_applies_migrations(tmp_path):
    store = Store(tmp_path / "a" / "b" / "lpbot.db").open()
    assert (tmp_path / "a" / "b" / "lpbot.db").exists()
    assert store.pending_migrations() == []
    assert {"kudos", "kudos_recipients", "member_settings"} <= set(store.db.table_names())
    store.close()


def test_connection_settings(tmp_path):
    store = Store(tmp_path / "lpbot.db").open()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    store.close()


def test_every_table_carries_the_team(tmp_path):
    store = Store(tmp_path / "lpbot.db").open()
    for name in store.db.table_names():
        if not name.startswith("_"):
            assert "team_id" in store.db[name].columns_dict, name
    store.close()


def test_each_thread_gets_its_own_connection(tmp_path):
    store = Store(tmp_path / "lpbot.db").open()
    seen = []
    thread = threading.Thread(target=lambda: seen.append((store.db.conn, store.ping())))
    thread.start()
    thread.join()
    assert seen[0][1] is True
    assert seen[0][0] is not store.db.conn
    store.close()


def test_reopening_applies_nothing_twice(tmp_path):
    Store(tmp_path / "lpbot.db").open().close()
    store = Store(tmp_path / "lpbot.db").open()
    names = [row["name"] for row in store.db["_sqlite_migrations"].rows]
    assert len(names) == len(set(names)) > 0
    store.close()


def test_monthly_totals_follow_every_insert_and_delete(tmp_path):
    import random
    from datetime import datetime, timedelta, timezone

    from storage import kudos as kudos_store

    store = Store(tmp_path / "lpbot.db").open()
    rng = random.Random(3)
    people = ["U0A", "U0B", "U0C", "U0D"]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with store.write() as db:
        for _ in range(300):
            kudos_store.insert_kudos(
                db,
                team_id=rng.choice(["T1", "T2"]),
                giver_id=rng.choice(people),
                recipients=tuple(rng.sample(people, rng.randint(1, 3))),
                principle=rng.choice(["ownership", "dive-deep", "frugality"]),
                reason="a reason long enough",
                channel_id="C1",
                message_link=None,
                created_at=start + timedelta(hours=rng.randint(0, 24 * 300)),
            )
        for kudos_id in rng.sample(range(1, 301), 40):
            kudos_store.delete_kudos(db, kudos_id)
        kudos_store.forget_user(db, "U0C")

    def from_rows(team, since, principle=None):
        # The same question, answered from the rows with a period that is not a month start.
        return kudos_store.leaderboard(
            store.db, team, since - timedelta(microseconds=1) if since else start - timedelta(days=1), principle, limit=99
        )

    month = datetime(2026, 6, 1, tzinfo=timezone.utc)
    for team in ("T1", "T2"):
        assert kudos_store.leaderboard(store.db, team, None, limit=99) == from_rows(team, None)
        assert kudos_store.leaderboard(store.db, team, month, "dive-deep", limit=99) == from_rows(team, month, "dive-deep")
    for table in ("kudos_monthly", "kudos_totals"):
        assert not [row for row in store.db[table].rows if row["received"] <= 0]
        assert "U0C" not in {row["recipient_id"] for row in store.db[table].rows}
    store.close()


def test_the_ledger_moves_only_along_its_transitions(fresh_db):
    from datetime import datetime, timezone

    from storage import weekly as weekly_store
    from storage.weekly import PostStatus

    now = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
    week = ("T1", "C1", "2026-W49")
    assert weekly_store.claim(fresh_db, *week, "ownership", now, now) == "ownership"
    assert weekly_store.claim(fresh_db, *week, "frugality", now, now) is None  # someone holds it
    assert weekly_store.finish(fresh_db, *week, PostStatus.UNCERTAIN, now)
    assert weekly_store.finish(fresh_db, *week, PostStatus.POSTED, now)
    # Once posted, nothing moves it: not a late failure, not another doubt, not a new claim.
    assert not weekly_store.finish(fresh_db, *week, PostStatus.FAILED, now)
    assert not weekly_store.finish(fresh_db, *week, PostStatus.UNCERTAIN, now)
    assert weekly_store.claim(fresh_db, *week, "frugality", now, now) is None
    assert weekly_store.entry(fresh_db, *week).status == PostStatus.POSTED


def test_a_failed_week_is_claimed_again_with_its_first_principle(fresh_db):
    from datetime import datetime, timezone

    from storage import weekly as weekly_store
    from storage.weekly import PostStatus

    now = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
    week = ("T1", "C1", "2026-W49")
    weekly_store.claim(fresh_db, *week, "ownership", now, now)
    assert weekly_store.finish(fresh_db, *week, PostStatus.FAILED, now, error="internal_error")
    assert weekly_store.claim(fresh_db, *week, "frugality", now, now) == "ownership"


def test_the_database_its_wal_and_its_folder_are_readable_by_their_owner_only(tmp_path):
    import os
    import stat

    old = os.umask(0o022)  # the usual umask, which would make a new file readable by everyone
    try:
        store = Store(tmp_path / "data" / "lpbot.db").open()
        with store.write() as db:
            db.execute("CREATE TABLE probe (x)")
        backup = tmp_path / "backups" / "copy.db"
        store.backup(backup)
        folder = tmp_path / "data"
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}  # while open: the WAL is there
        store.close()
    finally:
        os.umask(old)
    assert modes == {"lpbot.db": 0o600, "lpbot.db-wal": 0o600, "lpbot.db-shm": 0o600}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_the_oauth_file_of_tokens_is_readable_by_its_owner_only(tmp_path):
    import os
    import stat

    from bot.settings import load_settings
    from bot.slack.workspaces import installation_store, oauth_database

    settings = load_settings({"LPBOT_DB": str(tmp_path / "d" / "lpbot.db")})
    old = os.umask(0o022)
    try:
        installation_store(settings)
    finally:
        os.umask(old)
    assert stat.S_IMODE(oauth_database(settings).stat().st_mode) == 0o600


def test_installation_tokens_are_encrypted_at_rest_with_lpbot_token_key(tmp_path):
    import sqlite3

    from cryptography.fernet import Fernet
    from slack_sdk.oauth.installation_store import Installation

    from bot.settings import load_settings
    from bot.slack.workspaces import installation_store, oauth_database

    key = Fernet.generate_key().decode()
    env = {"LPBOT_DB": str(tmp_path / "lpbot.db"), "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x" * 16}
    store = installation_store(load_settings({**env, "LPBOT_TOKEN_KEY": key}))
    store.save(Installation(app_id="A1", team_id="T1", user_id="U1", bot_token="xoxb-secret-bot-token", bot_id="B1", bot_user_id="U0B"))
    # The file holds no token a copy of it would give away...
    with sqlite3.connect(oauth_database(load_settings(env))) as raw:
        stored = [
            v for row in raw.execute("SELECT bot_token FROM slack_bots UNION ALL SELECT bot_token FROM slack_installations") for v in row
        ]
    assert stored and all(v.startswith("fernet:") and "xoxb-secret" not in v for v in stored)
    # ...and the bot reads it back with the key.
    assert store.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-secret-bot-token"
    # Without the right key, nothing is opened.
    other = installation_store(load_settings({**env, "LPBOT_TOKEN_KEY": Fernet.generate_key().decode()}))
    assert other.find_bot(enterprise_id=None, team_id="T1") is None


def test_a_malformed_token_key_is_one_line():
    import pytest

    from bot.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="^LPBOT_TOKEN_KEY must be a Fernet key: make one with"):
        load_settings({"LPBOT_TOKEN_KEY": "not-a-key"})
