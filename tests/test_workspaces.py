"""Many workspaces through OAuth: install, per-workspace tokens (rotated), uninstall."""

import io
import re
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

from bot import cli
from bot.slack.workspaces import installation_store
from bot.weekly import poster
from storage import weekly as weekly_store
from tests.conftest import OAUTH_SECRET as SECRET
from tests.slack_stand_in import SlackSender


def install(server, code: str) -> tuple[int, str]:
    with urllib.request.urlopen(server.url + "/slack/install") as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
    assert found, page
    link = found.group(1).replace("&amp;", "&")
    assert "client_id=1234.5678" in link
    assert "scope=commands,chat:write,users:read,channels:read,groups:read,channels:history,groups:history" in link
    found = re.search(r"state=([^&]+)", link)
    assert found, link
    state = found.group(1)
    request = urllib.request.Request(f"{server.url}/slack/oauth_redirect?code={code}&state={state}", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def schedule_for(services, team):
    with services.store.write() as db:
        weekly_store.save_schedule(
            db, weekly_store.Schedule(team, "C0GENERAL", 0, "09:00", "UTC", "U0ALICE", "active"), datetime(2026, 1, 1, tzinfo=timezone.utc)
        )


def test_install_then_commands_and_weekly_posts_use_that_workspaces_token(oauth, slack):
    settings, services, server = oauth
    status, _ = install(server, "code-T0TEAM2")
    assert status == 200
    assert installation_store(settings).find_bot(enterprise_id=None, team_id="T0TEAM2").bot_token == "xoxb-T0TEAM2-installed"

    sender = SlackSender(server.events_url, SECRET, slack, team_id="T0TEAM2")
    sent = sender.command("kudos <@U0BOB|bob> ownership for owning the install of LP Bot")
    assert slack.wait_for_response(sent.response_url).params["response_type"] == "in_channel"
    assert {c.token for c in slack.calls_to("users.info")} == {"xoxb-T0TEAM2-installed"}

    schedule_for(services, "T0TEAM2")
    (outcome,) = poster.run_due(services, None, datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
    assert outcome.status == "posted"
    assert slack.calls_to("chat.postMessage")[-1].token == "xoxb-T0TEAM2-installed"


def test_a_bad_install_code_stores_nothing(oauth):
    settings, _, server = oauth
    status, page = install(server, "nonsense")
    assert status == 401 and "/slack/install" in page  # Bolt's failure page offers to try again
    assert installation_store(settings).find_bot(enterprise_id=None, team_id="T0TEAM2") is None


def test_uninstalling_removes_the_installation_and_its_weekly_posts_stop(oauth, slack):
    settings, services, server = oauth
    install(server, "code-T0TEAM2")
    schedule_for(services, "T0TEAM2")
    sender = SlackSender(server.events_url, SECRET, slack, team_id="T0TEAM2")
    assert sender.event({"type": "app_uninstalled"}).status == 200
    store = installation_store(settings)
    deadline = time.monotonic() + 5
    while store.find_bot(enterprise_id=None, team_id="T0TEAM2") is not None and time.monotonic() < deadline:
        time.sleep(0.02)  # the listener runs after the ack; poll for its effect
    assert store.find_bot(enterprise_id=None, team_id="T0TEAM2") is None
    assert poster.run_due(services, None, datetime(2026, 11, 30, 9, tzinfo=timezone.utc)) == []
    assert slack.calls_to("chat.postMessage") == []


def test_a_rotating_token_is_refreshed_before_a_weekly_post(oauth, slack):
    settings, services, server = oauth
    install(server, "code-T0TEAM3-rotating")
    store = installation_store(settings)
    bot = store.find_bot(enterprise_id=None, team_id="T0TEAM3")
    assert bot.bot_token == "xoxe.xoxb-T0TEAM3-0"
    bot.bot_token_expires_at = int(time.time()) + 60  # about to expire
    store.save_bot(bot)
    schedule_for(services, "T0TEAM3")
    (outcome,) = poster.run_due(services, None, datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
    assert outcome.status == "posted"
    used = slack.calls_to("chat.postMessage")[-1].token
    assert used.startswith("xoxe.xoxb-T0TEAM3-") and used != "xoxe.xoxb-T0TEAM3-0"
    assert store.find_bot(enterprise_id=None, team_id="T0TEAM3").bot_token == used


def test_lpbot_weekly_posts_with_each_workspaces_token_and_fails_loudly(oauth, slack):
    settings, services, server = oauth
    install(server, "code-T0TEAM2")
    schedule_for(services, "T0TEAM2")
    env = {
        "SLACK_CLIENT_ID": settings.client_id,
        "SLACK_CLIENT_SECRET": settings.client_secret,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "LPBOT_DB": str(settings.db_path),
    }
    out = io.StringIO()
    assert cli.main(["weekly", "--as-of", "2026-11-30T09:00:00+00:00"], env=env, stdout=out) == 0
    assert "posted" in out.getvalue()
    assert slack.calls_to("chat.postMessage")[-1].token == "xoxb-T0TEAM2-installed"
    # A post that does not go out makes the command fail, so cron and its mail notice.
    slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "not_in_channel"})
    assert cli.main(["weekly", "--as-of", "2026-12-07T09:00:00+00:00"], env=env, stdout=io.StringIO()) == 1
