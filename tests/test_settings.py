import re
from pathlib import Path

import pytest

from bot import cli
from bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_no_tokens_means_the_console():
    settings = load_settings({})
    assert settings.mode == "console"
    assert settings.port == 3000 and str(settings.db_path) == "data/lpbot.db" and settings.principles == "amazon"


def test_bot_and_app_token_mean_socket_mode():
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).mode == "socket"


def test_bot_token_and_signing_secret_mean_http_mode():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "8080"})
    assert settings.mode == "http" and settings.port == 8080


def test_events_work_in_a_second_process_unless_switched_off():
    http = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert load_settings(http).event_process is True
    assert load_settings({**http, "LPBOT_EVENT_PROCESS": "off"}).event_process is False
    with pytest.raises(ConfigError, match="^LPBOT_EVENT_PROCESS "):
        load_settings({**http, "LPBOT_EVENT_PROCESS": "sometimes"})


def test_client_id_secret_and_signing_secret_mean_oauth_for_many_workspaces():
    env = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "cs", "SLACK_SIGNING_SECRET": "s"}
    assert load_settings(env).mode == "oauth"
    # A bot token keeps single-workspace mode, the default, even with OAuth credentials present.
    assert load_settings({**env, "SLACK_BOT_TOKEN": "xoxb-1"}).mode == "http"


def test_api_url_gets_a_trailing_slash():
    assert load_settings({"SLACK_API_URL": "https://slack-gov.com/api"}).api_url == "https://slack-gov.com/api/"


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"LPBOT_DAILY_KUDOS": "-1"}, "LPBOT_DAILY_KUDOS"),
        ({"LPBOT_LOG_LEVEL": "LOUD"}, "LPBOT_LOG_LEVEL"),
        ({"LPBOT_KUDOS_CHANNEL": "#general"}, "LPBOT_KUDOS_CHANNEL"),
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "cs"}, "SLACK_SIGNING_SECRET"),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "cs", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_APP_TOKEN",
        ),
        ({"LPBOT_LOG_FORMAT": "xml"}, "LPBOT_LOG_FORMAT"),
        ({"LPBOT_ROTATION": "random"}, "LPBOT_ROTATION"),
        ({"LPBOT_ADMINS": "alice"}, "LPBOT_ADMINS"),
        ({"LPBOT_WEEKLY_GRACE_HOURS": "200"}, "LPBOT_WEEKLY_GRACE_HOURS"),
    ],
)
def test_each_problem_names_its_variable(env, variable):
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)


def test_secrets_stay_out_of_the_repr():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_SIGNING_SECRET": "shh-very-secret"})
    assert "xoxb-secret-1" not in repr(settings) and "shh-very-secret" not in repr(settings)


def test_cli_reports_a_bad_setting_in_one_line(capsys):
    code = cli.main(["run"], env={"SLACK_BOT_TOKEN": "nope", "SLACK_APP_TOKEN": "xapp-1"})
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0
    assert err.startswith("lpbot: SLACK_BOT_TOKEN")
    assert "Traceback" not in err


def test_cli_reports_a_bad_principles_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "values.toml"
    bad.write_text("name = ")
    code = cli.main(["console"], env={"LPBOT_PRINCIPLES": str(bad), "LPBOT_DB": str(tmp_path / "x.db")})
    err = capsys.readouterr().err
    assert code == 2 and err.strip().count("\n") == 0
    assert str(bad) in err and "not valid TOML" in err


def test_cli_reports_a_refused_token_in_one_line(tmp_path, slack, capsys):
    slack.valid_tokens = {"xoxb-the-real-one"}
    env = {
        "SLACK_BOT_TOKEN": "xoxb-revoked",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "LPBOT_DB": str(tmp_path / "x.db"),
    }
    code = cli.main(["run"], env=env)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == "lpbot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth); copy it again from OAuth & Permissions"


def test_readme_documents_exactly_the_variables_the_settings_read():
    source = (ROOT / "bot" / "settings.py").read_text()
    read = set(re.findall(r'get\("([A-Z_]+)"\)', source)) | set(re.findall(r'_(?:integer|switch)\(env, "([A-Z_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", configuration, re.MULTILINE))
    assert read - documented == set(), "missing from README's Configuration table"
    assert documented - read == set(), "documented but never read"


def test_the_known_variables_are_the_ones_the_settings_read():
    from bot.settings import KNOWN_VARIABLES

    source = (ROOT / "bot" / "settings.py").read_text()
    read = set(re.findall(r'get\("([A-Z_]+)"\)', source)) | set(re.findall(r'_(?:integer|switch)\(env, "([A-Z_]+)"', source))
    assert read == set(KNOWN_VARIABLES)


def test_a_misspelt_setting_is_named_with_the_closest_one():
    from bot.settings import unknown_variables

    env = {"LPBOT_DAILY_KUDO": "3", "SLACK_BOT_TOKN": "xoxb-1", "LPBOT_DAILY_KUDOS": "2", "LPBOT_UNDER_LITESTREAM": "1", "HOME": "/x"}
    assert unknown_variables(env) == [
        "lpbot: ignoring LPBOT_DAILY_KUDO: LP Bot has no such setting (did you mean LPBOT_DAILY_KUDOS?)",
        "lpbot: ignoring SLACK_BOT_TOKN: LP Bot has no such setting (did you mean SLACK_BOT_TOKEN?)",
    ]


def test_the_grace_period_has_one_name_and_still_reads_its_first():
    from bot.settings import load_settings

    assert load_settings({"LPBOT_GRACE_HOURS": "6"}).grace_hours == 6
    assert load_settings({"LPBOT_WEEKLY_GRACE_HOURS": "5"}).grace_hours == 5
    assert load_settings({"LPBOT_WEEKLY_GRACE_HOURS": "5", "LPBOT_GRACE_HOURS": "7"}).grace_hours == 7
    assert load_settings({}).grace_hours == 24
