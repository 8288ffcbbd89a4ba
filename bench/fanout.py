"""Weekly fan-out: 1,000 channels due in the same minute, under Slack-like posting limits.

The local stand-in (its own process) allows one post per channel per second and, across the
workspace, WINDOW_POSTS posts in each fixed window of WINDOW_SECONDS, answering 429 with a
whole-second Retry-After beyond that, as Slack does. The floor is the least time those limits
allow: posting starts on a window boundary, so the last batch can go out no earlier than
(ceil(channels / WINDOW_POSTS) - 1) windows later. The run checks that every channel got exactly
one post and compares the total time with that floor (target: within 10%).

    python bench/fanout.py [--channels 1000] [--window-posts 100] [--window-seconds 5]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stand_in import StandInProcess  # noqa: E402

from bot.app import build_services, web_client  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.weekly import poster  # noqa: E402
from storage import weekly as weekly_store  # noqa: E402

MONDAY = datetime(2026, 11, 30, 9, 0, 30, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--window-posts", type=int, default=100)
    parser.add_argument("--window-seconds", type=float, default=5.0)
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    stand_in = StandInProcess("--channels", str(args.channels), "--limits", str(args.window_posts), str(args.window_seconds))
    try:
        with tempfile.TemporaryDirectory() as scratch:
            settings = Settings(
                bot_token="xoxb-bench", signing_secret="bench-secret", api_url=stand_in.api_url, db_path=Path(scratch) / "fanout.db"
            )
            services = build_services(settings)
            with services.store.write() as db:
                for n in range(args.channels):
                    schedule = weekly_store.Schedule("T0LOCAL", f"C{n:06d}", 0, "09:00", "UTC", "U0ALICE", "active")
                    weekly_store.save_schedule(db, schedule, datetime(2026, 11, 1, tzinfo=timezone.utc))
            client = web_client(settings)  # real waits: Retry-After is honoured with time.sleep

            time.sleep(stand_in.get("/_window")["seconds_to_next_window"])
            started = time.perf_counter()
            outcomes = poster.run_due(services, client, MONDAY)
            elapsed = time.perf_counter() - started
            services.store.close()
        delivered = stand_in.get("/_delivered")
        attempts = stand_in.count("chat.postMessage")
    finally:
        stand_in.stop()

    floor = (math.ceil(args.channels / args.window_posts) - 1) * args.window_seconds
    ours = {f"C{n:06d}" for n in range(args.channels)}
    once = sum(1 for channel in ours if delivered.get(channel) == 1)
    print(f"limits: 1 post/channel/s, {args.window_posts} posts per {args.window_seconds:g}s window\n")
    print(f"channels due:               {args.channels}")
    print(f"posted (outcomes):          {sum(1 for o in outcomes if o.status == 'posted')}")
    print(f"channels with exactly one:  {once}")
    print(f"429 answers received:       {attempts - sum(delivered.get(c, 0) for c in ours)}")
    print(f"total time:                 {elapsed:.2f} s")
    print(f"floor the limits allow:     {floor:.2f} s")
    print(f"ratio:                      {elapsed / floor:.3f}x")


if __name__ == "__main__":
    main()
