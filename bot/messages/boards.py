"""Leaderboards, stats and recent kudos: counts anywhere, words only where the privacy rule allows."""

from __future__ import annotations

from bot.messages.parts import context, header, notice, section, shorten
from bot.messages.replies import Reply
from bot.messages.text import escape, mentions, safe_link, user_text
from bot.slack.terms import checked_user_id, is_channel_id
from principles.catalog import Catalog, Principle

CHANNEL_NOT_SHOWN = (
    "I can show a channel's board and stats only to people in it, for a channel I'm in: ask from inside the channel, "
    "or `/invite @LP Bot` there first."
)


NO_ROSTERS_HERE = "I can't look up channels or groups here; mention the people instead."


def roster_name(team, label: str) -> str:
    """A team (intents.Roster) as a message names it: a channel as a link, a group by its handle, never pinging it."""
    if team.kind == "channel" and is_channel_id(team.id):
        return f"<#{team.id}>"
    return f"@{escape(label.lstrip('@'))}" if label else "that group"


def leaderboard_reply(rows: list[tuple[str, int]], principle: Principle | None, period: str, team: str | None = None) -> Reply:
    scope = f" for {escape(principle.name)}" if principle else ""
    when = "of all time" if period == "all" else f"this {period}"
    among = f" in {team}" if team else ""
    title = f"Kudos leaderboard{among}{scope}, {when}"
    if not rows:
        text = f"{title}: no kudos yet. Be the first: `/lp kudos @someone <principle> <why>`."
        return notice(text)
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    # Equal counts share a rank (1, 1, 3: "standard competition ranking"), and so a medal.
    ranks = [1 + sum(1 for _, other in rows if other > count) for _, count in rows]
    lines = [
        f"{medals.get(rank, f'{rank}.')} <@{checked_user_id(user)}> — {count}" for rank, (user, count) in zip(ranks, rows, strict=True)
    ]
    return Reply(text=f"{title}\n" + "\n".join(lines), blocks=[section(f"*{title}*"), section("\n".join(lines))])


def no_leaderboards_reply(mix: dict[str, int], catalog: Catalog, period: str, team: str | None = None) -> Reply:
    """With leaderboards switched off (LPBOT_LEADERBOARDS=off, or by an admin for a channel): nobody is
    ranked; the team sees which principles it recognizes."""
    when = "of all time" if period == "all" else f"this {period}"
    who = team or "the team"
    return notice(
        "Leaderboards are switched off here: nobody is ranked. "
        f"What {who} recognized {when}: {mix_line(mix, catalog)}. Your own kudos: `/lp stats`."
    )


def roster_stats_reply(team: str, size: int, catalog: Catalog, this_quarter: dict, ever: dict) -> Reply:
    """A team's kudos received, by principle: counts only, never who said what where."""
    lines = [
        f"*Received this quarter:* {sum(this_quarter.values())} — {mix_line(this_quarter, catalog)}",
        f"*Received all time:* {sum(ever.values())} — {mix_line(ever, catalog)}",
    ]
    missing = [p.name for p in catalog if p.slug not in this_quarter]
    if missing and this_quarter:
        lines.append(f"*Not recognized this quarter:* {escape(', '.join(missing[:5]))}{' …' if len(missing) > 5 else ''}")
    title = f"Kudos for {team} ({size} {'person' if size == 1 else 'people'})"
    return Reply(text=f"{title}\n" + "\n".join(lines), blocks=[section(f"*{title}*"), section("\n".join(lines))])


def leaderboards_setting_saved(channel_id: str, shown: bool) -> Reply:
    if shown:
        return notice(f"Leaderboards are back on in <#{channel_id}>.")
    return notice(
        f"Leaderboards are off in <#{channel_id}>: `/lp leaderboard` there shows what the team recognizes, "
        "without ranking anyone. People still see their own `/lp stats`."
    )


def mix_line(counts: dict[str, int], catalog: Catalog) -> str:
    if not counts:
        return "none yet"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    names = {p.slug: p.name for p in catalog}
    return ", ".join(f"{escape(names.get(slug, slug))} {count}" for slug, count in ordered)


