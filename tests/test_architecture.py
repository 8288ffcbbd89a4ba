"""docs/ARCHITECTURE.md states the rules; these keep the tree to them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "principles", "storage")
PURE = (
    "bot/slash/intents.py",
    "bot/kudos/rules.py",
    "bot/weekly/rotation.py",
    "bot/weekly/schedule_time.py",
    "bot/messages/__init__.py",
    "bot/slack/terms.py",
    "bot/refusal.py",
    "bot/kudos/inline.py",
    "bot/insights/figures.py",
)


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def imports(path: Path) -> set[str]:
    """Every module a file imports, wherever in the file (inside functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", modules("principles"), ids=relative)
def test_principles_import_nothing_of_the_bot_storage_or_slack(path):
    assert not {m for m in imports(path) if m.startswith(("bot", "storage", "slack_sdk", "slack_bolt", "urllib.request"))}


@pytest.mark.parametrize("path", modules("storage"), ids=relative)
def test_storage_imports_nothing_of_the_bot_or_slack(path):
    assert not {m for m in imports(path) if m.startswith(("bot", "slack_sdk", "slack_bolt"))}


@pytest.mark.parametrize("path", [ROOT / p for p in PURE], ids=relative)
def test_pure_modules_import_no_client_bolt_delivery_services_or_listeners(path):
    forbidden = ("slack_bolt", "slack_sdk.web", "slack_sdk.WebClient", "bot.slack.delivery", "bot.services", "bot.listeners", "bot.app")
    assert not {m for m in imports(path) if m.startswith(forbidden)}
    assert "TYPE_CHECKING" not in path.read_text()


@pytest.mark.parametrize("path", modules("bot", "principles"), ids=relative)
def test_sql_is_written_only_in_storage(path):
    statement = re.compile(r"""["'](\s*)(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|INDEX|TRIGGER))\b""")
    assert not statement.search(path.read_text())


def test_only_the_listeners_package_imports_listeners():
    importers = {relative(p) for p in modules("bot") if any(m.startswith("bot.listeners") for m in imports(p))}
    assert importers <= {"bot/app.py"} | {relative(p) for p in (ROOT / "bot" / "listeners").glob("*.py")}


def test_every_module_is_on_the_map():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    listed = set(re.findall(r"^\| `([\w/]+\.py)` \|", text, re.MULTILINE))
    present = {relative(p) for p in modules(*PACKAGES)}
    assert present - listed == set(), "add these to docs/ARCHITECTURE.md's table"
    assert listed - present == set(), "these are listed but no longer exist"
