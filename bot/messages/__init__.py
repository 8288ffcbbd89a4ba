"""Block Kit for every message the bot sends, built from plain values by pure functions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.insights.figures import NUDGE_MIN_KUDOS, ROTATION_LOOKBACK, Insights, Nudge, RateTest, smallest_clear_ratio
from bot.kudos.rules import MAX_GROUP_PEOPLE, MAX_REASON, MIN_REASON
from bot.slack.terms import TeamScope, checked_user_id, explain, is_channel_id, is_group_id, is_user_id
from principles.catalog import Catalog, Principle
from storage.kudos import KudosRecord
from storage.weekly import WEEKDAYS, Schedule

SHARE_ACTION = "share_principle"
RECOGNIZE_ACTION = "recognize_principle"
PRIVATE_MESSAGE = "About a message in a private conversation"
CHANNEL_NOT_SHOWN = (
    "I can show a channel's board and stats only to people in it, for a channel I'm in: ask from inside the channel, "
    "or `/invite @LP Bot` there first."
)
NOT_FROM_A_PERSON = "Kudos come from people: this account is an app, a bot or deactivated, so nothing was recorded."
# Several Recognize buttons in one block (App Home's blind spots) each add their place: Slack refuses
# two equal action_ids in one block.
RECOGNIZE_ACTIONS = re.compile(f"^{RECOGNIZE_ACTION}(_\\d+)?$")
# Slack's limits: 3,000 characters in a section's text, 150 in a header.
_SECTION_LIMIT = 3000
_HEADER_LIMIT = 150
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Reply:
    """A message: fallback text (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    response_type: str = "ephemeral"

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks, "response_type": self.response_type}


@dataclass(frozen=True)
class Upload:
    """A picture to send as a file: into the channel when `public`, else into a DM with the asker."""

    image: bytes
    filename: str
    title: str
    alt_text: str
    public: bool = False


@dataclass(frozen=True)
class Answer:
    """Replies to send through the response_url, in order, DMs to send to (user, reply), and pictures."""

    replies: list[Reply]
    dms: list[tuple[str, Reply]] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    # Public messages to change: (where a kudos was thanked, what it says now), e.g. after /lp undo.
    edits: list[tuple[Any, Reply]] = field(default_factory=list)


