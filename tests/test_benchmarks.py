"""The benchmarks' own arithmetic: what decides how their numbers are read must itself be right."""

from __future__ import annotations

import math
import random

import pytest

from bench.ack_latency import Blocks, event_kind, median_interval


def test_the_median_interval_covers_a_known_median_nineteen_times_in_twenty():
    # Twenty rounds drawn from an exponential distribution, whose median is ln 2 / rate: the interval
    # must hold it in at least 95% of many such sets (the order-statistic interval is conservative).
    rng = random.Random(24)
    true_median = math.log(2)
    sets = 4000
    covered = sum(lo <= true_median <= hi for lo, hi in (median_interval([rng.expovariate(1.0) for _ in range(20)]) for _ in range(sets)))
    assert 0.95 <= covered / sets <= 0.975  # 95.9% in theory, for n = 20


@pytest.mark.parametrize(("n", "ranks"), [(6, (1, 6)), (9, (2, 8)), (20, (6, 15)), (30, (10, 21)), (50, (18, 33))])
def test_the_median_interval_uses_the_ranks_of_the_binomial_tables(n, ranks):
    assert median_interval([float(rank) for rank in range(n, 0, -1)]) == ranks


def test_five_rounds_are_too_few_for_a_95_percent_interval():
    assert median_interval([1.0, 2.0, 3.0, 4.0, 5.0]) is None


def test_blocks_take_turns_and_keep_each_twenty_events_together():
    blocks = Blocks(rate=400, seconds=1, count=6, apps=2, pause=0.2, start=100.0, first=1)
    targets = [blocks.target(n) for n in range(blocks.total)]
    assert blocks.total == 2400 and targets.count(0) == targets.count(1) == 1200
    assert [blocks.target(block * 400) for block in range(6)] == [1, 0, 1, 0, 1, 0]  # app 1 first, then in turn
    # A redelivery or a reaction refers to an event of its own cycle of twenty: the same app's.
    assert all(len({targets[n] for n in range(cycle, cycle + 20)}) == 1 for cycle in range(0, blocks.total, 20))
    assert event_kind(0) == "inline kudos" and event_kind(1) == "redelivery"
    # Within a block the requests are 1/rate apart; the next block starts after the block and its pause.
    assert blocks.due(1) - blocks.due(0) == pytest.approx(1 / 400)
    assert blocks.due(400) == pytest.approx(1.2) and blocks.begins(1) == pytest.approx(101.2)
