"""Draw docs/insights-example.png, the chart the README shows, from made-up demo data.

The data is generated here (a seeded random team of 40 over twelve weeks, with a principle of the
week each Monday that lifts its own kudos a little); the picture is drawn by the bot's own code,
bot/insights/charts.py, exactly as /lp insights draws it.

    python docs/example_chart.py
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.insights import figures  # noqa: E402
from bot.insights.charts import alt_text, heatmap_png  # noqa: E402
from principles import load_catalog  # noqa: E402
from storage.insights import Participation  # noqa: E402

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)


def demo(seed: int = 14) -> figures.Insights:
    rng = random.Random(seed)
    catalog = load_catalog()
    columns = figures.weeks_ending(NOW, 12)
    slugs = [p.slug for p in catalog]
    # Some principles come easily to this team, two never do: the blind spots the chart calls out.
    appeal = {slug: rng.choice((0.2, 0.5, 1.0, 1.5, 2.5)) for slug in slugs}
    appeal["frugality"] = appeal["think-big"] = 0.0
    featured = [(slugs[(3 + week * 5) % len(slugs)], week) for week in range(0, 12, 2)]
    counts: dict[tuple[str, int], int] = {}
    for week in range(12):
        for slug in slugs:
            lift = 3.0 if (slug, week) in featured else 1.0
            count = sum(1 for _ in range(6) if rng.random() < appeal[slug] * lift / 6)
            if count:
                counts[(slug, week)] = count
    posts = [((columns[week] + timedelta(hours=9)).isoformat(), slug) for slug, week in featured]
    total = sum(counts.values())
    return figures.build(
        catalog, "Kudos by principle, the last 12 weeks (demo data)", columns, counts, posts, Participation(total, 27, 31, 38)
    )


def main() -> None:
    found = demo()
    out = ROOT / "docs" / "insights-example.png"
    out.write_bytes(heatmap_png(found, load_catalog()))
    print(f"wrote {out.relative_to(ROOT)}\nalt text: {alt_text(found, load_catalog())}")


if __name__ == "__main__":
    main()
