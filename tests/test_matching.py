import pytest

from principles import load_catalog, match_principle, search_principles


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("7", "Insist on the Highest Standards"),
        ("dive-deep", "Dive Deep"),
        ("Dive Deep", "Dive Deep"),
        ("DIVE DEEP", "Dive Deep"),
        ("#ownership", "Ownership"),
        ("frugal", "Frugality"),
        ("disagree and commit", "Have Backbone; Disagree and Commit"),
        ("custmer obsesion", "Customer Obsession"),
        ("invnt and simplfy", "Invent and Simplify"),
        ("are right a lot", "Are Right, A Lot"),
        ("curious", "Learn and Be Curious"),
        ("  bias for action  ", "Bias for Action"),
        ("14", "Deliver Results"),
    ],
)
def test_resolves_to_one_principle(catalog, query, expected):
    match = match_principle(catalog, query)
    assert match.principle is not None and match.principle.name == expected


@pytest.mark.parametrize("query", ["de", "d", "xyzzy", "0", "15", "99999999", "<!channel>"])
def test_unknown_or_ambiguous_offers_three_suggestions(catalog, query):
    match = match_principle(catalog, query)
    assert match.principle is None
    assert len(match.suggestions) == 3
    assert len(set(match.suggestions)) == 3


def test_ambiguous_prefix_suggests_the_candidates(catalog):
    names = {p.name for p in match_principle(catalog, "de").suggestions}
    assert names == {"Dive Deep", "Deliver Results", "Hire and Develop the Best"}


def test_empty_query_matches_nothing(catalog):
    assert match_principle(catalog, "  #  ").principle is None


def test_search_ranks_by_names_and_texts(catalog):
    assert search_principles(catalog, "customers")[0].name == "Customer Obsession"
    assert search_principles(catalog, "root cause logs")[0].name == "Dive Deep"
    assert search_principles(catalog, "hiring")[0].name == "Hire and Develop the Best"
    assert search_principles(catalog, "qwertyuiop") == []
    assert search_principles(catalog, "the and of") == []