_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
# Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) can make a line read
# backwards or reorder a name and a reason; nothing a person means to say needs them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def escape(text: str) -> str:
    """Make text a person typed inert in mrkdwn: no pings, no disguised links, no reversed reading.

    Slack already sends slash-command text with &, < and > as entities; those are left
    as they are, so "R&D" neither pings anyone nor shows up as "R&amp;amp;D".
    """
    text = _BIDI_CONTROLS.sub("", text)
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str, limit: int = 80) -> str:
    """A short, safe, single-line echo of user input, for 'I could not find ...' replies: mentions and
    channels Slack encoded (`<@U…|bob>`, `<#C…|general>`) read as mentions and channels, not as markup."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return user_text(flat)


def _section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text[:_SECTION_LIMIT])).to_dict()


def _context(text: str) -> dict:
    return ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()


def _header(text: str) -> dict:
    return HeaderBlock(text=text[:_HEADER_LIMIT]).to_dict()


def _link(url: str, label: str) -> str:
    # Only plain web links go into <url|label>; anything else could smuggle markup.
    if re.fullmatch(r"https?://[^\s<>|]+", url):
        return f"<{url}|{label}>"
    return ""


# Lists stay well inside what one Slack message can carry, whatever a custom catalog holds:
# at most LIST_PAGE lines of at most LINE_SUMMARY characters of summary each (~5,000 characters).
LIST_PAGE = 25
LINE_SUMMARY = 140


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def principle_line(principle: Principle) -> str:
    return f"*{escape(principle.title)}* — {escape(_shorten(principle.summary, LINE_SUMMARY))}"


def principle_card(principle: Principle, *, shareable: bool = True, shared_by: str | None = None) -> Reply:
    """The full card for one principle; `shared_by` is a user ID the bot has checked."""
    blocks = [_header(principle.title), _section(f"*{escape(principle.summary)}*")]
    if principle.description:
        blocks.append(_section(escape(principle.description)))
    if principle.practice:
        blocks.append(_section(f"*What it looks like on a team*\n{escape(principle.practice)}"))
    if principle.questions:
        bullets = "\n".join(f"• {escape(q)}" for q in principle.questions)
        blocks.append(_section(f"*Ask yourself*\n{bullets}"))
    footer = [f"`/lp {principle.slug}`"]
    source = _link(principle.url, "Source")
    if source:
        footer.append(source)
    if shared_by:
        footer.append(f"Shared by <@{shared_by}>")
    blocks.append(_context(" · ".join(footer)))
    if shareable:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Share in channel", action_id=SHARE_ACTION, value=principle.slug),
                    ButtonElement(text="Recognize someone for this", action_id=RECOGNIZE_ACTION, value=principle.slug),
                ]
            ).to_dict()
        )
    return Reply(
        text=f"{principle.number}. {principle.name}: {principle.summary}",
        blocks=blocks,
        response_type="in_channel" if shared_by else "ephemeral",
    )


def list_pages(catalog: Catalog) -> int:
    return max(1, -(-len(catalog) // LIST_PAGE))


def no_such_page(page: int, pages: int) -> str:
    if pages == 1:
        return f"The list has one page, so there is no page {page}: `/lp list` shows them all."
    return f"The list has {pages} pages: try `/lp list` or `/lp list {pages}`."


def did_you_mean(command: str, rest: str) -> str:
    """The subcommand a slip of the keyboard meant, with the rest of what was typed kept (mentions as mentions)."""
    kept = f" {quote(rest, limit=200)}" if rest else ""
    return f"Did you mean `/lp {command}`{kept}? `/lp help` lists every command."


def no_such_number(typed: str, count: int) -> str:
    return f"There are {count} principles, numbered 1 to {count}, so “{quote(typed)}” is none of them: try `/lp list`."


def list_reply(catalog: Catalog, page: int = 1) -> Reply:
    pages = list_pages(catalog)
    page = min(max(page, 1), pages)
    shown = catalog.principles[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    lines = [principle_line(p) for p in shown]
    title = catalog.name if pages == 1 else f"{catalog.name} ({page} of {pages})"
    blocks = [_header(title)]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > _SECTION_LIMIT:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(_section("\n".join(chunk)))
    hint = "Open one with `/lp <number or name>`, for example `/lp 1`."
    if page < pages:
        hint += f" More: `/lp list {page + 1}`."
    blocks.append(_context(hint))
    return Reply(text=f"{catalog.name}: {len(catalog)} principles", blocks=blocks)


def not_found_reply(query: str, suggestions: tuple[Principle, ...] | list[Principle]) -> Reply:
    asked = quote(query)
    if suggestions:
        options = "\n".join(f"• `/lp {p.slug}` — {escape(p.name)}" for p in suggestions)
        text = f"I couldn't pin down “{asked}” to one principle. Did you mean one of these?\n{options}"
    else:
        text = f"I couldn't find a principle matching “{asked}”. Try `/lp list` to see them all."
    return Reply(text=text, blocks=[_section(text)])


def search_reply(words: str, results: list[Principle]) -> Reply:
    asked = quote(words)
    if not results:
        text = f"Nothing in the principles mentions “{asked}”. Try other words, or `/lp list`."
        return Reply(text=text, blocks=[_section(text)])
    lines = "\n".join(principle_line(p) for p in results)
    text = f"Principles for “{asked}”, best match first:\n{lines}"
    return Reply(
        text=text,
        blocks=[_section(f"Principles for “{asked}”, best match first:"), _section(lines), _context("Open one with `/lp <number>`.")],
    )


def help_reply(catalog: Catalog, usage: list[tuple[str, str]]) -> Reply:
    """The commands, with examples from the team's own principles (a custom catalog's, not Amazon's)."""
    principles = catalog.principles
    examples = {
        "number": str(min(7, len(principles))),
        "name": escape(principles[min(11, len(principles) - 1)].name.lower()),
        "slug": escape(principles[min(1, len(principles) - 1)].slug),
    }
    lines = "\n".join(f"`{command}` — {what.format(**examples) if '{' in what else what}" for command, what in usage)
    catalog_name = catalog.name
    return Reply(
        text=f"LP Bot keeps {catalog_name} close at hand. Commands:\n{lines}",
        blocks=[
            _section(f"*LP Bot* keeps *{escape(catalog_name)}* close at hand."),
            _section(lines),
            _context("Replies only you can see stay private; use *Share in channel* to show a principle to everyone."),
        ],
    )


def notice(text: str) -> Reply:
    """A short ephemeral answer: a refusal, a confirmation, an apology. `text` must already be safe."""
    return Reply(text=text, blocks=[_section(text)])


APOLOGY = notice(
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment; "
    "if it keeps happening, let whoever runs LP Bot know."
)


