"""quotes: quoted words and who they are attributed to."""

from __future__ import annotations

import pytest

from factcmp.annotate.details import extract_all, with_context_speakers
from factcmp.annotate.names import find_names
from factcmp.annotate.quotes import find_quotes


def quotes(text: str, lang: str) -> list[tuple[str, str | None]]:
    return [(text[q.start : q.end], q.speaker) for q in find_quotes(text, find_names(text, lang))]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("“Situācija pasaulē saasinās,” sacīja Kims.", "lv", [("Situācija pasaulē saasinās,", "kim")]),
        ("“Mēs ļoti augstu vērtējam jūsu atbalstu,” tikšanās sākumā ar līderi Kimu Čenunu pavēstīja Putins.",
         "lv", [("Mēs ļoti augstu vērtējam jūsu atbalstu,", "putin")]),
        ("\"Danes podpisan sporazum vključuje pomoč,\" je med obiskom v Pjongjangu pojasnil Putin.",
         "sl", [("Danes podpisan sporazum vključuje pomoč,", "putin")]),
        ("„Við kunnum mjög svo að meta,” skrifaði Pútín í grein.", "is", [("Við kunnum mjög svo að meta,", "putin")]),
        ("Putins paziņoja, ka “jaunais dokuments veidos pamatu”.", "lv", [("jaunais dokuments veidos pamatu", "putin")]),
        ("Putin je na srečanju s Kimom pohvalil \"zaupanje in prijateljstvo\" med državama.", "sl",
         [("zaupanje in prijateljstvo", "putin")]),
        ("»Rusija in Severna Koreja skupaj v boju«", "sl", [("Rusija in Severna Koreja skupaj v boju", None)]),
        # a pronoun gives no speaker
        ("“Krieviju un Ziemeļkoreju saista draudzība,” viņš piebilda.", "lv",
         [("Krieviju un Ziemeļkoreju saista draudzība,", None)]),
        # a quoted name is not a quote
        ("kosmodromā “Vostočnij” Krievijā", "lv", []),
    ],
)
def test_quotes(text: str, lang: str, expected: list[tuple[str, str | None]]) -> None:
    assert quotes(text, lang) == expected


def test_same_quote_different_speaker() -> None:
    by_putin = quotes("“Mēs plānojam stiprināt mijiedarbību,” sacīja Putins.", "lv")
    by_kim = quotes("„Við ætlum að styrkja samstarfið,” sagði Kim Jong-un.", "is")
    assert by_putin[0][1] == "putin" and by_kim[0][1] == "kim-jong-un"


def test_context_speaker_fills_pronoun_quotes() -> None:
    texts = [
        "Putins paziņoja, ka parakstīs vienošanos ar Kimu.",
        "Viņš norādīja, ka “jaunais pamatdokuments veidos pamatu”.",
        "“Situācija pasaulē saasinās,” sacīja Kims.",
        "“Šajā situācijā mēs plānojam stiprināt mijiedarbību.”",
    ]
    per = with_context_speakers([extract_all(t, "lv", "2024-06") for t in texts])
    speakers = [(d.value, d.note) for ds in per for d in ds if d.kind == "quote"]
    assert speakers == [("putin", "context"), ("kim", "Kims"), ("kim", "context")]
