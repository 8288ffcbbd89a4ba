"""The local console, driven the way a script or a newcomer drives it."""

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.console.rendering import render_mrkdwn
from bot.console.session import run_console
from bot.settings import load_settings


def test_piped_session_talks_to_the_real_bot(tmp_path):
    script = "/lp 12\n:click 1\n:as bob\n/lp nonsense-words\nhello\n:in nowhere\n"
    env = {**os.environ, "LPBOT_DB": str(tmp_path / "console.db")}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "bot"], input=script, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "alice in #general> /lp 12" in out
    assert ":mag: 12. Dive Deep" in out
    assert "[1: Share in channel]" in out
    assert "visible to everyone in the channel" in out and "Shared by @alice" in out
    assert "bob in #general> /lp nonsense-words" in out
    assert "couldn't pin down “nonsense-words” to one principle. Did you mean one of these?" in out
    assert "(message 1: react to it with :react 1 clap, change it with :edit 1 …)" in out  # plain text is a message in the channel
    assert "No demo channel called 'nowhere'" in out
    assert (tmp_path / "console.db").exists()


def test_console_reactions_inline_kudos_and_groups(tmp_path):
    script = (
        "@bob :clap: #ownership thanks for fixing the build\n"
        ":as carol\n:react 1 clap\n:click 2 for the calm rollback\n"
        ":as alice\n/lp kudos @eng-team frugality for halving the cloud bill\n"
    )
    out = io.StringIO()
    assert run_console(load_settings({"LPBOT_DB": str(tmp_path / "c.db")}), io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "── LP Bot in #general, in the message's thread ──\n:key: @alice recognized @bob for *Ownership*." in text
    assert "Recognize @alice for… (your :clap: reaction)" in text and "[Other… :pick <principle>]" in text
    assert "> for the calm rollback" in text and "Recorded: kudos to @alice for" in text
    assert "@alice recognized *@eng-team* (2 people) for *:moneybag: 10. Frugality*" in text


def test_console_uses_the_configured_database(tmp_path):
    out = io.StringIO()
    settings = load_settings({"LPBOT_DB": str(tmp_path / "nested" / "lp.db")})
    assert run_console(settings, io.StringIO("/lp list\n"), out) == 0
    assert "14. Deliver Results" in out.getvalue()
    assert (tmp_path / "nested" / "lp.db").exists()


def test_mrkdwn_is_rendered_for_a_terminal():
    names = {"U0BOB": "bob", "C0GENERAL": "general"}
    assert render_mrkdwn("hi <@U0BOB> in <#C0GENERAL> &lt;b&gt;", names) == "hi @bob in #general <b>"
    assert render_mrkdwn("<https://example.com|Source>", names) == "Source (https://example.com)"


def test_console_advance_shows_the_weekly_post(tmp_path):
    out = io.StringIO()
    settings = load_settings({"LPBOT_DB": str(tmp_path / "lp.db"), "LPBOT_ROTATION": "sequential"})
    script = "/lp schedule #general monday 09:00 Europe/Berlin\n:advance 7d\n:now\n"
    assert run_console(settings, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "Scheduled: a principle of the week in #general every Monday at 09:00 Europe/Berlin" in text
    assert "── LP Bot in #general ──\nPrinciple of the week: :dart: 1. Customer Obsession" in text
    assert "[1: Recognize someone for Customer Obsession]" in text
    assert text.count("Principle of the week:") == 1


def test_console_fills_in_the_kudos_modal(tmp_path):
    out = io.StringIO()
    settings = load_settings({"LPBOT_DB": str(tmp_path / "lp.db")})
    script = (
        ":submit @bob | frugal | too early\n"
        "/lp frugal\n:click 2\n"
        ":submit @bob | frugal | short\n"
        ":submit @bob @carol | frugal | for trimming the build bill by half | #random\n"
    )
    assert run_console(settings, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "No modal is open" in text
    assert "Fill it in: :submit @who" in text
    assert "── The modal stays open and shows ──\n  reason: Say what they did, in at least 10 characters." in text
    assert "── LP Bot in #random ──\n:clap: @alice recognized @bob and @carol for *:moneybag: 10. Frugality*" in text
    assert "── LP Bot in DM to carol ──" in text


def test_console_app_home_and_the_kudos_shortcut(tmp_path):
    out = io.StringIO()
    settings = load_settings({"LPBOT_DB": str(tmp_path / "lp.db")})
    script = ":kudos\n:submit @bob | dive deep | for reading every line of the logs\n:submit @bob | dive deep | for reading every line of the logs | #general\n:as bob\n:home\n"
    assert run_console(settings, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "── Modal: Give kudos ──" in text
    assert "channel: Choose a channel to thank them in." in text  # a shortcut from nowhere needs a place
    assert "── App Home ──" in text and "for reading every line of the logs" in text
    assert "*Your principles*\n`▇▇▇▇▇▇▇▇▇▇` 1 received · `·         ` 0 given — Dive Deep" in text


def test_the_console_saves_pictures_as_files(tmp_path):
    out = io.StringIO()
    settings = load_settings({"LPBOT_DB": str(tmp_path / "c.db")})
    assert run_console(settings, io.StringIO("/lp kudos @bob ownership for fixing the build on friday\n/lp insights\n"), out) == 0
    text = out.getvalue()
    assert "── LP Bot shared a picture in DM to alice: Kudos by principle, the last 12 weeks" in text
    saved = next(line[len("saved to ") :] for line in text.splitlines() if line.startswith("saved to "))
    assert Path(saved).read_bytes().startswith(b"\x89PNG") and Path(saved).parent == tmp_path / "console-pictures"


def test_the_console_keeps_its_own_database_and_the_real_modes_refuse_it(tmp_path, monkeypatch, capsys):
    import io

    from bot import cli

    monkeypatch.chdir(tmp_path)
    env = {"PATH": "/usr/bin:/bin"}
    assert (
        cli.main(["console"], env=env, stdin=io.StringIO("/lp kudos @bob ownership for the demo release notes\n"), stdout=io.StringIO())
        == 0
    )
    assert (tmp_path / "data" / "console.db").is_file() and not (tmp_path / "data" / "lpbot.db").exists()
    capsys.readouterr()
    code = cli.main(["export", "kudos"], env={**env, "LPBOT_DB": str(tmp_path / "data" / "console.db")}, stdout=io.StringIO())
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"lpbot: LPBOT_DB={tmp_path / 'data' / 'console.db'} is the console's demo database: point LPBOT_DB at another file "
        "for the real bot (the console keeps its own, data/console.db)"
    )


def test_a_slash_command_other_than_lp_gets_slacks_answer_and_an_emoji_starts_a_message(tmp_path):
    import io

    from bot import cli

    out = io.StringIO()
    lines = "/kudos @bob ownership\n:clap: #ownership thanks everyone\n"
    assert cli.main(["console"], env={"LPBOT_DB": str(tmp_path / "c.db")}, stdin=io.StringIO(lines), stdout=out) == 0
    text = out.getvalue()
    assert "(Slack: /kudos is not a command here. LP Bot's is /lp: try /lp help)" in text
    assert "Unknown console command" not in text and "handle_some_command" not in text


def test_the_console_runs_the_workflow_step(tmp_path):
    script = ":step kudos @bob | ownership | for closing the incident review\n:step kudos @bob | qwerty | for something else again\n"
    out = io.StringIO()
    assert run_console(load_settings({"LPBOT_DB": str(tmp_path / "c.db")}), io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "── Workflow step done ──\nkudos_id: 1\nlink: https://" in text
    assert "── LP Bot in #general ──\n:clap: @alice recognized @bob for *:key: 2. Ownership*\n> for closing the incident review" in text
    assert "── LP Bot in DM to bob ──\n:sparkles: @alice recognized you for *:key: 2. Ownership* in #general:" in text
    assert (
        "── Workflow step failed ──\nNo principle is called “qwerty”. Closest: Ownership, Insist on the Highest Standards, Earn Trust."
        in text
    )


def test_the_console_edits_and_deletes_messages_and_an_inline_kudos_follows(tmp_path):
    script = (
        "@bob :clap: #ownership thanks for fixing the build\n"
        ":edit 1 @bob :clap: #frugality thanks for the cheaper build\n"
        ":delete 1\n:click\n:as ALICE\n"
    )
    out = io.StringIO()
    assert run_console(load_settings({"LPBOT_DB": str(tmp_path / "c.db")}), io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "── LP Bot in #general (visible to only you) ──\nUpdated: your kudos is now for @bob, for *Frugality*." in text
    assert "── LP Bot in #general (visible to only you) ──\nYour message is no longer a kudos, so I took the kudos back." in text
    assert "alice in #general> :click\nThe last reply has no buttons." in text
    assert "You are now alice." in text


def test_the_reaction_hint_names_the_configured_emoji(tmp_path):
    out = io.StringIO()
    settings = load_settings({"LPBOT_DB": str(tmp_path / "c.db"), "LPBOT_KUDOS_EMOJI": "tada"})
    assert run_console(settings, io.StringIO("hello there\n"), out) == 0
    assert "(message 1: react to it with :react 1 tada, change it with :edit 1 …)" in out.getvalue()


def test_the_console_clock_is_kept_with_its_data(tmp_path):
    """Restarting the console resumes from the clock the last run left: weeks it already posted stay
    posted, so the next :advance 7d posts the next week instead of nothing."""
    settings = load_settings({"LPBOT_DB": str(tmp_path / "lp.db"), "LPBOT_ROTATION": "sequential"})
    first = io.StringIO()
    assert run_console(settings, io.StringIO("/lp schedule #general monday 09:00 UTC\n:advance 7d\n"), first) == 0
    assert first.getvalue().count("Principle of the week:") == 1
    assert (tmp_path / "lp.clock").read_text().strip().isdigit()
    second = io.StringIO()
    assert run_console(settings, io.StringIO(":now\n:advance 7d\n"), second) == 0
    text = second.getvalue()
    assert "Console clock: " in text and "ahead of real time (kept in lp.clock)" in text
    assert text.count("Principle of the week:") == 1
    assert "Principle of the week: :key: 2. Ownership" in text  # sequential: the week after Customer Obsession


def test_a_new_console_database_starts_the_clock_at_real_time(tmp_path):
    (tmp_path / "lp.clock").write_text("604800\n")  # left behind by a database since deleted
    out = io.StringIO()
    assert run_console(load_settings({"LPBOT_DB": str(tmp_path / "lp.db")}), io.StringIO(":now\n"), out) == 0
    assert "ahead of real time" not in out.getvalue()


def test_console_log_lines_go_to_a_file_unless_verbose(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "LPBOT_"))}
    env |= {"LPBOT_DB": str(tmp_path / "console.db"), "LPBOT_LOG_LEVEL": "DEBUG"}
    quiet = subprocess.run([sys.executable, "-m", "bot", "console"], input="/lp 7\n", env=env, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and " DEBUG " not in quiet.stdout
    assert " DEBUG lpbot.bolt: Running listener" in (tmp_path / "console.log").read_text()
    loud = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--verbose"], input="/lp 7\n", env=env, capture_output=True, text=True, timeout=60
    )
    assert loud.returncode == 0 and " DEBUG lpbot.bolt: Running listener" in loud.stderr


def test_the_console_modal_shows_what_is_filled_in_and_takes_groups(tmp_path):
    out = io.StringIO()
    script = (
        "/lp frugal\n:click 2\n"
        ":submit | | short\n"  # empty parts keep the card's principle; both problems show at once
        ":submit @eng-team | | for halving the cloud bill\n"
        ":kudos\n"
    )
    assert run_console(load_settings({"LPBOT_DB": str(tmp_path / "c.db")}), io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "── Modal: Give kudos ──\nWho: (empty)\nOr a whole group: (empty)\nFor which principle: 10. Frugality  [required]\n" in text
    assert "Post in: #general\nFill it in: :submit @who [@who …] [@group] | principle | why [| #channel]\n" in text
    assert (
        "── The modal stays open and shows ──\n"
        "  recipients: Choose at least one person, or a group, to thank.\n"
        "  reason: Say what they did, in at least 10 characters.\n"
    ) in text
    assert "@alice recognized *@eng-team* (2 people) for *:moneybag: 10. Frugality*" in text
    # From the shortcut there is no channel yet, so the console says it is needed, as Slack's modal does.
    assert "Post in: (empty)  [required]\nFill it in: :submit @who [@who …] [@group] | principle | why | #channel\n" in text
