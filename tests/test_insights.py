"""Culture insights: the figures and the nudge effect on hand-made data, the chart as a real PNG,
/lp insights through the real app, the monthly digest exactly once, and App Home's small chart."""

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from PIL import Image

from bot import cli
from bot.insights import digest, figures
from bot.insights.charts import alt_text, heatmap_png
from bot.scheduler import STOPPED
from principles import load_catalog
from storage import insights as insights_store
from storage import kudos as kudos_store
from storage import weekly as weekly_store
from storage.insights import Participation
from storage.weekly import PostStatus, Schedule
from tests.helpers import block_text, buttons

UTC = timezone.utc
CATALOG = load_catalog()


# -- the figures, on hand-made data -----------------------------------------------------------------


def test_the_worked_example_of_the_nudge_method():
    # Featured in its week with 6 kudos; 11 baseline weeks with 11 kudos (README, "The nudge effect").
    found = figures.rate_ratio_test(6, 1, 11, 11)
    assert found.rate_ratio == pytest.approx(6.0)
    assert (round(found.ci_low, 2), round(found.ci_high, 2)) == (1.82, 17.70)
    assert found.p_value == pytest.approx(0.00185, abs=5e-5) and found.clear


def test_the_weeks_a_pick_was_based_on_are_no_baseline():
    # Featured in week 12, so weeks 4-11 (the 8 its pick looked at) are left out: 0-3 and 13-19 remain.
    row = [2, 2, 2, 2] + [0] * 8 + [2] + [2] * 7
    (nudge,) = figures.nudge_effect({"frugality": row}, {"frugality": {12}})
    assert (nudge.featured_kudos, nudge.baseline_kudos, nudge.baseline_weeks) == (2, 22, 11)
    assert nudge.test.rate_ratio == pytest.approx(1.0) and not nudge.test.clear
    # The old comparison (every other week) read 1.7x here: selection, not an effect.
    others = [v for i, v in enumerate(row) if i != 12]
    assert round(2 / (sum(others) / len(others)), 1) == 1.7


def test_the_rotation_and_the_readout_agree_on_the_lookback():
    from bot.weekly.rotation import BALANCE_WINDOW

    assert timedelta(weeks=figures.ROTATION_LOOKBACK) == BALANCE_WINDOW


def test_the_exact_interval_matches_its_definition():
    # Clopper-Pearson: at the bounds, the binomial tails are exactly 2.5%.
    low, high = figures.clopper_pearson(6, 17)
    assert figures.binomial_at_least(6, 17, low) == pytest.approx(0.025, abs=1e-9)
    assert figures.binomial_at_most(6, 17, high) == pytest.approx(0.025, abs=1e-9)
    assert figures.clopper_pearson(0, 10)[0] == 0.0 and figures.clopper_pearson(10, 10)[1] == 1.0


def test_the_pooled_figure_is_mantel_haenszel_over_the_principles():
    # Two strata with the same ratio pool to that ratio; its p-value is the exact tail of their sum.
    a = figures.Nudge("a", (0,), 4, 10, 20, 24, figures.rate_ratio_test(4, 1, 20, 10))
    b = figures.Nudge("b", (1,), 6, 10, 30, 36, figures.rate_ratio_test(6, 1, 30, 10))
    pooled = figures.pooled_test([a, b])
    assert pooled.rate_ratio == pytest.approx(2.0)
    assert pooled.ci_low < 2.0 < pooled.ci_high
    assert pooled.p_value == pytest.approx(figures.binomial_at_least(10, 60, 1 / 11), rel=1e-9)  # equal p0: one binomial


def test_too_few_kudos_give_no_ratio():
    (nudge,) = figures.nudge_effect({"frugality": [0, 2, 0, 1]}, {"frugality": {1}})
    assert nudge.total == 3 and not nudge.enough


