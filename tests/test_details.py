"""details: years and numbers written in digits, with offsets into the sentence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcmp.details import extract_details


def found(text: str) -> list[tuple[str, str]]:
    return [(d.kind, d.value) for d in extract_details(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Latvian ordinal years: the dot is part of the date, not a decimal point
        ("Šī ir Putina pirmā vizīte Ziemeļkorejā kopš 2000.gada.", [("year", "2000")]),
        ("Krievija 2022.gada februārī sāka karu.", [("year", "2022")]),
        ("2000. gada jūlijā", [("year", "2000")]),
        ("árið 2021", [("year", "2021")]),
        ("septembra 2023, okoli 100 kilometrov", [("year", "2023"), ("number", "100")]),
        ("(2000)", [("year", "2000")]),
        ("leta 2000, 2001 in 2002", [("year", "2000"), ("year", "2001"), ("year", "2002")]),
        ("v letih 2000–2001", [("year", "2000"), ("year", "2001")]),
        ("2000-2001", [("year", "2000"), ("year", "2001")]),
        # numbers
        ("pred 24 leti", [("number", "24")]),
        ("þangað í 24 ár.", [("number", "24")]),
        ("ob 80. obletnici", [("number", "80")]),
        ("1, 2 in 3", [("number", "1"), ("number", "2"), ("number", "3")]),
        ("40% vprašanih", [("number", "40")]),
        # years only within range
        ("1899 in 2101 and 1900 and 2100", [("number", "1899"), ("number", "2101"),
                                           ("year", "1900"), ("year", "2100")]),
        # thousands separators and decimals
        ("10 000 vojakov", [("number", "10000")]),
        ("12\u00a0000 vojakov", [("number", "12000")]),
        ("10,000 troops", [("number", "10000")]),
        ("1.500 ljudi", [("number", "1500")]),
        ("3,000,000 people", [("number", "3000000")]),
        ("3,5 milijona", [("number", "3.5")]),
        ("2.5 million", [("number", "2.5")]),
        # a thousands-separated year is a number: nobody writes years that way
        ("2 000 vojakov", [("number", "2000")]),
        # model codes, not numbers
        ("iznīcinātāji “Su-35” un “Su-57”.", []),
        ("F-16 and G7 and MiG-29", []),
        ("Kim Jong-un", []),
        # a full date gives its year, not "19.06"
        ("dne 19.06.2024 v Pjongjangu", [("year", "2024")]),
        ("19. 6. 2024", [("year", "2024")]),
        ("no digits here", []),
    ],
)
def test_details(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_offsets_and_raw_text() -> None:
    text = "Pred 24 leti, 2000.gada, ob 10 000 vojakih in Su-35."
    details = extract_details(text)
    assert [d.text for d in details] == ["24", "2000", "10 000"]
    for d in details:
        assert text[d.start : d.end] == d.text


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.sampled_from(
            ["2000", ".gada", " ", "24", ",", ".", "-", "Su", "10 000", "x", "\u00a0", "–",
             "3,5", "1.500", "19.06.2024", "ár", "(", ")", "%"]
        ),
        max_size=30,
    ).map("".join)
)
def test_details_property(text: str) -> None:
    last = 0
    for d in extract_details(text):
        assert text[d.start : d.end] == d.text
        assert d.start >= last
        last = d.end
        assert d.kind in ("year", "number")
        float(d.value)  # a canonical number: digits, at most one decimal point
        if d.kind == "year":
            assert len(d.value) == 4 and 1900 <= int(d.value) <= 2100