def home_view(catalog: Catalog, received: list, mix: dict[str, int], teams=(), given: dict[str, int] | None = None, blind_spots=()) -> dict:
    """The App Home tab: your recent kudos, your principles as a small chart (received and given),
    your teams' mix (counts only), this month's blind spots with a button each, the principles.
    `teams` holds (name, size, principle mix this quarter); `blind_spots` principles nobody was recognized for this month."""
    blocks = [
        _header("LP Bot"),
        _section(f"Your team's principles: *{escape(catalog.name)}*. Type `/lp help` anywhere to see what I can do."),
        ActionsBlock(elements=[ButtonElement(text="Give kudos", action_id=GIVE_KUDOS_ACTION, style="primary")]).to_dict(),
        DividerBlock().to_dict(),
        _section("*Kudos you received lately*"),
    ]
    if received:
        blocks.extend(_section(_kudos_line(record, catalog)) for record in received)
    else:
        blocks.append(_context("None yet — they will show up here."))
    blocks.append(_section(f"*Your principles*\n{_bars(mix, given or {}, catalog)}"))
    for name, size, team_mix in teams:
        people = f" ({size} people)" if size else ""
        missing = [p.name for p in catalog if p.slug not in team_mix]
        line = f"*{escape(name)}{people} this quarter:* {_mix(team_mix, catalog)}"
        if missing and team_mix:
            line += f"\nNot recognized yet: {escape(', '.join(missing[:4]))}{' …' if len(missing) > 4 else ''}"
        blocks.append(_section(line))
    if blind_spots:
        blocks.append(_section("*The team's blind spots this month* — nobody has been recognized for these yet:"))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text=f"Recognize someone for {p.name}"[:75], action_id=f"{RECOGNIZE_ACTION}_{i}", value=p.slug)
                    for i, p in enumerate(list(blind_spots)[:HOME_BLIND_SPOTS])
                ]
            ).to_dict()
        )
    blocks.append(DividerBlock().to_dict())
    blocks.extend(list_reply(catalog).blocks[1:])
    return {"type": "home", "blocks": blocks[:100]}


HOME_BLIND_SPOTS = 5
_BAR_WIDTH = 10


def _bars(received: dict[str, int], given: dict[str, int], catalog: Catalog) -> str:
    """A small chart in text, which App Home can show without an image host: one line per principle
    you received or gave kudos for, the bars scaled to your largest count."""
    rows = [p for p in catalog if received.get(p.slug) or given.get(p.slug)]
    if not rows:
        return "No kudos received or given yet. The chart fills in as you do."
    most = max(max(received.values(), default=0), max(given.values(), default=0), 1)

    def bar(count: int) -> str:
        return "▇" * max(1, round(_BAR_WIDTH * count / most)) if count else "·"

    lines = [
        f"`{bar(received.get(p.slug, 0)):<{_BAR_WIDTH}}` {received.get(p.slug, 0)} received · "
        f"`{bar(given.get(p.slug, 0)):<{_BAR_WIDTH}}` {given.get(p.slug, 0)} given — {escape(p.name)}"
        for p in rows
    ]
    return "\n".join(lines)


# -- kudos ---------------------------------------------------------------------------

KUDOS_MODAL = "kudos_modal"
GROUPS_SELECT = "groups"
GIVE_KUDOS_ACTION = "give_kudos_home"
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def user_text(text: str) -> str:
    """Text a person wrote, made safe for mrkdwn.

    Slack encodes real mentions, channel links and URLs as <...> tokens. A user or channel
    mention whose ID we can check is kept (as a bare ID, so a label cannot lie); a URL is
    kept as the plain address, never as a relabelled link; everything else, including
    <!channel>, <!here> and <!subteam^...>, is escaped and so shown, not acted on.
    """
    out, last = [], 0
    for token in _SLACK_TOKEN.finditer(text):
        out.append(escape(text[last : token.start()]))
        inner = token.group(1)
        target = inner.split("|", 1)[0]
        if target.startswith("@") and is_user_id(target[1:]):
            out.append(f"<{target}>")
        elif target.startswith("#") and is_channel_id(target[1:]):
            out.append(f"<{target}>")
        elif re.fullmatch(r"https?://[^\s|]+", target):
            out.append(escape(target))
        elif target.startswith("!subteam^") and "|" in inner:
            out.append(escape("@" + inner.split("|", 1)[1].lstrip("@")))  # a group by its handle, never pinged
        else:
            out.append(escape(token.group(0)))
        last = token.end()
    out.append(escape(text[last:]))
    return "".join(out)


def mentions(user_ids) -> str:
    names = [f"<@{checked_user_id(u)}>" for u in user_ids]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _quote_block(reason: str) -> str:
    return "\n".join("> " + line for line in user_text(reason).splitlines() or [""])


def thanked(recipients, groups=()) -> str:
    """Who a kudos thanks, as a message says it: a user group by its handle (without pinging all of
    it again), people one by one."""
    if groups:
        handles = " and ".join(f"*@{escape(handle)}*" for handle in groups)
        return f"{handles} ({len(recipients)} {'person' if len(recipients) == 1 else 'people'})"
    return mentions(recipients)


def kudos_message(
    giver_id: str, recipients, principle: Principle, reason: str, message_link: str | None = None, groups=(), link_withheld: bool = False
) -> Reply:
    """The public thank-you in the channel. `link_withheld`: the kudos is about a message in a private
    conversation, whose link may not travel outside it."""
    headline = f":clap: {mentions([giver_id])} recognized {thanked(recipients, groups)} for *{escape(principle.title)}*"
    body = [_section(f"{headline}\n{_quote_block(reason)}")]
    footer = [escape(principle.summary)]
    link = _link(message_link or "", "the message")
    if link:
        footer.append(f"About {link}")
    elif link_withheld:
        footer.append(PRIVATE_MESSAGE)
    footer.append("Give kudos: `/lp kudos @someone <principle> <why>`")
    body.append(_context(" · ".join(footer)))
    names = " and ".join(f"@{escape(g)}" for g in groups) if groups else " and ".join(f"<@{u}>" for u in recipients)
    return Reply(text=f"Kudos to {names} for {principle.name}", blocks=body, response_type="in_channel")


