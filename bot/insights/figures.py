"""What a team's kudos say about its culture over a period: the figures behind /lp insights and the
monthly digest, and the nudge effect of the principle of the week. Pure: counts in, figures out.
"""

from __future__ import annotations

import math
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


# The balanced rotation picks a principle because its last ROTATION_LOOKBACK weeks were quiet: those
# weeks are no fair comparison for it (they were low by selection), so they never serve as its baseline.
ROTATION_LOOKBACK = 8
CONFIDENCE = 0.95


@dataclass(frozen=True)
class RateTest:
    """A rate ratio with its exact 95% interval and one-sided p-value; None where the data cannot say."""

    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    @property
    def clear(self) -> bool:
        """The interval leaves out 1: the data show an effect, in the direction of the ratio."""
        return self.ci_low is not None and self.ci_high is not None and (self.ci_low > 1 or self.ci_high < 1)


@dataclass(frozen=True)
class Nudge:
    """How a principle did in the weeks it was the principle of the week, against its baseline weeks:
    the period's weeks that were neither featured for it nor among the ROTATION_LOOKBACK weeks before
    one of its featured weeks (the weeks its choice was based on)."""

    principle: str
    featured_weeks: tuple[int, ...]
    featured_kudos: int
    baseline_weeks: int
    baseline_kudos: int
    total: int
    test: RateTest

    @property
    def enough(self) -> bool:
        return self.featured_kudos + self.baseline_kudos >= NUDGE_MIN_KUDOS and self.baseline_weeks > 0

    @property
    def featured_rate(self) -> float:
        return self.featured_kudos / len(self.featured_weeks)

    @property
    def baseline_rate(self) -> float:
        return self.baseline_kudos / self.baseline_weeks if self.baseline_weeks else 0.0


# -- exact tests for two Poisson rates, conditional on their total -----------------------------------
# Given x1 + x2 = n kudos, and equal rates, x1 is binomial(n, p0) with p0 = t1 / (t1 + t2). Everything
# below is that binomial's exact distribution (log-space terms from math.lgamma, so n in the thousands
# is fine) and intervals found by bisection on it: Clopper and Pearson's construction, no approximation.


def _binomial_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 1.0 if k == 0 else 0.0
    if p >= 1.0:
        return 1.0 if k == n else 0.0
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)
    return math.exp(log)


