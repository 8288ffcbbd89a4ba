import pytest

from principles import CatalogError, load_catalog

AMAZON_NAMES = [
    "Customer Obsession",
    "Ownership",
    "Invent and Simplify",
    "Are Right, A Lot",
    "Learn and Be Curious",
    "Hire and Develop the Best",
    "Insist on the Highest Standards",
    "Think Big",
    "Bias for Action",
    "Frugality",
    "Earn Trust",
    "Dive Deep",
    "Have Backbone; Disagree and Commit",
    "Deliver Results",
]


def test_default_set_is_the_fourteen_in_order():
    catalog = load_catalog()
    assert [p.name for p in catalog] == AMAZON_NAMES
    assert [p.number for p in catalog] == list(range(1, 15))


@pytest.mark.parametrize("set_name", ["amazon", "amazon-16"])
def test_every_builtin_principle_is_complete(set_name):
    for principle in load_catalog(set_name):
        assert principle.summary and principle.description and principle.practice
        assert 2 <= len(principle.questions) <= 3
        assert principle.emoji.startswith(":") and principle.url.startswith("https://")
        assert principle.aliases


def test_the_2021_additions_are_opt_in():
    names = [p.name for p in load_catalog("amazon-16")]
    assert names[:14] == AMAZON_NAMES
    assert names[14:] == ["Strive to be Earth's Best Employer", "Success and Scale Bring Broad Responsibility"]
    assert "Strive to be Earth's Best Employer" not in [p.name for p in load_catalog()]


def test_custom_values_file(tmp_path):
    path = tmp_path / "values.toml"
    path.write_text(
        'name = "Our Values"\n'
        '[[principles]]\nname = "Ship Small"\nsummary = "Small changes, often."\naliases = ["small"]\n'
        '[[principles]]\nname = "Be Kind"\nslug = "kindness"\nsummary = "Assume good intent."\n'
        'questions = ["Who helped you this week?"]\nemoji = ":heart:"\n'
    )
    catalog = load_catalog(str(path))
    assert catalog.name == "Our Values"
    assert [(p.number, p.slug) for p in catalog] == [(1, "ship-small"), (2, "kindness")]
    assert catalog.by_slug("kindness").questions == ("Who helped you this week?",)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("name = ", "not valid TOML"),
        ('[[principles]]\nname = "A"\nsummary = "B"\n', "top-level name"),
        ('name = "X"\n', "at least one [[principles]]"),
        ('name = "X"\n[[principles]]\nname = "A"\n', "principle 1 needs a non-empty summary"),
        ('name = "X"\n[[principles]]\nname = "A"\nsummary = "B"\naliases = "a"\n', "aliases must be a list"),
        ('name = "X"\n[[principles]]\nname = "A"\nsummary = "B"\ncolour = "red"\n', "unknown key 'colour'"),
        ('name = "X"\n[[principles]]\nname = "A"\nsummary = "B"\n[[principles]]\nname = "A"\nsummary = "C"\n', "used twice"),
    ],
)
def test_malformed_file_names_the_file_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "values.toml"
    path.write_text(content)
    with pytest.raises(CatalogError) as raised:
        load_catalog(str(path))
    assert str(path) in str(raised.value)
    assert problem in str(raised.value)


def test_missing_file_lists_the_builtin_sets(tmp_path):
    with pytest.raises(CatalogError, match="no such file.*amazon, amazon-16"):
        load_catalog(str(tmp_path / "nope.toml"))


@pytest.mark.parametrize(("emoji", "ok"), [(":ship:", True), (":+1::skin-tone-3:", True), ("🚢", True), ("ship", False), (":ship", False)])
def test_an_emoji_must_be_a_slack_code_or_an_emoji(tmp_path, emoji, ok):
    path = tmp_path / "values.toml"
    path.write_text(f'name = "Ours"\n[[principles]]\nname = "Alpha"\nsummary = "S."\nemoji = "{emoji}"\n', encoding="utf-8")
    if ok:
        assert load_catalog(path).principles[0].emoji == emoji
    else:
        with pytest.raises(CatalogError, match=r'must be a Slack emoji code with its colons, like emoji = ":ship:"'):
            load_catalog(path)
