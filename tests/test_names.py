"""names: people, places and organisations matched across languages and scripts."""

from __future__ import annotations

import pytest

from factcmp.annotate.names import find_names, name_similarity, names_compatible, resolve, stem


def entities(text: str, lang: str) -> list[tuple[str, str]]:
    return [(text[n.start : n.end], n.entity) for n in find_names(text, lang)]


@pytest.mark.parametrize(
    ("a", "lang_a", "b", "lang_b"),
    [
        ("Phenjanā", "lv", "Pyongyang", "is"),
        ("Pjongjangu", "sl", "Phenjanas", "lv"),
        ("Kims Čenuns", "lv", "Kim Jong-un", "sl"),
        ("Kimu Čenunu", "lv", "Kims Jong-un", "is"),
        ("Kimu Čeniru", "lv", "Kim Jong-ilom", "sl"),
        ("ANO", "lv", "ZN", "sl"),
        ("Sameinuðu þjóðanna", "is", "Združeni narodi", "sl"),
        ("ASV", "lv", "Bandaríkin", "is"),
        ("ZDA", "sl", "ASV", "lv"),
        ("Ziemeļkorejas", "lv", "Norður-Kóreu", "is"),
        ("Severni Koreji", "sl", "Ziemeļkoreju", "lv"),
        ("Putinam", "lv", "Pútín", "is"),
        ("Krievijas", "lv", "Rusija", "sl"),
    ],
)
def test_same_entity(a: str, lang_a: str, b: str, lang_b: str) -> None:
    entity = resolve(a.split(), lang_a)
    assert entity is not None and entity == resolve(b.split(), lang_b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim Jong-un", "Kim Jong-il"),
        ("Kims Čenuns", "Kimu Čeniru"),
        ("Kim Jong-una", "Kim Jong-ilom"),
        ("Ziemeļkoreja", "Dienvidkoreja"),
        ("Severna Koreja", "Južna Koreja"),
        ("Putin", "Peskov"),
    ],
)
def test_different_entities(a: str, b: str) -> None:
    ea, eb = resolve(a.split()), resolve(b.split())
    assert ea is not None and eb is not None and ea != eb


def test_kim_jong_un_is_not_kim_jong_il_in_context() -> None:
    sl = entities("ko se je srečal s takratnim voditeljem Kim Jong-ilom, očetom Kim Jong-una.", "sl")
    lv = entities("2000.gada jūlijā Putins vizītē Phenjanā tikās ar Kima tēvu Kimu Čeniru.", "lv")
    assert sl == [("Kim Jong-ilom", "kim-jong-il"), ("Kim Jong-una", "kim-jong-un")]
    assert lv == [("Putins", "putin"), ("Phenjanā", "pyongyang"), ("Kima", "kim"),
                  ("Kimu Čeniru", "kim-jong-il")]


def test_unknown_names_keep_their_stem_and_sentence_starts_are_not_names() -> None:
    found = entities("Pēc tikšanās Lukašenko un Peskovs devās uz Sočiem.", "lv")
    assert ("Pēc", "pec") not in found
    assert ("Lukašenko", "lukashenko") in found and ("Peskovs", "peskov") in found
    assert any(entity == "soc" for _, entity in found)


def test_model_codes_are_not_names() -> None:
    assert entities("ražoti iznīcinātāji “Su-35” un “Su-57”.", "lv") == []


def test_possessive_adjective_of_a_known_person() -> None:
    assert entities("je bila Kimova ideja", "sl") == [("Kimova", "kim")]


def test_stem() -> None:
    assert stem("Phenjanā", "lv") == "phenjan"
    assert stem("Pjongjangom", "sl") == "pjongjang"
    assert stem("Jong-ilom", "sl") == "jong-il"


def test_resolve_unknown() -> None:
    assert resolve(["Blablabla"], "lv") is None


def test_family_compatibility() -> None:
    assert names_compatible("kim", "kim-jong-il")
    assert names_compatible("kim-jong-un", "kim")
    assert not names_compatible("kim-jong-un", "kim-jong-il")
    assert names_compatible("putin", "putin")


@pytest.mark.parametrize(
    ("a", "lang_a", "b", "lang_b"),
    [
        ("Kromvelu", "lv", "Cromwell", "sl"),  # transliterated, with a case ending
        ("Willoughbyjeva", "sl", "Willoughby", "is"),
        ("Džonss", "lv", "Jones", "sl"),
        ("Goldsmita", "lv", "Goldsmith", "sl"),
        ("HIV-veirunni", "is", "HIV", "lv"),  # an Icelandic compound
        ("Kims Čenuns", "lv", "Kim Jong-un", "sl"),
    ],
)
def test_names_spelled_per_language_are_alike(a: str, lang_a: str, b: str, lang_b: str) -> None:
    assert name_similarity(a, b, lang_a, lang_b) >= 80


@pytest.mark.parametrize(
    ("a", "lang_a", "b", "lang_b"),
    [
        ("Kromvelu", "lv", "Instagram", "sl"),
        ("Goldsmith", "sl", "Liverpool", "is"),
        ("Kimu Čeniru", "lv", "Kim Jong-un", "sl"),  # two known people of one family
    ],
)
def test_other_names_are_not_alike(a: str, lang_a: str, b: str, lang_b: str) -> None:
    assert name_similarity(a, b, lang_a, lang_b) < 50
