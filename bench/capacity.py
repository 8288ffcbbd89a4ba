"""Where one process stops meeting Slack's deadline: a mixed load at rising rates.

The app in HTTP mode against the stand-in (its own process), a load generator in a third process
(bench/ack_latency.py's, open loop). In every ten requests: five `/lp <principle>` reads, two
`/lp kudos` (from 1,000 givers) and three channel messages. Each rate runs on a fresh database; the
rates rise until p99 passes 1 s or requests fail. Latency counts from when each request was due,
so a request waiting for one of the generator's 64 connections (all busy with a slow app) is
counted as waiting on the app; "late" says how many left more than 100 ms after they were due. Beside each rate: the bot process's CPU (seconds
of CPU per second of wall time: 1.0 is one core, which is what one Python process can use for
Python code) and the floor, a no-op Bolt app under the same load at the first rate.

    python bench/capacity.py [--rates 100,200,400,600,800] [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ack_latency import app_cpu_seconds, percentile, run_load, serve

DEADLINE_MS = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="100,200,400,600,800,1000")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"mixed load for {args.seconds:g}s at each rate, open loop, separate process; 5 reads, 2 kudos, 3 events in ten\n")
    print(f"{'run':<22}{'rate/s':>8}{'late':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'sent':>7}{'bot CPU':>9}{'stored':>8}")
    rates = [float(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory() as db_dir:
        for kind, rate in [("noop", rates[0])] + [("lpbot", r) for r in rates]:
            server, slack, services = serve(kind, db_dir + f"/{kind}-{rate:g}")
            load = argparse.Namespace(rate=rate, seconds=args.seconds, text="dive deep")
            cpu, wall = app_cpu_seconds(services), time.perf_counter()
            try:
                result = run_load(server.events_url, slack.url, load, kudos=False, mixed=True)
                services.listener_pool.wait_idle(120)
                used = (app_cpu_seconds(services) - cpu) / (time.perf_counter() - wall)
                stored = services.store.db["kudos"].count if kind == "lpbot" else 0
            finally:
                server.close()
                services.listener_pool.shutdown()  # the event worker's process too
                slack.stop()
                services.store.close()
            lat = result["latencies"]
            p99 = percentile(lat, 99)
            label = "no-op Bolt (floor)" if kind == "noop" else "LP Bot, mixed"
            print(
                f"{label:<22}{rate:>8g}{result['late']:>7}{percentile(lat, 50):>9.1f}{percentile(lat, 95):>9.1f}{p99:>9.1f}"
                f"{result['errors']:>8}{result['sent']:>7}{used:>9.2f}{stored:>8}",
                flush=True,
            )
            if kind == "lpbot" and (p99 > DEADLINE_MS or result["errors"]):
                print(f"\npast the knee at {rate:g}/s: p99 {p99:.0f} ms, {result['errors']} errors")
                break


if __name__ == "__main__":
    main()
