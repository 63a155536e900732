"""compare: verdicts on hand-made claims (unique, agree, partial, differ)."""

from __future__ import annotations

from factcmp.compare import compare, verdict_for
from factcmp.types import Article, Claim, DetailDiff, Finding, Link, Sentence

ARTICLES = [
    Article(id="a", path="a.txt", lang="lv", text=""),
    Article(id="b", path="b.txt", lang="sl", text=""),
    Article(id="c", path="c.txt", lang="is", text=""),
]


def sentences(**texts: list[str]) -> list[Sentence]:
    """Sentences per article id, in article order: ``sentences(a=[...], b=[...])``."""
    out = []
    for article in ARTICLES:
        for n, text in enumerate(texts.get(article.id, [])):
            out.append(Sentence(article_id=article.id, index=n, text=text, start=0, end=len(text)))
    return out


def claim(*members: str) -> Claim:
    links = tuple(Link(a=x, b=y, score=1.2) for x, y in zip(members, members[1:]))
    return Claim(id="c1", members=tuple(members), links=links)


def judge(texts: dict[str, list[str]], *members: str) -> Finding:
    (finding,) = compare(ARTICLES, sentences(**texts), [claim(*members)])
    return finding


def test_one_article_is_unique() -> None:
    f = judge({"a": ["Putins ieradās 2024. gadā."], "b": ["Nekaj drugega."]}, "a:0")
    assert f.verdict == "unique"
    assert f.articles == ("a",)
    assert f.silent == ("b", "c")
    assert f.differences == ()


def test_two_sentences_of_one_article_are_still_unique() -> None:
    f = judge({"a": ["Leta 2000.", "Leta 2001."]}, "a:0", "a:1")
    assert f.verdict == "unique"
    assert f.articles == ("a",)


def test_same_details_agree() -> None:
    f = judge(
        {"a": ["Putins bija Phenjanā 2000.gada jūlijā."], "b": ["Putin je bil tam leta 2000."]},
        "a:0",
        "b:0",
    )
    assert f.verdict == "agree"
    assert f.articles == ("a", "b") and f.silent == ("c",)
    assert f.differences == ()


def test_no_details_agree() -> None:
    f = judge({"a": ["Kims sagaidīja Putinu."], "b": ["Kim je pričakal Putina."]}, "a:0", "b:0")
    assert f.verdict == "agree"


def test_different_year_differs() -> None:
    f = judge(
        {"a": ["Putins bija Phenjanā 2000.gada jūlijā."], "b": ["Putin je bil tam leta 2001."]},
        "a:0",
        "b:0",
    )
    assert f.verdict == "differ"
    assert f.differences == (DetailDiff(kind="year", values={"a": ("2000",), "b": ("2001",)}),)


def test_number_written_differently_agrees() -> None:
    f = judge({"a": ["Ieradās 10 000 karavīru."], "b": ["Prišlo je 10.000 vojakov."]}, "a:0", "b:0")
    assert f.verdict == "agree"


def test_detail_stated_by_one_side_is_partial() -> None:
    f = judge(
        {"a": ["Šī ir Putina pirmā vizīte kopš 2000.gada."], "b": ["To je Putinov drugi obisk."]},
        "a:0",
        "b:0",
    )
    assert f.verdict == "partial"
    assert f.differences == ()


def test_extra_number_on_one_side_is_partial() -> None:
    f = judge(
        {"a": ["Pirms 24 gadiem, 2000.gadā."], "b": ["Leta 2000."]},
        "a:0",
        "b:0",
    )
    assert f.verdict == "partial"


def test_overlapping_values_are_partial_not_differ() -> None:
    f = judge({"a": ["Leta 2000 in 2001."], "b": ["Gadā 2001."]}, "a:0", "b:0")
    assert f.verdict == "partial"


def test_differ_wins_over_partial() -> None:
    f = judge(
        {"a": ["Pirms 24 gadiem, 2000.gadā."], "b": ["Leta 2001."]},
        "a:0",
        "b:0",
    )
    assert f.verdict == "differ"
    assert [d.kind for d in f.differences] == ["year"]


def test_three_articles_one_dissents() -> None:
    f = judge(
        {"a": ["Gadā 2000."], "b": ["Leta 2000."], "c": ["Árið 2001."]},
        "a:0",
        "b:0",
        "c:0",
    )
    assert f.verdict == "differ"
    assert f.silent == ()
    (diff,) = f.differences
    assert diff.values == {"a": ("2000",), "b": ("2000",), "c": ("2001",)}


def test_three_articles_one_silent_on_detail() -> None:
    f = judge({"a": ["Gadā 2000."], "b": ["Leta 2000."], "c": ["Einu sinni."]}, "a:0", "b:0", "c:0")
    assert f.verdict == "partial"


def test_years_and_numbers_compared_apart() -> None:
    # 2000 as a year and 24 as a number never clash with each other
    f = judge({"a": ["Gadā 2000, 24 gadi."], "b": ["Leta 2000, pred 24 leti."]}, "a:0", "b:0")
    assert f.verdict == "agree"


def test_details_kept_per_member_with_offsets() -> None:
    texts = {"a": ["Pirms 24 gadiem."], "b": ["Pred 24 leti."]}
    f = judge(texts, "a:0", "b:0")
    assert set(f.details) == {"a:0", "b:0"}
    (d,) = f.details["b:0"]
    assert texts["b"][0][d.start : d.end] == "24"


def test_findings_follow_claims_and_article_order() -> None:
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."], c=["Árið 2001."])
    claims = [
        Claim(id="c1", members=("c:0",), links=()),
        Claim(id="c2", members=("a:0", "b:0"), links=(Link("a:0", "b:0", 1.3),)),
    ]
    findings = compare(ARTICLES, ss, claims)
    assert [f.claim.id for f in findings] == ["c1", "c2"]
    assert findings[0].verdict == "unique" and findings[0].silent == ("a", "b")
    assert findings[1].verdict == "agree" and findings[1].silent == ("c",)
    assert findings[1].claim is claims[1]


def test_verdict_for_directly() -> None:
    assert verdict_for(["a"], {}) == ("unique", ())
    assert verdict_for(["a", "b"], {}) == ("agree", ())
    assert verdict_for(["a", "b"], {"year": {"a": {"2000"}, "b": {"2000"}}})[0] == "agree"
    assert verdict_for(["a", "b"], {"year": {"a": {"2000"}}})[0] == "partial"
    verdict, diffs = verdict_for(["a", "b"], {"number": {"a": {"24"}, "b": {"23"}}})
    assert verdict == "differ"
    assert diffs == (DetailDiff(kind="number", values={"a": ("24",), "b": ("23",)}),)
