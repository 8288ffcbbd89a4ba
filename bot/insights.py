"""What a team's kudos say about its culture over a period: the figures behind /lp insights and the
monthly digest, and the nudge effect of the principle of the week. Pure: counts in, figures out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from principles import Catalog

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
NAMED_PERIODS = {"quarter": 13, "year": 52}
# Below this many kudos for a principle in the period, a ratio would be noise: say so instead.
NUDGE_MIN_KUDOS = 5
LEAST = 3


@dataclass(frozen=True)
class Period:
    weeks: int
    label: str


def parse_period(text: str) -> Period | None:
    """'', 'quarter', 'year', '8 weeks', '8w' or '8'; None when it is none of these."""
    words = text.strip().lower()
    if not words:
        return Period(DEFAULT_WEEKS, f"the last {DEFAULT_WEEKS} weeks")
    if words in NAMED_PERIODS:
        return Period(NAMED_PERIODS[words], f"the last {words} ({NAMED_PERIODS[words]} weeks)")
    found = re.fullmatch(r"(\d{1,3})\s*(?:w|wk|wks|week|weeks)?", words)
    if found and 1 <= int(found.group(1)) <= MAX_WEEKS:
        weeks = int(found.group(1))
        return Period(weeks, "this week" if weeks == 1 else f"the last {weeks} weeks")
    return None


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week `moment` falls in."""
    utc = moment.astimezone(timezone.utc)
    return (utc - timedelta(days=utc.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def weeks_ending(now: datetime, weeks: int) -> list[datetime]:
    """The Mondays of the last `weeks` weeks, oldest first; the current week (so far) is the last."""
    current = week_start(now)
    return [current - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weeks_of_month(month_start: datetime) -> list[datetime]:
    """The Mondays of the weeks that overlap a calendar month (UTC), oldest first."""
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    mondays, monday = [], week_start(month_start)
    while monday < next_month:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    return mondays


@dataclass(frozen=True)
class Nudge:
    """How a principle did in the weeks it was the principle of the week, against the other weeks."""

    principle: str
    featured_weeks: tuple[int, ...]
    featured_kudos: int
    featured_average: float
    other_average: float
    other_weeks: int
    total: int

    @property
    def enough(self) -> bool:
        return self.total >= NUDGE_MIN_KUDOS and self.other_weeks > 0

    @property
    def ratio(self) -> float | None:
        """Featured weeks' average over the other weeks' average; None when there is too little to say, or nothing to compare with."""
        if not self.enough or self.other_average == 0:
            return None
        return self.featured_average / self.other_average


def nudge_effect(counts: Mapping[str, Sequence[int]], featured: Mapping[str, set[int]]) -> list[Nudge]:
    """For each principle featured in the period: its kudos in its featured weeks against its weekly
    average in the other weeks. `counts[slug][w]` is the kudos in week w; `featured[slug]` the weeks it was featured."""
    nudges = []
    for slug, weeks in featured.items():
        row = list(counts.get(slug, ()))
        inside = sorted(w for w in weeks if 0 <= w < len(row))
        if not inside:
            continue
        featured_kudos = sum(row[w] for w in inside)
        others = [row[w] for w in range(len(row)) if w not in weeks]
        nudges.append(
            Nudge(
                principle=slug,
                featured_weeks=tuple(inside),
                featured_kudos=featured_kudos,
                featured_average=featured_kudos / len(inside),
                other_average=sum(others) / len(others) if others else 0.0,
                other_weeks=len(others),
                total=sum(row),
            )
        )
    return nudges


@dataclass(frozen=True)
class Insights:
    title: str
    weeks: list[datetime]  # the Monday of each column
    principles: list[str]  # slugs, in catalog order: the rows
    grid: dict[str, list[int]]  # slug -> kudos per week
    featured: dict[int, set[str]]  # week -> principles of the week posted in it
    kudos: int
    givers: int
    recognized: int
    participants: int
    nudges: list[Nudge] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {slug: sum(row) for slug, row in self.grid.items()}

    @property
    def blind_spots(self) -> list[str]:
        """Principles nobody was recognized for in the period."""
        return [slug for slug in self.principles if not any(self.grid[slug])]

    @property
    def least(self) -> list[str]:
        """The least recognized principles, fewest first (catalog order breaks ties)."""
        order = {slug: i for i, slug in enumerate(self.principles)}
        return sorted(self.principles, key=lambda slug: (self.totals[slug], order[slug]))[:LEAST]

    @property
    def reach(self) -> float | None:
        return self.recognized / self.participants if self.participants else None


def build(
    catalog: Catalog,
    title: str,
    weeks: list[datetime],
    counts: Mapping[tuple[str, int], int],
    featured_posts: Sequence[tuple[str, str]],
    participation,
) -> Insights:
    """Assemble the figures from storage.insights' counts (keyed by principle and week index) and posts."""
    slugs = [p.slug for p in catalog]
    grid = {slug: [counts.get((slug, w), 0) for w in range(len(weeks))] for slug in slugs}
    featured: dict[int, set[str]] = {}
    for scheduled_for, slug in featured_posts:
        week = _index_of(weeks, datetime.fromisoformat(scheduled_for))
        if week is not None and slug in grid:
            featured.setdefault(week, set()).add(slug)
    by_principle: dict[str, set[int]] = {}
    for week, featured_slugs in featured.items():
        for slug in featured_slugs:
            by_principle.setdefault(slug, set()).add(week)
    return Insights(
        title=title,
        weeks=weeks,
        principles=slugs,
        grid=grid,
        featured=featured,
        kudos=participation.kudos,
        givers=participation.givers,
        recognized=participation.recognized,
        participants=participation.participants,
        nudges=sorted(nudge_effect(grid, by_principle), key=lambda n: min(n.featured_weeks)),
    )


def _index_of(weeks: list[datetime], moment: datetime) -> int | None:
    start = week_start(moment)
    return weeks.index(start) if start in weeks else None
