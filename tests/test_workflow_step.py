"""The Workflow Builder step "Give kudos for a principle", through the real app over signed HTTP:
Slack's `function_executed` event in (shaped as in bolt-python's own tests and the Events API
reference), `functions.completeSuccess` or `functions.completeError` out, every rule of /lp kudos kept."""

from __future__ import annotations

import json

import pytest

from bot.console.stand_in import TEAM_DOMAIN
from tests.helpers import block_text, stored

WHY = "for running the incident review with care"


def inputs(**changed) -> dict:
    return {"giver": "U0ALICE", "recipients": ["U0BOB"], "principle": "ownership", "why": WHY, "channel": "C0GENERAL", **changed}


def ending(slack, services) -> tuple[str, dict, str | None]:
    """How the step ended (the method, what it said), and with which token, once the listener is done."""
    assert services.listener_pool.wait_idle(10)
    (call,) = [c for c in slack.calls if c.method in ("functions.completeSuccess", "functions.completeError")]
    said = {k: v for k, v in call.params.items() if k != "team_id"}
    if "outputs" in said:
        said["outputs"] = json.loads(said["outputs"])
    return call.method, said, call.token


def thanked_in(slack, channel: str) -> list[dict]:
    return [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == channel]


def test_the_step_gives_a_kudos_thanks_in_the_channel_and_hands_on_its_link(sender, slack, services):
    assert sender.step("give_kudos", inputs(recipients=["U0BOB", "U0CAROL"])).status == 200
    method, said, token = ending(slack, services)
    bob, carol = stored(services)
    assert (bob["giver_id"], bob["recipient_id"], carol["recipient_id"]) == ("U0ALICE", "U0BOB", "U0CAROL")
    assert (bob["principle"], bob["reason"], bob["visibility"]) == ("ownership", WHY, "public")
    (post,) = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "C0GENERAL"]
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/C0GENERAL/p{post.response['ts'].replace('.', '')}"
    assert (method, said) == (
        "functions.completeSuccess",
        {"function_execution_id": "Fx0STEP1", "outputs": {"kudos_id": str(bob["id"]), "link": link}},
    )
    # Bolt ends the step with the execution's own token, as Slack requires.
    assert token == "xwfp-Fx0STEP1"
    assert block_text(post.params).startswith("Kudos to <@U0BOB> and <@U0CAROL> for Ownership")
    assert WHY in block_text(post.params)
    # The recipients hear of it as of any kudos.
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage") if c.params["channel"].startswith("U")] == ["U0BOB", "U0CAROL"]


def test_slack_running_the_step_again_records_it_once_and_hands_on_the_same_kudos(sender, slack, services):
    sender.step("give_kudos", inputs())
    first = ending(slack, services)
    slack.calls.clear()
    sender.step("give_kudos", inputs())  # the same execution (Slack retries a step it heard nothing from)
    again = ending(slack, services)
    assert len(stored(services)) == 1
    assert again[1] == first[1]
    assert thanked_in(slack, "C0GENERAL") == []  # no second thank-you


@pytest.mark.parametrize(
    "changed, error",
    [
        ({"recipients": ["U0ALICE"]}, "Kudos are for other people — you can't give them to yourself. Who helped you lately?"),
        ({"recipients": ["U0DEPLOY"]}, "Deploy Bot is a bot; kudos are for people. Please remove it."),
        ({"principle": "qwerty"}, "No principle is called “qwerty”. Closest: Ownership, Insist on the Highest Standards, Earn Trust."),
        ({"principle": ""}, "The step needs a principle: fill in its Principle field with a number, a name or an alias, like ownership."),
        ({"why": "for it"}, "Say what they did, in at least 10 characters."),
        ({"giver": None}, "The step needs the person giving: set its Giver to the person who used this workflow."),
    ],
)
def test_a_step_the_rules_refuse_fails_with_a_sentence_for_the_workflow_builder_and_records_nothing(
    sender, slack, services, changed, error
):
    sender.step("give_kudos", inputs(**changed))
    assert ending(slack, services)[:2] == ("functions.completeError", {"function_execution_id": "Fx0STEP1", "error": error})
    assert stored(services) == []
    assert thanked_in(slack, "C0GENERAL") == []


def test_the_principle_is_found_as_lp_kudos_finds_it_by_number_alias_or_a_clear_typo(sender, slack, services):
    for n, typed in enumerate(("2", "ownrship", "#ownership"), start=1):
        sender.step("give_kudos", inputs(principle=typed, why=f"{WHY}, round {n}"), execution_id=f"Fx0STEP{n}")
    assert services.listener_pool.wait_idle(10)
    assert [r["principle"] for r in stored(services)] == ["ownership"] * 3


def test_a_step_from_an_app_or_a_deactivated_account_records_nothing(sender, slack, services):
    sender.step("give_kudos", inputs(giver="U0DEPLOY"))
    assert ending(slack, services)[:2] == (
        "functions.completeError",
        {
            "function_execution_id": "Fx0STEP1",
            "error": "Kudos come from people: this account is an app, a bot or deactivated, so nothing was recorded.",
        },
    )
    assert stored(services) == []


@pytest.mark.settings(kudos_channel=None)
def test_a_step_with_no_channel_records_the_kudos_and_dms_without_a_public_post(sender, slack, services):
    sender.step("give_kudos", inputs(channel=None))
    method, said, _ = ending(slack, services)
    (row,) = stored(services)
    assert (method, said["outputs"]) == ("functions.completeSuccess", {"kudos_id": str(row["id"]), "link": ""})
    assert row["visibility"] == "none"
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["U0BOB"]


def test_a_step_in_a_private_channel_keeps_its_words_there(sender, slack, services):
    sender.step("give_kudos", inputs(channel="G0LEADS"))
    ending(slack, services)
    (row,) = stored(services)
    assert row["visibility"] == "private"