def stats_reply(user_id: str, catalog: Catalog, received: dict, received_all: dict, given: dict, given_all: dict) -> Reply:
    who = f"<@{checked_user_id(user_id)}>"
    lines = [
        f"*Received this quarter:* {sum(received.values())} — {mix_line(received, catalog)}",
        f"*Received all time:* {sum(received_all.values())} — {mix_line(received_all, catalog)}",
        f"*Given this quarter:* {sum(given.values())} — {mix_line(given, catalog)}",
        f"*Given all time:* {sum(given_all.values())} — {mix_line(given_all, catalog)}",
    ]
    text = f"Kudos for {who}\n" + "\n".join(lines)
    return Reply(text=text, blocks=[section(f"*Kudos for* {who}"), section("\n".join(lines))])


def kudos_line(record, catalog: Catalog) -> str:
    principle = catalog.by_slug(record.principle)
    name = escape(principle.name) if principle else escape(record.principle)
    reason = user_text(" ".join(record.reason.split()))
    if len(reason) > 200:
        reason = reason[:199] + "…"
    return f"{mentions([record.giver_id])} → {mentions(record.recipients)} for *{name}* ({record.created_at[:10]}): {reason}"


def recent_reply(records, catalog: Catalog, principle: Principle | None, hidden: int = 0, most: int = 100) -> Reply:
    """The latest kudos the asker may read; `hidden` counts those said in conversations they are not part of, up to `most`."""
    scope = f" for {escape(principle.name)}" if principle else ""  # inside the bold header: no bold of its own
    many = f"{hidden} or more" if hidden >= most else str(hidden)
    private_note = (
        f"{many} {'kudos was' if hidden == 1 else 'kudos were'} given in private conversations; only the people in them can read the words."
    )
    if not records:
        named = f" for *{escape(principle.name)}*" if principle else ""
        empty = f"No kudos{named} you can read here yet. Start with `/lp kudos @someone <principle> <why>`."
        return notice(f"{empty} {private_note}" if hidden else empty)
    lines = [kudos_line(r, catalog) for r in records]
    footer = [context(private_note)] if hidden else []
    return Reply(
        text=f"Latest kudos{scope}\n" + "\n".join(lines),
        blocks=[section(f"*Latest kudos{scope}*"), *[section(line) for line in lines], *footer],
    )


# A DM holds at most 50 blocks (Block Kit reference); a section 3,000 characters (parts.SECTION_LIMIT).
SUMMARY_LINES_PER_PRINCIPLE = 12


def summary_dm(records, catalog: Catalog, label: str, until: str) -> Reply:
    """The kudos a person received in a span, by principle (most first), each with who gave it, when,
    the words and, for a public one, the link: the page to paste into a review organised by principles.
    Only the person themself gets it, so every kudos they received may be shown (the privacy rule)."""
    if not records:
        return notice(
            f"No kudos for you in {escape(label)} (to {until}) yet. When someone recognizes you, it shows up here; "
            "`/lp recent` shows the team's latest."
        )
    by_principle: dict[str, list] = {}
    for record in records:
        by_principle.setdefault(record.principle, []).append(record)
    names = {p.slug: p.name for p in catalog}
    ordered = sorted(by_principle.items(), key=lambda item: (-len(item[1]), names.get(item[0], item[0])))
    blocks = [header(f"Your kudos, {label}"[:150]), context(f"{len(records)} kudos to {until}, by principle, newest first.")]
    for slug, given in ordered:
        lines = []
        for record in given[:SUMMARY_LINES_PER_PRINCIPLE]:
            why = user_text(" ".join(record.reason.split()))
            link = safe_link(record.message_link or "", "the message") if record.visibility == "public" else ""
            about = f" (about {link})" if link else ""
            lines.append(f"• {mentions([record.giver_id])}, {record.created_at[:10]}: {shorten(why, 300)}{about}")
        if len(given) > SUMMARY_LINES_PER_PRINCIPLE:
            lines.append(f"… and {len(given) - SUMMARY_LINES_PER_PRINCIPLE} more")
        blocks.append(section(f"*{escape(names.get(slug, slug))}* — {len(given)}\n" + "\n".join(lines)))
    return Reply(text=f"Your kudos, {label}: {len(records)}", blocks=blocks[:50])


def summary_sent(label: str) -> Reply:
    return notice(f"Your summary of {escape(label)} is in your DMs with me.")
