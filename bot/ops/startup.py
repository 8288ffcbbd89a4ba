"""Starting against a Slack that may be down: tell a refused token from an outage, and wait out the outage.

A refused token is the operator's to fix, so it stops the start at once with that fix. Slack being
unreachable or failing (a network still coming up, a 5xx, a 429) is not: the bot tries again for
LPBOT_STARTUP_WAIT seconds, one log line per try, answering /healthz with 503 and the reason, and
only then exits, naming the cause rather than blaming the token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import ConfigError, Settings
from bot.slack.terms import SLACK_FAILURES, TOKEN_REFUSALS

log = logging.getLogger(__name__)
_quiet = logging.getLogger(__name__ + ".client")
_quiet.setLevel(logging.CRITICAL)

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 15.0


class SlackUnavailable(RuntimeError):
    """Slack could not be reached, or kept failing, for the whole start-up wait."""


def slack_problem(error: Exception, api_url: str) -> str | None:
    """What is wrong on Slack's side or the way there, in a few words; None when the token was refused."""
    if isinstance(error, SlackApiError):
        status, code = error.response.status_code, error.response.get("error")
        if status == 429:
            return "Slack is rate-limiting this app (429)"
        if status >= 500:
            return f"Slack answered {status}: it may be having an outage (status.slack.com)"
        return None if code in TOKEN_REFUSALS else f"Slack answered {code or status}"
    reason = getattr(error, "reason", None) or error
    return f"cannot reach Slack's Web API at {api_url} ({reason}): check the network, a proxy, or SLACK_API_URL"


def token_refused(error: SlackApiError) -> ConfigError:
    code = error.response.get("error") or "refused"
    return ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({code}); copy it again from OAuth & Permissions")


def wait_for_slack(
    settings: Settings,
    api_url: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    report: Callable[[str | None], None] = lambda problem: None,
) -> dict:
    """auth.test until Slack answers; `report` hears the current problem (None once it is gone).

    The budget counts the waits between tries (not the tries themselves), so a test that records
    the waits instead of sleeping sees exactly what a real start would do.
    """
    # No retry handlers, and slack_sdk's own error lines silenced: this loop is the retrying, with one line a try.
    client = WebClient(token=settings.bot_token, base_url=api_url, timeout=10, retry_handlers=[], logger=_quiet)
    waited = 0.0
    wait = FIRST_RETRY_SECONDS
    while True:
        try:
            identity = client.auth_test()
            report(None)
            return identity.data if isinstance(identity.data, dict) else {}
        except SLACK_FAILURES as error:
            problem = slack_problem(error, api_url)
            if problem is None and isinstance(error, SlackApiError):
                raise token_refused(error) from None
        report(problem)
        left = settings.startup_wait - waited
        if left <= 0:
            raise SlackUnavailable(f"{problem}; gave up after {settings.startup_wait} s (LPBOT_STARTUP_WAIT)")
        wait = min(wait, left)
        log.warning("%s; trying again in %.0f s", problem, wait)
        sleep(wait)
        waited += wait
        wait = min(wait * 2, LONGEST_RETRY_SECONDS)
