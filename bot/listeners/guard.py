"""One way every listener fails: acknowledged, logged with context, and the person told privately.

Bolt clears a request's acknowledgement when an acknowledged listener raises (the listener runner sets
`ack.response` back to None), and the request thread waiting for it may then answer Slack 404
"unhandled request" after 3 s, on top of our apology. A view submission that raises before its ack
answers 500. So no listener lets an error out: `guarded` acks first if the listener had not, and tells
the person by the way they came (the response_url, or an ephemeral message or DM for events and
modals, which have none).
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
from collections.abc import Callable

from slack_bolt.kwargs_injection.args import Args
from slack_sdk import WebClient

from bot.messages import APOLOGY
from bot.services import ListenerPool
from bot.slack.delivery import tell_privately
from bot.slack.terms import is_user_id
from storage import StorageError, describe_failure

log = logging.getLogger(__name__)

# Events a person caused by speaking or reacting: they are told when their kudos could not be handled.
PERSONAL_EVENTS = ("message", "reaction_added", "reaction_removed")


def guarded(listener: Callable[..., None]) -> Callable[[Args], None]:
    """The listener, taking Bolt's `args` (all of them) and passing on the ones it names."""
    names = inspect.getfullargspec(listener).args

    def run(args: Args) -> None:
        _run_guarded(listener, names, args)

    run.__name__ = run.__qualname__ = listener.__name__
    run.__doc__ = listener.__doc__
    return run


def after_ack(pool: ListenerPool) -> Callable[[Callable[..., None]], Callable[[Args], None]]:
    """For listeners Bolt acknowledges itself (events): the whole listener runs on the pool's `later`
    threads, so however long it waits on Slack, no acknowledgement waits for it."""

    def decorate(listener: Callable[..., None]) -> Callable[[Args], None]:
        names = inspect.getfullargspec(listener).args

        def run(args: Args) -> None:
            pool.run_later(lambda: _run_guarded(listener, names, args))

        run.__name__ = run.__qualname__ = listener.__name__
        return run

    return decorate


def later(pool: ListenerPool, args: Args, work: Callable[[], None]) -> None:
    """What a listener does after acknowledging, on the `later` threads, failures answered as any."""

    def run() -> None:
        try:
            work()
        except Exception as error:  # noqa: BLE001 - every failure is answered here, never left to Bolt
            failed(error, args)

    pool.run_later(run)


def _run_guarded(listener: Callable[..., None], names: list[str], args: Args) -> None:
    try:
        listener(**{name: args if name == "args" else getattr(args, name) for name in names})
    except Exception as error:  # noqa: BLE001 - every failure is answered here, never left to Bolt
        failed(error, args)


def failed(error: Exception, args: Args) -> None:
    body = args.body if isinstance(args.body, dict) else {}
    if args.ack is not None and args.ack.response is None:
        if body.get("command"):
            # A command not yet acknowledged gets the apology as its acknowledgement: no second request,
            # and nothing that could hold the acknowledgement when /lp runs on the request's thread.
            _log_failure(error, body)
            args.ack(**APOLOGY.as_kwargs())
            return
        args.ack()  # Slack gets its answer in time, whatever went wrong
    if not body.get("response_url"):
        failed_event(error, body, args.client)
        return
    _log_failure(error, body)
    try:
        args.respond(**APOLOGY.as_kwargs(), replace_original=False)
    except Exception:  # the apology is best effort; the error is logged above
        log.warning("could not send the apology", exc_info=True)


def failed_event(error: Exception, body: dict, client: WebClient) -> None:
    """A failure with no response_url to answer by (an event, a modal): logged, and the person who
    spoke, reacted or clicked told privately. Also the event worker's, in its own process."""
    _log_failure(error, body)
    try:
        user, channel = _who_and_where(body)
        if user:
            tell_privately(client, user, channel, APOLOGY)
    except Exception:  # the apology is best effort; the error is logged above
        log.warning("could not send the apology", exc_info=True)


def _log_failure(error: Exception, body: dict) -> None:
    advice = describe_failure(error) if isinstance(error, sqlite3.Error | StorageError) else None
    log.error("listener failed for %s%s", describe(body), f": {advice}" if advice else "", exc_info=error)


def _who_and_where(body: dict) -> tuple[str | None, str | None]:
    """Who to tell, and where: the person who clicked or submitted, or who spoke or reacted."""
    event = body.get("event")
    if isinstance(event, dict):
        if event.get("type") not in PERSONAL_EVENTS:
            return None, None
        user = event.get("user")
        channel = event.get("channel") or (event.get("item") or {}).get("channel")
    else:
        user = (body.get("user") or {}).get("id")
        channel = (body.get("channel") or {}).get("id")
    return (user if is_user_id(user) else None), (channel if isinstance(channel, str) else None)


def describe(body: dict) -> str:
    kind = body.get("command") or body.get("type") or (body.get("event") or {}).get("type") or "a request"
    return f"{kind} in team {body.get('team_id') or (body.get('team') or {}).get('id')}"
