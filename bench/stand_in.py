"""The local Slack stand-in in its own process, for the benchmarks: Slack is never in the bot's process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class StandInProcess:
    """`python -m tests.slack_stand_in` with the given options; its record is read over HTTP (/_calls …)."""

    def __init__(self, *options: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.slack_stand_in", *options],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdin is not None  # both are pipes, above
        self.url = self.process.stdout.readline().strip()
        self.api_url = self.url + "/api/"

    def get(self, path: str):
        with urllib.request.urlopen(self.url + path) as response:
            return json.loads(response.read())

    def count(self, method: str) -> int:
        return self.get(f"/_calls?method={method}")["count"]

    def wait_for_count(self, method: str, expected: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while (count := self.count(method)) < expected and time.monotonic() < deadline:
            time.sleep(0.2)  # polling another process's progress
        return count

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)
