"""The one error that means "tell the person": a rule said no, or Slack could not say, and here is what to do."""

from __future__ import annotations


class Refusal(Exception):
    """str(refusal) is safe mrkdwn to show as it is, in an ephemeral reply or a DM.

    On a modal, `field` names the input the refusal is about (None: not about one input) and
    `plain` is the same message as plain text, since modal errors are shown without formatting.
    """

    def __init__(self, message: str, *, field: str | None = None, plain: str | None = None, also: dict[str, str] | None = None):
        super().__init__(message)
        self.field = field
        self.plain = plain or message.replace("`", "")
        self.also = also or {}  # more inputs of the same modal that need fixing: block_id -> plain text

    def errors(self) -> dict[str, str]:
        """Slack's `response_action: errors` for a modal: every input to fix, each under its own block."""
        return {self.field or "reason": self.plain, **self.also}

    @classmethod
    def together(cls, refusals: list[Refusal]) -> Refusal:
        """One refusal for several inputs of a form, so the person sees all that is wrong in one go."""
        first = refusals[0]
        if len(refusals) == 1:
            return first
        message = "\n".join(str(refusal) for refusal in refusals)
        also = {refusal.field or "reason": refusal.plain for refusal in refusals[1:]}
        return cls(message, field=first.field, plain=first.plain, also=also)