def kudos_dm(giver_id: str, principle: Principle, reason: str, channel_id: str | None) -> Reply:
    where = f" in <#{channel_id}>" if is_channel_id(channel_id) else ""
    text = f":sparkles: {mentions([giver_id])} recognized you for *{escape(principle.title)}*{where}:\n{_quote_block(reason)}"
    return Reply(
        text=f"You got kudos for {principle.name}",
        blocks=[_section(text), _context("Turn these messages off with `/lp dm off`.")],
    )


def undelivered_post(post: Reply) -> Reply:
    """A public thank-you Slack would not take, shown to the giver alone so it is not lost."""
    note = "Your kudos is saved, but Slack didn't let me post it in the channel. Here it is, to share yourself:"
    return Reply(text=f"{note} {post.text}", blocks=[_section(note), *post.blocks])


def kudos_saved_not_posted(recipients, channel_id: str, code: str) -> Reply:
    """A kudos from the modal is stored, but Slack would not post it where the giver chose."""
    return notice(
        f"Your kudos for {mentions(recipients)} is saved, but I couldn't post it in <#{channel_id}>. "
        f"{explain(code, channel_id)} Then send it again, or choose another channel."
    )


def kudos_not_saved(reason: str) -> Reply:
    """After a slow Slack closed the modal before the checks were done: why the kudos was not stored."""
    return notice(f"Your kudos wasn't saved: {reason} Open *Give kudos* again to send it.")


def kudos_confirmation(recipients, principle: Principle, *, dropped_self: bool, duplicate: bool, groups=()) -> Reply:
    if duplicate:
        return notice("You sent exactly these kudos a moment ago, so I kept just the one. :slightly_smiling_face:")
    text = f"Sent! {thanked(recipients, groups)} will hear about it. Thank you for recognizing *{escape(principle.name)}*."
    if dropped_self:
        text += " (I left you out — kudos are for others.)"
    return notice(text)


def team_name(team, label: str) -> str:
    """A team (intents.TeamScope) as a message names it: a channel as a link, a group by its handle, never pinging it."""
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
    return Reply(text=f"{title}\n" + "\n".join(lines), blocks=[_section(f"*{title}*"), _section("\n".join(lines))])


def no_leaderboards_reply(mix: dict[str, int], catalog: Catalog, period: str, team: str | None = None) -> Reply:
    """With rankings switched off (LPBOT_LEADERBOARDS=off, or by an admin for a channel): nobody is
    ranked; the team sees which principles it recognizes."""
    when = "of all time" if period == "all" else f"this {period}"
    who = team or "the team"
    return notice(
        "Leaderboards are switched off here: nobody is ranked. "
        f"What {who} recognized {when}: {_mix(mix, catalog)}. Your own kudos: `/lp stats`."
    )


def team_stats_reply(team: str, size: int, catalog: Catalog, this_quarter: dict, ever: dict) -> Reply:
    """A team's kudos received, by principle: counts only, never who said what where."""
    lines = [
        f"*Received this quarter:* {sum(this_quarter.values())} — {_mix(this_quarter, catalog)}",
        f"*Received all time:* {sum(ever.values())} — {_mix(ever, catalog)}",
    ]
    missing = [p.name for p in catalog if p.slug not in this_quarter]
    if missing and this_quarter:
        lines.append(f"*Not recognized this quarter:* {escape(', '.join(missing[:5]))}{' …' if len(missing) > 5 else ''}")
    title = f"Kudos for {team} ({size} {'person' if size == 1 else 'people'})"
    return Reply(text=f"{title}\n" + "\n".join(lines), blocks=[_section(f"*{title}*"), _section("\n".join(lines))])


def leaderboards_setting_saved(channel_id: str, shown: bool) -> Reply:
    if shown:
        return notice(f"Leaderboards are back on in <#{channel_id}>.")
    return notice(
        f"Leaderboards are off in <#{channel_id}>: `/lp leaderboard` there shows what the team recognizes, "
        "without ranking anyone. People still see their own `/lp stats`."
    )


def _mix(counts: dict[str, int], catalog: Catalog) -> str:
    if not counts:
        return "none yet"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    names = {p.slug: p.name for p in catalog}
    return ", ".join(f"{escape(names.get(slug, slug))} {count}" for slug, count in ordered)


