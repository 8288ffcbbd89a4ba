"""The App Home tab: kudos received and given, the mix, blind spots with a Recognize button."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
)

from bot.messages.boards import kudos_line, mix_line
from bot.messages.parts import context, header, section
from bot.messages.principles import RECOGNIZE_ACTION, list_reply
from bot.messages.text import escape
from principles.catalog import Catalog


def home_view(catalog: Catalog, received: list, mix: dict[str, int], teams=(), given: dict[str, int] | None = None, blind_spots=()) -> dict:
    """The App Home tab: your recent kudos, your principles as a small chart (received and given),
    your teams' mix (counts only), this month's blind spots with a button each, the principles.
    `teams` holds (name, size, principle mix this quarter); `blind_spots` principles nobody was recognized for this month."""
    blocks = [
        header("LP Bot"),
        section(f"Your team's principles: *{escape(catalog.name)}*. Type `/lp help` anywhere to see what I can do."),
        ActionsBlock(elements=[ButtonElement(text="Give kudos", action_id=GIVE_KUDOS_ACTION, style="primary")]).to_dict(),
        DividerBlock().to_dict(),
        section("*Kudos you received lately*"),
    ]
    if received:
        blocks.extend(section(kudos_line(record, catalog)) for record in received)
    else:
        blocks.append(context("None yet — they will show up here."))
    blocks.append(section(f"*Your principles*\n{_bars(mix, given or {}, catalog)}"))
    for name, size, team_mix in teams:
        people = f" ({size} people)" if size else ""
        missing = [p.name for p in catalog if p.slug not in team_mix]
        line = f"*{escape(name)}{people} this quarter:* {mix_line(team_mix, catalog)}"
        if missing and team_mix:
            line += f"\nNot recognized yet: {escape(', '.join(missing[:4]))}{' …' if len(missing) > 4 else ''}"
        blocks.append(section(line))
    if blind_spots:
        blocks.append(section("*The team's blind spots this month* — nobody has been recognized for these yet:"))
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


GIVE_KUDOS_ACTION = "give_kudos_home"
