"""Which principle a channel's weekly post gets: balanced (the least recognized lately), sequential or shuffle. Pure."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from principles import Catalog, Principle
from storage.kudos import iso
from storage.weekly import LedgerEntry

BALANCE_WINDOW = timedelta(weeks=8)
NOT_AGAIN_WITHIN = timedelta(weeks=6)


# `balanced` draws among this many least recognized principles: a fair experiment, since which of
# them is featured is then chance, and the ones not drawn are a same-week comparison for it.
DRAWN_AMONG = 3


@dataclass(frozen=True)
class Choice:
    principle: Principle
    why: str
    eligible: tuple[str, ...] = ()  # the slugs it was drawn among (balanced), recorded in the ledger


def choose_principle(
    policy: str,
    catalog: Catalog,
    shown: list[LedgerEntry],
    kudos_counts: dict[str, int],
    *,
    now: datetime,
    seed: str,
) -> Choice:
    """The principle for a channel's next post. `shown` is the channel's posted weeks, oldest first."""
    principles = list(catalog)
    posted = [entry.principle for entry in shown]
    if policy == "sequential":
        last = catalog.by_slug(posted[-1]) if posted else None
        chosen = principles[last.number % len(principles)] if last else principles[0]
        return Choice(chosen, f"Principle {chosen.number} of {len(principles)}, taken in order.")
    if policy == "shuffle":
        rounds, into_round = divmod(len(posted), len(principles))
        this_round = set(posted[len(posted) - into_round :]) if into_round else set()
        order = principles[:]
        random.Random(f"{seed}:{rounds}").shuffle(order)
        chosen = next((p for p in order if p.slug not in this_round), order[0])
        return Choice(chosen, f"Each principle once a round, in shuffled order: round {rounds + 1}.")
    recent = {entry.principle for entry in shown if entry.scheduled_for >= iso(now - NOT_AGAIN_WITHIN)}
    candidates = [p for p in principles if p.slug not in recent] or principles
    last_shown = {entry.principle: entry.scheduled_for for entry in shown}
    ranked = sorted(candidates, key=lambda p: (kudos_counts.get(p.slug, 0), last_shown.get(p.slug, ""), p.number))
    eligible = ranked[:DRAWN_AMONG]
    # Seeded by channel and week: a rerun, a retry or another replica draws the same one.
    chosen = random.Random(f"{seed}:{now:%G-W%V}").choice(eligible)
    count = kudos_counts.get(chosen.slug, 0)
    weeks = BALANCE_WINDOW.days // 7
    others = ", ".join(p.name for p in eligible if p is not chosen)
    among = f", drawn at random with {others}" if others else ""
    why = (
        f"{count} kudos for {chosen.name} in the last {weeks} weeks: among the {len(eligible)} least recognized lately "
        f"of the {len(candidates)} not shown here in the last {NOT_AGAIN_WITHIN.days // 7} weeks{among}."
    )
    return Choice(chosen, why, tuple(p.slug for p in eligible))


def question_for(principle: Principle, times_posted_before: int) -> str | None:
    if not principle.questions:
        return None
    return principle.questions[times_posted_before % len(principle.questions)]
