"""Finding the principle a person meant, from a number, a name, an alias or a typo."""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from difflib import SequenceMatcher

from principles.catalog import Catalog, Principle, normalize

# Below this similarity a guess is more likely wrong than helpful.
_TYPO_THRESHOLD = 0.75
# A typo match must beat the runner-up by this much, or we ask instead of guessing.
_TYPO_MARGIN = 0.06
# Reading a kudos, a wrong guess records a principle nobody chose: only a close typo of a whole name
# counts ("ownrship" 0.94, "custmer obsesion" 0.94), never a loose likeness ("on team" and "own it": 0.75).
_NAMED_TYPO_THRESHOLD = 0.8
SUGGESTION_COUNT = 3
# Function words: alone, or only with each other, they name no principle ("for" is not "Bias for
# Action"). English first, then the words that play the same part in the languages custom catalogs are
# most often written in; a catalog's own shared words (Catalog.shared_words) are added per catalog.
_STOPWORDS = frozenset(
    """
    a an and the of to in on for from is are be it its we our you your or with by at as this that so
    und der die das den dem des ein eine einen für mit von zu im am ist sind auf oder
    et le la les l un une des du de pour avec sur dans au aux est ou
    y el los las lo una unos unas del por para con en es o
    e os as um uma do da dos das pelo pela com no na em é ou
    il lo gli i della di per con nel è
    en het een van voor met op in is of
    и в во на с со за по для от к о об а но или это
    """.split()
)
_LONGEST_QUERY = 80


@dataclass(frozen=True)
class Match:
    """The principle found, or None with the best suggestions to offer instead."""

    principle: Principle | None
    suggestions: tuple[Principle, ...] = ()

    @property
    def found(self) -> bool:
        return self.principle is not None


def _keys(catalog: Catalog, principle: Principle) -> list[str]:
    return [key for key, owner in catalog.match_keys if owner is principle]


def _owners(catalog: Catalog, contains) -> list[Principle]:
    """The principles with a key that `contains` accepts, in catalog order, each once."""
    return list(dict.fromkeys(owner for key, owner in catalog.match_keys if contains(key)))


def match_principle(catalog: Catalog, query: str, *, fuzzy: bool = True, named: bool = False) -> Match:
    """Resolve a query to one principle; `fuzzy=False` skips the typo rule.

    `named=True` is for reading a kudos, where a guess would record a principle nobody chose: the
    query must be a number, a slug, a name or an alias, or (with `fuzzy`) a typo of a whole one; a
    prefix or a word from inside a name ("the best", "action") is not enough there."""
    q = normalize(query)
    if not q:
        return Match(None)
    if q.isdecimal():
        found = catalog.by_number(int(q)) if len(q) <= 3 else None
        return Match(found) if found else Match(None, catalog.principles[:SUGGESTION_COUNT])

    exact = catalog.owners_by_key.get(q, ())
    if len(exact) == 1:
        return Match(exact[0])
    if _only_common_words(catalog, q):
        # "for", "and the": words every other sentence holds. Taking them for a principle would record
        # one nobody chose; offer the closest instead and let the person say.
        return Match(None, tuple(_rank_by_similarity(catalog, q)[:SUGGESTION_COUNT]))

    rules = [
        lambda key: key.startswith(q),  # a unique prefix: "frugal"
        lambda key: f" {q} " in f" {key} ",  # whole words inside a name: "disagree and commit"
    ]
    if named:
        rules = []
    for contains in rules:
        hits = _owners(catalog, contains)
        if len(hits) == 1:
            return Match(hits[0])
        if len(hits) > 1:
            return Match(None, tuple(_rank_by_similarity(catalog, q, among=hits)[:SUGGESTION_COUNT]))

    if not fuzzy:
        return Match(None)
    # Nobody types a principle in more than a few words; past that, similarity is noise and slow.
    q = q[:_LONGEST_QUERY]
    ranked = _rank_by_similarity(catalog, q, windows=not named)
    best = _similarity(catalog, q, ranked[0], windows=not named)
    runner_up = _similarity(catalog, q, ranked[1], windows=not named) if len(ranked) > 1 else 0.0
    if best >= (_NAMED_TYPO_THRESHOLD if named else _TYPO_THRESHOLD) and best - runner_up >= _TYPO_MARGIN:
        return Match(ranked[0])
    return Match(None, tuple(ranked[:SUGGESTION_COUNT]))


def _only_common_words(catalog: Catalog, text: str) -> bool:
    common = _STOPWORDS | catalog.shared_words
    return all(word in common for word in text.split())


def _similarity(catalog: Catalog, q: str, principle: Principle, windows: bool = True) -> float:
    scores = []
    for key in _keys(catalog, principle):
        scores.append(SequenceMatcher(None, q, key).ratio())
        if not windows:
            continue
        # "custmer" should find "Customer Obsession": compare with each same-length run of words too,
        # except runs of common words only: "for" is no typo of "Bias for Action".
        words, width = key.split(), len(q.split())
        for start in range(len(words) - width + 1):
            window = " ".join(words[start : start + width])
            if window != key and not _only_common_words(catalog, window):
                scores.append(SequenceMatcher(None, q, window).ratio() * 0.95)
    return max(scores, default=0.0)


def _rank_by_similarity(catalog: Catalog, q: str, among=None, windows: bool = True) -> list[Principle]:
    candidates = list(among if among is not None else catalog)
    return sorted(candidates, key=lambda p: (-_similarity(catalog, q, p, windows), p.number))


_WEIGHTS = (("name", 5.0), ("aliases", 4.0), ("summary", 2.0), ("description", 1.0), ("practice", 1.0))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> list[str]:
    return [_stem(w) for w in normalize(text).split() if w not in _STOPWORDS]


@functools.lru_cache(maxsize=4096)
def _indexed(principle: Principle) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """Each searched field's weight and its terms in sorted order, worked out once per principle: every
    search (and every kudos reaction's suggestions) would otherwise normalise and stem the catalog's
    texts again, and sorted terms let a hit count be two binary searches instead of a pass."""
    fields = []
    for field_name, weight in _WEIGHTS:
        value = getattr(principle, field_name)
        fields.append((weight, tuple(sorted(_terms(" ".join(value) if isinstance(value, tuple) else value)))))
    return tuple(fields)


def _hits(term: str, ordered: tuple[str, ...]) -> int:
    """How many of the sorted terms are `term`, or, for a term of four letters or more, start with it."""
    start = bisect.bisect_left(ordered, term)
    if len(term) < 4:
        return bisect.bisect_right(ordered, term, lo=start) - start
    # Every string that starts with `term` sorts between it and `term` followed by the last code point.
    return bisect.bisect_left(ordered, term + "\U0010ffff", lo=start) - start


def search_principles(catalog: Catalog, words: str, limit: int = 5) -> list[Principle]:
    """Principles ranked by how well their names and texts match the words; no match, no entry."""
    query = set(_terms(words))
    if not query:
        return []
    scored = []
    for principle in catalog:
        score, covered = 0.0, set()
        for weight, terms in _indexed(principle):
            for term in query:
                hits = _hits(term, terms)
                if hits:
                    covered.add(term)
                    # Each further hit counts less: a word repeated in a long text should not win alone.
                    score += weight * (1 + 0.25 * (hits - 1))
        if score:
            # Matching every word beats matching one word many times.
            scored.append((score * len(covered), principle))
    scored.sort(key=lambda pair: (-pair[0], pair[1].number))
    return [p for _, p in scored[:limit]]
