"""The principles a team lives by: the built-in sets and custom TOML files."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

#: Built-in sets selectable by name through LPBOT_PRINCIPLES; files are loaded in order.
BUILTIN_SETS: dict[str, tuple[str, ...]] = {
    "amazon": ("amazon.toml",),
    "amazon-16": ("amazon.toml", "amazon-2021.toml"),
}
DEFAULT_SET = "amazon"

# A slug is a menu option's value in Slack, which holds at most 150 characters.
MAX_SLUG = 150
_OPTIONAL_TEXT = ("slug", "description", "practice", "emoji", "url")
_KNOWN_KEYS = {"name", "summary", "aliases", "questions", *_OPTIONAL_TEXT}


# A word is a run of letters, marks and digits of any script: Unicode categories L, M and N. The
# marks matter: a Devanagari or Thai word is letters joined by vowel signs, which "\\w" leaves out.
# An apostrophe inside a word joins it ("don't" -> "dont"), as people type it either way.
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Words of any script, folded and separated by single spaces: '#Dive-Deep!' -> 'dive deep',
    'Kundenzufriedenheit Über alles' -> 'kundenzufriedenheit über alles', '誠実！' -> '誠実'.

    NFKC first, so full-width letters and digits ('ＬＰ１２') read as their usual forms, then Unicode
    case folding, which is lower() for every script that has case ('STRASSE' and 'straße' agree).
    Cached: search normalises the same catalog texts for every query."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    return " ".join("".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in folded).split())


class CatalogError(ValueError):
    """A principles file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Principle:
    number: int
    slug: str
    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    practice: str = ""
    questions: tuple[str, ...] = ()
    emoji: str = ""
    url: str = ""

    @property
    def title(self) -> str:
        """The name with its number and emoji, as shown in lists and cards."""
        prefix = f"{self.emoji} " if self.emoji else ""
        return f"{prefix}{self.number}. {self.name}"


@dataclass(frozen=True)
class Catalog:
    name: str
    principles: tuple[Principle, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.principles)

    def __len__(self) -> int:
        return len(self.principles)

    def by_number(self, number: int) -> Principle | None:
        if 1 <= number <= len(self.principles):
            return self.principles[number - 1]
        return None

    def by_slug(self, slug: str) -> Principle | None:
        return next((p for p in self.principles if p.slug == slug), None)

    @cached_property
    def match_keys(self) -> tuple[tuple[str, Principle], ...]:
        """Every normalised name, slug and alias with its principle, worked out once per catalog:
        matching runs on every command, and a kudos tries several runs of words."""
        return tuple(
            (key, principle)
            for principle in self.principles
            for key in dict.fromkeys(normalize(k) for k in (principle.name, principle.slug, *principle.aliases))
            if key
        )

    @cached_property
    def owners_by_key(self) -> dict[str, tuple[Principle, ...]]:
        """The principles each key names, in catalog order, each once: an exact match is one look-up,
        not a pass over every key (a kudos tries up to seven runs of words)."""
        owners: dict[str, dict[Principle, None]] = {}
        for key, principle in self.match_keys:
            owners.setdefault(key, {})[principle] = None
        return {key: tuple(named) for key, named in owners.items()}

    @cached_property
    def longest_key_words(self) -> int:
        """How many words the longest key has: no run of more words can name a principle."""
        return max((len(key.split()) for key, _ in self.match_keys), default=0)

    @cached_property
    def shared_words(self) -> frozenset[str]:
        """Words that stand in the names or aliases of more than one principle ("and", "the", "for",
        "deliver" in a catalog with two "deliver …" values): alone they name none of them."""
        owners: dict[str, set[int]] = {}
        for key, principle in self.match_keys:
            for word in key.split():
                owners.setdefault(word, set()).add(principle.number)
        return frozenset(word for word, numbers in owners.items() if len(numbers) > 1)


def _is_pictograph(text: str) -> bool:
    """An emoji character itself (🚢), which Slack shows as it is: symbols, with joiners and variation selectors."""
    return len(text) <= 8 and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") or c in "\u200d\ufe0f" for c in text)


