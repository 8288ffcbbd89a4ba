"""Finding the principle a person meant, from a number, a name, an alias or a typo."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from principles.catalog import Catalog, Principle, normalize

# Below this similarity a guess is more likely wrong than helpful.
_TYPO_THRESHOLD = 0.75
# A typo match must beat the runner-up by this much, or we ask instead of guessing.
_TYPO_MARGIN = 0.06
SUGGESTION_COUNT = 3
_STOPWORDS = frozenset("a an and the of to in on for is are be it we our you your or with by at as".split())
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


def match_principle(catalog: Catalog, query: str, *, fuzzy: bool = True) -> Match:
    """Resolve a query to one principle; `fuzzy=False` skips the typo rule (for splitting text)."""
    q = normalize(query)
    if not q:
        return Match(None)
    if q.isdigit():
        found = catalog.by_number(int(q)) if len(q) <= 3 else None
        return Match(found) if found else Match(None, catalog.principles[:SUGGESTION_COUNT])

    exact = _owners(catalog, lambda key: key == q)
    if len(exact) == 1:
        return Match(exact[0])

    rules = [lambda key: key.startswith(q)]  # a unique prefix: "frugal"
    if q not in _STOPWORDS:
        rules.append(lambda key: f" {q} " in f" {key} ")  # whole words inside a name: "disagree and commit"
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
    ranked = _rank_by_similarity(catalog, q)
    best = _similarity(catalog, q, ranked[0])
    runner_up = _similarity(catalog, q, ranked[1]) if len(ranked) > 1 else 0.0
    if best >= _TYPO_THRESHOLD and best - runner_up >= _TYPO_MARGIN:
        return Match(ranked[0])
    return Match(None, tuple(ranked[:SUGGESTION_COUNT]))


def _similarity(catalog: Catalog, q: str, principle: Principle) -> float:
    scores = []
    for key in _keys(catalog, principle):
        scores.append(SequenceMatcher(None, q, key).ratio())
        # "custmer" should find "Customer Obsession": compare with each same-length run of words too.
        words, width = key.split(), len(q.split())
        for start in range(len(words) - width + 1):
            window = " ".join(words[start : start + width])
            if window != key:
                scores.append(SequenceMatcher(None, q, window).ratio() * 0.95)
    return max(scores, default=0.0)


def _rank_by_similarity(catalog: Catalog, q: str, among=None) -> list[Principle]:
    candidates = list(among if among is not None else catalog)
    return sorted(candidates, key=lambda p: (-_similarity(catalog, q, p), p.number))


_WEIGHTS = (("name", 5.0), ("aliases", 4.0), ("summary", 2.0), ("description", 1.0), ("practice", 1.0))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> list[str]:
    return [_stem(w) for w in normalize(text).split() if w not in _STOPWORDS]


def search_principles(catalog: Catalog, words: str, limit: int = 5) -> list[Principle]:
    """Principles ranked by how well their names and texts match the words; no match, no entry."""
    query = set(_terms(words))
    if not query:
        return []
    scored = []
    for principle in catalog:
        score, covered = 0.0, set()
        for field_name, weight in _WEIGHTS:
            value = getattr(principle, field_name)
            terms = _terms(" ".join(value) if isinstance(value, tuple) else value)
            for term in query:
                hits = sum(1 for t in terms if t == term or (len(term) >= 4 and t.startswith(term)))
                if hits:
                    covered.add(term)
                    # Each further hit counts less: a word repeated in a long text should not win alone.
                    score += weight * (1 + 0.25 * (hits - 1))
        if score:
            # Matching every word beats matching one word many times.
            scored.append((score * len(covered), principle))
    scored.sort(key=lambda pair: (-pair[0], pair[1].number))
    return [p for _, p in scored[:limit]]
