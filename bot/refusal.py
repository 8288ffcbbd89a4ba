"""The one error that means "tell the person": a rule said no, or Slack could not say, and here is what to do."""

from __future__ import annotations


class Refusal(Exception):
    """str(refusal) is safe mrkdwn to show as it is, in an ephemeral reply or a DM.

    On a modal, `field` names the input the refusal is about (None: not about one input) and
    `plain` is the same message as plain text, since modal errors are shown without formatting.
    """

    def __init__(self, message: str, *, field: str | None = None, plain: str | None = None):
        super().__init__(message)
        self.field = field
        self.plain = plain or message.replace("`", "")
