"""Replication's cost, measured: the write path with Litestream on and off, and the restore time.

1. `/lp kudos` at a fixed rate (open loop, bench/ack_latency.py's generator) against the app in
   HTTP mode, once alone and once with Litestream replicating its database to a file:// replica
   every second, as `lpbot run` does with LPBOT_REPLICA_URL. Prints p50/p95/p99 of each and the
   ratio; checks every kudos was stored, and that the replica holds them all afterwards.
2. A restore of a big database (`--db`, e.g. bench/leaderboard.py's 1,000,000 kudos) from its replica,
   beside the floor of any restore: copying the file.

    python bench/replication.py [--rate 200] [--seconds 20] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ack_latency import percentile, run_load, serve

from bot.ops.replication import litestream_binary


def litestream_config(db: Path, replica: Path) -> Path:
    config = db.with_name(db.name + ".litestream.yml")
    config.write_text(f'{{"dbs": [{{"path": "{db}", "replica": {{"url": "{replica.as_uri()}", "sync-interval": "1s"}}}}]}}\n')
    return config


def write_path(args) -> None:
    print(f"write path: /lp kudos at {args.rate:g}/s for {args.seconds:g}s, open loop\n")
    print(f"{'run':<30}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'stored':>8}{'in replica':>11}")
    rows = {}
    for replicated in (False, True):
        with tempfile.TemporaryDirectory() as scratch:
            server, slack, services = serve("lpbot", scratch)
            litestream = None
            if replicated:
                config = litestream_config(services.settings.db_path.resolve(), Path(scratch) / "replica")
                litestream = subprocess.Popen([litestream_binary(), "replicate", "-config", str(config)], stderr=subprocess.DEVNULL)
            try:
                result = run_load(server.events_url, slack.url, args, kudos=True)
                services.listener_pool.wait_idle(120)
                stored = services.store.db["kudos"].count
                in_replica = "—"
                if litestream:
                    time.sleep(3)  # three sync intervals for the last writes to ship (a benchmark may wait)
                    restored = Path(scratch) / "restored.db"
                    subprocess.run(
                        [
                            litestream_binary(),
                            "restore",
                            "-config",
                            str(config),
                            "-o",
                            str(restored),
                            str(services.settings.db_path.resolve()),
                        ],
                        check=True,
                        capture_output=True,
                    )
                    with sqlite3.connect(restored) as connection:
                        in_replica = str(connection.execute("SELECT count(*) FROM kudos").fetchone()[0])
            finally:
                if litestream:
                    litestream.terminate()
                    litestream.wait(10)
                server.close()
                slack.stop()
                services.store.close()
        lat = result["latencies"]
        label = "with Litestream (1 s sync)" if replicated else "without replication"
        rows[replicated] = percentile(lat, 99)
        print(
            f"{label:<30}{percentile(lat, 50):>9.1f}{percentile(lat, 95):>9.1f}{percentile(lat, 99):>9.1f}"
            f"{result['errors']:>8}{stored:>8}{in_replica:>11}"
        )
    print(f"p99 with / without: {rows[True] / rows[False]:.2f}x")


def restore_time(db: Path, runs: int) -> None:
    print(f"\nrestore: {db} ({db.stat().st_size / 1e6:,.0f} MB)")
    with tempfile.TemporaryDirectory(dir=db.parent) as scratch:
        work = Path(scratch) / "source.db"
        shutil.copyfile(db, work)
        with sqlite3.connect(work) as connection:
            kudos = connection.execute("SELECT count(*) FROM kudos").fetchone()[0]
            connection.execute("PRAGMA journal_mode=WAL")
        config = litestream_config(work, Path(scratch) / "replica")
        started = time.perf_counter()
        subprocess.run(
            [litestream_binary(), "replicate", "-config", str(config), "-once", "-force-snapshot"], check=True, capture_output=True
        )
        snapshot = time.perf_counter() - started
        restores, copies = [], []
        for n in range(runs):
            out = Path(scratch) / f"restored-{n}.db"
            started = time.perf_counter()
            subprocess.run(
                [litestream_binary(), "restore", "-config", str(config), "-o", str(out), str(work)], check=True, capture_output=True
            )
            restores.append(time.perf_counter() - started)
            out.unlink()
            started = time.perf_counter()
            shutil.copyfile(work, out)
            copies.append(time.perf_counter() - started)
            out.unlink()
    restore, copy = statistics.median(restores), statistics.median(copies)
    print(f"{kudos:,} kudos: first snapshot to the replica {snapshot:.1f} s; restore p50 {restore:.1f} s over {runs} runs")
    print(f"floor (copying the file) {copy:.1f} s: restore is {restore / copy:.1f}x a plain copy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--text", default="dive deep", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help="a big database to time the restore of (bench/leaderboard.py --db builds one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {litestream_binary()}\n")
    write_path(args)
    if args.db:
        restore_time(args.db, args.runs)


if __name__ == "__main__":
    main()
