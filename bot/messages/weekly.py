"""The principle of the week: the post, schedules and their notices."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
)

from bot.messages.parts import context, header, notice, section
from bot.messages.principles import RECOGNIZE_ACTION, principle_card
from bot.messages.replies import Reply
from bot.messages.text import escape, mentions, quote_block
from principles.catalog import Principle
from storage.kudos import KudosRecord
from storage.weekly import WEEKDAYS, Schedule


@dataclass(frozen=True)
class WeeklyRecap:
    principle: Principle
    kudos_count: int
    quoted: KudosRecord | None  # a kudos said in a public channel, or None


def weekly_post(principle: Principle, why: str | None, question: str | None, recap: WeeklyRecap | None) -> Reply:
    blocks = [
        header(f"Principle of the week: {principle.title}"),
        section(f"*{escape(principle.summary)}*"),
    ]
    if principle.practice:
        blocks.append(section(f"*What it looks like on a team*\n{escape(principle.practice)}"))
    if question:
        blocks.append(section(f"*This week, ask yourself:* {escape(question)}"))
    if recap:
        line = f"*Last week:* {escape(recap.principle.name)} got {recap.kudos_count} kudos."
        if recap.quoted:
            record = recap.quoted
            line += f"\n{mentions([record.giver_id])} recognized {mentions(record.recipients)}:\n{quote_block(record.reason)}"
        blocks.append(section(line))
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=f"Recognize someone for {principle.name}"[:75],
                    action_id=RECOGNIZE_ACTION,
                    value=principle.slug,
                    style="primary",
                )
            ]
        ).to_dict()
    )
    if why:
        blocks.append(context(escape(why)))
    return Reply(text=f"Principle of the week: {principle.name}", blocks=blocks, response_type="in_channel")


NO_WEEKLY_POST_HERE = notice(
    "This channel has no principle of the week yet. An admin can start one with `/lp schedule #channel monday 09:00`."
)


def schedule_saved(schedule: Schedule, first_post: str, replaced: Schedule | None = None) -> Reply:
    before = ""
    if replaced is not None:
        before = f" It replaces the {WEEKDAYS[replaced.weekday].capitalize()} {replaced.time} {escape(replaced.tz)} post there."
    return notice(
        f"Scheduled: a principle of the week in <#{schedule.channel_id}> every "
        f"{WEEKDAYS[schedule.weekday].capitalize()} at {schedule.time} {escape(schedule.tz)}.{before} "
        f"First post: {first_post}. Make sure I'm in the channel (`/invite @LP Bot`)."
    )


def schedule_stopped(channel_id: str, was_scheduled: bool) -> Reply:
    if not was_scheduled:
        return notice(f"<#{channel_id}> has no weekly post to stop; `/lp schedule` lists them.")
    return notice(f"Stopped: no more weekly posts in <#{channel_id}>.")


def coming_up(principle: Principle, why: str, when: str) -> Reply:
    """`/lp week` before the post: what the channel will get, and why, then the card."""
    intro = notice(f"Coming up in this channel on {when}: *{escape(principle.name)}*. {escape(why)}")
    return Reply(text=intro.text, blocks=intro.blocks + principle_card(principle).blocks)


def schedule_paused_notice(channel_id: str, explanation: str) -> Reply:
    return notice(
        f"I've paused the weekly principle post for <#{channel_id}>: {explanation} "
        f"To stop it for good instead, use `/lp schedule off <#{channel_id}>`."
    )


def schedules_reply(rows: list[tuple[Schedule, str]]) -> Reply:
    """`rows` pairs each schedule with its next run, already formatted for people."""
    if not rows:
        return notice("No weekly posts are scheduled. Add one with `/lp schedule #channel monday 09:00 Europe/Berlin`.")
    lines = []
    for schedule, when in rows:
        day = WEEKDAYS[schedule.weekday].capitalize()
        state = "active" if schedule.active else f"paused ({escape(schedule.paused_reason or 'by an admin')})"
        lines.append(f"<#{schedule.channel_id}> — {day}s at {schedule.time} {escape(schedule.tz)} · next: {when} · {state}")
    return Reply(text="Weekly posts\n" + "\n".join(lines), blocks=[section("*Weekly posts*"), section("\n".join(lines))])
