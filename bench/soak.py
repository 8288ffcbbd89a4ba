"""A long steady load: does the bot's memory, file descriptors and threads level off, and does it lose nothing?

The app in HTTP mode in this process, the stand-in and the load generator in their own (as in
bench/capacity.py): the same mix (in every ten requests five `/lp <principle>` reads, two `/lp kudos`
from 1,000 givers, three channel messages) at a steady rate. Every `--every` seconds it samples this
process's resident memory, open file descriptors and threads; the baseline is the first sample after
the warm-up minute, and each later sample prints its ratio to it. At the end: latency, errors, kudos stored.

    python bench/soak.py [--rate 65] [--seconds 180] [--every 15]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ack_latency import percentile, run_load, serve

WARM_UP_SECONDS = 60


def sample() -> tuple[float, int, int]:
    """(resident MiB, open file descriptors, threads) of this process, read from /proc."""
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_mib = int(fields["VmRSS"].split()[0]) / 1024
    return rss_mib, len(os.listdir("/proc/self/fd")), int(fields["Threads"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=65)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--every", type=float, default=15)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"mixed load at {args.rate:g}/s for {args.seconds:g} s; a sample every {args.every:g} s, baseline after {WARM_UP_SECONDS} s\n")
    with tempfile.TemporaryDirectory() as db_dir:
        server, slack, services = serve("lpbot", db_dir)
        result: dict = {}
        load = argparse.Namespace(rate=args.rate, seconds=args.seconds, text="dive deep")
        runner = threading.Thread(target=lambda: result.update(run_load(server.events_url, slack.url, load, kudos=False, mixed=True)))
        started = time.monotonic()
        samples: list[tuple[float, float, int, int]] = [(0.0, *sample())]
        runner.start()
        try:
            while runner.is_alive():
                runner.join(timeout=args.every)
                samples.append((time.monotonic() - started, *sample()))
            services.listener_pool.wait_idle(120)
            stored = services.store.db["kudos"].count
        finally:
            server.close()
            slack.stop()
            services.store.close()
    baseline = next((s for s in samples if s[0] >= WARM_UP_SECONDS), samples[-1])
    print(f"{'at s':>6}{'RSS MiB':>10}{'× base':>8}{'fds':>6}{'× base':>8}{'threads':>9}{'× base':>8}")
    for at, rss, fds, threads in samples:
        print(f"{at:>6.0f}{rss:>10.1f}{rss / baseline[1]:>8.2f}{fds:>6}{fds / baseline[2]:>8.2f}{threads:>9}{threads / baseline[3]:>8.2f}")
    latencies = result.get("latencies", [])
    print(
        f"\nrequests {result.get('sent', 0)}, errors {result.get('errors', 0)}, kudos stored {stored}; "
        f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms"
    )


if __name__ == "__main__":
    main()