def test_no_effect_on_simulated_teams_is_claimed_at_most_one_time_in_twenty():
    from bench.nudge_calibration import calibrate

    # 200 teams of 20 kudos a week over 12 weeks, the balanced rotation, and a weekly post that does nothing.
    null = calibrate(200, 12, 20, effect=1.0)
    assert null["readouts"] >= 190 and null["claims"] <= 0.05
    assert null["coverage"] >= 0.93
    # A real doubling shows up most of the time with this much data.
    assert calibrate(60, 12, 60, effect=2.0)["claims"] >= 0.9


@pytest.mark.parametrize(
    ("text", "weeks"), [("", 12), ("quarter", 13), ("year", 52), ("8 weeks", 8), ("8w", 8), ("1 week", 1), ("104", 104)]
)
def test_periods(text, weeks):
    assert figures.parse_period(text).weeks == weeks


@pytest.mark.parametrize("text", ["0 weeks", "105 weeks", "fortnight", "-3"])
def test_periods_refused(text):
    assert figures.parse_period(text) is None


def test_week_columns():
    now = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # a Wednesday
    columns = figures.weeks_ending(now, 12)
    assert columns[-1] == datetime(2026, 11, 23, tzinfo=UTC) and columns[0] == datetime(2026, 9, 7, tzinfo=UTC)
    assert figures.weeks_of_month(datetime(2026, 11, 1, tzinfo=UTC))[0] == datetime(2026, 10, 26, tzinfo=UTC)
    assert len(figures.weeks_of_month(datetime(2026, 11, 1, tzinfo=UTC))) == 6  # 26 Oct .. 30 Nov


def hand_made(counts, featured_week=None, weeks=4):
    columns = figures.weeks_ending(datetime(2026, 11, 25, tzinfo=UTC), weeks)
    posts = [(columns[featured_week].isoformat(), next(iter(counts))[0])] if featured_week is not None else []
    return figures.build(CATALOG, "Test", columns, counts, posts, Participation(sum(counts.values()), 3, 4, 5))


def insights_lines_for(counts, featured_week=None):
    from bot.messages import insight_lines

    return insight_lines(hand_made(counts, featured_week), CATALOG)


def test_blind_spots_least_and_reach():
    found = hand_made({("ownership", 0): 3, ("dive-deep", 2): 1})
    assert "frugality" in found.blind_spots and "ownership" not in found.blind_spots
    assert found.least == ["customer-obsession", "invent-and-simplify", "are-right-a-lot"]
    assert found.reach == pytest.approx(0.8)


# -- the chart ---------------------------------------------------------------------------------------


