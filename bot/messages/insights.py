"""Insights and the monthly digest: counts only, the nudge readout in plain words."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
)

from bot.insights.figures import NUDGE_MIN_KUDOS, ROTATION_LOOKBACK, Insights, Nudge, RateTest, smallest_clear_ratio
from bot.messages.parts import context, header, notice, section
from bot.messages.principles import RECOGNIZE_ACTION
from bot.messages.replies import Reply
from bot.messages.text import escape, mentions, quote_block
from bot.slack.terms import checked_user_id
from principles.catalog import Catalog

NO_KUDOS_YET = (
    "*No kudos yet* in this period, so there is nothing to measure: give the first with "
    "`/lp kudos @someone <principle> <why>`, and the figures fill in from there."
)
SHARE_FROM_A_CHANNEL = "Share it from the channel you want it in: type `/lp insights share` there."


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _ci(test: RateTest) -> str:
    high = f"{test.ci_high:.1f}" if test.ci_high is not None else "∞"
    return f"{test.ci_low:.1f}–{high}" if test.ci_low is not None else "unknown"


def nudge_verdict(test: RateTest, featured: str = "its week") -> str:
    """What a rate test lets us say, and no more: an effect only when the 95% interval leaves out 1."""
    if test.ci_low is None:
        return "too few kudos to tell"
    if test.clear and test.ci_low > 1:
        size = f"about {test.rate_ratio:.1f}×" if test.rate_ratio is not None else f"at least {test.ci_low:.1f}×"
        return f"{size} more kudos in {featured}, 95% CI {_ci(test)}"
    if test.clear:
        return f"about {test.rate_ratio:.1f}× the usual kudos in {featured}: fewer, 95% CI {_ci(test)}"
    return f"no clear effect: could be chance (CI {_ci(test)})"


def _nudge_line(nudge: Nudge, names: dict[str, str]) -> str:
    name = escape(names.get(nudge.principle, nudge.principle))
    weeks = "its week" if len(nudge.featured_weeks) == 1 else f"its {len(nudge.featured_weeks)} weeks"
    counted = nudge.featured_kudos + nudge.baseline_kudos
    if not nudge.enough:
        if not nudge.baseline_weeks:
            return f"• {name}: too few kudos to tell (no baseline weeks in the period to compare with)."
        return f"• {name}: too few kudos to tell ({counted} in {weeks} and its baseline weeks; it takes {NUDGE_MIN_KUDOS})."
    # Counts and weeks, not rounded rates: the ratio can be checked from what the line shows.
    figures = f"{nudge.featured_kudos} kudos in {weeks}, against {nudge.baseline_kudos} in {nudge.baseline_weeks} baseline weeks"
    line = f"• {name}: {figures}: {nudge_verdict(nudge.test, weeks)}"
    if not nudge.test.clear:
        smallest = smallest_clear_ratio(nudge.baseline_kudos, len(nudge.featured_weeks), nudge.baseline_weeks)
        if smallest is not None:
            line += f"; with this much data only about {smallest:.1f}× or more would show"
    return line + "."


def insight_lines(insights: Insights, catalog: Catalog) -> list[str]:
    """The figures in words, the same for /lp insights and the digest."""
    names = {p.slug: p.name for p in catalog}
    if not insights.kudos:
        # Fourteen "blind spots" say nothing when nobody has given a kudos yet: say how to start.
        return [NO_KUDOS_YET]
    totals = insights.totals
    recognized_principles = sum(1 for slug in insights.principles if totals[slug])
    least = ", ".join(f"{escape(names[s])} ({totals[s]})" for s in insights.least)
    lines = [
        f"*Kudos given:* {insights.kudos}, by {insights.givers} {'person' if insights.givers == 1 else 'people'}",
        f"*People recognized:* {insights.recognized} of the {insights.participants} who gave or received "
        f"(reach {_percent(insights.recognized, insights.participants)})",
        f"*Principles recognized:* {recognized_principles} of {len(insights.principles)} · *least:* {least}",
    ]
    if insights.blind_spots:
        lines.append("*Blind spots* (no kudos at all): " + ", ".join(escape(names[s]) for s in insights.blind_spots))
    if insights.nudges:
        pooled = nudge_verdict(insights.pooled, "their weeks")
        lines.append(f"*Did the principle of the week move it?* Over every principle featured: {pooled}.")
        lines.append(
            f"Each principle's kudos in its featured weeks, against its baseline: the period's other weeks, "
            f"leaving out the {ROTATION_LOOKBACK} before each pick (it was picked because they were quiet):"
        )
        lines += [_nudge_line(n, names) for n in insights.nudges]
        if insights.same_week:
            fair = insights.same_week
            lines.append(
                f"*The fair test:* in the {fair.draws} weeks the principle was drawn at random among the least recognized, "
                f"it got {fair.drawn_kudos} kudos, against {fair.others_kudos} for the {fair.others} drawn with it that week: "
                f"{nudge_verdict(fair.test, 'its week')}."
            )
    else:
        lines.append("*The principle of the week:* none was posted in this period, so there is no nudge to measure.")
    return lines


def insights_reply(insights: Insights, catalog: Catalog, *, shared_by: str | None = None) -> Reply:
    """/lp insights in words: ephemeral, or in the channel when shared."""
    title = escape(insights.title)
    body = "\n".join(insight_lines(insights, catalog))
    footer = "Counts only: no kudos' words or places. The chart shows the same, week by week."
    if shared_by:
        footer = f"Shared by <@{checked_user_id(shared_by)}> · {footer}"
    else:
        footer += " It's in your DMs with me; `/lp insights share` posts it here for everyone."
    return Reply(
        text=f"{insights.title}\n{body}",
        blocks=[section(f"*{title}*"), section(body), context(footer)],
        response_type="in_channel" if shared_by else "ephemeral",
    )


def chart_not_sent(code: str) -> Reply:
    reasons = {
        "missing_scope": "I'm not allowed to upload files here (the `files:write` scope); whoever runs LP Bot can grant it "
        "by reinstalling from the manifest",
        "not_in_channel": "I'm not a member of this channel: invite me with `/invite @LP Bot`",
    }
    why = reasons.get(code, f"Slack said `{escape(code)}`")
    return notice(f"I couldn't send the chart as a picture: {why}. The figures above say the same in words.")


def digest_saved(channel_id: str, enabled: bool, when: str | None = None, *, had_one: bool = True) -> Reply:
    if not enabled:
        if not had_one:
            return notice(f"<#{channel_id}> has no monthly digest to switch off. `/lp digest <#{channel_id}> on` starts one.")
        return notice(f"No more monthly digests in <#{channel_id}>.")
    return notice(
        f"A culture digest will go to <#{channel_id}> on the first working day of each month, {escape(when or '')}: "
        "last month's chart and figures, a shout-out for the least recognized principles, and a button to recognize someone. "
        "Invite me there if I'm not in it."
    )


def digest_post(insights: Insights, catalog: Catalog, month_label: str, shout_outs, least) -> Reply:
    """The monthly culture digest: last month's figures, a quote of one public kudos for each
    under-recognized principle that had one, and a button for the least recognized."""
    names = {p.slug: p for p in catalog}
    blocks = [header(f"Culture digest: {month_label}"), section("\n".join(insight_lines(insights, catalog)))]
    if shout_outs:
        lines = []
        for record in shout_outs:
            principle = names.get(record.principle)
            label = escape(principle.name) if principle else escape(record.principle)
            lines.append(f"*{label}*: {mentions([record.giver_id])} → {mentions(record.recipients)}\n{quote_block(record.reason)}")
        blocks.append(section("*Shout-outs for principles we recognize least*\n" + "\n".join(lines)))
    if least is not None:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=f"Recognize someone for {least.name}"[:75], action_id=RECOGNIZE_ACTION, value=least.slug, style="primary"
                    )
                ]
            ).to_dict()
        )
    blocks.append(context("Counts only, from this workspace's kudos. The chart follows as a picture."))
    return Reply(text=f"Culture digest: {month_label}", blocks=blocks, response_type="in_channel")
