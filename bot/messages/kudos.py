"""Kudos as messages: the public thank-you, the DM, confirmations, undo, DM settings."""

from __future__ import annotations

from bot.messages.parts import context, notice, section
from bot.messages.replies import Reply
from bot.messages.text import escape, mentions, quote_block, safe_link
from bot.slack.terms import explain, is_channel_id
from principles.catalog import Principle

PRIVATE_MESSAGE = "About a message in a private conversation"


NOT_FROM_A_PERSON = "Kudos come from people: this account is an app, a bot or deactivated, so nothing was recorded."


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
    body = [section(f"{headline}\n{quote_block(reason)}")]
    footer = [escape(principle.summary)]
    link = safe_link(message_link or "", "the message")
    if link:
        footer.append(f"About {link}")
    elif link_withheld:
        footer.append(PRIVATE_MESSAGE)
    footer.append("Give kudos: `/lp kudos @someone <principle> <why>`")
    body.append(context(" · ".join(footer)))
    names = " and ".join(f"@{escape(g)}" for g in groups) if groups else " and ".join(f"<@{u}>" for u in recipients)
    return Reply(text=f"Kudos to {names} for {principle.name}", blocks=body, response_type="in_channel")


STEP_NEEDS_GIVER = "The step needs the person giving: set its Giver to the person who used this workflow."
STEP_FAILED = "LP Bot could not record this kudos just now; nothing was saved. Run the workflow again in a moment."


def step_principle_unknown(typed: str, suggestions) -> str:
    """A workflow's step named no principle the catalog has: the step fails with this, for whoever built the workflow."""
    if not typed.strip():
        return "The step needs a principle: fill in its Principle field with a number, a name or an alias, like `ownership`."
    names = ", ".join(p.name for p in suggestions)
    closest = f" Closest: {names}." if names else " `/lp list` shows the catalog."
    return f"No principle is called “{escape(typed.strip()[:80])}”.{closest}"


def dms_not_delivered(recipients) -> Reply:
    """The giver alone hears that Slack would not take some recipients' DMs (people of another
    organisation in a Slack Connect channel, an account that cannot receive one): the kudos stands."""
    return notice(f"Your kudos is saved, but Slack would not let me DM {mentions(recipients)} about it; tell them yourself if you like.")


def kudos_dm(giver_id: str, principle: Principle, reason: str, channel_id: str | None) -> Reply:
    where = f" in <#{channel_id}>" if is_channel_id(channel_id) else ""
    text = f":sparkles: {mentions([giver_id])} recognized you for *{escape(principle.title)}*{where}:\n{quote_block(reason)}"
    return Reply(
        text=f"You got kudos for {principle.name}",
        blocks=[section(text), context("Turn these messages off with `/lp dm off`.")],
    )


def undelivered_post(post: Reply) -> Reply:
    """A public thank-you Slack would not take, shown to the giver alone so it is not lost."""
    note = "Your kudos is saved, but Slack didn't let me post it in the channel. Here it is, to share yourself:"
    return Reply(text=f"{note} {post.text}", blocks=[section(note), *post.blocks])


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


WHICH_PRINCIPLE = "For which principle? For example `/lp kudos @alex ownership for fixing the deploy`."


def public_kudos_withdrawn(giver_id: str, recipients, principle_name: str) -> Reply:
    """What a withdrawn kudos' public thank-you says instead: the words are gone with the kudos."""
    text = f"~{mentions([giver_id])} recognized {mentions(recipients)} for {escape(principle_name)}~ — withdrawn by its giver."
    return Reply(text=f"A kudos for {principle_name} was withdrawn", blocks=[section(text)], response_type="in_channel")


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
