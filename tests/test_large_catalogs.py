"""Custom principles files at the edges: long catalogs, long names, long texts."""

from __future__ import annotations

import json

import pytest

from bot.app import build_services, create_app
from bot.messages import LIST_PAGE, RECOGNIZE_ACTION, list_reply
from bot.ops.server import HttpServer
from principles import CatalogError, load_catalog
from storage import kudos as kudos_store
from tests.conftest import SIGNING_SECRET
from tests.helpers import block_text, buttons, field
from tests.slack_stand_in import MESSAGE_BLOCKS, SlackSender, block_problems

WORDY = "Leave every service, doc and dashboard a little clearer than you found it, and say so. " * 4


def write_catalog(path, count: int, summary: str = "Short and plain.") -> str:
    tables = "".join(f'[[principles]]\nname = "Value number {n} of many"\nsummary = "{summary}"\n\n' for n in range(1, count + 1))
    path.write_text(f'name = "Our {count} values"\n\n{tables}', encoding="utf-8")
    return str(path)


@pytest.fixture
def big(tmp_path, settings, clock):
    """The real app over HTTP with a 120-principle catalog."""
    custom = type(settings)(**{**settings.__dict__, "principles": write_catalog(tmp_path / "values.toml", 120)})
    services = build_services(custom, clock=clock)
    server = HttpServer(create_app(custom, services), services, host="127.0.0.1", port=0).start()
    yield services, server
    server.close()
    services.store.close()


def test_past_a_hundred_principles_the_modal_searches_and_the_hundred_and_first_can_be_recognized(big, slack):
    services, server = big
    sender = SlackSender(server.events_url, SIGNING_SECRET, slack)
    response_url = sender.command("101").response_url
    card = slack.wait_for_response(response_url).params
    button = next(b for b in buttons(card) if b["action_id"] == RECOGNIZE_ACTION)
    assert sender.click(button["action_id"], button["value"]).status == 200
    opened = slack.wait_for_call("views.open")
    assert opened.response["ok"], opened.response  # the stand-in validates the view as Slack does
    view = opened.params["view"]
    select = field(view, "principle")["element"]
    assert select["type"] == "external_select" and select["initial_option"]["value"] == "value-number-101-of-many"

    suggested = sender.suggest(view, "principle", "number 117")
    options = json.loads(suggested.body)["options"]
    assert options[0]["value"] == "value-number-117-of-many" and len(options) <= 100
    everything = json.loads(sender.suggest(view, "principle", "").body)["options"]
    assert len(everything) == 100

    sender.submit(
        view, recipients=["U0BOB"], principle="value-number-117-of-many", reason="Tidied the runbook for all", channel="C0GENERAL"
    )
    (row,) = kudos_store.export_rows(services.store.db)
    assert row["principle"] == "value-number-117-of-many"


def test_a_slug_over_150_characters_is_refused_in_one_line(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(f'name = "Ours"\n[[principles]]\nname = "{"Very " * 40}long"\nsummary = "x"\n', encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalog(path)
    message = str(refused.value)
    assert "\n" not in message and "principle 1" in message and "150" in message and str(path) in message


@pytest.mark.parametrize("count", [14, 20, 120, 400])
def test_list_stays_well_inside_one_message_for_any_catalog(tmp_path, count):
    catalog = load_catalog(write_catalog(tmp_path / "v.toml", count, WORDY))
    pages = -(-count // LIST_PAGE)
    seen = []
    for page in range(1, pages + 1):
        reply = list_reply(catalog, page)
        assert len(block_text({"blocks": reply.blocks})) < 6000
        assert block_problems(reply.blocks, MESSAGE_BLOCKS) == []
        seen += [line for line in block_text({"blocks": reply.blocks[1:-1]}).splitlines() if line.startswith("*")]
    assert len(seen) == count
    if pages > 1:
        assert "`/lp list 2`" in block_text({"blocks": list_reply(catalog, 1).blocks})


def test_list_pages_through_the_app(big, slack):
    services, server = big
    sender = SlackSender(server.events_url, SIGNING_SECRET, slack)
    reply = slack.wait_for_response(sender.command("list 5").response_url).params
    text = block_text(reply)
    assert "Our 120 values (5 of 5)" in text and "Value number 120 of many" in text and "Value number 100 of" not in text
