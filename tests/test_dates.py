"""dates: absolute and relative dates in lv/sl/is, resolved against the article date."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcmp.annotate.dates import dates_compatible, find_dates, in_since_clause, parse_article_date


def values(text: str, lang: str, date: str | None) -> list[str]:
    return [d.value for d in find_dates(text, lang, date)]


@pytest.mark.parametrize(
    ("text", "lang", "date", "expected"),
    [
        # relative to the article date
        ("Pagājušā gada septembrī abi tikās.", "lv", "2024-06", ["2023-09"]),
        ("Državo je prvič obiskal pred 24 leti.", "sl", "2024-06", ["2000"]),
        ("fyrsta heimsókn hans þangað í 24 ár.", "is", "2024-06", ["2000"]),
        ("Það gerðist fyrir 10 árum.", "is", "2024-06", ["2014"]),
        ("od podpisa sporazuma junija lani", "sl", "2025-09", ["2024-06"]),
        ("Rusija je tudi marca vložila veto.", "sl", "2024-06", ["2024-03"]),
        ("v skladu z lani podpisanim sporazumom", "sl", "2025-09", ["2024"]),
        ("sarunas šogad ir jau septītā", "lv", "2023-09", ["2023"]),
        ("Putin sta danes podpisala sporazum.", "sl", "2024-06-19", ["2024-06-19"]),
        # a month after the article's month is last year's
        ("decembra je bil v Pekingu", "sl", "2024-06", ["2023-12"]),
        # absolute
        ("kopš Krievija 2022.gada februārī iebruka", "lv", "2024-06", ["2022-02"]),
        ("2000.gada jūlijā Putins vizītē Phenjanā", "lv", "2023-09", ["2000-07"]),
        ("Rusijo obiskal septembra 2023, ko", "sl", "2025-09", ["2023-09"]),
        ("1918. gada 4. oktobrī", "lv", None, ["1918-10-04"]),
        ("4. október 1918", "is", None, ["1918-10-04"]),
        ("dne 19.06.2024 v Pjongjangu", "sl", None, ["2024-06-19"]),
        ("Rússar réðust inn í Úkraínu árið 2022, sem", "is", "2024-06", ["2022"]),
        ("í júní 2024", "is", None, ["2024-06"]),
        # no year anywhere: ISO 8601's --MM-DD, and "12." is a day, not an ordinal
        ("12. jūnijā", "lv", None, ["--06-12"]),
    ],
)
def test_resolved(text: str, lang: str, date: str | None, expected: list[str]) -> None:
    assert values(text, lang, date) == expected


def test_first_visit_since_2000_agrees_across_languages() -> None:
    """lv "since 2000", sl "24 years ago" and is "in 24 years", all June 2024: 2000."""
    lv = find_dates("Šī ir Putina pirmā vizīte Ziemeļkorejā kopš 2000.gada.", "lv", "2024-06")
    sl = find_dates("Državo je prvič obiskal pred 24 leti.", "sl", "2024-06")
    is_ = find_dates("er þetta fyrsta heimsókn hans þangað í 24 ár.", "is", "2024-06")
    assert [d.value for d in lv + sl + is_] == ["2000", "2000", "2000"]
    assert [d.how for d in lv + sl + is_] == ["since", "ago", "since"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("iznīcinātāji “Su-35” un “Su-57”", "lv"),
        ("ob 80. obletnici kapitulacije", "sl"),
        ("F-16 and MiG-29", "en"),
        ("poslala je 2000 vojakov", "sl"),  # a count, not a year
        ("Ne maj tega!", "sl"),  # "maj" (May) also means "may": needs a number or "v"
    ],
)
def test_not_dates(text: str, lang: str) -> None:
    assert find_dates(text, lang, "2024-06") == []


def test_relative_dates_need_the_article_date() -> None:
    assert find_dates("pred 24 leti, lani, danes, v sredo", "sl", None) == []


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2024-06-20", "2024-06-19"), ("2024-06-19", "2024-06-19"), ("2024-06", "2024-06/wed"),
     ("2024", "2024/wed")],
)
def test_weekday(date: str, expected: str) -> None:
    """The latest such weekday on or before a full article date; else the month and weekday."""
    (d,) = find_dates("Putins trešdien paziņoja", "lv", date)
    assert (d.value, d.how) == (expected, "weekday")


def test_weekdays_in_each_language() -> None:
    for text, lang in (("piektdien", "lv"), ("v petek", "sl"), ("á föstudaginn", "is")):
        assert values(text, lang, "2023-09") == ["2023-09/fri"], (text, lang)


def test_offsets_cover_the_words() -> None:
    text = "Pagājušā gada septembrī Kims un Putins tikās, kopš 2000.gada."
    for d in find_dates(text, "lv", "2024-06"):
        assert text[d.start : d.end] in ("Pagājušā gada septembrī", "kopš 2000.gada")


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("2000", "2000-07", True),
        ("2000", "2001", False),
        ("2000-07", "2000-08", False),
        ("2024-06/wed", "2024-06-19", True),  # 19 June 2024 was a Wednesday
        ("2024-06/wed", "2024-06-20", False),
        ("2024-06/wed", "2024-06/fri", False),
        ("2024-06/wed", "2024", True),
        ("--06-12", "2019-06-12", True),
        ("--06-12", "2019-06-13", False),
    ],
)
def test_compatible(a: str, b: str, ok: bool) -> None:
    assert dates_compatible(a, b) is ok
    assert dates_compatible(b, a) is ok


def test_parse_article_date() -> None:
    assert parse_article_date("2024-06") == (2024, 6, None)
    assert parse_article_date("2024-06-19") == (2024, 6, 19)
    assert parse_article_date(None) == (None, None, None)
    assert parse_article_date("June") == (None, None, None)


def test_a_date_may_close_a_clause_that_a_since_word_opens() -> None:
    lv = "Tās ir padziļinājušas attiecības, kopš Krievija 2022.gada februārī atkārtoti iebruka."
    (date,) = find_dates(lv, "lv", "2024-06")
    assert (date.value, date.how) == ("2022-02", "absolute")  # the invasion's date
    assert in_since_clause(lv, date.start)
    en = "Ties have deepened since Russia invaded in February 2022."
    assert in_since_clause(en, find_dates(en, "en", "2024-06")[0].start)
    # "od" is also "from"; and a date far from the since-word closes no clause of it.
    sl = "Vojska je od Moskve leta 2022 prejela orožje."
    assert not in_since_clause(sl, find_dates(sl, "sl", "2024-06")[0].start)
    far = "Since then the two leaders who met at the summit talked in March 2023."
    assert not in_since_clause(far, find_dates(far, "en", "2024-06")[0].start)


@pytest.mark.parametrize("date", ["2024-02-30", "2024-13", "0000-01", "2023-02-29"])
def test_article_date_off_the_calendar_is_unreadable(date: str) -> None:
    # A library caller can build an Article with any date; a weekday resolved against
    # 2024-02-30 raised "ValueError: day is out of range for month".
    assert parse_article_date(date) == (None, None, None)
    assert values("Putins ieradās otrdien.", "lv", date) == []


def test_no_such_day_is_not_held_against_a_weekday() -> None:
    assert dates_compatible("2024-02-31", "2024-02/wed")
    assert dates_compatible("2024-02/wed", "2024-02-31")


_WEEKDAY_TEXTS = st.sampled_from([
    "Putins ieradās otrdien.", "Putin je prispel v sredo.", "Pútín kom á miðvikudag.",
    "He arrived on Friday, in June, last year.", "pagājušā gada septembrī, svētdien",
])


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(
    year=st.integers(0, 9999), month=st.integers(0, 99), day=st.none() | st.integers(0, 99),
    text=_WEEKDAY_TEXTS, lang=st.sampled_from(["lv", "sl", "is", "en"]),
)
def test_any_article_date_resolves_or_is_ignored(
    year: int, month: int, day: int | None, text: str, lang: str
) -> None:
    date = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
    for found in find_dates(text, lang, date):  # never "day is out of range for month"
        for other in ("2024-02-31", "2024-06/wed", found.value):
            dates_compatible(found.value, other)