def stats_reply(user_id: str, catalog: Catalog, received: dict, received_all: dict, given: dict, given_all: dict) -> Reply:
    who = f"<@{checked_user_id(user_id)}>"
    lines = [
        f"*Received this quarter:* {sum(received.values())} — {_mix(received, catalog)}",
        f"*Received all time:* {sum(received_all.values())} — {_mix(received_all, catalog)}",
        f"*Given this quarter:* {sum(given.values())} — {_mix(given, catalog)}",
        f"*Given all time:* {sum(given_all.values())} — {_mix(given_all, catalog)}",
    ]
    text = f"Kudos for {who}\n" + "\n".join(lines)
    return Reply(text=text, blocks=[_section(f"*Kudos for* {who}"), _section("\n".join(lines))])


def _kudos_line(record, catalog: Catalog) -> str:
    principle = catalog.by_slug(record.principle)
    name = escape(principle.name) if principle else escape(record.principle)
    reason = user_text(" ".join(record.reason.split()))
    if len(reason) > 200:
        reason = reason[:199] + "…"
    return f"{mentions([record.giver_id])} → {mentions(record.recipients)} for *{name}* ({record.created_at[:10]}): {reason}"


def recent_reply(records, catalog: Catalog, principle: Principle | None, hidden: int = 0) -> Reply:
    """The latest kudos the asker may read; `hidden` counts those said in conversations they are not part of."""
    scope = f" for *{escape(principle.name)}*" if principle else ""
    many = f"{hidden} or more" if hidden >= 100 else str(hidden)
    private_note = (
        f"{many} {'kudos was' if hidden == 1 else 'kudos were'} given in private conversations; only the people in them can read the words."
    )
    if not records:
        empty = f"No kudos{scope} you can read here yet. Start with `/lp kudos @someone <principle> <why>`."
        return notice(f"{empty} {private_note}" if hidden else empty)
    lines = [_kudos_line(r, catalog) for r in records]
    footer = [_context(private_note)] if hidden else []
    return Reply(
        text=f"Latest kudos{scope}\n" + "\n".join(lines),
        blocks=[_section(f"*Latest kudos{scope}*"), *[_section(line) for line in lines], *footer],
    )


# Slack allows 100 options in a static select; a longer catalog is searched as the person types.
STATIC_OPTIONS = 100
PRINCIPLE_SELECT = "principle"


def principle_option(principle: Principle) -> dict:
    # An option's text holds 75 characters; its value (the slug, which the catalog keeps to 150) 150.
    return {"text": {"type": "plain_text", "text": f"{principle.number}. {principle.name}"[:75]}, "value": principle.slug}


def group_options(groups) -> list[dict]:
    """User groups (teams.Group) as menu options: the handle shown, the ID sent back."""
    return [{"text": {"type": "plain_text", "text": f"@{g.handle}"[:75]}, "value": g.id} for g in list(groups)[:STATIC_OPTIONS]]


def principle_options(principles) -> list[dict]:
    return [principle_option(p) for p in list(principles)[:STATIC_OPTIONS]]


def _principle_select(catalog: Catalog, chosen: Principle | None) -> dict:
    placeholder = {"type": "plain_text", "text": "Choose a principle"}
    element: dict[str, Any]
    if len(catalog) <= STATIC_OPTIONS:
        element = {"type": "static_select", "options": principle_options(catalog)}
    else:
        # Options come from the app (bot/listeners/options.py), filtered by what is typed.
        element = {"type": "external_select", "min_query_length": 0}
    element.update(action_id=PRINCIPLE_SELECT, placeholder=placeholder)
    if chosen:
        element["initial_option"] = principle_option(chosen)
    return element


def kudos_modal(
    catalog: Catalog,
    *,
    recipients: tuple[str, ...] = (),
    principle: Principle | None = None,
    channel_id: str | None = None,
    default_channel: str | None = None,
    link: str | None = None,
    link_public: bool = False,
    recipients_hint: str | None = None,
) -> dict:
    """The 'Give kudos' modal. The channel it came from and the linked message travel back with
    the submission in private_metadata (read_kudos_modal reads them): `link_public` says whether the
    message's conversation is a public channel, since a link into a private one may be shown only there."""
    recipients_element: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "recipients",
        "placeholder": {"type": "plain_text", "text": "Choose people"},
    }
    if recipients:
        recipients_element["initial_users"] = [checked_user_id(u) for u in recipients]
    principle_element = _principle_select(catalog, principle)
    channel_element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "channel",
        "placeholder": {"type": "plain_text", "text": "Where to thank them"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id or default_channel:
        channel_element["initial_conversation"] = channel_id or default_channel
    return {
        "type": "modal",
        "callback_id": KUDOS_MODAL,
        "private_metadata": json.dumps({"channel": channel_id, "link": link, "link_public": link_public}),
        "title": {"type": "plain_text", "text": "Give kudos"},
        "submit": {"type": "plain_text", "text": "Send kudos"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "recipients",
                # Optional to Slack: a group alone is enough; give_from_form asks for one or the other.
                "optional": True,
                "label": {"type": "plain_text", "text": "Who"},
                "element": recipients_element,
                **({"hint": {"type": "plain_text", "text": recipients_hint}} if recipients_hint else {}),
            },
            {
                "type": "input",
                "block_id": GROUPS_SELECT,
                "optional": True,
                "label": {"type": "plain_text", "text": "Or a whole group"},
                "hint": {"type": "plain_text", "text": f"Everyone in it but you and bots, up to {MAX_GROUP_PEOPLE} people."},
                "element": {
                    "type": "multi_external_select",
                    "action_id": GROUPS_SELECT,
                    "min_query_length": 0,
                    "max_selected_items": 3,
                    "placeholder": {"type": "plain_text", "text": "@eng-team"},
                },
            },
            {
                "type": "input",
                "block_id": "principle",
                "label": {"type": "plain_text", "text": "For which principle"},
                "element": principle_element,
            },
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why"},
                "hint": {
                    "type": "plain_text",
                    "text": f"What did they do? At least {MIN_REASON} characters ({MIN_REASON // 2} in Chinese, Japanese or Korean), "
                    f"at most {MAX_REASON:,}.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "min_length": 1,
                    "max_length": 3000,
                    "placeholder": {"type": "plain_text", "text": "Stayed with the outage until the root cause was found"},
                },
            },
            {
                "type": "input",
                "block_id": "channel",
                "optional": True,
                "label": {"type": "plain_text", "text": "Post in"},
                "element": channel_element,
            },
        ],
    }


