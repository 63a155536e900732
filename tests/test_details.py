"""details: every detail of a sentence (extract_all), numbers in digits in particular."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcmp.annotate.details import extract_all


def found(text: str, lang: str) -> list[tuple[str, str, str | None]]:
    return [(d.kind, d.value, d.unit) for d in extract_all(text, lang) if d.kind != "name"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Latvian ordinal years: the dot is part of the date, not a decimal point
        ("Krievija 2022.gada februārī sāka karu.", "lv", [("date", "2022-02", None)]),
        ("2019.gadā", "lv", [("date", "2019", None)]),
        ("árið 2021", "is", [("date", "2021", None)]),
        ("leta 2000, 2001 in 2002", "sl", [("date", "2000", None), ("date", "2001", None),
                                           ("date", "2002", None)]),
        ("v letih 2000–2001", "sl", [("date", "2000", None), ("date", "2001", None)]),
        # a full date keeps day and month
        ("dne 19.06.2024 v Pjongjangu", "sl", [("date", "2024-06-19", None)]),
        # amounts, with a unit or without
        ("pred 24 leti", "sl", [("quantity", "24", "year")]),
        ("1, 2 in 3", "sl", [("quantity", "1", None), ("quantity", "2", None),
                             ("quantity", "3", None)]),
        ("40% vprašanih", "sl", [("quantity", "40", "percent")]),
        # thousands separators and decimals
        ("10 000 vojakov", "sl", [("quantity", "10000", "soldier")]),
        ("12\u00a0000 karavīru", "lv", [("quantity", "12000", "soldier")]),
        ("1.500 ljudi", "sl", [("quantity", "1500", "person")]),
        ("3,5 milijona", "sl", [("quantity", "3500000", None)]),
        ("1.234,5 eiro", "lv", [("quantity", "1234.5", "euro")]),
        ("10 000 000,50 eiro", "lv", [("quantity", "10000000.5", "euro")]),
        # numbers glued to a suffix are numbers
        ("19-letna igralka", "sl", [("quantity", "19", "year")]),
        ("2,7-odstotna rast", "sl", [("quantity", "2.7", "percent")]),
        ("hækkaði um 832-falt", "is", [("quantity", "832", None)]),
        # "sto" (a hundred) is a whole word: "7,5 stopnje" is 7.5 (degrees), not 750
        ("potres z močjo 7,5 stopnje", "sl", [("quantity", "7.5", None)]),
        # clock times are times, written with a dot or a colon
        ("ob 6.00 zjutraj", "sl", [("quantity", "6:00", "time")]),
        ("klukkan 15:00", "is", [("quantity", "15:00", "time")]),
        # model codes, not numbers
        ("iznīcinātāji “Su-35” un “Su-57”.", "lv", []),
        ("beljakovina HER2", "sl", []),
    ],
)
def test_found(text: str, lang: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert found(text, lang) == expected


def test_offsets_and_raw_text() -> None:
    text = "Pred 24 leti, 2000.gada, ob 10 000 vojakih in Su-35."
    details = [d for d in extract_all(text, "sl") if d.kind != "name"]
    assert [d.text for d in details] == ["24 leti", "2000.gada", "10 000 vojakih"]
    for d in details:
        assert text[d.start : d.end] == d.text


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.sampled_from(
            ["2000", ".gada", " ", "24", ",", ".", "-", "Su", "10 000", "x", "\u00a0", "–",
             "3,5", "1.500", "19.06.2024", "ár", "(", ")", "%", "-letna", "15:00"]
        ),
        max_size=30,
    ).map("".join)
)
def test_digit_details_property(text: str) -> None:
    for lang in ("lv", "sl", "is"):
        for d in extract_all(text, lang):
            assert text[d.start : d.end] == d.text
            if d.kind in ("quantity", "ordinal") and d.unit != "time" and "-" not in d.value:
                float(d.value)  # a canonical number: digits, at most one decimal point
