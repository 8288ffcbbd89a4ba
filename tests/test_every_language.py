"""What people type is understood in every script, and nothing is recorded that they did not say:
a kudos names its principle, or the giver is asked which one (issue 20)."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.kudos.rules import check_reason, reason_length, split_principle
from bot.refusal import Refusal
from principles import load_catalog, match_principle
from principles.catalog import normalize, slugify
from tests.helpers import block_text, buttons, stored

CATALOG = load_catalog()
BOB = "<@U0BOB|bob>"

# Thank-yous in many scripts, as people write them (no principle named in any of them).
WHYS = {
    "Latin": "Danke für die schnelle Hilfe beim Umzug der Datenbank",
    "Cyrillic": "Спасибо за отличную работу",
    "Greek": "Ευχαριστώ για τη βοήθεια με την αναβάθμιση",
    "Arabic": "شكرا جزيلا على المساعدة في الإطلاق",
    "Hebrew": "תודה רבה על העזרה בשחרור הגרסה",
    "Devanagari": "रिलीज़ में मदद के लिए बहुत धन्यवाद",
    "Chinese": "谢谢你帮忙修好了构建",
    "Japanese": "素晴らしい仕事をありがとう、本当に助かりました",
    "Korean": "배포를 도와줘서 정말 고마워요",
    "emoji": "thanks for the rescue 🚀🎉 last night",
}


# -- the pure matcher -----------------------------------------------------------------------------


@pytest.mark.parametrize("script", list(WHYS))
def test_a_why_in_any_script_is_kept_whole_after_a_named_principle(script):
    match, why = split_principle(CATALOG, f"ownership {WHYS[script]}")
    assert match.principle.slug == "ownership"
    assert why == WHYS[script]
    assert check_reason(why) == WHYS[script]


@pytest.mark.parametrize("word", ["for", "and", "the", "a", "to", "of", "for the", "and the", "für", "за", "pour"])
def test_a_common_word_names_no_principle(word):
    match, _ = split_principle(CATALOG, f"{word} fixing the flaky build today")
    assert match.principle is None


def test_the_reported_case_names_no_principle():
    match, why = split_principle(CATALOG, "for fixing the flaky build today")
    assert match.principle is None


# Realistic whys that name no principle: everyday words of thanks (each checked below to name none).
_WORDS = (
    "for fixing the flaky build today thanks helping with migration great job on release night "
    "staying late pairing me through review answering every question tests docs dashboard rollout "
    "a an to of and with at by this that week sprint team call incident pager support customers' "
    "ticket queue backlog demo slides onboarding new hire patience kindness"
).split()
_PLAIN = [w for w in _WORDS if not match_principle(CATALOG, w, named=True).found]


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PLAIN), min_size=1, max_size=12))
def test_whys_that_name_no_principle_never_find_one(words):
    match, _ = split_principle(CATALOG, " ".join(words))
    assert match.principle is None, " ".join(words)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PLAIN), min_size=1, max_size=12))
def test_inline_whys_that_name_no_principle_never_find_one(words):
    from bot.kudos.inline import principle_in, read_message

    meant = read_message("<@U0BOB> :clap: " + " ".join(words), "clap")
    match, _ = principle_in(CATALOG, meant.text)
    assert match.principle is None, " ".join(words)


def test_the_vocabulary_is_mostly_plain_words():
    # The property above is only as good as its words: nearly all of them must be in play.
    assert len(_PLAIN) >= len(_WORDS) - 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＬＰ１２", "lp12"),
        ("STRASSE", "strasse"),
        ("straße", "strasse"),
        ("#Dive-Deep!", "dive deep"),
        ("誠実！", "誠実"),
        ("Ünïcödé", "ünïcödé"),
    ],
)
def test_normalize_keeps_every_scripts_letters(text, expected):
    assert normalize(text) == expected


@given(st.text(st.characters(categories=("L", "M", "N", "Zs", "P", "So")), max_size=40))
def test_normalize_keeps_exactly_the_letters_marks_and_digits(text):
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(normalize(text).split())
    # Apostrophes (U+0027, U+2019 and the letter-like U+02BC) join a word instead of standing in it.
    assert kept == "".join(c for c in folded if unicodedata.category(c)[0] in "LMN" and c not in "'\u2019\u02bc")


def test_a_wide_character_counts_as_two_for_the_minimum():
    assert reason_length("助かりました") == 12
    assert check_reason("助かりました") == "助かりました"
    with pytest.raises(Refusal):
        check_reason("ありがとう"[:4])  # four wide characters: 8
    with pytest.raises(Refusal):
        check_reason("thanks!")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kundenzufriedenheit über alles", "kundenzufriedenheit-über-alles"),
        ("誠実", "誠実"),
        ("Честность", "честность"),
        ("Ακεραιότητα", "ακεραιότητα"),
        ("الأمانة", "الأمانة"),
        ("יושרה", "יושרה"),
        ("ईमानदारी", "ईमानदारी"),
        ("정직", "정직"),
    ],
)
def test_slugs_keep_every_scripts_letters(name, slug):
    assert slugify(name) == slug


# -- a custom catalog in other scripts ----------------------------------------------------------

NAMES = ["誠実", "Честность", "Ακεραιότητα", "الأمانة", "יושרה", "ईमानदारी", "정직", "Kundenzufriedenheit über alles", "顧客第一"]


@pytest.fixture
def world_catalog(tmp_path):
    tables = "\n".join(f'[[principles]]\nname = "{name}"\nsummary = "Summary {i}."\n' for i, name in enumerate(NAMES))
    path = tmp_path / "values.toml"
    path.write_text(f'name = "Values"\n{tables}', encoding="utf-8")
    return load_catalog(path)


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_match_by_name_slug_and_tag(world_catalog, name):
    principle = next(p for p in world_catalog if p.name == name)
    assert match_principle(world_catalog, name).principle == principle
    assert match_principle(world_catalog, f"#{principle.slug}").principle == principle
    match, why = split_principle(world_catalog, f"{name} {WHYS['Japanese']}")
    assert match.principle == principle and why == WHYS["Japanese"]


def test_a_typo_in_a_latin_name_still_matches(world_catalog):
    assert match_principle(world_catalog, "kundenzufriedenheit uber alles").principle.name == NAMES[7]
    assert match_principle(world_catalog, "Честнось").principle.name == "Честность"


# -- through the real app -----------------------------------------------------------------------


@pytest.mark.parametrize("script", ["Japanese", "Cyrillic", "Arabic", "Korean"])
def test_a_kudos_in_any_script_is_stored_exactly_as_typed(ask, services, script):
    reply = ask(f"kudos {BOB} ownership {WHYS[script]}")
    assert reply["response_type"] == "in_channel"
    (row,) = stored(services)
    assert row["principle"] == "ownership" and row["reason"] == WHYS[script]


def test_a_kudos_that_names_no_principle_is_not_stored_but_asked(ask, services, sender, slack):
    prompt = ask(f"kudos {BOB} for fixing the flaky build today")
    assert stored(services) == []
    assert prompt["response_type"] == "ephemeral"
    assert prompt["text"] == "Which principle is your kudos for <@U0BOB> about? Nothing is saved until you pick one."
    picks = [b["value"] for b in buttons(prompt) if b["type"] == "button"]
    assert len(picks) == 3 and "bias-for-action" not in picks[:1]
    # One click records it, as /lp kudos would have: in public, with the words as typed.
    sent = sender.press(prompt["blocks"], picks[1])
    assert sent.status == 200
    public = slack.wait_for_response(sent.response_url).params
    assert public["response_type"] == "in_channel"
    (row,) = stored(services)
    assert row["principle"] == picks[1] and row["reason"] == "for fixing the flaky build today" and row["recipient_id"] == "U0BOB"
    assert "<@U0ALICE> recognized <@U0BOB>" in block_text(public)
    # The prompt is taken away; a second click on it stores nothing more.
    slack.wait_for(lambda calls: any(c.method == "response_url" and c.params.get("delete_original") for c in calls))
    again = sender.press(prompt["blocks"], picks[0])
    refusal = slack.wait_for_response(again.response_url).params
    assert refusal["text"] == "That kudos is no longer waiting (it was sent, or I restarted in between): send it again with `/lp kudos`."
    assert len(stored(services)) == 1


def test_the_other_menu_picks_any_principle(ask, services, sender, slack):
    prompt = ask(f"kudos {BOB} thanks a lot for the help with the release")
    sent = sender.press(prompt["blocks"], "frugality")
    slack.wait_for_response(sent.response_url)
    assert [r["principle"] for r in stored(services)] == ["frugality"]


def test_someone_elses_prompt_records_nothing(ask, services, sender, slack):
    prompt = ask(f"kudos {BOB} for fixing the flaky build today")
    sent = sender.press(prompt["blocks"], "frugality", user="U0CAROL")
    assert slack.wait_for_response(sent.response_url).params["text"].startswith("That kudos is no longer waiting")
    assert stored(services) == []


def test_a_prompt_still_checks_the_people_and_the_why_first(ask, services):
    assert ask("kudos <@U0ALICE|alice> for fixing the flaky build today")["text"] == (
        "Kudos are for other people — you can't give them to yourself. Who helped you lately?"
    )
    assert ask(f"kudos {BOB} for it")["text"].startswith("Say why, in at least 10 characters (5 in Chinese, Japanese or Korean):")
    assert stored(services) == []


# -- the command language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lsit", "`/lp list`"),
        ("leaderbord", "`/lp leaderboard`"),
        ("stat", "`/lp stats`"),
        ("serach customers", "`/lp search` customers"),
        ("kudo <@U0BOB|bob> ownership for the fix", "`/lp kudos` <@U0BOB> ownership for the fix"),
        ("schedul <#C0GENERAL|general> monday 09:00", "`/lp schedule` <#C0GENERAL> monday 09:00"),
        ("lsit <!channel>", "`/lp list` &lt;!channel&gt;"),  # nothing typed is acted on: no @channel
    ],
)
def test_a_mistyped_subcommand_is_offered_with_the_rest_kept(ask, typed, meant):
    assert ask(typed)["text"] == f"Did you mean {meant}? `/lp help` lists every command."


def test_a_command_with_words_it_does_not_take_says_what_it_takes(ask):
    assert ask("undo please")["text"] == "`/lp undo` takes back your last kudos (within 24 hours); it takes nothing after it."
    assert ask("list abc")["text"] == "Try `/lp list`, or a page: `/lp list 2`."


def test_a_reply_shows_mentions_not_slacks_markup(ask):
    reply = ask("<@U0BOB|bob> <#C0GENERAL|general> xyzzy")
    # Mentions and channels echoed as such: never Slack's `<@U…|bob>` markup, nor escaped `&lt;@…`.
    assert reply["text"].startswith("I couldn't pin down “<@U0BOB> <#C0GENERAL> xyzzy” to one principle.")


@pytest.mark.parametrize("typed", ["15", "-1", "0", "999"])
def test_a_number_outside_the_catalog_says_how_many_there_are(ask, typed):
    assert ask(typed)["text"] == f"There are 14 principles, numbered 1 to 14, so “{typed}” is none of them: try `/lp list`."


def test_a_page_past_the_end_says_so(ask):
    assert ask("list 2")["text"] == "The list has one page, so there is no page 2: `/lp list` shows them all."


def test_dm_alone_says_whether_they_are_on(ask):
    assert ask("dm")["text"] == "Kudos DMs are on: I message you when someone recognizes you. `/lp dm off` stops them."
    ask("dm off")
    assert ask("dm")["text"] == "Kudos DMs are off: I don't message you when someone recognizes you. `/lp dm on` brings them back."


def test_a_period_anywhere_in_a_board_command_counts(ask):
    assert ask("leaderboard week ownership")["text"] == ask("leaderboard ownership week")["text"]
    assert "this week" in ask("leaderboard week ownership")["text"]


UNLINKED = (
    "Slack didn't link {} to a person: type @ and pick them from the list Slack offers (the name turns into a mention), then send it again."
)


@pytest.mark.parametrize(("typed", "name"), [("kudos @zed ownership for the fix", "@zed"), ("leaderboard @nobody", "@nobody")])
def test_an_at_name_slack_did_not_link_says_how_to_pick_it(ask, typed, name):
    assert ask(typed)["text"] == UNLINKED.format(name)


def test_a_second_schedule_says_what_it_replaced(ask):
    ask("schedule <#C0GENERAL|general> monday 09:00 UTC")
    reply = ask("schedule <#C0GENERAL|general> friday 16:00 UTC")["text"]
    assert "every Friday at 16:00 UTC. It replaces the Monday 09:00 UTC post there." in reply


def test_help_takes_its_examples_from_the_catalog(tmp_path, ask, services):
    from bot.messages import help_reply
    from bot.slash.intents import USAGE

    assert "`/lp 7`, `/lp dive deep`, `/lp #ownership`" in ask("help")["text"]
    custom = tmp_path / "values.toml"
    custom.write_text('name = "Ours"\n[[principles]]\nname = "Ship Small"\nsummary = "S."\n[[principles]]\nname = "誠実"\nsummary = "T."\n')
    text = help_reply(load_catalog(custom), USAGE).text
    assert "`/lp 2`, `/lp 誠実`, `/lp #誠実`" in text and "dive deep" not in text