@dataclass(frozen=True)
class KudosForm:
    """What a person filled in on the kudos modal."""

    recipients: tuple[str, ...]
    groups: tuple[TeamScope, ...]
    principle: str | None
    reason: str
    channel_id: str | None
    metadata: dict


def read_kudos_modal(view: dict) -> KudosForm:
    values = view.get("state", {}).get("values", {})

    def field_value(block: str, key: str):
        return (values.get(block, {}).get(block) or {}).get(key)

    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    return KudosForm(
        recipients=tuple(field_value("recipients", "selected_users") or ()),
        groups=tuple(
            TeamScope("group", option["value"], option.get("text", {}).get("text", "").lstrip("@"))
            for option in field_value(GROUPS_SELECT, "selected_options") or ()
            if is_group_id(option.get("value"))
        ),
        principle=(field_value("principle", "selected_option") or {}).get("value"),
        reason=field_value("reason", "value") or "",
        channel_id=field_value("channel", "selected_conversation"),
        metadata=metadata if isinstance(metadata, dict) else {},
    )


# -- principle of the week -------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyRecap:
    principle: Principle
    kudos_count: int
    quoted: KudosRecord | None  # a kudos said in a public channel, or None


def weekly_post(principle: Principle, why: str | None, question: str | None, recap: WeeklyRecap | None) -> Reply:
    blocks = [
        _header(f"Principle of the week: {principle.title}"),
        _section(f"*{escape(principle.summary)}*"),
    ]
    if principle.practice:
        blocks.append(_section(f"*What it looks like on a team*\n{escape(principle.practice)}"))
    if question:
        blocks.append(_section(f"*This week, ask yourself:* {escape(question)}"))
    if recap:
        line = f"*Last week:* {escape(recap.principle.name)} got {recap.kudos_count} kudos."
        if recap.quoted:
            record = recap.quoted
            line += f"\n{mentions([record.giver_id])} recognized {mentions(record.recipients)}:\n{_quote_block(record.reason)}"
        blocks.append(_section(line))
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
        blocks.append(_context(escape(why)))
    return Reply(text=f"Principle of the week: {principle.name}", blocks=blocks, response_type="in_channel")


# What each admin command changes, and what anyone may do instead: the refusal says both.
ADMIN_SUBJECTS = {
    "schedule": ("weekly posts", "try `/lp week` to see this week's principle"),
    "digest": ("the monthly digest", "try `/lp insights` to see the figures yourself"),
    "leaderboards": ("where rankings are shown", "try `/lp stats` for your own kudos"),
}


def admins_only(subject: str) -> str:
    what, instead = ADMIN_SUBJECTS[subject]
    return f"Only workspace admins and the people listed in LPBOT_ADMINS can change {what}. Ask one of them, or {instead}."


WHICH_PRINCIPLE = "For which principle? For example `/lp kudos @alex ownership for fixing the deploy`."
CHOOSE_PRINCIPLE = "Choose a principle."
CHOOSE_CHANNEL = "Choose a channel to thank them in."
NO_WEEKLY_POST_HERE = notice(
    "This channel has no principle of the week yet. An admin can start one with `/lp schedule #channel monday 09:00`."
)
PRINCIPLE_GONE = notice("That principle is no longer in the catalog. Try `/lp list` for the current ones.")


