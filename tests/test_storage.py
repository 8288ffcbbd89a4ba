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
