"""quantities: amounts and ordinals in digits and words, with their units."""

from __future__ import annotations

import pytest

from factcmp.annotate.quantities import amounts_compatible, find_quantities, word_number


def found(text: str, lang: str) -> list[tuple[str, str, str | None]]:
    return [(q.kind, q.value, q.unit) for q in find_quantities(text, lang)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("v Rusijo poslala več tisoč vojakov", "sl", [("quantity", "2000-9999", "soldier")]),
        ("opravil še dvodnevni obisk v Vietnamu", "sl", [("quantity", "2", "day")]),
        ("Pogovori so trajali dve uri in pol", "sl", [("quantity", "2.5", "hour")]),
        ("okoli 100 kilometrov od meje", "sl", [("quantity", "100", "km")]),
        ("Ieradās 10 000 karavīru.", "lv", [("quantity", "10000", "soldier")]),
        ("jau vairākus gadu desmitus", "lv", [("quantity", "2-9", "decade")]),
        ("hafa varað í áratugi", "is", [("quantity", "2-9", "decade")]),
        ("Piecdesmit astoņi procenti", "lv", [("quantity", "58", "percent")]),
        ("fimmtíu og átta prósent", "is", [("quantity", "58", "percent")]),
        ("oseminpetdeset odstotkov", "sl", [("quantity", "58", "percent")]),
        ("štiriindvajsetih let", "sl", [("quantity", "24", "year")]),
        ("Sex milljónir manna", "is", [("quantity", "6000000", "person")]),
        ("tveggja daga heimsókn", "is", [("quantity", "2", "day")]),
        # ordinals keep what they count
        ("šogad ir jau septītā Putina un Lukašenko tikšanās", "lv", [("ordinal", "7", "meeting")]),
        ("Putin Severno Korejo obiskuje drugič.", "sl", [("ordinal", "2", "visit")]),
        ("Tā būtu Putina otrā vizīte.", "lv", [("ordinal", "2", "visit")]),
        ("fyrsta heimsókn hans", "is", [("ordinal", "1", "visit")]),
        ("ob 80. obletnici kapitulacije", "sl", [("ordinal", "80", "anniversary")]),
        # "drugi" also means "other": only an ordinal right before what it counts
        ("To je Putinov drugi obisk.", "sl", [("ordinal", "2", "visit")]),
        ("z drugimi voditelji držav", "sl", []),
        # not amounts
        ("iznīcinātāji “Su-35” un “Su-57”", "lv", []),
        ("Hann átti bíl.", "is", []),  # "átti" (had) is not "átta" (eight)
        # clock times are times, not amounts of 15
        ("plkst. 15.00 sākās", "lv", [("quantity", "15:00", "time")]),
        ("Incidentas įvyko apie 19:30", "lt", [("quantity", "19:30", "time")]),
        # numbers glued to a suffix ("37-aastane", "832-ni"), not model codes ("Su-35")
        ("37-aastane mees", "et", [("quantity", "37", None)]),
        ("20 stopinj razlike", "sl", [("quantity", "20", None)]),
        ("trīspusēju sadarbību", "lv", []),  # trilateral, not three
    ],
)
def test_found(text: str, lang: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert found(text, lang) == expected


def test_units_keep_24_years_apart_from_24_km() -> None:
    (years,) = find_quantities("pirms 24 gadiem", "lv")
    (km,) = find_quantities("24 km", "lv")
    assert (years.value, years.unit) == ("24", "year")
    assert (km.value, km.unit) == ("24", "km")


def test_skip_spans_are_left_alone() -> None:
    text = "pred 24 leti in 3 ure"
    assert [q.value for q in find_quantities(text, "sl", [(0, 12)])] == ["3"]


@pytest.mark.parametrize(
    ("word", "lang", "value"),
    [("divdesmit", "lv", 20), ("divām", "lv", 2), ("štiriindvajset", "sl", 24), ("dveh", "sl", 2),
     ("tuttugu", "is", 20), ("tveimur", "is", 2), ("hiša", "sl", None), ("Putin", "lv", None)],
)
def test_word_number(word: str, lang: str, value: float | None) -> None:
    assert word_number(word, lang) == value


@pytest.mark.parametrize(
    ("a", "b", "unit", "ok"),
    [
        ("24", "24", None, True),
        ("24", "23", None, False),
        ("2000-9999", "5000", None, True),
        ("2000-9999", "100", None, False),
        ("2.5", "2.5", None, True),
        ("620", "600", "km", True),  # converted from miles and rounded
        ("380", "300", "km", False),
        ("620", "600", "soldier", False),
    ],
)
def test_amounts_compatible(a: str, b: str, unit: str | None, ok: bool) -> None:
    assert amounts_compatible(a, b, unit) is ok
    assert amounts_compatible(b, a, unit) is ok


def test_offsets_cover_the_words() -> None:
    text = "Ob tem je v Rusijo poslala več tisoč vojakov in dve uri in pol čakala."
    for q in find_quantities(text, "sl"):
        assert text[q.start : q.end] in ("več tisoč vojakov", "dve uri in pol")


@pytest.mark.parametrize(
    "number", ["9" * 400, "1" * 400 + ".5", "1" + " 000" * 200, "7" * 400 + "-letni", "8" * 400 + "ni"]
)
@pytest.mark.parametrize("lang", ["lv", "sl", "is", "en"])
def test_a_400_digit_number_is_no_amount(number: str, lang: str) -> None:
    # float("9" * 400) is infinity and int(infinity) raised OverflowError, which aborted the
    # whole run with no file named. A run of more than MAX_DIGITS digits is an identifier.
    assert [q for q in find_quantities(f"Tas ir {number} tūkstoši eiro.", lang)
            if q.kind == "quantity"] == []


def test_fifteen_digits_are_still_an_amount() -> None:
    assert found("Parāds ir 123456789012345 eiro.", "lv") == [
        ("quantity", "123456789012345", "euro")
    ]
