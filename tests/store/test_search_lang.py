"""The search language parser (pure): words, phrases, exclusions, filters, #numbers, problems."""

from __future__ import annotations

from store import search
from store.search import SearchContext, filters_sql, fts_query, parse


def test_words_phrases_exclusions_and_numbers():
    q = parse('claim expiry "exact phrase" -flaky #123 -#7')
    assert q.words == ("claim", "expiry", "exact phrase")
    assert q.excluded == ("flaky",)
    assert q.numbers == (123,)
    assert ("number", "7", True) in q.filters
    assert q.highlights() == ("claim", "expiry", "exact phrase")


def test_filters_with_aliases_quotes_and_negation():
    q = parse('agent:codex priority:URGENT type:bug is:blocked -is:stale pri:"high" project:"my proj"')
    assert q.filters == (("agent", "codex", False), ("pri", "URGENT", False), ("type", "bug", False),
                         ("is", "blocked", False), ("is", "stale", True), ("pri", "high", False),
                         ("project", "my proj", False))
    assert q.words == () and not q.problems


def test_unknown_key_is_a_word_and_reported():
    q = parse("http://example.com foo:bar")
    assert q.words == ("http://example.com", "foo:bar")
    assert len(q.problems) == 2 and "foo: is not a filter" in q.problems[1]


def test_incomplete_filter_while_typing_is_ignored():
    assert parse("agent:").empty
    assert parse("-").empty


def test_bad_is_value_matches_nothing_and_says_why():
    where, params, problems = filters_sql(parse("is:sleepy"), SearchContext())
    assert where == ["1 = 0"] and problems and "unknown state" in problems[0]


def test_v6_filters_refused_on_v5_columns():
    ctx = SearchContext(columns=frozenset({"id", "number", "title"}))
    _, _, problems = filters_sql(parse("is:auto directive:d-001"), ctx)
    assert len(problems) == 2 and "auto_created" in problems[0]


def test_is_mine_without_runs_matches_nothing_and_globs():
    where, params, _ = filters_sql(parse("is:mine"), SearchContext())
    assert where == ["(0)"]
    where, params, _ = filters_sql(parse("is:mine"), SearchContext(my_runs=("run-4", "alice-*")))
    assert "claimed_by = ?" in where[0] and "claimed_by GLOB ?" in where[0] and params == ["run-4", "alice-*"]


def test_adding_a_filter_is_one_line(monkeypatch):
    monkeypatch.setitem(search.FILTERS, "model", search.Filter("m", lambda v, c: ("agent LIKE ?", [v + "%"])))
    q = parse("model:gpt")
    where, params, _ = filters_sql(q, SearchContext())
    assert where == ["(agent LIKE ?)"] and params == ["gpt%"]


def test_fts_query_never_passes_fts_syntax_through():
    assert fts_query(("claim", 'NEAR("a" b)', "foo-bar", "☃")) == '"claim"* AND "NEAR a b"* AND "foo bar"*'
    assert fts_query(("***",)) == ""
