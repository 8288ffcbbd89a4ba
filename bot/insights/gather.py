"""The figures of insights for any span: counts read from storage, shaped by bot.insights.figures.
Used by /lp insights, the monthly digest and `lpbot insights`."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.insights import figures
from principles import Catalog
from storage import insights as insights_store


def gather_insights(
    db: Database,
    catalog: Catalog,
    team_id: str,
    title: str,
    columns: list[datetime],
    since: datetime,
    until: datetime,
    outside_too: bool = False,
) -> figures.Insights:
    """The figures for [since, until), in the weeks starting at `columns`: counts from storage, shaped by
    bot.insights.figures. Reach counts another organisation's people only with `outside_too`."""
    return figures.build(
        catalog,
        title,
        columns,
        insights_store.counts_by_week(db, team_id, columns[0], since, until),
        insights_store.featured(db, team_id, since, until),
        insights_store.participation(db, team_id, since, until, outside_too),
        insights_store.drawn(db, team_id, since, until),
    )