def _is_slug(slug: str) -> bool:
    """Words as normalize makes them (any script), joined by single dashes."""
    return bool(slug) and "-".join(normalize(slug).split()) == slug


def slugify(name: str) -> str:
    """A name's words joined by dashes, in its own script: 'Kundenzufriedenheit über alles' ->
    'kundenzufriedenheit-über-alles', '誠実' -> '誠実'. No transliteration: a slug is typed as `#tag`
    and shown in Slack, which takes any script, and a romanised guess would be a word nobody wrote."""
    return "-".join(normalize(name).split())


def load_catalog(source: str | Path = DEFAULT_SET) -> Catalog:
    """Load a built-in set by name (``amazon``, ``amazon-16``) or a TOML file by path."""
    if isinstance(source, str) and source in BUILTIN_SETS:
        parts = [_read_builtin(filename) for filename in BUILTIN_SETS[source]]
        name = parts[0][0]
        tables = [table for _, tables in parts for table in tables]
        return _build_catalog(name, tables, origin=f"built-in set {source!r}")
    path = Path(source)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(BUILTIN_SETS)
        raise CatalogError(f"{label}: no such file (built-in sets are: {known})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"{label}: cannot be read ({error})") from None
    name, tables = _parse_toml(text, label)
    return _build_catalog(name, tables, origin=label)


def _read_builtin(filename: str) -> tuple[str, list[dict]]:
    text = resources.files("principles").joinpath("data", filename).read_text(encoding="utf-8")
    return _parse_toml(text, filename)


def _parse_toml(text: str, label: str) -> tuple[str, list[dict]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{label}: not valid TOML ({error})") from None
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f'{label}: needs a top-level name = "..."')
    tables = document.get("principles")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise CatalogError(f"{label}: needs at least one [[principles]] table")
    return name.strip(), tables


def _build_catalog(name: str, tables: list[dict], origin: str) -> Catalog:
    principles: list[Principle] = []
    seen_slugs: set[str] = set()
    for number, table in enumerate(tables, start=1):
        where = f"{origin}: principle {number}"
        unknown = sorted(set(table) - _KNOWN_KEYS)
        if unknown:
            raise CatalogError(f"{where} has unknown key {unknown[0]!r}")
        for key in ("name", "summary"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise CatalogError(f"{where} needs a non-empty {key}")
        for key in _OPTIONAL_TEXT:
            if key in table and not isinstance(table[key], str):
                raise CatalogError(f"{where}: {key} must be a string")
        for key in ("aliases", "questions"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CatalogError(f"{where}: {key} must be a list of strings")
        emoji = table.get("emoji", "").strip()
        if emoji and not re.fullmatch(r":[a-z0-9_+'-]+(::skin-tone-[2-6])?:", emoji) and not _is_pictograph(emoji):
            raise CatalogError(f'{where}: emoji {emoji!r} must be a Slack emoji code with its colons, like emoji = ":ship:"')
        slug = table.get("slug") or slugify(table["name"])
        if not _is_slug(slug):
            raise CatalogError(f"{where}: slug {slug!r} may hold only lower-case letters (any script), digits and single dashes")
        if len(slug) > MAX_SLUG:
            raise CatalogError(
                f"{where} ({table['name'].strip()[:40]}…): its slug is {len(slug)} characters; Slack menus allow "
                f'{MAX_SLUG}: give it a shorter slug = "..."'
            )
        if slug in seen_slugs:
            raise CatalogError(f"{where}: slug {slug!r} is used twice")
        seen_slugs.add(slug)
        principles.append(
            Principle(
                number=number,
                slug=slug,
                name=table["name"].strip(),
                summary=table["summary"].strip(),
                aliases=tuple(a.strip() for a in table.get("aliases", []) if a.strip()),
                description=table.get("description", "").strip(),
                practice=table.get("practice", "").strip(),
                questions=tuple(q.strip() for q in table.get("questions", []) if q.strip()),
                emoji=emoji,
                url=table.get("url", "").strip(),
            )
        )
    return Catalog(name=name, principles=tuple(principles))