def public_kudos_withdrawn(giver_id: str, recipients, principle_name: str) -> Reply:
    """What a withdrawn kudos' public thank-you says instead: the words are gone with the kudos."""
    text = f"~{mentions([giver_id])} recognized {mentions(recipients)} for {escape(principle_name)}~ — withdrawn by its giver."
    return Reply(text=f"A kudos for {principle_name} was withdrawn", blocks=[_section(text)], response_type="in_channel")


POST_NOT_CHANGED = (
    "The thank-you already posted could not be changed (Slack lets me edit it only for a while): delete it yourself if you'd like it gone."
)


def kudos_withdrawn(recipients, principle_name: str) -> Reply:
    return notice(f"Done: your kudos to {mentions(recipients)} for *{escape(principle_name)}* is withdrawn.")


def dm_setting_now(enabled: bool) -> Reply:
    if enabled:
        return notice("Kudos DMs are on: I message you when someone recognizes you. `/lp dm off` stops them.")
    return notice("Kudos DMs are off: I don't message you when someone recognizes you. `/lp dm on` brings them back.")


def dm_setting_saved(enabled: bool) -> Reply:
    if enabled:
        return notice("Got it. I'll message you when someone recognizes you.")
    return notice("Got it. I won't message you about kudos any more; `/lp dm on` brings them back.")


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
    return Reply(text="Weekly posts\n" + "\n".join(lines), blocks=[_section("*Weekly posts*"), _section("\n".join(lines))])


# -- a kudos that named no principle: the giver picks one ----------------------------------------

DRAFT_PICK = "kudos_draft_pick"  # action_ids start with this; each button adds its place
DRAFT_OTHER = "kudos_draft_other"
DRAFT_ACTIONS = re.compile(f"^({DRAFT_PICK}_\\d+|{DRAFT_OTHER})$")
_DRAFT_BLOCK = "kudos_draft"
DRAFT_GONE = "That kudos is no longer waiting (it was sent, or I restarted in between): send it again with `/lp kudos`."


def which_principle_prompt(recipients, groups, picks, catalog: Catalog, token: str) -> Reply:
    """Shown to the giver alone when their kudos named no principle: nothing is saved until they pick one."""
    who = thanked(recipients, groups)
    buttons = [ButtonElement(text=p.name[:75], action_id=f"{DRAFT_PICK}_{i}", value=p.slug).to_dict() for i, p in enumerate(picks)]
    other = _principle_select(catalog, None)
    other.update(action_id=DRAFT_OTHER, placeholder={"type": "plain_text", "text": "Other…"})
    text = f"Which principle is your kudos for {who} about? Nothing is saved until you pick one."
    actions = {"type": "actions", "block_id": f"{_DRAFT_BLOCK}|{token}", "elements": [*buttons, other]}
    return Reply(text=text, blocks=[_section(text), actions])


def read_draft_choice(body: dict) -> tuple[str, str] | None:
    """(draft token, principle slug) from a click on which_principle_prompt; None when it is not one."""
    action = (body.get("actions") or [{}])[0]
    kind, _, token = str(action.get("block_id", "")).partition("|")
    principle = action.get("value") or (action.get("selected_option") or {}).get("value")
    if kind != _DRAFT_BLOCK or not token or not isinstance(principle, str):
        return None
    return token, principle


# -- kudos where the conversation happens: reactions and inline messages ------------------------

REACTION_PICK = "reaction_kudos_pick"  # action_ids start with this; each button adds its place
REACTION_OTHER = "reaction_kudos_other"
REACTION_WHY = "why"
_REACTION_BLOCK = "reaction_kudos"
DEFAULT_REACTION_WHY = "for this message"


@dataclass(frozen=True)
class ReactionChoice:
    """What the person picked on a reaction prompt, and the message it is about."""

    channel_id: str
    ts: str
    author: str
    emoji: str
    principle: str | None
    why: str


def reaction_prompt(author: str, channel_id: str, ts: str, emoji: str, picks, catalog: Catalog) -> Reply:
    """Shown to the reactor alone: recognize the message's author for one of the principles it fits."""
    # The message the prompt is about travels in the block_id (255 characters): a choice from a
    # menu can only carry its own 150-character value.
    about = f"{_REACTION_BLOCK}|{channel_id}|{ts}|{checked_user_id(author)}|{emoji}"[:255]
    buttons: list[dict] = [
        ButtonElement(text=f"{p.name}"[:75], action_id=f"{REACTION_PICK}_{i}", value=p.slug).to_dict() for i, p in enumerate(picks)
    ]
    other = _principle_select(catalog, None)
    other.update(action_id=REACTION_OTHER, placeholder={"type": "plain_text", "text": "Other…"})
    text = f"Recognize <@{author}> for…"
    return Reply(
        text=f"Recognize <@{author}> for a principle?",
        blocks=[
            _section(f"{text} (your :{escape(emoji)}: reaction). One click sends it; ignore this to send nothing."),
            {
                "type": "input",
                "block_id": REACTION_WHY,
                "optional": True,
                "label": {"type": "plain_text", "text": "Why (optional)"},
                "hint": {"type": "plain_text", "text": f"Left empty, it says “{DEFAULT_REACTION_WHY}”, with a link to it."},
                "element": {"type": "plain_text_input", "action_id": REACTION_WHY, "max_length": MAX_REASON},
            },
            {"type": "actions", "block_id": about, "elements": [*buttons, other]},
        ],
    )


