"""Read-path timings on a big team: leaderboard, stats, recent and insights over 1,000,000 kudos.

Builds a database of 500 people, 14 principles and 3 years of kudos (1 to 3 recipients
each) through storage/, then times each read the bot makes. The baseline is the very same
SQL, captured with sqlite3's trace callback, run through a plain sqlite3 connection on the
same file: the difference is what our layer costs.

Then the insights chart: matplotlib rendering a year and twelve weeks of that team's figures,
beside a bare heatmap of the same grid (no labels, numbers or outlines) as the baseline.

    python bench/leaderboard.py [--kudos 1000000] [--runs 50] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.insights import figures  # noqa: E402
from bot.kudos.rules import period_start  # noqa: E402
from principles import load_catalog  # noqa: E402
from storage import Store  # noqa: E402
from storage import insights as insights_store  # noqa: E402
from storage import kudos as kudos_store  # noqa: E402

TEAM = "T0BENCH"
NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)


def build(store: Store, count: int, people: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    slugs = [p.slug for p in load_catalog()]
    users = [f"U{n:06d}" for n in range(people)]
    span = timedelta(days=3 * 365).total_seconds()
    started = time.perf_counter()
    batch = 50_000
    for first in range(0, count, batch):
        with store.write() as db:
            for _ in range(min(batch, count - first)):
                giver = rng.choice(users)
                recipients = tuple(sorted(set(rng.sample(users, rng.choice((1, 1, 1, 2, 3)))) - {giver})) or (users[0],)
                kudos_store.insert_kudos(
                    db,
                    team_id=TEAM,
                    giver_id=giver,
                    recipients=recipients,
                    principle=rng.choice(slugs),
                    reason="for a bench of a thousand thousand thank-yous",
                    channel_id="C0BENCH",
                    message_link=None,
                    created_at=NOW - timedelta(seconds=rng.random() * span),
                    # Most kudos are given in public; one in five in a private channel or a DM.
                    visibility=rng.choice(("public", "public", "public", "public", "private")),
                )
    store.db.execute("ANALYZE")
    print(f"built {count:,} kudos for {people} people in {time.perf_counter() - started:.0f} s")


def timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def captured_sql(store: Store, function) -> list[str]:
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        function()
    finally:
        store.db.conn.set_trace_callback(None)
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kudos", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--db", help="reuse or create the database here instead of a temporary file")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.db or Path(scratch) / "bench.db")
        fresh = not path.exists()
        store = Store(path).open()
        if fresh:
            build(store, args.kudos, args.people)
        db = store.db
        quarter = period_start("quarter", NOW)
        user = "U000042"
        viewer = kudos_store.Viewer(user, "C0GENERAL")
        week_ago = kudos_store.iso(NOW - timedelta(days=7))  # about the span ten recent kudos cover at most
        team = [f"U{n:06d}" for n in range(0, args.people, 10)]  # a team of one person in ten (a channel or a group)
        reads = {
            "leaderboard (quarter)": lambda: kudos_store.leaderboard(db, TEAM, quarter),
            "leaderboard (principle, year)": lambda: kudos_store.leaderboard(db, TEAM, period_start("year", NOW), "dive-deep"),
            "leaderboard (all time)": lambda: kudos_store.leaderboard(db, TEAM, None),
            # /lp leaderboard #channel or @group: the same board, kept to the team's members.
            "leaderboard (a team, quarter)": lambda: kudos_store.leaderboard(db, TEAM, quarter, among=team),
            "team mix (a team, quarter)": lambda: kudos_store.principle_mix(db, TEAM, quarter, team),
            # /lp insights: the counts by principle and week, and who took part.
            "insights (12 weeks)": lambda: insights_figures(db, 12),
            "insights (a year)": lambda: insights_figures(db, 52),
            "stats (one person)": lambda: (
                kudos_store.received_by_principle(db, TEAM, user, quarter),
                kudos_store.received_by_principle(db, TEAM, user),
                kudos_store.given_by_principle(db, TEAM, user, quarter),
                kudos_store.given_by_principle(db, TEAM, user),
            ),
            "recent (10)": lambda: kudos_store.recent_kudos(db, TEAM, viewer=None),
            "recent (principle)": lambda: kudos_store.recent_kudos(db, TEAM, viewer=None, principle="frugality"),
            # What /lp recent runs: only what this person may read, and how many they may not.
            "recent (a viewer, privacy rule)": lambda: kudos_store.recent_kudos(db, TEAM, viewer=viewer),
            "recent: how many were private": lambda: kudos_store.count_hidden_from(db, TEAM, viewer, since=week_ago),
        }
        raw = sqlite3.connect(path)
        print(f"\n{'read':<32}{'p50 ms':>9}{'p95 ms':>9}{'raw p50':>9}{'ratio':>7}")
        for name, read in reads.items():
            read()  # warm the page cache for both sides alike
            ours = timed(read, args.runs)
            statements = captured_sql(store, read)
            baseline = timed(lambda statements=statements: [raw.execute(sql).fetchall() for sql in statements], args.runs)
            p50, raw50 = statistics.median(ours), statistics.median(baseline)
            p95 = sorted(ours)[int(0.95 * (len(ours) - 1))]
            print(f"{name:<32}{p50:>9.2f}{p95:>9.2f}{raw50:>9.2f}{p50 / raw50:>6.2f}x")
        raw.close()
        render_times(db, args.runs // 5 or 1)
        store.close()


def insights_figures(db, weeks: int):
    columns = figures.weeks_ending(NOW, weeks)
    until = columns[-1] + timedelta(weeks=1)
    return (
        insights_store.counts_by_week(db, TEAM, columns[0], columns[0], until),
        insights_store.participation(db, TEAM, columns[0], until),
        insights_store.featured(db, TEAM, columns[0], until),
    )


def render_times(db, runs: int) -> None:
    import io

    from matplotlib.figure import Figure

    from bot.insights.charts import heatmap_png

    catalog = load_catalog()

    def bare(found) -> bytes:
        figure = Figure(figsize=(8, 6), dpi=110)
        figure.add_subplot().imshow([found.grid[slug] for slug in found.principles], cmap="cividis", aspect="auto")
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()

    print(f"\n{'chart':<32}{'p50 ms':>9}{'p95 ms':>9}{'bare p50':>9}{'ratio':>7}{'bytes':>9}")
    for weeks in (12, 52):
        counts, participation, featured = insights_figures(db, weeks)
        columns = figures.weeks_ending(NOW, weeks)
        found = figures.build(catalog, f"{weeks} weeks", columns, counts, featured, participation)
        heatmap_png(found, catalog)  # fonts and the colour map load once per process
        ours = timed(lambda found=found: heatmap_png(found, catalog), runs)
        baseline = timed(lambda found=found: bare(found), runs)
        p50, base50 = statistics.median(ours), statistics.median(baseline)
        p95 = sorted(ours)[int(0.95 * (len(ours) - 1))]
        size = len(heatmap_png(found, catalog))
        print(f"{f'heatmap ({weeks} weeks)':<32}{p50:>9.0f}{p95:>9.0f}{base50:>9.0f}{p50 / base50:>6.2f}x{size:>9,}")


if __name__ == "__main__":
    main()
