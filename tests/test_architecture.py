"""docs/ARCHITECTURE.md states the rules; these keep the tree to them."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from storage import Store

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "principles", "storage")
ARCHITECTURE = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
PURE = (
    "bot/refusal.py",
    "bot/slack/terms.py",
    "bot/slack/person.py",
    "bot/slash/intents.py",
    "bot/kudos/rules.py",
    "bot/kudos/inline.py",
    "bot/kudos/heard.py",
    "bot/weekly/rotation.py",
    "bot/weekly/schedule_time.py",
    "bot/insights/figures.py",
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot" / "messages").glob("*.py")),
)
# What no pure module may reach, however indirectly: a Web API client, Bolt, sending, services, listeners.
IMPURE = ("slack_bolt", "slack_sdk.web", "slack_sdk.WebClient", "slack_sdk.webhook", "slack_sdk.socket_mode")
IMPURE_OURS = ("bot.slack.delivery", "bot.services", "bot.listeners", "bot.app")
FEATURES = ("kudos", "weekly", "insights")
# Rule 6's list: the only modules outside bot/messages/ that hold sentences a person reads.
SENTENCES_ALLOWED = {
    "bot/slash/intents.py",
    "bot/kudos/rules.py",
    "bot/weekly/rotation.py",
    "bot/weekly/schedule_time.py",
    "bot/slack/terms.py",
    "bot/slack/person.py",
    "bot/slack/rosters.py",
    "bot/insights/charts.py",
    "bot/ops/doctor.py",
    "bot/ops/importing.py",
    "bot/cli.py",
    "bot/console/session.py",
}


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def imports(path: Path) -> frozenset[str]:
    """Every module a file imports, wherever in the file (inside functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def file_of(module: str) -> Path | None:
    """Our file for a dotted name (a module, a package, or a name inside one), or None for anyone else's."""
    parts = module.split(".")
    while parts:
        base = ROOT.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        parts.pop()
    return None


def reach(path: Path) -> dict[str, str]:
    """Everything a file imports, directly or through our own modules: {module: the file that imports it}."""
    seen: dict[str, str] = {}
    todo, visited = [path], set()
    while todo:
        current = todo.pop()
        if current in visited:
            continue
        visited.add(current)
        for module in imports(current):
            seen.setdefault(module, relative(current))
            ours = file_of(module) if module.startswith(PACKAGES) else None
            if ours:
                todo.append(ours)
    return seen


# -- rule 1: layers -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", modules("principles"), ids=relative)
def test_principles_import_nothing_of_the_bot_storage_or_slack(path):
    assert not {m for m in imports(path) if m.startswith(("bot", "storage", "slack_sdk", "slack_bolt", "urllib.request"))}


@pytest.mark.parametrize("path", modules("storage"), ids=relative)
def test_storage_imports_nothing_of_the_bot_or_slack(path):
    assert not {m for m in imports(path) if m.startswith(("bot", "slack_sdk", "slack_bolt"))}


def test_only_the_app_factory_and_the_listeners_import_listeners():
    importers = {relative(p) for p in modules("bot") if any(m.startswith("bot.listeners") for m in imports(p))}
    assert importers <= {"bot/app.py"} | {relative(p) for p in (ROOT / "bot" / "listeners").glob("*.py")}


# -- rule 2: SQL ----------------------------------------------------------------------------------

SQL = re.compile(
    r"^\s*(select\b.+\bfrom\b|insert\s+(or\s+\w+\s+)?into\b|replace\s+into\b|update\s+\w+\s+set\b|delete\s+from\b"
    r"|create\s+(unique\s+)?(table|index|trigger|view)\b|alter\s+table\b|drop\s+(table|index|trigger|view)\b"
    r"|with\s+(recursive\s+)?\w+(\s*\([^)]*\))?\s+as\s*\(|pragma\s+\w+|begin\b|savepoint\b)",
    re.IGNORECASE | re.DOTALL,
)
DATABASE_CALLS = {"execute", "executemany", "executescript", "query", "table", "insert", "insert_all", "upsert", "upsert_all"}


def sql_in(source: str) -> list[str]:
    """The SQL a piece of Python writes or runs: string literals that are statements (f-strings read
    with their holes filled), and calls of the database's own methods."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            text = "".join(str(part.value) if isinstance(part, ast.Constant) else "x" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DATABASE_CALLS:
            found.append(f"a call of .{node.func.attr}()")
            continue
        else:
            continue
        # A sentence ends like one ("Select a principle from the list."); a statement does not.
        if SQL.search(text) and not re.search(r"[.!]\s*$", text):
            found.append(text.strip()[:60])
    return found


@pytest.mark.parametrize(
    "source",
    [
        'q = "select name from kudos"',
        'q = "SELECT name\\n FROM kudos WHERE x = ?"',
        'q = f"WITH recent AS (SELECT 1) SELECT * FROM {table}"',
        'q = "replace into kudos (id) values (1)"',
        'q = "insert or ignore into kudos (id) values (1)"',
        'q = "Update kudos set reason = ?"',
        'q = "PRAGMA user_version"',
        'db.execute("VACUUM")',
        'db.table("kudos").insert({"id": 1})',
        'store.db["kudos"].upsert({"id": 1}, pk="id")',
    ],
)
def test_the_sql_check_sees_sql_in_any_case_and_sqlite_utils_calls(source):
    assert sql_in(source)


def test_the_sql_check_leaves_sentences_alone():
    assert sql_in('text = "Select a principle from the list."; other = "Update: the post went out."') == []


@pytest.mark.parametrize("path", modules("bot", "principles"), ids=relative)
def test_sql_is_written_and_run_only_in_storage(path):
    assert sql_in(path.read_text()) == []


# -- rule 3: purity, all the way down ---------------------------------------------------------------


@pytest.mark.parametrize("path", [ROOT / p for p in PURE], ids=relative)
def test_pure_modules_reach_no_client_bolt_delivery_services_or_listeners(path):
    reached = reach(path)
    assert {m: by for m, by in reached.items() if m.startswith(IMPURE) or m.startswith(IMPURE_OURS)} == {}
    assert "TYPE_CHECKING" not in path.read_text()


@pytest.mark.parametrize(
    "path", [ROOT / p for p in ("bot/refusal.py", "bot/slack/terms.py", "bot/slack/person.py", "bot/messages/replies.py")], ids=relative
)
def test_leaves_import_nothing_of_the_bot_but_other_leaves(path):
    leaves = {"bot.refusal", "bot.slack.terms", "bot.slack.person", "bot.messages.replies", "bot.messages.text"}
    ours = {m for m in imports(path) if m.startswith("bot")}
    assert {m for m in ours if not any(m == leaf or m.startswith(leaf + ".") for leaf in leaves)} == set()


def test_the_purity_check_follows_imports_through_other_modules():
    # kudos/rules.py reached users.info through people.py once; the check must see through such a chain.
    assert "bot.services" in reach(ROOT / "bot" / "kudos" / "service.py")
    assert "slack_sdk.WebClient" in reach(ROOT / "bot" / "asker.py")


# -- rule 4: folders ----------------------------------------------------------------------------------


def folder_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "bot" else None


@pytest.mark.parametrize("path", modules("bot/messages", "bot/slack"), ids=relative)
def test_messages_and_slack_import_no_feature(path):
    allowed = {"bot.insights.figures"} if "messages" in path.parts else set()
    crossing = {m for m in imports(path) if folder_of(m) in (*FEATURES, "slash") and not any(m.startswith(a) for a in allowed)}
    assert crossing == set()


@pytest.mark.parametrize("path", modules(*(f"bot/{f}" for f in FEATURES)), ids=relative)
def test_features_import_no_other_feature_or_the_command(path):
    own = path.relative_to(ROOT / "bot").parts[0]
    crossing = {m for m in imports(path) if folder_of(m) in (*FEATURES, "slash") and folder_of(m) != own}
    assert crossing == set()


def test_outside_its_folder_kudos_is_reached_through_the_service():
    allowed = ("bot.kudos.service", "bot.kudos.rules", "bot.kudos.heard")
    outside = [p for p in modules("bot") if "kudos" not in p.parts and "listeners" not in p.parts]
    crossing = {relative(p): m for p in outside for m in imports(p) if m.startswith("bot.kudos.") and not m.startswith(allowed)}
    assert crossing == {}


def test_only_the_service_stores_a_kudos():
    callers = set()
    for path in modules("bot"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "give" and isinstance(node.value, ast.Name) and node.value.id == "rules":
                callers.add(relative(path))
            if isinstance(node, ast.ImportFrom) and node.module == "bot.kudos.rules" and any(a.name == "give" for a in node.names):
                callers.add(relative(path))
    assert callers == {"bot/kudos/service.py"}


def test_bot_keeps_about_a_dozen_top_level_modules():
    top = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert len(top) <= 12, top


# -- rule 5: the map and the schema ---------------------------------------------------------------------


def test_every_module_is_on_the_map():
    listed = set(re.findall(r"^\| `([\w/]+\.py)` \|", ARCHITECTURE, re.MULTILINE))
    present = {relative(p) for p in modules(*PACKAGES)}
    assert present - listed == set(), "add these to docs/ARCHITECTURE.md's table"
    assert listed - present == set(), "these are listed but no longer exist"


def test_the_database_table_names_every_table_and_column(tmp_path):
    section = ARCHITECTURE.split("## Database", 1)[1].split("\n## ", 1)[0]
    documented = {name: set(re.findall(r"`(\w+)`", columns)) for name, columns in re.findall(r"^\| `(\w+)` \| (.*?) \|", section, re.M)}
    store = Store(tmp_path / "lpbot.db").open()
    try:
        schema = {table: {c.name for c in store.db[table].columns} for table in store.db.table_names()}
    finally:
        store.close()
    assert set(documented) == set(schema)
    assert {table: columns - documented[table] for table, columns in schema.items() if columns - documented[table]} == {}


# -- rule 6: sentences ----------------------------------------------------------------------------------------


def sentences(path: Path) -> list[str]:
    """String literals a person would read as a sentence (four words or more, ending like one, or naming
    a /lp command), leaving out docstrings and what goes to the log."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            logged = node.func.attr in ("debug", "info", "warning", "error", "exception", "add_argument", "add_parser")
            if logged:
                skip.update(id(part) for part in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
            text = "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if len(text.split()) >= 4 and (re.search(r"[.?!:]\s*$", text.strip()) or "`/lp" in text):
            found.append(text[:60])
    return found


@pytest.mark.parametrize("path", [p for p in modules("bot") if "messages" not in p.parts], ids=relative)
def test_sentences_live_in_the_message_builders_or_the_listed_modules(path):
    if relative(path) not in SENTENCES_ALLOWED:
        assert sentences(path) == []


def test_the_listed_modules_are_the_ones_the_document_names():
    rule = ARCHITECTURE.split("6. **Text a person reads", 1)[1].split("\n7. ", 1)[0]
    assert set(re.findall(r"`(bot/[\w/]+\.py)`", rule)) - {"bot/refusal.py"} == SENTENCES_ALLOWED
    assert all(sentences(ROOT / p) for p in SENTENCES_ALLOWED), "a listed module holds no sentence any more: take it off the list"