def read_reaction_choice(body: dict) -> ReactionChoice | None:
    """The choice made on a reaction prompt; None when the payload is not one of ours."""
    action = (body.get("actions") or [{}])[0]
    parts = str(action.get("block_id", "")).split("|")
    if len(parts) != 5 or parts[0] != _REACTION_BLOCK or not is_user_id(parts[3]):
        return None
    principle = action.get("value") or (action.get("selected_option") or {}).get("value")
    typed = ((body.get("state") or {}).get("values") or {}).get(REACTION_WHY, {}).get(REACTION_WHY, {}).get("value") or ""
    return ReactionChoice(parts[1], parts[2], parts[3], parts[4], principle, typed.strip())


def reaction_not_for_kudos(why: str, emoji: str) -> Reply:
    """A kudos reaction on a message no kudos can go to, explained once."""
    reasons = {
        "self": "that's your own message, and kudos are for others",
        "bot": "that message is from an app, and kudos are for people",
    }
    return notice(
        f"Your :{escape(emoji)}: reaction didn't start a kudos: {reasons[why]}. "
        "React to a teammate's message to recognize them (I'll only say this once)."
    )


def reaction_kudos_recorded(recipients, principle: Principle, emoji: str) -> Reply:
    return notice(
        f"Recorded: kudos to {mentions(recipients)} for *{escape(principle.name)}*. "
        f"Remove your :{escape(emoji)}: reaction within 24 hours to take it back."
    )


def in_thread_thanks(giver_id: str, recipients, principle: Principle, groups=()) -> Reply:
    """The bot's short answer under a message that was itself the thank-you: the principle, not the words again."""
    text = f"{principle.emoji or ':clap:'} {mentions([giver_id])} recognized {thanked(recipients, groups)} for *{escape(principle.name)}*."
    return Reply(text=text, blocks=[_section(text)], response_type="in_channel")


def inline_kudos_changed(principle: Principle | None, recipients=()) -> Reply:
    """The author edited or deleted the message that was a kudos."""
    if principle is None:
        return notice("Your message is no longer a kudos, so I took the kudos back.")
    return notice(f"Updated: your kudos is now for {mentions(recipients)}, for *{escape(principle.name)}*.")


def inline_no_principle(picks, emoji: str) -> Reply:
    """Mentions and the kudos emoji, but no principle named: nothing saved, and the ones the why fits best."""
    example = f"`@someone :{escape(emoji)}: #{escape(picks[0].slug) if picks else 'ownership'} thanks for …`"
    names = ", ".join(f"*{escape(p.name)}* (`#{escape(p.slug)}`)" for p in picks[:3])
    return notice(
        f"That looks like a kudos, but it names no principle, so I saved nothing. Your words fit {names} best: "
        f"edit the message to add one, like {example}."
    )


def inline_near_miss(query: str, suggestions, emoji: str) -> Reply:
    """Mentions and the kudos emoji, but no principle I know: how to make it count."""
    example = f"`@someone :{escape(emoji)}: #ownership thanks for …`"
    if suggestions:
        names = ", ".join(f"*{escape(p.name)}* (`#{escape(p.slug)}`)" for p in suggestions[:3])
        return notice(
            f"That looks like a kudos, but I couldn't tell which principle “{quote(query, 40)}” is. "
            + f"Did you mean {names}? Edit the message to add it, like {example}."
        )
    return notice(
        f"That looks like a kudos, but it names no principle. Edit the message to add one, like {example} (`/lp list` shows them all)."
    )


def inline_refused(reason: str) -> Reply:
    return notice(f"Your message wasn't recorded as a kudos: {reason}")


# -- insights and the monthly digest: counts only ----------------------------------------------


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
        blocks=[_section(f"*{title}*"), _section(body), _context(footer)],
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


def digest_saved(channel_id: str, enabled: bool, when: str | None = None) -> Reply:
    if not enabled:
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
    blocks = [_header(f"Culture digest: {month_label}"), _section("\n".join(insight_lines(insights, catalog)))]
    if shout_outs:
        lines = []
        for record in shout_outs:
            principle = names.get(record.principle)
            label = escape(principle.name) if principle else escape(record.principle)
            lines.append(f"*{label}*: {mentions([record.giver_id])} → {mentions(record.recipients)}\n{_quote_block(record.reason)}")
        blocks.append(_section("*Shout-outs for principles we recognize least*\n" + "\n".join(lines)))
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
    blocks.append(_context("Counts only, from this workspace's kudos. The chart follows as a picture."))
    return Reply(text=f"Culture digest: {month_label}", blocks=blocks, response_type="in_channel")