def binomial_at_least(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ binomial(n, p)."""
    return min(1.0, sum(_binomial_pmf(i, n, p) for i in range(max(k, 0), n + 1)))


def binomial_at_most(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ binomial(n, p)."""
    return min(1.0, sum(_binomial_pmf(i, n, p) for i in range(0, min(k, n) + 1)))


def _solve(f, target: float) -> float:
    """The p in (0, 1) where the increasing function f reaches target, by bisection to 1e-12."""
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if f(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def clopper_pearson(x: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial proportion, x successes in n."""
    tail = (1 - confidence) / 2
    low = 0.0 if x == 0 else _solve(lambda p: binomial_at_least(x, n, p), tail)
    high = 1.0 if x == n else _solve(lambda p: 1 - binomial_at_most(x, n, p), 1 - tail)
    return low, high


def rate_ratio_test(x1: int, t1: float, x2: int, t2: float) -> RateTest:
    """(x1/t1) / (x2/t2) with the exact conditional interval and the one-sided p-value P(X >= x1)."""
    n = x1 + x2
    if n == 0 or t1 <= 0 or t2 <= 0:
        return RateTest(None, None, None, None)
    p0 = t1 / (t1 + t2)
    low, high = clopper_pearson(x1, n)

    def as_ratio(p: float) -> float | None:
        return None if p >= 1 else p / (1 - p) * (t2 / t1)

    ratio = (x1 / t1) / (x2 / t2) if x2 else None
    return RateTest(ratio, as_ratio(low), as_ratio(high), binomial_at_least(x1, n, p0))


def pooled_test(nudges: Sequence[Nudge]) -> RateTest:
    """One figure over every featured principle: the Mantel-Haenszel rate ratio, each principle a
    stratum of (featured kudos and weeks, baseline kudos and weeks); its 95% interval from the
    Greenland-Robins variance of its logarithm; the one-sided p-value exact, from the distribution of
    the summed featured kudos (a sum of each stratum's conditional binomial) under no effect."""
    strata = [(n.featured_kudos, len(n.featured_weeks), n.baseline_kudos, n.baseline_weeks) for n in nudges if n.baseline_weeks]
    strata = [s for s in strata if s[0] + s[2] > 0]
    if not strata:
        return RateTest(None, None, None, None)
    top = sum(x1 * t2 / (t1 + t2) for x1, t1, x2, t2 in strata)
    bottom = sum(x2 * t1 / (t1 + t2) for x1, t1, x2, t2 in strata)
    p_value = _sum_at_least(sum(x1 for x1, *_ in strata), [(x1 + x2, t1 / (t1 + t2)) for x1, t1, x2, t2 in strata])
    if top == 0 or bottom == 0:
        return RateTest(None, None, None, p_value)
    ratio = top / bottom
    variance = sum((x1 + x2) * t1 * t2 / (t1 + t2) ** 2 for x1, t1, x2, t2 in strata) / (top * bottom)
    spread = _Z95 * math.sqrt(variance)
    return RateTest(ratio, ratio * math.exp(-spread), ratio * math.exp(spread), p_value)


# The standard normal's 97.5th percentile, for the 95% interval of a logarithm.
_Z95 = 1.959963984540054


def _sum_at_least(total: int, binomials: list[tuple[int, float]]) -> float:
    """P(sum of independent binomial(n_i, p_i) >= total), by convolving their exact distributions."""
    distribution = [1.0]
    for n, p in binomials:
        pmf = [_binomial_pmf(k, n, p) for k in range(n + 1)]
        joined = [0.0] * (len(distribution) + n)
        for i, a in enumerate(distribution):
            if a:
                for k, b in enumerate(pmf):
                    joined[i + k] += a * b
        distribution = joined
    return min(1.0, sum(distribution[total:]))


def smallest_clear_ratio(baseline_kudos: int, featured_weeks: int, baseline_weeks: int, most: float = 100.0) -> float | None:
    """Roughly how large an effect this much data could show: the smallest ratio whose exact interval
    would leave out 1, with the baseline as it is. None when no ratio up to `most` would."""
    if baseline_weeks <= 0 or featured_weeks <= 0:
        return None
    base_rate = max(baseline_kudos, 1) / baseline_weeks  # a silent baseline is taken as one kudos, to have a scale
    for x1 in range(1, int(most * base_rate * featured_weeks) + 2):
        if (found := rate_ratio_test(x1, featured_weeks, baseline_kudos, baseline_weeks)).ci_low is not None and found.ci_low > 1:
            return (x1 / featured_weeks) / base_rate
    return None


def nudge_effect(counts: Mapping[str, Sequence[int]], featured: Mapping[str, set[int]]) -> list[Nudge]:
    """For each principle featured in the period: its kudos in its featured weeks against its baseline.
    `counts[slug][w]` is the kudos in week w (the chart's columns); `featured[slug]` the weeks it was featured."""
    nudges = []
    for slug, weeks in featured.items():
        row = list(counts.get(slug, ()))
        inside = sorted(w for w in weeks if 0 <= w < len(row))
        if not inside:
            continue
        chosen_on = {w - back for w in weeks for back in range(1, ROTATION_LOOKBACK + 1)}
        baseline = [w for w in range(len(row)) if w not in weeks and w not in chosen_on]
        featured_kudos = sum(row[w] for w in inside)
        baseline_kudos = sum(row[w] for w in baseline)
        nudges.append(
            Nudge(
                principle=slug,
                featured_weeks=tuple(inside),
                featured_kudos=featured_kudos,
                baseline_weeks=len(baseline),
                baseline_kudos=baseline_kudos,
                total=sum(row),
                test=rate_ratio_test(featured_kudos, len(inside), baseline_kudos, len(baseline)),
            )
        )
    return nudges


@dataclass(frozen=True)
class SameWeek:
    """Each week the balanced rotation drew its principle at random among the least recognized: the
    drawn one's kudos that week (x1 over t1 draws) against the not-drawn ones' in the same week (x2
    over t2 principle-weeks). Chance decided which was featured, so no selection can bias this."""

    draws: int
    drawn_kudos: int
    others: int
    others_kudos: int
    test: RateTest


def same_week_comparison(grid: Mapping[str, Sequence[int]], draws: Sequence[tuple[int, str, tuple[str, ...]]]) -> SameWeek | None:
    """`draws`: (week index, the principle drawn, the slugs it was drawn among)."""
    x1 = t1 = x2 = t2 = 0
    for week, picked, eligible in draws:
        if picked not in grid or not 0 <= week < len(grid[picked]):
            continue
        others = [slug for slug in eligible if slug != picked and slug in grid]
        if not others:
            continue
        x1, t1 = x1 + grid[picked][week], t1 + 1
        x2, t2 = x2 + sum(grid[slug][week] for slug in others), t2 + len(others)
    if not t1:
        return None
    return SameWeek(t1, x1, t2, x2, rate_ratio_test(x1, t1, x2, t2) if x1 + x2 >= NUDGE_MIN_KUDOS else RateTest(None, None, None, None))


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
    # The fair experiment: the drawn principle against the ones it was drawn with, in the same weeks.
    same_week: SameWeek | None = None

    @property
    def pooled(self) -> RateTest:
        """The headline: the nudge over every principle featured in the period, with enough kudos to count."""
        return pooled_test([n for n in self.nudges if n.enough])

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
    drawn_posts: Sequence[tuple[str, str, tuple[str, ...]]] = (),
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
        same_week=same_week_comparison(
            grid,
            [
                (week, slug, eligible)
                for scheduled_for, slug, eligible in drawn_posts
                if (week := _index_of(weeks, datetime.fromisoformat(scheduled_for))) is not None
            ],
        ),
    )


def _index_of(weeks: list[datetime], moment: datetime) -> int | None:
    start = week_start(moment)
    return weeks.index(start) if start in weeks else None


def as_json(found: Insights) -> dict:
    """The figures as plain data, for `lpbot insights --format json`: the same numbers /lp insights and
    the digest put into words. Ratios and intervals are null where the data cannot give them."""

    def test(result: RateTest) -> dict:
        return {"rate_ratio": result.rate_ratio, "ci_low": result.ci_low, "ci_high": result.ci_high, "p_value": result.p_value}

    return {
        "title": found.title,
        "weeks": [week.date().isoformat() for week in found.weeks],
        "kudos": found.kudos,
        "givers": found.givers,
        "recognized": found.recognized,
        "participants": found.participants,
        "reach": found.reach,
        "totals": found.totals,
        "blind_spots": found.blind_spots,
        "least": found.least,
        "nudge": [
            {
                "principle": n.principle,
                "featured_weeks": [found.weeks[w].date().isoformat() for w in n.featured_weeks],
                "featured_kudos": n.featured_kudos,
                "baseline_weeks": n.baseline_weeks,
                "baseline_kudos": n.baseline_kudos,
                **(test(n.test) if n.enough else test(RateTest(None, None, None, None))),
            }
            for n in found.nudges
        ],
        "pooled": test(found.pooled),
        "same_week": None
        if found.same_week is None
        else {
            "draws": found.same_week.draws,
            "drawn_kudos": found.same_week.drawn_kudos,
            "others": found.same_week.others,
            "others_kudos": found.same_week.others_kudos,
            **test(found.same_week.test),
        },
    }
