"""How honest the nudge readout is, on simulated teams whose answer is known.

Each simulated team has the built-in catalog, a weekly post chosen by the bot's own balanced rotation
(bot.weekly.rotation.choose_principle) from the kudos of the last 8 weeks, and kudos drawn week by week from
Poisson rates of its own (some principles popular, some quiet). With `effect=1.0` the weekly post
changes nothing; with `effect=2.0` the featured principle's rate doubles in its week. The readout is
bot.insights.figures' pooled figure over the period, as /lp insights would show it.

Prints, for several team sizes and lengths: the share of no-effect readouts that claim an effect (it
should be at most 5%), the pooled interval's coverage of the true ratio, and how often a true 2x is
detected. `python bench/nudge_calibration.py [--teams N]`.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.insights import figures
from bot.weekly import rotation
from principles import load_catalog
from storage.insights import Participation
from storage.kudos import iso
from storage.weekly import LedgerEntry, PostStatus

CATALOG = load_catalog()
START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)  # a Monday


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method: exact for the small weekly rates simulated here.
    limit, k, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def simulate(rng: random.Random, weeks: int, kudos_per_week: float, effect: float, warmup: int = 8) -> figures.Insights:
    """One team: `warmup` weeks of kudos before the first post, then `weeks` weeks with a post each."""
    weights = [rng.uniform(0.2, 2.0) for _ in CATALOG]
    scale = kudos_per_week / sum(weights)
    rates = {p.slug: w * scale for p, w in zip(CATALOG, weights, strict=True)}
    history: list[dict[str, int]] = []
    shown: list[LedgerEntry] = []
    featured_posts: list[tuple[str, str]] = []
    for week in range(warmup + weeks):
        monday = START + timedelta(weeks=week)
        featured = None
        if week >= warmup:
            recent = history[-8:]
            counts = {slug: sum(w[slug] for w in recent) for slug in rates}
            choice = rotation.choose_principle("balanced", CATALOG, shown, counts, now=monday, seed="sim")
            featured = choice.principle.slug
            shown.append(LedgerEntry(iso(monday), featured, PostStatus.POSTED, iso(monday)))
            featured_posts.append((iso(monday), featured))
        history.append({slug: _poisson(rng, rate * (effect if slug == featured else 1.0)) for slug, rate in rates.items()})
    columns = [figures.week_start(START + timedelta(weeks=w)) for w in range(warmup + weeks)]
    counts = {(slug, w): history[w][slug] for w in range(len(columns)) for slug in rates}
    return figures.build(CATALOG, "simulated", columns, counts, featured_posts, Participation(sum(counts.values()), 1, 1, 1))


def calibrate(teams: int, weeks: int, kudos_per_week: float, effect: float, seed: int = 7) -> dict:
    rng = random.Random(seed)
    claimed = covered = told = 0
    for _ in range(teams):
        pooled = simulate(rng, weeks, kudos_per_week, effect).pooled
        if pooled.ci_low is None or pooled.ci_high is None:
            continue
        told += 1
        claimed += pooled.ci_low > 1
        covered += pooled.ci_low <= effect <= pooled.ci_high
    return {"teams": teams, "readouts": told, "claims": claimed / told if told else 0.0, "coverage": covered / told if told else 0.0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=400)
    args = parser.parse_args(argv)
    print(f"{'kudos/week':>10} {'weeks':>5} | {'no effect: claims':>17} {'coverage':>8} | {'true 2x: detected':>17} {'coverage':>8}")
    for kudos_per_week in (5, 20, 60):
        for weeks in (4, 12, 26):
            null = calibrate(args.teams, weeks, kudos_per_week, 1.0)
            real = calibrate(args.teams, weeks, kudos_per_week, 2.0)
            print(
                f"{kudos_per_week:>10} {weeks:>5} | {null['claims']:>17.1%} {null['coverage']:>8.1%} | "
                f"{real['claims']:>17.1%} {real['coverage']:>8.1%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
