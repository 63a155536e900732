"""compare: verdicts on hand-made claims (unique, agree, partial, differ)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest

from factcmp.annotate import annotate
from factcmp.compare import compare as compare_stage
from factcmp.compare.verdict import verdict_for
from factcmp.types import Article, Claim, DetailDiff, Finding, Link, Sentence


def compare(articles: Sequence[Article], sentences: Sequence[Sentence], claims: Sequence[Claim]) -> list[Finding]:
    """The compare stage on freshly annotated sentences, as the pipeline runs it."""
    return compare_stage(articles, sentences, claims, annotate(articles, sentences))


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
    links = tuple(Link(a=x, b=y, score=1.2) for x, y in itertools.pairwise(members))
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
    # dates keep the precision they are given in, and the words they came from
    assert f.differences == (
        DetailDiff(
            kind="date",
            values={"a": ("2000-07",), "b": ("2001",)},
            texts={"a": ("2000.gada jūlijā",), "b": ("2001",)},
        ),
    )


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
    assert [d.kind for d in f.differences] == ["date"]


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
    # no article date: "24 years ago" stays an amount of 24 years, with its unit word
    assert (d.kind, d.value, d.unit) == ("quantity", "24", "year")
    assert texts["b"][0][d.start : d.end] == d.text == "24 leti"


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


# --- details resolved across languages (dates against the article date, names, quotes) ----

DATED = [
    Article(id="a", path="a.txt", lang="lv", text="", date="2024-06"),
    Article(id="b", path="b.txt", lang="sl", text="", date="2024-06"),
    Article(id="c", path="c.txt", lang="is", text="", date="2024-06"),
]


def judge_dated(texts: dict[str, str], articles: list[Article] = DATED) -> Finding:
    ss = [Sentence(a.id, 0, texts[a.id], 0, len(texts[a.id])) for a in articles if a.id in texts]
    members = tuple(s.id for s in ss)
    links = tuple(Link(x, y, 1.0) for x, y in itertools.pairwise(members))
    (finding,) = compare(articles, ss, [Claim("c1", members, links)])
    return finding


def test_since_2000_and_24_years_ago_agree_on_2000() -> None:
    f = judge_dated({
        "a": "Šī ir Putina vizīte Ziemeļkorejā kopš 2000.gada.",
        "b": "Državo je obiskal pred 24 leti.",
        "c": "Þetta er heimsókn hans þangað í 24 ár.",
    })
    assert f.verdict == "agree", f.differences
    assert {d.value for ds in f.details.values() for d in ds if d.kind == "date"} == {"2000"}


def test_same_words_in_a_later_article_resolve_to_another_year() -> None:
    later = [DATED[0], Article(id="b", path="b.txt", lang="sl", text="", date="2025-06")]
    f = judge_dated({"a": "Tas notika pirms 24 gadiem.", "b": "To se je zgodilo pred 24 leti."}, later)
    assert f.verdict == "differ"
    assert f.differences[0].values == {"a": ("2000",), "b": ("2001",)}
    assert f.differences[0].texts == {"a": ("pirms 24 gadiem",), "b": ("pred 24 leti",)}


def test_first_visit_since_does_not_clash_with_second_visit() -> None:
    f = judge_dated({"a": "Šī ir Putina pirmā vizīte kopš 2000.gada.", "b": "Putin obiskuje drugič."})
    assert f.verdict == "partial"


def test_kim_jong_un_differs_from_kim_jong_il() -> None:
    f = judge_dated({"a": "Putins tikās ar Kimu Čenunu.", "b": "Putin se je srečal s Kim Jong-ilom."})
    assert f.verdict == "differ"
    (diff,) = f.differences
    assert (diff.kind, diff.unit) == ("name", "kim")
    assert diff.values == {"a": ("kim-jong-un",), "b": ("kim-jong-il",)}


def test_bare_family_name_does_not_differ() -> None:
    f = judge_dated({"a": "Putins tikās ar Kimu.", "b": "Putin se je srečal s Kim Jong-ilom."})
    assert f.verdict == "agree"


def test_names_only_one_side_gives_are_not_partial() -> None:
    f = judge_dated({"a": "Putins ieradās Phenjanā.", "b": "Putin je prispel."})
    assert f.verdict == "agree"


def test_quote_by_different_speakers_differs() -> None:
    f = judge_dated({
        "a": "“Mēs plānojam stiprināt mijiedarbību,” sacīja Putins.",
        "c": "„Við ætlum að styrkja samstarfið,” sagði Kim Jong-un.",
    })
    assert f.verdict == "differ"
    assert f.differences[0].kind == "quote"


def test_same_quote_same_speaker_agrees() -> None:
    f = judge_dated({
        "a": "“Mēs plānojam stiprināt mijiedarbību,” sacīja Putins.",
        "c": "„Við ætlum að styrkja samstarfið,” sagði Pútín.",
    })
    assert f.verdict == "agree"


def test_several_thousand_agrees_with_five_thousand_but_not_with_a_hundred() -> None:
    assert judge_dated({"b": "Poslala je več tisoč vojakov.", "a": "Nosūtīja 5000 karavīru."}).verdict == "agree"
    assert judge_dated({"b": "Poslala je več tisoč vojakov.", "a": "Nosūtīja 100 karavīru."}).verdict == "differ"


def test_amounts_in_other_units_do_not_clash() -> None:
    f = judge_dated({"a": "Tas ilga 24 stundas.", "b": "Bilo je 24 kilometrov."})
    assert f.verdict == "partial" and f.differences == ()


def test_start_of_a_state_is_not_held_against_an_event_date() -> None:
    f = judge_dated({
        "a": "Tās ir padziļinājušas attiecības, kopš Krievija 2022.gada februārī iebruka Ukrainā.",
        "c": "Norður-Kórea hefur verið beitt refsiaðgerðum frá árinu 2006.",
    })
    assert f.verdict == "partial"


def test_listed_values_differ_at_their_place() -> None:
    f = judge_dated({"a": "Atbalsta 38 procenti un 48 procenti.", "b": "Podpira 77 odstotkov in 48 odstotkov."})
    assert f.verdict == "differ"
    assert f.differences[0].unit == "percent"
    same = judge_dated({"a": "Atbalsta 38 procenti un 48 procenti.", "b": "Podpira 48 odstotkov in 38 odstotkov."})
    assert same.verdict == "agree"


# --- numbers compared as a whole, with or without a unit -----------------------------------


def test_unitless_number_that_does_not_line_up_differs() -> None:
    f = judge({
        "a": ["Zemestrīces upuru skaits ir sasniedzis 832, svētdien paziņoja aģentūra."],
        "b": ["Število smrtnih žrtev je naraslo na 708, je v nedeljo poročala agencija."],
        "c": ["Fjöldi látinna er kominn í 832, sagði stofnunin á sunnudag."],
    }, "a:0", "b:0", "c:0")
    assert f.verdict == "differ"
    (diff,) = f.differences
    assert diff.kind == "number"
    assert diff.values == {"a": ("832",), "b": ("708",), "c": ("832",)}
    assert diff.texts["b"] == ("708",)


def test_the_odd_number_of_a_list_differs_and_the_same_list_agrees() -> None:
    same = judge({"a": ["Trīs vīrieši (33, 34 un 39 gadus veci)."],
                  "b": ["Trije moški, stari 33, 34 in 39 let."]}, "a:0", "b:0")
    assert same.verdict == "agree"
    odd = judge({"a": ["Trīs vīrieši (33, 34 un 39 gadus veci)."],
                 "c": ["Þrír menn, 52, 34 og 39 ára."]}, "a:0", "c:0")
    assert odd.verdict == "differ"
    assert odd.differences[0].values == {"a": ("33",), "c": ("52",)}


def test_numbers_that_only_one_side_gives_or_two_odd_ones_do_not_differ() -> None:
    # one side adds a number: silence, not disagreement
    assert judge({"a": ["Tur bija 5 cilvēki un 12 suņi."], "b": ["Tam je bilo 12 psov."]},
                 "a:0", "b:0").verdict == "partial"
    # two numbers on each side that match nothing: no one detail stated differently
    assert judge({"a": ["Rezultāts bija 5 pret 3."], "b": ["Izid je bil 2 proti 1."]},
                 "a:0", "b:0").verdict == "partial"


def test_unit_conversions_and_rounding_do_not_differ() -> None:
    pairs = [
        ("Vulkāns atrodas 45 jūdzes (72 kilometrus) no galvaspilsētas.",
         "Vulkan leži 72 kilometrov od glavnega mesta."),
        ("Viesuļvētra ir 385 jūdžu attālumā.", "Orkan je 620 kilometrov stran."),
        ("Bija saulains, 80 grādi (~27 pēc Celsija).", "Bilo je sončnih 26 stopinj."),
        ("Pārraidi vēroja 20,4 miljoni.", "Prenos je gledalo 20 milijonov."),
        ("Zagļi nolaupa 26 750 dolārus.", "Tatovi so ukradli 23.585,88 evra."),
        ("Atskaņotājs maksā 10 tūkstošus eiro.", "Predvajalnik stane 10.000 evrov."),
    ]
    for lv, sl in pairs:
        f = judge({"a": [lv], "b": [sl]}, "a:0", "b:0")
        assert f.verdict != "differ", (lv, sl, f.differences)
    # but a measure that is no conversion of the other differs
    f = judge({"a": ["Viņš uzvarēja 200 metru skrējienā."], "c": ["Hann vann 245 metra hlaupið."]},
              "a:0", "c:0")
    assert f.verdict == "differ"


def test_clock_times_compare_as_times() -> None:
    assert judge({"a": ["Spēle sāksies plkst. 15.00 Londonā."],
                  "c": ["Leikurinn hefst klukkan 15:00 í London."]}, "a:0", "c:0").verdict == "agree"
    assert judge({"b": ["Do 13. ure ni bilo prijav."],
                  "c": ["Ekki hafði verið tilkynnt um neitt klukkan 1 eftir hádegi."]},
                 "b:0", "c:0").verdict != "differ"
    f = judge({"b": ["Zgodilo se je ob 19.30."], "c": ["Atvikið átti sér stað klukkan 16.30."]},
              "b:0", "c:0")
    assert f.verdict == "differ"
    assert f.differences[0].values == {"b": ("19:30",), "c": ("16:30",)}


def test_a_year_agrees_with_its_century_and_its_decade() -> None:
    assert judge({"b": ["Preizkusili so ga v začetku 21. stoletja."],
                  "c": ["Það var prófað snemma árs 2000."]}, "b:0", "c:0").verdict != "differ"
    assert judge({"a": ["Tas notika 1980. gadā."],
                  "c": ["Það gerðist á 9. áratugnum."]}, "a:0", "c:0").verdict != "differ"


def test_whole_numbers_are_not_roundings_of_each_other() -> None:
    # 20 million is a rounding of 20.4 million (above), but 820 002 is no rounding of 820 000
    f = judge({"a": ["Skarti vairāk nekā 820 000 cilvēki."], "b": ["Prizadetih je 820.002."]},
              "a:0", "b:0")
    assert f.verdict == "differ"
    assert judge({"a": ["Tas maksāja 10 000 000,50 eiro."], "b": ["Stalo je 10.000.000,50."]},
                 "a:0", "b:0").verdict != "differ"


# --- a name swapped for another ----------------------------------------------------------------

FOUR = [*ARTICLES, Article(id="d", path="d.txt", lang="lv", text="")]
GOLDSMITH = {
    "b": "Kot pravi Goldsmith, je bil Cromwell kralj.",
    "c": "Eins og Goldsmith segir, var Cromwell konungur.",
    "d": "Kā saka Goldsmits, Kromvels bija karalis.",
}


def judge_four(a: str, a_elsewhere: str) -> Finding:
    ss = [Sentence(x, 0, t, 0, len(t)) for x, t in {"a": a, **GOLDSMITH}.items()]
    ss.append(Sentence("a", 1, a_elsewhere, 0, len(a_elsewhere)))
    (finding,) = compare(FOUR, ss, [Claim("c1", ("a:0", "b:0", "c:0", "d:0"), ())])
    return finding


def test_a_name_the_others_agree_on_swapped_for_another_differs() -> None:
    f = judge_four("Kā vēsta Instagram, Kromvels bija karalis.", "To apstiprināja Goldsmita kungs.")
    assert f.verdict == "differ"
    (diff,) = f.differences
    assert diff.kind == "name" and diff.unit is None
    assert diff.texts == {"a": ("Instagram",), "b": ("Goldsmith",), "c": ("Goldsmith",),
                          "d": ("Goldsmits",)}


def test_names_spelled_per_language_or_left_untold_are_no_swap() -> None:
    # "Goldsmita" and "Kromvels" are the Latvian spellings of Goldsmith and Cromwell
    spelled = judge_four("Kā saka Goldsmita kungs, Kromvels bija karalis.", "Tā teica Goldsmita kungs.")
    assert spelled.verdict == "agree"
    # the article never writes "Goldsmith": its other word may be how it tells the same thing
    untold = judge_four("Kā vēsta Instagram, Kromvels bija karalis.", "To apstiprināja vēsturnieks.")
    assert untold.verdict == "agree"


# --- three answers: states / possibly / silent ------------------------------------------------

# Possible links carry whatever scale the aligner scores on (margins today, probabilities once
# the fitted scorer lands): compare must not read meaning into the number beyond "higher".
SCALES = pytest.mark.parametrize("scale", [1.0, 0.01, 40.0])


def with_possible(*possible: Link, members: tuple[str, ...] = ("a:0", "b:0")) -> Claim:
    links = tuple(Link(x, y, 1.2) for x, y in itertools.pairwise(members))
    return Claim(id="c1", members=members, links=links, possible=possible)


def answers(finding: Finding) -> dict[str, str]:
    out = {a: "states" for a in finding.articles}
    out.update({a: "possibly" for a in finding.possibly})
    out.update({a: "silent" for a in finding.silent})
    return out


@SCALES
def test_an_article_with_a_close_sentence_possibly_states_the_claim(scale: float) -> None:
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."], c=["Eitthvað annað.", "Árið 2000."])
    (f,) = compare(ARTICLES, ss, [with_possible(Link("b:0", "c:1", 0.4 * scale))])
    assert answers(f) == {"a": "states", "b": "states", "c": "possibly"}
    assert f.articles == ("a", "b") and f.possibly == ("c",) and f.silent == ()
    assert f.claim.possible == (Link("b:0", "c:1", 0.4 * scale),)
    assert f.verdict == "agree"


def test_without_a_close_sentence_the_article_is_silent() -> None:
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."], c=["Árið 2000."])
    (f,) = compare(ARTICLES, ss, [with_possible()])
    assert f.possibly == () and f.silent == ("c",)


def test_a_possible_sentence_never_makes_a_claim_differ() -> None:
    # c's sentence says 2001: had it been linked the claim would differ; possibly, it is shown
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."], c=["Árið 2001."])
    (f,) = compare(ARTICLES, ss, [with_possible(Link("a:0", "c:0", 0.3))])
    assert f.verdict == "agree" and f.differences == ()
    assert set(f.details) == {"a:0", "b:0"}  # details are the stating sentences' only


def test_a_possible_sentence_never_makes_a_claim_partial() -> None:
    # c states a year a and b do not: linked, the claim would be partial
    ss = sentences(a=["Kims sagaidīja Putinu."], b=["Kim je pričakal Putina."], c=["Árið 2000."])
    (f,) = compare(ARTICLES, ss, [with_possible(Link("b:0", "c:0", 0.3))])
    assert f.verdict == "agree"


def test_a_claim_of_one_article_with_a_possible_sentence_stays_unique() -> None:
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."])
    claim = with_possible(Link("a:0", "b:0", 0.3), members=("a:0",))
    (f,) = compare(ARTICLES, ss, [claim])
    assert f.verdict == "unique"
    assert answers(f) == {"a": "states", "b": "possibly", "c": "silent"}


@SCALES
def test_one_possible_sentence_per_article_the_best(scale: float) -> None:
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."], c=["Árið 2000.", "Árið 2000 aftur."])
    weaker, better = Link("a:0", "c:0", 0.2 * scale), Link("b:0", "c:1", 0.3 * scale)
    on_a_carrier = Link("a:0", "b:0", 0.5 * scale)  # b states the claim: not "possibly" too
    (f,) = compare(ARTICLES, ss, [with_possible(weaker, on_a_carrier, better)])
    assert f.possibly == ("c",)
    assert f.claim.possible == (better,)


def test_possible_articles_follow_article_order() -> None:
    ss = sentences(a=["Gadā 2000."], b=["Leta 2000."], c=["Árið 2000."])
    claim = with_possible(Link("a:0", "c:0", 0.3), Link("a:0", "b:0", 0.2), members=("a:0",))
    (f,) = compare(ARTICLES, ss, [claim])
    assert f.possibly == ("b", "c")
    assert [p.b for p in f.claim.possible] == ["b:0", "c:0"]


def test_three_answers_partition_the_articles() -> None:
    ss = sentences(a=["Gadā 2000.", "Cits."], b=["Leta 2000."], c=["Árið 2000."])
    claims = [
        with_possible(Link("b:0", "c:0", 0.3)),
        Claim("c2", ("a:1",), (), possible=(Link("a:1", "b:0", 0.1),)),
    ]
    for f in compare(ARTICLES, ss, claims):
        said = [*f.articles, *f.possibly, *f.silent]
        assert sorted(said) == ["a", "b", "c"], said
