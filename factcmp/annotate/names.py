"""Names of people, places and organisations, matched across languages and scripts.

No named-entity model for lv, sl or is ships in a package, so names are found by their
capital letters, transliterated with unidecode, stripped of a case ending per language
("Phenjanā" -> "phenjan", "Kim Jong-ilom" -> "kim jong-il") and matched, exactly or
fuzzily (rapidfuzz), against a small table of well-known entities and their translated
names ("ANO" = "ZN" = "Sameinuðu þjóðirnar" = UN). Unknown names keep their stripped form as
id. Fuzzy matching is per word and strict (ratio 85 on words of 5+ letters), so "Jong-un" is
never "Jong-il". Limits: a capitalised word that starts a sentence is a name only if the
table knows it; adjectives ("severnokorejski") are not names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from unidecode import unidecode

from ..types import Detail

# id -> (type, family or None, names in any language, base forms).
_ENTITIES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "kim-jong-un": (
        "person",
        "kim",
        ("Kim Jong-un", "Kims Čenuns", "Kim Čen Un", "Kim Džong Un", "Kim Jong Un", "Kim Čongun"),
    ),
    "kim-jong-il": (
        "person",
        "kim",
        ("Kim Jong-il", "Kims Čenirs", "Kim Čen Ir", "Kim Jong Il", "Kim Džong Il", "Kim Čongil"),
    ),
    "kim-il-sung": ("person", "kim", ("Kim Il-sung", "Kims Irsens", "Kim Il Sung", "Kim Ir Sen")),
    "kim": ("person", "kim", ("Kim", "Kims")),
    "putin": (
        "person",
        None,
        ("Vladimir Putin", "Vladimirs Putins", "Vladimír Pútín", "Putin", "Putins", "Pútín"),
    ),
    "lukashenko": (
        "person",
        None,
        ("Aleksandr Lukašenko", "Aleksandrs Lukašenko", "Lukashenko", "Lukašenka"),
    ),
    "xi-jinping": ("person", None, ("Xi Jinping", "Si Dzjiņpins", "Ší Tsinping")),
    "lavrov": ("person", None, ("Sergej Lavrov", "Sergejs Lavrovs", "Lavrov")),
    "peskov": ("person", None, ("Dmitrij Peskov", "Dmitrijs Peskovs", "Peskov")),
    "pyongyang": ("place", None, ("Pyongyang", "Phenjana", "Pjongjang", "Pjöngjang")),
    "moscow": (
        "place",
        None,
        ("Moscow", "Maskava", "Moskva", "Moskvu", "Moskvi", "Moskvo", "Moskvu"),
    ),
    "washington": ("place", None, ("Washington", "Vašingtona", "Washingtonu")),
    "seoul": ("place", None, ("Seoul", "Seula", "Seul")),
    "beijing": ("place", None, ("Beijing", "Pekina", "Peking", "Peking")),
    "vladivostok": ("place", None, ("Vladivostok", "Vladivostoka", "Vladívostok")),
    "north-korea": (
        "country",
        None,
        (
            "North Korea",
            "Ziemeļkoreja",
            "Severna Koreja",
            "Norður-Kórea",
            "Norður-Kóreumenn",
            "N-Kórea",
            "KDDR",
            "DPRK",
            "KLDR",
        ),
    ),
    "south-korea": (
        "country",
        None,
        ("South Korea", "Dienvidkoreja", "Južna Koreja", "Suður-Kórea"),
    ),
    "russia": (
        "country",
        None,
        ("Russia", "Krievija", "Rusija", "Rússland", "Rússlands", "Rússar"),
    ),
    "ukraine": ("country", None, ("Ukraine", "Ukraina", "Ukrajina", "Úkraína")),
    "belarus": ("country", None, ("Belarus", "Baltkrievija", "Belorusija", "Hvíta-Rússland")),
    "china": ("country", None, ("China", "Ķīna", "Kitajska", "Kína")),
    "japan": ("country", None, ("Japan", "Japāna", "Japonska", "Japan")),
    "us": (
        "country",
        None,
        (
            "United States",
            "USA",
            "US",
            "ASV",
            "ZDA",
            "Bandaríkin",
            "Bandaríkjamenn",
            "Bandaríkjanna",
            "Amerika",
        ),
    ),
    "vietnam": ("country", None, ("Vietnam", "Vjetnama", "Vietnam", "Víetnam")),
    "un": (
        "org",
        None,
        (
            "United Nations",
            "UN",
            "ANO",
            "ZN",
            "OZN",
            "Združeni narodi",
            "Apvienoto Nāciju Organizācija",
            "Sameinuðu þjóðirnar",
            "SÞ",
            "Sameinuðu þjóðanna",
            "Združenih narodov",
        ),
    ),
    "kremlin": ("org", None, ("Kremlin", "Kremlis", "Kremelj", "Kreml")),
    "afp": ("org", None, ("AFP",)),
    "tass": ("org", None, ("TASS",)),
    "bbc": ("org", None, ("BBC",)),
}
# Case endings per language, longest first after transliteration (unidecode).
_ENDINGS = {
    "lv": (
        "iem",
        "am",
        "ai",
        "as",
        "os",
        "us",
        "is",
        "im",
        "ei",
        "es",
        "a",
        "u",
        "s",
        "i",
        "e",
        "o",
    ),
    "sl": ("om", "em", "ih", "ov", "ju", "ja", "a", "u", "i", "e", "o"),
    "is": ("arnir", "anna", "unum", "inn", "ins", "ar", "ir", "in", "um", "u", "a", "s", "i"),
    "en": ("'s", "s"),
}
_ALL_ENDINGS = tuple(sorted({e for v in _ENDINGS.values() for e in v}, key=len, reverse=True))
_WORD_RE = re.compile(r"(?<![\w-])[^\W\d_][\w'’]*(?:-\w+)*")
_STOP = {"foto", "ka", "ko", "ki", "kar", "da", "ne", "in", "og", "en", "the"}


@dataclass(frozen=True, slots=True)
class NameMention:
    """A name in a sentence: ``text[start:end]``, its entity id, type and family."""

    entity: str
    type: str
    family: str | None
    start: int
    end: int


def stem(word: str, lang: str | None = None) -> str:
    """Transliterated, lower-cased, without one case ending: "Phenjanā" -> "phenjan"."""
    parts = unidecode(word).lower().replace("’", "'").split("-")
    endings = _ENDINGS.get(lang or "", _ALL_ENDINGS)
    last = parts[-1]
    for ending in endings:
        if last.endswith(ending) and len(last) - len(ending) >= 2:
            last = last[: -len(ending)]
            break
    return "-".join(parts[:-1] + [last])


@functools.cache
def _table() -> dict[tuple[str, ...], str]:
    """Stemmed word tuples (stripped with every language's endings) -> entity id."""
    table: dict[tuple[str, ...], str] = {}
    for entity, (_, _, names) in _ENTITIES.items():
        for name in names:
            words = name.split()
            for lang in (*_ENDINGS, None):
                table.setdefault(tuple(stem(w, lang) for w in words), entity)
    return table


def _word_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or a.split("-")[:-1] != b.split("-")[:-1]:
        return False
    from rapidfuzz.fuzz import ratio  # lazy: only for names not found exactly

    return ratio(a, b) >= 85


@functools.cache
def _index() -> dict[tuple[int, str], list[tuple[tuple[str, ...], str]]]:
    """Table keys by word count and first letter: fuzzy matching looks at few of them."""
    index: dict[tuple[int, str], list[tuple[tuple[str, ...], str]]] = {}
    for key, entity in _table().items():
        index.setdefault((len(key), key[0][:1]), []).append((key, entity))
    return index


def resolve(words: list[str], lang: str | None = None) -> str | None:
    """The entity id of a name given as words ("Kimu", "Čeniru"), or None if unknown."""
    return _resolve(tuple(words), lang)


@functools.lru_cache(maxsize=65536)
def _resolve(words: tuple[str, ...], lang: str | None) -> str | None:
    stems = tuple(stem(w, lang) for w in words)
    table = _table()
    if stems in table:
        return table[stems]
    if lang == "sl" and len(stems) == 1 and re.fullmatch(r"\w+[oe]v", stems[0]):
        # a possessive adjective of a person: "Kimova ideja" (Kim's idea)
        owner = table.get((stems[0][:-2],))
        if owner and _ENTITIES[owner][0] == "person":
            return owner
    for key, entity in _index().get((len(stems), stems[0][:1]), []):
        if all(_word_match(x, y) for x, y in zip(stems, key)):
            return entity
    return None


# Spellings of one sound across lv/sl/is/lt/et and English, folded to one letter ("Kromvels"
# / "Cromwell", "Džonss" / "Jones", "Vudvords" / "Woodward").
_FOLDS = (
    ("sch", "s"),
    ("dzh", "j"),
    ("dz", "j"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("ch", "k"),
    ("sh", "s"),
    ("zh", "z"),
    ("w", "v"),
    ("c", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("y", "i"),
    ("j", "i"),
    ("h", ""),
)


def _fold(word: str, lang: str | None) -> str:
    folded = stem(word, lang)
    for a, b in _FOLDS:
        folded = folded.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", folded)


@functools.lru_cache(maxsize=65536)
def name_similarity(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> float:
    """How alike two written names are, 0-100, across languages and spellings: 100 for one
    known entity ("Kims Čenuns", "Kim Jong-un"), 0 for two different ones, else the best
    fuzzy ratio of their words' folded stems (transliterated, without a case ending, one
    letter per sound), a word that begins the other counting 100: "Kromvelu" / "Cromwell"
    and "Willoughbyjeva" / "Willoughby" score 100, "Kromvelu" / "Instagram" 25."""
    ea, eb = resolve(a.split(), lang_a), resolve(b.split(), lang_b)
    if ea and eb:
        return 100.0 if names_compatible(ea, eb) else 0.0
    from rapidfuzz.fuzz import ratio  # lazy: only for names not found exactly

    wa = [_fold(w, lang_a) for w in re.split(r"[\s-]+", a) if w]
    wb = [_fold(w, lang_b) for w in re.split(r"[\s-]+", b) if w]
    best = 0.0
    for x in wa:
        for y in wb:
            prefix = min(len(x), len(y)) >= 3 and (x.startswith(y) or y.startswith(x))
            best = max(best, 100.0 if prefix else ratio(x, y))
    return best


def find_names(text: str, lang: str) -> list[NameMention]:
    """Names in ``text``: a capitalised word and up to three following words, longest known
    entity first ("Kimu Čenunu", "Sameinuðu þjóðanna"); unknown capitalised words keep
    their stem as id."""
    found: list[NameMention] = []
    words = list(_WORD_RE.finditer(text))
    i = 0
    while i < len(words):
        m = words[i]
        if not m[0][0].isupper() or any(c.isdigit() for c in m[0]):  # "Su-35" is a model
            i += 1
            continue
        j = i + 1
        while (
            j < len(words)
            and j < i + 4
            and re.fullmatch(r"\s", text[words[j - 1].end() : words[j].start()])
        ):
            j += 1
        for k in range(j, i, -1):
            entity = resolve([w[0] for w in words[i:k]], lang)
            if entity is not None and (k == i + 1 or words[k - 1][0][0].isupper() or k - i > 1):
                kind, family, _ = _ENTITIES[entity]
                found.append(NameMention(entity, kind, family, m.start(), words[k - 1].end()))
                i = k
                break
        else:
            before = text[: m.start()]
            at_start = re.fullmatch(r"\s*[»«“”„\"(]?\s*", before) or re.search(
                r"[.!?:]\s*[»«“”„\"]?\s*$", before
            )
            key = stem(m[0], lang)
            if not at_start and key not in _STOP and len(key) > 2:
                found.append(NameMention(key, "other", None, m.start(), m.end()))
            i += 1
    return found


def names_compatible(a: str, b: str) -> bool:
    """Whether two entity ids can be the same person: equal, or one a bare family name."""
    if a == b:
        return True
    family = {e: f for e, (_, f, _) in _ENTITIES.items() if f}
    return (a in family and b == family[a]) or (b in family and a == family[b])


_NAME_ALIKE = 50.0  # a name this alike may be the other's spelling in another language
_NAME_SAME = 80.0  # a name this alike is the same name
NAME_WITNESSES = 3
"""A swapped name needs this many other sources agreeing on the name."""


def name_swaps(
    names: dict[str, list[Detail]], langs: dict[str, str], elsewhere: dict[str, list[Detail]]
) -> dict[str, list[Detail]]:
    """Names a source gives where the others agree on a different name, per source.

    Source A has swapped a name when every other source gives a name N alike
    (:func:`name_similarity` 80+: "Goldsmith", "Goldsmithas", "Goldsmita"),
    A gives nothing like N here, but writes N in another of its sentences (``elsewhere``: so
    its language keeps the name and does not translate it), and gives instead exactly one name
    like none of the others' ("Instagram"). The others' N is reported too. A name only one
    side gives, or one a language translates as words ("Glæpalínan" for "Crimestoppers"),
    is not a swap.
    """
    out: dict[str, list[Detail]] = {}

    def sim(x: Detail, ax: str, y: Detail, ay: str) -> float:
        return name_similarity(x.text, y.text, langs[ax], langs[ay])

    for a, mine in names.items():
        others = [b for b in names if b != a]
        if len(others) < NAME_WITNESSES or any(len(names[b]) != len(mine) for b in others):
            continue
        odd = [
            x for x in mine if all(sim(x, a, y, b) < _NAME_ALIKE for b in others for y in names[b])
        ]
        if len(odd) != 1:
            continue
        first = others[0]
        place = mine.index(odd[0])
        for n in names[first][place : place + 1]:
            if any(sim(x, a, n, first) >= _NAME_ALIKE for x in mine):
                continue
            same = {first: n}
            for b in others[1:]:
                if sim(n, first, names[b][place], b) >= _NAME_SAME:
                    same[b] = names[b][place]
            if len(same) == len(others) and any(
                sim(x, a, n, first) >= _NAME_SAME for x in elsewhere.get(a, [])
            ):
                out.setdefault(a, []).append(odd[0])
                for b, y in same.items():
                    if y not in out.setdefault(b, []):
                        out[b].append(y)
                break
    return out