def drawn(found, **kw):
    """The chart's figure, laid out as heatmap_png draws it, with a renderer to measure its text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bot.insights.charts import heatmap_figure

    figure, _ = heatmap_figure(found, CATALOG, **kw)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return figure, canvas.get_renderer()


def test_the_charts_labels_and_title_stay_inside_the_picture_even_for_a_short_period():
    found = hand_made({("ownership", 0): 1}, weeks=2)
    long_title = "Kudos by principle, the last quarter (13 weeks) of the platform and infrastructure group, to 01 Dec 2026"
    found = figures.build(
        CATALOG, long_title, found.weeks, {("ownership", 0): 1, ("have-backbone-disagree-and-commit", 1): 2}, [], Participation(3, 3, 4, 5)
    )
    figure, renderer = drawn(found)
    axes = figure.axes[0]
    width = figure.bbox.width
    for text in [*axes.get_yticklabels(), axes.title]:
        extent = text.get_window_extent(renderer)
        assert 0 <= extent.x0 and extent.x1 <= width, (text.get_text(), extent)


def test_empty_cells_are_light_and_the_scale_counts_in_whole_numbers():
    from matplotlib.colors import to_hex

    from bot.insights.charts import ZERO_COLOUR

    found = hand_made({("ownership", 0): 3, ("dive-deep", 2): 1, ("frugality", 1): 2})
    figure, _ = drawn(found)
    image = figure.axes[0].images[0]
    assert to_hex(image.to_rgba(0)) == ZERO_COLOUR
    assert to_hex(image.to_rgba(1)) != ZERO_COLOUR
    assert list(figure.axes[1].get_yticks()) == [1, 2, 3]


def test_this_weeks_column_is_marked_as_so_far_and_the_footnote_explains_only_what_is_shown():
    found = hand_made({("ownership", 0): 3})
    figure, _ = drawn(found, partial_last_week=True)
    axes = figure.axes[0]
    assert axes.get_xticklabels()[-1].get_text() == f"{found.weeks[-1]:%d %b} (so far)"
    assert [p.get_hatch() for p in axes.patches if p.get_hatch()] == ["////"]
    assert [t.get_text() for t in figure.texts] == ["Blind spot: no kudos in the period.  Hatched: this week, so far."]
    every_principle = {(p.slug, 0): 1 for p in CATALOG}
    quiet = figures.build(CATALOG, "Test", found.weeks, every_principle, [], Participation(3, 3, 4, 5))
    assert drawn(quiet)[0].texts == []  # nothing outlined, no blind spot, no partial week: no footnote


def test_numbers_show_in_a_quarter_and_not_in_a_year():
    assert len(drawn(hand_made({("ownership", 0): 3}, weeks=13))[0].axes[0].texts) == 1
    assert len(drawn(hand_made({("ownership", 0): 3}, weeks=52))[0].axes[0].texts) == 0


def test_the_chart_is_a_real_png_readable_on_a_phone():
    found = hand_made({("ownership", 0): 3, ("dive-deep", 2): 1}, featured_week=0, weeks=12)
    png = heatmap_png(found, CATALOG)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    width, height = image.size
    assert 800 <= width <= 2000 and 400 <= height <= 1500, image.size
    assert len(png) < 500_000
    words = alt_text(found, CATALOG)
    assert "4 kudos in all" in words and "Ownership (3)" in words and "Frugality" in words and "outlined in 1 of the 12 weeks" in words


# -- storage ------------------------------------------------------------------------------------------


def test_counts_by_week_and_participation(fresh_db):
    monday = datetime(2026, 11, 2, tzinfo=UTC)
    for days, giver, recipients, principle in [
        (0, "U0A", ("U0B",), "ownership"),
        (1, "U0A", ("U0B", "U0C"), "ownership"),
        (8, "U0B", ("U0A",), "frugality"),
        (20, "U0D", ("U0A",), "frugality"),  # outside the span below
    ]:
        kudos_store.insert_kudos(
            fresh_db,
            team_id="T1",
            giver_id=giver,
            recipients=recipients,
            principle=principle,
            reason="r" * 12,
            channel_id=None,
            message_link=None,
            created_at=monday + timedelta(days=days, hours=10),
        )
    until = monday + timedelta(days=14)
    assert insights_store.counts_by_week(fresh_db, "T1", monday, monday, until) == {("ownership", 0): 2, ("frugality", 1): 1}
    assert insights_store.participation(fresh_db, "T1", monday, until) == Participation(kudos=3, givers=2, recognized=3, participants=3)
    # Whole weeks come from the weekly totals the triggers keep; any other span from the rows. They agree,
    # after deletions and a changed principle too.
    (first,) = fresh_db.execute("SELECT id FROM kudos ORDER BY id LIMIT 1").fetchone()
    kudos_store.delete_kudos(fresh_db, first)
    second = fresh_db.execute("SELECT id FROM kudos ORDER BY id LIMIT 1").fetchone()[0]
    kudos_store.revise_kudos(fresh_db, second, recipients=("U0D",), principle="dive-deep", reason="r" * 12)
    just_after = until + timedelta(microseconds=1)
    weekly = insights_store.counts_by_week(fresh_db, "T1", monday, monday, until)
    assert weekly == insights_store.counts_by_week(fresh_db, "T1", monday, monday, just_after) == {("dive-deep", 0): 1, ("frugality", 1): 1}
    assert insights_store.participation(fresh_db, "T1", monday, until) == insights_store.participation(fresh_db, "T1", monday, just_after)
    assert insights_store.participation(fresh_db, "T1", monday, until) == Participation(kudos=2, givers=2, recognized=2, participants=3)


# -- /lp insights through the real app ------------------------------------------------------------------


def uploaded(slack, channel):
    complete = slack.wait_for_call("files.completeUploadExternal")
    assert complete.params["channel_id"] == channel and complete.response["ok"], complete.response
    (item,) = complete.response["files"]
    return slack.files[item["id"]]


def test_insights_answer_in_words_and_send_the_chart_to_the_askers_dm(ask, slack, services):
    ask("kudos <@U0BOB|bob> ownership for owning the flaky test until it was fixed")
    reply = ask("insights")
    assert reply["response_type"] == "ephemeral"
    text = block_text(reply)
    assert "Kudos by principle, the last 12 weeks" in text and "*Kudos given:* 1, by 1 person" in text
    assert "reach 50%" in text and "Blind spots" in text
    picture = uploaded(slack, "DU0ALICE")
    assert Image.open(io.BytesIO(picture["data"])).format == "PNG"
    assert "1 kudos in all" in picture["alt_txt"]
    assert slack.calls_to("conversations.open")[0].params["users"] == "U0ALICE"


FIRST_KUDOS = "kudos <@U0BOB|bob> ownership for owning the quarterly review"


def test_insights_share_puts_words_and_chart_in_the_channel(ask, slack):
    ask(FIRST_KUDOS)
    reply = ask("insights share quarter")
    assert reply["response_type"] == "in_channel" and "Shared by <@U0ALICE>" in block_text(reply)
    assert "the last quarter (13 weeks)" in reply["text"]
    uploaded(slack, "C0GENERAL")


def test_without_files_write_the_figures_come_alone_and_say_why(sender, slack):
    slack.granted_scopes = tuple(s for s in slack.granted_scopes if s != "files:write")
    slack.wait_for_response(sender.command(FIRST_KUDOS).response_url)
    sent = sender.command("insights")
    slack.wait_for(lambda calls: len([c for c in calls if c.method == "response_url"]) >= 3)
    _, words, note = (c.params for c in slack.calls_to("response_url"))
    assert "Kudos given" in words["text"]
    assert "couldn't send the chart as a picture" in note["text"] and "files:write" in note["text"]
    assert sent.status == 200 and not slack.files


def test_sharing_where_the_bot_is_not_says_to_invite_it(sender, slack):
    slack.wait_for_response(sender.command(FIRST_KUDOS).response_url)
    slack.not_member.add("C0RANDOM")
    sender.command("insights share", channel="C0RANDOM")
    slack.wait_for(lambda calls: len([c for c in calls if c.method == "response_url"]) >= 3)
    assert "invite me" in slack.calls_to("response_url")[2].params["text"]


def test_insights_for_a_team_with_no_kudos_yet_say_how_to_start_and_send_no_empty_chart(ask, slack, services):
    reply = ask("insights")
    assert reply["text"] == (
        "Kudos by principle, the last 12 weeks, to 25 Nov 2026\n*No kudos yet* in this period, so there is nothing to measure: "
        "give the first with `/lp kudos @someone <principle> <why>`, and the figures fill in from there."
    )
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_insights_name_their_longest_period(ask):
    assert ask("insights 1000 weeks")["text"] == (
        "Try `/lp insights` (the last 12 weeks), `/lp insights quarter`, `year` or `8 weeks` (up to 104 weeks)."
    )


def test_insights_show_counts_never_words(ask, slack):
    ask("kudos <@U0BOB|bob> ownership for the secret-project-zebra rescue", channel="G0PRIVATE")
    reply = ask("insights share")
    picture = uploaded(slack, "C0GENERAL")
    assert "zebra" not in block_text(reply) and "zebra" not in picture["alt_txt"] and "G0PRIVATE" not in block_text(reply)
    assert "*Kudos given:* 1" in block_text(reply)


def test_the_nudge_effect_through_the_app(ask, services, clock, slack):
    # Ownership was the principle of the week four weeks ago; it got 6 kudos that week and 1 in each other week.
    columns = figures.weeks_ending(clock.now, 12)
    with services.store.write() as db:
        weekly_store.save_schedule(db, Schedule("T0LOCAL", "C0GENERAL", 0, "09:00", "UTC", "U0ALICE", "active"), columns[0])
        weekly_store.claim(db, "T0LOCAL", "C0GENERAL", "2026-W44", "ownership", columns[7] + timedelta(hours=9), columns[7])
        weekly_store.finish(db, "T0LOCAL", "C0GENERAL", "2026-W44", PostStatus.POSTED, columns[7])
        for week, monday in enumerate(columns):
            for n in range(6 if week == 7 else 1):
                kudos_store.insert_kudos(
                    db,
                    team_id="T0LOCAL",
                    giver_id=f"U0G{n}",
                    recipients=("U0BOB",),
                    principle="ownership",
                    reason="for owning it all the way",
                    channel_id="C0GENERAL",
                    message_link=None,
                    created_at=monday + timedelta(days=1, hours=n),
                )
    text = block_text(ask("insights"))
    # The 7 weeks before its pick (in the period) are no baseline: weeks 8-11 are, with 1 kudos each.
    assert "• Ownership: 6 kudos in its week, against 4 in 4 baseline weeks: about 6.0× more kudos in its week, 95% CI 1.4–28.9." in text
    assert "*Did the principle of the week move it?* Over every principle featured: about 6.0× more kudos in their weeks" in text


def test_unclear_insights_periods_say_what_to_type(ask):
    assert "Try `/lp insights`" in ask("insights fortnight")["text"]


# -- the monthly digest ---------------------------------------------------------------------------------


def test_digest_is_for_admins_and_says_when(ask, services):
    assert ask("digest <#C0GENERAL|general> on", user="U0BOB")["text"] == (
        "Only workspace admins and the people listed in LPBOT_ADMINS can change the monthly digest. "
        "Ask one of them, or try `/lp insights` to see the figures yourself."
    )
    reply = ask("digest <#C0GENERAL|general> on")
    assert "next on Tue 01 Dec 2026 at 09:00 (Europe/London)" in reply["text"]  # Alice's zone; the first working day
    assert [d.channel_id for d in weekly_store.list_digests(services.store.db)] == ["C0GENERAL"]
    assert "No more monthly digests" in ask("digest <#C0GENERAL|general> off")["text"]
    assert weekly_store.list_digests(services.store.db) == []


def enrol(services, channel="C0GENERAL", tz="UTC", on=datetime(2026, 1, 1, tzinfo=UTC)):
    with services.store.write() as db:
        weekly_store.save_digest(db, weekly_store.Digest("T0LOCAL", channel, "09:00", tz, "U0ALICE"), on)


def give(services, when, principle="ownership", visibility="public", reason="for owning the release train"):
    with services.store.write() as db:
        kudos_store.insert_kudos(
            db,
            team_id="T0LOCAL",
            giver_id="U0ALICE",
            recipients=("U0BOB",),
            principle=principle,
            reason=reason,
            channel_id="C0GENERAL",
            message_link=None,
            created_at=when,
            visibility=visibility,
        )


def test_the_digest_posts_once_on_the_first_working_day_with_shout_outs_and_a_chart(services, client, slack):
    enrol(services)
    give(services, datetime(2026, 11, 10, tzinfo=UTC), "frugality", reason="for the cheaper build machines")
    give(services, datetime(2026, 11, 11, tzinfo=UTC), "frugality", visibility="private", reason="for the quiet-secret budget fix")
    give(services, datetime(2026, 11, 12, tzinfo=UTC), "ownership")
    give(services, datetime(2026, 11, 13, tzinfo=UTC), "ownership")
    assert digest.run_due(services, client, datetime(2026, 12, 1, 8, 59, tzinfo=UTC)) == []
    (outcome,) = digest.run_due(services, client, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    assert (outcome.period, outcome.status) == ("2026-11", PostStatus.POSTED)
    # Once: and a sweep after the post reads the ledger, not the month's kudos (SQLite's own trace of what it ran).
    statements: list[str] = []
    services.store.db.conn.set_trace_callback(statements.append)
    try:
        assert digest.run_due(services, client, datetime(2026, 12, 1, 9, 6, tzinfo=UTC)) == []
    finally:
        services.store.db.conn.set_trace_callback(None)
    assert statements and not [s for s in statements if "kudos" in s.lower()]
    (post,) = [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0GENERAL"]
    text = block_text(post)
    assert "Culture digest: November 2026" in text and "*Kudos given:* 4" in text
    # The under-recognized principle that had kudos gets a shout-out, quoting public words only.
    assert "for the cheaper build machines" in text and "quiet-secret" not in text
    (button,) = buttons(post)
    assert button["value"] == "customer-obsession"  # the least recognized: none at all
    uploaded(slack, "C0GENERAL")


def test_the_first_working_day_skips_the_weekend(services, client):
    enrol(services)
    # 1 August 2026 is a Saturday: the digest comes on Monday the 3rd.
    assert digest.run_due(services, client, datetime(2026, 8, 1, 12, tzinfo=UTC)) == []
    (outcome,) = digest.run_due(services, client, datetime(2026, 8, 3, 9, 0, tzinfo=UTC))
    assert outcome.period == "2026-07"


def test_the_digest_follows_the_channels_weekly_time_and_zone(services, client):
    enrol(services)
    with services.store.write() as db:
        weekly_store.save_schedule(
            db, Schedule("T0LOCAL", "C0GENERAL", 0, "10:30", "Asia/Tokyo", "U0ALICE", "active"), datetime(2026, 11, 1, tzinfo=UTC)
        )
    # 1 December 10:30 in Tokyo is 01:30 UTC.
    assert digest.run_due(services, client, datetime(2026, 12, 1, 1, 29, tzinfo=UTC)) == []
    assert digest.run_due(services, client, datetime(2026, 12, 1, 1, 30, tzinfo=UTC))[0].status == PostStatus.POSTED


def test_a_digest_where_the_bot_was_removed_stops_and_tells_its_admin(services, client, slack):
    enrol(services)
    slack.not_member.add("C0GENERAL")
    (outcome,) = digest.run_due(services, client, datetime(2026, 12, 1, 9, 5, tzinfo=UTC))
    assert outcome.status == STOPPED and weekly_store.list_digests(services.store.db) == []
    (dm,) = [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "U0ALICE"]
    assert "switched off the monthly digest" in dm["text"]


def test_lpbot_digest_for_cron(services, slack, settings, capsys):
    enrol(services)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "s" * 16,
        "SLACK_API_URL": slack.api_url,
        "LPBOT_DB": str(settings.db_path),
    }
    out = io.StringIO()
    assert cli.main(["digest", "--as-of", "2026-12-01T09:10:00+00:00"], env=env, stdout=out) == 0
    assert out.getvalue().strip() == "2026-11 #general (C0GENERAL) posted"
    out = io.StringIO()
    assert cli.main(["digest", "--as-of", "2026-12-01T09:20:00+00:00"], env=env, stdout=out) == 0
    assert out.getvalue().strip() == "nothing due"


# -- App Home ----------------------------------------------------------------------------------------------


def test_app_home_shows_your_principles_and_the_months_blind_spots(ask, sender, slack):
    ask("kudos <@U0CAROL|carol> dive deep for reading every single log line")
    ask("kudos <@U0BOB|bob> frugality for halving the cloud bill", user="U0CAROL")
    sender.event({"type": "app_home_opened", "user": "U0CAROL", "tab": "home"})
    view = slack.wait_for_call("views.publish").params["view"]
    text = block_text(view)
    bars = text.split("*Your principles*\n", 1)[1].split("\n*@", 1)[0]
    assert bars == (
        "`·         ` 0 received · `▇▇▇▇▇▇▇▇▇▇` 1 given — Frugality\n`▇▇▇▇▇▇▇▇▇▇` 1 received · `·         ` 0 given — Dive Deep"
    )
    blind = text.split("*The team's blind spots this month* — nobody has been recognized for these yet:\n", 1)[1].split("\n*:", 1)[0]
    assert blind.splitlines() == [
        f"Recognize someone for {name}"
        for name in ("Customer Obsession", "Ownership", "Invent and Simplify", "Are Right, A Lot", "Learn and Be Curious")
    ]
    recognize = [b for b in buttons({"blocks": view["blocks"]}) if b["action_id"].startswith("recognize_principle")]
    values = [b["value"] for b in recognize]
    assert values[0] == "customer-obsession" and "dive-deep" not in values and len(values) == 5
    # Slack refuses two equal action_ids in one block: each blind spot's button has its own, and each opens the modal.
    assert len({b["action_id"] for b in recognize}) == 5
    sender.click(recognize[1]["action_id"], recognize[1]["value"], user="U0CAROL", channel=None)
    modal = slack.wait_for_call("views.open").params["view"]
    assert modal["callback_id"] == "kudos_modal"


def test_the_readme_picture_comes_from_the_script_and_the_bots_own_code():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("example_chart", root / "docs" / "example_chart.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    found = example.demo()
    assert found.blind_spots == ["think-big", "frugality"] and len(found.featured) == 6
    assert "![" in (root / "README.md").read_text().split("docs/insights-example.png", 1)[0].rsplit("\n", 1)[-1]  # shown, not just named
    shipped, drawn = Image.open(root / "docs" / "insights-example.png"), Image.open(io.BytesIO(heatmap_png(found, CATALOG)))
    # The same picture, pixel for pixel: the script and the bot's chart code drew the one the README shows.
    assert (shipped.size, shipped.mode) == (drawn.size, drawn.mode)
    assert shipped.tobytes() == drawn.tobytes(), "run `python docs/example_chart.py` and commit the picture"


def test_a_chart_of_a_catalog_in_other_scripts_draws_every_name(tmp_path, caplog):
    import warnings

    from bot.insights import charts

    names = ["誠実", "顧客第一", "정직", "ईमानदारी", "Честность", "Ακεραιότητα", "Kundenzufriedenheit über alles"]
    path = tmp_path / "values.toml"
    path.write_text('name = "Werte"\n' + "".join(f'[[principles]]\nname = "{n}"\nsummary = "S."\n' for n in names), encoding="utf-8")
    catalog = load_catalog(path)
    if charts.missing_glyphs(names):
        pytest.skip(f"no font for {sorted(charts.missing_glyphs(names))} here ({charts.MISSING_FONT_HINT})")
    columns = figures.weeks_ending(datetime(2026, 11, 25, tzinfo=UTC), 4)
    found = figures.build(catalog, "Werte", columns, {(catalog.principles[0].slug, 3): 2}, [], Participation(2, 1, 1, 2))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        png = heatmap_png(found, catalog)
    assert [str(w.message) for w in seen if "missing from" in str(w.message)] == []
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert not [r for r in caplog.records if r.name == "bot.insights.charts"]


def test_lpbot_insights_prints_the_figures_as_json(tmp_path, capsys):
    import json as _json

    from bot import cli
    from storage import Store

    now = datetime.now(UTC)
    columns = figures.weeks_ending(now, 12)
    store = Store(tmp_path / "lpbot.db").open()
    with store.write() as db:
        weekly_store.save_schedule(db, Schedule("T1", "C1", 0, "09:00", "UTC", "U0A", "active"), columns[0])
        weekly_store.claim(db, "T1", "C1", "w", "ownership", columns[10] + timedelta(hours=9), columns[10])
        weekly_store.finish(db, "T1", "C1", "w", PostStatus.POSTED, columns[10])
        for week, monday in enumerate(columns):
            for n in range(6 if week == 10 else 1):
                kudos_store.insert_kudos(
                    db, team_id="T1", giver_id=f"U0G{n}", recipients=("U0B",), principle="ownership", reason="for owning it",
                    channel_id="C1", message_link=None, created_at=monday + timedelta(hours=1, minutes=n),
                )  # fmt: skip
    store.close()
    out = io.StringIO()
    assert cli.main(["insights", "--format", "json"], env={"LPBOT_DB": str(tmp_path / "lpbot.db")}, stdout=out) == 0
    report = _json.loads(out.getvalue())
    assert report["team"] == "T1" and report["kudos"] == 17 and report["totals"]["ownership"] == 17
    assert "frugality" in report["blind_spots"] and len(report["weeks"]) == 12
    (nudge,) = report["nudge"]
    # Featured in week 10: weeks 2-9 were its pick's basis, so the baseline is weeks 0, 1 and 11.
    assert (nudge["featured_kudos"], nudge["baseline_weeks"], nudge["baseline_kudos"]) == (6, 3, 3)
    expected = figures.rate_ratio_test(6, 1, 3, 3)
    assert (nudge["rate_ratio"], nudge["ci_low"], nudge["ci_high"], nudge["p_value"]) == (
        expected.rate_ratio, expected.ci_low, expected.ci_high, expected.p_value
    )  # fmt: skip
    assert report["pooled"]["rate_ratio"] == pytest.approx(6.0)


def test_the_same_week_comparison_sets_the_drawn_principle_against_the_ones_drawn_with_it():
    grid = {"a": [4, 0, 1], "b": [1, 3, 1], "c": [1, 1, 1]}
    # Week 0: a drawn among a, b, c; week 1: b drawn among b, c.
    fair = figures.same_week_comparison(grid, [(0, "a", ("a", "b", "c")), (1, "b", ("b", "c"))])
    assert (fair.draws, fair.drawn_kudos, fair.others, fair.others_kudos) == (2, 7, 3, 3)
    expected = figures.rate_ratio_test(7, 2, 3, 3)
    assert fair.test == expected and fair.test.rate_ratio == pytest.approx(3.5)
    assert figures.same_week_comparison(grid, []) is None


@pytest.mark.settings(holidays="GB")  # so 1 January 2027, a Friday, is a bank holiday and the first is Monday the 4th
def test_turning_the_digest_on_posts_nothing_now_and_the_first_comes_next_month(ask, services, client, slack, clock):
    # Turned on an hour after this month's digest was due (Tuesday 1 December, 09:00 in Alice's London):
    # November's was never promised, so nothing goes out now; December's comes on the first working day.
    clock.now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert "next on Mon 04 Jan 2027 at 09:00 (Europe/London)" in ask("digest <#C0GENERAL|general> on")["text"]
    assert digest.run_due(services, client, datetime(2026, 12, 1, 10, 5, tzinfo=UTC)) == []
    (outcome,) = digest.run_due(services, client, datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    assert outcome.period == "2026-12"


def test_switching_off_a_digest_that_is_not_there_says_so(ask):
    assert ask("digest <#C0GENERAL|general> off")["text"] == (
        "<#C0GENERAL> has no monthly digest to switch off. `/lp digest <#C0GENERAL> on` starts one."
    )
    ask("digest <#C0GENERAL|general> on")
    assert ask("digest <#C0GENERAL|general> off")["text"] == "No more monthly digests in <#C0GENERAL>."


@pytest.mark.parametrize(
    "country, month, first",
    [
        (None, (2026, 1), date(2026, 1, 1)),  # a Thursday
        ("GB", (2026, 1), date(2026, 1, 2)),  # New Year's Day is a bank holiday in England
        ("DE", (2026, 5), date(2026, 5, 4)),  # 1 May (Labour Day) is a Friday, then the weekend
        ("US", (2026, 1), date(2026, 1, 2)),
        ("JP", (2026, 1), date(2026, 1, 2)),
    ],
)
def test_the_first_working_day_skips_the_countrys_public_holidays(country, month, first):
    assert digest.first_working_day(*month, country) == first


def test_an_unknown_holiday_country_is_one_line_naming_the_variable():
    from bot.settings import ConfigError, load_settings

    assert load_settings({"LPBOT_HOLIDAYS": "us-ca"}).holidays == "US-CA"
    with pytest.raises(
        ConfigError, match="^LPBOT_HOLIDAYS must be a country code the holidays library knows, like GB, DE or US-CA, got 'XX'$"
    ):
        load_settings({"LPBOT_HOLIDAYS": "XX"})
